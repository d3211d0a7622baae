#!/usr/bin/env bash
# tests/sqlite/t_differential.sh — the differential test on SQLite (issue 4):
# the blog example migrated with viper_migrate into a database file, ~15,000
# rows seeded with plain SQL, then ~360 QuerySpecs (tests/diff/gen.c, fixed
# seed; the same specs as on PostgreSQL) run through the viper_query
# table-valued function, viper_count and viper_exists and compared with
# hand-written SQL over the same rows (see tests/pg/t_differential.sh).
# The hand SQL uses no REGEXP: regex specs have GLOB/instr equivalents.
# One line per spec (PASS/FAIL diff/sqlite/<n>) and a summary; exit 1 on
# any mismatch or error, including a missing viper function.
# Usage: t_differential.sh SCRATCH_DIR (SQLITE3 and VIPER_EXT exported by
# tests/sqlite/run.sh).
set -uo pipefail
dir=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/diff/lib.sh"
: "${SQLITE3:?}" "${VIPER_EXT:?}"
db="$dir/diff.db"

sq() {
	"$SQLITE3" -batch -cmd ".load '$VIPER_EXT'" "$db" "$@"
}

diff_build_gen "$dir" || exit 1

# the functions under test must exist: a missing one fails loudly here
missing=$(sq "SELECT group_concat(n, ', ') FROM (
	SELECT 'viper_query (table-valued)' AS n WHERE NOT EXISTS (SELECT 1 FROM pragma_module_list WHERE name = 'viper_query')
	UNION ALL SELECT 'viper_count' WHERE NOT EXISTS (SELECT 1 FROM pragma_function_list WHERE name = 'viper_count')
	UNION ALL SELECT 'viper_exists' WHERE NOT EXISTS (SELECT 1 FROM pragma_function_list WHERE name = 'viper_exists'));") || {
	echo "FAIL: could not load $VIPER_EXT"
	exit 1
}
if [ -n "$missing" ]; then
	echo "FAIL: missing function(s): $missing"
	exit 1
fi

n=$(sq "SELECT json_array_length(viper_migrate($(diff_sqlite_schemas)));") || {
	echo "FAIL: viper_migrate of the blog example"
	exit 1
}
# every model readable by everyone (default deny otherwise, DESIGN §8)
sq "SELECT 1 FROM viper_models WHERE viper_grant(label, 'all', '*') IS NOT NULL;" || {
	echo "FAIL: granting the blog models"
	exit 1
}
{ echo "BEGIN;"; "$dir/gen" seed sqlite; echo "COMMIT;"; } > "$dir/seed.sql" || exit 1
"$SQLITE3" -batch -bail "$db" < "$dir/seed.sql" || {
	echo "FAIL: seeding the blog tables"
	exit 1
}
echo "migrated ($n operations), seeded: $(sq "SELECT (SELECT count(*) FROM blog_author) + (SELECT count(*) FROM blog_post)
	+ (SELECT count(*) FROM blog_tag) + (SELECT count(*) FROM blog_post_tags) + (SELECT count(*) FROM blog_comment);") rows"

"$dir/gen" specs sqlite > "$dir/specs.tsv" || exit 1
"$dir/gen" script sqlite > "$dir/script.sql" || exit 1
# one stream, line-buffered: an error lands after its statement's marker
stdbuf -oL -eL "$SQLITE3" -batch -cmd ".load '$VIPER_EXT'" "$db" < "$dir/script.sql" > "$dir/out.txt" 2>&1
diff_compare sqlite "$dir"
