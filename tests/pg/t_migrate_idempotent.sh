#!/usr/bin/env bash
# tests/pg/t_migrate_idempotent.sh — a second viper.migrate of the blog
# example (examples/blog/schemas/*.json) returns no rows and changes nothing:
# `pg_dump --schema-only` before and after it must be identical, and so must
# the catalog rows in viper.models (DESIGN §4).
#
# Runs against the server of PGHOST/PGPORT/PGUSER (tests/pg/run.sh exports
# them) in a database of its own, removed on exit. pg_dump 15.14+ writes
# \restrict / \unrestrict lines with a random key: they are left out of the
# comparison.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bindir=$("${PG_CONFIG:-pg_config}" --bindir)
db="viper_idem_$$"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/viper-idem.XXXXXX")
cleanup() {
	"$bindir/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

psql_db() {
	"$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"
}
dump() {
	"$bindir/pg_dump" --schema-only --no-comments -d "$db" |
		grep -v -E '^\\(un)?restrict ' > "$1"
}

"$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $db"
psql_db -c "CREATE EXTENSION viper"

# the schemas as one JSON array, passed as a bound psql variable
schemas="["
sep=""
for f in "$root"/examples/blog/schemas/*.json; do
	schemas+="$sep$(cat "$f")"
	sep=","
done
schemas+="]"

# psql -c does not interpolate variables: the statement comes on stdin
first=$(printf '%s\n' "SELECT count(*) FROM viper.migrate(:'schemas'::jsonb);" |
	psql_db -A -t -v schemas="$schemas")
echo "first migrate: $first operations"
if [ "$first" -eq 0 ]; then
	echo "the first migrate of the blog example planned nothing"
	exit 1
fi
dump "$tmp/before.sql"
psql_db -A -t -c "SELECT label, version, schema FROM viper.models ORDER BY label" > "$tmp/catalog-before.txt"

second=$(printf '%s\n' "SELECT op || ' ' || target FROM viper.migrate(:'schemas'::jsonb);" |
	psql_db -A -t -v schemas="$schemas")
dump "$tmp/after.sql"
psql_db -A -t -c "SELECT label, version, schema FROM viper.models ORDER BY label" > "$tmp/catalog-after.txt"

status=0
if [ -n "$second" ]; then
	echo "the second migrate returned rows:"
	echo "$second"
	status=1
fi
if ! diff -u "$tmp/before.sql" "$tmp/after.sql"; then
	echo "pg_dump --schema-only differs after the second migrate"
	status=1
fi
if ! diff -u "$tmp/catalog-before.txt" "$tmp/catalog-after.txt"; then
	echo "viper.models differs after the second migrate"
	status=1
fi
if ! grep -q 'CREATE TABLE public.blog_post_tags' "$tmp/before.sql"; then
	echo "the dump does not show the blog tables"
	status=1
fi
[ $status -eq 0 ] && echo "second migrate: 0 rows, schema and catalog unchanged"
exit $status
