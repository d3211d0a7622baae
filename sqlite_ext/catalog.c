/*
 * catalog.c — the SQLite catalog of DESIGN §2 (tables prefixed viper_, no
 * schemas): created when the extension is loaded, plus the two functions
 * that read it without a model, viper_version() and viper_catalog_version().
 *
 * Installation is idempotent and cheap on reload: when every object is
 * already there, nothing is written (no write lock is taken at every
 * connect). Otherwise it runs in one
 * transaction (BEGIN IMMEDIATE in autocommit, so two loaders cannot
 * deadlock on a read-to-write upgrade; a savepoint inside a caller's
 * transaction). A read-only database is skipped silently: the functions
 * that need the catalog then report 42P01 with a hint.
 *
 * The catalog lives in the main schema and is read as main.viper_*, so a
 * temp table of the same name cannot shadow it.
 *
 * viper_catalog_state holds one row whose version the AFTER triggers on
 * viper_models, viper_grants and viper_vendor_features bump: clients
 * compare viper_catalog_version() to invalidate their caches. The seed rows
 * are inserted before the triggers exist, so a fresh catalog has version 1.
 */
#include "sqlite_error.h"

#include <string.h>

#define TS_NOW "(strftime('%Y-%m-%dT%H:%M:%fZ','now'))"

/* Tables, in creation order (viper_grants references viper_models). */
static const char *const catalog_tables[] = {
	"CREATE TABLE IF NOT EXISTS main.viper_models ("
	" label TEXT PRIMARY KEY,"
	" app TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" table_name TEXT NOT NULL,"
	" schema TEXT NOT NULL CHECK (json_valid(schema)),"
	" managed INTEGER NOT NULL DEFAULT 1 CHECK (managed IN (0, 1)),"
	" read_only INTEGER NOT NULL DEFAULT 0 CHECK (read_only IN (0, 1)),"
	" single INTEGER NOT NULL DEFAULT 0 CHECK (single IN (0, 1)),"
	" version INTEGER NOT NULL DEFAULT 1,"
	" updated_at TEXT NOT NULL DEFAULT " TS_NOW ")",

	"CREATE TABLE IF NOT EXISTS main.viper_grants ("
	" model TEXT NOT NULL REFERENCES viper_models (label) ON DELETE CASCADE,"
	" action TEXT NOT NULL"
	"  CHECK (action IN ('select', 'insert', 'update', 'delete', 'all')),"
	" role TEXT NOT NULL,"
	" predicate TEXT,"
	" created_at TEXT NOT NULL DEFAULT " TS_NOW ","
	" PRIMARY KEY (model, action, role))",

	"CREATE TABLE IF NOT EXISTS main.viper_patches ("
	" name TEXT PRIMARY KEY,"
	" app TEXT,"
	" phase TEXT NOT NULL CHECK (phase IN ('pre', 'post')),"
	" ord INTEGER NOT NULL DEFAULT 0,"
	" checksum TEXT NOT NULL,"
	" checksum_algorithm TEXT NOT NULL,"
	" applied_at TEXT NOT NULL DEFAULT " TS_NOW ","
	" duration_ms REAL)",

	"CREATE TABLE IF NOT EXISTS main.viper_vendor_features ("
	" vendor TEXT NOT NULL,"
	" feature TEXT NOT NULL,"
	" enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),"
	" PRIMARY KEY (vendor, feature))",

	"CREATE TABLE IF NOT EXISTS main.viper_audit_log ("
	" id INTEGER PRIMARY KEY,"
	" ts TEXT NOT NULL DEFAULT " TS_NOW ","
	" db_user TEXT,"
	" principal TEXT,"
	" action TEXT NOT NULL,"
	" model TEXT,"
	" reason TEXT)",

	"CREATE TABLE IF NOT EXISTS main.viper_catalog_state ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" version INTEGER NOT NULL)",
};

/* Tables whose changes bump viper_catalog_state.version. */
static const char *const versioned_tables[] = {
	"viper_models", "viper_grants", "viper_vendor_features"
};

#define N_TABLES (sizeof(catalog_tables) / sizeof(catalog_tables[0]))
#define N_VERSIONED (sizeof(versioned_tables) / sizeof(versioned_tables[0]))

/* one trigger per versioned table and event */
static const char *const trigger_events[3][2] = {
	{"ins", "INSERT"}, {"upd", "UPDATE"}, {"del", "DELETE"}
};

/* Table names in creation order, matching catalog_tables[]. */
static const char *const table_names[] = {
	"viper_models", "viper_grants", "viper_patches", "viper_vendor_features",
	"viper_audit_log", "viper_catalog_state"
};

