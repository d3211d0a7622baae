/*
 * patches.c — data patches (DESIGN §4): viper.patch_claim, viper.patch_done
 * and viper.apply_patch.
 *
 * Exactly once, even with many migrators at once: patch_claim takes a
 * transaction-level advisory lock derived from the patch name BEFORE it
 * reads viper.patches, so a second session blocks until the first one's
 * transaction ends and then (with READ COMMITTED, whose every SPI query
 * takes a fresh snapshot) sees its row and returns false. The patch and its
 * record commit or roll back together because everything runs in the
 * caller's transaction.
 *
 * A claim lives in backend memory for the current transaction only: the
 * list below is allocated in TopTransactionContext and forgotten by the
 * transaction callback at commit, abort or prepare (registered in
 * viper.c's _PG_init), so it never survives its transaction. A claim made
 * inside a subtransaction that rolls back is dropped with it (the advisory
 * lock taken there is released by the same rollback).
 *
 * Every applied patch writes a row to viper.audit_log (action 'bypass',
 * reason 'patch <name>') and a LOG line to the server log, whoever runs it
 * (DESIGN §12). Errors leave through viper_pg_raise; the checksum-change
 * notice is a WARNING, the audit line a LOG, neither an ERROR.
 */
#include "postgres.h"

#include "spi_json.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "vc_checksum.h"
#include "vc_patch.h"

#include "engine.h"
#include "pg_alloc.h"
#include "pg_error.h"
#include "viper.h"

PG_FUNCTION_INFO_V1(viper_patch_claim);
PG_FUNCTION_INFO_V1(viper_patch_done);
PG_FUNCTION_INFO_V1(viper_apply_patch);

/*
 * First key of the two-key advisory lock of a patch ("VPT" + 1), so patch
 * locks never collide with the single-key locks applications take; the
 * second key is the FNV-1a hash of the name. Two names with the same hash
 * merely wait for each other.
 */
#define VIPER_PATCH_LOCK_CLASS 0x56505401

/* A patch this transaction claimed and has not yet recorded. */
typedef struct PatchClaim
{
	struct PatchClaim *next;
	char	   *name;
	char		phase[5];
	int32		ord;
	char		checksum[VC_CHECKSUM_HEXLEN + 1];
	TimestampTz started;
	SubTransactionId subid;		/* subtransaction that made the claim */
} PatchClaim;

/* Pending claims of the current transaction (in TopTransactionContext). */
static PatchClaim *claims = NULL;

/* 32-bit FNV-1a: a stable hash of the name for the advisory lock key. */
static int32
name_lock_key(const char *name, size_t len)
{
	uint32		h = 2166136261u;
	size_t		i;

	for (i = 0; i < len; i++)
	{
		h ^= (unsigned char) name[i];
		h *= 16777619u;
	}
	return (int32) h;
}

static PatchClaim *
find_claim(const char *name)
{
	PatchClaim *c;

	for (c = claims; c != NULL; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void
forget_claim(PatchClaim *claim)
{
	PatchClaim **link;

	for (link = &claims; *link != NULL; link = &(*link)->next)
		if (*link == claim)
		{
			*link = claim->next;
			pfree(claim->name);
			pfree(claim);
			return;
		}
}

/*
 * Transaction end: the memory goes with TopTransactionContext, so only the
 * pointer is reset. A claim still pending at commit means a patch was
 * claimed but never recorded: it will run again, which the user should
 * know.
 */
void
viper_patches_xact_callback(XactEvent event, void *arg)
{
	PatchClaim *c;

	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			for (c = claims; c != NULL; c = c->next)
			{
				char		shown[VC_ECHO_BUFSZ];

				ereport(WARNING,
						(errmsg("patch \"%s\" was claimed but not marked done",
								vc_echo(shown, sizeof(shown), c->name,
										strlen(c->name))),
						 errdetail("It is not recorded as applied and will run again."),
						 errhint("Call viper.patch_done(name) after running a patch that viper.patch_claim returned true for.")));
			}
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			claims = NULL;
			break;
		default:
			break;
	}
}

/*
 * A claimed patch runs in the audited system scope: row permissions are
 * bypassed (perm.c's _bypass_active) from the claim until it is recorded
 * or its transaction ends. The audit row is record_patch's.
 */
bool
viper_patches_pending(void)
{
	return claims != NULL;
}

/*
 * Subtransaction end: a claim made in a rolled-back savepoint is dropped
 * (its lock is gone too); a committed one now belongs to the parent.
 */
void
viper_patches_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
							   SubTransactionId parentSubid, void *arg)
{
	PatchClaim *c;
	PatchClaim *next;

	if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		for (c = claims; c != NULL; c = c->next)
			if (c->subid == mySubid)
				c->subid = parentSubid;
	}
	else if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		for (c = claims; c != NULL; c = next)
		{
			next = c->next;
			if (c->subid == mySubid)
				forget_claim(c);
		}
	}
}

