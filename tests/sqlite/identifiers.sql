-- identifiers.sql — viper_validate_identifier and viper_assert_safe_table_name
-- ([A-Za-z_][A-Za-z0-9_]*, 1..63 bytes, viper[42602] otherwise; DESIGN §7).
-- Same inputs as sql/identifiers.sql, one statement per case (SQLite has
-- no exception handler to collect several errors in one query).
-- accepted names come back unchanged; SQL keywords are valid identifiers
SELECT viper_validate_identifier('a');
SELECT viper_validate_identifier('_');
SELECT viper_validate_identifier('A');
SELECT viper_validate_identifier('abc');
SELECT viper_validate_identifier('updated_at');
SELECT viper_validate_identifier('_private');
SELECT viper_validate_identifier('Model2');
SELECT viper_validate_identifier('x1_2_3');
SELECT viper_validate_identifier('CamelCase');
SELECT viper_validate_identifier('select');
SELECT viper_validate_identifier('from');
SELECT viper_validate_identifier('table');
SELECT viper_validate_identifier('drop');
SELECT viper_validate_identifier('user');
SELECT viper_validate_identifier('order');
SELECT viper_validate_identifier('NULL');
SELECT viper_validate_identifier('__init__');
SELECT length(viper_validate_identifier(printf('%.63c', 'a'))), length(viper_assert_safe_table_name(printf('%.63c', 'T'))), viper_validate_identifier('z' || printf('%.62c', '9')) = 'z' || printf('%.62c', '9');
SELECT viper_validate_identifier('created_at', 'field name'), viper_assert_safe_table_name('blog_post'), viper_assert_safe_table_name('Select');
SELECT typeof(viper_validate_identifier('users'));
-- NULL in, NULL out (STRICT in PostgreSQL), even next to a bad argument
SELECT viper_validate_identifier(NULL), viper_validate_identifier('a', NULL), viper_assert_safe_table_name(NULL);
SELECT viper_validate_identifier(NULL, 'field name'), viper_validate_identifier('1abc', NULL);
-- rejected names: SQLSTATE and message
SELECT viper_validate_identifier('');
SELECT viper_validate_identifier(printf('%.64c', 'a'));
SELECT viper_validate_identifier('1abc');
SELECT viper_validate_identifier('9');
SELECT viper_validate_identifier('my-table');
SELECT viper_validate_identifier('my table');
SELECT viper_validate_identifier(' a');
SELECT viper_validate_identifier('a ');
SELECT viper_validate_identifier('a"b');
SELECT viper_validate_identifier('a''b');
SELECT viper_validate_identifier('a;b');
SELECT viper_validate_identifier('a;DROP TABLE x');
SELECT viper_validate_identifier('café');
SELECT viper_validate_identifier('naïve');
SELECT viper_validate_identifier('ȧ');
SELECT viper_validate_identifier('a.b');
SELECT viper_validate_identifier('a$');
SELECT viper_validate_identifier('$a');
SELECT viper_validate_identifier('@a');
SELECT viper_validate_identifier('a/*');
SELECT viper_validate_identifier('-- x');
SELECT viper_validate_identifier('a' || char(9) || 'b');
SELECT viper_validate_identifier('a' || char(10) || 'b');
SELECT viper_validate_identifier('a(b)');
SELECT viper_validate_identifier('[a]');
SELECT viper_validate_identifier('`a`');
-- an embedded NUL is rejected, not cut short (PostgreSQL text cannot hold one)
SELECT viper_validate_identifier('abc' || char(0) || 'def');
SELECT viper_validate_identifier(char(0));
SELECT viper_validate_identifier(CAST('abc' || char(0) AS BLOB));
-- a number arrives as its text
SELECT viper_validate_identifier(123);
-- assert_safe_table_name: the same rule, described as a table name
SELECT viper_assert_safe_table_name('');
SELECT viper_assert_safe_table_name('2fast');
SELECT viper_assert_safe_table_name('users; DROP TABLE users');
SELECT viper_assert_safe_table_name('public.users');
SELECT viper_assert_safe_table_name('x' || printf('%.63c', 'y'));
SELECT viper_assert_safe_table_name('"quoted"');
SELECT viper_assert_safe_table_name('t' || char(0));
-- the description names the thing in the message
SELECT viper_validate_identifier('9lives', 'field name');
SELECT viper_validate_identifier('', 'model name');
SELECT viper_validate_identifier('a-b', '');
-- a long bad name is echoed cut to 64 bytes (on a UTF-8 boundary)
SELECT viper_validate_identifier(printf('%.100c', 'b'));
SELECT viper_validate_identifier(replace(printf('%.40c', 'x'), 'x', 'é'));
-- wrong arity is refused by SQLite when the statement is prepared
SELECT viper_validate_identifier();
SELECT viper_validate_identifier('a', 'b', 'c');
SELECT viper_assert_safe_table_name();
SELECT viper_assert_safe_table_name('a', 'table name');
-- deterministic and innocuous: usable over many rows, in a CHECK constraint
WITH names(n) AS (VALUES ('a'), ('b_1'), ('C')) SELECT group_concat(viper_validate_identifier(n), ',') FROM names;
CREATE TABLE named (n TEXT CHECK (viper_validate_identifier(n) = n));
INSERT INTO named VALUES ('ok_name');
INSERT INTO named VALUES ('not ok');
SELECT n FROM named;
