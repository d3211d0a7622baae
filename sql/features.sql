--
-- features: viper.vendor_features (5 vendors × 12 flags, seeded from
-- core's table) and viper.features(), the live server's flags as jsonb.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS viper;
RESET client_min_messages;
\pset null '<NULL>'

-- the seed: 60 rows, identical to core's static table
SELECT count(*) AS rows, count(DISTINCT vendor) AS vendors, count(DISTINCT feature) AS features
FROM viper.vendor_features;
SELECT vendor, count(*) AS flags, count(*) FILTER (WHERE enabled) AS enabled
FROM viper.vendor_features GROUP BY vendor ORDER BY vendor;
(SELECT * FROM viper.vendor_features EXCEPT SELECT * FROM viper._vendor_feature_defaults())
UNION ALL
(SELECT * FROM viper._vendor_feature_defaults() EXCEPT SELECT * FROM viper.vendor_features);
SELECT DISTINCT feature FROM viper.vendor_features ORDER BY feature;
SELECT vendor, feature, enabled FROM viper.vendor_features
WHERE (vendor, feature) IN (('postgresql', 'supports_uuid'), ('postgresql', 'supports_returning'),
                            ('mysql', 'supports_returning'), ('mysql', 'supports_uuid'),
                            ('sqlite', 'supports_schema_comments'), ('sqlite', 'supports_partial_indexes'),
                            ('oracle', 'supports_partial_indexes'), ('mssql', 'supports_uuid'))
ORDER BY vendor, feature;

-- features(): an object naming the vendor, the live version and 12 flags
SELECT jsonb_typeof(viper.features()) AS type;
SELECT k AS key FROM jsonb_object_keys(viper.features()) AS k ORDER BY k;
SELECT viper.features()->>'vendor' AS vendor,
       viper.features()->>'version' = current_setting('server_version') AS version_is_live,
       (viper.features()->>'version_num')::int = current_setting('server_version_num')::int AS version_num_is_live;
SELECT key, value FROM jsonb_each(viper.features()) WHERE key LIKE 'supports_%' ORDER BY key;
-- the flags are the catalog's postgresql rows
SELECT count(*) AS mismatches
FROM viper.vendor_features f
WHERE f.vendor = 'postgresql' AND (viper.features()->f.feature)::text::boolean <> f.enabled;

-- a flag switched off in the catalog is off in features(); the catalog
-- version moves with the change
SELECT viper.catalog_version() AS v0 \gset
BEGIN;
UPDATE viper.vendor_features SET enabled = false
WHERE vendor = 'postgresql' AND feature IN ('supports_json', 'supports_schema_comments');
SELECT viper.features()->'supports_json' AS json, viper.features()->'supports_schema_comments' AS comments,
       viper.features()->'supports_uuid' AS uuid;
SELECT viper.catalog_version() > :v0 AS bumped;
-- a flag missing from the catalog counts as off
DELETE FROM viper.vendor_features WHERE vendor = 'postgresql' AND feature = 'supports_uuid';
SELECT viper.features()->'supports_uuid' AS uuid_without_row;
-- other vendors' rows do not matter to this server
UPDATE viper.vendor_features SET enabled = false WHERE vendor <> 'postgresql';
SELECT viper.features()->'supports_transactions' AS transactions;
-- unknown feature names in the catalog are ignored
INSERT INTO viper.vendor_features VALUES ('postgresql', 'supports_time_travel', true);
SELECT viper.features() ? 'supports_time_travel' AS has_unknown_flag;
ROLLBACK;
SELECT viper.features()->'supports_json' AS json_after_rollback,
       viper.features()->'supports_uuid' AS uuid_after_rollback;
-- a sequence is not transactional: the version never goes back
SELECT viper.catalog_version() > :v0 AS still_greater;

-- an emptied catalog leaves every flag off
BEGIN;
DELETE FROM viper.vendor_features;
SELECT count(*) FILTER (WHERE value = 'true') AS on, count(*) FILTER (WHERE value = 'false') AS off
FROM jsonb_each(viper.features()) WHERE key LIKE 'supports_%';
ROLLBACK;

-- STABLE: usable in one statement many times with one answer
SELECT count(DISTINCT viper.features()) AS one_answer FROM generate_series(1, 5);
