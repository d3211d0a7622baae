/*
 * engine.h — the SQLite host's query engine (DESIGN §5, §6): what
 * query_vtab.c, query.c and writes.c share to run statements compiled by
 * core (core/vc_query.h).
 *
 *   - the catalog, loaded once per connection and kept until
 *     viper_catalog_version() moves (viper_engine_catalog);
 *   - a bounded per-connection cache of prepared statements keyed by the
 *     compiled SQL text, so a repeated query shape is prepared once;
 *   - binding vc_params by storage class, preparing with double-quoted
 *     string literals off (an unknown "name" fails instead of becoming a
 *     string, DESIGN §7; a statement SQLite re-prepares after a schema
 *     change is checked again), building each row's JSON with vc_row_json;
 *   - the per-connection setting max_query_rows (viper_set);
 *   - permissions: the grants are loaded with the catalog and every
 *     compile gets their predicate (vc_perms_apply); a statement compiled
 *     with ignore_permissions runs with the connection's bypass flag
 *     raised (viper_run_step), and written rows are checked
 *     (viper_engine_check_rows);
 *   - the checks every compiled statement gets before it runs (for_update
 *     needs a transaction, ignore_permissions is audited, read-only models
 *     refuse writes) and the write transaction (viper_write_begin/end).
 *
 * Closing: sqlite3_close refuses (SQLITE_BUSY) while statements are
 * unfinalized, and function destructors only run after that check, so the
 * cache cannot wait for the connection state's destructor. SQLite calls
 * xDisconnect of every connected virtual table BEFORE the check (that is
 * how FTS5 keeps its statements), so the cache only holds statements while
 * the eponymous viper_query table is connected on the connection: the
 * engine connects it before caching, and its xDisconnect empties the cache
 * (viper_engine_flush). The state's destructor finalizes whatever is left.
 *
 * Memory: everything is sqlite3_malloc'ed and owned by the engine, except
 * viper_run (the caller's, released with viper_run_end) and catalog
 * references (viper_catref_release).
 */
#ifndef VIPER_SQLITE_ENGINE_H
#define VIPER_SQLITE_ENGINE_H

#include <stdbool.h>

#include "sqlite_error.h"
#include "vc_catalog.h"
#include "vc_query.h"

typedef struct viper_engine viper_engine;

/* A counted reference to a loaded catalog: compiled statements borrow its
 * models, so a cursor keeps the catalog alive across a reload. */
typedef struct viper_catref
{
	vc_catalog *cat;
	struct vc_perms *perms;		/* viper_grants loaded against cat (same
								 * catalog version: the grant triggers bump
								 * it) */
	int			refs;
} viper_catref;

/* The connection's engine, created on first use (NULL when out of memory). */
viper_engine *viper_engine_get(viper_sqlite_conn *conn);

/*
 * The engine is counted: the connection state holds one reference and the
 * connected viper_query table another (SQLite may disconnect that table
 * after the connection state is gone, e.g. when the extension is loaded
 * again). detach: the state lets go (statements finalized). Accept NULL.
 */
void		viper_engine_retain(viper_engine *e);
void		viper_engine_release(viper_engine *e);
void		viper_engine_detach(viper_engine *e);

/* Finalize every cached statement not in use (viper_query's xDisconnect). */
void		viper_engine_flush(viper_engine *e);

/* viper_query's eponymous table is connected / disconnected. */
void		viper_engine_vtab_live(viper_engine *e, bool live);

/* The catalog for the current catalog_version (a new reference). */
vc_code		viper_engine_catalog(viper_engine *e, viper_catref **out,
								 vc_error *err);
void		viper_catref_release(viper_catref *r);

/*
 * Compile options of this connection (dialect sqlite, max_query_rows,
 * the permission predicates of cat's grants). No predicate (perm and
 * perm_ud NULL: nothing filtered, no written row checked) when the caller
 * bypasses permissions: viper_bypass_permissions or a patch is active in
 * the transaction, or spec (may be NULL) has "ignore_permissions": true
 * (audited by viper_engine_check).
 */
void		viper_engine_opts(viper_engine *e, const viper_catref *cat,
							  size_t spec_len, const json_t *spec,
							  vc_query_opts *o);

/*
 * WITH CHECK for written rows (DESIGN §8): the rows of c's model whose
 * primary key is in pks (a JSON array text) must satisfy the grants of
 * `action` (insert or update), else 42501 `new row violates the insert
 * permission of "blog.Post"`. Not called when bypassed. Nothing to
 * do when the model has no permissions.
 */
vc_code		viper_engine_check_rows(viper_engine *e, const viper_catref *cat,
									const vc_compiled *c, vc_perm_action action,
									const char *pks, vc_error *err);

/* ---- running one compiled statement ---- */

typedef struct viper_run
{
	viper_engine *e;
	const vc_compiled *c;
	sqlite3_stmt *st;
	int			slot;			/* cache slot, -1 when not cached */
	int64_t		cookie;			/* schema cookie of its last strict prepare */
	int			reprep;			/* SQLITE_STMTSTATUS_REPREPARE then */
	bool		stepped;		/* first step done */
	vc_cell    *cells;			/* ncols cells for vc_row_json */
} viper_run;

/*
 * Prepare (or take from the cache) and bind c. On success the run must be
 * ended with viper_run_end; on failure it needs nothing.
 */
