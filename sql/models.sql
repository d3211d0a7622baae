--
-- models: viper.register_model (validate one model, store its metadata,
-- create nothing) and viper.model (the stored, normalised schema; 42P01
-- with the nearest label as hint for an unknown label).
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS viper;
RESET client_min_messages;
\pset null '<NULL>'

-- SQLSTATE and message of a failing statement, as a value
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r text;
BEGIN
	EXECUTE sql INTO r;
	RETURN 'ok: ' || coalesce(r, '<NULL>');
EXCEPTION WHEN OTHERS THEN
	RETURN 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
END
$$;
-- the live columns of a table as rows
CREATE FUNCTION pg_temp.cols(t text)
RETURNS TABLE (name text, type text, nullable boolean, "default" text)
LANGUAGE sql AS $$
	SELECT c.name, c.type, c.nullable, c."default"
	FROM jsonb_to_recordset(viper.introspect(t)->'columns')
	     AS c(name text, type text, nullable boolean, "default" text)
$$;

SELECT viper.register_model('{"app": "shop", "name": "Product",
  "fields": [{"name": "title", "type": "CharField", "max_length": 80},
             {"name": "price", "type": "DecimalField", "max_digits": 8, "decimal_places": 2}],
  "meta": {"ordering": ["title"]}}') AS label;
SELECT label, app, name, table_name, managed, read_only, single, version
FROM viper.models WHERE app = 'shop';
-- the stored schema is normalised: every default filled in
SELECT jsonb_pretty(viper.model('shop.Product')) AS product;
-- metadata only: no table
SELECT viper.introspect('shop_product') AS live;

-- registering again: the same schema changes nothing, a new one bumps version
SELECT viper.register_model('{"app": "shop", "name": "Product",
  "fields": [{"name": "title", "type": "CharField", "max_length": 80},
             {"name": "price", "type": "DecimalField", "max_digits": 8, "decimal_places": 2}],
  "meta": {"ordering": ["title"]}}') AS label;
SELECT version FROM viper.models WHERE label = 'shop.Product';
SELECT viper.register_model('{"app": "shop", "name": "Product",
  "fields": [{"name": "title", "type": "CharField", "max_length": 120},
             {"name": "price", "type": "DecimalField", "max_digits": 8, "decimal_places": 2}],
  "meta": {"ordering": ["title"], "read_only": true}}') AS label;
SELECT version, read_only, viper.model('shop.Product')->'fields'->1->>'max_length' AS title_max_length
FROM viper.models WHERE label = 'shop.Product';

-- relations may point at registered models
SELECT viper.register_model('{"app": "shop", "name": "Order",
  "fields": [{"name": "product", "type": "ForeignKey", "to": "shop.Product", "on_delete": "PROTECT"},
             {"name": "quantity", "type": "PositiveIntegerField", "default": 1}]}') AS label;
SELECT f->>'name' AS field, f->>'db_column' AS column, f->>'type' AS type, f->>'on_delete' AS on_delete
FROM jsonb_array_elements(viper.model('shop.Order')->'fields') AS f;
-- ... and not at unknown ones
SELECT viper.register_model('{"app": "shop", "name": "Order",
  "fields": [{"name": "product", "type": "ForeignKey", "to": "shop.Produkt", "on_delete": "PROTECT"}]}');

-- unknown labels: 42P01, with the nearest registered label when there is one
SELECT viper.model('shop.product');
SELECT viper.model('shop.Ordre');
SELECT viper.model('warehouse.Bin');
SELECT pg_temp.try($$SELECT viper.model('x')::text$$);

-- bad schemas are refused with the model and field named
SELECT viper.register_model('{"app": "shop", "name": "Bad", "fields": [{"name": "n", "type": "IntegerField", "max_length": 5}]}');
SELECT viper.register_model('{"app": "shop", "name": "Bad", "fields": [], "tabel": "x"}');
SELECT viper.register_model('[]');
SELECT pg_temp.try($$SELECT viper.register_model('{"app": "shop", "name": "Bad", "fields": [{"name": "when", "type": "DateField", "default": "2024-02-30"}]}')$$);
SELECT pg_temp.try($$SELECT viper.register_model('{"app": "shop", "name": "Bad", "fields": [{"name": "n", "type": "SmallIntegerField", "default": 40000}]}')$$);
SELECT pg_temp.try($$SELECT viper.register_model('{"app": "shop", "name": "Bad", "fields": [{"name": "c", "type": "CharField", "max_length": 3, "default": "abcd"}]}')$$);
SELECT count(*) AS bad_models_stored FROM viper.models WHERE label = 'shop.Bad';

-- NULL in, NULL out
SELECT viper.register_model(NULL) IS NULL AS register_null, viper.model(NULL) IS NULL AS model_null;

-- clean up
DELETE FROM viper.models WHERE app = 'shop';
