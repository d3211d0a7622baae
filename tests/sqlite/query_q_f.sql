-- query_q_f: condition nodes ($and, $or, $not — Q objects) and expressions
-- ($f, $add/$sub/$mul/$div — F objects) on the seeded blog. $not follows
-- Django: rows where the compared column is NULL come back too.
.parameter set @root "'@ROOT@'"
.read @ROOT@/tests/sqlite/seed/blog.sql
WITH v(w) AS (VALUES
	('{"$or": [{"title__icontains": "python"}, {"views__gte": 1000}]}'),
	('{"$or": [{"title__icontains": "python"}, {"views__gte": 1000}], "status": "published"}'),
	('{"$and": [{"views__gt": 10}, {"views__lt": 1000}]}'),
	('{"$and": [{"views__gt": 10}], "$or": [{"id": 1}, {"id": 3}]}'),
	('{"$not": {"views__gt": 100}}'),
	('{"$not": {"rating__gt": 3}}'),
	('{"$not": {"rating": null}}'),
	('{"$not": {"$or": [{"status": "draft"}, {"rating__lt": 3}]}}'),
	('{"$not": {"$not": {"rating__gt": 3}}}'),
	('{"$or": []}'),
	('{"$and": []}'),
	('{"$or": [{"author__name": "Bob"}, {"rating__gte": 4.5}]}'),
	('{"$not": {"author__name": "Bob"}}')
)
SELECT w, (SELECT coalesce(group_concat(json_extract(q.row, '$.id')), '-')
		   FROM viper_query('blog.Post', json_object('where', json(w), 'order_by', json('["id"]'))) AS q) AS ids
FROM v;
-- nesting: the where object and 31 $not inside it (32 levels) are
-- allowed, one more is not (54001, before any SQL runs)
SELECT viper_count('blog.Post', json_object('where', json(replace(printf('%.31c', 'x'), 'x', '{"$not": ') || '{"id": 1}' || printf('%.31c', '}'))));
SELECT viper_count('blog.Post', json_object('where', json(replace(printf('%.32c', 'x'), 'x', '{"$not": ') || '{"id": 1}' || printf('%.32c', '}'))));
-- annotate: computed keys on each row
SELECT row FROM viper_query('blog.Post', '{"only": ["title"], "annotate": {"double_views": {"$mul": [{"$f": "views"}, 2]}, "per_id": {"$div": [{"$f": "views"}, {"$f": "id"}]}, "bumped": {"$add": [{"$f": "views"}, 1]}, "left": {"$sub": [100, {"$f": "views"}]}}, "order_by": ["id"], "limit": 3}');
SELECT row FROM viper_query('blog.Post', '{"only": ["id"], "annotate": {"r": {"$mul": [{"$f": "rating"}, 2]}}, "where": {"id__in": [1, 2]}, "order_by": ["id"]}');
-- F in updates: views + 1 for posts of author 2, then back
SELECT viper_update('blog.Post', '{"where": {"author": 2}}', '{"views": {"$add": [{"$f": "views"}, 1]}}');
SELECT id, views FROM blog_post WHERE author_id = 2 ORDER BY id;
SELECT viper_update('blog.Post', '{"where": {"author": 2}}', '{"views": {"$sub": [{"$f": "views"}, 1]}}');
SELECT id, views FROM blog_post WHERE author_id = 2 ORDER BY id;
-- an expression over another model's field is refused
SELECT viper_update('blog.Post', '{"where": {"id": 1}}', '{"views": {"$f": "author__id"}}');
SELECT viper_count('blog.Post', '{"where": {"$xor": []}}');
SELECT viper_count('blog.Post', '{"where": {"$or": {"id": 1}}}');
-- filters compare with values: an expression object is not a value
SELECT viper_count('blog.Post', '{"where": {"views__gt": {"$f": "id"}}}');
SELECT viper_count('blog.Post', '{"annotate": {"x": {"$pow": [1, 2]}}}');
