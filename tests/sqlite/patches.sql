-- patches.sql — viper_apply_patch, viper_patch_claim and viper_patch_done
-- (DESIGN §4, §12): the scenarios of sql/patches.sql on SQLite. A patch
-- runs exactly once; its checksum is taken over normalised text; a changed
-- patch is logged, audited and not run again; a failed patch is not
-- recorded; every run leaves an audit row.
CREATE TABLE patch_side (patch TEXT, n INTEGER);

-- first run: 1, and the patch ran; second run: 0, nothing ran
SELECT viper_apply_patch('pt.0001_seed', 'INSERT INTO patch_side VALUES (''pt.0001_seed'', 1);');
SELECT viper_apply_patch('pt.0001_seed', 'INSERT INTO patch_side VALUES (''pt.0001_seed'', 1);');
-- other line endings, trailing blanks and blank lines: same checksum, no warning row
SELECT viper_apply_patch('pt.0001_seed', 'INSERT INTO patch_side VALUES (''pt.0001_seed'', 1);  ' || char(9, 13, 10, 13, 10) || '   ' || char(10));
-- changed text: 0, a warning audit row, and the new text is not run
SELECT viper_apply_patch('pt.0001_seed', 'INSERT INTO patch_side VALUES (''pt.0001_seed'', 2);');
SELECT * FROM patch_side ORDER BY patch, n;

-- the record: app from the name, phase, ord, algorithm, duration
SELECT name, app, phase, ord, checksum_algorithm, length(checksum) AS hexlen,
       typeof(duration_ms) AS duration, applied_at IS NOT NULL AS dated
FROM viper_patches WHERE name = 'pt.0001_seed';
-- the checksum of the same text under PostgreSQL's sha256() (sql/patches.sql)
SELECT checksum FROM viper_patches WHERE name = 'pt.0001_seed';