vc_code		viper_run_begin(viper_engine *e, const vc_compiled *c,
							viper_run *run, vc_error *err);

/* SQLITE_ROW, SQLITE_DONE, or SQLITE_ERROR with err filled. */
int			viper_run_step(viper_run *run, vc_error *err);

/* Append the current row's JSON object text to b. */
vc_code		viper_run_row_json(viper_run *run, vc_buf *b, vc_error *err);

/* Step to the end (DML); *changes = rows changed (may be NULL). */
vc_code		viper_run_exec(viper_run *run, int64_t *changes, vc_error *err);

/* Reset and give the statement back (or finalize it). Accepts a run that
 * was never begun (st NULL). */
void		viper_run_end(viper_run *run);

/* ---- checks and transactions ---- */

/*
 * Before running c for `op` ("query", "insert", ...): for_update outside a
 * transaction → 25P01; a write to a read_only model →
 * 25006; ignore_permissions → a "bypass" row in viper_audit_log.
 */
vc_code		viper_engine_check(viper_engine *e, const vc_compiled *c,
							   bool write, vc_error *err);

/* How viper_write_begin protected the write. */
typedef enum viper_write_mode
{
	VIPER_WRITE_NONE = 0,		/* inside an autocommit statement that writes */
	VIPER_WRITE_BEGIN,			/* BEGIN IMMEDIATE ... COMMIT of our own */
	VIPER_WRITE_SAVEPOINT		/* inside the caller's transaction */
} viper_write_mode;

vc_code		viper_write_begin(viper_engine *e, viper_write_mode *mode,
							  vc_error *err);

/* Commit (ok) or roll back; returns err's code when the commit fails. */
vc_code		viper_write_end(viper_engine *e, viper_write_mode mode, bool ok,
							vc_error *err);

/* A failed SQLite call as a core error (constraint, busy, read-only ...). */
vc_code		viper_engine_db_error(sqlite3 *db, int rc, vc_error *err);

/* ---- helpers of the SQL-callable wrappers ---- */

/* The engine of the function's connection (53200 when it cannot exist). */
viper_engine *viper_engine_ctx(sqlite3_context *ctx, vc_error *err);

/* Parse argument v as JSON; SQL NULL gives *out NULL. */
vc_code		viper_engine_json_arg(sqlite3_value *v, const char *what,
								  json_t **out, size_t *len, vc_error *err);

/* viper_set(name, value) / viper_setting(name) */
void		viper_sqlite_set(sqlite3_context *ctx, int argc,
							 sqlite3_value **argv);
void		viper_sqlite_setting(sqlite3_context *ctx, int argc,
								 sqlite3_value **argv);

/* query.c */
void		viper_sqlite_get(sqlite3_context *ctx, int argc, sqlite3_value **argv);
void		viper_sqlite_count(sqlite3_context *ctx, int argc,
							   sqlite3_value **argv);
void		viper_sqlite_exists(sqlite3_context *ctx, int argc,
								sqlite3_value **argv);
void		viper_sqlite_aggregate(sqlite3_context *ctx, int argc,
								   sqlite3_value **argv);
void		viper_sqlite_compile(sqlite3_context *ctx, int argc,
								 sqlite3_value **argv);
void		viper_sqlite_get_single(sqlite3_context *ctx, int argc,
									sqlite3_value **argv);

/* writes.c */
void		viper_sqlite_insert(sqlite3_context *ctx, int argc,
								sqlite3_value **argv);
void		viper_sqlite_bulk_create(sqlite3_context *ctx, int argc,
									 sqlite3_value **argv);
void		viper_sqlite_update(sqlite3_context *ctx, int argc,
								sqlite3_value **argv);
void		viper_sqlite_bulk_update(sqlite3_context *ctx, int argc,
									 sqlite3_value **argv);
void		viper_sqlite_delete(sqlite3_context *ctx, int argc,
								sqlite3_value **argv);
void		viper_sqlite_get_or_create(sqlite3_context *ctx, int argc,
									   sqlite3_value **argv);
void		viper_sqlite_update_or_create(sqlite3_context *ctx, int argc,
										  sqlite3_value **argv);
void		viper_sqlite_m2m_add(sqlite3_context *ctx, int argc,
								 sqlite3_value **argv);
void		viper_sqlite_m2m_remove(sqlite3_context *ctx, int argc,
									sqlite3_value **argv);
void		viper_sqlite_m2m_set(sqlite3_context *ctx, int argc,
								 sqlite3_value **argv);
void		viper_sqlite_m2m_clear(sqlite3_context *ctx, int argc,
								   sqlite3_value **argv);
void		viper_sqlite_create_single(sqlite3_context *ctx, int argc,
									   sqlite3_value **argv);
void		viper_sqlite_update_single(sqlite3_context *ctx, int argc,
									   sqlite3_value **argv);
void		viper_sqlite_get_or_create_single(sqlite3_context *ctx, int argc,
											  sqlite3_value **argv);

/* query_vtab.c: the eponymous table-valued function viper_query */
int			viper_sqlite_query_module_register(sqlite3 *db,
											   viper_sqlite_conn *conn,
											   char **pzErrMsg);

/* regexp.c: regexp(pattern, text) for `x REGEXP ?n` */
void		viper_sqlite_regexp(sqlite3_context *ctx, int argc,
								sqlite3_value **argv);

#endif
