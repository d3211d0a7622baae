-- permissions_relations: grants across relations (DESIGN §8) — a filter,
-- an ordering, `values` or `related` that crosses a relation sees only
-- the far-side rows the principal may read: a filter on a hidden row
-- matches nothing, a hidden related row comes back as null (even for a
-- NOT NULL foreign key), and count/aggregate follow the same rows. No
-- hidden value leaks through any of them.
.parameter set @root "'@ROOT@'"
.read @ROOT@/tests/sqlite/seed/blog.sql
SELECT 1 FROM viper_models WHERE label LIKE 'blog.%' AND viper_revoke(label, 'all', '*') < 0;
-- every post is readable; an author only by themselves; tags but "web"
SELECT viper_grant('blog.Post', 'select', '*');
SELECT viper_grant('blog.Author', 'select', 'authenticated', 'id = principal()');
SELECT viper_grant('blog.Comment', 'select', '*');
SELECT viper_grant('blog.Tag', 'select', '*', 'slug <> ''web''');
SELECT viper_set_principal('1');
-- raw SQL: Bob (2) wrote posts 4 and 5, the "web" tag is on posts 1 and 6
SELECT group_concat(id) FROM (SELECT id FROM blog_post WHERE author_id = 2 ORDER BY id);
-- a filter on a hidden far-side row matches nothing
SELECT viper_count('blog.Post', '{"where": {"author__name": "Bob"}}');
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"where": {"author__name": "Alice"}, "order_by": ["id"]}');
SELECT viper_exists('blog.Post', '{"where": {"author__email__endswith": "example.org", "author__id__gt": 1}}');
SELECT viper_count('blog.Post', '{"where": {"$or": [{"author__name": "Bob"}, {"author__name": "Ünal"}]}}');
-- the id itself is the post's own column: not hidden
SELECT viper_count('blog.Post', '{"where": {"author": 2}}');
-- $not of a hidden row's lookup: "not known to be Bob" (Django's exclude)
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"where": {"$not": {"author__name": "Alice"}}, "order_by": ["id"]}');
-- related: a hidden author is null, even though author is NOT NULL
SELECT row FROM viper_query('blog.Post', '{"related": ["author"], "only": ["title"], "order_by": ["id"]}');
SELECT json_extract(viper_get('blog.Post', '{"where": {"id": 4}, "related": ["author"]}'), '$.author');
-- two hops: the comment's post is visible, that post's author may not be
SELECT row FROM viper_query('blog.Comment', '{"related": ["author", "post", "post__author"], "only": ["body"], "order_by": ["id"]}');
-- values across the relation give null for hidden rows
SELECT row FROM viper_query('blog.Post', '{"values": ["id", "author__name"], "order_by": ["id"]}');
-- ordering by a hidden column cannot reveal it: hidden rows sort as NULL
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"order_by": ["-author__name", "id"]}');
-- count and aggregate over the far side see the same rows
SELECT viper_aggregate('blog.Post', '{"where": {"author__is_active": true}, "aggregate": {"n": {"$count": "id"}, "v": {"$sum": "views"}}}');
SELECT viper_aggregate('blog.Post', '{"aggregate": {"n": {"$count": "id"}, "names": {"$count": "author__name"}}}');
-- many-to-many: a hidden tag does not match, a visible one does
SELECT viper_count('blog.Post', '{"where": {"tags__slug": "web"}}');
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Post', '{"where": {"tags__slug": "python"}, "order_by": ["id"]}');
SELECT viper_count('blog.Tag', '{"where": {"posts__id": 6}}');
-- reverse relations follow the far side's grants too
SELECT viper_revoke('blog.Post', 'select', '*');
SELECT viper_grant('blog.Post', 'select', 'authenticated', 'author_id = principal()');
SELECT viper_grant('blog.Author', 'select', '*');
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Author', '{"where": {"posts__status": "published"}, "distinct": true, "order_by": ["id"]}');
SELECT viper_count('blog.Author', '{"where": {"posts__views__gt": 100}}');
SELECT row FROM viper_query('blog.Comment', '{"related": ["post"], "only": ["id"], "order_by": ["id"]}');
SELECT viper_count('blog.Comment', '{"where": {"post__title__contains": "ber"}}');
-- another principal, the same statements: other rows
SELECT viper_set_principal('3');
SELECT group_concat(json_extract(row, '$.id')) FROM viper_query('blog.Author', '{"where": {"posts__status": "published"}, "distinct": true, "order_by": ["id"]}');
SELECT viper_count('blog.Comment', '{"where": {"post__title__contains": "ber"}}');
SELECT row FROM viper_query('blog.Comment', '{"related": ["post"], "only": ["id"], "order_by": ["id"]}');
-- anonymous: no author row is readable through "authenticated"
SELECT viper_set_principal(NULL);
SELECT viper_count('blog.Post'), viper_count('blog.Author', '{"where": {"posts__id__gt": 0}}');
-- many-to-many writes are updates of the source row: Alice (1) may update
-- only her own posts, so links of Bob's post 5 never change (0), and a tag
-- she cannot read ("web", 3) is silently not linked
SELECT viper_grant('blog.Post', 'update', 'authenticated', 'author_id = principal()');
SELECT viper_set_principal('1');
SELECT viper_m2m_add('blog.Post', '2', 'tags', '[2, 3]');
SELECT viper_m2m_add('blog.Post', '5', 'tags', '[1]');
SELECT viper_m2m_remove('blog.Post', '5', 'tags', '[2]');
SELECT viper_m2m_set('blog.Post', '5', 'tags', '[1]');
SELECT viper_m2m_clear('blog.Post', '5', 'tags');
SELECT group_concat(post_id || ':' || tag_id) FROM (SELECT post_id, tag_id FROM blog_post_tags ORDER BY post_id, tag_id);
-- her own post: remove, set (drops python, adds db, not web), clear
SELECT viper_m2m_remove('blog.Post', '2', 'tags', '[1]');
SELECT viper_m2m_set('blog.Post', '2', 'tags', '[1, 3]');
SELECT group_concat(tag_id) FROM (SELECT tag_id FROM blog_post_tags WHERE post_id = 2 ORDER BY tag_id);
SELECT viper_m2m_clear('blog.Post', '2', 'tags');
SELECT count(*) FROM blog_post_tags WHERE post_id = 2;
-- anonymous: no post is updatable
SELECT viper_set_principal(NULL);
SELECT viper_m2m_add('blog.Post', '2', 'tags', '[1]');
