/*
 * perm.c — row-level permissions in the PostgreSQL host (DESIGN §8, §12
 * "Privileges"; see perm.h): viper.set_principal, viper.principal,
 * viper.principal_roles, viper._bypass_active, viper.bypass_permissions,
 * viper.grant and viper.revoke, the new-row checks of writes and the
 * generation of native RLS policies from viper.grants.
 *
 * Session state. The principal, its roles and the audited bypass live in
 * backend memory (TopTransactionContext) for the current transaction and
 * are forgotten by viper_perm_xact_callback at commit, abort or prepare:
 * a pooled connection never hands them to its next user, which a GUC
 * (SET without LOCAL, or a session default) could. The functions that read
 * the state are PARALLEL RESTRICTED (a parallel worker does not share it)
 * and take no arguments (LEAKPROOF). The compiler reads them through
 * scalar sub-selects, evaluated once per statement, so the SQL text and
 * its cached plan are the same for every principal.
 *
 * Bypasses. Compiled statements never read the bypass: while one holds,
 * viper_engine_opts compiles without any predicate (and writes check no
 * new rows); only the viper_bypass RLS policy calls _bypass_active(),
 * for callers row-level security applies to. It is true while any of
 * these holds:
 *   - viper.bypass_permissions(reason) ran in this transaction (members of
 *     viper_admin only; an audit row and a LOG line);
 *   - an engine call with spec ignore_permissions is running (engine.c
 *     checks the right and audits; viper_perm_guarded closes the scope
 *     when the call returns or raises);
 *   - a patch is claimed and not yet recorded (patches.c: apply_patch, or
 *     patch_claim ... patch_done), which audits each run itself.
 *
 * Policies. For model m's table, every policy named viper_* is dropped and
 * one PERMISSIVE policy per grant is created ("viper_<action>_<n>") plus
 * "viper_bypass" (FOR ALL, the bypass function). They are created as the
 * table's owner (only an owner may), by a caller already checked to be a
 * member of viper_admin, with search_path = pg_catalog, pg_temp; the
 * policy text comes from core (identifiers quoted, values as literals).
 */
#include "postgres.h"

#include "spi_json.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rls.h"
#include "utils/syscache.h"

#include "engine.h"
#include "perm.h"
#include "pg_alloc.h"
#include "pg_error.h"
#include "viper.h"

PG_FUNCTION_INFO_V1(viper_set_principal);
PG_FUNCTION_INFO_V1(viper_principal);
PG_FUNCTION_INFO_V1(viper_principal_roles);
PG_FUNCTION_INFO_V1(viper_bypass_active);
PG_FUNCTION_INFO_V1(viper_bypass_permissions);
PG_FUNCTION_INFO_V1(viper_grant);
PG_FUNCTION_INFO_V1(viper_revoke);

/* ---- session state ------------------------------------------------------ */

/* In TopTransactionContext: gone with the transaction. */
static char *cur_principal = NULL;
static ArrayType *cur_roles = NULL;	/* NULL: '{}' */
static bool xact_bypass = false;	/* bypass_permissions ran */
static int	scope_depth = 0;	/* open ignore_permissions calls */

void
viper_perm_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			cur_principal = NULL;
			cur_roles = NULL;
			xact_bypass = false;
			scope_depth = 0;
			break;
		default:
			break;
	}
}

bool
viper_perm_bypass_active(void)
{
	return xact_bypass || scope_depth > 0 || viper_patches_pending();
}

const char *
viper_perm_principal(void)
{
	return cur_principal;
}

void
viper_perm_scope_enter(void)
{
	scope_depth++;
}

Datum
viper_perm_guarded(FunctionCallInfo fcinfo, PGFunction body)
{
	int			saved = scope_depth;
	volatile Datum result = (Datum) 0;

	PG_TRY();
	{
		result = body(fcinfo);
	}
	PG_FINALLY();
	{
		scope_depth = saved;
	}
	PG_END_TRY();
	return result;
}

