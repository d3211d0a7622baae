/*
 * permissions.c — row-level permissions in the SQLite host (DESIGN §8,
 * §12 "SQLite specifics"): who is asking, the bypass, and the grants.
 *
 *   viper_set_principal(id[, roles_json])  DIRECTONLY; NULL id clears
 *   viper_principal()                      text or NULL
 *   viper_principal_roles()                JSON array text, '[]' when none
 *   viper__bypass_active()                 0/1 (read by compiled SQL)
 *   viper_bypass_permissions(reason)       DIRECTONLY; needs BEGIN
 *   viper_grant(model, action, role[, predicate])  DIRECTONLY
 *   viper_revoke(model, action, role)      DIRECTONLY; 1/0: was there one
 *
 * The state lives in the connection's state (conn.c), never in statics.
 * A principal set inside an explicit transaction belongs to it and is
 * forgotten by the commit/rollback hooks (conn.c calls
 * viper_sqlite_perm_txn_end); one set in autocommit stays on the
 * connection until changed or cleared with NULL. SQLite calls the commit
 * hook only for transactions that wrote something, so setting a principal
 * inside a transaction that has not written yet makes it a write
 * transaction on the private temp database (an empty temp table,
 * temp.viper_txn_mark): its COMMIT then reaches the hook. As a second
 * line, the readers below forget transaction-scoped state they find while
 * no explicit transaction is open.
 *
 * The bypass has no roles to check on SQLite (the process is the security
 * boundary); it is audited and lasts for the current transaction only, so
 * outside BEGIN it is refused (25P01): in autocommit there is no
 * transaction to end it. Spec ignore_permissions (audited) compiles that
 * one call without predicates (engine.c, viper_engine_opts); the flag is
 * not raised.
 *
 * SQLite has no row-level security: raw SQL is not filtered; only the
 * engine's functions apply grants (docs/permissions.md).
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "vc_perm.h"

/* ---- state ------------------------------------------------------------------ */

static void
principal_forget(viper_sqlite_conn *conn)
{
	sqlite3_free(conn->principal);
	sqlite3_free(conn->roles);
	conn->principal = NULL;
	conn->roles = NULL;
	conn->principal_txn = false;
}

void
viper_sqlite_perm_clear(viper_sqlite_conn *conn)
{
	principal_forget(conn);
	conn->bypass_txn = false;
}

/* The transaction ended (commit or rollback hook). */
void
viper_sqlite_perm_txn_end(viper_sqlite_conn *conn)
{
	if (conn->principal_txn)
		principal_forget(conn);
	conn->bypass_txn = false;
}

/*
 * Transaction-scoped state found while no explicit transaction is open
 * belongs to a transaction that ended without reaching a hook: forget it.
 */
static void
perm_refresh(viper_sqlite_conn *conn)
{
	if ((conn->principal_txn || conn->bypass_txn) &&
		sqlite3_get_autocommit(conn->db))
		viper_sqlite_perm_txn_end(conn);
}

bool
viper_sqlite_bypass_active(viper_sqlite_conn *conn)
{
	perm_refresh(conn);
	return conn->bypass_txn;
}

/*
 * Make the open explicit transaction a write transaction so that its
 * COMMIT reaches the commit hook (see the top of the file). Only the temp
 * database is written: no lock other connections see. Failure (PRAGMA
 * query_only) is not an error: perm_refresh still forgets the state at
 * the first call after the transaction.
 */
static void
txn_mark(sqlite3 *db)
{
	if (sqlite3_get_autocommit(db) ||
		sqlite3_txn_state(db, "temp") == SQLITE_TXN_WRITE)
		return;
	if (sqlite3_exec(db, "DELETE FROM temp.viper_txn_mark", NULL, NULL,
					 NULL) != SQLITE_OK)
		sqlite3_exec(db, "CREATE TEMP TABLE IF NOT EXISTS viper_txn_mark (x);"
					 " DELETE FROM temp.viper_txn_mark", NULL, NULL, NULL);
}

/* ---- principal -------------------------------------------------------------- */

