#!/usr/bin/env bash
# examples/demo.sh — `make demo`: viper's main job on an embedded SQLite
# database, no server. Creates a temporary database file, loads
# sqlite_ext/build/viper.so into the real sqlite3 CLI and shows what this
# stage of viper does: version and live features, validation of identifiers
# and expressions (accepted and rejected, with SQLSTATEs), quoting for the
# five dialects, LIKE escaping, URL masking, the ReDoS check and the
# catalog tables the extension creates; then schema sync of the blog
# example (plan, migrate, a second migrate with nothing to do, refusals)
# and a data patch that runs exactly once.
#
# Every statement runs in its own sqlite3 call on the same database file, so
# an expected error is shown and the demo goes on; an example that is meant
# to be rejected but is accepted (or the reverse) stops the demo with exit 1,
# as does an extension that fails to load.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
ext=$root/sqlite_ext/build/viper
if [[ ! -f $ext.so ]]; then
	echo "demo: $ext.so is missing; build it with 'make sqlite'" >&2
	exit 1
fi
if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "demo: the sqlite3 command-line shell is missing (apt-get install sqlite3)" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/viper-demo.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
db=$tmp/demo.db

# q [sqlite3 options...] -- SQL: run one statement with the extension
# loaded, read from stdin as the interactive shell would read it
q()
{
	local opts=()
	while [[ $1 != -- ]]; do opts+=("$1"); shift; done
	shift
	printf '%s\n' "$1" | sqlite3 -batch -bail "${opts[@]}" -cmd ".load $ext" "$db"
}

# The statement as shown: the long schema literal appears as :schemas.
shown()
{
	if [[ -n ${schemas_sql:-} ]]; then
		printf 'sqlite> %s\n' "${1//"$schemas_sql"/:schemas}"
	else
		printf 'sqlite> %s\n' "$1"
	fi
}

section()
{
	printf '\n== %s ==\n' "$*"
}

# ok SQL [sqlite3 options...] — show a statement that must succeed
ok()
{
	local sql=$1
	shift
	shown "$sql"
	if ! q "$@" -- "$sql" 2> "$tmp/err"; then
		cat "$tmp/err"
		echo "demo: the statement above was expected to succeed" >&2
		exit 1
	fi
}

# rejected SQL — show a statement that viper must reject, with its error
rejected()
{
	local sql=$1
	shown "$sql"
	if q -- "$sql" > "$tmp/out" 2> "$tmp/err"; then
		cat "$tmp/out"
		echo "demo: the statement above was expected to be rejected" >&2
		exit 1
	fi
	# sqlite3 names the script line; an interactive user sees no line number
	sed -E 's/^(Parse|Runtime) error near line [0-9]+:/\1 error:/' "$tmp/err"
	if ! grep -q 'viper\[[0-9A-Z]\{5\}\]: ' "$tmp/err"; then
		echo "demo: the error above does not carry a viper SQLSTATE" >&2
		exit 1
	fi
}

echo "viper demo — embedded SQLite, no server"
echo "database file: $db"
echo "sqlite> .load sqlite_ext/build/viper"
if ! sqlite3 -batch -bail -cmd ".load $ext" "$db" "SELECT 1" > /dev/null 2> "$tmp/err"; then
	echo "demo: the SQLite extension did not load:" >&2
	cat "$tmp/err" >&2
	exit 1
fi

section "Version and live features"
ok "SELECT viper_version();"
ok "SELECT viper_catalog_version();"
ok "SELECT viper_features();"
ok "SELECT key AS feature, CASE type WHEN 'true' THEN 'yes' WHEN 'false' THEN 'no' ELSE value END AS value
    FROM json_each(viper_features());" -header -column

section "Identifiers: [A-Za-z_][A-Za-z0-9_]*, at most 63 bytes (42602 otherwise)"
ok "SELECT viper_validate_identifier('user_id');"
ok "SELECT viper_assert_safe_table_name('blog_post');"
rejected "SELECT viper_validate_identifier('1st_column');"
rejected "SELECT viper_validate_identifier('name; DROP TABLE users', 'field name');"
rejected "SELECT viper_assert_safe_table_name('$(printf 'x%.0s' {1..64})');"

section "Quoting one name for the five dialects"
ok "SELECT d.dialect, viper_quote_identifier('order \"items\"', d.dialect) AS quoted
    FROM (SELECT 'postgresql' AS dialect UNION ALL SELECT 'sqlite' UNION ALL
          SELECT 'mysql' UNION ALL SELECT 'mssql' UNION ALL SELECT 'oracle') AS d;" -header -column
ok "SELECT viper_quote_identifier('a]b', 'mssql'), viper_quote_identifier('a\`b', 'mysql');"
rejected "SELECT viper_quote_identifier('users', 'db2');"

