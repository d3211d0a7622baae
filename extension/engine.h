/*
 * engine.h — the query engine's infrastructure in the PostgreSQL host,
 * shared by the read functions (query.c) and the write functions
 * (writes.c):
 *
 *   - the per-backend catalog cache: viper.models parsed once by
 *     vc_catalog_load into its own memory context, marked stale by a
 *     relcache callback on viper.models (the catalog-bump trigger calls
 *     viper._catalog_changed(), which queues that invalidation), so an
 *     unchanged catalog costs no query per call;
 *   - the plan cache: compiled SQL text + parameter types → SPIPlanPtr
 *     (SPI_prepare + SPI_keepplan), a bounded LRU in its own context, so a
 *     repeated query shape is planned once per backend;
 *   - binding a vc_compiled's parameters to Datums, running it, and
 *     writing each result tuple as the row's JSON text with vc_row_json;
 *   - the checks every engine function shares: for_update needs a
 *     transaction block (25P01), ignore_permissions needs bypass rights
 *     (42501) and leaves an audit row.
 *
 * Typical read (see query.c):
 *
 *     MemoryContext callctx = CurrentMemoryContext;
 *     json_t *spec = viper_engine_spec(fcinfo, 1, callctx, &len);
 *     cat = viper_engine_begin(callctx, len, spec, &o);  -- SPI_connect, the
 *                                  catalog pinned until callctx reset, options
 *     old = MemoryContextSwitchTo(callctx);         -- SPI switched contexts
 *     rc = vc_compile_count(&viper_pg_alloc, cat, label, spec, &o, &c, &err);
 *     MemoryContextSwitchTo(old);
 *     c = viper_engine_compiled(rc, c, &err, callctx);  -- raises on error
 *     viper_engine_check(c);                        -- for_update, bypass
 *     rc = viper_engine_exec(c, true, 0);           -- SPI_tuptable
 *     ... read SPI_tuptable ...
 *     SPI_finish();
 *
 * Memory: compiled statements are allocated in the call's memory context
 * with viper_pg_alloc (switch to callctx before compiling, or compile
 * while it is current) and die with it; they borrow models from the
 * pinned catalog. The catalog is freed only once it is stale AND no call
 * pins it (a nested call — a trigger running viper.query while an outer
 * insert still uses its compiled statement — never pulls the models from
 * under the outer call).
 */
#ifndef VIPER_ENGINE_H
#define VIPER_ENGINE_H

#include "fmgr.h"
#include "access/htup.h"
#include "access/tupdesc.h"
#include "executor/spi.h"
#include "utils/palloc.h"

#include <jansson.h>

#include "vc.h"
#include "vc_catalog.h"
#include "vc_perm.h"
#include "vc_query.h"

#include "compat.h"

/* ---- arguments ---------------------------------------------------------- */

/*
 * The jsonb argument argno as a tree guarded by ctx (spec_len receives the
 * length of its JSON text, for the 1 MiB limit). SQL NULL or an absent
 * argument gives NULL (= {}).
 */
extern json_t *viper_engine_spec(FunctionCallInfo fcinfo, int argno,
								 MemoryContext ctx, size_t *spec_len);

/* The model label argument (text, NUL-terminated copy); NULL → 22023. */
extern char *viper_engine_label(FunctionCallInfo fcinfo, int argno);

/*
 * Query options: dialect postgresql, max_rows = viper.max_query_rows, and
 * the permission predicate — none (perm and perm_ud NULL) when the caller
 * bypasses permissions: a bypass is active in the transaction, or spec
 * (may be NULL) has "ignore_permissions": true (viper_engine_check then
 * raises 42501 unless the caller may bypass, before anything runs).
 */
extern void viper_engine_opts(vc_query_opts *o, size_t spec_len,
							  const json_t *spec);

/* ---- SPI and the catalog ------------------------------------------------ */

/* SPI_connect, raising XX000 when it fails. */
extern void viper_engine_connect(void);

/*
 * The start every engine function shares once its arguments are read:
 * viper_engine_connect, the catalog pinned to ctx (viper_engine_catalog)
 * and the options in o (viper_engine_opts). Returns the catalog.
 */
extern const vc_catalog *viper_engine_begin(MemoryContext ctx,
											size_t spec_len,
											const json_t *spec,
											vc_query_opts *o);

/*
 * The current catalog (inside an SPI connection): loaded from
 * viper.models when stale, pinned until ctx is reset or deleted. Raises
 * on a malformed catalog (core's error) or SPI failure.
 */
extern const vc_catalog *viper_engine_catalog(MemoryContext ctx);

/*
 * The catalog and grants as a fresh snapshot sees them (SPI read_only =
 * false), outside the cache: for code that has just changed them in this
 * statement (grant, revoke, migrate), which the cached catalog — read
 * with the statement's snapshot — may not show yet. Freed when ctx is
 * reset. Raises when the grants do not load.
 */
