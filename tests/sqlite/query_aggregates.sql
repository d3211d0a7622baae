-- query_aggregates: viper_aggregate (one JSON object over the filtered
-- rows) and aggregate annotations with values (GROUP BY), on the seeded
-- blog.
.parameter set @root "'@ROOT@'"
.read @ROOT@/tests/sqlite/seed/blog.sql
SELECT viper_aggregate('blog.Post', '{"aggregate": {"n": {"$count": "id"}, "total": {"$sum": "views"}, "avg_views": {"$avg": "views"}, "top": {"$max": "views"}, "low": {"$min": "views"}}}');
SELECT viper_aggregate('blog.Post', '{"aggregate": {"rated": {"$count": "rating"}, "avg_rating": {"$avg": "rating"}, "best": {"$max": "rating"}, "authors": {"$count_distinct": "author"}}}');
SELECT viper_aggregate('blog.Post', '{"aggregate": {"first": {"$min": "created_at"}, "last": {"$max": "publish_at"}, "first_title": {"$min": "title"}}}');
-- where applies; no rows: count 0, the others null
SELECT viper_aggregate('blog.Post', '{"where": {"status": "draft"}, "aggregate": {"n": {"$count": "id"}, "total": {"$sum": "views"}}}');
SELECT viper_aggregate('blog.Post', '{"where": {"views__gt": 100000}, "aggregate": {"n": {"$count": "id"}, "total": {"$sum": "views"}, "top": {"$max": "views"}}}');
-- limit/offset and distinct apply through a sub-select
SELECT viper_aggregate('blog.Post', '{"order_by": ["-views"], "limit": 2, "aggregate": {"n": {"$count": "id"}, "total": {"$sum": "views"}}}');
SELECT viper_aggregate('blog.Post', '{"where": {"tags__name__in": ["python", "web"]}, "distinct": true, "aggregate": {"n": {"$count": "id"}}}');
-- across a relation
SELECT viper_aggregate('blog.Author', '{"aggregate": {"posts": {"$count": "posts__id"}, "views": {"$sum": "posts__views"}}}');
-- grouped: values + aggregate annotations
SELECT row FROM viper_query('blog.Post', '{"values": ["status"], "annotate": {"n": {"$count": "id"}, "total_views": {"$sum": "views"}}, "order_by": ["status"]}');
-- an annotation alias may not clash with a field (22023)
SELECT count(*) FROM viper_query('blog.Post', '{"values": ["status"], "annotate": {"views": {"$sum": "views"}}}');
SELECT row FROM viper_query('blog.Post', '{"values": ["author__name"], "annotate": {"n": {"$count": "id"}, "best": {"$max": "rating"}}, "order_by": ["author__name"]}');
SELECT viper_count('blog.Post', '{"values": ["status"], "annotate": {"n": {"$count": "id"}}}');
-- errors
SELECT viper_aggregate('blog.Post', '{}');
SELECT viper_aggregate('blog.Post', '{"aggregate": {}}');
SELECT viper_aggregate('blog.Post', '{"aggregate": {"n": {"$median": "views"}}}');
SELECT viper_aggregate('blog.Post', '{"aggregate": {"n": {"$sum": "viewz"}}}');
SELECT viper_aggregate('blog.Post', '{"aggregate": {"title": {"$count": "id"}}}');
SELECT viper_aggregate('blog.Post', '{"aggregate": {"bad name": {"$count": "id"}}}');
SELECT viper_aggregate('blog.Post', '{"aggregate": {"n": {"$sum": "title"}}}');
SELECT viper_aggregate('blog.Post', '{"aggregate": {"n": "views"}}');
SELECT count(*) FROM viper_query('blog.Post', '{"aggregate": {"n": {"$count": "id"}}}');
