-- writes_errors: every way a write is refused, with SQLSTATE, message,
-- detail and hint — validation by core (null, blank, max_length 22001,
-- choices, wrong types 22P02 / 22007 / 22003, unknown model 42P01 and
-- field 42703 with the nearest name), read_only models (25006), malformed
-- arguments (22023), constraints the database enforces (23505, 23503,
-- 23514, 23502), and max_affected (P0003) leaving every row unchanged.
.parameter set @root "'@ROOT@'"
.read @ROOT@/tests/sqlite/seed/blog.sql
-- a read-only model's rows come from elsewhere
SELECT json_array_length(viper_migrate('[{"app": "shop", "name": "Rate", "fields": [{"name": "code", "type": "CharField", "max_length": 3}], "meta": {"read_only": true}}]'));
SELECT viper_grant('shop.Rate', 'all', '*');
INSERT INTO shop_rate (code) VALUES ('EUR');
SELECT row FROM viper_query('shop.Rate');
SELECT viper_insert('shop.Rate', '{"code": "USD"}');
SELECT viper_bulk_create('shop.Rate', '[{"code": "USD"}]');
SELECT viper_update('shop.Rate', '{}', '{"code": "GBP"}');
SELECT viper_bulk_update('shop.Rate', '[{"id": 1, "code": "GBP"}]', '["code"]');
SELECT viper_delete('shop.Rate', '{}');
SELECT viper_get_or_create('shop.Rate', '{"code": "CHF"}');
SELECT count(*) FROM shop_rate;
-- insert: what core refuses before any SQL runs
SELECT viper_insert('blog.Tagg', '{"name": "x"}');
SELECT viper_insert('blog.Tag', '{"nam": "x", "slug": "x"}');
SELECT viper_insert('blog.Tag', '{"slug": "x"}');
SELECT viper_insert('blog.Tag', '{"name": null, "slug": "x"}');
SELECT viper_insert('blog.Tag', '{"name": "", "slug": "x"}');
SELECT viper_insert('blog.Tag', '{"name": "x", "slug": "x", "color": "#12345678"}');
SELECT viper_insert('blog.Post', '{"title": "T", "slug": "t", "body": "b", "author": 1, "status": "deleted"}');
SELECT viper_insert('blog.Post', '{"title": "T", "slug": "t", "body": "b", "author": 1, "views": -1}');
SELECT viper_insert('blog.Post', '{"title": "T", "slug": "t", "body": "b", "author": 1, "views": "ten"}');
SELECT viper_insert('blog.Post', '{"title": "T", "slug": "t", "body": "b", "author": 1, "rating": 12.25}');
SELECT viper_insert('blog.Post', '{"title": "T", "slug": "t", "body": "b", "author": 1, "publish_at": "soon"}');
SELECT viper_insert('blog.Post', '{"title": "T", "slug": "t", "body": "b", "author": 1, "keywords": "python"}');
SELECT viper_insert('blog.Post', '{"title": "T", "slug": "t", "body": "b", "author": 1, "tags": [1]}');
SELECT viper_insert('blog.Author', '{"name": "X", "email": "x@example.org", "public_id": "123"}');
SELECT viper_insert('blog.SiteSettings', '{"posts_per_page": 40000}');
SELECT viper_insert('blog.Tag', '[1]');
SELECT viper_insert('blog.Tag', 'nope');
-- insert: what the database refuses (its own messages; no values shown)
SELECT viper_insert('blog.Tag', '{"name": "db", "slug": "db2"}');
SELECT viper_insert('blog.Post', '{"title": "T", "slug": "t", "body": "b", "author": 1, "score": 2}');
PRAGMA foreign_keys = ON;
SELECT viper_insert('blog.Post', '{"title": "T", "slug": "t", "body": "b", "author": 99}');
SELECT viper_delete('blog.Author', '{"where": {"id": 1}}');
PRAGMA foreign_keys = OFF;
SELECT count(*) FROM blog_post WHERE slug = 't';
-- update
SELECT viper_update('blog.Post', '{"where": {"id": 1}}', '{"title": null}');
SELECT viper_update('blog.Post', '{"where": {"id": 1}}', '{"status": "gone"}');
SELECT viper_update('blog.Post', '{"where": {"id": 1}}', '{"nope": 1}');
SELECT viper_update('blog.Post', '{"where": {"id": 1}}', '{"views": {"$f": "nope"}}');
SELECT viper_update('blog.Post', '{"where": {"id": 1}}', '{}');
SELECT viper_update('blog.Post', '{"where": {"id": 1}}', '[]');
SELECT viper_update('blog.Post', '{"order_by": ["id"]}', '{"views": 1}');
SELECT viper_update('blog.Post', '{"where": {"id": 2}}', '{"slug": "python-tips"}');
SELECT viper_update('blog.Post', '{"where": {"id": 2}}', '{"tags": [1]}');
-- delete, bulk_create, bulk_update
SELECT viper_delete('blog.Post', '{"limit": 1}');
SELECT viper_delete('blog.Post', '{"where": {"nope": 1}}');
SELECT viper_bulk_create('blog.Tag', '{"name": "x"}');
SELECT viper_bulk_create('blog.Tag', '[{"name": "x", "slug": "x"}, 5]');
SELECT viper_bulk_create('blog.Tag', '[{"name": "x1", "slug": "x1"}, {"name": "x2"}]');
SELECT viper_bulk_update('blog.Post', '[{"views": 1}]', '["views"]');
SELECT viper_bulk_update('blog.Post', '[{"id": 1, "views": 1}]', '["nope"]');
SELECT viper_bulk_update('blog.Post', '[{"id": 1, "views": 1}]', '"views"');
SELECT viper_bulk_update('blog.Post', '[{"id": 1, "views": 1}]', '[]');
SELECT count(*) FROM blog_tag WHERE name LIKE 'x%';
-- max_affected exceeded: P0003, and the statement's changes are rolled back
SELECT viper_update('blog.Post', '{"where": {"status": "published"}, "max_affected": 3}', '{"views": 0}');
SELECT viper_delete('blog.Post', '{"max_affected": 5}');
SELECT count(*), sum(views) FROM blog_post;
SELECT viper_update('blog.Post', '{"max_affected": -1}', '{"views": 0}');
SELECT viper_update('blog.Post', '{"max_affected": "3"}', '{"views": 0}');
-- inside a transaction the failed statement leaves the earlier work alone
BEGIN;
SELECT viper_update('blog.Post', '{"where": {"id": 1}}', '{"views": 11}');
SELECT viper_update('blog.Post', '{"where": {"status": "published"}, "max_affected": 1}', '{"views": 0}');
SELECT id, views FROM blog_post WHERE status = 'published' ORDER BY id;
COMMIT;
-- exactly at the bound is allowed
SELECT viper_update('blog.Post', '{"where": {"status": "draft"}, "max_affected": 2}', '{"views": 5}');
SELECT viper_delete('blog.Comment', '{"where": {"post": 3}, "max_affected": 1}');
-- a read-only database: 25006 from SQLite itself
.open '@TESTDIR@/ro.db'
.load '@VIPER_EXT@'
.parameter set @root "'@ROOT@'"
SELECT json_array_length(viper_migrate('[' || readfile(@root || '/examples/blog/schemas/Tag.json') || ']'));
SELECT viper_grant('blog.Tag', 'all', '*');
.open --readonly '@TESTDIR@/ro.db'
.load '@VIPER_EXT@'
SELECT viper_insert('blog.Tag', '{"name": "ro", "slug": "ro"}');
SELECT viper_count('blog.Tag');
-- a locked database: 55P03 once the busy timeout runs out
.open '@TESTDIR@/ro.db'
.load '@VIPER_EXT@'
.connection 1
.open '@TESTDIR@/ro.db'
BEGIN EXCLUSIVE;
.connection 0
SELECT viper_insert('blog.Tag', '{"name": "busy", "slug": "busy"}');
.connection 1
ROLLBACK;
.connection 0
SELECT json_extract(viper_insert('blog.Tag', '{"name": "free", "slug": "free"}'), '$.name');
