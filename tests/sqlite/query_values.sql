-- query_values: values (only the listed keys, FK paths allowed),
-- only/defer (the primary key always comes), distinct, limit/offset and
-- the per-connection cap viper_set('max_query_rows', n), on the seeded blog.
.parameter set @root "'@ROOT@'"
.read @ROOT@/tests/sqlite/seed/blog.sql
SELECT row FROM viper_query('blog.Post', '{"values": ["title", "views"], "order_by": ["id"], "limit": 3}');
SELECT row FROM viper_query('blog.Post', '{"values": ["title", "author__name", "author__email"], "where": {"id__in": [1, 4]}, "order_by": ["id"]}');
SELECT row FROM viper_query('blog.Comment', '{"values": ["body", "author__name", "post__author__name"], "order_by": ["id"]}');
SELECT row FROM viper_query('blog.Post', '{"values": ["status"], "distinct": true, "order_by": ["status"]}');
SELECT row FROM viper_query('blog.Post', '{"values": ["keywords", "metadata", "rating", "publish_at"], "order_by": ["id"], "limit": 2}');
-- a ManyToMany path in values: one row per link (null without links)
SELECT row FROM viper_query('blog.Post', '{"values": ["id", "tags__name"], "order_by": ["id", "tags__name"]}');
-- only / defer
SELECT row FROM viper_query('blog.Post', '{"only": ["title"], "order_by": ["id"], "limit": 2}');
SELECT row FROM viper_query('blog.Post', '{"defer": ["body", "metadata", "keywords", "cover", "publish_at", "created_at", "updated_at"], "order_by": ["id"], "limit": 2}');
-- limit / offset
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"order_by": ["id"], "limit": 2, "offset": 1}');
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"order_by": ["id"], "offset": 4}');
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"order_by": ["id"], "limit": 0}');
-- max_query_rows: 0 (default) = no cap; a cap truncates like LIMIT (the
-- smaller of both wins)
SELECT viper_setting('max_query_rows');
SELECT viper_set('max_query_rows', 3);
SELECT viper_setting('max_query_rows');
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"order_by": ["id"]}');
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"order_by": ["id"], "limit": 2}');
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"order_by": ["id"], "limit": 5, "offset": 2}');
SELECT viper_get('blog.Post', '{"where": {"id": 5}}') IS NOT NULL;
SELECT viper_set('max_query_rows', '0');
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"order_by": ["id"]}');
SELECT viper_set('max_query_rows', -1);
SELECT viper_set('max_query_rows', 'many');
SELECT viper_set('max_query_rows', 2.5);
SELECT viper_set('max_rows', 3);
SELECT viper_setting('statement_timeout');
SELECT viper_setting(NULL);
-- the setting belongs to this connection only: a new connection starts at 0
SELECT viper_set('max_query_rows', 1);
.open '@TESTDIR@/other.db'
.load '@VIPER_EXT@'
SELECT viper_setting('max_query_rows');
-- viper_set may not run from a view or trigger (DIRECTONLY)
CREATE VIEW cap AS SELECT viper_set('max_query_rows', 5) AS v;
SELECT * FROM cap;
-- errors
.open ':memory:'
.load '@VIPER_EXT@'
.parameter set @root "'@ROOT@'"
.read @ROOT@/tests/sqlite/seed/blog.sql
SELECT count(*) FROM viper_query('blog.Post', '{"only": ["title"], "defer": ["body"]}');
SELECT count(*) FROM viper_query('blog.Post', '{"only": ["titel"]}');
SELECT count(*) FROM viper_query('blog.Post', '{"limit": -1}');
SELECT count(*) FROM viper_query('blog.Post', '{"limit": "5"}');
SELECT count(*) FROM viper_query('blog.Post', '{"offset": 1.5}');
SELECT count(*) FROM viper_query('blog.Post', '{"values": "title"}');
SELECT count(*) FROM viper_query('blog.Post', '{"distinct": "yes"}');
