--
-- query_ordering: order_by (directions, relation paths, the model's
-- meta.ordering by default, the primary key appended as a tie-breaker),
-- limit/offset, the viper.max_query_rows cap, and keyset pagination with
-- "after": walking every page equals the OFFSET walk, with NULLs and
-- mixed directions.
--
\i tests/pg/query_seed.sql

-- default orderings: Post meta.ordering ["-created_at"], Author ["name"],
-- Comment ["created_at"]; a model without ordering: by primary key
SELECT (SELECT string_agg(r->>'id', ',' ORDER BY n) FROM viper.query('blog.Post') WITH ORDINALITY AS q(r, n)) AS post_meta,
	   (SELECT string_agg(r->>'name', ',' ORDER BY n) FROM viper.query('blog.Author') WITH ORDINALITY AS q(r, n)) AS author_meta,
	   (SELECT string_agg(r->>'id', ',' ORDER BY n) FROM viper.query('blog.Comment') WITH ORDINALITY AS q(r, n)) AS comment_meta;

SELECT o AS order_by, pg_temp.ids('blog.Post', jsonb_build_object('order_by', o::jsonb)) AS ids
FROM (VALUES
	('["id"]'),
	('["-id"]'),
	('["views"]'),
	('["-views"]'),
	('["rating"]'),
	('["-rating"]'),
	('["rating", "-id"]'),
	('["status", "-views"]'),
	('["-status", "title"]'),
	('["publish_at", "rating"]'),
	('["author__name", "-id"]'),
	('["-author__name", "id"]'),
	('["author__is_active", "-views"]'),
	('["title"]'),
	('[]')
) AS v(o);
-- random order: every row once
SELECT count(*) AS n, count(DISTINCT r->>'id') AS distinct_ids
FROM viper.query('blog.Post', '{"order_by": ["?"]}') AS r;
-- the ORDER BY spells NULL placement and appends the pk
SELECT sql FROM viper.compile('blog.Post', '{"order_by": ["rating", "-author__name"], "only": ["title"]}');

-- limit / offset
SELECT s AS spec, pg_temp.ids('blog.Post', s::jsonb) AS ids
FROM (VALUES
	('{"order_by": ["id"], "limit": 2}'),
	('{"order_by": ["id"], "limit": 2, "offset": 2}'),
	('{"order_by": ["id"], "offset": 4}'),
	('{"order_by": ["id"], "offset": 10}'),
	('{"order_by": ["id"], "limit": 0}')
) AS v(s);

-- viper.max_query_rows caps every query like a LIMIT (0 = no cap)
SET viper.max_query_rows = 3;
SELECT pg_temp.ids('blog.Post', '{}') AS capped,
	   pg_temp.ids('blog.Post', '{"limit": 2}') AS lower_limit,
	   pg_temp.ids('blog.Post', '{"limit": 5}') AS higher_limit,
	   pg_temp.ids('blog.Post', '{"offset": 2}') AS with_offset,
	   viper.count('blog.Post') AS counted;
SET viper.max_query_rows = 0;
SELECT pg_temp.ids('blog.Post', '{}') AS uncapped;
RESET viper.max_query_rows;
SELECT pg_temp.try($$SET viper.max_query_rows = -1$$);

-- keyset pagination: walk all pages with "after" (the last row's
-- ordering values plus its id; a ForeignKey's value is the row's
-- <name>_id) and with offset; both must list the same ids in the same
-- order. A walk stops after 20 pages, so a cursor that does not advance
-- shows up as a wrong result rather than a hang.
CREATE FUNCTION pg_temp.keyset_walk(model text, ord jsonb, page int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	spec jsonb;
	after jsonb := NULL;
	r json;
	last json;
	got int;
	ids text[] := '{}';
	f text;
	pages int := 0;
BEGIN
	LOOP
		spec := jsonb_build_object('order_by', ord, 'limit', page);
		IF after IS NOT NULL THEN
			spec := spec || jsonb_build_object('after', after);
		END IF;
		got := 0;
		FOR r IN SELECT q FROM viper.query(model, spec) AS q LOOP
			ids := ids || (r->>'id');
			last := r;
			got := got + 1;
		END LOOP;
		EXIT WHEN got = 0;
		pages := pages + 1;
		after := '[]';
		FOR f IN SELECT jsonb_array_elements_text(ord) LOOP
			after := after || jsonb_build_array(coalesce((last::jsonb)->ltrim(f, '-'),
														 (last::jsonb)->(ltrim(f, '-') || '_id')));
		END LOOP;
		IF NOT ord ? 'id' AND NOT ord ? '-id' THEN
			after := after || jsonb_build_array((last::jsonb)->'id');
		END IF;
		EXIT WHEN got < page OR pages >= 20;
	END LOOP;
	RETURN array_to_string(ids, ',') || ' (' || pages || ' pages)';
END
$$;
CREATE FUNCTION pg_temp.offset_walk(model text, ord jsonb, page int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	ids text[] := '{}';
	r json;
	got int;
	off int := 0;
BEGIN
	LOOP
		got := 0;
		FOR r IN SELECT q FROM viper.query(model, jsonb_build_object('order_by', ord, 'limit', page, 'offset', off)) AS q LOOP
			ids := ids || (r->>'id');
			got := got + 1;
		END LOOP;
		EXIT WHEN got < page;
		off := off + page;
	END LOOP;
	RETURN array_to_string(ids, ',');
END
$$;
SELECT o AS order_by, p AS page, pg_temp.keyset_walk('blog.Post', o::jsonb, p) AS keyset,
	   pg_temp.keyset_walk('blog.Post', o::jsonb, p) LIKE pg_temp.offset_walk('blog.Post', o::jsonb, p) || ' (%' AS same
FROM (VALUES
	('["id"]', 2),
	('["-id"]', 4),
	('["rating"]', 1),
	('["-rating"]', 2),
	('["rating", "-views"]', 2),
	('["-rating", "views"]', 3),
	('["publish_at"]', 1),
	('["-publish_at", "-rating"]', 2),
	('["status", "-publish_at"]', 1),
	('["-status", "rating", "-title"]', 2),
	('["score"]', 2),
	('["-score", "rating"]', 1)
) AS v(o, p);
-- authors (text with non-ASCII, nullable bio) and comments (nullable FK)
SELECT pg_temp.keyset_walk('blog.Author', '["bio", "-name"]', 1) AS authors,
	   pg_temp.offset_walk('blog.Author', '["bio", "-name"]', 1) AS authors_offset,
	   pg_temp.keyset_walk('blog.Comment', '["-author"]', 1) AS comments,
	   pg_temp.offset_walk('blog.Comment', '["-author"]', 1) AS comments_offset;
-- cursors spelled by hand. rating, -id: 4,3,1,6,5,2 (NULLs last);
-- -rating: 2,5,6,1,3,4 (NULLs first, then the pk ascending)
SELECT pg_temp.ids('blog.Post', '{"order_by": ["rating", "-id"], "after": [null, 5]}') AS after_null,
	   pg_temp.ids('blog.Post', '{"order_by": ["rating", "-id"], "after": [3.0, 3]}') AS after_three,
	   pg_temp.ids('blog.Post', '{"order_by": ["-rating"], "after": [null, 2]}') AS after_desc_null;

-- errors
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"order_by": ["nope"]}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"order_by": "id"}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"limit": -1}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"offset": 1.5}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"order_by": ["rating"], "after": [1]}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"order_by": ["rating"], "after": ["high", 1]}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"order_by": ["?"], "after": [1, 1]}')$$);

-- leave the database as the test found it
SELECT pg_temp.cleanup();
