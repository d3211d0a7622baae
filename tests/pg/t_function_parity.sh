#!/usr/bin/env bash
# tests/pg/t_function_parity.sh — the two hosts offer the same functions
# (CONVENTIONS "SQL"): every function of schema viper in pg_proc has a
# SQLite twin viper_<name> registered for each arity the PostgreSQL
# signature allows (its defaulted trailing arguments may be omitted,
# DESIGN §12), and SQLite registers no viper_ function PostgreSQL lacks.
#
# Known, documented differences are listed below and nowhere else:
#   - functions whose name starts with "_" are internal to the install
#     script (trigger and seeding helpers) or read by compiled SQL only
#     (viper._bypass_active); their SQLite twins start with "viper__"
#     (viper__bypass_active) and are skipped the same way;
#   - viper.query is, in SQLite, the table-valued function viper_query (a
#     virtual table module, not a scalar function);
#   - SQLite-only: viper_set/viper_setting (connection settings that
#     PostgreSQL keeps in GUCs) and regexp (SQLite has no REGEXP of its own).
#
# Runs against the server of PGHOST/PGPORT/PGUSER (tests/pg/run.sh exports
# them) in a database of its own, and the built sqlite_ext/build/viper.so.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bindir=$("${PG_CONFIG:-pg_config}" --bindir)
ext=$root/sqlite_ext/build/viper
db="viper_fnpar_$$"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/viper-fnpar.XXXXXX")
cleanup() {
	"$bindir/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

[[ -f $ext.so ]] || { echo "missing $ext.so (make sqlite)"; exit 1; }
"$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $db"
"$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE EXTENSION viper"

# PostgreSQL: one line "viper_<name> <arity>" per callable arity
"$bindir/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" > "$tmp/pg.txt" <<'SQL'
SELECT 'viper_' || p.proname || ' ' || n
FROM pg_catalog.pg_proc p,
     LATERAL pg_catalog.generate_series((p.pronargs - p.pronargdefaults)::integer, p.pronargs::integer) AS n
WHERE p.pronamespace = 'viper'::pg_catalog.regnamespace
  AND p.proname !~ '^_'
  AND p.proname <> 'query'
ORDER BY 1;
SQL

# SQLite: the same from pragma_function_list (one row per registered arity)
sqlite3 -batch -bail -cmd ".load $ext" :memory: > "$tmp/sqlite.txt" <<'SQL'
SELECT name || ' ' || narg FROM pragma_function_list
WHERE name LIKE 'viper\_%' ESCAPE '\'
  AND name NOT LIKE 'viper\_\_%' ESCAPE '\'
  AND name NOT IN ('viper_set', 'viper_setting')
ORDER BY 1;
SQL

if ! diff -u "$tmp/pg.txt" "$tmp/sqlite.txt" > "$tmp/diff"; then
	echo "the hosts' function lists differ (- PostgreSQL only, + SQLite only):"
	cat "$tmp/diff"
	exit 1
fi
echo "$(wc -l < "$tmp/pg.txt") function arities agree on both hosts"

# viper.query's SQLite twin is a table-valued function: a module, not a function
if [[ $(grep -c '' <(
	"$bindir/psql" -X -q -A -t -d "$db" -c \
		"SELECT 1 FROM pg_catalog.pg_proc WHERE proname = 'query' AND pronamespace = 'viper'::pg_catalog.regnamespace")) -gt 0 ]]; then
	got=$(sqlite3 -batch -cmd ".load $ext" :memory: \
		"SELECT count(*) FROM pragma_module_list WHERE name = 'viper_query'")
	if [[ $got != 1 ]]; then
		echo "viper.query exists in PostgreSQL but SQLite has no viper_query table-valued function"
		exit 1
	fi
	echo "viper.query ↔ viper_query (table-valued) present on both hosts"
fi
