--
-- query_relations: relation paths in filters (ForeignKey, reverse
-- ForeignKey, ManyToMany, several hops), related objects nested in the
-- rows (select_related; a NULL ForeignKey gives a null object) and
-- relation paths in values.
--
\i tests/pg/query_seed.sql

-- posts by author: Alice 1, 2; Bob 4, 5; Ünal 3; carol (inactive) 6.
-- tags: post 1 python+web, 2 db, 5 python, 6 web
SELECT w AS "where", pg_temp.ids('blog.Post', jsonb_build_object('where', w::jsonb)) AS ids
FROM (VALUES
	('{"author__name": "Alice"}'),
	('{"author__name__iexact": "ünal"}'),
	('{"author__is_active": false}'),
	('{"author__bio": null}'),
	('{"author__bio__icontains": "python"}'),
	('{"author__name__in": ["Bob", "carol"]}'),
	('{"tags__name": "python"}'),
	('{"tags__name": "db"}'),
	('{"tags__name__in": ["python", "web"]}'),
	('{"tags__isnull": true}'),
	('{"tags__slug__startswith": "w", "author__name": "carol"}'),
	('{"comments__body__icontains": "tips"}'),
	('{"comments__author__name": "Alice"}'),
	('{"comments__isnull": false}')
) AS v(w);

-- a ManyToMany filter can repeat a row (post 1 has two matching tags);
-- distinct removes the repetition, and count follows the same rule
SELECT pg_temp.ids('blog.Post', '{"where": {"tags__name__in": ["python", "web"]}}') AS repeated,
	   pg_temp.ids('blog.Post', '{"where": {"tags__name__in": ["python", "web"]}, "distinct": true}') AS distinct_ids,
	   viper.count('blog.Post', '{"where": {"tags__name__in": ["python", "web"]}}') AS n,
	   viper.count('blog.Post', '{"where": {"tags__name__in": ["python", "web"]}, "distinct": true}') AS n_distinct;

-- reverse relations from the other side: authors with a post over 1000
-- views, tags of Alice's posts, comments on posts by Alice (2 hops) and
-- on posts whose author wrote a comment (4 hops)
SELECT pg_temp.ids('blog.Author', '{"where": {"posts__views__gte": 1000}, "distinct": true}') AS authors,
	   pg_temp.ids('blog.Tag', '{"where": {"posts__author__name": "Alice"}, "distinct": true}') AS tags,
	   pg_temp.ids('blog.Comment', '{"where": {"post__author__name": "Alice"}}') AS comments,
	   pg_temp.ids('blog.Comment', '{"where": {"post__author__comment__body": "Sehr gut"}, "distinct": true}') AS four_hops;

-- related objects: the author nested in each post
SELECT * FROM viper.query('blog.Post', '{"only": ["title"], "related": ["author"],
	"where": {"id__in": [1, 4]}, "order_by": ["id"]}');
-- comments: the anonymous one has "author": null; the parent comment is
-- nested (self relation) and null where there is none
SELECT * FROM viper.query('blog.Comment', '{"only": ["body"], "related": ["author", "parent"],
	"order_by": ["id"]}');
-- two levels: comment → post → author
SELECT * FROM viper.query('blog.Comment', '{"only": ["body"], "related": ["post__author"],
	"order_by": ["id"]}');
-- related with a filter on the same relation (one join, shared)
SELECT * FROM viper.query('blog.Post', '{"only": ["title"], "related": ["author"],
	"where": {"author__name": "Ünal"}}');
-- get with related
SELECT viper.get('blog.Comment', '{"where": {"id": 2}, "related": ["post"], "only": ["body"]}');

-- values with relation paths
SELECT * FROM viper.query('blog.Post', '{"values": ["title", "author__name"], "order_by": ["id"]}');
SELECT * FROM viper.query('blog.Comment', '{"values": ["body", "author__name", "post__author__email"], "order_by": ["id"]}');

-- the compiled statements show the joins: INNER for a required
-- relation reached through AND, LEFT for a nullable one, inside $or,
-- in related and in values; none for {"author": 5}
SELECT sql FROM viper.compile('blog.Post', '{"where": {"author__name": "Bob"}, "only": ["title"]}');
SELECT sql FROM viper.compile('blog.Post', '{"where": {"author": 5}, "only": ["title"]}');
SELECT sql FROM viper.compile('blog.Comment', '{"where": {"author__name": "Bob"}, "only": ["body"]}');
SELECT sql FROM viper.compile('blog.Post', '{"where": {"$or": [{"author__name": "Bob"}, {"views": 0}]}, "only": ["title"]}');
SELECT sql FROM viper.compile('blog.Post', '{"where": {"tags__name": "db"}, "only": ["title"]}');

-- relation errors
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"related": ["title"]}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"related": ["tags"]}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"related": ["writer"]}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"where": {"author__nickname": "x"}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"where": {"title__name": "x"}}')$$);

-- leave the database as the test found it
SELECT pg_temp.cleanup();