/* Does the current user have the privileges of role name? */
static bool
has_role(const char *name)
{
	Oid			role = get_role_oid(name, true);

	return OidIsValid(role) && has_privs_of_role(GetUserId(), role);
}

static void
raise_denied(const char *message, const char *detail)
{
	vc_error	err;

	vc_error_set(&err, VC_ERR_PRIVILEGE, "%s", message);
	vc_error_detail(&err, "%s", detail);
	viper_pg_raise(&err);
}

static void
raise_param(const char *message, const char *hint)
{
	vc_error	err;

	vc_error_set(&err, VC_ERR_INVALID_PARAM, "%s", message);
	if (hint != NULL)
		vc_error_hint(&err, "%s", hint);
	viper_pg_raise(&err);
}

/* ---- principal ---------------------------------------------------------- */

/*
 * viper.set_principal(id text, roles text[] DEFAULT '{}') → void: who is
 * asking, for the rest of this transaction. id NULL clears it.
 */
Datum
viper_set_principal(PG_FUNCTION_ARGS)
{
	char	   *id = NULL;
	ArrayType  *roles = NULL;
	MemoryContext old;

	if (!has_role("viper_app") && !has_role("viper_admin"))
		raise_denied("permission denied to set the principal",
					 "Only members of viper_app or viper_admin may call viper.set_principal.");
	if (!PG_ARGISNULL(0))
	{
		id = text_to_cstring(PG_GETARG_TEXT_PP(0));
		if (id[0] == '\0')
			raise_param("principal id must not be empty",
						"Pass NULL to clear the principal.");
	}
	if (PG_NARGS() > 1 && !PG_ARGISNULL(1))
	{
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
		Datum	   *elems;
		bool	   *nulls;
		int			n;
		int			i;

		if (ARR_NDIM(arr) > 1)
			raise_param("principal roles must be a one-dimensional array", NULL);
		deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems,
						  &nulls, &n);
		for (i = 0; i < n; i++)
			if (nulls[i])
				raise_param("principal roles must not contain NULL", NULL);
		if (n > 0)
		{
			old = MemoryContextSwitchTo(TopTransactionContext);
			for (i = 0; i < n; i++)
				elems[i] = PointerGetDatum(DatumGetTextPCopy(elems[i]));
			roles = construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT);
			MemoryContextSwitchTo(old);
		}
	}
	cur_principal = id ? MemoryContextStrdup(TopTransactionContext, id) : NULL;
	cur_roles = roles;
	PG_RETURN_VOID();
}

/* viper.principal() → text: NULL when none is set. */
Datum
viper_principal(PG_FUNCTION_ARGS)
{
	if (cur_principal == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(cur_principal));
}

/* viper.principal_roles() → text[]: '{}' when none. */
Datum
viper_principal_roles(PG_FUNCTION_ARGS)
{
	if (cur_roles == NULL)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(TEXTOID));
	PG_RETURN_ARRAYTYPE_P(DatumGetArrayTypePCopy(PointerGetDatum(cur_roles)));
}

/* viper._bypass_active() → boolean. */
Datum
viper_bypass_active(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(viper_perm_bypass_active());
}

/*
 * viper.bypass_permissions(reason text) → void: every predicate and policy
 * passes for the rest of the transaction. Members of viper_admin only;
 * recorded in viper.audit_log and in the server log (which keeps the line
 * even if the transaction rolls back).
 */
