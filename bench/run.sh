#!/usr/bin/env bash
# bench/run.sh — `make bench` (never part of `make check`): viper's query
# and write functions against hand-written SQL in the same run, on both
# hosts, printed as one table:
#   scenario | viper median | raw median | ratio | target | met?
#
# PostgreSQL: builds and installs the extension (make install, as root),
# starts a throwaway cluster (tests/pg/cluster.sh, removed on exit),
# migrates bench.Item (bench/schemas/Item.json) and the blog example,
# seeds 1,000,000 bench_item rows with generate_series, then runs
# bench/pgbench_viper.c (libpq, prepared statements) and
# bench/compile_bench.c (core library in-process). SQLite: builds
# sqlite_ext and runs bench/sqlite_bench.c against an in-memory database.
# Takes a few minutes. The table is also written to build/bench-results.txt.
# Exit status 1 when a scenario could not run (a missing or failing viper
# function) — a target that is not met is reported, not an error.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
pg15bin=/usr/lib/postgresql/15/bin
[ -d "$pg15bin" ] && export PATH=$pg15bin:$PATH
export PG_CONFIG=${PG_CONFIG:-$(command -v pg_config)}
CC=${CC:-cc}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/viper-bench.XXXXXX")
results=$tmp/results.tsv
: > "$results"
status=0

. tests/pg/cluster.sh
unset PGHOST PGPORT PGUSER PGDATABASE PGHOSTADDR PGSERVICE
cleanup() {
	viper_pg_stop
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '== %s\n' "$*" >&2; }

step "build and install the PostgreSQL extension"
if [ "$(id -u)" -eq 0 ]; then
	make -s install PG_CONFIG="$PG_CONFIG" > "$tmp/install.log" 2>&1
else
	make -s all PG_CONFIG="$PG_CONFIG" > "$tmp/install.log" 2>&1 &&
		sudo -n make -s install PG_CONFIG="$PG_CONFIG" >> "$tmp/install.log" 2>&1
fi || { cat "$tmp/install.log" >&2; echo "bench: make install failed" >&2; exit 1; }
make -s -C sqlite_ext > "$tmp/sqlite-build.log" 2>&1 ||
	{ cat "$tmp/sqlite-build.log" >&2; echo "bench: sqlite_ext build failed" >&2; exit 1; }

step "build the benchmark programs"
"$CC" -std=c11 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -I"$(pg_config --includedir)" \
	-o "$tmp/pgbench_viper" bench/pgbench_viper.c -L"$(pg_config --libdir)" -lpq || exit 1