/* The text of argument argno, or 22023 "patch <what> must not be null". */
static text *
required_text(FunctionCallInfo fcinfo, int argno, const char *what)
{
	vc_error	err;

	if (PG_ARGISNULL(argno))
	{
		vc_patch_null_arg(what, &err);
		viper_pg_raise(&err);
	}
	return PG_GETARG_TEXT_PP(argno);
}

/* The checked patch name of argument argno as a C string. */
static char *
name_arg(FunctionCallInfo fcinfo, int argno)
{
	text	   *t = required_text(fcinfo, argno, "name");
	vc_error	err;

	if (vc_patch_check_name(VIPER_TEXT_PTR(t), VIPER_TEXT_LEN(t), &err) != VC_OK)
		viper_pg_raise(&err);
	return text_to_cstring(t);
}

/* The checked phase ("pre" or "post") of argument argno. */
static char *
phase_arg(FunctionCallInfo fcinfo, int argno)
{
	text	   *t = required_text(fcinfo, argno, "phase");
	vc_error	err;

	if (vc_patch_check_phase(VIPER_TEXT_PTR(t), VIPER_TEXT_LEN(t), &err) != VC_OK)
		viper_pg_raise(&err);
	return text_to_cstring(t);
}

static int32
ord_arg(FunctionCallInfo fcinfo, int argno)
{
	vc_error	err;

	if (PG_ARGISNULL(argno))
	{
		vc_patch_null_arg("order", &err);
		viper_pg_raise(&err);
	}
	return PG_GETARG_INT32(argno);
}

/*
 * Take the patch's lock, then look at viper.patches. Returns true (and
 * remembers the claim) when the patch still has to run in this
 * transaction; false when it already ran, with a WARNING when its text
 * changed since.
 */
