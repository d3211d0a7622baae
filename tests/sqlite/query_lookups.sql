-- query_lookups: every lookup of DESIGN §5 on the seeded blog
-- (tests/sqlite/seed/blog.sql, the rows of the PostgreSQL suite), NULLs and
-- non-ASCII text included; each row shows a condition and the ids it
-- selects, ordered by id. SQLite specifics: contains/startswith/endswith
-- are case-sensitive (instr/substr, not LIKE); the i-variants fold ASCII
-- only (lower()), so 'ÄBC' does not match 'äbc' here (PostgreSQL: it does);
-- regex goes through the extension's regexp().
.parameter set @root "'@ROOT@'"
.read @ROOT@/tests/sqlite/seed/blog.sql
-- the rows themselves: every column type written as JSON by the engine
SELECT row FROM viper_query('blog.Post', '{"where": {"id__in": [1, 2]}, "order_by": ["id"]}');
SELECT row FROM viper_query('blog.Author', '{"where": {"id": 1}}');
SELECT row FROM viper_query('blog.Tag');
SELECT row FROM viper_query('blog.Comment', '{"where": {"id": 2}}');
-- posts: 1 'Python tips' (views 1500, rating 4.5), 2 'Learning SQL' (10,
-- NULL), 3 'Über äbc' (300, 3.0), 4 '100% pure_fun' (42, 2.0),
-- 5 'python internals' (1000, NULL), 6 '1000 ways' (0, 5.0)
WITH v(w) AS (VALUES
	('{}'),
	('{"title": "Python tips"}'),
	('{"title__exact": "Python tips"}'),
	('{"title__exact": "python tips"}'),
	('{"title__iexact": "PYTHON TIPS"}'),
	('{"title__iexact": "über ÄBC"}'),
	('{"title__iexact": "Über äbc"}'),
	('{"title__contains": "ython"}'),
	('{"title__contains": "Python"}'),
	('{"title__icontains": "python"}'),
	('{"title__icontains": "ÄBC"}'),
	('{"title__icontains": "äBC"}'),
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
	('{"title__regex": "^\\d+\\s\\w+$"}'),
	('{"title__regex": "[\\d%]{2}"}'),
	('{"title__regex": "\\."}'),
	('{"title__regex": "(?:tips|ways)$"}'),
	('{"title__regex": "pure_fun\\Z"}'),
	('{"author": 2}'),
	('{"author_id": 2}'),
	('{"author__id": 2}'),
	('{"author__in": [3, 4]}'),
	('{"author_id__gt": 2}'),
	('{"id__range": [2, 4], "status": "published"}')
)
SELECT w, (SELECT coalesce(group_concat(json_extract(q.row, '$.id')), '-')
		   FROM viper_query('blog.Post', json_object('where', json(w), 'order_by', json('["id"]'))) AS q) AS ids
FROM v;
-- authors: 1 Alice (bio, uuid, inet), 2 Bob, 3 Ünal (bio 'ÄBC und mehr'),
-- 4 carol (inactive)
WITH v(w) AS (VALUES
	('{"is_active": false}'),
	('{"is_active": true}'),
	('{"bio": null}'),
	('{"bio__icontains": "äbc"}'),
	('{"bio__contains": "äbc"}'),
	('{"bio__contains": "ÄBC"}'),
	('{"name__iexact": "ÜNAL"}'),
	('{"name__iexact": "üNAL"}'),
	('{"name__gt": "Bob"}'),
	('{"public_id": "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"}'),
	('{"public_id__isnull": false}'),
	('{"last_login_ip": "10.0.0.1"}'),
	('{"joined_on__gte": "2023-06-01"}'),
	('{"joined_on__range": ["2023-06-01", "2023-07-01"]}'),
	('{"email__endswith": "@example.org"}')
)
SELECT w, (SELECT coalesce(group_concat(json_extract(q.row, '$.id')), '-')
		   FROM viper_query('blog.Author', json_object('where', json(w), 'order_by', json('["id"]'))) AS q) AS ids
FROM v;
-- comments: 1 (post 1, by Bob), 2 (post 1, anonymous, reply to 1),
-- 3 (post 3, by Alice)
WITH v(w) AS (VALUES
	('{"author": null}'),
	('{"author__isnull": false}'),
	('{"parent": 1}'),
	('{"parent__isnull": true}'),
	('{"is_approved": true}'),
	('{"created_at__lt": "2024-02-02T10:00:00Z"}')
)
SELECT w, (SELECT coalesce(group_concat(json_extract(q.row, '$.id')), '-')
		   FROM viper_query('blog.Comment', json_object('where', json(w), 'order_by', json('["id"]'))) AS q) AS ids
FROM v;
-- count and exists apply the same conditions
SELECT viper_count('blog.Post', '{"where": {"title__icontains": "PYTHON"}}') AS n,
	   viper_exists('blog.Post', '{"where": {"title__icontains": "PYTHON"}}') AS yes,
	   viper_exists('blog.Post', '{"where": {"views__gt": 100000}}') AS no,
	   viper_count('blog.Post') AS all_rows;
-- the spec may be omitted (DEFAULT '{}'); a NULL model or spec gives NULL / no rows
SELECT count(*) FROM viper_query('blog.Tag');
SELECT count(*) FROM viper_query(NULL, '{}');
SELECT viper_count(NULL), viper_count('blog.Post', NULL), viper_get('blog.Post', NULL) IS NULL;
-- 300 query shapes (in-lists of 1..300 values: one statement each) go
-- through the bounded statement cache; the first shapes run again afterwards
WITH RECURSIVE g(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM g WHERE k < 300)
SELECT count(*) AS shapes, sum(n) AS rows_seen
FROM (SELECT viper_count('blog.Post', json_object('where', json_object('id__in',
		(WITH RECURSIVE x(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM x WHERE i < g.k)
		 SELECT json_group_array(i) FROM x)))) AS n FROM g);
SELECT (SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"where": {"id__in": [1]}, "order_by": ["id"]}')) AS one,
	   (SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"where": {"id__in": [1, 2]}, "order_by": ["id"]}')) AS two;
-- regexp(pattern, text): registered by the extension for REGEXP
-- (deterministic, innocuous); POSIX ERE with PostgreSQL's class escapes
-- translated, "(?i)" = case-insensitive; what POSIX cannot do is 2201B
SELECT name, narg, (flags & 0x800) != 0 AS deterministic, (flags & 0x200000) != 0 AS innocuous FROM pragma_function_list WHERE name = 'regexp';
SELECT name FROM pragma_module_list WHERE name = 'viper_query';
SELECT 'abc' REGEXP '^a', 'ABC' REGEXP '^a', 'ABC' REGEXP '(?i)^a', 'x' REGEXP NULL, NULL REGEXP 'x';
SELECT '2024-01-02' REGEXP '^\d{4}-\d\d-\d\d$', 'a_b9' REGEXP '^\w+$', 'a b' REGEXP '^\S+$', 'a b' REGEXP '\s';
SELECT 'x-1' REGEXP '^[\w\-]+$', 'x]1' REGEXP '[\]]', 'a^b' REGEXP 'a[\^]b', 'a.b' REGEXP '^a\.b$', 'axb' REGEXP '^a\.b$';
SELECT 'tab	x' REGEXP '\t', 'A' REGEXP '\x41', 'caf' REGEXP '(?:ca)+f', 'end' REGEXP 'end\Z';
SELECT 'a' REGEXP '\ya\y';
SELECT 'a' REGEXP '(?=a)';
SELECT 'a' REGEXP '[\D]';
SELECT 'a' REGEXP '(';