_Static_assert(sizeof(table_names) / sizeof(table_names[0]) == N_TABLES,
			   "table_names[] must list every table of catalog_tables[]");

/* Name of the version trigger for a versioned table and event. */
static char *
trigger_name(size_t table, int event)
{
	return sqlite3_mprintf("%s_version_%s", versioned_tables[table],
						   trigger_events[event][0]);
}

/* Is there an object of this type and name in main? (st from schema_query) */
static int
object_exists(sqlite3_stmt *st, const char *type, const char *name)
{
	int			found;

	if (sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC) != SQLITE_OK ||
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC) != SQLITE_OK)
		return 0;
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return found;
}

static const char schema_query[] =
"SELECT 1 FROM main.sqlite_master WHERE type = ?1 AND name = ?2";

/*
 * Does main hold every catalog table and trigger, and the state row? Any
 * error counts as "no": the install step then runs and reports real errors
 * itself.
 */
static int
catalog_complete(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int			complete = 0;
	size_t		t;
	int			e;

	if (sqlite3_prepare_v2(db, schema_query, -1, &st, NULL) != SQLITE_OK)
		goto done;
	for (t = 0; t < N_TABLES; t++)
		if (!object_exists(st, "table", table_names[t]))
			goto done;
	for (t = 0; t < N_VERSIONED; t++)
		for (e = 0; e < 3; e++)
		{
			char	   *name = trigger_name(t, e);
			int			found = name != NULL &&
				object_exists(st, "trigger", name);

			sqlite3_free(name);
			if (!found)
				goto done;
		}
	sqlite3_finalize(st);
	st = NULL;

	if (sqlite3_prepare_v2(db,
						   "SELECT 1 FROM main.viper_catalog_state WHERE id = 1",
						   -1, &st, NULL) != SQLITE_OK)
		goto done;
	complete = sqlite3_step(st) == SQLITE_ROW;
done:
	sqlite3_finalize(st);
	return complete;
}

/* Does main have the table yet? -1 on error. */
static int
table_exists(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st = NULL;
	int			found = -1;

	if (sqlite3_prepare_v2(db, schema_query, -1, &st, NULL) == SQLITE_OK)
		found = object_exists(st, "table", name);
	sqlite3_finalize(st);
	return found;
}

