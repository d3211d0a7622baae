--
-- patches: viper.apply_patch, viper.patch_claim and viper.patch_done
-- (DESIGN §4, §12). A patch runs exactly once; its checksum is taken over
-- normalised text; a changed patch gives a WARNING and is not run again;
-- a failed patch is not recorded; every run leaves an audit row.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS viper;
RESET client_min_messages;
\pset null '<NULL>'

-- side effects of the patches land here, so a second run would show
CREATE TABLE public.patch_side (patch text, n integer);

-- first run: true, and the patch ran
SELECT viper.apply_patch('pt.0001_seed', 'INSERT INTO patch_side VALUES (''pt.0001_seed'', 1);');
-- second run: false, nothing ran
SELECT viper.apply_patch('pt.0001_seed', 'INSERT INTO patch_side VALUES (''pt.0001_seed'', 1);');
-- other line endings, trailing blanks and blank lines: same checksum, no warning
SELECT viper.apply_patch('pt.0001_seed',
	E'INSERT INTO patch_side VALUES (''pt.0001_seed'', 1);  \t\r\n\r\n   \n');
-- changed text: WARNING, false, and the new text is not run
SELECT viper.apply_patch('pt.0001_seed', 'INSERT INTO patch_side VALUES (''pt.0001_seed'', 2);');
SELECT * FROM patch_side ORDER BY patch, n;

-- the record: app from the name, phase, ord, algorithm; the checksum is
-- the SHA-256 of the text (here already normalised)
SELECT name, app, phase, ord, checksum_algorithm,
	   checksum = encode(sha256(convert_to('INSERT INTO patch_side VALUES (''pt.0001_seed'', 1);', 'UTF8')), 'hex') AS sha256_of_text,
	   duration_ms >= 0 AS timed, applied_at <= now() AS dated
FROM viper.patches WHERE name = 'pt.0001_seed';

