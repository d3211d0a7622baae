/*
 * perm.h — row-level permissions in the PostgreSQL host (DESIGN §8, §12
 * "Privileges"; extension/perm.c):
 *
 *   - the session's permission state: the principal and its roles set by
 *     viper.set_principal, the audited bypass of
 *     viper.bypass_permissions, and the scoped bypasses of spec
 *     ignore_permissions and of running patches. All of it lives in
 *     backend memory for the current transaction only and is cleared by
 *     the transaction callback (never a GUC a pooled connection would
 *     carry to its next user);
 *   - the checks of new rows (WITH CHECK semantics) the writes run when
 *     PostgreSQL's own row-level security does not apply to the caller;
 *   - the native RLS policies compiled from viper.grants.
 *
 * Typical write (writes.c):
 *
 *     r = viper_write_exec_row(c, callctx, NULL);           -- the INSERT
 *     viper_perm_check_row(o.perm_ud, c, VC_PERM_INSERT, r.pk);
 */
#ifndef VIPER_PERM_H
#define VIPER_PERM_H

#include "fmgr.h"
#include "access/xact.h"

#include <jansson.h>

#include "vc.h"
#include "vc_perm.h"
#include "vc_query.h"

#include "compat.h"

/* Transaction end: forget the principal, its roles and every bypass. */
extern void viper_perm_xact_callback(XactEvent event, void *arg);

/* True while a bypass (audited call, ignore_permissions, a patch) is on. */
extern bool viper_perm_bypass_active(void);

/*
 * Run body(fcinfo) with the scoped bypasses it opens (spec
 * ignore_permissions: viper_perm_scope_enter) closed again when it
 * returns or raises (PG_TRY / PG_FINALLY). Every engine function's entry
 * point goes through it.
 */
extern Datum viper_perm_guarded(FunctionCallInfo fcinfo, PGFunction body);

/* Open a scoped bypass for the rest of the guarded call. */
extern void viper_perm_scope_enter(void);

/* The current principal (NULL when none), for audit rows. */
extern const char *viper_perm_principal(void);

/*
 * New-row checks of writes (insert, update: WITH CHECK semantics). They
 * run only when PostgreSQL's row-level security does not apply to the
 * caller on the model's table (superusers, BYPASSRLS roles): otherwise
 * the table's policies, compiled from the same grants, already checked
 * each new row. Violations raise 42501 `new row violates the insert
 * permission of "blog.Post"`; the error aborts the statement, so nothing
 * is kept. perms may be NULL (nothing to check).
 *
 * viper_perm_check_row: the one row with primary key pk (JSON) that c
 * wrote. viper_perm_exec_checked: runs c (an INSERT or UPDATE without
 * RETURNING) and its check as one statement (a data-modifying WITH) and
 * returns the number of rows c touched.
 */
extern void viper_perm_check_row(const vc_perms *perms, const vc_compiled *c,
								 vc_perm_action action, const json_t *pk);
extern int64 viper_perm_exec_checked(const vc_perms *perms,
									 const vc_compiled *c,
									 vc_perm_action action);

/*
 * PostgreSQL's "new row violates row-level security policy" (raised by
 * the policies viper generates) as viper's 42501 for model label and
 * action ("insert" / "update"); any other error is re-thrown unchanged.
 * Called from a PG_CATCH block (engine.c).
 */
extern void viper_perm_rethrow(const char *label, const char *action);

/*
 * Regenerate the RLS policies of model label's table in schema public
 * from the current grants: drop every policy named viper_* on it, create
 * one permissive policy per grant and the bypass policy. Nothing happens
 * when the table does not exist yet (migrate calls this again for every
 * table it creates). Needs an SPI connection; ctx pins the catalog.
 * missing_ok: a label that is not a model (migrate's junction tables) is
 * skipped instead of raising 42P01.
 */
extern void viper_perm_sync_policies(const char *label, MemoryContext ctx,
									 bool missing_ok);

#endif							/* VIPER_PERM_H */
