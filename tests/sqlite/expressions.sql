-- expressions.sql — viper_validate_sql_expression(expr[, field_name[, context]])
-- (DESIGN §7): parsed by a tokenizer and a small grammar, not matched by
-- pattern. Accepted expressions come back unchanged; anything else is
-- viper[42601] naming the offending token and its position. Same inputs
-- as sql/expressions.sql.
-- accepted: returned unchanged
SELECT viper_validate_sql_expression('updated_at > created_at');
SELECT viper_validate_sql_expression('status = ''drop table''');
SELECT viper_validate_sql_expression('is_active = 1');
SELECT viper_validate_sql_expression('price BETWEEN 1 AND 10');
SELECT viper_validate_sql_expression('price NOT BETWEEN 1 AND 10');
SELECT viper_validate_sql_expression('a >= 0 AND b <= 10 OR c <> 3');
SELECT viper_validate_sql_expression('a != b');
SELECT viper_validate_sql_expression('NOT (a = 1)');
SELECT viper_validate_sql_expression('status IN (''draft'', ''published'')');
SELECT viper_validate_sql_expression('id NOT IN (1, 2, 3)');
SELECT viper_validate_sql_expression('deleted_at IS NULL');
SELECT viper_validate_sql_expression('deleted_at IS NOT NULL');
SELECT viper_validate_sql_expression('flag IS TRUE');
SELECT viper_validate_sql_expression('name LIKE ''a%''');
SELECT viper_validate_sql_expression('name NOT LIKE ''%x''');
SELECT viper_validate_sql_expression('lower(email) = ''a@b.c''');
SELECT viper_validate_sql_expression('coalesce(a, b, 0) > 1');
SELECT viper_validate_sql_expression('length(trim(name)) > 0');
SELECT viper_validate_sql_expression('(a + b) * 2 - c / 4 % 3 > -1');
SELECT viper_validate_sql_expression('first || '' '' || last <> ''''');
SELECT viper_validate_sql_expression('price >= 1.5e3');
SELECT viper_validate_sql_expression('"Order" = 1');
SELECT viper_validate_sql_expression('SELECTED = true');
SELECT viper_validate_sql_expression('drop_date IS NULL');
SELECT viper_validate_sql_expression('note = ''it''''s; -- not a comment''');
SELECT viper_validate_sql_expression('  a  =  1  ');
SELECT viper_validate_sql_expression('round(price, 2) = 9.99');
SELECT viper_validate_sql_expression('substr(code, 1, 2) = replace(x, ''a'', ''b'')');
-- NULL expression gives NULL; field and context may be NULL or left out (not STRICT)
SELECT viper_validate_sql_expression(NULL), viper_validate_sql_expression('a = 1', NULL, NULL), viper_validate_sql_expression('a = 1', 'price', 'a check constraint');
SELECT viper_validate_sql_expression(NULL, 'price', 'a check constraint'), viper_validate_sql_expression('a = 1', 'price');
-- rejected: SQLSTATE and message with token and position
SELECT viper_validate_sql_expression('1; DROP TABLE t');
SELECT viper_validate_sql_expression('a > 0 -- x');
SELECT viper_validate_sql_expression('a > 0 /* x */');
SELECT viper_validate_sql_expression('(SELECT 1) = 1');
SELECT viper_validate_sql_expression('pg_sleep(1) IS NULL');
SELECT viper_validate_sql_expression('x IN (SELECT id FROM y)');
SELECT viper_validate_sql_expression('name = ''unterminated');
SELECT viper_validate_sql_expression('"unterminated = 1');
SELECT viper_validate_sql_expression('(a = 1');
SELECT viper_validate_sql_expression('a = 1)');
SELECT viper_validate_sql_expression('((a = 1)');
SELECT viper_validate_sql_expression('');
SELECT viper_validate_sql_expression('   ');
SELECT viper_validate_sql_expression('a =');
SELECT viper_validate_sql_expression('= 1');
SELECT viper_validate_sql_expression('a = 1 AND');
SELECT viper_validate_sql_expression('a b');
SELECT viper_validate_sql_expression('a::text = ''1''');
SELECT viper_validate_sql_expression('DELETE FROM t');
SELECT viper_validate_sql_expression('a = 1 UNION SELECT 1');
SELECT viper_validate_sql_expression('a = 1; ');
SELECT viper_validate_sql_expression('a IN ()');
SELECT viper_validate_sql_expression('a BETWEEN 1');
SELECT viper_validate_sql_expression('EXISTS (SELECT 1)');
SELECT viper_validate_sql_expression('current_setting(''x'') = ''y''');
SELECT viper_validate_sql_expression('lower() = ''a''');
SELECT viper_validate_sql_expression('a = $1');
SELECT viper_validate_sql_expression('a = ?');
SELECT viper_validate_sql_expression('a IS 5');
SELECT viper_validate_sql_expression('a @> b');
SELECT viper_validate_sql_expression('a = 1 OR TRUNCATE');
SELECT viper_validate_sql_expression('CASE WHEN a THEN 1 END = 1');
SELECT viper_validate_sql_expression('a = 1e');
SELECT viper_validate_sql_expression('a ~ ''x''');
SELECT viper_validate_sql_expression('a = b.c');
SELECT viper_validate_sql_expression('a[1] = 2');
SELECT viper_validate_sql_expression('name ILIKE ''x''');
SELECT viper_validate_sql_expression('greatest(a, b) = 1');
-- SQLite-specific inputs: an embedded NUL, SQLite's own dangerous functions
SELECT viper_validate_sql_expression('a > 0' || char(0) || '; DROP TABLE t');
SELECT viper_validate_sql_expression('load_extension(''x'') IS NULL');
SELECT viper_validate_sql_expression('randomblob(1000000000) IS NULL');
SELECT viper_validate_sql_expression('a = 1 ATTACH DATABASE ''x'' AS y');
-- nesting and length limits
SELECT viper_validate_sql_expression(printf('%.40c', '(') || 'a = 1' || printf('%.40c', ')'));
SELECT viper_validate_sql_expression(printf('%.10c', '(') || 'a = 1' || printf('%.10c', ')'));
SELECT viper_validate_sql_expression('a = ''' || printf('%.5000c', 'x') || '''') IS NOT NULL;
-- message, DETAIL with the context, HINT
SELECT viper_validate_sql_expression('1; DROP TABLE t');
SELECT viper_validate_sql_expression('a > 0 -- x', 'price', 'a check constraint');
SELECT viper_validate_sql_expression('pg_sleep(1) IS NULL', NULL, 'an index condition');
SELECT viper_validate_sql_expression('x IN (SELECT id FROM y)', 'author');
SELECT viper_validate_sql_expression('status = ''open');
SELECT viper_validate_sql_expression('(a = 1');
-- wrong arity
SELECT viper_validate_sql_expression();
SELECT viper_validate_sql_expression('a', 'b', 'c', 'd');
