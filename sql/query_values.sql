--
-- query_values: values (rows with only the listed keys, relation paths
-- allowed), only/defer (the primary key always comes along), distinct,
-- and values with aggregate annotations (GROUP BY).
--
\i tests/pg/query_seed.sql

SELECT * FROM viper.query('blog.Post', '{"values": ["id", "title"], "order_by": ["id"]}');
-- values without the pk: only the listed keys
SELECT * FROM viper.query('blog.Post', '{"values": ["status"], "order_by": ["status", "id"]}');
-- distinct values
SELECT * FROM viper.query('blog.Post', '{"values": ["status"], "distinct": true, "order_by": ["status"]}');
SELECT viper.count('blog.Post', '{"values": ["status"], "distinct": true}') AS statuses;
-- relation paths and typed values (numeric, json, array, timestamp, uuid, inet)
SELECT * FROM viper.query('blog.Post', '{"values": ["rating", "metadata", "keywords", "publish_at", "author__public_id", "author__last_login_ip"],
	"where": {"id__in": [1, 2]}, "order_by": ["id"]}');
SELECT * FROM viper.query('blog.Author', '{"values": ["name", "posts__title"], "where": {"name__in": ["Alice", "carol"]}, "order_by": ["name", "posts__title"]}');
-- values + annotate: grouped
SELECT * FROM viper.query('blog.Post', '{"values": ["author__is_active"],
	"annotate": {"n": {"$count": "id"}, "top": {"$max": "views"}}, "order_by": ["author__is_active"]}');
-- values + an F annotation (no aggregate: no grouping)
SELECT * FROM viper.query('blog.Post', '{"values": ["title"], "annotate": {"v10": {"$mul": [{"$f": "views"}, 10]}},
	"where": {"views__lt": 50}, "order_by": ["id"]}');

-- only / defer
SELECT * FROM viper.query('blog.Post', '{"only": ["title", "status"], "where": {"id": 3}}');
SELECT * FROM viper.query('blog.Tag', '{"defer": ["color", "slug"]}');
SELECT * FROM viper.query('blog.Author', '{"defer": ["bio", "website", "public_id", "password", "api_token", "last_login_ip", "joined_on", "email"]}');
-- get with values
SELECT viper.get('blog.Post', '{"values": ["title", "author__name"], "where": {"slug": "uber-abc"}}');

-- the single model (SiteSettings) with its defaults: time, bytea, json, smallint
INSERT INTO blog_sitesettings (launch_date, logo) VALUES ('2024-03-01', '\xdeadbeef');
SELECT * FROM viper.query('blog.SiteSettings');

-- errors
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"values": ["nope"]}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"values": "title"}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"only": ["title"], "defer": ["body"]}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"only": ["tags"]}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"distinct": "yes"}')$$);

-- leave the database as the test found it
SELECT pg_temp.cleanup();
