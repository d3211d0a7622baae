-- query_ordering: order_by (directions, NULL placement — NULLS LAST for
-- ascending, NULLS FIRST for descending, as on PostgreSQL — relation
-- paths, the model's meta.ordering as default, the pk appended as the
-- last tie-breaker) and keyset pagination with `after`: walking every
-- page of a total order gives exactly the rows of the OFFSET walk.
.parameter set @root "'@ROOT@'"
.read @ROOT@/tests/sqlite/seed/blog.sql
WITH v(o) AS (VALUES
	('[]'),
	('["id"]'),
	('["-id"]'),
	('["views"]'),
	('["-views"]'),
	('["rating"]'),
	('["-rating"]'),
	('["rating", "-id"]'),
	('["publish_at"]'),
	('["-publish_at"]'),
	('["status", "-views"]'),
	('["score", "title"]'),
	('["author__name", "-id"]'),
	('["-author__joined_on"]'),
	('["title"]')
)
SELECT o, (SELECT group_concat(json_extract(q.row, '$.id'))
		   FROM viper_query('blog.Post', json_object('order_by', json(o))) AS q) AS ids
FROM v;
-- without order_by: meta.ordering (Post: -created_at; Author: name; Comment: created_at)
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post');
SELECT group_concat(json_extract(row, '$.name')) FROM viper_query('blog.Author');
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Comment');
-- "?" is a random order: every row still comes once
SELECT count(*), count(DISTINCT json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"order_by": ["?"]}');
-- keyset pages of 2 rows: `after` holds the values of the ordering terms
-- of the last row seen, the appended pk included. Each walk shows its
-- pages, then whether the pages joined equal the OFFSET walk.
WITH RECURSIVE o(name, ord, keys) AS (VALUES
	('-rating', '["-rating"]', '["rating", "id"]'),
	('rating', '["rating"]', '["rating", "id"]'),
	('status,-publish_at', '["status", "-publish_at"]', '["status", "publish_at", "id"]'),
	('-score,views', '["-score", "views"]', '["score", "views", "id"]'),
	('title', '["title"]', '["title", "id"]'),
	('-id', '["-id"]', '["id"]'),
	('-created_at (meta)', NULL, '["created_at", "id"]')
),
walk(name, n, after, ids) AS (
	SELECT name, 0, NULL, NULL FROM o
	UNION ALL
	SELECT w.name, w.n + 1,
		   (SELECT (SELECT json_group_array(json_extract(q.row, '$.' || k.value)) FROM json_each(o.keys) AS k)
			FROM viper_query('blog.Post', json_patch(json_object('limit', 2),
				json_object('order_by', json(coalesce(o.ord, 'null')), 'after', json(coalesce(w.after, 'null'))))) AS q
			ORDER BY q.rowid DESC LIMIT 1),
		   (SELECT group_concat(json_extract(q.row, '$.id'))
			FROM viper_query('blog.Post', json_patch(json_object('limit', 2),
				json_object('order_by', json(coalesce(o.ord, 'null')), 'after', json(coalesce(w.after, 'null'))))) AS q)
	FROM walk AS w JOIN o ON o.name = w.name
	WHERE w.n = 0 OR w.ids IS NOT NULL
),
offs(name, n, ids) AS (
	SELECT name, 0, NULL FROM o
	UNION ALL
	SELECT f.name, f.n + 1,
		   (SELECT group_concat(json_extract(q.row, '$.id'))
			FROM viper_query('blog.Post', json_patch(json_object('limit', 2, 'offset', 2 * f.n),
				json_object('order_by', json(coalesce(o.ord, 'null'))))) AS q)
	FROM offs AS f JOIN o ON o.name = f.name
	WHERE f.n = 0 OR f.ids IS NOT NULL
)
SELECT o.name,
	   (SELECT group_concat(ids, ' | ') FROM (SELECT ids FROM walk WHERE walk.name = o.name AND ids IS NOT NULL ORDER BY n)) AS keyset_pages,
	   (SELECT group_concat(ids, ' | ') FROM (SELECT ids FROM walk WHERE walk.name = o.name AND ids IS NOT NULL ORDER BY n))
	   = (SELECT group_concat(ids, ' | ') FROM (SELECT ids FROM offs WHERE offs.name = o.name AND ids IS NOT NULL ORDER BY n)) AS same_as_offset
FROM o;
-- one page by hand: after the row (rating 3.0, id 3) in -rating order
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"order_by": ["-rating"], "after": [3.0, 3]}');
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"order_by": ["-rating"], "after": [null, 2]}');
-- after errors: wrong length, not an array, with a random order
SELECT count(*) FROM viper_query('blog.Post', '{"order_by": ["-rating"], "after": [3.0]}');
SELECT count(*) FROM viper_query('blog.Post', '{"order_by": ["-rating"], "after": 3}');
SELECT count(*) FROM viper_query('blog.Post', '{"order_by": ["?"], "after": [1]}');
SELECT count(*) FROM viper_query('blog.Post', '{"order_by": ["-rating"], "after": ["high", 3]}');
-- order_by errors
SELECT count(*) FROM viper_query('blog.Post', '{"order_by": ["-ratng"]}');
SELECT count(*) FROM viper_query('blog.Post', '{"order_by": "rating"}');
SELECT count(*) FROM viper_query('blog.Post', '{"order_by": ["tags"]}');
SELECT count(*) FROM viper_query('blog.Post', '{"order_by": ["--rating"]}');
