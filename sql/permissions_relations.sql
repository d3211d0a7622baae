--
-- permissions_relations: row permissions across relations (DESIGN §8) on
-- the blog example, as an ordinary role: a filter, an ordering or a
-- `related` object that crosses a relation sees only the far-side rows the
-- principal may read — a hidden author matches no filter and comes back
-- as null even though blog_post.author_id is NOT NULL; count and
-- aggregate follow the same rows; plain SQL (RLS) agrees.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS viper;
DROP ROLE IF EXISTS permrel_app;
DROP ROLE IF EXISTS permrel_admin;
RESET client_min_messages;
\pset null '<NULL>'

CREATE ROLE permrel_app IN ROLE viper_app;
CREATE ROLE permrel_admin IN ROLE viper_admin;

\set author `cat examples/blog/schemas/Author.json`
\set comment `cat examples/blog/schemas/Comment.json`
\set post `cat examples/blog/schemas/Post.json`
\set settings `cat examples/blog/schemas/SiteSettings.json`
\set tag `cat examples/blog/schemas/Tag.json`
SELECT count(*) > 0 AS migrated
FROM viper.migrate(jsonb_build_array(:'author'::jsonb, :'comment'::jsonb,
                                     :'post'::jsonb, :'settings'::jsonb,
                                     :'tag'::jsonb));
GRANT SELECT, INSERT, UPDATE, DELETE ON blog_author, blog_post, blog_comment,
	blog_tag, blog_post_tags TO permrel_app;

INSERT INTO blog_author (id, name, email, is_active) VALUES
	(1, 'Ann', 'ann@example.com', true),
	(2, 'Bob', 'bob@example.com', true),
	(3, 'Hidden', 'hidden@example.com', false);
INSERT INTO blog_post (id, title, slug, body, author_id, status, views) VALUES
	(1, 'Ann one', 'ann-one', 'b', 1, 'published', 10),
	(2, 'Ann draft', 'ann-draft', 'b', 1, 'draft', 20),
	(3, 'Bob one', 'bob-one', 'b', 2, 'published', 30),
	(4, 'Hidden one', 'hidden-one', 'b', 3, 'published', 40);
INSERT INTO blog_comment (id, post_id, author_id, body, is_approved) VALUES
	(1, 1, 2, 'nice', true), (2, 2, 2, 'on a draft', true),
	(3, 3, 3, 'by hidden', true), (4, 4, 1, 'under hidden author', false);

-- authors are readable while active; a post is readable when published or
-- when its author is the principal; approved comments are readable
SET ROLE permrel_admin;
SELECT viper.grant('blog.Author', 'select', '*', 'is_active = true');
SELECT viper.grant('blog.Post', 'select', '*', 'status = ''published''');
SELECT viper.grant('blog.Post', 'select', 'authenticated', 'author_id = principal()');
SELECT viper.grant('blog.Comment', 'select', '*', 'is_approved = true');
RESET ROLE;

SET ROLE permrel_app;
BEGIN;
-- anonymous: published posts; the hidden author's post comes back with
-- author null (an outer join keeps the post, the author is not readable)
SELECT q->>'id' AS id, q->>'title' AS title, q->'author'->>'name' AS author
FROM viper.query('blog.Post', '{"related": ["author"], "order_by": ["id"]}') AS q;
SELECT id, title FROM blog_post ORDER BY id;
-- a filter through a hidden far-side row matches nothing
SELECT count(*) AS by_hidden_name FROM viper.query('blog.Post', '{"where": {"author__name": "Hidden"}}');
SELECT viper.count('blog.Post', '{"where": {"author__name": "Hidden"}}') AS counted,
	   viper.exists('blog.Post', '{"where": {"author__is_active": false}}') AS any_inactive;
