--
-- identifiers: viper.validate_identifier and viper.assert_safe_table_name
-- ([A-Za-z_][A-Za-z0-9_]*, 1..63 bytes, 42602 otherwise; DESIGN §7).
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

-- accepted names come back unchanged; SQL keywords are valid identifiers
SELECT n AS name, viper.validate_identifier(n) AS validated
FROM unnest(ARRAY['a', '_', 'A', 'abc', 'updated_at', '_private', 'Model2',
                  'x1_2_3', 'CamelCase', 'select', 'from', 'table', 'drop',
                  'user', 'order', 'NULL', '__init__']) AS n;
SELECT length(viper.validate_identifier(repeat('a', 63))) AS len63,
       length(viper.assert_safe_table_name(repeat('T', 63))) AS table_len63,
       viper.validate_identifier('z' || repeat('9', 62)) = 'z' || repeat('9', 62) AS same;
SELECT viper.validate_identifier('created_at', 'field name') AS with_description,
       viper.assert_safe_table_name('blog_post') AS table_name,
       viper.assert_safe_table_name('Select') AS keyword_table;

-- NULL in, NULL out (STRICT)
SELECT viper.validate_identifier(NULL) AS null_name,
       viper.validate_identifier('a', NULL) AS null_description,
       viper.assert_safe_table_name(NULL) AS null_table;

-- rejected names: SQLSTATE and message
SELECT n AS name, pg_temp.try(format('SELECT viper.validate_identifier(%L)', n)) AS result
FROM unnest(ARRAY['', repeat('a', 64), '1abc', '9', 'my-table', 'my table',
                  ' a', 'a ', 'a"b', 'a''b', 'a;b', 'a;DROP TABLE x', 'café',
                  'naïve', 'ȧ', 'a.b', 'a$', '$a', '@a', 'a/*', '-- x',
                  E'a\tb', E'a\nb', 'a(b)', '[a]', '`a`']) AS n;
SELECT n AS name, pg_temp.try(format('SELECT viper.assert_safe_table_name(%L)', n)) AS result
FROM unnest(ARRAY['', '2fast', 'users; DROP TABLE users', 'public.users',
                  'x' || repeat('y', 63), '"quoted"']) AS n;
-- the description names the thing in the message
SELECT pg_temp.try($$SELECT viper.validate_identifier('9lives', 'field name')$$);
SELECT pg_temp.try($$SELECT viper.validate_identifier('', 'model name')$$);
SELECT pg_temp.try($$SELECT viper.validate_identifier('a-b', '')$$);
-- a long bad name is echoed cut to 64 bytes
SELECT pg_temp.try(format('SELECT viper.validate_identifier(%L)', repeat('b', 100)));
SELECT pg_temp.try(format('SELECT viper.validate_identifier(%L)', repeat('é', 40)));

-- as psql shows them: message, DETAIL and HINT
SELECT viper.validate_identifier('1abc');
SELECT viper.validate_identifier('my-table', 'field name');
SELECT viper.validate_identifier('');
SELECT viper.validate_identifier(repeat('a', 64));
SELECT viper.assert_safe_table_name('users; DROP TABLE users');
SELECT viper.assert_safe_table_name('café');
\set VERBOSITY sqlstate
SELECT viper.validate_identifier('a b');
\set VERBOSITY default
