/*
 * viper_sqlite.c — entry point of the SQLite loadable extension
 * (sqlite3_viper_init, found by `.load sqlite_ext/build/viper` from the
 * file name) and the one table of SQL functions it registers.
 *
 * Every function is registered from functions[] below, each arity of an
 * optional trailing argument as its own registration, so a call with the
 * wrong number of arguments is rejected by SQLite itself ("wrong number of
 * arguments to function ..."). The flags are API (CONVENTIONS "SQL"):
 * pure validators are DETERMINISTIC|INNOCUOUS; functions that read the
 * catalog are plain (not deterministic, not usable from schema objects
 * under trusted_schema=OFF); catalog mutators will be DIRECTONLY.
 *
 * Per-connection state (conn.c) is every function's user data, created
 * here for each connection, so two connections never share anything. The
 * only static object is SQLite's own API pointer.
 */
#include "viper_sqlite.h"
#include "schema_sync.h"
#include "engine.h"

SQLITE_EXTENSION_INIT1

#define VIPER_PURE (SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS)
#define VIPER_READS_CATALOG (SQLITE_UTF8)
/* reads and writes of model tables: plain, so application SQL, views and
 * triggers can call them (writes are never INNOCUOUS) */
#define VIPER_ENGINE (SQLITE_UTF8)

typedef struct viper_function
{
	const char *name;
	/* min_args..max_args are registered; min_args = -1 means "any number" */
	signed char min_args;
	signed char max_args;
	int			flags;
	void		(*func) (sqlite3_context *, int, sqlite3_value **);
} viper_function;

static const viper_function functions[] = {
	{"viper_version", 0, 0, VIPER_PURE, viper_sqlite_version},
	{"viper_catalog_version", 0, 0, VIPER_READS_CATALOG,
	viper_sqlite_catalog_version},
	{"viper_features", 0, 0, VIPER_READS_CATALOG, viper_sqlite_features},
	{"viper_validate_identifier", 1, 2, VIPER_PURE,
	viper_sqlite_validate_identifier},
	{"viper_assert_safe_table_name", 1, 1, VIPER_PURE,
	viper_sqlite_assert_safe_table_name},
	{"viper_quote_identifier", 1, 2, VIPER_PURE,
	viper_sqlite_quote_identifier},
	{"viper_validate_sql_expression", 1, 3, VIPER_PURE,
	viper_sqlite_validate_sql_expression},
	{"viper_escape_like", 1, 1, VIPER_PURE, viper_sqlite_escape_like},
	{"viper_validate_regex_pattern", 1, 1, VIPER_PURE,
	viper_sqlite_validate_regex_pattern},
	{"viper_validate_on_delete", 1, 1, VIPER_PURE,
	viper_sqlite_validate_on_delete},
	{"viper_mask_url", 1, 1, VIPER_PURE, viper_sqlite_mask_url},
	/* schema sync (schema_sync.h): catalog writers are DIRECTONLY */
	{"viper_register_model", 1, 1, SQLITE_UTF8 | SQLITE_DIRECTONLY,
	viper_sqlite_register_model},
	{"viper_model", 1, 1, VIPER_READS_CATALOG, viper_sqlite_model},
	{"viper_introspect", 1, 1, VIPER_READS_CATALOG, viper_sqlite_introspect},
	{"viper_plan", 1, 2, VIPER_READS_CATALOG, viper_sqlite_plan},
	{"viper_migrate", 1, 2, SQLITE_UTF8 | SQLITE_DIRECTONLY,
	viper_sqlite_migrate},
	/* data patches: claim/done in the caller's write transaction */
	{"viper_patch_claim", 4, 4, SQLITE_UTF8 | SQLITE_DIRECTONLY,
	viper_sqlite_patch_claim},
	{"viper_patch_done", 1, 1, SQLITE_UTF8 | SQLITE_DIRECTONLY,
	viper_sqlite_patch_done},
	{"viper_apply_patch", 2, 4, SQLITE_UTF8 | SQLITE_DIRECTONLY,
	viper_sqlite_apply_patch},
	/* query engine (engine.h); viper_query is the table-valued function
	 * registered by query_vtab.c */
	{"viper_get", 2, 2, VIPER_ENGINE, viper_sqlite_get},
	{"viper_count", 1, 2, VIPER_ENGINE, viper_sqlite_count},
	{"viper_exists", 1, 2, VIPER_ENGINE, viper_sqlite_exists},
	{"viper_aggregate", 2, 2, VIPER_ENGINE, viper_sqlite_aggregate},
	{"viper_compile", 1, 2, VIPER_ENGINE, viper_sqlite_compile},
	{"viper_insert", 2, 2, VIPER_ENGINE, viper_sqlite_insert},
	{"viper_bulk_create", 2, 2, VIPER_ENGINE, viper_sqlite_bulk_create},
	{"viper_update", 3, 3, VIPER_ENGINE, viper_sqlite_update},
	{"viper_bulk_update", 3, 3, VIPER_ENGINE, viper_sqlite_bulk_update},
	{"viper_delete", 2, 2, VIPER_ENGINE, viper_sqlite_delete},
	{"viper_get_or_create", 2, 3, VIPER_ENGINE, viper_sqlite_get_or_create},
	{"viper_update_or_create", 2, 3, VIPER_ENGINE,
	viper_sqlite_update_or_create},
	{"viper_m2m_add", 3, 4, VIPER_ENGINE, viper_sqlite_m2m_add},
	{"viper_m2m_remove", 3, 4, VIPER_ENGINE, viper_sqlite_m2m_remove},
	{"viper_m2m_set", 3, 4, VIPER_ENGINE, viper_sqlite_m2m_set},
	{"viper_m2m_clear", 3, 4, VIPER_ENGINE, viper_sqlite_m2m_clear},
	{"viper_get_single", 1, 1, VIPER_ENGINE, viper_sqlite_get_single},
	{"viper_create_single", 2, 2, VIPER_ENGINE, viper_sqlite_create_single},
	{"viper_update_single", 2, 2, VIPER_ENGINE, viper_sqlite_update_single},
	{"viper_get_or_create_single", 1, 2, VIPER_ENGINE,
	viper_sqlite_get_or_create_single},
	/* per-connection settings: viper_set changes the connection's state,
	 * so only a top-level statement may call it */
	{"viper_set", 2, 2, SQLITE_UTF8 | SQLITE_DIRECTONLY, viper_sqlite_set},
	{"viper_setting", 1, 1, VIPER_ENGINE, viper_sqlite_setting},
	/* permissions (permissions.c): the session readers are plain — they
	 * change within a connection (not deterministic) and expose session
	 * state (not innocuous); compiled statements call them */
	{"viper_set_principal", 1, 2, SQLITE_UTF8 | SQLITE_DIRECTONLY,
	viper_sqlite_set_principal},
	{"viper_principal", 0, 0, SQLITE_UTF8, viper_sqlite_principal},
	{"viper_principal_roles", 0, 0, SQLITE_UTF8, viper_sqlite_principal_roles},
	{"viper__bypass_active", 0, 0, SQLITE_UTF8, viper_sqlite_bypass_active_fn},
	{"viper_bypass_permissions", 1, 1, SQLITE_UTF8 | SQLITE_DIRECTONLY,
	viper_sqlite_bypass_permissions},
	{"viper_grant", 3, 4, SQLITE_UTF8 | SQLITE_DIRECTONLY, viper_sqlite_grant},
	{"viper_revoke", 3, 3, SQLITE_UTF8 | SQLITE_DIRECTONLY, viper_sqlite_revoke},
	/* `x REGEXP ?n` of the regex/iregex lookups */
	{"regexp", 2, 2, VIPER_PURE, viper_sqlite_regexp},
};

