# tests/diff/lib.sh — shared pieces of the differential test (issue 4),
# sourced by tests/pg/t_differential.sh, tests/sqlite/t_differential.sh and
# tests/diff/crosscheck.sh.
#
#   diff_build_gen DIR    compile tests/diff/gen.c into DIR/gen and check
#                         that it is deterministic (two runs, same bytes)
#   diff_pg_schemas       the blog example as one JSON array (for psql -v)
#   diff_sqlite_schemas   the same as an SQLite expression over readfile()
#   diff_compare HOST DIR run compare.awk over DIR/out.txt with DIR/specs.tsv
diff_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
diff_root=$(cd "$diff_here/../.." && pwd)

diff_build_gen() {
	local dir=$1 d
	"${CC:-cc}" -std=c11 -O2 -Wall -Wextra -Werror -o "$dir/gen" "$diff_here/gen.c" || {
		echo "FAIL: tests/diff/gen.c does not compile"
		return 1
	}
	for d in pg sqlite; do
		"$dir/gen" specs "$d" > "$dir/det1" && "$dir/gen" specs "$d" > "$dir/det2" &&
			"$dir/gen" seed "$d" >> "$dir/det1" && "$dir/gen" seed "$d" >> "$dir/det2" || {
			echo "FAIL: gen failed"
			return 1
		}
		if ! cmp -s "$dir/det1" "$dir/det2"; then
			echo "FAIL: gen is not deterministic ($d)"
			return 1
		fi
	done
	rm -f "$dir/det1" "$dir/det2"
	return 0
}

diff_pg_schemas() {
	local f sep="" out="["
	for f in "$diff_root"/examples/blog/schemas/*.json; do
		out+="$sep$(cat "$f")"
		sep=","
	done
	printf '%s]' "$out"
}

diff_sqlite_schemas() {
	local f sep="" out="'[' || "
	for f in "$diff_root"/examples/blog/schemas/*.json; do
		out+="$sep readfile('$f')"
		sep=" || ',' || "
	done
	printf "%s || ']'" "$out"
}

diff_compare() {
	awk -v host="$1" -v specs="$2/specs.tsv" -f "$diff_here/compare.awk" "$2/out.txt"
}