/* roles_json: a JSON array of non-empty strings → compact text (*out). */
static vc_code
parse_roles(sqlite3_value *v, char **out, vc_error *err)
{
	json_t	   *roles = NULL;
	json_t	   *r;
	size_t		i;
	char	   *text;

	*out = NULL;
	if (sqlite3_value_type(v) == SQLITE_NULL)
		return VC_OK;
	if (viper_engine_json_arg(v, "roles", &roles, NULL, err) != VC_OK)
		return err->code;
	if (!json_is_array(roles))
	{
		json_decref(roles);
		vc_error_set(err, VC_ERR_INVALID_PARAM,
					 "roles must be a JSON array of role names");
		vc_error_hint(err, "Pass '[\"editor\", \"reviewer\"]', or '[]' for none.");
		return VC_ERR_INVALID_PARAM;
	}
	json_array_foreach(roles, i, r)
		if (!json_is_string(r) || json_string_length(r) == 0)
		{
			json_decref(roles);
			vc_error_set(err, VC_ERR_INVALID_PARAM,
						 "roles must be a JSON array of role names");
			vc_error_detail(err, "Element %zu is not a non-empty string.", i + 1);
			return VC_ERR_INVALID_PARAM;
		}
	text = json_dumps(roles, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(roles);
	if (text == NULL)
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	*out = sqlite3_mprintf("%s", text);
	free(text);
	if (*out == NULL)
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	return VC_OK;
}

/* viper_set_principal(id[, roles_json]) → NULL */
void
viper_sqlite_set_principal(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	viper_sqlite_conn *conn = sqlite3_user_data(ctx);
	char	   *id = NULL;
	char	   *roles = NULL;
	vc_error	err;

	vc_error_clear(&err);
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
	{
		/* NULL clears, wherever it is called */
		viper_sqlite_perm_clear(conn);
		sqlite3_result_null(ctx);
		return;
	}
	if (sqlite3_value_bytes(argv[0]) == 0)
	{
		vc_error_set(&err, VC_ERR_INVALID_PARAM,
					 "principal id must not be empty");
		vc_error_hint(&err, "Pass NULL to clear the principal.");
		viper_sqlite_raise(ctx, &err);
		return;
	}
	if (argc > 1 && parse_roles(argv[1], &roles, &err) != VC_OK)
	{
		viper_sqlite_raise(ctx, &err);
		return;
	}
	id = sqlite3_mprintf("%s", (const char *) sqlite3_value_text(argv[0]));
	if (id == NULL)
	{
		sqlite3_free(roles);
		sqlite3_result_error_nomem(ctx);
		return;
	}
	perm_refresh(conn);
	sqlite3_free(conn->principal);
	sqlite3_free(conn->roles);
	conn->principal = id;
	conn->roles = roles;
	conn->principal_txn = !sqlite3_get_autocommit(conn->db);
	if (conn->principal_txn)
		txn_mark(conn->db);
	sqlite3_result_null(ctx);
}

/* viper_principal() → text or NULL */
void
viper_sqlite_principal(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	viper_sqlite_conn *conn = sqlite3_user_data(ctx);

	(void) argc;
	(void) argv;
	perm_refresh(conn);
	if (conn->principal == NULL)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_text(ctx, conn->principal, -1, SQLITE_TRANSIENT);
}

/* viper_principal_roles() → JSON array text */
void
viper_sqlite_principal_roles(sqlite3_context *ctx, int argc,
							 sqlite3_value **argv)
{
	viper_sqlite_conn *conn = sqlite3_user_data(ctx);

	(void) argc;
	(void) argv;
	perm_refresh(conn);
	if (conn->principal == NULL || conn->roles == NULL)
		sqlite3_result_text(ctx, "[]", 2, SQLITE_STATIC);
	else
		sqlite3_result_text(ctx, conn->roles, -1, SQLITE_TRANSIENT);
}

/* viper__bypass_active() → 0/1 */
void
viper_sqlite_bypass_active_fn(sqlite3_context *ctx, int argc,
							  sqlite3_value **argv)
{
	(void) argc;
	(void) argv;
	sqlite3_result_int(ctx,
					   viper_sqlite_bypass_active(sqlite3_user_data(ctx)) ? 1 : 0);
}

/* ---- bypass ----------------------------------------------------------------- */

/* viper_bypass_permissions(reason) → NULL; audited; until the transaction ends */
void
viper_sqlite_bypass_permissions(sqlite3_context *ctx, int argc,
								sqlite3_value **argv)
{
	viper_sqlite_conn *conn = sqlite3_user_data(ctx);
	sqlite3_stmt *st = NULL;
	const char *reason;
	vc_error	err;
	int			rc;

	(void) argc;
	vc_error_clear(&err);
	reason = (const char *) sqlite3_value_text(argv[0]);
	if (reason == NULL || reason[strspn(reason, " \t\r\n")] == '\0')
	{
		vc_error_set(&err, VC_ERR_INVALID_PARAM,
					 "bypass_permissions needs a reason");
		vc_error_detail(&err, "Say why, e.g. viper_bypass_permissions('nightly export'); it goes to viper_audit_log.");
		viper_sqlite_raise(ctx, &err);
		return;
	}
	if (sqlite3_get_autocommit(conn->db))
	{
		vc_error_set(&err, VC_ERR_NO_TRANSACTION,
					 "viper_bypass_permissions needs a transaction (BEGIN)");
		vc_error_detail(&err, "The bypass lasts for the current transaction; in autocommit mode there is none to end it.");
		vc_error_hint(&err, "Call it after BEGIN; it ends with COMMIT or ROLLBACK. For one call, use the spec key ignore_permissions.");
		viper_sqlite_raise(ctx, &err);
		return;
	}
	perm_refresh(conn);
	/* the audit row is part of the transaction (and makes it a write one,
	 * so its end reaches the hooks that clear the flag) */
	rc = sqlite3_prepare_v2(conn->db,
							"INSERT INTO main.viper_audit_log"
							" (db_user, principal, action, model, reason)"
							" VALUES (NULL, ?1, 'bypass', NULL, ?2)",
							-1, &st, NULL);
	if (rc == SQLITE_OK && conn->principal != NULL)
		rc = sqlite3_bind_text(st, 1, conn->principal, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 2, reason, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
	{
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK)
	{
		viper_sqlite_db_error(conn->db, rc, "could not write the audit row",
							  "viper_audit_log", &err);
		sqlite3_finalize(st);
		viper_sqlite_raise(ctx, &err);
		return;
	}
	sqlite3_finalize(st);
	sqlite3_log(SQLITE_NOTICE, "viper: permissions bypassed until the transaction ends");
	conn->bypass_txn = true;
	sqlite3_result_null(ctx);
}

/* ---- grant, revoke ------------------------------------------------------------ */

/* Run sql with up to four text parameters (NULL binds NULL). */
static vc_code
exec_texts(sqlite3 *db, const char *sql, const char *const *texts, int n,
		   vc_error *err)
{
	sqlite3_stmt *st = NULL;
	int			rc;
	int			i;

	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	for (i = 0; rc == SQLITE_OK && i < n; i++)
		rc = texts[i] ? sqlite3_bind_text(st, i + 1, texts[i], -1, SQLITE_TRANSIENT)
			: sqlite3_bind_null(st, i + 1);
	if (rc == SQLITE_OK)
	{
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK)
		viper_sqlite_db_error(db, rc, "could not change viper_grants",
							  "viper_grants", err);
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? VC_OK : err->code;
}

/*
 * Validate (model, action, role[, predicate]) against the engine's catalog
 * (a NULL model, action or role is 22023, as on PostgreSQL); *action
 * receives the lower-case action (static text of core). Returns false
 * after raising.
 */
static bool
grant_args(sqlite3_context *ctx, int argc, sqlite3_value **argv,
		   const char *fn, const char **action)
{
	viper_engine *e;
	viper_catref *cat = NULL;
	const char *s[4] = {NULL, NULL, NULL, NULL};
	int			len[4] = {0, 0, 0, 0};
	vc_error	err;
	vc_code		code;
	int			i;

	vc_error_clear(&err);
	for (i = 0; i < 3; i++)
		if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
		{
			static const char *const what[] = {"model", "action", "role"};

			vc_error_set(&err, VC_ERR_INVALID_PARAM, "%s: %s must not be null",
						 fn, what[i]);
			viper_sqlite_raise(ctx, &err);
			return false;
		}
	for (i = 0; i < argc && i < 4; i++)
	{
		if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
			continue;
		s[i] = (const char *) sqlite3_value_text(argv[i]);
		if (s[i] == NULL)
		{
			sqlite3_result_error_nomem(ctx);
			return false;
		}
		len[i] = sqlite3_value_bytes(argv[i]);
	}
	if ((e = viper_engine_ctx(ctx, &err)) == NULL ||
		(code = viper_engine_catalog(e, &cat, &err)) != VC_OK)
	{
		viper_sqlite_raise(ctx, &err);
		return false;
	}
	code = vc_grant_validate(&viper_sqlite_alloc, cat->cat, s[0], (size_t) len[0],
							 s[1], (size_t) len[1], s[2], (size_t) len[2],
							 s[3], (size_t) len[3], action, &err);
	viper_catref_release(cat);
	if (code != VC_OK)
	{
		viper_sqlite_raise(ctx, &err);
		return false;
	}
	return true;
}

/*
 * Shared body of grant and revoke: grant_args, then sql run with one
 * parameter per argument (?2 the lower-case action). Returns false after
 * raising.
 */
static bool
grant_write(sqlite3_context *ctx, int argc, sqlite3_value **argv,
			const char *fn, const char *sql)
{
	const char *action = NULL;
	const char *texts[4] = {NULL, NULL, NULL, NULL};
	vc_error	err;
	int			i;

	if (!grant_args(ctx, argc, argv, fn, &action))
		return false;
	vc_error_clear(&err);
	for (i = 0; i < argc && i < 4; i++)
		texts[i] = i == 1 ? action : (const char *) sqlite3_value_text(argv[i]);
	if (exec_texts(sqlite3_context_db_handle(ctx), sql, texts,
				   argc < 4 ? argc : 4, &err) != VC_OK)
	{
		viper_sqlite_raise(ctx, &err);
		return false;
	}
	return true;
}

/* viper_grant(model, action, role[, predicate]) → NULL; replaces the
 * predicate of an existing (model, action, role) grant */
void
viper_sqlite_grant(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	if (grant_write(ctx, argc, argv, "grant",
					"INSERT INTO main.viper_grants (model, action, role, predicate)"
					" VALUES (?1, ?2, ?3, ?4)"
					" ON CONFLICT (model, action, role)"
					" DO UPDATE SET predicate = excluded.predicate"))
		sqlite3_result_null(ctx);
}

/* viper_revoke(model, action, role) → 1 when a grant went, 0 when there
 * was none (not an error) */
void
viper_sqlite_revoke(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	if (grant_write(ctx, argc, argv, "revoke",
					"DELETE FROM main.viper_grants"
					" WHERE model = ?1 AND action = ?2 AND role = ?3"))
		sqlite3_result_int(ctx,
						   sqlite3_changes(sqlite3_context_db_handle(ctx)) > 0);
}
