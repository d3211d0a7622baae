#!/usr/bin/env bash
# tests/sqlite/t_get_or_create_race.sh — several sqlite3 processes on one
# database file, released at the same instant, call viper_get_or_create and
# viper_update_or_create with the same lookups (DESIGN §6: "safe under
# concurrency"). Passes when every process exits cleanly, each lookup ends
# with exactly one row, and exactly one process reports created = true
# per lookup.
#
# Models: race.Loose has NO unique constraint on the lookup (the write
# lock taken by BEGIN IMMEDIATE before the lookup must serialise the
# racers by itself); race.Strict has one. Rounds:
#   1. get_or_create in autocommit (the function's own BEGIN IMMEDIATE);
#   2. get_or_create inside the caller's BEGIN IMMEDIATE ... COMMIT;
#   3. update_or_create in autocommit: one creates, the others update.
# Runs with the rollback journal and in WAL mode.
#
# Usage: t_get_or_create_race.sh <scratch-dir>   (tests/sqlite/run.sh
# passes one; SQLITE3 and VIPER_EXT come from the environment it exports).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=${1:?usage: t_get_or_create_race.sh scratch-dir}
SQLITE3=${SQLITE3:-sqlite3}
ext=${VIPER_EXT:-$root/sqlite_ext/build/viper}
workers=8
keys=10
fail=0

say() { echo "t_get_or_create_race: $*"; }
bad() { echo "t_get_or_create_race: FAIL: $*"; fail=1; }
sq() { "$SQLITE3" -batch -cmd ".timeout 20000" -cmd ".load '$ext'" "$@"; }

# permissions off: this test is about the race, not the grants
models='[{"app": "race", "name": "Loose", "meta": {"permissions": false}, "fields": [
	{"name": "key", "type": "CharField", "max_length": 20},
	{"name": "worker", "type": "IntegerField", "default": 0}]},
	{"app": "race", "name": "Strict", "meta": {"permissions": false}, "fields": [
	{"name": "key", "type": "CharField", "max_length": 20, "unique": true},
	{"name": "worker", "type": "IntegerField", "default": 0}]}]'

# worker_script <round> <model> <worker>: one line "key|created" per key
worker_script()
{
	local round=$1 model=$2 w=$3 k
	for ((k = 1; k <= keys; k++)); do
		case $round in
		1) echo "SELECT 'k$k', json_extract(viper_get_or_create('$model', '{\"key\": \"r1-k$k\"}', '{\"worker\": $w}'), '\$.created');" ;;
		2) echo "BEGIN IMMEDIATE;"
		   echo "SELECT 'k$k', json_extract(viper_get_or_create('$model', '{\"key\": \"r2-k$k\"}', '{\"worker\": $w}'), '\$.created');"
		   echo "COMMIT;" ;;
		3) echo "SELECT 'k$k', json_extract(viper_update_or_create('$model', '{\"key\": \"r3-k$k\"}', '{\"worker\": $w}'), '\$.created');" ;;
		esac
	done
}

run_round()
{
	local mode=$1 round=$2 model=$3 db=$4 w pids=() go=$dir/go.$mode.$round.$model
	local table
	table=$(echo "race_${model#race.}" | tr 'A-Z' 'a-z')

	for ((w = 1; w <= workers; w++)); do
		worker_script "$round" "$model" "$w" > "$dir/w$w.sql"
		(
			# the barrier: every worker waits for the go file
			while [ ! -e "$go" ]; do sleep 0.01; done
			sq "$db" < "$dir/w$w.sql" > "$dir/w$w.out" 2> "$dir/w$w.err"
			echo $? > "$dir/w$w.rc"
		) &
		pids+=($!)
	done
	sleep 0.3
	touch "$go"
	for p in "${pids[@]}"; do
		wait "$p"
	done

	for ((w = 1; w <= workers; w++)); do
		if [ "$(cat "$dir/w$w.rc")" != 0 ] || [ -s "$dir/w$w.err" ]; then
			bad "$mode round $round $model: worker $w failed: $(head -c 300 "$dir/w$w.err")"
		fi
	done
	# one created=1 per key, over all workers
	local created
	created=$(cat "$dir"/w*.out | awk -F'|' '$2 == 1 { n[$1]++ } END { for (k in n) print k, n[k] }' | sort)
	local want
	want=$(for ((k = 1; k <= keys; k++)); do echo "k$k 1"; done | sort)
	if [ "$created" != "$want" ]; then
		bad "$mode round $round $model: created = true per key: $(echo $created)"
	fi
	local rows
	rows=$(sq "$db" "SELECT count(*), count(DISTINCT key) FROM $table WHERE key LIKE 'r$round-%'")
	if [ "$rows" != "$keys|$keys" ]; then
		bad "$mode round $round $model: rows|distinct keys = $rows, want $keys|$keys"
	fi
	local answered
	answered=$(cat "$dir"/w*.out | wc -l)
	if [ "$answered" != $((workers * keys)) ]; then
		bad "$mode round $round $model: $answered answers, want $((workers * keys))"
	fi
	rm -f "$dir"/w*.out "$dir"/w*.err "$dir"/w*.rc "$dir"/w*.sql
}

for mode in delete wal; do
	db=$dir/race-$mode.db
	rm -f "$db" "$db-wal" "$db-shm"
	out=$(sq "$db" "PRAGMA journal_mode = $mode;" \
		"SELECT json_array_length(viper_migrate('$models'));" 2>&1)
	if [ "$out" != "$mode
2" ]; then
		bad "$mode: setup failed: $out"
		continue
	fi
	for model in race.Loose race.Strict; do
		for round in 1 2 3; do
			run_round "$mode" "$round" "$model" "$db"
		done
	done
	say "$mode: $(sq "$db" "SELECT count(*) FROM race_loose") loose rows, $(sq "$db" "SELECT count(*) FROM race_strict") strict rows"
done

[ $fail = 0 ] && say "ok ($workers processes, $keys lookups per round)"
exit $fail
