-- permissions_bypass: leaving the grants aside (DESIGN §8, §12 "SQLite
-- specifics"). SQLite has no database roles, so anyone may bypass — the
-- process is the security boundary — but every bypass is audited in
-- viper_audit_log and lasts no longer than its purpose:
--   viper_bypass_permissions(reason)  until the transaction ends; refused
--                                     in autocommit (25P01)
--   spec ignore_permissions           the statements of that one call
--   patches                           their transaction, one audit row
--                                     "patch <name>"
.parameter set @root "'@ROOT@'"
.read @ROOT@/tests/sqlite/seed/blog.sql
SELECT 1 FROM viper_models WHERE label LIKE 'blog.%' AND viper_revoke(label, 'all', '*') < 0;
SELECT viper_grant('blog.Post', 'select', 'authenticated', 'author_id = principal()');
SELECT viper_set_principal('1');
SELECT viper_count('blog.Post'), viper__bypass_active();
-- in autocommit there is no transaction to end a bypass: refused
SELECT viper_bypass_permissions('nightly fix');
SELECT viper_bypass_permissions(NULL);
SELECT viper_bypass_permissions('');
SELECT viper_bypass_permissions('  ');
SELECT count(*) FROM viper_audit_log;
-- inside BEGIN: everything, for reads and writes, until COMMIT
BEGIN;
SELECT viper_bypass_permissions('nightly fix');
SELECT viper__bypass_active(), viper_count('blog.Post'), viper_count('blog.Tag');
SELECT viper_update('blog.Post', '{"where": {"id": 4}}', '{"views": 43}');
SELECT json_extract(viper_insert('blog.Tag', '{"name": "fixed", "slug": "fixed"}'), '$.slug');
COMMIT;
SELECT viper__bypass_active(), viper_count('blog.Post'), viper_count('blog.Tag');
SELECT views FROM blog_post WHERE id = 4;
SELECT db_user, principal, action, model, reason, ts GLOB '????-??-??T??:??:??.???Z' FROM viper_audit_log ORDER BY id;
-- ROLLBACK ends it too (and undoes its audit row with everything else;
-- sqlite3_log gets a notice that survives)
BEGIN;
SELECT viper_bypass_permissions('undone');
SELECT viper__bypass_active();
ROLLBACK;
SELECT viper__bypass_active(), viper_count('blog.Post');
SELECT count(*) FROM viper_audit_log WHERE reason = 'undone';
-- the principal is recorded with the bypass (NULL when anonymous)
SELECT viper_set_principal(NULL);
BEGIN;
SELECT viper_bypass_permissions('anonymous maintenance');
COMMIT;
SELECT principal, reason FROM viper_audit_log ORDER BY id DESC LIMIT 1;
SELECT viper_set_principal('1');
-- ignore_permissions: only for that call, one audit row per call
SELECT viper_count('blog.Post', '{"ignore_permissions": true}'), viper__bypass_active();
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"ignore_permissions": true, "order_by": ["id"]}');
SELECT viper_update('blog.Post', '{"where": {"id": 5}, "ignore_permissions": true}', '{"views": 1001}');
SELECT viper_delete('blog.Comment', '{"where": {"id": 2}, "ignore_permissions": true}');
SELECT viper__bypass_active(), viper_count('blog.Post'), viper_count('blog.Comment');
SELECT principal, action, model, reason FROM viper_audit_log WHERE reason LIKE 'ignore_permissions%' ORDER BY id;
-- a call with ignore_permissions does not lend it to the next statement
-- of the same query, nor survive its own error
SELECT viper_count('blog.Post', '{"ignore_permissions": true}') AS a, viper_count('blog.Post') AS b;
SELECT viper_update('blog.Post', '{"where": {"id": 5}, "ignore_permissions": true}', '{"slug": "python-tips"}');
SELECT viper__bypass_active(), viper_count('blog.Post');
SELECT viper_get('blog.Post', '{"where": {"id": 99}, "ignore_permissions": true}');
SELECT viper__bypass_active();
SELECT viper_count('blog.Post', '{"ignore_permissions": "yes"}');
-- patches run under a bypass for their transaction, audited once
SELECT viper_apply_patch('blog.0001_touch', 'UPDATE blog_post SET views = views + 1 WHERE id = 6; SELECT viper_update(''blog.Post'', ''{"where": {"id": 3}}'', ''{"views": 301}'')');
SELECT views FROM blog_post WHERE id IN (3, 6) ORDER BY id;
SELECT viper__bypass_active();
SELECT principal, action, reason FROM viper_audit_log WHERE reason LIKE 'patch%' ORDER BY id;
BEGIN IMMEDIATE;
SELECT viper__bypass_active();
SELECT viper_patch_claim('blog.0002_claimed', 'post', 0, '0000000000000000000000000000000000000000000000000000000000000000');
SELECT viper__bypass_active(), viper_count('blog.Post');
SELECT viper_patch_done('blog.0002_claimed');
COMMIT;
SELECT viper__bypass_active(), viper_count('blog.Post');
SELECT count(*) FROM viper_audit_log WHERE reason = 'patch blog.0002_claimed';
-- a patch already applied runs nothing and raises no bypass
BEGIN IMMEDIATE;
SELECT viper_patch_claim('blog.0002_claimed', 'post', 0, '0000000000000000000000000000000000000000000000000000000000000000');
SELECT viper__bypass_active();
COMMIT;
-- DIRECTONLY: not from a view or trigger in the database
CREATE VIEW bp AS SELECT viper_bypass_permissions('hidden');
BEGIN;
SELECT * FROM bp;
ROLLBACK;
DROP VIEW bp;
SELECT viper_bypass_permissions();
