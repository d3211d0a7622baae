-- migrate_create.sql — the blog example (examples/blog/schemas/*.json)
-- created from nothing: CreateTable rows in dependency order, the M2M
-- junction table, the single-row guard; then a second migrate that
-- returns [] and changes nothing, plan applying nothing, and the model
-- kinds that create nothing (abstract, proxy, managed: false). Mirrors
-- sql/migrate_create.sql. viper_migrate must be a statement of its own
-- (no FROM), so its JSON result is shown one operation per line with
-- replace(); viper_plan can be read with json_each.
.headers on
-- the example's schemas, read from the repository into a CLI parameter
.parameter set @blog "'[' || readfile('@ROOT@/examples/blog/schemas/Author.json') || ',' || readfile('@ROOT@/examples/blog/schemas/Comment.json') || ',' || readfile('@ROOT@/examples/blog/schemas/Post.json') || ',' || readfile('@ROOT@/examples/blog/schemas/SiteSettings.json') || ',' || readfile('@ROOT@/examples/blog/schemas/Tag.json') || ']'"
SELECT json_array_length(@blog) AS models;

-- plan lists what migrate would do and applies nothing
SELECT p.value ->> 'op' AS op, p.value ->> 'target' AS target, p.value ->> 'warning' AS warning
FROM json_each(viper_plan(@blog)) AS p;
SELECT viper_introspect('blog_post') AS post_before_migrate;
SELECT count(*) AS catalog_rows FROM viper_models WHERE app = 'blog';
SELECT count(*) AS tables FROM sqlite_master WHERE name LIKE 'blog\_%' ESCAPE '\';

-- migrate creates the tables (targets first), the junction table, the
-- indexes and the single-row guard; it returns the same rows as the plan
CREATE TEMP TABLE planned AS SELECT viper_plan(@blog) AS rows;
.headers off
SELECT json_array_length(viper_migrate(@blog));
.headers on
SELECT p.value ->> 'op' AS op, p.value ->> 'target' AS target
FROM planned, json_each(planned.rows) AS p;

-- the statements of a small model, as they were run
SELECT p.value ->> 'op' AS op, p.value ->> 'target' AS target, p.value ->> 'sql' AS sql
FROM json_each(viper_plan(json_array(json_set(json(readfile('@ROOT@/examples/blog/schemas/Tag.json')), '$.app', 'preview')))) AS p;

-- what the database now holds
SELECT type, name, tbl_name FROM sqlite_master
WHERE tbl_name LIKE 'blog\_%' ESCAPE '\' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
ORDER BY tbl_name, type DESC, name;
SELECT sql FROM sqlite_master WHERE name = 'blog_tag';
SELECT viper_introspect('blog_tag') AS blog_tag;

-- the catalog holds every model with its normalised schema
SELECT label, app, name, table_name, managed, read_only, single, version
FROM viper_models WHERE app = 'blog' ORDER BY label;
SELECT viper_model('blog.Post') -> '$.fields[4]' AS author_field;

-- a second migrate returns [] and changes nothing
CREATE TEMP TABLE before AS
  SELECT viper_catalog_version() AS v,
         (SELECT group_concat(type || ' ' || name || ' ' || coalesce(sql, ''), char(10))
          FROM (SELECT * FROM sqlite_master ORDER BY type, name)) AS schema;
SELECT viper_migrate(@blog);
SELECT viper_catalog_version() = (SELECT v FROM before) AS catalog_unchanged,
       (SELECT group_concat(type || ' ' || name || ' ' || coalesce(sql, ''), char(10))
        FROM (SELECT * FROM sqlite_master ORDER BY type, name)) = (SELECT schema FROM before) AS schema_unchanged;
SELECT viper_plan(@blog);

-- single model: the database holds at most one row (viper[23505])
INSERT INTO blog_sitesettings DEFAULT VALUES;
INSERT INTO blog_sitesettings DEFAULT VALUES;
SELECT site_name, posts_per_page, theme, open_time FROM blog_sitesettings;

-- the M2M junction table works with both foreign keys
PRAGMA foreign_keys = ON;
INSERT INTO blog_author (name, email) VALUES ('Ann', 'ann@example.com');
INSERT INTO blog_tag (name, slug) VALUES ('c', 'c');
INSERT INTO blog_post (title, slug, body, author_id)
	SELECT 'Hello', 'hello', 'first post', id FROM blog_author;
INSERT INTO blog_post_tags (post_id, tag_id)
	SELECT p.id, t.id FROM blog_post p, blog_tag t;
SELECT count(*) AS links FROM blog_post_tags;
DELETE FROM blog_tag;
SELECT count(*) AS links_after_tag_delete FROM blog_post_tags;
-- PROTECT: an author with posts cannot be deleted
DELETE FROM blog_author;
SELECT count(*) AS authors FROM blog_author;

-- abstract, proxy and managed: false models create nothing (the catalog
-- records them)
SELECT replace(viper_migrate('[
  {"app": "mk", "name": "Base", "fields": [{"name": "created", "type": "DateTimeField", "auto_now_add": true}],
   "meta": {"abstract": true}},
  {"app": "mk", "name": "Real", "fields": [{"name": "title", "type": "CharField", "max_length": 20}]},
  {"app": "mk", "name": "RealProxy", "fields": [], "meta": {"proxy": true, "proxy_for": "mk.Real"}},
  {"app": "mk", "name": "Legacy", "table": "legacy_table",
   "fields": [{"name": "x", "type": "IntegerField"}], "meta": {"managed": false}}
]'), '},{', '},' || char(10) || '{') AS rows;
SELECT label, table_name, managed FROM viper_models WHERE app = 'mk' ORDER BY label;
SELECT viper_introspect('legacy_table') -> '$.exists' AS legacy_table_exists;
