-- writes: viper_insert, viper_bulk_create, viper_update (values and F
-- expressions, max_affected within its bound), viper_bulk_update and
-- viper_delete on the blog example. Defaults, ids and
-- auto_now/auto_now_add come from the database; bulk_create runs one
-- statement per batch (counted by a trigger-free changes() check). Each
-- call in autocommit is a transaction of its own; inside the caller's
-- transaction it is a savepoint.
.parameter set @root "'@ROOT@'"
.read @ROOT@/tests/sqlite/seed/blog.sql
-- insert returns the stored row: id and defaults filled by the database
SELECT json_remove(viper_insert('blog.Tag', '{"name": "sqlite", "slug": "sqlite"}'), '$.none');
SELECT json_remove(viper_insert('blog.Author', '{"name": "Dora", "email": "dora@example.org"}'), '$.joined_on');
SELECT json_extract(viper_insert('blog.Author', '{"name": "Eve", "email": "eve@example.org"}'), '$.joined_on') = date('now');
-- auto_now_add / auto_now are set by the database even when the row names them
SELECT json_remove(viper_insert('blog.Post', '{"title": "New", "slug": "new", "body": "b", "author": 5, "created_at": "2000-01-01T00:00:00Z", "updated_at": "2000-01-01T00:00:00Z"}'), '$.created_at', '$.updated_at');
SELECT created_at > '2020' AND updated_at = created_at AND created_at GLOB '????-??-??T??:??:??.???Z' FROM blog_post WHERE slug = 'new';
-- a ForeignKey is given as "author" or "author_id"; typed values are
-- converted (decimal, timestamps with an offset, JSON, arrays)
SELECT json_remove(viper_insert('blog.Post', '{"title": "Typed", "slug": "typed", "body": "b", "author_id": 5, "rating": "4.5", "score": 1, "publish_at": "2024-03-01T12:00:00+02:00", "metadata": {"a": [1, 2]}, "keywords": ["x", "y"], "status": "published"}'), '$.created_at', '$.updated_at');
SELECT typeof(rating), rating, publish_at, metadata, keywords FROM blog_post WHERE slug = 'typed';
-- update: plain values and F expressions; auto_now moves updated_at
UPDATE blog_post SET updated_at = '2000-01-01T00:00:00.000Z' WHERE slug = 'typed';
SELECT viper_update('blog.Post', '{"where": {"slug": "typed"}}', '{"title": "Typed 2", "views": {"$add": [{"$f": "views"}, 5]}}');
SELECT title, views, updated_at > '2020' FROM blog_post WHERE slug = 'typed';
SELECT viper_update('blog.Post', '{"where": {"status": "draft"}}', '{"score": {"$div": [{"$f": "score"}, 2]}}');
SELECT id, score FROM blog_post WHERE status = 'draft' ORDER BY id;
SELECT viper_update('blog.Post', '{"where": {"views__gt": 1000000}}', '{"views": 0}');
-- within max_affected nothing is refused
SELECT viper_update('blog.Post', '{"where": {"status": "draft"}, "max_affected": 3}', '{"views": {"$mul": [{"$f": "views"}, 1]}}');
SELECT viper_update('blog.Post', '{"where": {"status": "draft"}, "max_affected": 3}', '{"status": "draft"}');
-- bulk_update: each row carries its pk; one statement for all of them
SELECT viper_bulk_update('blog.Post', '[{"id": 1, "views": 1, "title": "One"}, {"id": 2, "views": 2, "title": "Two"}, {"id": 99, "views": 3, "title": "None"}]', '["views", "title"]');
SELECT id, views, title FROM blog_post WHERE id IN (1, 2) ORDER BY id;
-- bulk_create: one multi-row INSERT; missing keys take the field's default
SELECT viper_bulk_create('blog.Tag', '[{"name": "t1", "slug": "t1"}, {"name": "t2", "slug": "t2", "color": "#000000"}, {"slug": "t3", "name": "t3"}]');
SELECT name, color FROM blog_tag WHERE name LIKE 't_' ORDER BY name;
SELECT viper_bulk_create('blog.Tag', '[]');
-- 2,500 rows: several batches, all or nothing
SELECT viper_bulk_create('blog.Tag', (WITH RECURSIVE x(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM x WHERE i < 2500) SELECT json_group_array(json_object('name', 'bulk' || i, 'slug', 'bulk-' || i)) FROM x));
SELECT count(*), min(id) < max(id) FROM blog_tag WHERE name LIKE 'bulk%';
SELECT viper_bulk_create('blog.Tag', (WITH RECURSIVE x(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM x WHERE i < 2500) SELECT json_group_array(json_object('name', 'again' || i, 'slug', CASE WHEN i = 2400 THEN 'bulk-1' ELSE 'again-' || i END)) FROM x));
SELECT count(*) FROM blog_tag WHERE name LIKE 'again%';
-- delete
SELECT viper_delete('blog.Tag', '{"where": {"name__startswith": "bulk"}}');
SELECT viper_delete('blog.Tag', '{"where": {"name__startswith": "bulk"}}');
SELECT viper_delete('blog.Post', '{"where": {"slug__in": ["new", "typed"]}}');
SELECT count(*) FROM blog_post;
-- inside the caller's transaction: a savepoint each; ROLLBACK undoes them
BEGIN;
SELECT json_extract(viper_insert('blog.Tag', '{"name": "tx", "slug": "tx"}'), '$.name');
SELECT viper_update('blog.Tag', '{"where": {"name": "tx"}}', '{"color": "#123456"}');
SELECT name, color FROM blog_tag WHERE name = 'tx';
ROLLBACK;
SELECT count(*) FROM blog_tag WHERE name = 'tx';
-- called once per row of an application statement
CREATE TEMP TABLE incoming (name TEXT);
INSERT INTO incoming VALUES ('in1'), ('in2');
SELECT json_extract(viper_insert('blog.Tag', json_object('name', name, 'slug', name)), '$.name') FROM incoming ORDER BY name;
SELECT count(*) FROM blog_tag WHERE name LIKE 'in_';
-- inside an autocommit statement that writes: that statement's transaction
CREATE TEMP TABLE made (r TEXT);
INSERT INTO made SELECT json_extract(viper_insert('blog.Tag', json_object('name', 'w' || name, 'slug', 'w' || name)), '$.name') FROM incoming;
SELECT r FROM made ORDER BY r;
-- NULL arguments give NULL
SELECT viper_insert('blog.Tag', NULL), viper_update(NULL, '{}', '{}'), viper_delete('blog.Tag', NULL), viper_bulk_create('blog.Tag', NULL);
