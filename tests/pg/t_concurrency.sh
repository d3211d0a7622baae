#!/usr/bin/env bash
# tests/pg/t_concurrency.sh — many psql sessions, released at the same
# instant, apply the same data patches and migrate the blog example schemas
# (DESIGN §4, issue acceptance 7). Passes when every session exits 0 with
# no ERROR or WARNING, each patch ran exactly once (one viper.patches row,
# one side-effect row, one audit row), the final schema equals the one a
# single session's migrate produces (pg_dump --schema-only), and
# viper.models holds the five blog models once.
#
# Runs against the server named by PGHOST/PGPORT/PGUSER (tests/pg/run.sh
# exports them) in databases of its own, created and dropped here, so
# pg_regress's database is left alone.
#
# The barrier: a controller session holds pg_advisory_lock(42); every
# worker first asks for pg_advisory_lock_shared(42) and so waits; once all
# of them wait (seen in pg_locks) the controller unlocks and they all start.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
workers=8
db=viper_concurrency
ref=viper_concurrency_ref
tmp=$(mktemp -d "${TMPDIR:-/tmp}/viper-conc.XXXXXX")
chmod 755 "$tmp"
fail=0
ctl_pid=
pids=()

say() { echo "t_concurrency: $*"; }
bad() { echo "t_concurrency: FAIL: $*"; fail=1; }
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }

cleanup() {
	exec 3>&- 2>/dev/null
	for p in ${ctl_pid:+"$ctl_pid"} ${pids[@]+"${pids[@]}"}; do
		kill "$p" 2>/dev/null
	done
	q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
	q -d postgres -c "DROP DATABASE IF EXISTS $ref WITH (FORCE)" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ -z "${PGHOST:-}" ] || [ -z "${PGPORT:-}" ]; then
	echo "t_concurrency: PGHOST/PGPORT are not set (run it through tests/pg/run.sh)"
	exit 1
fi

