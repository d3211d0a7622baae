-- query_relations: paths across ForeignKey, reverse relations and
-- ManyToMany in filters, ordering and `related` (select_related: nested
-- objects, null when the far row is absent), on the seeded blog.
.parameter set @root "'@ROOT@'"
.read @ROOT@/tests/sqlite/seed/blog.sql
WITH v(w) AS (VALUES
	('{"author__name": "Alice"}'),
	('{"author__name__istartswith": "C"}'),
	('{"author__is_active": false}'),
	('{"author__email__endswith": "@example.org", "views__gt": 100}'),
	('{"tags__name": "python"}'),
	('{"tags__name__in": ["python", "web"]}'),
	('{"tags__color": "#cccccc"}'),
	('{"tags": 2}'),
	('{"tags__isnull": true}'),
	('{"comments__is_approved": true}'),
	('{"comments__author__name": "Bob"}'),
	('{"$or": [{"author__name": "Bob"}, {"tags__name": "db"}]}')
)
SELECT w, (SELECT coalesce(group_concat(json_extract(q.row, '$.id')), '-')
		   FROM viper_query('blog.Post', json_object('where', json(w), 'order_by', json('["id"]'))) AS q) AS ids
FROM v;
-- a ManyToMany filter can repeat a row (Django); distinct folds them
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"where": {"tags__name__in": ["python", "web"]}, "order_by": ["id"], "only": ["id"]}');
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"where": {"tags__name__in": ["python", "web"]}, "order_by": ["id"], "only": ["id"], "distinct": true}');
SELECT viper_count('blog.Post', '{"where": {"tags__name__in": ["python", "web"]}}'), viper_count('blog.Post', '{"where": {"tags__name__in": ["python", "web"]}, "distinct": true}');
-- reverse paths from the other side
WITH v(w) AS (VALUES
	('{"posts__views__gte": 1000}'),
	('{"posts__tags__name": "web"}'),
	('{"posts__isnull": true}')
)
SELECT w, (SELECT coalesce(group_concat(json_extract(q.row, '$.id')), '-')
		   FROM viper_query('blog.Author', json_object('where', json(w), 'order_by', json('["id"]'), 'distinct', json('true'))) AS q) AS ids
FROM v;
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Tag', '{"where": {"posts__author__name": "Bob"}, "order_by": ["id"], "distinct": true}');
-- self reference: replies and their parents
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Comment', '{"where": {"parent__body__contains": "tips"}, "order_by": ["id"]}');
-- ordering through a relation (outer join: posts without match still come)
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"order_by": ["author__name", "id"], "only": ["id"]}');
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Comment', '{"order_by": ["-author__name", "id"], "only": ["id"]}');
-- related: nested objects; a NULL foreign key gives null
SELECT row FROM viper_query('blog.Post', '{"related": ["author"], "only": ["title"], "where": {"id__in": [1, 4]}, "order_by": ["id"]}');
SELECT row FROM viper_query('blog.Comment', '{"related": ["author", "post", "post__author"], "only": ["body"], "order_by": ["id"]}');
SELECT row FROM viper_query('blog.Comment', '{"related": ["parent"], "only": ["id"], "order_by": ["id"]}');
-- paths deeper than 5 relations: 54001
SELECT viper_count('blog.Comment', '{"where": {"parent__parent__parent__parent__parent__parent__body": "x"}}');
SELECT viper_count('blog.Comment', '{"where": {"parent__parent__parent__parent__parent__body": "x"}}');
-- unknown relation / field in a path: 42703 with a hint
SELECT viper_count('blog.Post', '{"where": {"auther__name": "Bob"}}');
SELECT viper_count('blog.Post', '{"where": {"author__nme": "Bob"}}');
SELECT viper_count('blog.Post', '{"related": ["title"]}');
SELECT viper_count('blog.Post', '{"related": ["tags"]}');
