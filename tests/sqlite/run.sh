#!/usr/bin/env bash
# tests/sqlite/run.sh — the SQLite counterpart of pg_regress.
#
# Usage: tests/sqlite/run.sh [results-file]
#
# Builds sqlite_ext/build/viper.so, then runs every tests/sqlite/<name>.sql
# through the real sqlite3 CLI on a fresh in-memory database with the
# extension loaded, statement echo on and NULL shown as <NULL>. stdout and
# stderr are both line-buffered (stdbuf) into one stream, so an error
# message always follows the statement that caused it. The output goes to
# tests/sqlite/results/<name>.out and is compared with
# tests/sqlite/expected/<name>.out; a diff is printed on mismatch.
#
# Placeholders in a .sql file, replaced before the run and put back in the
# output (so expected files do not depend on where the tree lives):
#   @VIPER_EXT@   absolute path of sqlite_ext/build/viper (for .load)
#   @TESTDIR@     a scratch directory, emptied for each file (for .open)
#   @ROOT@        the repository root (readfile() of examples/ files)
# "Parse error near line N:" becomes "Parse error:" (same for Runtime) so
# adding a statement does not change every later line of the expected file.
#
# Appends "PASS sqlite/<name>" or "FAIL sqlite/<name>" per file (and one
# sqlite/version case: viper_version() equals the Makefile's EXTVERSION) to
# results-file; exits non-zero when anything failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
results=${1:-/dev/null}
SQLITE3=${SQLITE3:-sqlite3}
ext="$root/sqlite_ext/build/viper"

if ! command -v "$SQLITE3" > /dev/null; then
  echo "sqlite3 CLI not found" >&2
  echo "FAIL sqlite/build" >> "$results"
  exit 1
fi
if ! make -s -C "$root/sqlite_ext"; then
  echo "FAIL sqlite/build" >> "$results"
  exit 1
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$here/results"

# Escape a literal for the pattern / the replacement of a sed s### command.
sed_re() { printf '%s' "$1" | sed -e 's/[]#\\/.*^$[]/\\&/g'; }
sed_repl() { printf '%s' "$1" | sed -e 's/[#\\&]/\\&/g'; }
ext_re=$(sed_re "$ext")
ext_repl=$(sed_repl "$ext")
dir_re=$(sed_re "$scratch/db")
dir_repl=$(sed_repl "$scratch/db")
root_re=$(sed_re "$root")
root_repl=$(sed_repl "$root")

rc=0
pass=0
fail=0
for sql in "$here"/*.sql; do
  [ -e "$sql" ] || continue
  name=$(basename "$sql" .sql)
  out="$here/results/$name.out"
  expected="$here/expected/$name.out"
  rm -rf "$scratch/db"
  mkdir -p "$scratch/db"
  sed -e "s#@VIPER_EXT@#$ext_repl#g" -e "s#@TESTDIR@#$dir_repl#g" \
      -e "s#@ROOT@#$root_repl#g" "$sql" \
    > "$scratch/input.sql"
  ( cd "$scratch/db" &&
    stdbuf -oL -eL "$SQLITE3" -batch \
      -cmd ".load '$ext'" -cmd ".nullvalue <NULL>" -cmd ".echo on" \
      :memory: < "$scratch/input.sql" 2>&1 ) \
    | sed -e "s#$ext_re#@VIPER_EXT@#g" -e "s#$dir_re#@TESTDIR@#g" \
          -e "s#$root_re#@ROOT@#g" \
          -e 's/^\(Parse\|Runtime\) error near line [0-9]*: /\1 error: /' \
    > "$out"
  if [ -f "$expected" ] && diff -u "$expected" "$out" > "$scratch/diff"; then
    echo "PASS sqlite/$name" >> "$results"
    echo "ok   sqlite/$name"
    pass=$((pass + 1))
  else
    echo "FAIL sqlite/$name" >> "$results"
    echo "FAIL sqlite/$name"
    if [ -f "$expected" ]; then
      sed 's/^/    /' "$scratch/diff"
    else
      echo "    missing $expected (output is in $out)"
    fi
    fail=$((fail + 1))
    rc=1
  fi
done

# Scenarios the CLI transcript cannot express (several processes at once)
# are shell scripts tests/sqlite/t_<name>.sh, run with SQLITE3 and
# VIPER_EXT exported and a scratch directory as argument; exit 0 = pass.
export SQLITE3 VIPER_EXT="$ext"
for t in "$here"/t_*.sh; do
  [ -e "$t" ] || continue
  name=$(basename "$t" .sh)
  name=${name#t_}
  rm -rf "$scratch/script"
  mkdir -p "$scratch/script"
  if bash "$t" "$scratch/script" > "$scratch/script.log" 2>&1; then
    echo "PASS sqlite/$name" >> "$results"
    echo "ok   sqlite/$name"
    pass=$((pass + 1))
  else
    echo "FAIL sqlite/$name" >> "$results"
    echo "FAIL sqlite/$name"
    sed 's/^/    /' "$scratch/script.log"
    fail=$((fail + 1))
    rc=1
  fi
done

# The version compiled in must be the Makefile's EXTVERSION.
want=$(sed -n 's/^EXTVERSION[[:space:]]*=[[:space:]]*//p' "$root/Makefile")
got=$("$SQLITE3" -batch -cmd ".load '$ext'" :memory: "SELECT viper_version();" 2>&1)
if [ -n "$want" ] && [ "$got" = "$want" ]; then
  echo "PASS sqlite/version" >> "$results"
  echo "ok   sqlite/version"
  pass=$((pass + 1))
else
  echo "FAIL sqlite/version" >> "$results"
  echo "FAIL sqlite/version: viper_version() is '$got', Makefile says '$want'"
  fail=$((fail + 1))
  rc=1
fi

echo "sqlite: $pass passed, $fail failed"
exit $rc
