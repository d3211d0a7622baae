--
-- expressions: viper.validate_sql_expression(expr, field_name, context).
-- The expression is tokenized and parsed against an allowlist grammar
-- (DESIGN §7): harmless text passes, anything else is 42601 naming the
-- offending token and its position.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS viper;
RESET client_min_messages;
\pset null '<NULL>'

CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r text;
BEGIN
	EXECUTE sql INTO r;
	RETURN 'ok: ' || coalesce(r, '<NULL>');
EXCEPTION WHEN OTHERS THEN
	RETURN 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
END
$$;

-- accepted: returned unchanged
SELECT e AS expr, viper.validate_sql_expression(e) = e AS accepted
FROM unnest(ARRAY[
	'updated_at > created_at',
	'status = ''drop table''',
	'is_active = 1',
	'price BETWEEN 1 AND 10',
	'price NOT BETWEEN 1 AND 10',
	'a >= 0 AND b <= 10 OR c <> 3',
	'a != b',
	'NOT (a = 1)',
	'status IN (''draft'', ''published'')',
	'id NOT IN (1, 2, 3)',
	'deleted_at IS NULL',
	'deleted_at IS NOT NULL',
	'flag IS TRUE',
	'name LIKE ''a%''',
	'name NOT LIKE ''%x''',
	'lower(email) = ''a@b.c''',
	'coalesce(a, b, 0) > 1',
	'length(trim(name)) > 0',
	'(a + b) * 2 - c / 4 % 3 > -1',
	'first || '' '' || last <> ''''',
	'price >= 1.5e3',
	'"Order" = 1',
	'SELECTED = true',
	'drop_date IS NULL',
	'note = ''it''''s; -- not a comment''',
	'  a  =  1  ',
	'round(price, 2) = 9.99',
	'substr(code, 1, 2) = replace(x, ''a'', ''b'')']) AS e;

-- NULL expression gives NULL; field and context may be NULL
SELECT viper.validate_sql_expression(NULL) AS null_expr,
       viper.validate_sql_expression('a = 1', NULL, NULL) AS null_extras,
       viper.validate_sql_expression('a = 1', 'price', 'a check constraint') AS with_extras;

-- rejected: SQLSTATE and message with token and position
SELECT e AS expr, pg_temp.try(format('SELECT viper.validate_sql_expression(%L)', e)) AS result
FROM unnest(ARRAY[
	'1; DROP TABLE t',
	'a > 0 -- x',
	'a > 0 /* x */',
	'(SELECT 1) = 1',
	'pg_sleep(1) IS NULL',
	'x IN (SELECT id FROM y)',
	'name = ''unterminated',
	'"unterminated = 1',
	'(a = 1',
	'a = 1)',
	'((a = 1)',
	'',
	'   ',
	'a =',
	'= 1',
	'a = 1 AND',
	'a b',
	'a::text = ''1''',
	'DELETE FROM t',
	'a = 1 UNION SELECT 1',
	'a = 1; ',
	'a IN ()',
	'a BETWEEN 1',
	'EXISTS (SELECT 1)',
	'current_setting(''x'') = ''y''',
	'lower() = ''a''',
	'a = $1',
	'a = ?',
	'a IS 5',
	'a @> b',
	'a = 1 OR TRUNCATE',
	'CASE WHEN a THEN 1 END = 1',
	'a = 1e',
	'a ~ ''x''',
	'a = b.c',
	'a[1] = 2',
	'name ILIKE ''x''',
	'greatest(a, b) = 1']) AS e;

-- nesting and length limits
SELECT pg_temp.try(format('SELECT viper.validate_sql_expression(%L)',
                          repeat('(', 40) || 'a = 1' || repeat(')', 40))) AS too_deep;
SELECT pg_temp.try(format('SELECT viper.validate_sql_expression(%L)',
                          repeat('(', 10) || 'a = 1' || repeat(')', 10))) AS ten_deep;
SELECT pg_temp.try(format('SELECT viper.validate_sql_expression(%L) IS NOT NULL',
                          'a = ''' || repeat('x', 5000) || '''')) AS too_long;

-- as psql shows them: message, DETAIL with the context, HINT
SELECT viper.validate_sql_expression('1; DROP TABLE t');
SELECT viper.validate_sql_expression('a > 0 -- x', 'price', 'a check constraint');
SELECT viper.validate_sql_expression('pg_sleep(1) IS NULL', NULL, 'an index condition');
SELECT viper.validate_sql_expression('x IN (SELECT id FROM y)', 'author');
SELECT viper.validate_sql_expression('status = ''open');
SELECT viper.validate_sql_expression('(a = 1');
