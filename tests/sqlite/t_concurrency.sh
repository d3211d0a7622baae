#!/usr/bin/env bash
# tests/sqlite/t_concurrency.sh — many sqlite3 processes on one database
# file apply the same data patches (and migrate the blog example schemas)
# at the same instant; each patch must run exactly once, nobody may see an
# error, and the final schema must be the one a single migrate produces.
#
# Usage: t_concurrency.sh <scratch-dir>   (tests/sqlite/run.sh passes one;
# SQLITE3 and VIPER_EXT come from the environment it exports).
# Runs twice: with the default rollback journal and in WAL mode.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=${1:?usage: t_concurrency.sh scratch-dir}
SQLITE3=${SQLITE3:-sqlite3}
ext=${VIPER_EXT:-$root/sqlite_ext/build/viper}
workers=8
fail=0

say() { echo "t_concurrency: $*"; }
bad() { echo "t_concurrency: FAIL: $*"; fail=1; }

# The blog schemas as one JSON array, quoted as an SQL string literal.
schemas="["
sep=""
for f in "$root"/examples/blog/schemas/*.json; do
	schemas+="$sep$(cat "$f")"
	sep=","
done
schemas+="]"
schemas_sql="'$(printf '%s' "$schemas" | sed "s/'/''/g")'"

sq() { "$SQLITE3" -batch -cmd ".timeout 10000" -cmd ".load '$ext'" "$@"; }

# viper_migrate is part of the scenario once the SQLite host has it.
have_migrate=$(sq :memory: "SELECT count(*) > 0 FROM pragma_function_list WHERE name = 'viper_migrate'" 2>&1)
if [ "$have_migrate" != "1" ] && [ "$have_migrate" != "0" ]; then
	bad "cannot load the extension: $have_migrate"
	exit 1
fi
[ "$have_migrate" = "1" ] || say "viper_migrate is not available: patches only"

# The five patches; each inserts one row into side. p3 is slow (a long
# recursive count) so the others queue behind its lock.
patches=$(cat <<'EOF'
SELECT viper_apply_patch('blog.0001_pre_a', 'INSERT INTO side VALUES (''blog.0001_pre_a'');', 'pre', 1);
SELECT viper_apply_patch('blog.0002_pre_b', 'INSERT INTO side VALUES (''blog.0002_pre_b'');', 'pre', 2);
@MIGRATE@
SELECT viper_apply_patch('blog.0003_slow', 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 400000) INSERT INTO side SELECT ''blog.0003_slow'' FROM (SELECT count(*) FROM c);', 'post', 1);
SELECT viper_apply_patch('blog.0004_post_d', 'INSERT INTO side VALUES (''blog.0004_post_d'');', 'post', 2);
SELECT viper_apply_patch('blog.0005_post_e', 'INSERT INTO side VALUES (''blog.0005_post_e'');', 'post', 3);
EOF
)
if [ "$have_migrate" = "1" ]; then
	migrate_line="SELECT json_array_length(viper_migrate($schemas_sql)) >= 0;"
else
	migrate_line=""
fi
script=$dir/worker.sql
printf '%s\n' "${patches/@MIGRATE@/$migrate_line}" > "$script"

# The schema a single session produces, for comparison.
schema_of() {
	sq "$1" "SELECT type, name, tbl_name, sql FROM sqlite_master
	         WHERE name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY type, name"
}

for mode in delete wal; do
	db=$dir/conc-$mode.db
	ref=$dir/ref-$mode.db
	rm -f "$db" "$db"-* "$ref" "$ref"-* "$dir"/go "$dir"/w*.out
	sq "$db" "PRAGMA journal_mode = $mode; CREATE TABLE side (patch TEXT);" > /dev/null || { bad "setup ($mode)"; continue; }
	sq "$ref" "PRAGMA journal_mode = $mode; CREATE TABLE side (patch TEXT);" > /dev/null || { bad "setup ref ($mode)"; continue; }
	if [ "$have_migrate" = "1" ]; then
		sq "$ref" "SELECT viper_migrate($schemas_sql);" > /dev/null || bad "reference migrate ($mode)"
	fi

	# barrier: every worker waits for the go file, then all start at once
	pids=()
	for i in $(seq 1 $workers); do
		(
			while [ ! -e "$dir/go" ]; do sleep 0.01; done
			sq -bail "$db" < "$script"
		) > "$dir/w$i.out" 2>&1 &
		pids+=($!)
	done
	sleep 0.3
	touch "$dir/go"
	for i in $(seq 1 $workers); do
		if ! wait "${pids[$((i - 1))]}"; then
			bad "worker $i ($mode) exited non-zero: $(cat "$dir/w$i.out")"
		elif grep -qi 'error' "$dir/w$i.out"; then
			bad "worker $i ($mode) printed an error: $(cat "$dir/w$i.out")"
		fi
	done

	# each patch ran exactly once: one record, one side effect, one audit row
	got=$(sq "$db" "SELECT name || ' ' || (SELECT count(*) FROM side WHERE patch = name) || ' ' ||
	                       (SELECT count(*) FROM viper_audit_log WHERE reason = 'patch ' || name)
	                FROM viper_patches ORDER BY name")
	want="blog.0001_pre_a 1 1
blog.0002_pre_b 1 1
blog.0003_slow 1 1
blog.0004_post_d 1 1
blog.0005_post_e 1 1"
	[ "$got" = "$want" ] || bad "patches ($mode): want
$want
got
$got"
	n=$(sq "$db" "SELECT count(*) FROM side")
	[ "$n" = "5" ] || bad "side has $n rows ($mode), want 5"
	# across all workers, each patch reported 1 exactly once
	ones=$(cat "$dir"/w*.out | grep -c '^1$')
	want_ones=5
	[ "$have_migrate" = "1" ] && want_ones=$((5 + workers))
	[ "$ones" = "$want_ones" ] || bad "workers reported $ones runs ($mode), want $want_ones"

	if [ "$have_migrate" = "1" ]; then
		models=$(sq "$db" "SELECT count(*), count(DISTINCT label) FROM viper_models WHERE app = 'blog'")
		[ "$models" = "5|5" ] || bad "viper_models holds $models blog models ($mode), want 5|5"
		if ! diff <(schema_of "$ref") <(schema_of "$db") > "$dir/schema.diff"; then
			bad "schema after concurrent migrate differs from a single migrate ($mode):
$(cat "$dir/schema.diff")"
		fi
		again=$(sq "$db" "SELECT viper_migrate($schemas_sql);")
		[ "$again" = "[]" ] || bad "a further migrate is not empty ($mode): $again"
	fi
	[ $fail -eq 0 ] && say "$mode: $workers processes, each patch exactly once"
done

exit $fail
