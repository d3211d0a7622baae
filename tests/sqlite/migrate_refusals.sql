-- migrate_refusals.sql — every bad schema is refused with a clear error
-- naming the model and field, nothing is created when any model of the
-- set is invalid, unknown options, bad JSON. Mirrors
-- sql/migrate_refusals.sql (SQLite has no roles: migrate and
-- register_model are DIRECTONLY instead, see migrate_sqlite.sql).
.headers on
-- bad identifiers: field, app, table, db_column, too long (42602)
SELECT viper_migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "ti-tle", "type": "TextField"}]}]');
SELECT viper_migrate('[{"app": "1rf", "name": "Post", "fields": []}]');
SELECT viper_migrate('[{"app": "rf", "name": "Post", "table": "rf post", "fields": []}]');
SELECT viper_migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "a", "type": "TextField", "db_column": "a\"; DROP TABLE x; --"}]}]');
SELECT viper_migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "a123456789b123456789c123456789d123456789e123456789f123456789xyzw", "type": "TextField"}]}]');
-- unknown type (22023, with the nearest type as hint)
SELECT viper_migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "title", "type": "Charfield", "max_length": 5}]}]');
SELECT viper_migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "title", "type": "StringField"}]}]');
-- unknown foreign-key target (42P01, nearest label as hint)
SELECT viper_migrate('[{"app": "rf", "name": "Author", "fields": []},
  {"app": "rf", "name": "Post", "fields": [{"name": "author", "type": "ForeignKey", "to": "rf.Autor", "on_delete": "CASCADE"}]}]');
SELECT viper_migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "tags", "type": "ManyToManyField", "to": "nowhere.Tag"}]}]');
-- dangerous index condition and check expression (42601 naming the token)
SELECT viper_migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "views", "type": "IntegerField"}],
  "meta": {"indexes": [{"fields": ["views"], "name": "rf_post_v", "condition": "views > 0; DROP TABLE rf_post"}]}}]');
SELECT viper_migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "views", "type": "IntegerField"}],
  "meta": {"constraints": [{"type": "check", "name": "rf_post_c", "check": "(SELECT count(*) FROM sqlite_master) > 0"}]}}]');
SELECT viper_migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "views", "type": "IntegerField"}],
  "meta": {"constraints": [{"type": "check", "name": "rf_post_c", "check": "views > 0 -- comment"}]}}]');
SELECT viper_migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "views", "type": "IntegerField"}],
  "meta": {"constraints": [{"type": "check", "name": "rf_post_c", "check": "viewz > 0"}]}}]');
-- unknown on_delete (22023)
SELECT viper_migrate('[{"app": "rf", "name": "Author", "fields": []},
  {"app": "rf", "name": "Post", "fields": [{"name": "author", "type": "ForeignKey", "to": "Author", "on_delete": "EXPLODE"}]}]');
-- duplicate field names, two primary keys (22023)
SELECT viper_migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "a", "type": "TextField"}, {"name": "a", "type": "IntegerField"}]}]');
SELECT viper_migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "a", "type": "IntegerField", "primary_key": true}, {"name": "b", "type": "IntegerField", "primary_key": true}]}]');
-- more malformed schemas: missing option, unknown key, wrong default type
SELECT viper_migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "title", "type": "CharField"}]}]');
SELECT viper_migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "title", "type": "TextField", "nul": true}]}]');
SELECT viper_migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "views", "type": "IntegerField", "default": "0"}]}]');
SELECT viper_migrate('[{"app": "rf", "name": "Post", "fields": []}, {"app": "rf", "name": "Post", "fields": []}]');
-- schemas must be a JSON array of objects; options an object of known keys
SELECT viper_migrate('{"app": "rf", "name": "Post", "fields": []}');
SELECT viper_migrate('[{"app": "rf", "name": "Post", "fields": [}]');
SELECT viper_migrate(NULL) IS NULL AS null_schemas;
SELECT viper_migrate('[{"app": "rf", "name": "Post", "fields": []}]', '{"forse": true}');
SELECT viper_migrate('[{"app": "rf", "name": "Post", "fields": []}]', '[]');
SELECT viper_migrate('[{"app": "rf", "name": "Post", "fields": []}]', '{"apps": "rf"}');
SELECT viper_migrate('[{"app": "rf", "name": "Post", "fields": []}]', '{force: true}');
-- NULL options mean {}
SELECT p.value ->> 'op' AS op, p.value ->> 'target' AS target
FROM json_each(viper_plan('[{"app": "rf", "name": "Post", "fields": []}]', NULL)) AS p;

-- one invalid model: nothing of the set is created or stored
SELECT viper_migrate('[{"app": "rf", "name": "Good", "fields": [{"name": "t", "type": "TextField"}]},
  {"app": "rf", "name": "Bad", "fields": [{"name": "t", "type": "NoSuchField"}]}]');
SELECT viper_introspect('rf_good') -> '$.exists' AS good_table_exists,
       (SELECT count(*) FROM viper_models WHERE app = 'rf') AS catalog_rows;

-- introspect validates its argument (42602)
SELECT viper_introspect('rf_post; DROP TABLE x');
SELECT viper_introspect('');
SELECT viper_introspect(NULL) AS null_table;
