#!/usr/bin/env bash
# tests/diff/crosscheck.sh — checks the differential test's own hand SQL:
# the PostgreSQL and the SQLite hand-written queries of every spec
# (gen script <host> hand) run on the same seeded rows must print the same
# lines. It needs no viper query function, so it validates the generator
# before (or independently of) the hosts' query engines. Not part of
# `make check` (the t_differential.sh cases are); run it after changing
# tests/diff/gen.c. Uses PGHOST/PGPORT when set, else a throwaway cluster.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
. "$root/tests/pg/cluster.sh"
export PATH=/usr/lib/postgresql/15/bin:$PATH
SQLITE3=${SQLITE3:-sqlite3}
ext="$root/sqlite_ext/build/viper"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/viper-cross.XXXXXX")
db="viper_cross_$$"
own=
cleanup() {
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
	[ -n "$own" ] && viper_pg_stop
	rm -rf "$tmp"
}
trap cleanup EXIT
if [ -z "${PGHOST:-}" ] || [ -z "${PGPORT:-}" ]; then
	viper_pg_start || exit 1
	own=1
fi
diff_build_gen "$tmp" || exit 1
make -s -C "$root/sqlite_ext" || exit 1

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $db" || exit 1
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE EXTENSION viper" || exit 1
printf '%s\n' "SELECT count(*) FROM viper.migrate(:'schemas'::jsonb);" |
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" -A -t -v schemas="$(diff_pg_schemas)" > /dev/null || exit 1
"$tmp/gen" seed pg | psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f - > /dev/null || exit 1
"$tmp/gen" script pg hand > "$tmp/pg.sql"
stdbuf -oL -eL psql -X -A -t -q -d "$db" -f "$tmp/pg.sql" > "$tmp/pg.out" 2>&1

"$SQLITE3" -batch -cmd ".load '$ext'" "$tmp/x.db" \
	"SELECT json_array_length(viper_migrate($(diff_sqlite_schemas)));" > /dev/null || exit 1
{ echo "BEGIN;"; "$tmp/gen" seed sqlite; echo "COMMIT;"; } | "$SQLITE3" -batch -bail "$tmp/x.db" || exit 1
"$tmp/gen" script sqlite hand > "$tmp/sq.sql"
stdbuf -oL -eL "$SQLITE3" -batch "$tmp/x.db" < "$tmp/sq.sql" > "$tmp/sq.out" 2>&1

specs=$(grep -c '|m|v$' "$tmp/pg.out")
if diff -u "$tmp/pg.out" "$tmp/sq.out" > "$tmp/d"; then
	echo "crosscheck: the hand SQL of $specs specs agrees on PostgreSQL and SQLite ($(wc -l < "$tmp/pg.out") lines)"
	exit 0
fi
head -60 "$tmp/d"
echo "crosscheck: hand SQL differs between the dialects"
exit 1
