#!/usr/bin/env bash
# tests/docs/run.sh — run the example sessions shown in the documentation and
# fail when what a page shows differs from what the databases really print.
#
# Usage: tests/docs/run.sh [results-file [page.md ...]]
#   pages default to README.md and docs/*.md. Appends one
#   "PASS docs/<page>:<line>:<host>" or "FAIL ..." line per session block to
#   results-file; exits 1 when any block fails.
#
# Block format (docs/testing.md describes it for writers):
#   ```sqlite-session      input lines start with "sqlite> " (continuation
#                          "   ...> "); every other line is expected output.
#                          Each block runs in the real sqlite3 CLI on a fresh
#                          database file with sqlite_ext/build/viper loaded
#                          (unless the block has its own .load line).
#   ```psql-session        input lines start with "=> " (continuation "-> ").
#                          Each block runs in psql -X -q -A -t with
#                          VERBOSITY verbose in a fresh database of the
#                          cluster named by PGHOST/PGPORT/PGUSER, where
#                          CREATE EXTENSION viper has been run (unless the
#                          block does it itself). LOCATION lines (source
#                          file and line of the server) are dropped.
# Errors are compared as an interactive user sees them: sqlite3's
# "Runtime error near line 3:" becomes "Runtime error:", psql's
# "psql:<file>:3: " prefix is removed. Trailing blanks and trailing empty
# lines are ignored. A psql block without PGHOST set FAILS: never a silent
# pass.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
results=${1:-/dev/null}
shift || true
cd "$root"
if (($# > 0)); then
	pages=("$@")
else
	pages=(README.md docs/*.md)
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/viper-docs.XXXXXX")
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT

sqlite_ext=$root/sqlite_ext/build/viper.so
rc=0
nblocks=0

# Split one page into blocks: $tmp/b/<n>.meta ("page line host"),
# <n>.in (input lines, prompts removed) and <n>.exp (expected output).
extract()
{
	awk -v page="$1" -v dir="$tmp/b" -v start="$2" '
	# fence: length of the backtick run that opened the current code
	# block (0 outside one); only a block opened by exactly ``` with a
	# session info string is a session, so a ```` fence can show one.
	BEGIN { n = start; fence = 0; session = 0 }
	{
		if (match($0, /^`+/)) {
			ticks = RLENGTH; info = substr($0, ticks + 1)
			if (fence == 0 && ticks >= 3) {
				fence = ticks
				if (ticks == 3 && (info == "sqlite-session" || info == "psql-session")) {
					session = 1; n++; line = NR; host = info; sub(/-session$/, "", host)
					printf "" > (dir "/" n ".in"); printf "" > (dir "/" n ".exp")
					print page, line, host > (dir "/" n ".meta"); close(dir "/" n ".meta")
				}
				next
			}
			if (fence > 0 && ticks >= fence && info ~ /^[ \t]*$/) {
				if (session) { close(dir "/" n ".in"); close(dir "/" n ".exp") }
				fence = 0; session = 0
				next
			}
		}
		if (!session) next
		if (host == "sqlite") {
			if ($0 ~ /^sqlite>( |$)/ || $0 ~ /^   \.\.\.>( |$)/) { print substr($0, 9) > (dir "/" n ".in"); next }
		} else {
			if ($0 ~ /^=>( |$)/ || $0 ~ /^->( |$)/) { print substr($0, 4) > (dir "/" n ".in"); next }
		}
		print > (dir "/" n ".exp")
	}
	END {
		if (fence > 0) { print "unterminated code block in " page > "/dev/stderr"; exit 1 }
		print n > (dir "/count")
	}' "$1"
}

# Normalise an output stream for comparison.
normalise()
{
	sed -E -e 's/[[:space:]]+$//' \
		-e 's/^(Parse|Runtime) error near line [0-9]+:/\1 error:/' \
		-e 's/^Error: near line [0-9]+:/Error:/' \
		-e 's/^psql:[^:]*:[0-9]+: //' |
		grep -v '^LOCATION:  ' |
		sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

run_sqlite()
{
	local n=$1 db=$tmp/db.sqlite script=$tmp/script.sql
	if [[ ! -f $sqlite_ext ]]; then
		echo "no $sqlite_ext: build it with 'make sqlite'"
		return 1
	fi
	rm -f "$db"
	: > "$script"
	grep -q '^\.load' "$tmp/b/$n.in" || echo ".load sqlite_ext/build/viper" >> "$script"
	cat "$tmp/b/$n.in" >> "$script"
	# line-buffered stdout keeps results and error messages in order
	stdbuf -oL -eL sqlite3 -batch "$db" < "$script" > "$tmp/out.raw" 2>&1
	rm -f "$db"
	return 0
}

run_psql()
{
	local n=$1 dbname="viper_docs_$$_$1" script=$tmp/script.sql
	if [[ -z ${PGHOST:-} ]]; then
		echo "PGHOST is not set: psql sessions need a running cluster (make check starts one)"
		return 1
	fi
	if ! command -v psql >/dev/null 2>&1; then
		echo "psql not found"
		return 1
	fi
	if ! psql -X -q -d "${PGDATABASE:-postgres}" -v ON_ERROR_STOP=1 \
		-c "CREATE DATABASE $dbname" > "$tmp/setup.log" 2>&1; then
		cat "$tmp/setup.log"
		return 1
	fi
	if ! grep -qi '^create extension' "$tmp/b/$n.in" &&
		! psql -X -q -d "$dbname" -v ON_ERROR_STOP=1 \
			-c "CREATE EXTENSION viper" > "$tmp/setup.log" 2>&1; then
		cat "$tmp/setup.log"
		echo "(is the extension installed? make install)"
		psql -X -q -d "${PGDATABASE:-postgres}" -c "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" >/dev/null 2>&1
		return 1
	fi
	{
		echo '\set VERBOSITY verbose'
		cat "$tmp/b/$n.in"
	} > "$script"
	stdbuf -oL -eL psql -X -q -A -t -d "$dbname" -f "$script" > "$tmp/out.raw" 2>&1
	psql -X -q -d "${PGDATABASE:-postgres}" \
		-c "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" >/dev/null 2>&1 ||
		echo "warning: could not drop database $dbname" >&2
	return 0
}

mkdir -p "$tmp/b"
for page in "${pages[@]}"; do
	[[ -f $page ]] || { echo "FAIL docs/$page:missing" >> "$results"; echo "missing page $page"; rc=1; continue; }
	if ! extract "$page" "$nblocks"; then
		echo "FAIL docs/$page:syntax" >> "$results"
		rc=1
		continue
	fi
	nblocks=$(cat "$tmp/b/count")
done

for ((n = 1; n <= nblocks; n++)); do
	read -r page line host < "$tmp/b/$n.meta"
	case $page in
		docs/*) name="docs/${page#docs/}:$line:$host" ;;
		*) name="docs/$(basename "$page"):$line:$host" ;;
	esac
	: > "$tmp/out.raw"
	if [[ $host == sqlite ]]; then
		run_sqlite "$n" > "$tmp/why" 2>&1
	else
		run_psql "$n" > "$tmp/why" 2>&1
	fi
	ok=$?
	if ((ok == 0)); then
		normalise < "$tmp/out.raw" > "$tmp/actual"
		normalise < "$tmp/b/$n.exp" > "$tmp/expected"
		if diff -u --label "shown in $page:$line" --label "actual output" \
			"$tmp/expected" "$tmp/actual" > "$tmp/why"; then
			echo "PASS $name" >> "$results"
			echo "ok    $name"
			continue
		fi
	fi
	echo "FAIL $name" >> "$results"
	echo "FAIL  $name"
	sed 's/^/      /' "$tmp/why"
	rc=1
done

if ((nblocks == 0)); then
	echo "no session blocks found in ${pages[*]}"
	echo "FAIL docs/no-blocks" >> "$results"
	rc=1
fi
exit $rc