# The blog schemas as one JSON array (handed to psql as a variable).
schemas="["
sep=""
for f in "$root"/examples/blog/schemas/*.json; do
	schemas+="$sep$(cat "$f")"
	sep=","
done
schemas+="]"

for d in "$db" "$ref"; do
	PGOPTIONS="-c client_min_messages=warning" \
		q -d postgres -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null &&
		q -d postgres -c "CREATE DATABASE $d" >/dev/null &&
		q -d "$d" -c "SET client_min_messages = warning; CREATE EXTENSION viper;
		              CREATE TABLE public.side (patch text NOT NULL);" >/dev/null ||
		{ bad "could not set up database $d"; exit 1; }
done

# viper.migrate is part of the scenario as soon as the extension has it.
have_migrate=$(q -d "$db" -c "SELECT count(*) > 0 FROM pg_catalog.pg_proc
	WHERE proname = 'migrate' AND pronamespace = 'viper'::regnamespace")
[ "$have_migrate" = "t" ] || say "viper.migrate is not available yet: patches only"

# What each worker runs: wait at the barrier, then pre patches, migrate,
# post patches — the order of DESIGN §4. blog.0003_slow sleeps 0.3 s while
# holding its lock, so the others queue behind it.
{
	echo "SELECT pg_advisory_lock_shared(42);"
	echo "SELECT pg_advisory_unlock_shared(42) AS released;"
	echo "SELECT viper.apply_patch('blog.0001_pre_a', \$p\$INSERT INTO side VALUES ('blog.0001_pre_a');\$p\$, 'pre', 1);"
	echo "SELECT viper.apply_patch('blog.0002_pre_b', \$p\$INSERT INTO side VALUES ('blog.0002_pre_b');\$p\$, 'pre', 2);"
	if [ "$have_migrate" = "t" ]; then
		echo "SELECT count(*) >= 0 AS migrated FROM viper.migrate(:'schemas'::jsonb);"
	fi
	echo "SELECT viper.apply_patch('blog.0003_slow', \$p\$SELECT pg_sleep(0.3); INSERT INTO side VALUES ('blog.0003_slow');\$p\$, 'post', 1);"
	echo "SELECT viper.apply_patch('blog.0004_post_d', \$p\$INSERT INTO side VALUES ('blog.0004_post_d');\$p\$, 'post', 2);"
	echo "SELECT viper.apply_patch('blog.0005_post_e', \$p\$INSERT INTO side VALUES ('blog.0005_post_e');\$p\$, 'post', 3);"
} > "$tmp/worker.sql"

# the controller takes the barrier lock and keeps its session open
mkfifo "$tmp/ctl"
psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" < "$tmp/ctl" > "$tmp/ctl.out" 2>&1 &
ctl_pid=$!
exec 3> "$tmp/ctl"
echo "SELECT pg_advisory_lock(42);" >&3

lockwait() {	# wait until the count of advisory locks on 42 matching $1 is $2
	local i n
	for i in $(seq 1 300); do
		n=$(q -d "$db" -c "SELECT count(*) FROM pg_catalog.pg_locks
			WHERE locktype = 'advisory' AND classid = 0 AND objid = 42
			  AND objsubid = 1 AND database = (SELECT oid FROM pg_catalog.pg_database
			                                   WHERE datname = current_database())
			  AND $1")
		[ "$n" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
lockwait "granted AND mode = 'ExclusiveLock'" 1 || { bad "the controller did not get the barrier lock"; exit 1; }

for i in $(seq 1 $workers); do
	psql -X -q -A -t -v ON_ERROR_STOP=1 -v schemas="$schemas" -d "$db" \
		-f "$tmp/worker.sql" > "$tmp/w$i.out" 2>&1 &
	pids+=($!)
done
if ! lockwait "NOT granted" "$workers"; then
	bad "not every worker reached the barrier"
fi
# release: every worker starts now
echo "SELECT pg_advisory_unlock(42);" >&3
exec 3>&-
wait "$ctl_pid"
ctl_pid=

for i in $(seq 1 $workers); do
	if ! wait "${pids[$((i - 1))]}"; then
		bad "worker $i exited non-zero:
$(cat "$tmp/w$i.out")"
	elif grep -qE 'ERROR|WARNING|FATAL' "$tmp/w$i.out"; then
		bad "worker $i printed an error or warning:
$(cat "$tmp/w$i.out")"
	fi
done
pids=()

# each patch ran exactly once
got=$(q -d "$db" -c "SELECT p.name, (SELECT count(*) FROM side s WHERE s.patch = p.name),
		(SELECT count(*) FROM viper.audit_log a WHERE a.reason = 'patch ' || p.name)
	FROM viper.patches p ORDER BY CASE p.phase WHEN 'pre' THEN 0 ELSE 1 END, p.ord, p.name")
want="blog.0001_pre_a|1|1
blog.0002_pre_b|1|1
blog.0003_slow|1|1
blog.0004_post_d|1|1
blog.0005_post_e|1|1"
[ "$got" = "$want" ] || bad "patches: want
$want
got
$got"
n=$(q -d "$db" -c "SELECT count(*) FROM side")
[ "$n" = "5" ] || bad "side holds $n rows, want 5"
# and exactly one session ran each of them (reported true)
runs=$(cat "$tmp"/w*.out | grep -c '^t$')
want_runs=$((5 + workers))	# 5 patches + "released" per worker
[ "$have_migrate" = "t" ] && want_runs=$((want_runs + workers))
[ "$runs" = "$want_runs" ] || bad "sessions reported $runs true results, want $want_runs"

if [ "$have_migrate" = "t" ]; then
	# the same schema as one session's migrate
	# (psql interpolates :'schemas' in a script, not in -c)
	echo "SELECT count(*) FROM viper.migrate(:'schemas'::jsonb);" |
		q -d "$ref" -v schemas="$schemas" >/dev/null ||
		bad "the single-session migrate failed"
	dump() {
		pg_dump --schema-only --no-owner -d "$1" | grep -vE '^\\(un)?restrict '
	}
	if ! diff <(dump "$ref") <(dump "$db") > "$tmp/schema.diff"; then
		bad "the schema after the concurrent migrates differs from a single migrate:
$(head -50 "$tmp/schema.diff")"
	fi
	models=$(q -d "$db" -c "SELECT count(*), count(DISTINCT label) FROM viper.models WHERE app = 'blog'")
	[ "$models" = "5|5" ] || bad "viper.models holds $models blog models, want 5|5"
	again=$(echo "SELECT count(*) FROM viper.migrate(:'schemas'::jsonb);" |
		q -d "$db" -v schemas="$schemas")
	[ "$again" = "0" ] || bad "a further migrate returned $again rows, want 0"
fi

[ $fail -eq 0 ] && say "$workers sessions, each patch exactly once${have_migrate:+ (migrate: $have_migrate)}"
exit $fail
