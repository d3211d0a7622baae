#!/usr/bin/env bash
# tests/pg/run.sh — install the PostgreSQL extension and run its pg_regress
# suite (sql/*.sql against expected/*.out) with `make installcheck`.
#
# Usage: tests/pg/run.sh [results-file]
# Appends "PASS pg/<test>" or "FAIL pg/<test>" per test to results-file
# (pg_regress files, then every tests/pg/t_*.sh scenario script),
# prints regression.diffs on failure and exits non-zero on any failure.
# Uses the server named by PGHOST/PGPORT when both are set, otherwise a
# throwaway cluster (tests/pg/cluster.sh) that is removed on exit.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
results=${1:-/dev/null}
log=$(mktemp)

. "$here/cluster.sh"
cleanup() {
	rm -f "$log" "$log.parsed"
	if [ -n "${own_cluster:-}" ]; then
		viper_pg_stop
	fi
}
trap cleanup EXIT
trap "exit 130" INT TERM

fail_all() {
	echo "FAIL pg/$1" >> "$results"
	exit 1
}

pg_config_path=$(command -v "${PG_CONFIG:-pg_config}") || {
	echo "tests/pg/run.sh: pg_config not found (install postgresql-server-dev)" >&2
	fail_all setup
}
export PG_CONFIG=$pg_config_path

# make install writes into the server's lib and share directories
cd "$root" || fail_all setup
if [ "$(id -u)" -eq 0 ]; then
	make -s install PG_CONFIG="$pg_config_path" >"$log" 2>&1
	irc=$?
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	make -s all PG_CONFIG="$pg_config_path" >"$log" 2>&1 &&
		sudo -n make -s install PG_CONFIG="$pg_config_path" >>"$log" 2>&1
	irc=$?
else
	echo "tests/pg/run.sh: 'make install' needs root: run as root or allow" \
		"password-less sudo (sudo -n)" >&2
	fail_all install
fi
if [ $irc -ne 0 ]; then
	cat "$log" >&2
	echo "tests/pg/run.sh: make install failed" >&2
	fail_all install
fi

if [ -z "${PGHOST:-}" ] || [ -z "${PGPORT:-}" ]; then
	viper_pg_start || fail_all cluster
	own_cluster=1
fi

rm -f regression.diffs regression.out
make installcheck PG_CONFIG="$pg_config_path" >"$log" 2>&1
rc=$?
cat "$log"

# PG 15: "test name ... ok 12 ms" / "... FAILED" (also "     name ... ok" in
# parallel groups); PG 16+: TAP "ok 1 - name 12 ms" / "not ok 2 - name".
awk '
	/^(test |     )?[A-Za-z0-9_]+ +\.\.\. +(ok|FAILED|failed)/ {
		name = ($1 == "test") ? $2 : $1
		verdict = ($0 ~ /\.\.\. +ok/) ? "PASS" : "FAIL"
		if ($0 ~ /\(test process exited with exit code/) verdict = "FAIL"
		print verdict " pg/" name
		next
	}
	/^(not )?ok [0-9]+ +[-+] +[A-Za-z0-9_]+/ {
		verdict = ($1 == "not") ? "FAIL" : "PASS"
		for (i = 1; i <= NF; i++) if ($i == "-" || $i == "+") { name = $(i + 1); break }
		print verdict " pg/" name
	}
' "$log" > "$log.parsed"
n=$(wc -l < "$log.parsed")
cat "$log.parsed" >> "$results"
if [ "$n" -eq 0 ]; then
	echo "FAIL pg/installcheck" >> "$results"
	rc=1
fi
if grep -q '^FAIL ' "$log.parsed"; then
	rc=1
fi
rm -f "$log.parsed"

# Scenarios pg_regress cannot express (pg_dump comparisons, many concurrent
# sessions) are shell scripts tests/pg/t_<name>.sh: each runs against the
# same server (PGHOST/PGPORT/PGUSER exported) and is one case; exit 0 = pass.
for t in "$here"/t_*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	name=${name#t_}
	if bash "$t" >"$log" 2>&1; then
		echo "PASS pg/$name" >> "$results"
		echo "ok   pg/$name"
	else
		echo "FAIL pg/$name" >> "$results"
		echo "FAIL pg/$name"
		sed 's/^/    /' "$log"
		rc=1
	fi
done

if [ $rc -ne 0 ]; then
	if [ -f regression.diffs ]; then
		echo "==== regression.diffs ===="
		cat regression.diffs
	fi
	exit 1
fi
exit 0