/*
 * Register one table entry at every arity it accepts. Each registration
 * holds a reference to the connection's state (its user data), dropped by
 * SQLite through viper_sqlite_conn_release when the function goes.
 */
static int
register_function(sqlite3 *db, const viper_function *fn,
				  viper_sqlite_conn *conn, char **pzErrMsg)
{
	int			n = fn->min_args;
	int			last = fn->min_args < 0 ? -1 : fn->max_args;
	int			rc;

	for (;; n++)
	{
		viper_sqlite_conn_retain(conn);
		/* on failure SQLite calls the destructor itself: no leak */
		rc = sqlite3_create_function_v2(db, fn->name, n, fn->flags, conn,
										fn->func, NULL, NULL,
										viper_sqlite_conn_release);
		if (rc != SQLITE_OK)
		{
			if (pzErrMsg != NULL)
				*pzErrMsg = sqlite3_mprintf("viper: could not register %s/%d: %s",
											fn->name, n, sqlite3_errmsg(db));
			return rc;
		}
		if (n >= last)
			return SQLITE_OK;
	}
}

#ifdef _WIN32
__declspec(dllexport)
#else
__attribute__((visibility("default")))
#endif
int
sqlite3_viper_init(sqlite3 *db, char **pzErrMsg,
				   const sqlite3_api_routines *pApi)
{
	size_t		i;
	int			rc = SQLITE_OK;
	viper_sqlite_conn *conn;

	SQLITE_EXTENSION_INIT2(pApi);
	conn = viper_sqlite_conn_new(db);
	if (conn == NULL)
		return SQLITE_NOMEM;
	for (i = 0; i < sizeof(functions) / sizeof(functions[0]); i++)
	{
		rc = register_function(db, &functions[i], conn, pzErrMsg);
		if (rc != SQLITE_OK)
			break;
	}
	/* before the hooks: replacing the module releases an older state */
	if (rc == SQLITE_OK)
		rc = viper_sqlite_query_module_register(db, conn, pzErrMsg);
	if (rc == SQLITE_OK)
		viper_sqlite_conn_install_hooks(conn);
	viper_sqlite_conn_release(conn);	/* the registrations keep it alive */
	if (rc != SQLITE_OK)
		return rc;
	return viper_sqlite_catalog_install(db, pzErrMsg);
}
