#!/usr/bin/env bash
# tests/parity/run.sh — run tests/parity/cases.tsv against the PostgreSQL
# extension and the SQLite extension and compare (see parity.c for the case
# format and the comparison rules).
#
# Usage: tests/parity/run.sh [results-file]
#
# Appends "PASS parity/<id>" or "FAIL parity/<id>" per case (and one line
# per self-test of the runner's own parsing) to results-file; a failure
# prints the call, what each host gave and why they disagree. Exits
# non-zero when anything failed.
#
# PostgreSQL: uses the server in PGHOST/PGPORT/PGUSER (tests/pg/cluster.sh's
# viper_pg_start exports them; the extension must be installed). With no
# PGHOST it starts a throwaway cluster itself and runs `make install`.
# Every case goes through one psql session; a pg_temp helper EXECUTEs each
# call with its arguments as bound parameters and catches the error.
# SQLite: sqlite_ext/build/viper.so (brought up to date first), loaded by the
# small driver in parity.c, arguments bound with sqlite3_bind_text.
#
# Work files go to tests/parity/results/: plan.tsv, pg.sql, the raw
# per-host outputs, and postgresql.txt / sqlite.txt — one readable line per
# case: "<id> ok <result>" or "<id> error <SQLSTATE> <message> | DETAIL: ..".
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
results=${1:-/dev/null}
out="$here/results"
CC=${CC:-cc}

mkdir -p "$out"
rm -f "$out"/plan.tsv "$out"/pg.sql "$out"/postgresql.out "$out"/sqlite.out \
	"$out"/postgresql.txt "$out"/sqlite.txt "$out"/compare.txt

fail_step() {
	echo "FAIL parity/$1" | tee -a "$results"
	shift
	[ $# -gt 0 ] && sed 's/^/  /' "$@"
	exit 1
}

# 1. the runner's helper program, and its own unit tests
if ! $CC -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -Wall -Wextra -Werror \
	-o "$out/parity" "$here/parity.c" -lsqlite3 2>"$out/build.log"; then
	fail_step build "$out/build.log"
fi
rc=0
"$out/parity" selftest >"$out/selftest.txt" 2>&1 || rc=1
grep -E '^(PASS|FAIL) ' "$out/selftest.txt" | tee -a "$results" | grep '^FAIL' || true
grep -vE '^(PASS|FAIL) ' "$out/selftest.txt" | sed 's/^/  /'

# 2. the case list, checked and turned into the plan both hosts run
if ! "$out/parity" parse "$here/cases.tsv" >"$out/plan.tsv" 2>"$out/parse.log"; then
	fail_step cases "$out/parse.log"
fi

# 3. SQLite (an incremental build, so the module matches the tree)
so="$root/sqlite_ext/build/viper.so"
if ! make -s -C "$root/sqlite_ext" ${EXTVERSION:+EXTVERSION="$EXTVERSION"} \
	>"$out/sqlite-build.log" 2>&1; then
	fail_step sqlite-build "$out/sqlite-build.log"
fi
if ! "$out/parity" sqlite "$so" "$out/plan.tsv" >"$out/sqlite.out" 2>"$out/sqlite.err"; then
	echo "  sqlite driver failed:"
	sed 's/^/    /' "$out/sqlite.err"
	rc=1
fi

# 4. PostgreSQL
if [ -z "${PGHOST:-}" ]; then
	# shellcheck source=../pg/cluster.sh
	. "$root/tests/pg/cluster.sh"
	viper_pg_start || fail_step pg-start
	trap viper_pg_stop EXIT
	if ! make -s -C "$root" install >"$out/pg-install.log" 2>&1; then
		fail_step pg-install "$out/pg-install.log"
	fi
fi
if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/psql" ]; then
	psql="$(pg_config --bindir)/psql"
else
	psql=psql
fi
"$out/parity" pgsql "$out/plan.tsv" >"$out/pg.sql" || fail_step pg-script
"$psql" -X -q -A -t -v ON_ERROR_STOP=0 -f "$out/pg.sql" \
	>"$out/postgresql.out" 2>"$out/postgresql.err"
if [ -s "$out/postgresql.err" ]; then
	# the helper catches every case's error: anything here is a setup problem
	echo "  psql reported:"
	head -n 20 "$out/postgresql.err" | sed 's/^/    /'
	rc=1
fi

# 5. compare
"$out/parity" compare "$out/plan.tsv" "$out/postgresql.out" "$out/sqlite.out" \
	"$out" >"$out/compare.txt" 2>"$out/compare.log" || rc=1
grep -E '^(PASS|FAIL) ' "$out/compare.txt" >>"$results"
grep -vE '^PASS ' "$out/compare.txt"
cat "$out/compare.log"
exit $rc
