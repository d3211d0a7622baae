--
-- query_q_f: condition trees ($and, $or, $not — Q objects) and field
-- expressions ($f, $add, $sub, $mul, $div — F objects) in annotate.
-- NULLs follow Django: $not of a comparison also returns the rows where
-- the column is NULL.
--
\i tests/pg/query_seed.sql

-- posts: 1 (views 1500, rating 4.5, published), 2 (10, NULL, draft),
-- 3 (300, 3.0, published), 4 (42, 2.0, published), 5 (1000, NULL, draft),
-- 6 (0, 5.0, published)
SELECT w AS "where", pg_temp.ids('blog.Post', jsonb_build_object('where', w::jsonb)) AS ids
FROM (VALUES
	('{"$and": [{"status": "published"}, {"views__gte": 42}]}'),
	('{"$or": [{"views__gte": 1000}, {"rating__gte": 5}]}'),
	('{"$or": [{"title__icontains": "python"}, {"views__gte": 1000}], "status": "published"}'),
	('{"$not": {"status": "draft"}}'),
	('{"$not": {"rating__gt": 3}}'),
	('{"$not": {"rating__lte": 3}}'),
	('{"$not": {"rating": null}}'),
	('{"$not": {"$or": [{"rating__gt": 4}, {"views": 0}]}}'),
	('{"$not": {"$not": {"rating__gt": 3}}}'),
	('{"$and": [{"$or": [{"id": 1}, {"id": 2}]}, {"$or": [{"id": 2}, {"id": 3}]}]}'),
	('{"$or": [{"$and": [{"status": "draft"}, {"views__gt": 100}]}, {"rating": 2}]}'),
	('{"$or": [{"rating": null}, {"rating__gte": 4.5}]}'),
	('{"$and": []}'),
	('{"$or": [{"author__name": "Bob"}, {"author__is_active": false}]}'),
	('{"$not": {"author__name__startswith": "A"}}'),
	('{"views__gt": 10, "$not": {"rating": null}, "$or": [{"status": "draft"}, {"id__lt": 4}]}')
) AS v(w);

-- comments through a nullable relation: the anonymous comment 2 has no
-- author, so "not written by Bob" keeps it ($not is IS NOT TRUE)
SELECT w AS "where", pg_temp.ids('blog.Comment', jsonb_build_object('where', w::jsonb)) AS ids
FROM (VALUES
	('{"author__name": "Bob"}'),
	('{"$not": {"author__name": "Bob"}}'),
	('{"$or": [{"author__name": "Alice"}, {"author": null}]}'),
	('{"$or": [{"author__name": "Alice"}, {"post__title__startswith": "Python"}]}')
) AS v(w);

-- annotate: computed keys on every row (F expressions)
SELECT * FROM viper.query('blog.Post', '{
	"only": ["views", "score"],
	"annotate": {
		"views_copy": {"$f": "views"},
		"double_views": {"$mul": [{"$f": "views"}, 2]},
		"next_views": {"$add": [{"$f": "views"}, 1]},
		"minus": {"$sub": [{"$f": "views"}, {"$f": "id"}]},
		"half_score": {"$div": [{"$f": "score"}, 2]}
	},
	"order_by": ["id"]}');

-- annotations with NULL operands give null; a constant annotation
SELECT * FROM viper.query('blog.Post', '{
	"only": ["rating"],
	"annotate": {"rating_x2": {"$mul": [{"$f": "rating"}, 2]}, "one": 1},
	"where": {"id__in": [1, 2]}, "order_by": ["id"]}');

-- an annotation over a related field
SELECT * FROM viper.query('blog.Post', '{
	"only": ["title"],
	"annotate": {"author_name": {"$f": "author__name"}},
	"order_by": ["id"], "limit": 3}');
-- F expressions are values of annotate (and of update); a condition's
-- value is a plain JSON value
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"where": {"views__gt": {"$f": "id"}}}')$$);

-- F and Q errors
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"annotate": {"title": {"$f": "views"}}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"annotate": {"x": {"$f": "nope"}}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"annotate": {"x": {"$pow": [1, 2]}}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"where": {"$or": {"id": 1}}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"where": {"$not": [{"id": 1}]}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"where": {"$xor": [{"id": 1}]}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"annotate": {"bad name": 1}}')$$);

-- leave the database as the test found it
SELECT pg_temp.cleanup();
