-- text_helpers.sql — viper_escape_like, viper_validate_on_delete and
-- viper_mask_url (DESIGN §7). Same inputs as sql/text_helpers.sql.
--
-- escape_like: %, _ and \ get a backslash
SELECT viper_escape_like('plain');
SELECT viper_escape_like('');
SELECT viper_escape_like('50%');
SELECT viper_escape_like('snake_case');
SELECT viper_escape_like('back\slash');
SELECT viper_escape_like('\');
SELECT viper_escape_like('%_\');
SELECT viper_escape_like('100% of a_b\c');
SELECT viper_escape_like('no%%double__');
SELECT viper_escape_like('ünïcode_%');
SELECT viper_escape_like('''quote''');
SELECT viper_escape_like(NULL), typeof(viper_escape_like('')), length(viper_escape_like(''));
-- the escaped value matches itself literally and nothing else (ESCAPE '\':
-- SQLite's LIKE has no default escape character)
SELECT s, p, s LIKE viper_escape_like(p) ESCAPE '\' FROM (SELECT column1 AS s, column2 AS p FROM (VALUES ('50%', '50%'), ('500', '50%'), ('a_c', 'a_c'), ('abc', 'a_c'), ('a\c', 'a\c'), ('ac', 'a\c')));
SELECT 'x50%y' LIKE '%' || viper_escape_like('50%') || '%' ESCAPE '\', 'x500y' LIKE '%' || viper_escape_like('50%') || '%' ESCAPE '\';
-- an embedded NUL is kept (the whole text is escaped), not a terminator
SELECT hex(viper_escape_like('a' || char(0) || '%_'));
SELECT viper_escape_like();
SELECT viper_escape_like('a', 'b');
--
-- validate_on_delete: the normalised upper-case action or viper[22023]
SELECT viper_validate_on_delete('CASCADE');
SELECT viper_validate_on_delete('PROTECT');
SELECT viper_validate_on_delete('RESTRICT');
SELECT viper_validate_on_delete('SET_NULL');
SELECT viper_validate_on_delete('SET_DEFAULT');
SELECT viper_validate_on_delete('NO_ACTION');
SELECT viper_validate_on_delete('DO_NOTHING');
SELECT viper_validate_on_delete('cascade');
SELECT viper_validate_on_delete('Protect');
SELECT viper_validate_on_delete('restrict');
SELECT viper_validate_on_delete('set_null');
SELECT viper_validate_on_delete('Set_Default');
SELECT viper_validate_on_delete('no_action');
SELECT viper_validate_on_delete('do_nothing');
SELECT viper_validate_on_delete('SET NULL');
SELECT viper_validate_on_delete('set null');
SELECT viper_validate_on_delete('SET DEFAULT');
SELECT viper_validate_on_delete('no action');
SELECT viper_validate_on_delete('DO NOTHING');
SELECT viper_validate_on_delete('  cascade  ');
SELECT viper_validate_on_delete(char(9) || 'SET NULL' || char(10));
SELECT viper_validate_on_delete(NULL);
SELECT viper_validate_on_delete('');
SELECT viper_validate_on_delete(' ');
SELECT viper_validate_on_delete('DELETE');
SELECT viper_validate_on_delete('CASCADE;');
SELECT viper_validate_on_delete('CASCADE; DROP TABLE x');
SELECT viper_validate_on_delete('SET  NULL');
SELECT viper_validate_on_delete('SET-NULL');
SELECT viper_validate_on_delete('SETNULL');
SELECT viper_validate_on_delete('NULL');
SELECT viper_validate_on_delete('cascades');
SELECT viper_validate_on_delete('NO ACTION RESTRICT');
SELECT viper_validate_on_delete('set_null_');
SELECT viper_validate_on_delete('ÇASCADE');
SELECT viper_validate_on_delete('CASCADE' || char(0));
SELECT viper_validate_on_delete('CASCADE' || char(0) || 'x');
SELECT viper_validate_on_delete();
SELECT viper_validate_on_delete('CASCADE', 'x');
--
-- mask_url: the password becomes ***, everything else is kept
SELECT viper_mask_url('postgresql://user:secret@localhost:5432/app');
SELECT viper_mask_url('postgresql://user@localhost/app');
SELECT viper_mask_url('postgresql://localhost/app');
SELECT viper_mask_url('mysql://root:p@ss/w:rd@db.example.com:3306/shop');
SELECT viper_mask_url('sqlite:///var/data/app.db');
SELECT viper_mask_url('postgresql://app:s3cr3t@db/app?sslmode=require');
SELECT viper_mask_url('postgresql://db/app?user=app&password=s3cr3t&sslmode=require');
SELECT viper_mask_url('postgresql://db/app?password=s3cr3t');
SELECT viper_mask_url('postgresql://u:pw@db/app?PASSWORD=x#frag');
SELECT viper_mask_url('postgresql://db/app?sslmode=require#password=visible-fragment');
SELECT viper_mask_url('postgresql://:onlypw@db/app');
SELECT viper_mask_url('localhost:5432');
SELECT viper_mask_url('');
SELECT viper_mask_url('not a url at all');
SELECT viper_mask_url('sqlite::memory:');
SELECT viper_mask_url(NULL);
-- no password text survives anywhere in the result
SELECT min(instr(viper_mask_url(u), 's3cr3t') = 0) FROM (SELECT column1 AS u FROM (VALUES ('pg://a:s3cr3t@h/d'), ('pg://h/d?password=s3cr3t'), ('pg://a:s3cr3t@h/d?password=s3cr3t&x=1')));
-- the whole text is masked, past an embedded NUL too
SELECT hex(viper_mask_url('pg://u:pw@h/d' || char(0) || '?password=x'));
SELECT viper_mask_url();
SELECT viper_mask_url('a', 'b');
