-- load.sql — loading the extension creates the viper_* catalog (DESIGN §2),
-- loading it again changes nothing, and viper_catalog_version() moves
-- whenever the catalog changes. The runner has already loaded the
-- extension into this in-memory database.
.load '@VIPER_EXT@'
SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'viper\_%' ESCAPE '\' ORDER BY name;
SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name;
-- the registered functions, one row per accepted arity, with their flags
-- (pure validators deterministic and innocuous; catalog readers neither)
.headers on
SELECT name, narg, (flags & 0x800) != 0 AS deterministic, (flags & 0x200000) != 0 AS innocuous, (flags & 0x80000) != 0 AS directonly FROM pragma_function_list WHERE name LIKE 'viper\_%' ESCAPE '\' ORDER BY name, narg;
.headers off
SELECT viper_version() GLOB '[0-9]*.[0-9]*.[0-9]*';
SELECT typeof(viper_version());
SELECT viper_catalog_version();
SELECT typeof(viper_catalog_version());
SELECT count(*) FROM viper_vendor_features;
SELECT vendor, count(*) FROM viper_vendor_features GROUP BY vendor ORDER BY vendor;
SELECT * FROM viper_catalog_state;
-- loading twice (the runner, then .load above) bumped nothing, added no row
SELECT count(*) FROM viper_catalog_state;
-- a catalog change bumps the version
CREATE TEMP TABLE v0 AS SELECT viper_catalog_version() AS v;
UPDATE viper_vendor_features SET enabled = 0 WHERE vendor = 'mysql' AND feature = 'supports_json';
SELECT viper_catalog_version() > (SELECT v FROM v0);
DELETE FROM v0;
INSERT INTO v0 SELECT viper_catalog_version();
INSERT INTO viper_models (label, app, name, table_name, schema) VALUES ('blog.Post', 'blog', 'Post', 'blog_post', '{"app": "blog", "name": "Post"}');
SELECT viper_catalog_version() > (SELECT v FROM v0);
DELETE FROM v0;
INSERT INTO v0 SELECT viper_catalog_version();
INSERT INTO viper_grants (model, action, role) VALUES ('blog.Post', 'select', 'authenticated');
SELECT viper_catalog_version() > (SELECT v FROM v0);
DELETE FROM v0;
INSERT INTO v0 SELECT viper_catalog_version();
DELETE FROM viper_grants;
SELECT viper_catalog_version() > (SELECT v FROM v0);
-- a change outside the versioned tables does not
DELETE FROM v0;
INSERT INTO v0 SELECT viper_catalog_version();
INSERT INTO viper_audit_log (action, reason) VALUES ('bypass', 'test');
SELECT viper_catalog_version() = (SELECT v FROM v0);
-- reloading keeps what a DBA changed (a flag switched off, a row deleted)
-- and does not bump the version
DELETE FROM viper_vendor_features WHERE vendor = 'oracle' AND feature = 'supports_uuid';
DELETE FROM v0;
INSERT INTO v0 SELECT viper_catalog_version();
.load '@VIPER_EXT@'
SELECT enabled FROM viper_vendor_features WHERE vendor = 'mysql' AND feature = 'supports_json';
SELECT count(*) FROM viper_vendor_features;
SELECT viper_catalog_version() = (SELECT v FROM v0);
-- catalog constraints
SELECT label, managed, read_only, single, version, updated_at GLOB '????-??-??T??:??:??.???Z' FROM viper_models;
INSERT INTO viper_models (label, app, name, table_name, schema) VALUES ('blog.Bad', 'blog', 'Bad', 'blog_bad', 'not json');
INSERT INTO viper_models (label, app, name, table_name, schema, managed) VALUES ('blog.Bad', 'blog', 'Bad', 'blog_bad', '{}', 2);
INSERT INTO viper_grants (model, action, role) VALUES ('blog.Post', 'drop', 'x');
INSERT INTO viper_patches (name, phase, checksum, checksum_algorithm) VALUES ('p1', 'during', 'abc', 'sha256-v1');
INSERT INTO viper_vendor_features VALUES ('sqlite', 'supports_json', 1);
INSERT INTO viper_vendor_features VALUES ('sqlite', 'supports_x', 2);
INSERT INTO viper_catalog_state VALUES (2, 1);
-- with foreign keys on, deleting a model deletes its grants
PRAGMA foreign_keys = ON;
INSERT INTO viper_grants (model, action, role, predicate) VALUES ('blog.Post', 'all', 'editor', 'owner_id = principal()');
INSERT INTO viper_grants (model, action, role) VALUES ('blog.Nope', 'select', 'editor');
DELETE FROM viper_models WHERE label = 'blog.Post';
SELECT count(*) FROM viper_grants;
PRAGMA foreign_keys = OFF;
-- a file database: the catalog is created once and survives reopening
.open '@TESTDIR@/app.db'
.load '@VIPER_EXT@'
SELECT viper_catalog_version(), count(*) FROM viper_vendor_features;
.open '@TESTDIR@/app.db'
.load '@VIPER_EXT@'
SELECT viper_catalog_version(), count(*) FROM viper_vendor_features;
-- read-only with the catalog in place: loads and reads it
.open --readonly '@TESTDIR@/app.db'
.load '@VIPER_EXT@'
SELECT viper_catalog_version(), json_extract(viper_features(), '$.vendor');
-- read-only without a catalog: the load succeeds silently, the validators
-- work, the catalog readers say what is missing
.open '@TESTDIR@/plain.db'
CREATE TABLE t (a INTEGER);
.open --readonly '@TESTDIR@/plain.db'
.load '@VIPER_EXT@'
SELECT name FROM sqlite_master ORDER BY name;
SELECT viper_validate_identifier('still_works');
SELECT viper_catalog_version();
SELECT viper_features();
-- PRAGMA query_only acts like a read-only file
.open '@TESTDIR@/query_only.db'
PRAGMA query_only = 1;
.load '@VIPER_EXT@'
SELECT count(*) FROM sqlite_master;
SELECT viper_catalog_version();
-- loaded inside a transaction: the catalog is part of it
.open '@TESTDIR@/tx.db'
BEGIN;
CREATE TABLE app_table (a INTEGER);
.load '@VIPER_EXT@'
SELECT viper_catalog_version(), count(*) FROM viper_vendor_features;
ROLLBACK;
SELECT count(*) FROM sqlite_master;
SELECT viper_catalog_version();
.load '@VIPER_EXT@'
SELECT viper_catalog_version(), count(*) FROM viper_vendor_features;
-- wrong arity is refused by SQLite at prepare time
SELECT viper_version(1);
SELECT viper_catalog_version('x');
SELECT viper_features(1, 2);