-- several statements in one patch; phase and order given
SELECT viper_apply_patch('pt.0002_multi',
  'INSERT INTO patch_side VALUES (''pt.0002_multi'', 1);
   INSERT INTO patch_side VALUES (''pt.0002_multi'', 2);
   UPDATE patch_side SET n = n + 10 WHERE patch = ''pt.0002_multi'';', 'pre', 5);
SELECT * FROM patch_side WHERE patch = 'pt.0002_multi' ORDER BY n;
-- a name without '.' has no app; phase and order may be omitted
SELECT viper_apply_patch('loose_patch', 'SELECT 1', 'post', -3);
SELECT viper_apply_patch('defaults_patch', 'SELECT 1');
SELECT name, app, phase, ord FROM viper_patches WHERE name IN ('loose_patch', 'defaults_patch') ORDER BY name;

-- the manual flow: BEGIN IMMEDIATE, claim, run, done, COMMIT
BEGIN IMMEDIATE;
SELECT viper_patch_claim('pt.0003_manual', 'pre', 1, printf('%.64c', 'a'));
INSERT INTO patch_side VALUES ('pt.0003_manual', 1);
SELECT viper_patch_done('pt.0003_manual');
COMMIT;
-- claiming again: 0 (already applied); another checksum: a warning row too
BEGIN IMMEDIATE;
SELECT viper_patch_claim('pt.0003_manual', 'pre', 1, printf('%.64c', 'a'));
SELECT viper_patch_claim('pt.0003_manual', 'pre', 1, printf('%.64c', 'c'));
COMMIT;
SELECT name, phase, ord, checksum FROM viper_patches WHERE name = 'pt.0003_manual';

-- claim and done need the caller's write transaction
SELECT viper_patch_claim('pt.0004_unclaimed', 'post', 0, printf('%.64c', '0'));
BEGIN;
SELECT viper_patch_claim('pt.0004_unclaimed', 'post', 0, printf('%.64c', '0'));
SELECT viper_patch_done('pt.0004_unclaimed');
ROLLBACK;
-- done without a claim: error
BEGIN IMMEDIATE;
SELECT viper_patch_done('pt.0004_unclaimed');
ROLLBACK;
-- the claim ends with its transaction: done in the next one is refused
BEGIN IMMEDIATE;
SELECT viper_patch_claim('pt.0004_unclaimed', 'post', 0, printf('%.64c', '0'));
COMMIT;
BEGIN IMMEDIATE;
SELECT viper_patch_done('pt.0004_unclaimed');
ROLLBACK;
-- claiming twice in one transaction is an error
BEGIN IMMEDIATE;
SELECT viper_patch_claim('pt.0005_twice', 'post', 0, printf('%.64c', '0'));
SELECT viper_patch_claim('pt.0005_twice', 'post', 0, printf('%.64c', '0'));
ROLLBACK;

-- a rolled-back claim (and its patch) can run again
BEGIN IMMEDIATE;
SELECT viper_patch_claim('pt.0006_rolled_back', 'post', 0, printf('%.64c', '1'));
INSERT INTO patch_side VALUES ('pt.0006_rolled_back', 1);
SELECT viper_patch_done('pt.0006_rolled_back');
ROLLBACK;
SELECT count(*) AS recorded FROM viper_patches WHERE name = 'pt.0006_rolled_back';
SELECT viper_apply_patch('pt.0006_rolled_back', 'INSERT INTO patch_side VALUES (''pt.0006_rolled_back'', 2);');
SELECT * FROM patch_side WHERE patch = 'pt.0006_rolled_back';

-- a failing patch raises SQLite's error; its earlier statements roll back; not recorded
SELECT viper_apply_patch('pt.0009_fails',
  'INSERT INTO patch_side VALUES (''pt.0009_fails'', 1);
   INSERT INTO no_such_table VALUES (1);');
SELECT viper_apply_patch('pt.0009_fails', 'INSERT INTO patch_side VALUES (''pt.0009_fails'', 1); SELEC 1;');
SELECT viper_apply_patch('pt.0009_fails', 'INSERT INTO patch_side VALUES (''pt.0009_fails'', 1); INSERT INTO patch_side VALUES (1, 2, 3);');
SELECT count(*) AS recorded FROM viper_patches WHERE name = 'pt.0009_fails';
SELECT count(*) AS side_rows FROM patch_side WHERE patch = 'pt.0009_fails';
-- fixed, it runs
SELECT viper_apply_patch('pt.0009_fails', 'INSERT INTO patch_side VALUES (''pt.0009_fails'', 1);');
SELECT * FROM patch_side WHERE patch = 'pt.0009_fails';
-- a patch cannot end the transaction it runs in (ROLLBACK TO a savepoint is fine)
SELECT viper_apply_patch('pt.0010_commit', 'INSERT INTO patch_side VALUES (''x'', 0); COMMIT;');
SELECT viper_apply_patch('pt.0010_commit', '/* c */ begin; SELECT 1;');
SELECT viper_apply_patch('pt.0010_commit', 'ROLLBACK TRANSACTION;');
SELECT count(*) AS recorded FROM viper_patches WHERE name = 'pt.0010_commit';
SELECT viper_apply_patch('pt.0010_savepoint',
  'SAVEPOINT a; INSERT INTO patch_side VALUES (''pt.0010_savepoint'', 1);
   ROLLBACK TO a; RELEASE a; INSERT INTO patch_side VALUES (''pt.0010_savepoint'', 2);');
SELECT * FROM patch_side WHERE patch IN ('x', 'pt.0010_savepoint');

-- apply_patch runs its own transaction: refused inside one, or from a
-- statement that reads a table
BEGIN;
SELECT viper_apply_patch('pt.0011_outer', 'SELECT 1');
ROLLBACK;
SELECT viper_apply_patch('pt.0011_outer', 'SELECT 1') FROM patch_side LIMIT 1;
SELECT count(*) AS recorded FROM viper_patches WHERE name = 'pt.0011_outer';
-- a patch may create tables and change the schema
SELECT viper_apply_patch('pt.0012_ddl', 'CREATE TABLE patch_new (id INTEGER PRIMARY KEY); INSERT INTO patch_new VALUES (7);');
SELECT * FROM patch_new;

-- the order migrators run them in: pre before post, then ord, then name
SELECT name, phase, ord FROM viper_patches
ORDER BY CASE phase WHEN 'pre' THEN 0 ELSE 1 END, ord, name;

-- one audit row per run (action bypass, reason "patch <name>") and one
-- warning row per changed patch
SELECT action, reason, principal, model, db_user FROM viper_audit_log ORDER BY id;

-- bad arguments
SELECT viper_apply_patch('pt.bad', 'SELECT 1', 'during');
SELECT viper_apply_patch('pt.bad', 'SELECT 1', 'post', 1.5);
SELECT viper_apply_patch('pt.bad', 'SELECT 1', 'post', 'one');
SELECT viper_apply_patch('pt.bad', 'SELECT 1', 'post', 4294967296);
SELECT viper_patch_claim('pt.bad', 'pre', 0, 'ABCDEF');
SELECT viper_patch_claim('pt.bad', 'pre', 0, upper(printf('%.64c', 'a')));
SELECT viper_patch_claim('pt.bad', 'pre', 0, printf('%.62c', 'a') || 'zz');
SELECT viper_apply_patch('', 'SELECT 1');
SELECT viper_apply_patch(printf('%.201c', 'n'), 'SELECT 1');
SELECT viper_apply_patch('pt.tab' || char(9) || 'here', 'SELECT 1');
SELECT viper_apply_patch(NULL, 'SELECT 1');
SELECT viper_apply_patch('pt.null_sql', NULL);
SELECT viper_apply_patch('pt.null_phase', 'SELECT 1', NULL);
SELECT viper_apply_patch('pt.null_ord', 'SELECT 1', 'post', NULL);
SELECT viper_apply_patch('pt.nul', 'SELECT 1;' || char(0) || 'DROP TABLE patch_side;');
SELECT viper_patch_claim('pt.bad', 'pre', 0, NULL);
SELECT viper_patch_claim('pt.bad', 'pre', 0);
SELECT count(*) AS recorded FROM viper_patches WHERE name LIKE 'pt.bad%' OR name LIKE 'pt.nul%';

-- the patch functions are DIRECTONLY: not from triggers or views
SELECT name, narg, (flags & 0x80000) != 0 AS directonly
FROM pragma_function_list WHERE name LIKE 'viper\_%patch%' ESCAPE '\' ORDER BY name, narg;
CREATE VIEW patch_view AS SELECT viper_apply_patch('pt.0013_view', 'SELECT 1') AS r;
SELECT * FROM patch_view;