"$CC" -std=c11 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -Icore -Ibench \
	$(pkg-config --cflags jansson 2>/dev/null) -DVIPER_VERSION="\"bench\"" \
	-o "$tmp/compile_bench" bench/compile_bench.c core/*.c \
	$(pkg-config --libs jansson 2>/dev/null || echo -ljansson) || exit 1
"$CC" -std=c11 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L \
	-o "$tmp/sqlite_bench" bench/sqlite_bench.c -lsqlite3 || exit 1

step "throwaway cluster"
viper_pg_start || exit 1
psql_b() { psql -X -q -v ON_ERROR_STOP=1 -d viper_bench "$@"; }
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE viper_bench" || exit 1
psql_b -c "CREATE EXTENSION viper" || exit 1
schemas="[$(cat bench/schemas/Item.json)"
for f in examples/blog/schemas/*.json; do schemas+=",$(cat "$f")"; done
schemas+="]"
printf '%s\n' "SELECT count(*) FROM viper.migrate(:'schemas'::jsonb);" |
	psql_b -A -t -v schemas="$schemas" > /dev/null || exit 1

step "seed 1,000,000 rows"
t0=$(date +%s)
psql_b <<'SQL' || exit 1
INSERT INTO bench_item (name, category, qty, price, active, note)
SELECT 'item ' || g, 'c' || (g % 50), ((g::bigint * 7919) % 100000)::int, (g % 1000) / 10.0,
       g % 3 <> 0, CASE WHEN g % 5 = 0 THEN NULL ELSE 'note ' || g END
FROM generate_series(1, 1000000) AS g;
VACUUM ANALYZE;
SQL
echo "seeded in $(( $(date +%s) - t0 )) s" >&2

# row permissions are default deny: the engine scenarios read bench.Item
# open to everyone. The permission scenario compares bench.Owned (a grant
# owner_id = principal(), principal set in the same transaction) with
# bench.Open (meta.permissions false, filtered on owner_id by the spec):
# 100,000 rows each, 1,000 per owner.
step "row permissions scenario data"
psql_b <<'SQL' || exit 1
SELECT count(viper.grant(label, 'all', '*')) FROM viper.models;
SELECT count(*) FROM viper.migrate('[
 {"app": "bench", "name": "Owned", "fields": [
   {"name": "id", "type": "BigAutoField", "primary_key": true},
   {"name": "owner_id", "type": "IntegerField"},
   {"name": "name", "type": "CharField", "max_length": 100},
   {"name": "qty", "type": "IntegerField", "default": 0}],
  "meta": {"indexes": [{"fields": ["owner_id", "id"]}]}},
 {"app": "bench", "name": "Open", "fields": [
   {"name": "id", "type": "BigAutoField", "primary_key": true},
   {"name": "owner_id", "type": "IntegerField"},
   {"name": "name", "type": "CharField", "max_length": 100},
   {"name": "qty", "type": "IntegerField", "default": 0}],
  "meta": {"permissions": false, "indexes": [{"fields": ["owner_id", "id"]}]}}]');
SELECT viper.grant('bench.Owned', 'select', 'authenticated', 'owner_id = principal()');
INSERT INTO bench_owned (owner_id, name, qty)
	SELECT g % 100, 'item ' || g, g % 1000 FROM generate_series(1, 100000) AS g;
INSERT INTO bench_open (owner_id, name, qty)
	SELECT g % 100, 'item ' || g, g % 1000 FROM generate_series(1, 100000) AS g;
VACUUM ANALYZE bench_owned;
VACUUM ANALYZE bench_open;
-- one call = one transaction: set the principal, then list its rows
CREATE FUNCTION bench_owned_list(p text) RETURNS SETOF json LANGUAGE sql AS $f$
	SELECT viper.set_principal(p);
	SELECT viper.query('bench.Owned', '{"order_by": ["id"], "limit": 1000}');
$f$;
CREATE FUNCTION bench_open_list(p text) RETURNS SETOF json LANGUAGE sql AS $f$
	SELECT viper.set_principal(p);
	SELECT viper.query('bench.Open', jsonb_build_object('where',
		jsonb_build_object('owner_id', p::int), 'order_by', '["id"]'::jsonb, 'limit', 1000));
$f$;
SQL
psql_b -A -t -c "SELECT json_agg(json_build_object('label', label, 'schema', schema)) FROM viper.models" \
	> "$tmp/catalog.json" || exit 1

step "PostgreSQL scenarios (libpq)"
PGDATABASE=viper_bench "$tmp/pgbench_viper" > "$tmp/pg.out" || status=1
cat "$tmp/pg.out" >&2
grep '^RESULT' "$tmp/pg.out" | cut -f2- | sed 's/^/postgresql\t/' >> "$results"

step "compile (core library, in-process)"
"$tmp/compile_bench" "$tmp/catalog.json" > "$tmp/compile.out" || status=1
cat "$tmp/compile.out" >&2
grep '^RESULT' "$tmp/compile.out" | cut -f2- | sed 's/^/core\t/' >> "$results"

viper_pg_stop

step "SQLite scenarios (sqlite3 C API)"
"$tmp/sqlite_bench" "$root/sqlite_ext/build/viper.so" bench/schemas/Item.json > "$tmp/sqlite.out" || status=1
cat "$tmp/sqlite.out" >&2
grep '^RESULT' "$tmp/sqlite.out" | cut -f2- | sed 's/^/sqlite\t/' >> "$results"

mkdir -p build
{
	printf '%s\n' "viper benchmarks — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, PostgreSQL $(pg_config --version | awk '{print $2}'), SQLite $(sqlite3 --version | awk '{print $1}')"
	printf '| host | scenario | viper median | raw median | unit | ratio | target | met? |\n'
	printf '|---|---|---|---|---|---|---|---|\n'
	awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8 }' "$results"
} | tee build/bench-results.txt
if [ ! -s "$results" ]; then
	echo "bench: no scenario ran" >&2
	status=1
fi
if grep -q $'\tERROR\t' "$results"; then
	echo "bench: some scenarios could not run (ERROR rows above)" >&2
	status=1
fi
exit $status