section "SQL expressions are parsed, not pattern-matched (42601 names token and position)"
ok "SELECT viper_validate_sql_expression('updated_at > created_at');"
ok "SELECT viper_validate_sql_expression('status = ''drop table''');"
ok "SELECT viper_validate_sql_expression('price BETWEEN 1 AND 10 AND is_active = 1');"
ok "SELECT viper_validate_sql_expression('category IN (''a'', ''b'') OR deleted_at IS NULL');"
rejected "SELECT viper_validate_sql_expression('1; DROP TABLE t');"
rejected "SELECT viper_validate_sql_expression('a > 0 -- x', 'price', 'CHECK constraint');"
rejected "SELECT viper_validate_sql_expression('x IN (SELECT id FROM y)');"
rejected "SELECT viper_validate_sql_expression('pg_sleep(1) IS NULL');"
rejected "SELECT viper_validate_sql_expression('status = ''open');"

section "LIKE escaping and URL masking"
ok "SELECT viper_escape_like('100%_sure\\');"
ok "SELECT 'ab_%x' LIKE viper_escape_like('ab_%') || '%' ESCAPE '\\' AS matches,
           'abc%x' LIKE viper_escape_like('ab_%') || '%' ESCAPE '\\' AS false_positive;" -header -column
ok "SELECT viper_mask_url('postgresql://app:s3cret@db.example.com:5432/shop?sslmode=require');"
ok "SELECT viper_mask_url('sqlite:///var/lib/app/shop.db');"

section "Regular expressions: ReDoS check (2201B)"
ok "SELECT viper_validate_regex_pattern('^[a-z0-9_]+\$');"
ok "SELECT viper_validate_regex_pattern('\\d{3}-\\d{4}');"
rejected "SELECT viper_validate_regex_pattern('(a+)+');"
rejected "SELECT viper_validate_regex_pattern('(a|ab)*c');"
rejected "SELECT viper_validate_regex_pattern('(\\w+)\\s\\1');"

section "on_delete actions (22023)"
ok "SELECT viper_validate_on_delete('set null'), viper_validate_on_delete('Cascade');"
rejected "SELECT viper_validate_on_delete('explode');"

# The blog example as one JSON array, as an SQL string literal.
schemas=
for f in "$root"/examples/blog/schemas/*.json; do
	schemas+="${schemas:+,}$(cat "$f")"
done
schemas="[$schemas]"
schemas_sql="'${schemas//\'/\'\'}'"

section "Schema sync: plan, migrate, and a second migrate that finds nothing to do"
echo "(schemas: examples/blog/schemas/*.json as one JSON array)"
ok "SELECT json_extract(value, '\$.op') AS op, json_extract(value, '\$.target') AS target
    FROM json_each(viper_plan($schemas_sql));" -header -column
ok "SELECT json_array_length(viper_migrate($schemas_sql)) AS operations_applied;" -header
ok "SELECT viper_migrate($schemas_sql) AS second_migrate;" -header
ok "SELECT label, table_name, single FROM viper_models ORDER BY label;" -header -column
ok "SELECT json_extract(value, '\$.name') AS column_name, json_extract(value, '\$.type') AS type,
           json_extract(value, '\$.nullable') AS nullable
    FROM json_each(viper_introspect('blog_tag'), '\$.columns');" -header -column
rejected "SELECT viper_migrate('[{\"app\": \"shop\", \"name\": \"Item\", \"fields\": [{\"name\": \"price\", \"type\": \"MoneyField\"}]}]');"
rejected "BEGIN; SELECT viper_migrate($schemas_sql);"

section "Data patches run exactly once (checksum over normalised text)"
ok "SELECT viper_apply_patch('blog.0001_default_tags',
      'INSERT INTO blog_tag (name, slug) VALUES (''news'', ''news''), (''howto'', ''howto'')') AS ran;" -header
ok "SELECT viper_apply_patch('blog.0001_default_tags',
      'INSERT INTO blog_tag (name, slug) VALUES (''news'', ''news''), (''howto'', ''howto'')') AS ran_again;" -header
ok "SELECT name, slug, color FROM blog_tag ORDER BY name;" -header -column
ok "SELECT name, phase, checksum_algorithm FROM viper_patches;" -header -column
rejected "SELECT viper_apply_patch('blog.0002_bad', 'INSERT INTO blog_tag (name, slug) VALUES (''news'', ''again'')');"

section "Catalog tables the extension created in the database file"
ok "SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'viper\\_%' ESCAPE '\\' ORDER BY name;"
ok "SELECT vendor, count(*) AS flags, sum(enabled) AS enabled
    FROM viper_vendor_features GROUP BY vendor ORDER BY vendor;" -header -column

echo
echo "demo finished: every accepted input passed and every rejected one failed with its SQLSTATE"