static bool
claim_patch(const char *name, const char *phase, int32 ord,
			const char *checksum)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1];
	char		shown[VC_ECHO_BUFSZ];
	char		old_checksum[VC_CHECKSUM_HEXLEN + 1] = "";
	char	   *old_algorithm = NULL;
	bool		found;
	int			rc;
	PatchClaim *claim;
	MemoryContext callercxt = CurrentMemoryContext;
	MemoryContext oldcxt;
	vc_error	err;

	vc_echo(shown, sizeof(shown), name, strlen(name));
	if (find_claim(name) != NULL)
	{
		vc_error_set(&err, VC_ERR_INVALID_PARAM,
					 "patch \"%s\" is already claimed in this transaction",
					 shown);
		vc_error_hint(&err, "Run the patch, then call viper.patch_done(name) once.");
		viper_pg_raise(&err);
	}

	/* the lock comes first: what is read below is then final */
	DirectFunctionCall2(pg_advisory_xact_lock_int4,
						Int32GetDatum(VIPER_PATCH_LOCK_CLASS),
						Int32GetDatum(name_lock_key(name, strlen(name))));

	values[0] = CStringGetTextDatum(name);
	viper_engine_connect();
	rc = SPI_execute_with_args("SELECT checksum, checksum_algorithm"
							   " FROM viper.patches"
							   " WHERE name OPERATOR(pg_catalog.=) $1",
							   1, argtypes, values, NULL, false, 1);
	if (rc != SPI_OK_SELECT)
		viper_pg_internal("reading viper.patches", SPI_result_code_string(rc));
	found = SPI_processed > 0;
	if (found)
	{
		char	   *cs = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		char	   *alg = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);

		/* copy out before SPI_finish frees the tuple table's context */
		strlcpy(old_checksum, cs ? cs : "", sizeof(old_checksum));
		old_algorithm = alg ? MemoryContextStrdup(callercxt, alg) : NULL;
	}
	SPI_finish();

	if (found)
	{
		/*
		 * A checksum taken under another algorithm version cannot be
		 * compared; only a real difference under the same one is reported.
		 */
		if (old_algorithm != NULL &&
			strcmp(old_algorithm, VC_CHECKSUM_ALGORITHM) == 0 &&
			strcmp(old_checksum, checksum) != 0)
			ereport(WARNING,
					(errmsg("patch \"%s\" changed after it was applied", shown),
					 errdetail("It was applied with checksum %.*s..., its text now has checksum %.*s...; it is not run again.",
							   VC_PATCH_CHECKSUM_SHOWN, old_checksum,
							   VC_PATCH_CHECKSUM_SHOWN, checksum),
					 errhint("A patch runs once. To change the data again, add a new patch with a new name.")));
		return false;
	}

	oldcxt = MemoryContextSwitchTo(TopTransactionContext);
	claim = palloc0(sizeof(PatchClaim));
	claim->name = pstrdup(name);
	MemoryContextSwitchTo(oldcxt);
	strlcpy(claim->phase, phase, sizeof(claim->phase));
	claim->ord = ord;
	strlcpy(claim->checksum, checksum, sizeof(claim->checksum));
	claim->started = GetCurrentTimestamp();
	claim->subid = GetCurrentSubTransactionId();
	claim->next = claims;
	claims = claim;
	return true;
}

/*
 * Record a claimed patch as applied: its row in viper.patches, the audit
 * row and the server log line, then forget the claim.
 */
static void
record_patch(const char *name)
{
	PatchClaim *claim = find_claim(name);
	char		shown[VC_ECHO_BUFSZ];
	size_t		namelen = strlen(name);
	size_t		applen = vc_patch_app_len(name, namelen);
	Oid			ptypes[7] = {TEXTOID, TEXTOID, TEXTOID, INT4OID, TEXTOID,
	TEXTOID, FLOAT8OID};
	Datum		pvalues[7];
	char		pnulls[8] = "       ";
	long		secs;
	int			usecs;
	double		duration_ms;
	int			rc;
	vc_error	err;

	vc_echo(shown, sizeof(shown), name, namelen);
	if (claim == NULL)
	{
		vc_error_set(&err, VC_ERR_INVALID_PARAM,
					 "patch \"%s\" was not claimed in this transaction", shown);
		vc_error_hint(&err, "Call viper.patch_claim(name, phase, ord, checksum) "
					  "first, in the same transaction, and run the patch only "
					  "when it returns true.");
		viper_pg_raise(&err);
	}

	TimestampDifference(claim->started, GetCurrentTimestamp(), &secs, &usecs);
	duration_ms = (double) secs * 1000.0 + (double) usecs / 1000.0;

	pvalues[0] = CStringGetTextDatum(name);
	if (applen > 0)
		pvalues[1] = PointerGetDatum(cstring_to_text_with_len(name, (int) applen));
	else
	{
		pvalues[1] = (Datum) 0;
		pnulls[1] = 'n';
	}
	pvalues[2] = CStringGetTextDatum(claim->phase);
	pvalues[3] = Int32GetDatum(claim->ord);
	pvalues[4] = CStringGetTextDatum(claim->checksum);
	pvalues[5] = CStringGetTextDatum(VC_CHECKSUM_ALGORITHM);
	pvalues[6] = Float8GetDatum(duration_ms);

	viper_engine_connect();
	rc = SPI_execute_with_args("INSERT INTO viper.patches"
							   " (name, app, phase, ord, checksum,"
							   "  checksum_algorithm, applied_at, duration_ms)"
							   " VALUES ($1, $2, $3, $4, $5, $6, pg_catalog.now(), $7)",
							   7, ptypes, pvalues, pnulls, false, 0);
	if (rc != SPI_OK_INSERT)
		viper_pg_internal("recording the patch in viper.patches",
						  SPI_result_code_string(rc));
	/* a patch's audit row names no principal */
	viper_engine_audit("bypass", NULL, psprintf("patch %s", name), NULL);
	SPI_finish();

	/* the server log keeps the line even if the transaction rolls back */
	ereport(LOG,
			(errmsg("viper: patch \"%s\" applied by %s", shown,
					GetUserNameFromId(GetSessionUserId(), false)),
			 errdetail("Phase %s, order %d, checksum %.*s..., %.3f ms.",
					   claim->phase, claim->ord,
					   VC_PATCH_CHECKSUM_SHOWN, claim->checksum, duration_ms)));

	forget_claim(claim);
}

