--
-- query_lookups: every lookup of DESIGN §5 on the seeded blog
-- (tests/pg/query_seed.sql), NULLs and non-ASCII text included; each row
-- shows a condition and the ids of the posts (authors, comments) it
-- selects, ordered by id.
--
\i tests/pg/query_seed.sql

-- the rows themselves: every column type written as JSON by the engine
SELECT * FROM viper.query('blog.Post', '{"where": {"id__in": [1, 2]}, "order_by": ["id"]}');
SELECT * FROM viper.query('blog.Author', '{"where": {"id": 1}}');
SELECT * FROM viper.query('blog.Tag');

-- posts: 1 'Python tips' (views 1500, rating 4.5), 2 'Learning SQL' (10,
-- NULL), 3 'Über äbc' (300, 3.0), 4 '100% pure_fun' (42, 2.0),
-- 5 'python internals' (1000, NULL), 6 '1000 ways' (0, 5.0)
SELECT w AS "where", pg_temp.ids('blog.Post', jsonb_build_object('where', w::jsonb)) AS ids
FROM (VALUES
	('{}'),
	('{"title": "Python tips"}'),
	('{"title__exact": "Python tips"}'),
	('{"title__exact": "python tips"}'),
	('{"title__iexact": "PYTHON TIPS"}'),
	('{"title__iexact": "über ÄBC"}'),
	('{"title__contains": "ython"}'),
	('{"title__contains": "Python"}'),
	('{"title__icontains": "python"}'),
	('{"title__icontains": "ÄBC"}'),
	('{"title__contains": "ÄBC"}'),
	('{"title__contains": "%"}'),
	('{"title__contains": "0% p"}'),
	('{"title__contains": "_"}'),
	('{"title__icontains": "E_F"}'),
	('{"title__contains": "g_S"}'),
	('{"title__icontains": "g%l"}'),
	('{"title__startswith": "python"}'),
	('{"title__istartswith": "python"}'),
	('{"title__startswith": "1"}'),
	('{"title__endswith": "fun"}'),
	('{"title__endswith": "FUN"}'),
	('{"title__iendswith": "FUN"}'),
	('{"title__iendswith": "ÄBC"}'),
	('{"views__gt": 300}'),
	('{"views__gte": 300}'),
	('{"views__lt": 42}'),
	('{"views__lte": 42}'),
	('{"views__range": [10, 300]}'),
	('{"views__in": [0, 42, 7]}'),
	('{"views__in": []}'),
	('{"rating__gt": 3}'),
	('{"rating__lt": 3}'),
	('{"rating__lte": 3.0}'),
	('{"rating": 4.5}'),
	('{"rating": null}'),
	('{"rating__isnull": true}'),
	('{"rating__isnull": false}'),
	('{"rating__in": [2, 5]}'),
	('{"score__gte": 0.75}'),
	('{"status": "draft"}'),
	('{"status__in": ["draft", "published"]}'),
	('{"publish_at": null}'),
	('{"publish_at__gt": "2024-01-04T09:00:00Z"}'),
	('{"publish_at__gte": "2024-01-04T10:00:00+01:00"}'),
	('{"publish_at__lt": "2024-01-04"}'),
	('{"publish_at__range": ["2024-01-03", "2024-01-06"]}'),
	('{"created_at__gte": "2024-01-05T10:00:00"}'),
	('{"title__regex": "^[Pp]ython"}'),
	('{"title__regex": "^python"}'),
	('{"title__iregex": "^PYTHON"}'),
	('{"title__iregex": "äbc$"}'),
	('{"title__regex": "\\d{3}"}'),
	('{"author": 2}'),
	('{"author_id": 2}'),
	('{"author__id": 2}'),
	('{"author__in": [3, 4]}'),
	('{"author_id__gt": 2}'),
	('{"id__range": [2, 4], "status": "published"}')
) AS v(w);

-- authors: 1 Alice (bio, uuid, inet), 2 Bob, 3 Ünal (bio 'ÄBC und mehr'),
-- 4 carol (inactive)
SELECT w AS "where", pg_temp.ids('blog.Author', jsonb_build_object('where', w::jsonb)) AS ids
FROM (VALUES
	('{"is_active": false}'),
	('{"is_active": true}'),
	('{"bio": null}'),
	('{"bio__icontains": "äbc"}'),
	('{"bio__contains": "äbc"}'),
	('{"name__iexact": "ÜNAL"}'),
	('{"name__gt": "Bob"}'),
	('{"public_id": "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"}'),
	('{"public_id__isnull": false}'),
	('{"last_login_ip": "10.0.0.1"}'),
	('{"joined_on__gte": "2023-06-01"}'),
	('{"joined_on__range": ["2023-06-01", "2023-07-01"]}'),
	('{"email__endswith": "@example.org"}')
) AS v(w);

-- comments: 1 (post 1, by Bob), 2 (post 1, anonymous, reply to 1),
-- 3 (post 3, by Alice)
SELECT w AS "where", pg_temp.ids('blog.Comment', jsonb_build_object('where', w::jsonb)) AS ids
FROM (VALUES
	('{"author": null}'),
	('{"author__isnull": false}'),
	('{"parent": 1}'),
	('{"parent__isnull": true}'),
	('{"is_approved": true}'),
	('{"created_at__lt": "2024-02-02T10:00:00Z"}')
) AS v(w);

-- count and exists apply the same conditions
SELECT viper.count('blog.Post', '{"where": {"title__icontains": "PYTHON"}}') AS n,
	   viper.exists('blog.Post', '{"where": {"title__icontains": "PYTHON"}}') AS yes,
	   viper.exists('blog.Post', '{"where": {"views__gt": 100000}}') AS no,
	   viper.count('blog.Post') AS all_rows;

-- 300 query shapes (in-lists of 1..300 values: one statement each) go
-- through the bounded plan cache; the first shapes run again afterwards
SELECT count(*) AS shapes, sum(n) AS rows_seen
FROM generate_series(1, 300) AS g(k),
	 LATERAL (SELECT viper.count('blog.Post', jsonb_build_object('where',
			  jsonb_build_object('id__in', (SELECT jsonb_agg(x) FROM generate_series(1, g.k) AS x))))
			  AS n) AS c;
SELECT pg_temp.ids('blog.Post', '{"where": {"id__in": [1]}}') AS one,
	   pg_temp.ids('blog.Post', '{"where": {"id__in": [1, 2]}}') AS two;

-- leave the database as the test found it
SELECT pg_temp.cleanup();