Datum
viper_bypass_permissions(PG_FUNCTION_ARGS)
{
	char	   *reason;

	if (!has_role("viper_admin"))
		raise_denied("permission denied to bypass row permissions",
					 "Only members of viper_admin may call viper.bypass_permissions.");
	reason = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (reason == NULL || reason[strspn(reason, " \t\r\n")] == '\0')
		raise_param("bypass_permissions needs a reason",
					"Say why, e.g. viper.bypass_permissions('nightly export'); it goes to viper.audit_log.");

	viper_engine_connect();
	viper_engine_audit("bypass", NULL, reason, viper_perm_principal());
	SPI_finish();
	ereport(LOG,
			(errmsg("viper: row permissions bypassed by %s%s%s: %s",
					GetUserNameFromId(GetSessionUserId(), false),
					cur_principal ? " for principal " : "",
					cur_principal ? cur_principal : "", reason)));
	xact_bypass = true;
	PG_RETURN_VOID();
}

/* ---- grants ------------------------------------------------------------- */

/* A required text argument (22023 when NULL). */
static char *
required_arg(FunctionCallInfo fcinfo, int argno, const char *fn,
			 const char *what)
{
	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))
	{
		vc_error	err;

		vc_error_set(&err, VC_ERR_INVALID_PARAM, "%s: %s must not be null",
					 fn, what);
		viper_pg_raise(&err);
	}
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/*
 * What grant and revoke (fn) share before they write viper.grants: the
 * viper_admin check, the model, action and role arguments (and grant's
 * predicate, when predicate is not NULL: SQL NULL gives NULL), an SPI
 * connection and their validation against the catalog. Returns the
 * normalised action.
 */
static const char *
grant_args(FunctionCallInfo fcinfo, const char *fn, MemoryContext callctx,
		   char **model, char **action, char **role, char **predicate)
{
	const vc_catalog *cat;
	const char *action_norm = NULL;
	const char *pred;
	vc_error	err;

	if (!has_role("viper_admin"))
		raise_denied(psprintf("permission denied to %s row permissions", fn),
					 psprintf("Only members of viper_admin may call viper.%s.", fn));
	*model = required_arg(fcinfo, 0, fn, "model");
	*action = required_arg(fcinfo, 1, fn, "action");
	*role = required_arg(fcinfo, 2, fn, "role");
	if (predicate != NULL)
		*predicate = PG_NARGS() > 3 && !PG_ARGISNULL(3)
			? text_to_cstring(PG_GETARG_TEXT_PP(3)) : NULL;
	pred = predicate ? *predicate : NULL;

	viper_engine_connect();
	cat = viper_engine_catalog(callctx);
	if (vc_grant_validate(&viper_pg_alloc, cat, *model, strlen(*model),
						  *action, strlen(*action), *role, strlen(*role),
						  pred, pred ? strlen(pred) : 0, &action_norm,
						  &err) != VC_OK)
		viper_pg_raise(&err);
	return action_norm;
}

/*
 * viper.grant(model text, action text, role text, predicate text DEFAULT
 * NULL) → void: store (or replace) the grant and regenerate the model's
 * policies. viper_admin only.
 */
