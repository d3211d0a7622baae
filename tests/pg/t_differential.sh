#!/usr/bin/env bash
# tests/pg/t_differential.sh — the differential test on PostgreSQL (issue 4):
# the blog example migrated with viper.migrate, ~15,000 rows seeded with
# plain SQL, then ~360 QuerySpecs (tests/diff/gen.c, fixed seed) run through
# viper.query / viper.count / viper.exists and compared with hand-written
# SQL over the same rows: ids in order (the spec's ordering + the pk, NULLS
# LAST for ASC / FIRST for DESC), key sets (only), value tuples (values),
# numbers (count, exists). One line per spec (PASS/FAIL diff/pg/<n>, both
# outputs on failure) and a summary; exit 1 on any mismatch or error,
# including a missing viper function.
#
# Runs against the server of PGHOST/PGPORT/PGUSER (tests/pg/run.sh exports
# them) in a database of its own, removed on exit.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/diff/lib.sh"
bindir=$("${PG_CONFIG:-pg_config}" --bindir)
db="viper_diff_$$"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/viper-diff.XXXXXX")
cleanup() {
	"$bindir/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

psql_db() {
	"$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"
}

diff_build_gen "$tmp" || exit 1

"$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $db" || exit 1
psql_db -c "CREATE EXTENSION viper" || exit 1

# the functions under test must exist: a missing one fails loudly here
missing=$(psql_db -A -t -c "SELECT string_agg(f, ', ') FROM unnest(ARRAY[
	'viper.query(text,jsonb)', 'viper.count(text,jsonb)', 'viper.exists(text,jsonb)']) AS f
	WHERE to_regprocedure(f) IS NULL") || exit 1
if [ -n "$missing" ]; then
	echo "FAIL: missing function(s): $missing"
	exit 1
fi

schemas=$(diff_pg_schemas)
printf '%s\n' "SELECT count(*) FROM viper.migrate(:'schemas'::jsonb);" |
	psql_db -A -t -v schemas="$schemas" > "$tmp/migrate.txt" || {
	echo "FAIL: viper.migrate of the blog example"
	exit 1
}
# row permissions are default deny: this test compares the engine with
# hand-written SQL, so every model is open to everyone
psql_db -c "SELECT count(viper.grant(label, 'all', '*')) FROM viper.models" > /dev/null || {
	echo "FAIL: granting the blog models"
	exit 1
}
"$tmp/gen" seed pg > "$tmp/seed.sql" || exit 1
psql_db -f "$tmp/seed.sql" > /dev/null || {
	echo "FAIL: seeding the blog tables"
	exit 1
}
echo "seeded: $(psql_db -A -t -c "SELECT (SELECT count(*) FROM blog_author) + (SELECT count(*) FROM blog_post)
	+ (SELECT count(*) FROM blog_tag) + (SELECT count(*) FROM blog_post_tags) + (SELECT count(*) FROM blog_comment)") rows"

"$tmp/gen" specs pg > "$tmp/specs.tsv" || exit 1
"$tmp/gen" script pg > "$tmp/script.sql" || exit 1
# stdout and stderr line-buffered into one stream: an error message lands
# right after the marker of the statement that raised it
stdbuf -oL -eL "$bindir/psql" -X -A -t -q -d "$db" -f "$tmp/script.sql" > "$tmp/out.txt" 2>&1
diff_compare pg "$tmp"
