--
-- permissions_bypass: the audited bypass of row permissions (DESIGN §8,
-- §12): viper.bypass_permissions for members of viper_admin (an audit row
-- with the login user and the principal, for the current transaction
-- only), 42501 for anyone else; spec ignore_permissions, scoped to the
-- one call; patches run bypassed, with one audit row per run.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS viper;
DROP ROLE IF EXISTS permby_app;
DROP ROLE IF EXISTS permby_admin;
RESET client_min_messages;
\pset null '<NULL>'

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

CREATE ROLE permby_app IN ROLE viper_app;
CREATE ROLE permby_admin IN ROLE viper_admin;
DELETE FROM viper.audit_log;

SELECT count(*) > 0 AS migrated FROM viper.migrate('[{"app": "permby", "name": "Secret",
	"fields": [{"name": "owner_id", "type": "IntegerField"},
	           {"name": "body", "type": "CharField", "max_length": 20}]}]');
GRANT SELECT, INSERT, UPDATE, DELETE ON permby_secret TO permby_app, permby_admin;
GRANT USAGE ON SEQUENCE permby_secret_id_seq TO permby_app, permby_admin;
INSERT INTO permby_secret (id, owner_id, body) VALUES (1, 1, 'a'), (2, 2, 'b'), (3, 3, 'c');
SELECT setval('permby_secret_id_seq', 3) AS seq;
SET ROLE permby_admin;
SELECT viper.grant('permby.Secret', 'all', 'authenticated', 'owner_id = principal()');
RESET ROLE;

-- an administrator lifts the permissions for one transaction
SET ROLE permby_admin;
BEGIN;
SELECT viper.set_principal('1');
SELECT viper.count('permby.Secret') AS before_bypass, viper._bypass_active() AS active;
SELECT viper.bypass_permissions('support ticket 42');
SELECT viper._bypass_active() AS active, viper.count('permby.Secret') AS via_viper,
	   (SELECT count(*) FROM permby_secret) AS via_sql;
SELECT viper.update('permby.Secret', '{}', '{"body": "fixed"}') AS updated;
SELECT string_agg(body, ',' ORDER BY id) AS bodies FROM permby_secret;
SELECT viper.insert('permby.Secret', '{"owner_id": 7, "body": "x"}') - 'id' AS inserted;
COMMIT;
-- gone with the transaction
SELECT viper._bypass_active() AS next_transaction, viper.count('permby.Secret') AS counted;
RESET ROLE;
SELECT db_user = session_user AS login_user, principal, action, model, reason
FROM viper.audit_log ORDER BY id;

-- nobody else may: EXECUTE is viper_admin's, and the function checks the
-- membership itself when EXECUTE was granted more widely
SET ROLE permby_app;
SELECT pg_temp.try($$SELECT viper.bypass_permissions('let me in')$$);
RESET ROLE;
GRANT EXECUTE ON FUNCTION viper.bypass_permissions(text) TO permby_app;
SET ROLE permby_app;
SELECT pg_temp.try($$SELECT viper.bypass_permissions('let me in')$$);
SELECT viper._bypass_active() AS still_off;
RESET ROLE;
REVOKE EXECUTE ON FUNCTION viper.bypass_permissions(text) FROM permby_app;
SET ROLE permby_admin;
SELECT pg_temp.try($$SELECT viper.bypass_permissions(NULL)$$);
SELECT pg_temp.try($$SELECT viper.bypass_permissions('  ')$$);
RESET ROLE;

-- a rolled-back bypass leaves no audit row (the server log keeps its line)
SET ROLE permby_admin;
BEGIN;
SELECT viper.bypass_permissions('rolled back');
ROLLBACK;
RESET ROLE;
SELECT count(*) AS rolled_back_rows FROM viper.audit_log WHERE reason = 'rolled back';

-- spec ignore_permissions: administrators only, audited, for that call only
SET ROLE permby_app;
BEGIN;
SELECT viper.set_principal('1');
SELECT pg_temp.try($$SELECT viper.count('permby.Secret', '{"ignore_permissions": true}')$$);
ROLLBACK;
RESET ROLE;
SET ROLE permby_admin;
BEGIN;
SELECT viper.set_principal('2');
SELECT viper.count('permby.Secret', '{"ignore_permissions": true}') AS ignoring,
	   viper.count('permby.Secret') AS not_ignoring;
SELECT viper.delete('permby.Secret', '{"where": {"owner_id": 7}, "ignore_permissions": true}') AS deleted;
-- the scope closes when the call fails, too
SELECT pg_temp.try($$SELECT viper.get('permby.Secret', '{"where": {"owner_id": 99}, "ignore_permissions": true}')$$);
SELECT viper._bypass_active() AS after_calls;
COMMIT;
RESET ROLE;
SELECT principal, action, model, reason FROM viper.audit_log
WHERE reason LIKE 'ignore_permissions%' ORDER BY id;

-- patches run bypassed (they fix data whoever owns it) and are audited once
SET ROLE permby_admin;
SELECT viper.apply_patch('permby.0001_upper', $$UPDATE permby_secret SET body = upper(body)$$);
BEGIN;
SELECT viper.patch_claim('permby.0002_mark', 'post', 0, repeat('a', 64)) AS claimed;
SELECT viper._bypass_active() AS during_patch;
UPDATE permby_secret SET body = body || '!';
SELECT viper.patch_done('permby.0002_mark');
SELECT viper._bypass_active() AS after_patch;
COMMIT;
RESET ROLE;
SELECT id, body FROM permby_secret ORDER BY id;
SELECT principal, action, model, reason FROM viper.audit_log
WHERE reason LIKE 'patch %' ORDER BY id;

-- leave the database as the test found it
SET client_min_messages = warning;
DROP TABLE permby_secret;
DELETE FROM viper.models WHERE app = 'permby';
DELETE FROM viper.patches WHERE app = 'permby';
DELETE FROM viper.audit_log;
DROP OWNED BY permby_app, permby_admin;
DROP ROLE permby_app;
DROP ROLE permby_admin;