Datum
viper_grant(PG_FUNCTION_ARGS)
{
	MemoryContext callctx = CurrentMemoryContext;
	char	   *model;
	char	   *action;
	char	   *role;
	char	   *predicate;
	const char *action_norm;
	Oid			types[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};
	int			rc;

	action_norm = grant_args(fcinfo, "grant", callctx, &model, &action, &role,
							 &predicate);

	values[0] = CStringGetTextDatum(model);
	values[1] = CStringGetTextDatum(action_norm);
	values[2] = CStringGetTextDatum(role);
	if (predicate != NULL)
		values[3] = CStringGetTextDatum(predicate);
	else
		nulls[3] = 'n';
	rc = SPI_execute_with_args("INSERT INTO viper.grants (model, action, role, predicate)"
							   " VALUES ($1, $2, $3, $4)"
							   " ON CONFLICT (model, action, role)"
							   " DO UPDATE SET predicate = EXCLUDED.predicate",
							   4, types, values, nulls, false, 0);
	if (rc != SPI_OK_INSERT)
		viper_pg_internal("writing viper.grants", SPI_result_code_string(rc));
	viper_perm_sync_policies(model, callctx, false);
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * viper.revoke(model text, action text, role text) → boolean: true when a
 * grant was removed; the model's policies are regenerated either way.
 */
Datum
viper_revoke(PG_FUNCTION_ARGS)
{
	MemoryContext callctx = CurrentMemoryContext;
	char	   *model;
	char	   *action;
	char	   *role;
	const char *action_norm;
	Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];
	bool		found;
	int			rc;

	/* the same model, action and role rules as grant (no predicate) */
	action_norm = grant_args(fcinfo, "revoke", callctx, &model, &action, &role,
							 NULL);

	values[0] = CStringGetTextDatum(model);
	values[1] = CStringGetTextDatum(action_norm);
	values[2] = CStringGetTextDatum(role);
	rc = SPI_execute_with_args("DELETE FROM viper.grants WHERE model OPERATOR(pg_catalog.=) $1"
							   " AND action OPERATOR(pg_catalog.=) $2"
							   " AND role OPERATOR(pg_catalog.=) $3",
							   3, types, values, NULL, false, 0);
	if (rc != SPI_OK_DELETE)
		viper_pg_internal("writing viper.grants", SPI_result_code_string(rc));
	found = SPI_processed > 0;
	viper_perm_sync_policies(model, callctx, false);
	SPI_finish();
	PG_RETURN_BOOL(found);
}

/* ---- new-row checks ----------------------------------------------------- */

static void
raise_violation(const char *label, const char *action, bool rls)
{
	if (rls)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("new row violates the %s permission of \"%s\"", action,
						label),
				 errdetail("The table's row-level security refused the row: it must satisfy one of the %s grants of \"%s\" for the current principal and, when the row is read back (viper.insert returns it), a select grant.",
						   action, label)));
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("new row violates the %s permission of \"%s\"", action,
					label),
			 errdetail("No %s grant of \"%s\" allows the row for the current principal.",
					   action, label)));
}

void
viper_perm_rethrow(const char *label, const char *action)
{
	ErrorData  *ed = CopyErrorData();
	static const char rls[] = "new row violates row-level security policy";

	if (ed->sqlerrcode == ERRCODE_INSUFFICIENT_PRIVILEGE &&
		ed->message_id != NULL &&
		strncmp(ed->message_id, rls, sizeof(rls) - 1) == 0)
	{
		FlushErrorState();
		FreeErrorData(ed);
		raise_violation(label, action, true);
	}
	FreeErrorData(ed);
	PG_RE_THROW();
}

/* The table of m in schema public, or InvalidOid. */
static Oid
model_relid(const vc_model *m)
{
	Oid			nsp = get_namespace_oid("public", true);

	if (m->table == NULL || !OidIsValid(nsp))
		return InvalidOid;
	return get_relname_relid(m->table, nsp);
}

/*
 * Must the host check new rows of m? Not when PostgreSQL's row-level
 * security applies to the caller on m's table: its WITH CHECK policies,
 * compiled from the same grants, refused a bad row before it was written.
 */
static bool
host_check_needed(const vc_model *m)
{
	Oid			relid;

	if (!m->permissions)
		return false;
	relid = model_relid(m);
	return !OidIsValid(relid) ||
		check_enable_rls(relid, InvalidOid, true) != RLS_ENABLED;
}

/* c's statement seen as a SELECT with other text and parameters. */
static vc_compiled *
check_statement(const vc_compiled *c, char *sql, const vc_param *first,
				size_t nfirst, const vc_perm_sql *ps)
{
	vc_compiled *k = palloc0(sizeof(vc_compiled));

	k->stmt = VC_STMT_SELECT;
	k->result = VC_RESULT_COUNT;
	k->dialect = VC_DIALECT_POSTGRESQL;
	k->model = c->model;
	k->sql = sql;
	k->sql_len = strlen(sql);
	k->nparams = nfirst + ps->nparams;
	k->params = palloc(sizeof(vc_param) * (k->nparams ? k->nparams : 1));
	if (nfirst)
		memcpy(k->params, first, sizeof(vc_param) * nfirst);
	if (ps->nparams)
		memcpy(k->params + nfirst, ps->params, sizeof(vc_param) * ps->nparams);
	k->max_affected = -1;
	return k;
}

