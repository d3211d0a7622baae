#!/usr/bin/env bash
# tests/run-all.sh — the body of `make check`: install dependencies, build
# everything, then run every suite into one results file and print a tally.
#
# Each suite script takes the results file as its argument and appends
# "PASS <suite>/<name>" / "FAIL <suite>/<name>" lines; a failing suite does
# not stop the others. One throwaway PostgreSQL cluster serves the pg,
# parity and docs suites; it is stopped and removed on every exit path
# (success, failure, Ctrl-C). The last line printed is exactly
# "N passed, M failed"; the exit status is 1 when M > 0 or N == 0.
#
# Runs as root (CI) or as a user with password-less sudo (install-deps and
# the pg suite's `make install` need it).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# Always build and test against PostgreSQL 15, whatever else is installed:
# its bin directory first on PATH makes pg_config, initdb, pg_ctl and psql
# all PostgreSQL 15's (Debian's /usr/bin/pg_config follows the newest
# server-dev package instead).
pg15bin=/usr/lib/postgresql/15/bin
export PATH=$pg15bin:$PATH
export PG_CONFIG=${PG_CONFIG:-$pg15bin/pg_config}

mkdir -p build
results=$root/build/check-results.txt
: > "$results"

header()
{
	printf '\n==== %s ====\n' "$*"
}

# record STATUS NAME — a harness step's own verdict
record()
{
	echo "$1 $2" >> "$results"
}

# run_suite SUITE SCRIPT — run one suite script, appending to $results. A
# script that fails without writing a FAIL line (a crash, a missing tool)
# still counts once, and so does one that ran no case at all.
run_suite()
{
	local suite=$1 script=$2 before rc=0 new npass nfail
	header "$suite ($script)"
	if [[ ! -f $script ]]; then
		echo "missing suite script $script"
		record FAIL "$suite/script"
		return
	fi
	before=$(wc -l < "$results")
	bash "$script" "$results" || rc=$?
	new=$(tail -n +"$((before + 1))" "$results")
	npass=$(grep -c '^PASS ' <<< "$new" || true)
	nfail=$(grep -c '^FAIL ' <<< "$new" || true)
	if ((rc != 0 && nfail == 0)); then
		echo "$script exited with status $rc without reporting a failed case"
		record FAIL "$suite/script"
		nfail=1
	elif ((npass + nfail == 0)); then
		echo "$script reported no test case"
		record FAIL "$suite/script"
		nfail=1
	fi
	echo "-- $suite: $npass passed, $nfail failed (exit status $rc)"
}

cluster_up=
stop_cluster()
{
	if [[ -n $cluster_up ]]; then
		cluster_up=
		viper_pg_stop || echo "warning: viper_pg_stop failed" >&2
	fi
}
trap stop_cluster EXIT
trap 'stop_cluster; exit 130' INT
trap 'stop_cluster; exit 143' TERM

header "dependencies (scripts/install-deps)"
if ! bash scripts/install-deps; then
	# Nothing can build without them; report and stop here.
	record FAIL harness/install-deps
	echo
	echo "failed: harness/install-deps"
	echo "0 passed, 1 failed"
	exit 1
fi

header "build (make)"
if make; then record PASS build/make; else record FAIL build/make; fi

header "core compiles alone (make check-core)"
if make check-core; then record PASS build/check-core; else record FAIL build/check-core; fi

run_suite core tests/core/run.sh

header "throwaway PostgreSQL cluster (tests/pg/cluster.sh)"
# Whatever PG* variables the caller had must not point the suites at some
# other server (such as Debian's own `main` cluster on 5432).
unset PGHOST PGPORT PGUSER PGDATABASE PGHOSTADDR PGSERVICE
if [[ -f tests/pg/cluster.sh ]] && source tests/pg/cluster.sh; then
	# set before starting: a half-started cluster is removed too
	cluster_up=1
	if viper_pg_start; then
		echo "cluster up: PGHOST=${PGHOST:-} PGPORT=${PGPORT:-} PGUSER=${PGUSER:-} PGDATABASE=${PGDATABASE:-}"
	else
		echo "could not start the throwaway cluster"
		record FAIL pg/cluster
		stop_cluster
		unset PGHOST PGPORT PGUSER PGDATABASE
	fi
else
	echo "tests/pg/cluster.sh is missing or failed to load"
	record FAIL pg/cluster
fi

run_suite pg tests/pg/run.sh
run_suite sqlite tests/sqlite/run.sh
run_suite parity tests/parity/run.sh
run_suite docs tests/docs/run.sh

if [[ -n $cluster_up ]]; then
	header "stopping the throwaway cluster"
	stop_cluster
fi

passed=$(grep -c '^PASS ' "$results" || true)
failed=$(grep -c '^FAIL ' "$results" || true)
echo
if ((failed > 0)); then
	echo "failed cases:"
	grep '^FAIL ' "$results" | sed 's/^FAIL /  /'
fi
echo "results: $results"
echo "$passed passed, $failed failed"
if ((failed > 0 || passed == 0)); then
	exit 1
fi
exit 0
