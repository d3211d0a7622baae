-- models.sql — viper_register_model (validate one model, store its
-- metadata, create nothing) and viper_model (the stored, normalised
-- schema; 42P01 with the nearest label as hint for an unknown label).
-- Mirrors sql/models.sql.
.headers on
SELECT viper_register_model('{"app": "shop", "name": "Product",
  "fields": [{"name": "title", "type": "CharField", "max_length": 80},
             {"name": "price", "type": "DecimalField", "max_digits": 8, "decimal_places": 2}],
  "meta": {"ordering": ["title"]}}') AS label;
SELECT label, app, name, table_name, managed, read_only, single, version
FROM viper_models WHERE app = 'shop';
-- the stored schema is normalised: every default filled in
SELECT viper_model('shop.Product') AS product;
-- metadata only: no table
SELECT viper_introspect('shop_product') AS live;

-- registering again: the same schema changes nothing, a new one bumps version
CREATE TEMP TABLE v0 AS SELECT viper_catalog_version() AS v;
SELECT viper_register_model('{"app": "shop", "name": "Product",
  "fields": [{"name": "title", "type": "CharField", "max_length": 80},
             {"name": "price", "type": "DecimalField", "max_digits": 8, "decimal_places": 2}],
  "meta": {"ordering": ["title"]}}') AS label;
SELECT version, viper_catalog_version() = (SELECT v FROM v0) AS catalog_unchanged
FROM viper_models WHERE label = 'shop.Product';
SELECT viper_register_model('{"app": "shop", "name": "Product",
  "fields": [{"name": "title", "type": "CharField", "max_length": 120},
             {"name": "price", "type": "DecimalField", "max_digits": 8, "decimal_places": 2}],
  "meta": {"ordering": ["title"], "read_only": true}}') AS label;
SELECT version, read_only, viper_model('shop.Product') -> '$.fields[1].max_length' AS title_max_length
FROM viper_models WHERE label = 'shop.Product';

-- relations may point at registered models
SELECT viper_register_model('{"app": "shop", "name": "Order",
  "fields": [{"name": "product", "type": "ForeignKey", "to": "shop.Product", "on_delete": "PROTECT"},
             {"name": "quantity", "type": "PositiveIntegerField", "default": 1}]}') AS label;
SELECT f.value ->> 'name' AS field, f.value ->> 'db_column' AS "column",
       f.value ->> 'type' AS type, f.value ->> 'on_delete' AS on_delete
FROM json_each(viper_model('shop.Order'), '$.fields') AS f;
-- ... and not at unknown ones
SELECT viper_register_model('{"app": "shop", "name": "Order",
  "fields": [{"name": "product", "type": "ForeignKey", "to": "shop.Produkt", "on_delete": "PROTECT"}]}');

-- unknown labels: 42P01, with the nearest registered label when there is one
SELECT viper_model('shop.product');
SELECT viper_model('shop.Ordre');
SELECT viper_model('warehouse.Bin');

-- bad schemas are refused with the model and field named
SELECT viper_register_model('{"app": "shop", "name": "Bad", "fields": [{"name": "n", "type": "IntegerField", "max_length": 5}]}');
SELECT viper_register_model('{"app": "shop", "name": "Bad", "fields": [], "tabel": "x"}');
SELECT viper_register_model('[]');
SELECT viper_register_model('{"app": "shop", "name": "Bad", "fields": [{"name": "when", "type": "DateField", "default": "2024-02-30"}]}');
SELECT viper_register_model('{"app": "shop", "name": "Bad", "fields": [{"name": "n", "type": "SmallIntegerField", "default": 40000}]}');
SELECT viper_register_model('{"app": "shop", "name": "Bad", "fields": [{"name": "c", "type": "CharField", "max_length": 3, "default": "abcd"}]}');
SELECT viper_register_model('{"app": "shop", "name": "Bad", "fields": [');
SELECT count(*) AS bad_models_stored FROM viper_models WHERE label = 'shop.Bad';

-- register_model may run inside the caller's transaction, and is undone with it
BEGIN;
SELECT viper_register_model('{"app": "shop", "name": "Draft", "fields": []}') AS label;
SELECT count(*) AS draft_rows FROM viper_models WHERE label = 'shop.Draft';
ROLLBACK;
SELECT count(*) AS draft_rows FROM viper_models WHERE label = 'shop.Draft';
-- a failure inside the caller's transaction leaves that transaction usable
BEGIN;
SELECT viper_register_model('{"app": "shop", "name": "Draft", "fields": []}') AS label;
SELECT viper_register_model('{"app": "shop", "name": "Bad", "fields": [{"name": "x", "type": "Nope"}]}');
COMMIT;
SELECT label FROM viper_models WHERE app = 'shop' ORDER BY label;

-- register_model writes the catalog: it cannot be used from a trigger or a view
CREATE TABLE incoming (schema TEXT);
CREATE TRIGGER incoming_register AFTER INSERT ON incoming
BEGIN SELECT viper_register_model(NEW.schema); END;
INSERT INTO incoming VALUES ('{"app": "shop", "name": "Sneaky", "fields": []}');
CREATE VIEW registering AS SELECT viper_register_model('{"app": "shop", "name": "Sneaky", "fields": []}');
SELECT * FROM registering;
SELECT count(*) AS sneaky_rows FROM viper_models WHERE label = 'shop.Sneaky';

-- NULL in, NULL out
SELECT viper_register_model(NULL) IS NULL AS register_null, viper_model(NULL) IS NULL AS model_null;