static int64
int8_column(int col)
{
	bool		isnull;
	Datum		d;

	if (SPI_processed != 1 || SPI_tuptable == NULL)
		viper_pg_internal("checking new rows", "the check returned no row");
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col, &isnull);
	return isnull ? 0 : DatumGetInt64(d);
}

void
viper_perm_check_row(const vc_perms *perms, const vc_compiled *c,
					 vc_perm_action action, const json_t *pk)
{
	const vc_model *m = c->model;
	const vc_field *pkf;
	vc_perm_sql ps;
	vc_param	pkp;
	vc_error	err;
	char	   *sql;

	if (perms == NULL || pk == NULL || json_is_null(pk) ||
		!host_check_needed(m))
		return;
	if (vc_perm_check_sql(&viper_pg_alloc, perms, m, action,
						  VC_DIALECT_POSTGRESQL, "t0", 1, &ps, &err) != VC_OK)
	{
		vc_perm_sql_free(&ps);
		viper_pg_raise(&err);
	}
	if (!ps.applied)
		return;
	pkf = &m->fields[m->pk];
	if (vc_value_bind(ps.pool, m, pkf, pk, VC_DIALECT_POSTGRESQL, false, false,
					  "value", &pkp, &err) != VC_OK)
		viper_pg_raise(&err);
	sql = psprintf("SELECT pg_catalog.count(*) FROM public.%s AS \"t0\""
				   " WHERE \"t0\".%s = $1 AND (%s) IS NOT TRUE",
				   quote_identifier(m->table), quote_identifier(pkf->column),
				   ps.sql);
	viper_engine_exec(check_statement(c, sql, &pkp, 1, &ps), false, 0);
	if (int8_column(1) > 0)
		raise_violation(m->label, action == VC_PERM_INSERT ? "insert" : "update",
						false);
}

int64
viper_perm_exec_checked(const vc_perms *perms, const vc_compiled *c,
						vc_perm_action action)
{
	const vc_model *m = c->model;
	vc_perm_sql ps;
	vc_error	err;
	char	   *sql;
	int64		total;

	memset(&ps, 0, sizeof(ps));
	if (perms != NULL && host_check_needed(m))
	{
		if (vc_perm_check_sql(&viper_pg_alloc, perms, m, action,
							  VC_DIALECT_POSTGRESQL, "viper_w", c->nparams,
							  &ps, &err) != VC_OK)
		{
			vc_perm_sql_free(&ps);
			viper_pg_raise(&err);
		}
	}
	if (!ps.applied)
	{
		viper_engine_exec(c, false, 0);
		return (int64) SPI_processed;
	}
	/* the write and its check as one statement: nothing runs in between */
	sql = psprintf("WITH \"viper_w\" AS (%s RETURNING %s)"
				   " SELECT pg_catalog.count(*),"
				   " pg_catalog.count(*) FILTER (WHERE (%s) IS NOT TRUE)"
				   " FROM \"viper_w\"",
				   c->sql, c->stmt == VC_STMT_UPDATE ? "\"t0\".*" : "*", ps.sql);
	viper_engine_exec(check_statement(c, sql, c->params, c->nparams, &ps),
					  false, 0);
	total = int8_column(1);
	if (int8_column(2) > 0)
		raise_violation(m->label, action == VC_PERM_INSERT ? "insert" : "update",
						false);
	return total;
}

/* ---- policies ----------------------------------------------------------- */

static void
run_ddl(const char *sql)
{
	int			rc = SPI_execute(sql, false, 0);

	if (rc != SPI_OK_UTILITY)
		viper_pg_internal("changing row-level security policies",
						  SPI_result_code_string(rc));
}

