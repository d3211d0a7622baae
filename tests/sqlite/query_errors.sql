-- query_errors: every error path of the read functions with its message
-- and SQLSTATE (DESIGN §9) — malformed specs, unknown models, fields and
-- lookups, wrong value types, limits, get()'s P0002/P0003, for_update
-- outside a transaction, ignore_permissions auditing, and compile, which
-- shows placeholders and never a value.
.parameter set @root "'@ROOT@'"
.read @ROOT@/tests/sqlite/seed/blog.sql
-- unknown model (42P01, nearest label as hint) and malformed specs (22P02 / 22023)
SELECT count(*) FROM viper_query('blog.Pst', '{}');
SELECT viper_count('nope', '{}');
SELECT viper_count('blog.Post', 'not json');
SELECT viper_count('blog.Post', '[1, 2]');
SELECT viper_count('blog.Post', '{"wher": {}}');
SELECT viper_count('blog.Post', '{"where": []}');
SELECT viper_count('blog.Post', '{"where": {"title__like": "x"}}');
SELECT viper_count('blog.Post', '{"where": {"titel": "x"}}');
SELECT viper_count('blog.Post', '{"where": {"title__contains": null}}');
-- values typed by the field (22P02 / 22003 / 22007), never echoed
SELECT viper_count('blog.Post', '{"where": {"views": "many"}}');
SELECT viper_count('blog.Post', '{"where": {"views": 1.5}}');
SELECT viper_count('blog.Post', '{"where": {"views": 99999999999}}');
SELECT viper_count('blog.Post', '{"where": {"publish_at__gt": "yesterday"}}');
SELECT viper_count('blog.Post', '{"where": {"publish_at": "2024-02-30"}}');
SELECT viper_count('blog.Author', '{"where": {"is_active": "yes"}}');
SELECT viper_count('blog.Author', '{"where": {"public_id": "not-a-uuid"}}');
SELECT viper_count('blog.Post', '{"where": {"views__in": 5}}');
SELECT viper_count('blog.Post', '{"where": {"views__range": [1]}}');
SELECT viper_count('blog.Post', '{"where": {"rating__isnull": "yes"}}');
-- regular expressions pass validate_regex_pattern first (2201B)
SELECT viper_count('blog.Post', '{"where": {"title__regex": "(a+)+"}}');
SELECT viper_count('blog.Post', '{"where": {"title__regex": "(a"}}');
SELECT viper_count('blog.Post', '{"where": {"title__iregex": "\\1"}}');
-- limits (54001): in lists of more than 10,000 items, specs over 1 MiB
SELECT viper_count('blog.Post', json_object('where', json_object('id__in', (WITH RECURSIVE x(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM x WHERE i < 10001) SELECT json_group_array(i) FROM x))));
SELECT viper_count('blog.Post', json_object('where', json_object('id__in', (WITH RECURSIVE x(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM x WHERE i < 10000) SELECT json_group_array(i) FROM x))));
SELECT viper_count('blog.Post', json_object('where', json_object('title', printf('%.1048600c', 'x'))));
-- get: exactly one row (P0002 none, P0003 several)
SELECT viper_get('blog.Post', '{"where": {"slug": "ways"}, "only": ["title"]}');
SELECT viper_get('blog.Post', '{"where": {"slug": "nope"}}');
SELECT viper_get('blog.Post', '{"where": {"status": "draft"}}');
SELECT viper_get('blog.Post', '{"where": {"status": "draft"}, "order_by": ["id"], "offset": 1}');
-- for_update needs a transaction (SQLite locks the whole database in a
-- write transaction: inside one it compiles to nothing more)
SELECT count(*) FROM viper_query('blog.Post', '{"for_update": {}}');
SELECT viper_get('blog.Post', '{"where": {"id": 1}, "for_update": {"nowait": true}, "only": ["id"]}');
BEGIN IMMEDIATE;
SELECT count(*) FROM viper_query('blog.Post', '{"for_update": {}}');
SELECT viper_get('blog.Post', '{"where": {"id": 1}, "for_update": {"nowait": true}, "only": ["id"]}');
COMMIT;
SELECT count(*) FROM viper_query('blog.Post', '{"for_update": {"nowait": true, "skip_locked": true}}');
SELECT count(*) FROM viper_query('blog.Post', '{"for_update": true}');
SELECT count(*) FROM viper_query('blog.Post', '{"for_update": {"wait": 5}}');
-- ignore_permissions: allowed on SQLite (no roles; DESIGN §12) and audited
SELECT count(*) FROM viper_audit_log;
SELECT viper_count('blog.Post', '{"ignore_permissions": true}');
SELECT count(*) FROM viper_query('blog.Tag', '{"ignore_permissions": true}');
SELECT viper_count('blog.Post', '{"ignore_permissions": false}');
SELECT action, model, reason, db_user, principal, ts GLOB '????-??-??T??:??:??.???Z' FROM viper_audit_log ORDER BY id;
SELECT viper_count('blog.Post', '{"ignore_permissions": "yes"}');
-- compile: the statement and its parameters; the SQL holds ?N
-- placeholders and never a value
SELECT viper_compile('blog.Post', '{"where": {"title__icontains": "secret-value", "views__gt": 31337}, "limit": 5}');
SELECT json_extract(c, '$.sql') LIKE '%secret%' OR json_extract(c, '$.sql') LIKE '%31337%' AS leaks,
	   json_extract(c, '$.sql') LIKE '%?1%' AND json_extract(c, '$.sql') LIKE '%?2%' AS placeholders,
	   json_extract(c, '$.params') AS params
FROM (SELECT viper_compile('blog.Post', '{"where": {"title__icontains": "secret-value", "views__gt": 31337}, "limit": 5}') AS c);
SELECT viper_compile('blog.Tag');
SELECT viper_compile('blog.Tag', '{"where": {"name__regex": "^p", "color": null}, "only": ["name"]}');
SELECT viper_compile('blog.Tag', '{"where": {"nme": 1}}');
-- the catalog is cached per connection and reloaded when it changes: a
-- model registered later is found at once
SELECT viper_count('shop.Item');
SELECT json_array_length(viper_migrate('[{"app": "shop", "name": "Item", "fields": [{"name": "sku", "type": "CharField", "max_length": 20}]}]'));
SELECT viper_count('shop.Item');
-- a model whose table is missing or differs from the catalog: the
-- statement fails on the unknown name (double-quoted names are never
-- read as strings)
SELECT viper_register_model('{"app": "shop", "name": "Ghost", "fields": [{"name": "sku", "type": "CharField", "max_length": 20}]}');
SELECT viper_count('shop.Ghost');
CREATE TABLE shop_ghost (id INTEGER PRIMARY KEY);
SELECT count(*) FROM viper_query('shop.Ghost');
SELECT viper_count('shop.Ghost', '{"where": {"sku": "a"}}');
-- wrong arity
SELECT viper_get('blog.Post');
SELECT viper_count();
SELECT count(*) FROM viper_query;
SELECT count(*) FROM viper_query('blog.Post', '{}', 3);
