#!/usr/bin/env bash
# tests/pg/t_get_or_create_race.sh — many psql sessions, released at the
# same instant, call viper.get_or_create and then viper.update_or_create
# with the same lookup (DESIGN §6: "safe under concurrency"). Passes when
# every session exits cleanly, each lookup ends with exactly one row, and
# exactly one session reports created = true per round.
#
# Rounds, each on a model WITHOUT a unique constraint on the lookup (the
# advisory lock alone must serialise) and on one WITH it:
#   1. get_or_create in autocommit;
#   2. get_or_create inside BEGIN ... pg_sleep ... COMMIT, so the winner
#      holds its transaction open while the others wait and must then see
#      its committed row;
#   3. update_or_create inside a transaction: one creates, the others
#      update the same row (the final value is one of the workers').
#
# The barrier, as in t_concurrency.sh: a controller session holds
# pg_advisory_lock(42); each worker asks for pg_advisory_lock_shared(42)
# and waits; once all wait (seen in pg_locks) the controller unlocks.
# Runs in a database of its own against PGHOST/PGPORT (tests/pg/run.sh).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
workers=8
db=viper_goc_race
tmp=$(mktemp -d "${TMPDIR:-/tmp}/viper-goc.XXXXXX")
chmod 755 "$tmp"
fail=0
ctl_pid=
pids=()

say() { echo "t_get_or_create_race: $*"; }
bad() { echo "t_get_or_create_race: FAIL: $*"; fail=1; }
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }

cleanup() {
	exec 3>&- 2>/dev/null
	for p in ${ctl_pid:+"$ctl_pid"} ${pids[@]+"${pids[@]}"}; do
		kill "$p" 2>/dev/null
	done
	q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ -z "${PGHOST:-}" ] || [ -z "${PGPORT:-}" ]; then
	echo "t_get_or_create_race: PGHOST/PGPORT are not set (run it through tests/pg/run.sh)"
	exit 1
fi

PGOPTIONS="-c client_min_messages=warning" \
	q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null &&
	q -d postgres -c "CREATE DATABASE $db" >/dev/null &&
	q -d "$db" -c "SET client_min_messages = warning; CREATE EXTENSION viper;" >/dev/null &&
	q -d "$db" -c "SELECT count(*) FROM viper.migrate('[
		{\"app\": \"race\", \"name\": \"Loose\", \"fields\": [
			{\"name\": \"key\", \"type\": \"CharField\", \"max_length\": 20},
			{\"name\": \"worker\", \"type\": \"IntegerField\", \"default\": 0}]},
		{\"app\": \"race\", \"name\": \"Strict\", \"fields\": [
			{\"name\": \"key\", \"type\": \"CharField\", \"max_length\": 20, \"unique\": true},
			{\"name\": \"worker\", \"type\": \"IntegerField\", \"default\": 0}]}
	]')" >/dev/null &&
	q -d "$db" -c "SELECT count(viper.grant(label, 'all', '*')) FROM viper.models" >/dev/null ||
	{ bad "could not set up database $db"; exit 1; }

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

# race NAME: run $tmp/NAME.<i>.sql in every worker at once; outputs in
# $tmp/NAME.<i>.out
race() {
	local name=$1 i
	pids=()
	mkfifo "$tmp/ctl.$name"
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" < "$tmp/ctl.$name" > "$tmp/ctl.$name.out" 2>&1 &
	ctl_pid=$!
	exec 3> "$tmp/ctl.$name"
	echo "SELECT pg_advisory_lock(42);" >&3
	lockwait "granted AND mode = 'ExclusiveLock'" 1 || { bad "$name: the controller did not get the barrier lock"; return 1; }
	for i in $(seq 1 $workers); do
		psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" \
			-f "$tmp/$name.$i.sql" > "$tmp/$name.$i.out" 2>&1 &
		pids+=($!)
	done
	lockwait "NOT granted" "$workers" || bad "$name: not every worker reached the barrier"
	echo "SELECT pg_advisory_unlock(42);" >&3
	exec 3>&-
	wait "$ctl_pid"
	ctl_pid=
	for i in $(seq 1 $workers); do
		if ! wait "${pids[$((i - 1))]}"; then
			bad "$name: worker $i exited non-zero:
$(cat "$tmp/$name.$i.out")"
		elif grep -qE 'ERROR|WARNING|FATAL' "$tmp/$name.$i.out"; then
			bad "$name: worker $i printed an error or warning:
$(cat "$tmp/$name.$i.out")"
		fi
	done
	pids=()
}

# check NAME MODEL KEY: one row for KEY, one "created" line among workers
check() {
	local name=$1 model=$2 key=$3 table rows created
	table="race_$(echo "$model" | tr 'A-Z' 'a-z')"
	rows=$(q -d "$db" -c "SELECT count(*) FROM $table WHERE key = '$key'")
	[ "$rows" = "1" ] || bad "$name: $rows $model rows for key $key, want 1"
	created=$(cat "$tmp"/"$name".*.out | grep -c '^created=true$')
	[ "$created" = "1" ] || bad "$name: $created sessions reported created = true, want 1"
	notcreated=$(cat "$tmp"/"$name".*.out | grep -c '^created=false$')
	[ "$notcreated" = "$((workers - 1))" ] ||
		bad "$name: $notcreated sessions reported created = false, want $((workers - 1))"
}

barrier='SELECT pg_advisory_lock_shared(42) IS NULL AS waited \g /dev/null
SELECT pg_advisory_unlock_shared(42) \g /dev/null'

for model in Loose Strict; do
	# 1. autocommit
	for i in $(seq 1 $workers); do
		cat > "$tmp/auto$model.$i.sql" <<EOF
$barrier
SELECT 'created=' || created FROM viper.get_or_create('race.$model', '{"key": "auto"}', '{"worker": $i}');
EOF
	done
	race "auto$model"
	check "auto$model" "$model" auto

	# 2. the winner keeps its transaction open for a moment
	for i in $(seq 1 $workers); do
		cat > "$tmp/txn$model.$i.sql" <<EOF
$barrier
BEGIN;
SELECT 'created=' || created FROM viper.get_or_create('race.$model', '{"key": "txn"}', '{"worker": $i}');
SELECT pg_sleep(0.05) \g /dev/null
COMMIT;
EOF
	done
	race "txn$model"
	check "txn$model" "$model" txn

	# 3. update_or_create: one insert, the others update that row
	for i in $(seq 1 $workers); do
		cat > "$tmp/upd$model.$i.sql" <<EOF
$barrier
BEGIN;
SELECT 'created=' || created FROM viper.update_or_create('race.$model', '{"key": "upd"}', '{"worker": $i}');
SELECT pg_sleep(0.02) \g /dev/null
COMMIT;
EOF
	done
	race "upd$model"
	check "upd$model" "$model" upd
	w=$(q -d "$db" -c "SELECT worker FROM race_$(echo "$model" | tr 'A-Z' 'a-z') WHERE key = 'upd'")
	case " $(seq -s ' ' 1 $workers) " in
		*" $w "*) ;;
		*) bad "upd$model: the row holds worker '$w', not one of the workers" ;;
	esac
done

[ $fail -eq 0 ] && say "$workers sessions per round: one row and one created = true each time"
exit $fail