void
viper_perm_sync_policies(const char *label, MemoryContext ctx,
						 bool missing_ok)
{
	const vc_perms *perms;
	const vc_catalog *cat = viper_engine_catalog_fresh(ctx, &perms);
	const vc_model *m;
	vc_error	err;
	Oid			relid;
	Oid			owner;
	Oid			save_userid;
	int			save_sec;
	HeapTuple	tup;
	int			nestlevel;
	char	   *table;
	char	  **names;
	uint64		nnames;
	uint64		k;
	Oid			types[1] = {OIDOID};
	Datum		values[1];
	int			rc;

	if (vc_catalog_find(cat, label, strlen(label), &m, &err) != VC_OK)
	{
		if (missing_ok)
			return;
		viper_pg_raise(&err);
	}
	relid = model_relid(m);
	if (!OidIsValid(relid))
		return;					/* not migrated yet: migrate calls again */

	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		viper_pg_internal("reading pg_class", "the table disappeared");
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	table = psprintf("public.%s", quote_identifier(m->table));

	/*
	 * Only the owner may change a table's policies; the caller is a member
	 * of viper_admin (checked) and the text is viper's own. An error
	 * restores the user with the (sub)transaction's abort.
	 */
	GetUserIdAndSecContext(&save_userid, &save_sec);
	if (owner != save_userid)
		SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE);
	nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);

	values[0] = ObjectIdGetDatum(relid);
	rc = SPI_execute_with_args("SELECT p.polname::text FROM pg_catalog.pg_policy AS p"
							   " WHERE p.polrelid = $1"
							   " AND p.polname::text LIKE 'viper\\_%'"
							   " ORDER BY 1",
							   1, types, values, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		viper_pg_internal("reading pg_policy", SPI_result_code_string(rc));
	nnames = SPI_processed;
	names = palloc(sizeof(char *) * (nnames ? nnames : 1));
	for (k = 0; k < nnames; k++)
		names[k] = SPI_getvalue(SPI_tuptable->vals[k], SPI_tuptable->tupdesc, 1);
	for (k = 0; k < nnames; k++)
		run_ddl(psprintf("DROP POLICY %s ON %s", quote_identifier(names[k]),
						 table));

	if (m->permissions)
	{
		size_t		i;
		int			n = 0;

		for (i = 0; i < vc_perms_count(perms); i++)
		{
			const vc_grant *g = vc_perms_grant(perms, i);
			const char *cmd;
			char	   *expr;
			size_t		len;
			char	   *name;
			bool		using,
						check;

			if (strcmp(g->model->label, m->label) != 0)
				continue;
			if (vc_perm_policy_sql(&viper_pg_alloc, perms, i, &expr, &len,
								   &err) != VC_OK)
				viper_pg_raise(&err);
			cmd = vc_grant_policy_command(g);
			using = g->action != VC_GRANT_INSERT;
			check = g->action != VC_GRANT_SELECT && g->action != VC_GRANT_DELETE;
			name = psprintf("viper_%s_%d", g->action_name, n++);
			run_ddl(psprintf("CREATE POLICY %s ON %s AS PERMISSIVE FOR %s TO PUBLIC%s%s%s%s%s",
							 quote_identifier(name), table, cmd,
							 using ? " USING (" : "", using ? expr : "",
							 using ? ")" : "",
							 check ? " WITH CHECK (" : "",
							 check ? psprintf("%s)", expr) : ""));
		}
		run_ddl(psprintf("CREATE POLICY viper_bypass ON %s AS PERMISSIVE FOR ALL TO PUBLIC"
						 " USING (%s) WITH CHECK (%s)", table,
						 VC_PERM_PG_BYPASS_POLICY, VC_PERM_PG_BYPASS_POLICY));
	}

	AtEOXact_GUC(true, nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec);
}
