-- permissions: row-level grants on SQLite (DESIGN §8, §12 "SQLite
-- specifics") — default deny, the roles "*", anonymous, authenticated and
-- an application role, two principals, denied writes (42501) rolled back,
-- update/delete the grants do not allow touching 0 rows, count and
-- aggregate, revoke, one compiled statement for every principal, the
-- principal's life time (cleared at COMMIT/ROLLBACK when set inside
-- BEGIN, kept in autocommit until cleared), and grant validation.
-- SQLite has no row-level security: raw SQL is never filtered.
.parameter set @root "'@ROOT@'"
.read @ROOT@/tests/sqlite/seed/blog.sql
-- start from no grants at all (the seed grants everything to everyone)
SELECT 1 FROM viper_models WHERE label LIKE 'blog.%' AND viper_revoke(label, 'all', '*') < 0;
SELECT count(*) FROM viper_grants;
-- default deny: no grant, no rows and no writes
SELECT viper_principal(), viper_principal_roles(), viper__bypass_active();
SELECT viper_count('blog.Post'), viper_exists('blog.Post');
SELECT count(*) FROM viper_query('blog.Post');
SELECT viper_get('blog.Post', '{"where": {"id": 1}}');
SELECT viper_aggregate('blog.Post', '{"aggregate": {"n": {"$count": "id"}, "v": {"$sum": "views"}}}');
SELECT viper_insert('blog.Tag', '{"name": "denied", "slug": "denied"}');
SELECT viper_update('blog.Post', '{}', '{"views": 0}');
SELECT viper_delete('blog.Comment', '{}');
-- raw SQL is not filtered: SQLite has no RLS, the process is the boundary
SELECT count(*), sum(views) FROM blog_post;
-- a model with meta.permissions false needs no grant
SELECT json_extract(viper_get_or_create_single('blog.SiteSettings'), '$.id') IS NOT NULL;
-- anonymous: only while no principal is set
SELECT viper_grant('blog.Tag', 'select', 'anonymous');
SELECT group_concat(json_extract(row, '$.slug')) FROM viper_query('blog.Tag');
SELECT viper_set_principal('1');
SELECT viper_principal(), viper_principal_roles();
SELECT viper_count('blog.Tag');
-- authenticated with a predicate over the model's columns and principal()
SELECT viper_grant('blog.Post', 'select', 'authenticated', 'author_id = principal()');
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"order_by": ["id"]}');
SELECT viper_count('blog.Post'), viper_aggregate('blog.Post', '{"aggregate": {"n": {"$count": "id"}, "v": {"$sum": "views"}}}');
SELECT json_extract(viper_get('blog.Post', '{"where": {"id": 1}}'), '$.title');
SELECT viper_get('blog.Post', '{"where": {"id": 4}}');
-- a second principal sees other rows through the same grant
SELECT viper_set_principal('2');
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"order_by": ["id"]}');
SELECT viper_count('blog.Post', '{"where": {"status": "draft"}}');
-- a principal that is not an integer matches no integer column
SELECT viper_set_principal('alice');
SELECT viper_count('blog.Post');
SELECT viper_set_principal('2x');
SELECT viper_count('blog.Post');
-- an application role: a name among the principal's roles
SELECT viper_grant('blog.Post', 'select', 'editor', 'status = ''draft''');
SELECT viper_set_principal('3', '["editor", "reviewer"]');
SELECT viper_principal(), viper_principal_roles();
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"order_by": ["id"]}');
SELECT viper_set_principal('3', '["reviewer"]');
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"order_by": ["id"]}');
-- roles are case-sensitive
SELECT viper_set_principal('3', '["Editor"]');
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"order_by": ["id"]}');
-- "*": everyone, with or without a principal
SELECT viper_grant('blog.Author', 'select', '*', 'is_active = true');
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Author', '{"order_by": ["id"]}');
SELECT viper_set_principal(NULL);
SELECT viper_principal(), viper_principal_roles();
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Author', '{"order_by": ["id"]}');
SELECT viper_count('blog.Post');
-- the compiled statement is the same for every principal (one cached
-- statement serves all): who is asking is read inside the SQL; the
-- bypass is not (a bypassing call is compiled without the predicate)
SELECT viper_set_principal('1');
CREATE TEMP TABLE c1 AS SELECT viper_compile('blog.Post', '{"where": {"views__gt": 5}}') AS c;
SELECT viper_set_principal('2', '["editor"]');
SELECT viper_compile('blog.Post', '{"where": {"views__gt": 5}}') = (SELECT c FROM c1);
SELECT json_extract(c, '$.sql') LIKE '%(SELECT viper_principal())%' AND json_extract(c, '$.sql') NOT LIKE '%bypass%', json_extract(c, '$.params') FROM c1;
DROP TABLE c1;
-- writes: an insert no grant allows is 42501 and leaves nothing behind
SELECT viper_set_principal('1');
SELECT viper_insert('blog.Post', '{"title": "Mine", "slug": "mine", "body": "b", "author": 1}');
SELECT count(*) FROM blog_post WHERE slug = 'mine';
SELECT viper_grant('blog.Post', 'insert', 'authenticated', 'author_id = principal()');
SELECT json_extract(viper_insert('blog.Post', '{"title": "Mine", "slug": "mine", "body": "b", "author": 1}'), '$.author_id');
-- a new row failing the predicate: 42501, rolled back
SELECT viper_insert('blog.Post', '{"title": "Theirs", "slug": "theirs", "body": "b", "author": 2}');
SELECT count(*) FROM blog_post WHERE slug = 'theirs';
-- bulk_create: one bad row refuses the whole call
SELECT viper_bulk_create('blog.Post', '[{"title": "B1", "slug": "b1", "body": "b", "author": 1}, {"title": "B2", "slug": "b2", "body": "b", "author": 2}]');
SELECT count(*) FROM blog_post WHERE slug IN ('b1', 'b2');
SELECT viper_bulk_create('blog.Post', '[{"title": "B1", "slug": "b1", "body": "b", "author": 1}, {"title": "B3", "slug": "b3", "body": "b", "author": 1}]');
-- inside the caller's transaction only the refused call is undone
BEGIN;
SELECT json_extract(viper_insert('blog.Post', '{"title": "T1", "slug": "t1", "body": "b", "author": 1}'), '$.slug');
SELECT viper_insert('blog.Post', '{"title": "T2", "slug": "t2", "body": "b", "author": 3}');
SELECT json_extract(viper_get_or_create('blog.Post', '{"slug": "t3"}', '{"title": "T3", "body": "b", "author": 1}'), '$.created');
SELECT viper_get_or_create('blog.Post', '{"slug": "t4"}', '{"title": "T4", "body": "b", "author": 4}');
COMMIT;
SELECT group_concat(slug) FROM (SELECT slug FROM blog_post WHERE slug GLOB 't[0-9]' ORDER BY slug);
-- update and delete the grants do not allow affect 0 rows
SELECT viper_update('blog.Post', '{}', '{"views": 0}');
SELECT viper_delete('blog.Post', '{"where": {"slug": "mine"}}');
SELECT viper_grant('blog.Post', 'update', 'authenticated', 'author_id = principal()');
SELECT viper_update('blog.Post', '{}', '{"views": {"$add": [{"$f": "views"}, 1]}}');
SELECT id, views FROM blog_post WHERE id <= 6 ORDER BY id;
SELECT viper_update('blog.Post', '{"where": {"id": 4}}', '{"views": 0}');
SELECT viper_bulk_update('blog.Post', '[{"id": 1, "views": 7}, {"id": 4, "views": 7}]', '["views"]');
SELECT id, views FROM blog_post WHERE id IN (1, 4) ORDER BY id;
-- the new version of an updated row must pass the grant too (WITH CHECK)
SELECT viper_update('blog.Post', '{"where": {"id": 1}}', '{"author": 2}');
SELECT author_id FROM blog_post WHERE id = 1;
SELECT viper_update_or_create('blog.Post', '{"slug": "mine"}', '{"author": 3}');
SELECT author_id FROM blog_post WHERE slug = 'mine';
SELECT json_extract(viper_update_or_create('blog.Post', '{"slug": "mine"}', '{"title": "Mine 2"}'), '$.row.title');
SELECT viper_grant('blog.Post', 'delete', 'authenticated', 'author_id = principal() AND status = ''draft''');
SELECT viper_delete('blog.Post', '{"where": {"id__in": [1, 2, 4, 5]}}');
SELECT group_concat(id) FROM (SELECT id FROM blog_post WHERE id <= 6 ORDER BY id);
-- "all" counts for every action; revoke takes a grant away again (1 when
-- there was one, 0 when not)
SELECT viper_grant('blog.Tag', 'ALL', 'editor');
SELECT model, action, role, predicate FROM viper_grants ORDER BY model, action, role;
SELECT viper_set_principal('9', '["editor"]');
SELECT viper_count('blog.Tag'), json_extract(viper_insert('blog.Tag', '{"name": "new", "slug": "new"}'), '$.slug');
SELECT viper_revoke('blog.Tag', 'all', 'editor');
SELECT viper_count('blog.Tag');
SELECT viper_revoke('blog.Tag', 'all', 'editor');
SELECT viper_revoke('blog.Post', 'select', 'authenticated');
SELECT viper_set_principal('2');
SELECT viper_count('blog.Post');
-- granting again replaces the predicate of (model, action, role)
SELECT viper_grant('blog.Post', 'select', 'authenticated', 'views > 100');
SELECT viper_grant('blog.Post', 'select', 'authenticated', 'views > 1000');
SELECT predicate FROM viper_grants WHERE model = 'blog.Post' AND action = 'select' AND role = 'authenticated';
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"order_by": ["id"]}');
-- each grant and revoke moves the catalog version (caches reload)
CREATE TEMP TABLE v0 AS SELECT viper_catalog_version() AS v;
SELECT viper_grant('blog.Comment', 'select', '*');
SELECT viper_catalog_version() > (SELECT v FROM v0);
DROP TABLE v0;
-- the principal's life time: set inside BEGIN it ends with the transaction
SELECT viper_set_principal(NULL);
BEGIN;
SELECT viper_set_principal('1', '["editor"]');
SELECT viper_principal(), viper_principal_roles();
COMMIT;
SELECT viper_principal(), viper_principal_roles();
BEGIN;
SELECT viper_set_principal('1');
SELECT viper_count('blog.Post', '{"where": {"author": 1}}') >= 0, viper_principal();
ROLLBACK;
SELECT viper_principal();
-- also when the transaction only read (no commit hook without a write)
BEGIN;
SELECT viper_set_principal('1');
SELECT count(*) > 0 FROM blog_post;
COMMIT;
BEGIN;
SELECT viper_principal();
COMMIT;
-- set in autocommit it stays on the connection, also across transactions
SELECT viper_set_principal('5', '["a"]');
BEGIN;
SELECT viper_principal();
COMMIT;
SELECT viper_principal(), viper_principal_roles();
-- ... until changed inside a transaction (then it ends with it) or cleared
BEGIN;
SELECT viper_set_principal('6');
COMMIT;
SELECT viper_principal();
SELECT viper_set_principal('5');
SELECT viper_set_principal(NULL);
SELECT viper_principal(), viper_principal_roles();
-- set_principal's arguments
SELECT viper_set_principal('');
SELECT viper_set_principal('1', '{"editor": true}');
SELECT viper_set_principal('1', '["editor", 5]');
SELECT viper_set_principal('1', '["editor"');
SELECT viper_set_principal('1', NULL), viper_principal_roles();
SELECT viper_set_principal(NULL);
-- session and grant functions cannot be hidden in schema objects
-- (DIRECTONLY; TEMP objects are the application's own and may use them)
CREATE VIEW who AS SELECT viper_set_principal('1');
SELECT * FROM who;
DROP VIEW who;
CREATE VIEW g AS SELECT viper_grant('blog.Tag', 'select', '*');
SELECT * FROM g;
DROP VIEW g;
SELECT viper_principal();
-- grant validation: every error names the grant
SELECT viper_grant('blog.Nope', 'select', '*');
SELECT viper_grant('blog.Post', 'read', '*');
SELECT viper_grant('blog.Post', 'select', 'an editor');
SELECT viper_grant('blog.Post', 'select', '');
SELECT viper_grant('blog.Post', 'select', 'editor', 'nope = 1');
SELECT viper_grant('blog.Post', 'select', 'editor', 'views > 1; DROP TABLE blog_post');
SELECT viper_grant('blog.Post', 'select', 'editor', '(SELECT 1) = 1');
SELECT viper_grant('blog.Post', 'select', 'editor', 'views > ''many''');
SELECT viper_grant('blog.Post', 'select', 'editor', 'views > 1 -- x');
SELECT viper_revoke('blog.Post', 'drop', '*');
SELECT viper_revoke('blog.Nope', 'select', '*');
-- NULL arguments are refused and change nothing
SELECT viper_grant(NULL, 'select', '*');
SELECT viper_grant('blog.Tag', NULL, '*');
SELECT viper_revoke('blog.Tag', 'select', NULL);
SELECT count(*) FROM viper_grants WHERE model = 'blog.Tag';
-- wrong arity is refused by SQLite
SELECT viper_grant('blog.Tag', 'select');
SELECT viper_revoke('blog.Tag', 'select', '*', 'x');
SELECT viper_set_principal();
SELECT viper_principal('x');
