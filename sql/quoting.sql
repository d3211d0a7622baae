--
-- quoting: viper.quote_identifier(name, dialect) for the five dialects.
-- Any non-empty name of at most 63 bytes is quoted, the closing quote
-- character doubled inside (DESIGN §7, §12).
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

-- default dialect is postgresql
SELECT viper.quote_identifier('name') AS plain, viper.quote_identifier('select') AS keyword,
       viper.quote_identifier('Mixed Case') AS mixed;

-- every dialect × a set of names
SELECT n AS name, d AS dialect, viper.quote_identifier(n, d) AS quoted
FROM unnest(ARRAY['users', 'order', 'a"b', 'a`b', 'a]b', '[x]', 'my table',
                  'semi;colon', '""', 'é']) WITH ORDINALITY AS names(n, i),
     unnest(ARRAY['postgresql', 'sqlite', 'mysql', 'mssql', 'oracle']) WITH ORDINALITY AS dialects(d, j)
ORDER BY i, j;

-- dialect names are case-insensitive
SELECT viper.quote_identifier('t', 'PostgreSQL') AS pg, viper.quote_identifier('t', 'MYSQL') AS my,
       viper.quote_identifier('t', 'MsSql') AS ms;

-- 63 bytes is the limit
SELECT length(viper.quote_identifier(repeat('q', 63))) AS len63_quoted,
       length(viper.quote_identifier(repeat('"', 63))) AS all_quotes_quoted;

-- the quoted name round-trips through the server's own parser
SELECT quote_ident('a"b') = viper.quote_identifier('a"b') AS same_as_quote_ident;
CREATE TEMP TABLE quoting_roundtrip (x int);
SELECT format('ALTER TABLE quoting_roundtrip RENAME COLUMN x TO %s',
              viper.quote_identifier('we"ird name')) AS stmt \gset
:stmt;
SELECT attname FROM pg_attribute WHERE attrelid = 'quoting_roundtrip'::regclass AND attnum > 0;

-- NULL in, NULL out
SELECT viper.quote_identifier(NULL) AS null_name, viper.quote_identifier('a', NULL) AS null_dialect;

-- errors
SELECT n AS name, d AS dialect, pg_temp.try(format('SELECT viper.quote_identifier(%L, %L)', n, d)) AS result
FROM (VALUES ('', 'postgresql'), ('', 'mysql'), (repeat('x', 64), 'postgresql'),
             (repeat('é', 32), 'sqlite'), ('t', 'db2'), ('t', ''), ('t', 'postgres'),
             ('t', 'sqlite3'), ('t', ' mysql'), ('', 'nope')) AS v(n, d);

-- as psql shows them
SELECT viper.quote_identifier('t', 'db2');
SELECT viper.quote_identifier('');
SELECT viper.quote_identifier(repeat('x', 70), 'mssql');