extern const vc_catalog *viper_engine_catalog_fresh(MemoryContext ctx,
													const vc_perms **perms);

/*
 * Raise err unless rc is VC_OK; otherwise hand c to ctx (vc_compiled_free
 * when ctx is reset: the pool may hold jansson references) and return it:
 * `c = viper_engine_compiled(rc, c, &err, callctx)`. Use
 * viper_engine_goc_guard for a vc_goc and viper_engine_list_guard for the
 * list of vc_compile_m2m.
 */
extern vc_compiled *viper_engine_compiled(vc_code rc, vc_compiled *c,
										  const vc_error *err,
										  MemoryContext ctx);
/* g's statements are released at reset (g itself may live on the stack). */
extern void viper_engine_goc_guard(vc_goc *g, MemoryContext ctx);
extern void viper_engine_list_guard(vc_compiled **list, size_t n,
									MemoryContext ctx);

/*
 * The checks every engine function runs before executing c:
 *   - c->for_update outside a transaction block → 25P01;
 *   - c->ignore_permissions: superuser or member of viper_admin, else
 *     42501; then an audit row (action 'bypass', reason
 *     'ignore_permissions on <model>'). Needs an SPI connection.
 */
extern void viper_engine_check(const vc_compiled *c);

/*
 * The ignore_permissions half of viper_engine_check alone (viper.compile:
 * it runs nothing, so for_update needs no transaction there).
 */
extern void viper_engine_check_bypass(const vc_compiled *c);

/*
 * One row of viper.audit_log (db_user and ts are the table's defaults);
 * model, reason and principal may be NULL. Engine bypasses and
 * bypass_permissions pass viper_perm_principal(), patches NULL. Needs SPI.
 */
extern void viper_engine_audit(const char *action, const char *model,
							   const char *reason, const char *principal);

/* ---- plans and execution ------------------------------------------------ */

/*
 * The kept plan of c's SQL and parameter types, prepared on first use
 * (LRU of VIPER_PLAN_CACHE_SIZE plans per backend). Needs SPI.
 */
#define VIPER_PLAN_CACHE_SIZE 256
extern SPIPlanPtr viper_engine_plan(const vc_compiled *c);

/* PostgreSQL type OID of a parameter (its pg_type name; 22023 unknown). */
extern Oid	viper_engine_param_type(const vc_param *p);

/*
 * c's parameters as Datums and the nulls string of SPI_execute_plan
 * (palloc'd in the current context; text-carried values go through their
 * type's input function).
 */
extern void viper_engine_bind(const vc_compiled *c, Datum **values,
							  char **nulls);

/*
 * Run c (its kept plan, bound parameters) with SPI_execute_plan; returns
 * SPI's code (raises XX000 on a negative one). Results in SPI_tuptable /
 * SPI_processed. count: 0 = all rows.
 */
extern int	viper_engine_exec(const vc_compiled *c, bool read_only, long count);

/* A cursor over c (SPI_cursor_open on its kept plan). */
extern Portal viper_engine_cursor(const vc_compiled *c, bool read_only);

/* ---- rows → JSON --------------------------------------------------------- */

/*
 * Writes result tuples of c as JSON text. Built once per result (per
 * tuple descriptor): the output function of each column, with direct
 * paths for int2/int4/int8/bool/text/varchar, and JSON's ISO 8601 form for
 * timestamptz/timestamp/date whatever DateStyle says. The descriptor has
 * at least c->ncols columns (XX000 otherwise); later ones are ignored.
 */
typedef struct viper_row_writer viper_row_writer;

extern viper_row_writer *viper_row_writer_new(const vc_compiled *c,
											  TupleDesc td);

/*
 * The JSON text of one tuple, valid until the next call on w (w's own
 * buffer; *len receives its length).
 */
extern const char *viper_row_writer_text(viper_row_writer *w, HeapTuple tup,
										 size_t *len);

/* The same as a json datum / a jsonb datum (palloc'd in the current context). */
extern Datum viper_row_writer_json(viper_row_writer *w, HeapTuple tup);
extern Datum viper_row_writer_jsonb(viper_row_writer *w, HeapTuple tup);

/*
 * The first tuple of SPI_tuptable (c's result, at least one row) as a
 * jsonb datum palloc'd in ctx, so it outlives SPI_finish.
 */
extern Datum viper_engine_first_row(const vc_compiled *c, MemoryContext ctx);

/* JSON text (not necessarily NUL-terminated) → jsonb datum. */
extern Datum viper_engine_text_to_jsonb(const char *text, size_t len);

#endif							/* VIPER_ENGINE_H */
