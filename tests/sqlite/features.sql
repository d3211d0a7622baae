-- features.sql — viper_features(): the live library's DatabaseFeatures as
-- JSON text, from the catalog's 'sqlite' rows gated by the version of the
-- SQLite library that is running.
SELECT json_valid(viper_features());
SELECT json_extract(viper_features(), '$.vendor');
SELECT json_extract(viper_features(), '$.version') = sqlite_version();
SELECT json_extract(viper_features(), '$.version_num') / 1000000 = CAST(sqlite_version() AS INTEGER);
SELECT json_extract(viper_features(), '$.version_num') / 1000 % 1000 = CAST(substr(sqlite_version(), 3) AS INTEGER);
SELECT key FROM json_each(viper_features());
SELECT key, type FROM json_each(viper_features()) WHERE key LIKE 'supports\_%' ESCAPE '\';
-- the seeded table: 5 vendors × 12 flags
SELECT count(*), count(DISTINCT vendor), count(DISTINCT feature) FROM viper_vendor_features;
SELECT vendor, sum(enabled) FROM viper_vendor_features GROUP BY vendor ORDER BY vendor;
SELECT feature, enabled FROM viper_vendor_features WHERE vendor = 'sqlite' ORDER BY feature;
SELECT feature FROM viper_vendor_features WHERE vendor = 'postgresql' AND enabled = 0;
SELECT vendor, feature FROM viper_vendor_features WHERE feature = 'supports_uuid' ORDER BY vendor;
-- on this library (3.38 or later) the flags are the catalog's sqlite rows
SELECT count(*) FROM viper_vendor_features AS f, json_each(viper_features()) AS j WHERE f.vendor = 'sqlite' AND j.key = f.feature AND (j.type = 'true') <> (f.enabled = 1);
-- a DBA switching a flag off in the catalog switches it off in features()
UPDATE viper_vendor_features SET enabled = 0 WHERE vendor = 'sqlite' AND feature = 'supports_returning';
SELECT json_extract(viper_features(), '$.supports_returning');
UPDATE viper_vendor_features SET enabled = 1 WHERE vendor = 'sqlite' AND feature = 'supports_returning';
SELECT json_extract(viper_features(), '$.supports_returning');
-- a flag without a version gate follows the catalog, also when switched on
UPDATE viper_vendor_features SET enabled = 1 WHERE vendor = 'sqlite' AND feature = 'supports_uuid';
SELECT json_extract(viper_features(), '$.supports_uuid');
-- a missing row counts as off; rows for unknown features are ignored
DELETE FROM viper_vendor_features WHERE vendor = 'sqlite' AND feature = 'supports_savepoints';
INSERT INTO viper_vendor_features VALUES ('sqlite', 'supports_teleportation', 1);
SELECT json_extract(viper_features(), '$.supports_savepoints'), json_extract(viper_features(), '$.supports_teleportation');
-- other vendors' rows do not leak into the sqlite answer
UPDATE viper_vendor_features SET enabled = 0 WHERE vendor <> 'sqlite';
SELECT json_extract(viper_features(), '$.supports_transactions');
-- an emptied catalog leaves every flag off, and a rollback brings them back
BEGIN;
DELETE FROM viper_vendor_features;
SELECT sum(type = 'true'), sum(type = 'false') FROM json_each(viper_features()) WHERE key LIKE 'supports\_%' ESCAPE '\';
ROLLBACK;
SELECT json_extract(viper_features(), '$.supports_transactions');
-- one answer per call, whatever the number of rows
SELECT count(DISTINCT viper_features()) FROM (VALUES (1), (2), (3));
-- wrong arity
SELECT viper_features(1);
-- without the catalog table the error says what is missing
DROP TABLE viper_vendor_features;
SELECT viper_features();
