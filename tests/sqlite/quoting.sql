-- quoting.sql — viper_quote_identifier(name[, dialect]) for the five dialects
-- (DESIGN §7, §12): any non-empty name of at most 63 bytes is quoted, the
-- closing quote character doubled inside. Same inputs as sql/quoting.sql.
-- default dialect is postgresql
SELECT viper_quote_identifier('name'), viper_quote_identifier('select'), viper_quote_identifier('Mixed Case');
-- every dialect × a set of names
SELECT n.v, d.v, viper_quote_identifier(n.v, d.v) FROM
  (SELECT column1 AS v, row_number() OVER () AS i FROM (VALUES ('users'), ('order'), ('a"b'), ('a`b'), ('a]b'), ('[x]'), ('my table'), ('semi;colon'), ('""'), ('é'))) AS n,
  (SELECT column1 AS v, row_number() OVER () AS j FROM (VALUES ('postgresql'), ('sqlite'), ('mysql'), ('mssql'), ('oracle'))) AS d
ORDER BY n.i, d.j;
-- dialect names are case-insensitive
SELECT viper_quote_identifier('t', 'PostgreSQL'), viper_quote_identifier('t', 'MYSQL'), viper_quote_identifier('t', 'MsSql');
-- 63 bytes is the limit
SELECT length(viper_quote_identifier(printf('%.63c', 'q'))), length(viper_quote_identifier(printf('%.63c', '"')));
-- the quoted name round-trips through SQLite's own parser
CREATE TABLE quoting_roundtrip (x INTEGER);
SELECT 'ALTER TABLE quoting_roundtrip RENAME COLUMN x TO ' || viper_quote_identifier('we"ird name', 'sqlite') || ';';
-- run that statement: write it to a file (without echo) and read it back
.echo off
.once quoting_rename.sql
SELECT 'ALTER TABLE quoting_roundtrip RENAME COLUMN x TO ' || viper_quote_identifier('we"ird name', 'sqlite') || ';';
.echo on
.read quoting_rename.sql
SELECT name FROM pragma_table_info('quoting_roundtrip');
-- NULL in, NULL out (STRICT in PostgreSQL), even next to a bad argument
SELECT viper_quote_identifier(NULL), viper_quote_identifier('a', NULL), viper_quote_identifier('', NULL), viper_quote_identifier(NULL, 'db2');
-- errors
SELECT viper_quote_identifier('', 'postgresql');
SELECT viper_quote_identifier('', 'mysql');
SELECT viper_quote_identifier(printf('%.64c', 'x'), 'postgresql');
SELECT viper_quote_identifier(replace(printf('%.32c', 'x'), 'x', 'é'), 'sqlite');
SELECT viper_quote_identifier('t', 'db2');
SELECT viper_quote_identifier('t', '');
SELECT viper_quote_identifier('t', 'postgres');
SELECT viper_quote_identifier('t', 'sqlite3');
SELECT viper_quote_identifier('t', ' mysql');
SELECT viper_quote_identifier('', 'nope');
-- an embedded NUL is rejected, in the name and in the dialect
SELECT viper_quote_identifier('a' || char(0) || 'b');
SELECT viper_quote_identifier('t', 'mysql' || char(0));
SELECT viper_quote_identifier('t', 'sqlite; DROP TABLE t');
-- as PostgreSQL's psql cases
SELECT viper_quote_identifier('t', 'db2');
SELECT viper_quote_identifier('');
SELECT viper_quote_identifier(printf('%.70c', 'x'), 'mssql');
-- wrong arity
SELECT viper_quote_identifier();
SELECT viper_quote_identifier('a', 'mysql', 'x');
