--
-- text_helpers: viper.escape_like, viper.validate_on_delete and
-- viper.mask_url (DESIGN §7).
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

--
-- escape_like: %, _ and \ get a backslash
--
SELECT v AS value, viper.escape_like(v) AS escaped
FROM unnest(ARRAY['plain', '', '50%', 'snake_case', 'back\slash', '\', '%_\',
                  '100% of a_b\c', 'no%%double__', 'ünïcode_%', '''quote''']) AS v;
SELECT viper.escape_like(NULL) AS null_value;
-- the escaped value matches itself literally and nothing else
SELECT s, p, s LIKE viper.escape_like(p) AS literal_match
FROM (VALUES ('50%', '50%'), ('500', '50%'), ('a_c', 'a_c'), ('abc', 'a_c'),
             ('a\c', 'a\c'), ('ac', 'a\c')) AS t(s, p);
SELECT 'x50%y' LIKE '%' || viper.escape_like('50%') || '%' AS contains_match,
       'x500y' LIKE '%' || viper.escape_like('50%') || '%' AS no_wildcard;

--
-- validate_on_delete: the normalised upper-case action or 22023
--
SELECT a AS action, viper.validate_on_delete(a) AS normalised
FROM unnest(ARRAY['CASCADE', 'PROTECT', 'RESTRICT', 'SET_NULL', 'SET_DEFAULT',
                  'NO_ACTION', 'DO_NOTHING',
                  'cascade', 'Protect', 'restrict', 'set_null', 'Set_Default',
                  'no_action', 'do_nothing',
                  'SET NULL', 'set null', 'SET DEFAULT', 'no action', 'DO NOTHING',
                  '  cascade  ', E'\tSET NULL\n']) AS a;
SELECT viper.validate_on_delete(NULL) AS null_action;
SELECT a AS action, pg_temp.try(format('SELECT viper.validate_on_delete(%L)', a)) AS result
FROM unnest(ARRAY['', ' ', 'DELETE', 'CASCADE;', 'CASCADE; DROP TABLE x',
                  'SET  NULL', 'SET-NULL', 'SETNULL', 'NULL', 'cascades',
                  'NO ACTION RESTRICT', 'set_null_', 'ÇASCADE']) AS a;
SELECT viper.validate_on_delete('DELETE');
SELECT viper.validate_on_delete('SET  NULL');

--
-- mask_url: the password becomes ***, everything else is kept
--
SELECT u AS url, viper.mask_url(u) AS masked
FROM unnest(ARRAY[
	'postgresql://user:secret@localhost:5432/app',
	'postgresql://user@localhost/app',
	'postgresql://localhost/app',
	'mysql://root:p@ss/w:rd@db.example.com:3306/shop',
	'sqlite:///var/data/app.db',
	'postgresql://app:s3cr3t@db/app?sslmode=require',
	'postgresql://db/app?user=app&password=s3cr3t&sslmode=require',
	'postgresql://db/app?password=s3cr3t',
	'postgresql://u:pw@db/app?PASSWORD=x#frag',
	'postgresql://db/app?sslmode=require#password=visible-fragment',
	'postgresql://:onlypw@db/app',
	'localhost:5432',
	'',
	'not a url at all']) AS u;
SELECT viper.mask_url(NULL) AS null_url;
-- no password text survives anywhere in the result
SELECT bool_and(position('s3cr3t' IN viper.mask_url(u)) = 0) AS no_secret_left
FROM unnest(ARRAY['pg://a:s3cr3t@h/d', 'pg://h/d?password=s3cr3t',
                  'pg://a:s3cr3t@h/d?password=s3cr3t&x=1']) AS u;