/* INSERT OR IGNORE core's vendor × feature table (bound parameters). */
static int
seed_vendor_features(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int			rc;
	int			v,
				f;

	rc = sqlite3_prepare_v2(db,
							"INSERT OR IGNORE INTO main.viper_vendor_features"
							" (vendor, feature, enabled) VALUES (?1, ?2, ?3)",
							-1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	for (v = 0; v < VC_VENDOR__COUNT && rc == SQLITE_OK; v++)
		for (f = 0; f < VC_FEAT__COUNT && rc == SQLITE_OK; f++)
		{
			rc = sqlite3_bind_text(st, 1, vc_vendor_name((vc_vendor) v), -1,
								   SQLITE_STATIC);
			if (rc == SQLITE_OK)
				rc = sqlite3_bind_text(st, 2, vc_feature_name((vc_feature) f),
									   -1, SQLITE_STATIC);
			if (rc == SQLITE_OK)
				rc = sqlite3_bind_int(st, 3,
									  vc_feature_default((vc_vendor) v,
														 (vc_feature) f));
			if (rc == SQLITE_OK)
			{
				rc = sqlite3_step(st);
				rc = (rc == SQLITE_DONE) ? SQLITE_OK : rc;
			}
			if (rc == SQLITE_OK)
				rc = sqlite3_reset(st);
		}
	sqlite3_finalize(st);
	return rc;
}

/*
 * The version triggers. Their text is built from this file's constant
 * table names only (never from input), so sqlite3_mprintf is safe here.
 */
static int
create_triggers(sqlite3 *db)
{
	size_t		t;
	int			e;
	int			rc = SQLITE_OK;

	for (t = 0; t < N_VERSIONED && rc == SQLITE_OK; t++)
		for (e = 0; e < 3 && rc == SQLITE_OK; e++)
		{
			char	   *name = trigger_name(t, e);
			char	   *sql = NULL;

			if (name != NULL)
				sql = sqlite3_mprintf("CREATE TRIGGER IF NOT EXISTS main.%s"
									  " AFTER %s ON %s FOR EACH ROW BEGIN"
									  " UPDATE viper_catalog_state"
									  " SET version = version + 1"
									  " WHERE id = 1; END",
									  name, trigger_events[e][1],
									  versioned_tables[t]);
			sqlite3_free(name);
			if (sql == NULL)
				return SQLITE_NOMEM;
			rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
			sqlite3_free(sql);
		}
	return rc;
}

/*
 * Every step of the install, inside the caller's transaction. The vendor
 * features are seeded only together with their table, as CREATE EXTENSION
 * does in PostgreSQL: a row a DBA deleted or changed stays so on reload.
 */
static int
install_objects(sqlite3 *db)
{
	size_t		i;
	int			rc = SQLITE_OK;
	int			seed = table_exists(db, "viper_vendor_features");

	if (seed < 0)
		return sqlite3_errcode(db);
	seed = !seed;
	for (i = 0; i < N_TABLES && rc == SQLITE_OK; i++)
		rc = sqlite3_exec(db, catalog_tables[i], NULL, NULL, NULL);
	if (rc == SQLITE_OK && seed)
		rc = seed_vendor_features(db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db,
						  "INSERT OR IGNORE INTO main.viper_catalog_state"
						  " (id, version) VALUES (1, 1)",
						  NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = create_triggers(db);
	return rc;
}

int
viper_sqlite_catalog_install(sqlite3 *db, char **pzErrMsg)
{
	int			autocommit;
	int			rc;
	char	   *msg;

	if (catalog_complete(db))
		return SQLITE_OK;
	/* read-only database: skip; the functions report 42P01 later */
	if (sqlite3_db_readonly(db, "main") == 1)
		return SQLITE_OK;

	autocommit = sqlite3_get_autocommit(db);
	rc = sqlite3_exec(db,
					  autocommit ? "BEGIN IMMEDIATE" : "SAVEPOINT viper_install",
					  NULL, NULL, NULL);
	if (rc == SQLITE_OK)
	{
		rc = install_objects(db);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(db,
							  autocommit ? "COMMIT" : "RELEASE viper_install",
							  NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return SQLITE_OK;
	}

	/* keep the failing statement's message before the rollback resets it */
	msg = sqlite3_mprintf("viper: could not create the catalog: %s",
						  sqlite3_errmsg(db));
	if (autocommit)
	{
		if (!sqlite3_get_autocommit(db))
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	}
	else
		sqlite3_exec(db, "ROLLBACK TO viper_install; RELEASE viper_install",
					 NULL, NULL, NULL);

	/* e.g. PRAGMA query_only, or a file opened read-write but not writable */
	if ((rc & 0xff) == SQLITE_READONLY)
	{
		sqlite3_free(msg);
		return SQLITE_OK;
	}
	if (pzErrMsg != NULL)
		*pzErrMsg = msg;
	else
		sqlite3_free(msg);
	return rc;
}

/*
 * Report a failure to read catalog table `table`: a missing table means the
 * catalog was never installed (a read-only database), anything else is
 * passed on with SQLite's message.
 */
void
viper_sqlite_catalog_error(sqlite3_context *ctx, sqlite3 *db, int rc,
						   const char *table)
{
	viper_sqlite_raise_db(ctx, db, rc, "could not read the viper catalog", table);
}

/* viper_version() — the version the library was built as */
void
viper_sqlite_version(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void) argc;
	(void) argv;
	sqlite3_result_text(ctx, VIPER_VERSION, -1, SQLITE_STATIC);
}

/* viper_catalog_version() — changes whenever the catalog changes */
void
viper_sqlite_catalog_version(sqlite3_context *ctx, int argc,
							 sqlite3_value **argv)
{
	sqlite3    *db = sqlite3_context_db_handle(ctx);
	sqlite3_stmt *st = NULL;
	int			rc;

	(void) argc;
	(void) argv;
	rc = sqlite3_prepare_v2(db,
							"SELECT version FROM main.viper_catalog_state"
							" WHERE id = 1",
							-1, &st, NULL);
	if (rc != SQLITE_OK)
	{
		viper_sqlite_catalog_error(ctx, db, rc, "viper_catalog_state");
		return;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		sqlite3_result_int64(ctx, sqlite3_column_int64(st, 0));
	else if (rc == SQLITE_DONE)
	{
		vc_error	err;

		vc_error_set(&err, VC_ERR_INTERNAL,
					 "viper catalog is damaged: viper_catalog_state has no row");
		vc_error_hint(&err, "Insert (1, 1) into main.viper_catalog_state.");
		viper_sqlite_raise(ctx, &err);
	}
	else
		viper_sqlite_catalog_error(ctx, db, rc, "viper_catalog_state");
	sqlite3_finalize(st);
}