/* viper.patch_claim(name, phase, ord, checksum) → boolean */
Datum
viper_patch_claim(PG_FUNCTION_ARGS)
{
	char	   *name = name_arg(fcinfo, 0);
	char	   *phase = phase_arg(fcinfo, 1);
	int32		ord = ord_arg(fcinfo, 2);
	text	   *checksum = required_text(fcinfo, 3, "checksum");
	vc_error	err;

	if (vc_patch_check_checksum(VIPER_TEXT_PTR(checksum),
								VIPER_TEXT_LEN(checksum), &err) != VC_OK)
		viper_pg_raise(&err);
	PG_RETURN_BOOL(claim_patch(name, phase, ord, text_to_cstring(checksum)));
}

/* viper.patch_done(name) → void */
Datum
viper_patch_done(PG_FUNCTION_ARGS)
{
	record_patch(name_arg(fcinfo, 0));
	PG_RETURN_VOID();
}

/* Error context line naming the patch whose SQL failed. */
static void
patch_error_context(void *arg)
{
	const char *name = (const char *) arg;
	char		shown[VC_ECHO_BUFSZ];

	errcontext("viper patch \"%s\"", vc_echo(shown, sizeof(shown), name,
											  strlen(name)));
}

/* Run the patch's statements (several are allowed) through SPI. */
static void
run_patch_sql(const char *name, const char *sql)
{
	ErrorContextCallback errcb;
	char		shown[VC_ECHO_BUFSZ];
	int			rc;
	vc_error	err;

	viper_engine_connect();
	errcb.callback = patch_error_context;
	errcb.arg = unconstify(char *, name);
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;
	rc = SPI_execute(sql, false, 0);
	error_context_stack = errcb.previous;
	if (rc < 0)
	{
		/* statements SPI refuses instead of raising (COMMIT, COPY, ...) */
		vc_echo(shown, sizeof(shown), name, strlen(name));
		if (rc == SPI_ERROR_TRANSACTION)
		{
			vc_error_set(&err, VC_ERR_ACTIVE_TRANSACTION,
						 "patch \"%s\" must not control the transaction", shown);
			vc_error_detail(&err, "A patch runs inside the caller's transaction "
							"together with its record; BEGIN, COMMIT, ROLLBACK "
							"and the like are not allowed in it.");
		}
		else
		{
			vc_error_set(&err, VC_ERR_INVALID_PARAM,
						 "patch \"%s\" contains a statement that cannot run "
						 "inside a function", shown);
			vc_error_detail(&err, "SPI refused it with %s.",
							SPI_result_code_string(rc));
		}
		viper_pg_raise(&err);
	}
	SPI_finish();
}

/* viper.apply_patch(name, sql, phase DEFAULT 'post', ord DEFAULT 0) → boolean */
Datum
viper_apply_patch(PG_FUNCTION_ARGS)
{
	char	   *name = name_arg(fcinfo, 0);
	text	   *sql = required_text(fcinfo, 1, "sql");
	char	   *phase = phase_arg(fcinfo, 2);
	int32		ord = ord_arg(fcinfo, 3);
	char		checksum[VC_CHECKSUM_HEXLEN + 1];

	vc_patch_checksum(VIPER_TEXT_PTR(sql), VIPER_TEXT_LEN(sql), checksum);
	if (!claim_patch(name, phase, ord, checksum))
		PG_RETURN_BOOL(false);
	run_patch_sql(name, text_to_cstring(sql));
	record_patch(name);
	PG_RETURN_BOOL(true);
}
