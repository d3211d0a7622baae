--
-- query_aggregates: viper.aggregate (one object over the matching rows),
-- aggregate annotations grouped by values (GROUP BY), count and exists.
--
\i tests/pg/query_seed.sql

-- views: 1500, 10, 300, 42, 1000, 0 (sum 2852); ratings 4.5, NULL, 3.0,
-- 2.0, NULL, 5.0 (4 values, avg 3.625); statuses draft ×2, published ×4
SELECT viper.aggregate('blog.Post', '{"aggregate": {
	"n": {"$count": "id"},
	"rated": {"$count": "rating"},
	"statuses": {"$count_distinct": "status"},
	"total_views": {"$sum": "views"},
	"avg_rating": {"$avg": "rating"},
	"max_views": {"$max": "views"},
	"min_rating": {"$min": "rating"},
	"first_title": {"$min": "title"},
	"last_publish": {"$max": "publish_at"},
	"max_score": {"$max": "score"}}}');

-- over filtered rows, and over no rows (count 0, the others null)
SELECT viper.aggregate('blog.Post', '{"where": {"status": "published"},
	"aggregate": {"n": {"$count": "id"}, "views": {"$sum": "views"}, "avg": {"$avg": "views"}}}');
SELECT viper.aggregate('blog.Post', '{"where": {"views__gt": 100000},
	"aggregate": {"n": {"$count": "id"}, "views": {"$sum": "views"}, "top": {"$max": "title"}}}');
-- through relations: per filter on the author, and over a related field
SELECT viper.aggregate('blog.Post', '{"where": {"author__name": "Alice"},
	"aggregate": {"n": {"$count": "id"}, "views": {"$sum": "views"}}}');
SELECT viper.aggregate('blog.Comment', '{"aggregate": {"authors": {"$count_distinct": "author"},
	"posts": {"$count_distinct": "post"}, "first": {"$min": "created_at"}}}');
-- limit/offset apply before aggregating (a sub-select): the two most
-- viewed posts
SELECT viper.aggregate('blog.Post', '{"order_by": ["-views"], "limit": 2,
	"aggregate": {"views": {"$sum": "views"}}}');

-- GROUP BY: values + aggregate annotations
SELECT * FROM viper.query('blog.Post', '{"values": ["status"],
	"annotate": {"n": {"$count": "id"}, "total_views": {"$sum": "views"}, "best": {"$max": "rating"}},
	"order_by": ["status"]}');
SELECT * FROM viper.query('blog.Post', '{"values": ["author__name"],
	"annotate": {"posts": {"$count": "id"}, "avg_views": {"$avg": "views"}},
	"order_by": ["author__name"]}');
SELECT * FROM viper.query('blog.Post', '{"values": ["status", "author"],
	"annotate": {"n": {"$count": "id"}},
	"where": {"views__gt": 5}, "order_by": ["status", "author"]}');
-- count of groups
SELECT viper.count('blog.Post', '{"values": ["status"], "annotate": {"n": {"$count": "id"}}}') AS groups;
-- the tags per post (M2M count), posts without tags count 0
SELECT * FROM viper.query('blog.Post', '{"values": ["id"],
	"annotate": {"ntags": {"$count": "tags__id"}}, "order_by": ["id"]}');

-- an annotation alias may not reuse a field name (22023)
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"values": ["status"], "annotate": {"views": {"$sum": "views"}}}')$$);

-- count and exists: limit/offset and max_query_rows apply to count
SELECT viper.count('blog.Post') AS all_rows,
	   viper.count('blog.Post', '{"limit": 4}') AS limited,
	   viper.count('blog.Post', '{"limit": 4, "offset": 3}') AS page,
	   viper.count('blog.Post', '{"where": {"status": "draft"}}') AS drafts,
	   viper.exists('blog.Post', '{"where": {"status": "draft"}}') AS has_drafts,
	   viper.exists('blog.Post', '{"where": {"status": "archived"}}') AS has_archived;

-- errors
SELECT pg_temp.try($$SELECT viper.aggregate('blog.Post', '{}')$$);
SELECT pg_temp.try($$SELECT viper.aggregate('blog.Post', '{"aggregate": {}}')$$);
SELECT pg_temp.try($$SELECT viper.aggregate('blog.Post', '{"aggregate": {"x": {"$median": "views"}}}')$$);
SELECT pg_temp.try($$SELECT viper.aggregate('blog.Post', '{"aggregate": {"x": {"$sum": "nope"}}}')$$);
SELECT pg_temp.try($$SELECT viper.aggregate('blog.Post', '{"aggregate": {"x": {"$sum": "title"}}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"aggregate": {"n": {"$count": "id"}}}')$$);

-- leave the database as the test found it
SELECT pg_temp.cleanup();
