/*
 * viper_sqlite.h — internal header of the SQLite host: the SQL-callable
 * wrappers registered by viper_sqlite.c and the catalog installer.
 *
 * Every file of the host includes this header first: it pulls in
 * sqlite3ext.h with SQLITE_EXTENSION_INIT3, so sqlite3_* calls go through
 * the API table SQLite hands to sqlite3_viper_init (defined once, in
 * viper_sqlite.c). No file of the host keeps mutable static state.
 */
#ifndef VIPER_SQLITE_H
#define VIPER_SQLITE_H

#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3

#include <stdbool.h>

#include "vc.h"

#ifndef VIPER_VERSION
#error "VIPER_VERSION must be defined by the build (sqlite_ext/Makefile)"
#endif

/*
 * conn.c — per-connection state, the user data of every registered
 * function (sqlite3_user_data), reference-counted by the registrations.
 */
typedef struct viper_patch_claim viper_patch_claim;
struct viper_engine;
typedef struct viper_sqlite_conn
{
	int			refs;
	sqlite3    *db;
	viper_patch_claim *claims;	/* patches.c: claims of the open transaction */
	struct viper_engine *engine;	/* engine.c: catalog and statement caches */
	/* permissions.c — who is asking (DESIGN §8, §12 "SQLite specifics") */
	char	   *principal;		/* NULL: anonymous */
	char	   *roles;			/* JSON array text, NULL = "[]" */
	bool		principal_txn;	/* set inside BEGIN: forgotten when it ends */
	bool		bypass_txn;		/* viper_bypass_permissions / a patch claim:
								 * until the transaction ends */
} viper_sqlite_conn;

viper_sqlite_conn *viper_sqlite_conn_new(sqlite3 *db);
void		viper_sqlite_conn_install_hooks(viper_sqlite_conn *conn);
void		viper_sqlite_conn_retain(viper_sqlite_conn *conn);
void		viper_sqlite_conn_release(void *conn);

/* permissions.c — principal, bypass, grant/revoke (DESIGN §8) */
void		viper_sqlite_perm_txn_end(viper_sqlite_conn *conn);
void		viper_sqlite_perm_clear(viper_sqlite_conn *conn);
bool		viper_sqlite_bypass_active(viper_sqlite_conn *conn);
void		viper_sqlite_set_principal(sqlite3_context *ctx, int argc,
									   sqlite3_value **argv);
void		viper_sqlite_principal(sqlite3_context *ctx, int argc,
								   sqlite3_value **argv);
void		viper_sqlite_principal_roles(sqlite3_context *ctx, int argc,
										 sqlite3_value **argv);
void		viper_sqlite_bypass_active_fn(sqlite3_context *ctx, int argc,
										  sqlite3_value **argv);
void		viper_sqlite_bypass_permissions(sqlite3_context *ctx, int argc,
											sqlite3_value **argv);
void		viper_sqlite_grant(sqlite3_context *ctx, int argc,
							   sqlite3_value **argv);
void		viper_sqlite_revoke(sqlite3_context *ctx, int argc,
								sqlite3_value **argv);

/* patches.c — data patches (DESIGN §4) */
void		viper_sqlite_patches_txn_end(viper_sqlite_conn *conn);
void		viper_sqlite_patch_claim(sqlite3_context *ctx, int argc,
									 sqlite3_value **argv);
void		viper_sqlite_patch_done(sqlite3_context *ctx, int argc,
									sqlite3_value **argv);
void		viper_sqlite_apply_patch(sqlite3_context *ctx, int argc,
									 sqlite3_value **argv);

/* catalog.c */
int			viper_sqlite_catalog_install(sqlite3 *db, char **pzErrMsg);
void		viper_sqlite_catalog_error(sqlite3_context *ctx, sqlite3 *db,
									   int rc, const char *table);
void		viper_sqlite_version(sqlite3_context *ctx, int argc,
								 sqlite3_value **argv);
void		viper_sqlite_catalog_version(sqlite3_context *ctx, int argc,
										 sqlite3_value **argv);

/* features.c */
void		viper_sqlite_features(sqlite3_context *ctx, int argc,
								  sqlite3_value **argv);

/* validate.c — the validators of DESIGN §7 */
void		viper_sqlite_validate_identifier(sqlite3_context *ctx, int argc,
											 sqlite3_value **argv);
void		viper_sqlite_assert_safe_table_name(sqlite3_context *ctx, int argc,
												sqlite3_value **argv);
void		viper_sqlite_quote_identifier(sqlite3_context *ctx, int argc,
										  sqlite3_value **argv);
void		viper_sqlite_validate_sql_expression(sqlite3_context *ctx,
												 int argc,
												 sqlite3_value **argv);
void		viper_sqlite_escape_like(sqlite3_context *ctx, int argc,
									 sqlite3_value **argv);
void		viper_sqlite_validate_regex_pattern(sqlite3_context *ctx, int argc,
												sqlite3_value **argv);
void		viper_sqlite_validate_on_delete(sqlite3_context *ctx, int argc,
											sqlite3_value **argv);
void		viper_sqlite_mask_url(sqlite3_context *ctx, int argc,
								  sqlite3_value **argv);

#endif