-- the local column still matches (it is the post's own, readable value)
SELECT viper.count('blog.Post', '{"where": {"author_id": 3}}') AS by_author_id;
-- reverse relation and $not: hidden posts are not "related rows"
SELECT q->>'name' AS author FROM viper.query('blog.Author', '{"where": {"posts__status": "draft"}}') AS q;
SELECT q->>'name' AS author FROM viper.query('blog.Author', '{"where": {"$not": {"posts__status": "published"}}, "order_by": ["id"]}') AS q;
-- ordering by a hidden far-side column treats it as null
SELECT string_agg(q->>'id', ',') AS ordered
FROM viper.query('blog.Post', '{"order_by": ["author__name", "id"]}') AS q;
-- comments: post 2 is a draft, so its comment's post is null
SELECT q->>'id' AS id, q->'post'->>'title' AS post, q->'author'->>'name' AS author
FROM viper.query('blog.Comment', '{"related": ["post", "author"], "order_by": ["id"]}') AS q;
-- aggregates see only readable rows, also through relations
SELECT viper.aggregate('blog.Post', '{"aggregate": {"n": {"$count": "id"}, "views": {"$sum": "views"}}}') AS all_posts,
	   viper.aggregate('blog.Post', '{"where": {"author__name__startswith": "H"}, "aggregate": {"n": {"$count": "id"}}}') AS hidden_author_posts;
-- values across a relation: the hidden name is null
SELECT q FROM viper.query('blog.Post', '{"values": ["id", "author__name"], "order_by": ["id"]}') AS q;

-- principal 1 (Ann) also reads her draft
SELECT viper.set_principal('1');
SELECT string_agg(q->>'id', ',' ORDER BY (q->>'id')::int) AS via_viper,
	   (SELECT string_agg(id::text, ',' ORDER BY id) FROM blog_post) AS via_sql
FROM viper.query('blog.Post') AS q;
SELECT q->>'id' AS id, q->'post'->>'title' AS post
FROM viper.query('blog.Comment', '{"related": ["post"], "order_by": ["id"]}') AS q;
ROLLBACK;
RESET ROLE;

-- many-to-many writes are updates of the source post: Ann (1) may update
-- only her own posts, so the links of Bob's post 3 never change (0), and a
-- tag she cannot read ("web") is silently not linked
INSERT INTO blog_tag (id, name, slug) VALUES (1, 'db', 'db'), (2, 'python', 'python'), (3, 'web', 'web');
INSERT INTO blog_post_tags (post_id, tag_id) VALUES (3, 1);
SET ROLE permrel_admin;
SELECT viper.grant('blog.Post', 'update', 'authenticated', 'author_id = principal()');
SELECT viper.grant('blog.Tag', 'select', '*', 'slug <> ''web''');
RESET ROLE;
SET ROLE permrel_app;
BEGIN;
SELECT viper.set_principal('1');
SELECT viper.m2m_add('blog.Post', '2', 'tags', '[2, 3]') AS own_add,
	   viper.m2m_add('blog.Post', '3', 'tags', '[2]') AS other_add,
	   viper.m2m_remove('blog.Post', '3', 'tags', '[1]') AS other_remove,
	   viper.m2m_set('blog.Post', '3', 'tags', '[2]') AS other_set,
	   viper.m2m_clear('blog.Post', '3', 'tags') AS other_clear;
SELECT viper.m2m_remove('blog.Post', '2', 'tags', '[2]') AS own_remove,
	   viper.m2m_set('blog.Post', '2', 'tags', '[1, 3]') AS own_set;
SELECT viper.m2m_set('blog.Post', '1', 'tags', '[2]') AS own_set_again,
	   viper.m2m_clear('blog.Post', '2', 'tags') AS own_clear;
-- anonymous: no post is updatable
SELECT viper.set_principal(NULL);
SELECT viper.m2m_add('blog.Post', '1', 'tags', '[1]') AS anonymous_add;
COMMIT;
RESET ROLE;
SELECT string_agg(post_id || ':' || tag_id, ',' ORDER BY post_id, tag_id) AS links
FROM blog_post_tags;

-- leave the database as the test found it
SET client_min_messages = warning;
DROP TABLE blog_post_tags, blog_comment, blog_post, blog_tag, blog_author, blog_sitesettings CASCADE;
DELETE FROM viper.models;
DROP OWNED BY permrel_app, permrel_admin;
DROP ROLE permrel_app;
DROP ROLE permrel_admin;
