-- tests/sqlite/seed/blog.sql — the data the query_* and writes* tests read
-- (the SQLite twin of tests/pg/query_seed.sql, same rows): migrates the
-- blog example and inserts rows with plain SQL, explicit ids and
-- timestamps, so every expected line is deterministic. The including file
-- sets @root to the repository root first:
--   .parameter set @root "'@ROOT@'"
--   .read @ROOT@/tests/sqlite/seed/blog.sql
-- It lives outside tests/sqlite/*.sql so the runner does not run it alone.
.echo off
SELECT json_array_length(viper_migrate('[' || readfile(@root || '/examples/blog/schemas/Author.json') || ',' || readfile(@root || '/examples/blog/schemas/Comment.json') || ',' || readfile(@root || '/examples/blog/schemas/Post.json') || ',' || readfile(@root || '/examples/blog/schemas/SiteSettings.json') || ',' || readfile(@root || '/examples/blog/schemas/Tag.json') || ']')) > 0 AS migrated;
-- every blog model readable and writable by everyone (default deny
-- otherwise, DESIGN §8); permissions.sql tests the grants themselves
SELECT 1 FROM viper_models WHERE label LIKE 'blog.%' AND viper_grant(label, 'all', '*') IS NOT NULL;

INSERT INTO blog_author (id, name, email, bio, public_id, is_active, joined_on, last_login_ip) VALUES
	(1, 'Alice', 'alice@example.org', 'Writes about Python', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 1, '2023-05-01', '10.0.0.1'),
	(2, 'Bob', 'bob@example.org', NULL, NULL, 1, '2023-06-01', NULL),
	(3, 'Ünal', 'unal@example.org', 'ÄBC und mehr', NULL, 1, '2023-07-01', NULL),
	(4, 'carol', 'carol@example.org', NULL, NULL, 0, '2023-08-01', NULL);

INSERT INTO blog_tag (id, name, slug, color) VALUES
	(1, 'db', 'db', '#111111'),
	(2, 'python', 'python', '#222222'),
	(3, 'web', 'web', '#cccccc');

INSERT INTO blog_post (id, title, slug, body, author_id, status, views, rating, score,
					   metadata, keywords, publish_at, created_at, updated_at) VALUES
	(1, 'Python tips', 'python-tips', 'Use comprehensions.', 1, 'published', 1500, 4.5, 0.9,
	 '{"lang":"en"}', '["python","tips"]', '2024-01-02T09:00:00.000Z', '2024-01-01T10:00:00.000Z', '2024-01-01T10:00:00.000Z'),
	(2, 'Learning SQL', 'learning-sql', 'SELECT 1;', 1, 'draft', 10, NULL, 0.5,
	 '{}', '[]', NULL, '2024-01-02T10:00:00.000Z', '2024-01-02T10:00:00.000Z'),
	(3, 'Über äbc', 'uber-abc', 'Umlaute überall.', 3, 'published', 300, 3.0, 0.25,
	 '{"lang":"de"}', '[]', '2024-01-04T09:00:00.000Z', '2024-01-03T10:00:00.000Z', '2024-01-03T10:00:00.000Z'),
	(4, '100% pure_fun', 'pure-fun', 'Percent and underscore.', 2, 'published', 42, 2.0, 0.5,
	 '{}', '["fun"]', '2024-01-05T09:00:00.000Z', '2024-01-04T10:00:00.000Z', '2024-01-04T10:00:00.000Z'),
	(5, 'python internals', 'python-internals', 'CPython.', 2, 'draft', 1000, NULL, 0.75,
	 '{"lang":"en","level":3}', '["python"]', NULL, '2024-01-05T10:00:00.000Z', '2024-01-05T10:00:00.000Z'),
	(6, '1000 ways', 'ways', 'Many.', 4, 'published', 0, 5.0, 0,
	 '{}', '[]', '2024-01-07T09:00:00.000Z', '2024-01-06T10:00:00.000Z', '2024-01-06T10:00:00.000Z');

INSERT INTO blog_post_tags (post_id, tag_id) VALUES (1, 2), (1, 3), (2, 1), (5, 2), (6, 3);

INSERT INTO blog_comment (id, post_id, author_id, parent_id, body, is_approved, created_at) VALUES
	(1, 1, 2, NULL, 'Nice tips', 1, '2024-02-01T10:00:00.000Z'),
	(2, 1, NULL, 1, 'Anonymous reply', 0, '2024-02-02T10:00:00.000Z'),
	(3, 3, 1, NULL, 'Sehr gut', 1, '2024-02-03T10:00:00.000Z');

-- ids(model, spec) as a view cannot take arguments: tests write
--   (SELECT coalesce(group_concat(json_extract(q.row, '$.id')), '-')
--      FROM viper_query(model, spec) AS q)
.echo on