-- several statements in one patch; phase and order given
SELECT viper.apply_patch('pt.0002_multi',
	'INSERT INTO patch_side VALUES (''pt.0002_multi'', 1);
	 INSERT INTO patch_side VALUES (''pt.0002_multi'', 2);
	 UPDATE patch_side SET n = n + 10 WHERE patch = ''pt.0002_multi'';', 'pre', 5);
SELECT * FROM patch_side WHERE patch = 'pt.0002_multi' ORDER BY n;
-- a name without '.' has no app
SELECT viper.apply_patch('loose_patch', 'SELECT 1', 'post', -3);
SELECT name, app FROM viper.patches WHERE name = 'loose_patch';

-- the manual flow: claim, run, done — all in one transaction
BEGIN;
SELECT viper.patch_claim('pt.0003_manual', 'pre', 1, repeat('ab', 32));
INSERT INTO patch_side VALUES ('pt.0003_manual', 1);
SELECT viper.patch_done('pt.0003_manual');
COMMIT;
-- claiming again: false (already applied); another checksum: WARNING too
BEGIN;
SELECT viper.patch_claim('pt.0003_manual', 'pre', 1, repeat('ab', 32));
SELECT viper.patch_claim('pt.0003_manual', 'pre', 1, repeat('cd', 32));
COMMIT;
SELECT name, phase, ord, checksum FROM viper.patches WHERE name = 'pt.0003_manual';

-- done without a claim: error
SELECT viper.patch_done('pt.0004_unclaimed');
-- the claim ends with its transaction: done in the next one is refused
BEGIN;
SELECT viper.patch_claim('pt.0004_unclaimed', 'post', 0, repeat('0', 64));
COMMIT;
SELECT viper.patch_done('pt.0004_unclaimed');
-- claiming twice in one transaction is an error
BEGIN;
SELECT viper.patch_claim('pt.0005_twice', 'post', 0, repeat('0', 64));
SELECT viper.patch_claim('pt.0005_twice', 'post', 0, repeat('0', 64));
ROLLBACK;

-- a rolled-back claim (and its patch) can run again
BEGIN;
SELECT viper.patch_claim('pt.0006_rolled_back', 'post', 0, repeat('1', 64));
INSERT INTO patch_side VALUES ('pt.0006_rolled_back', 1);
SELECT viper.patch_done('pt.0006_rolled_back');
ROLLBACK;
SELECT count(*) AS recorded FROM viper.patches WHERE name = 'pt.0006_rolled_back';
SELECT viper.apply_patch('pt.0006_rolled_back', 'INSERT INTO patch_side VALUES (''pt.0006_rolled_back'', 2);');
SELECT * FROM patch_side WHERE patch = 'pt.0006_rolled_back';

-- a claim made in a savepoint that rolls back is dropped with it
BEGIN;
SAVEPOINT s;
SELECT viper.patch_claim('pt.0007_savepoint', 'post', 0, repeat('2', 64));
ROLLBACK TO SAVEPOINT s;
SELECT viper.patch_done('pt.0007_savepoint');
ROLLBACK;
-- a claim in a released savepoint belongs to the transaction
BEGIN;
SAVEPOINT s;
SELECT viper.patch_claim('pt.0007_savepoint', 'post', 0, repeat('2', 64));
RELEASE SAVEPOINT s;
SELECT viper.patch_done('pt.0007_savepoint');
COMMIT;
SELECT count(*) AS recorded FROM viper.patches WHERE name = 'pt.0007_savepoint';

-- claimed but never done: a WARNING at commit, nothing recorded
BEGIN;
SELECT viper.patch_claim('pt.0008_forgotten', 'post', 0, repeat('3', 64));
COMMIT;
SELECT count(*) AS recorded FROM viper.patches WHERE name = 'pt.0008_forgotten';

-- a failing patch raises; its earlier statements roll back; not recorded
SELECT viper.apply_patch('pt.0009_fails',
	'INSERT INTO patch_side VALUES (''pt.0009_fails'', 1);
	 INSERT INTO no_such_table VALUES (1);');
SELECT count(*) AS recorded FROM viper.patches WHERE name = 'pt.0009_fails';
SELECT count(*) AS side_rows FROM patch_side WHERE patch = 'pt.0009_fails';
-- fixed, it runs
SELECT viper.apply_patch('pt.0009_fails',
	'INSERT INTO patch_side VALUES (''pt.0009_fails'', 1);');
SELECT * FROM patch_side WHERE patch = 'pt.0009_fails';
-- a patch cannot end the transaction it runs in
SELECT viper.apply_patch('pt.0010_commit', 'INSERT INTO patch_side VALUES (''x'', 0); COMMIT;');
SELECT count(*) AS recorded FROM viper.patches WHERE name = 'pt.0010_commit';
-- the caller's transaction decides: a rollback after apply_patch undoes both
BEGIN;
SELECT viper.apply_patch('pt.0011_outer', 'INSERT INTO patch_side VALUES (''pt.0011_outer'', 1);');
ROLLBACK;
SELECT count(*) AS recorded FROM viper.patches WHERE name = 'pt.0011_outer';

-- the order migrators run them in: pre before post, then ord, then name
SELECT name, phase, ord FROM viper.patches
WHERE name LIKE 'pt.%' OR name = 'loose_patch'
ORDER BY CASE phase WHEN 'pre' THEN 0 ELSE 1 END, ord, name;

-- one audit row per run, action bypass, reason "patch <name>", session user
SELECT action, reason, principal, model, db_user = session_user AS by_session_user
FROM viper.audit_log WHERE reason LIKE 'patch %' ORDER BY id;

-- bad arguments
SELECT viper.apply_patch('pt.bad', 'SELECT 1', 'during');
SELECT viper.patch_claim('pt.bad', 'pre', 0, 'ABCDEF');
SELECT viper.patch_claim('pt.bad', 'pre', 0, upper(repeat('ab', 32)));
SELECT viper.patch_claim('pt.bad', 'pre', 0, repeat('ab', 31) || 'zz');
SELECT viper.apply_patch('', 'SELECT 1');
SELECT viper.apply_patch(repeat('n', 201), 'SELECT 1');
SELECT viper.apply_patch(E'pt.tab\there', 'SELECT 1');
SELECT viper.apply_patch(NULL, 'SELECT 1');
SELECT viper.apply_patch('pt.null_sql', NULL);
SELECT viper.apply_patch('pt.null_phase', 'SELECT 1', NULL);
SELECT viper.apply_patch('pt.null_ord', 'SELECT 1', 'post', NULL);
SELECT viper.patch_claim('pt.bad', 'pre', 0, NULL);
-- their SQLSTATE is 22023 (invalid_parameter_value)
\set VERBOSITY sqlstate
SELECT viper.apply_patch('pt.bad', 'SELECT 1', 'during');
SELECT viper.patch_claim('pt.bad', 'pre', 0, 'ABCDEF');
SELECT viper.patch_done('pt.never_claimed');
\set VERBOSITY default
SELECT count(*) AS recorded FROM viper.patches WHERE name LIKE 'pt.bad%' OR name LIKE 'pt.null%';

-- privileges: EXECUTE for viper_admin only
SELECT p.proname, p.provolatile, p.proconfig,
	   has_function_privilege('public', p.oid, 'EXECUTE') AS public_exec,
	   has_function_privilege('viper_admin', p.oid, 'EXECUTE') AS admin_exec
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'viper' AND p.proname IN ('apply_patch', 'patch_claim', 'patch_done')
ORDER BY p.proname;
CREATE ROLE regress_patch_user;
CREATE ROLE regress_patch_admin IN ROLE viper_admin;
GRANT ALL ON TABLE public.patch_side TO regress_patch_admin;
SET ROLE regress_patch_user;
SELECT viper.apply_patch('pt.0012_denied', 'SELECT 1');
SELECT viper.patch_claim('pt.0012_denied', 'post', 0, repeat('0', 64));
SELECT viper.patch_done('pt.0012_denied');
\set VERBOSITY sqlstate
SELECT viper.apply_patch('pt.0012_denied', 'SELECT 1');
\set VERBOSITY default
-- nor may it write the patch record directly
INSERT INTO viper.patches (name, phase, checksum, checksum_algorithm)
VALUES ('pt.0012_denied', 'post', repeat('0', 64), 'sha256-norm-v1');
RESET ROLE;
-- a member of viper_admin (not a superuser) can run patches
SET ROLE regress_patch_admin;
SELECT viper.apply_patch('pt.0012_admin', 'INSERT INTO patch_side VALUES (''pt.0012_admin'', 1);');
RESET ROLE;
SELECT name, app FROM viper.patches WHERE name LIKE 'pt.0012%';
SELECT action, reason, db_user = session_user AS by_session_user
FROM viper.audit_log WHERE reason = 'patch pt.0012_admin';

DROP OWNED BY regress_patch_admin;
DROP ROLE regress_patch_user;
DROP ROLE regress_patch_admin;
DROP TABLE public.patch_side;
