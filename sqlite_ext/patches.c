/*
 * patches.c — data patches in the SQLite host (DESIGN §4):
 * viper_patch_claim, viper_patch_done and viper_apply_patch.
 *
 * The lock of a patch is SQLite's write lock: claim and done need the
 * caller's write transaction (BEGIN IMMEDIATE takes it before anything is
 * read), so the applied set read by a claim cannot change until that
 * transaction ends, and the patch and its record commit together.
 * viper_apply_patch runs that whole sequence itself (BEGIN IMMEDIATE,
 * claim, the patch's statements, record, COMMIT) and so must be a bare
 * top-level call in autocommit mode.
 *
 * Claims are kept in the connection's state (conn.c) and forgotten by the
 * commit and rollback hooks, so a claim never outlives its transaction.
 * SQLite has no hook for ROLLBACK TO a savepoint: a claim made inside a
 * savepoint that is rolled back to stays until the transaction ends
 * (docs/patches.md).
 *
 * Errors of viper go through viper_sqlite_raise; an error raised by the
 * patch's own SQL is passed on with SQLite's message and result code,
 * prefixed with the patch name (like PostgreSQL, where the statement's own
 * error and SQLSTATE come through). Bound values never appear in a message.
 */
#define _POSIX_C_SOURCE 200809L

#include "sqlite_error.h"

#include <string.h>
#include <time.h>

#include "vc_checksum.h"
#include "vc_patch.h"

struct viper_patch_claim
{
	viper_patch_claim *next;
	char	   *name;
	char		phase[5];
	int			ord;
	char		checksum[VC_CHECKSUM_HEXLEN + 1];
	double		started_ms;
};

/* Milliseconds on a monotonic clock, for duration_ms. */
static double
now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0.0;
	return (double) ts.tv_sec * 1000.0 + (double) ts.tv_nsec / 1e6;
}

void
viper_sqlite_patches_txn_end(viper_sqlite_conn *conn)
{
	viper_patch_claim *c = conn->claims;

	while (c != NULL)
	{
		viper_patch_claim *next = c->next;

		sqlite3_free(c->name);
		sqlite3_free(c);
		c = next;
	}
	conn->claims = NULL;
}

static viper_patch_claim *
find_claim(viper_sqlite_conn *conn, const char *name)
{
	viper_patch_claim *c;

	for (c = conn->claims; c != NULL; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void
forget_claim(viper_sqlite_conn *conn, viper_patch_claim *claim)
{
	viper_patch_claim **link;

	for (link = &conn->claims; *link != NULL; link = &(*link)->next)
		if (*link == claim)
		{
			*link = claim->next;
			sqlite3_free(claim->name);
			sqlite3_free(claim);
			return;
		}
}

/* Argument i as (text, length); 0 after raising when it is NULL. */
static int
arg_text(sqlite3_context *ctx, sqlite3_value **argv, int i, const char *what,
		 const char **s, size_t *len)
{
	vc_error	err;

	if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
	{
		vc_patch_null_arg(what, &err);
		viper_sqlite_raise(ctx, &err);
		return 0;
	}
	*s = (const char *) sqlite3_value_text(argv[i]);
	if (*s == NULL)
	{
		sqlite3_result_error_nomem(ctx);
		return 0;
	}
	*len = (size_t) sqlite3_value_bytes(argv[i]);
	return 1;
}

/* The patch arguments every function shares, checked. */
typedef struct patch_args
{
	const char *name;
	size_t		namelen;
	const char *phase;
	int			ord;
} patch_args;

static int
arg_name(sqlite3_context *ctx, sqlite3_value **argv, int i, patch_args *a)
{
	vc_error	err;

	if (!arg_text(ctx, argv, i, "name", &a->name, &a->namelen))
		return 0;
	if (vc_patch_check_name(a->name, a->namelen, &err) != VC_OK)
	{
		viper_sqlite_raise(ctx, &err);
		return 0;
	}
	return 1;
}

/* phase (argv[i], default "post") and order (argv[j], default 0) */
static int
arg_phase_ord(sqlite3_context *ctx, int argc, sqlite3_value **argv, int i,
			  int j, patch_args *a)
{
	size_t		len;
	vc_error	err;

	a->phase = "post";
	a->ord = 0;
	if (i < argc)
	{
		if (!arg_text(ctx, argv, i, "phase", &a->phase, &len))
			return 0;
		if (vc_patch_check_phase(a->phase, len, &err) != VC_OK)
		{
			viper_sqlite_raise(ctx, &err);
			return 0;
		}
	}
	if (j < argc)
	{
		sqlite3_int64 v;

		if (sqlite3_value_type(argv[j]) == SQLITE_NULL)
		{
			vc_patch_null_arg("order", &err);
			viper_sqlite_raise(ctx, &err);
			return 0;
		}
		v = sqlite3_value_int64(argv[j]);
		if (sqlite3_value_numeric_type(argv[j]) != SQLITE_INTEGER ||
			v < -2147483647 - 1 || v > 2147483647)
		{
			vc_error_set(&err, VC_ERR_INVALID_PARAM, "invalid patch order");
			vc_error_detail(&err, "The order is an integer between "
							"-2147483648 and 2147483647.");
			viper_sqlite_raise(ctx, &err);
			return 0;
		}
		a->ord = (int) v;
	}
	return 1;
}

/*
 * Run one statement with bound values; types[i] is 't' (texts[i], NULL
 * for SQL NULL), 'i' (ints[i]) or 'r' (reals[i]). Returns SQLite's rc.
 */
static int
exec_bound(sqlite3 *db, const char *sql, const char *types,
		   const char *const *texts, const int *ints, const double *reals)
{
	sqlite3_stmt *st = NULL;
	int			rc;
	int			i;

	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	for (i = 0; rc == SQLITE_OK && types[i] != '\0'; i++)
	{
		if (types[i] == 'i')
			rc = sqlite3_bind_int(st, i + 1, ints[i]);
		else if (types[i] == 'r')
			rc = sqlite3_bind_double(st, i + 1, reals[i]);
		else if (texts[i] != NULL)
			rc = sqlite3_bind_text(st, i + 1, texts[i], -1, SQLITE_TRANSIENT);
		else
			rc = sqlite3_bind_null(st, i + 1);
	}
	if (rc == SQLITE_OK)
	{
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE || rc == SQLITE_ROW)
			rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* An audit row (no database user in SQLite; the principal when one is set). */
static int
audit(viper_sqlite_conn *conn, const char *action, const char *reason)
{
	const char *texts[3] = {action, reason, conn->principal};

	return exec_bound(conn->db,
					  "INSERT INTO main.viper_audit_log"
					  " (db_user, principal, action, model, reason)"
					  " VALUES (NULL, ?3, ?1, NULL, ?2)",
					  "ttt", texts, NULL, NULL);
}

/*
 * Look at main.viper_patches inside the caller's write transaction.
 * Returns 1 (claim remembered: the patch has to run), 0 (already applied;
 * a changed checksum is logged and audited) or -1 after raising on ctx.
 */
static int
claim_patch(sqlite3_context *ctx, viper_sqlite_conn *conn, sqlite3 *db,
			const char *name, size_t namelen, const char *phase, int ord,
			const char *checksum)
{
	char		shown[VC_ECHO_BUFSZ];
	char		old_checksum[VC_CHECKSUM_HEXLEN + 1] = "";
	int			same_algorithm = 0;
	sqlite3_stmt *st = NULL;
	viper_patch_claim *claim;
	int			rc;
	vc_error	err;

	vc_echo(shown, sizeof(shown), name, namelen);
	if (find_claim(conn, name) != NULL)
	{
		vc_error_set(&err, VC_ERR_INVALID_PARAM,
					 "patch \"%s\" is already claimed in this transaction",
					 shown);
		vc_error_hint(&err, "Run the patch, then call viper_patch_done(name) once.");
		viper_sqlite_raise(ctx, &err);
		return -1;
	}

	rc = sqlite3_prepare_v2(db,
							"SELECT checksum, checksum_algorithm"
							" FROM main.viper_patches WHERE name = ?1",
							-1, &st, NULL);
	if (rc != SQLITE_OK)
	{
		viper_sqlite_catalog_error(ctx, db, rc, "viper_patches");
		return -1;
	}
	sqlite3_bind_text(st, 1, name, (int) namelen, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
	{
		const char *cs = (const char *) sqlite3_column_text(st, 0);
		const char *alg = (const char *) sqlite3_column_text(st, 1);

		if (cs != NULL && strlen(cs) == VC_CHECKSUM_HEXLEN)
			memcpy(old_checksum, cs, VC_CHECKSUM_HEXLEN + 1);
		same_algorithm = alg != NULL && strcmp(alg, VC_CHECKSUM_ALGORITHM) == 0;
	}
	else if (rc != SQLITE_DONE)
	{
		sqlite3_finalize(st);
		viper_sqlite_catalog_error(ctx, db, rc, "viper_patches");
		return -1;
	}
	sqlite3_finalize(st);

	if (rc == SQLITE_ROW)
	{
		/* only a real difference under the same algorithm is reported */
		if (same_algorithm && strcmp(old_checksum, checksum) != 0)
		{
			char	   *reason;

			sqlite3_log(SQLITE_WARNING,
						"viper: patch \"%s\" changed after it was applied"
						" (checksum %.12s..., now %.12s...); it is not run again",
						shown, old_checksum, checksum);
			reason = sqlite3_mprintf("patch %s changed after it was applied",
									 name);
			if (reason == NULL)
			{
				sqlite3_result_error_nomem(ctx);
				return -1;
			}
			rc = audit(conn, "warning", reason);
			sqlite3_free(reason);
			if (rc != SQLITE_OK)
			{
				viper_sqlite_catalog_error(ctx, db, rc, "viper_audit_log");
				return -1;
			}
		}
		return 0;
	}

	claim = sqlite3_malloc64(sizeof(viper_patch_claim));
	if (claim == NULL || (claim->name = sqlite3_mprintf("%s", name)) == NULL)
	{
		sqlite3_free(claim);
		sqlite3_result_error_nomem(ctx);
		return -1;
	}
	memcpy(claim->phase, phase, strlen(phase) + 1);
	claim->ord = ord;
	memcpy(claim->checksum, checksum, VC_CHECKSUM_HEXLEN + 1);
	claim->started_ms = now_ms();
	claim->next = conn->claims;
	conn->claims = claim;
	/* the patch runs under a bypass until the transaction ends (DESIGN §8);
	 * its audit row is written by record_patch, reason "patch <name>" */
	conn->bypass_txn = true;
	return 1;
}

/*
 * Record a claimed patch: its viper_patches row, the audit row and an
 * SQLITE_NOTICE in SQLite's error log. Returns 0, or -1 after raising.
 */
static int
record_patch(sqlite3_context *ctx, viper_sqlite_conn *conn, sqlite3 *db,
			 const char *name, size_t namelen)
{
	viper_patch_claim *claim = find_claim(conn, name);
	char		shown[VC_ECHO_BUFSZ];
	size_t		applen = vc_patch_app_len(name, namelen);
	char	   *app = NULL;
	char	   *reason;
	const char *texts[7] = {NULL};
	int			ints[7] = {0};
	double		reals[7] = {0};
	int			rc;
	vc_error	err;

	vc_echo(shown, sizeof(shown), name, namelen);
	if (claim == NULL)
	{
		vc_error_set(&err, VC_ERR_INVALID_PARAM,
					 "patch \"%s\" was not claimed in this transaction", shown);
		vc_error_hint(&err, "Call viper_patch_claim(name, phase, ord, checksum) "
					  "first, in the same transaction, and run the patch only "
					  "when it returns 1.");
		viper_sqlite_raise(ctx, &err);
		return -1;
	}
	reals[6] = now_ms() - claim->started_ms;
	if (applen > 0 && (app = sqlite3_mprintf("%.*s", (int) applen, name)) == NULL)
	{
		sqlite3_result_error_nomem(ctx);
		return -1;
	}
	texts[0] = name;
	texts[1] = app;
	texts[2] = claim->phase;
	ints[3] = claim->ord;
	texts[4] = claim->checksum;
	texts[5] = VC_CHECKSUM_ALGORITHM;
	rc = exec_bound(db,
					"INSERT INTO main.viper_patches"
					" (name, app, phase, ord, checksum, checksum_algorithm,"
					"  duration_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
					"tttittr", texts, ints, reals);
	sqlite3_free(app);
	if (rc != SQLITE_OK)
	{
		viper_sqlite_raise_db(ctx, db, rc, "could not record the patch", NULL);
		return -1;
	}
	reason = sqlite3_mprintf("patch %s", name);
	if (reason == NULL)
	{
		sqlite3_result_error_nomem(ctx);
		return -1;
	}
	rc = audit(conn, "bypass", reason);
	sqlite3_free(reason);
	if (rc != SQLITE_OK)
	{
		viper_sqlite_raise_db(ctx, db, rc, "could not write the audit row", NULL);
		return -1;
	}
	sqlite3_log(SQLITE_NOTICE, "viper: patch \"%s\" applied (phase %s, order %d,"
				" checksum %.12s..., %.3f ms)", shown, claim->phase, claim->ord,
				claim->checksum, reals[6]);
	forget_claim(conn, claim);
	return 0;
}

/* 25001 unless the caller holds the write transaction claim/done need. */
static int
require_write_txn(sqlite3_context *ctx, sqlite3 *db, const char *fname)
{
	vc_error	err;

	if (sqlite3_txn_state(db, "main") == SQLITE_TXN_WRITE)
		return 1;
	vc_error_set(&err, VC_ERR_ACTIVE_TRANSACTION,
				 "%s needs a write transaction: call it after BEGIN IMMEDIATE",
				 fname);
	vc_error_hint(&err, "BEGIN IMMEDIATE takes the write lock before the "
				  "applied patches are read, so no other connection can run "
				  "the same patch; COMMIT after viper_patch_done.");
	viper_sqlite_raise(ctx, &err);
	return 0;
}

/* viper_patch_claim(name, phase, ord, checksum) → 1 (run it now) or 0 */
void
viper_sqlite_patch_claim(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	viper_sqlite_conn *conn = sqlite3_user_data(ctx);
	sqlite3    *db = sqlite3_context_db_handle(ctx);
	patch_args	a;
	const char *checksum;
	size_t		cslen;
	int			r;
	vc_error	err;

	if (!arg_name(ctx, argv, 0, &a) ||
		!arg_phase_ord(ctx, argc, argv, 1, 2, &a) ||
		!arg_text(ctx, argv, 3, "checksum", &checksum, &cslen))
		return;
	if (vc_patch_check_checksum(checksum, cslen, &err) != VC_OK)
	{
		viper_sqlite_raise(ctx, &err);
		return;
	}
	if (!require_write_txn(ctx, db, "viper_patch_claim"))
		return;
	r = claim_patch(ctx, conn, db, a.name, a.namelen, a.phase, a.ord, checksum);
	if (r >= 0)
		sqlite3_result_int(ctx, r);
}

/* viper_patch_done(name) → NULL */
void
viper_sqlite_patch_done(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	viper_sqlite_conn *conn = sqlite3_user_data(ctx);
	sqlite3    *db = sqlite3_context_db_handle(ctx);
	patch_args	a;

	(void) argc;
	if (!arg_name(ctx, argv, 0, &a) ||
		!require_write_txn(ctx, db, "viper_patch_done"))
		return;
	if (record_patch(ctx, conn, db, a.name, a.namelen) == 0)
		sqlite3_result_null(ctx);
}

/*
 * Is this statement BEGIN, COMMIT, END or ROLLBACK (but not ROLLBACK TO a
 * savepoint)? Those would end the transaction the patch and its record
 * share. Reads the statement's first keywords, skipping comments.
 */
static const char *
skip_space(const char *p)
{
	for (;;)
	{
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
			   *p == '\f' || *p == '\v')
			p++;
		if (p[0] == '-' && p[1] == '-')
		{
			while (*p && *p != '\n')
				p++;
		}
		else if (p[0] == '/' && p[1] == '*')
		{
			p += 2;
			while (*p && !(p[0] == '*' && p[1] == '/'))
				p++;
			if (*p)
				p += 2;
		}
		else
			return p;
	}
}

static int
keyword_at(const char **pp, const char *kw)
{
	const char *p = skip_space(*pp);
	size_t		n = strlen(kw);
	size_t		i;

	for (i = 0; i < n; i++)
	{
		char		c = p[i];

		if (c >= 'a' && c <= 'z')
			c = (char) (c - 'a' + 'A');
		if (c != kw[i])
			return 0;
	}
	if ((p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= 'a' && p[n] <= 'z') ||
		(p[n] >= '0' && p[n] <= '9') || p[n] == '_')
		return 0;
	*pp = p + n;
	return 1;
}

static int
ends_transaction(const char *sql)
{
	const char *p = sql;

	if (keyword_at(&p, "BEGIN") || keyword_at(&p, "COMMIT") ||
		keyword_at(&p, "END"))
		return 1;
	if (keyword_at(&p, "ROLLBACK"))
	{
		(void) keyword_at(&p, "TRANSACTION");
		return !keyword_at(&p, "TO");
	}
	return 0;
}

/*
 * Run the patch's statements one by one inside the open transaction.
 * Returns 0, or -1 after raising (the caller rolls back).
 */
static int
run_patch_sql(sqlite3_context *ctx, sqlite3 *db, const char *shown,
			  const char *sql, size_t len)
{
	const char *tail = sql;
	const char *end = sql + len;
	char	   *where;

	where = sqlite3_mprintf("patch \"%s\" failed", shown);
	if (where == NULL)
	{
		sqlite3_result_error_nomem(ctx);
		return -1;
	}
	while (tail < end)
	{
		sqlite3_stmt *st = NULL;
		const char *next = NULL;
		int			rc;

		rc = sqlite3_prepare_v2(db, tail, (int) (end - tail), &st, &next);
		if (rc != SQLITE_OK)
		{
			viper_sqlite_raise_db(ctx, db, rc, where, NULL);
			sqlite3_free(where);
			return -1;
		}
		if (st == NULL)			/* only blanks or comments were left */
			break;
		if (ends_transaction(sqlite3_sql(st)))
		{
			vc_error	err;

			sqlite3_finalize(st);
			sqlite3_free(where);
			vc_error_set(&err, VC_ERR_ACTIVE_TRANSACTION,
						 "patch \"%s\" must not control the transaction", shown);
			vc_error_detail(&err, "A patch runs inside one transaction "
							"together with its record; BEGIN, COMMIT, END and "
							"ROLLBACK are not allowed in it.");
			viper_sqlite_raise(ctx, &err);
			return -1;
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
		if (rc != SQLITE_DONE)
		{
			vc_error	err;

			viper_sqlite_db_error(db, rc, where, NULL, &err);
			sqlite3_finalize(st);
			viper_sqlite_raise(ctx, &err);
			sqlite3_free(where);
			return -1;
		}
		sqlite3_finalize(st);
		if (next == NULL || next <= tail)
			break;
		tail = next;
	}
	sqlite3_free(where);
	return 0;
}

/*
 * viper_apply_patch(name, sql[, phase[, ord]]) → 1 when it ran now, 0 when
 * it had already run. Runs its own transaction.
 */
void
viper_sqlite_apply_patch(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	viper_sqlite_conn *conn = sqlite3_user_data(ctx);
	sqlite3    *db = sqlite3_context_db_handle(ctx);
	patch_args	a;
	const char *sql;
	size_t		sqllen;
	char		checksum[VC_CHECKSUM_HEXLEN + 1];
	char		shown[VC_ECHO_BUFSZ];
	int			r;
	int			rc;
	vc_error	err;

	if (!arg_name(ctx, argv, 0, &a) ||
		!arg_text(ctx, argv, 1, "sql", &sql, &sqllen) ||
		!arg_phase_ord(ctx, argc, argv, 2, 3, &a))
		return;
	vc_echo(shown, sizeof(shown), a.name, a.namelen);
	if (memchr(sql, '\0', sqllen) != NULL)
	{
		vc_error_set(&err, VC_ERR_INVALID_PARAM,
					 "patch \"%s\" contains a NUL byte", shown);
		vc_error_detail(&err, "SQLite would stop reading the patch there.");
		viper_sqlite_raise(ctx, &err);
		return;
	}
	if (!sqlite3_get_autocommit(db) ||
		sqlite3_txn_state(db, NULL) != SQLITE_TXN_NONE)
	{
		vc_error_set(&err, VC_ERR_ACTIVE_TRANSACTION,
					 "viper_apply_patch must be called on its own in autocommit mode");
		vc_error_detail(&err, "It runs the patch and its record in a "
						"transaction of its own (BEGIN IMMEDIATE ... COMMIT).");
		vc_error_hint(&err, "Call it as a bare SELECT viper_apply_patch(...); "
					  "outside BEGIN ... COMMIT and not from a statement that "
					  "reads a table, or use viper_patch_claim and "
					  "viper_patch_done inside your own BEGIN IMMEDIATE.");
		viper_sqlite_raise(ctx, &err);
		return;
	}
	vc_patch_checksum(sql, sqllen, checksum);

	/* the write lock first: what the claim reads is then final */
	rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
	{
		viper_sqlite_raise_db(ctx, db, rc, "viper_apply_patch could not begin its transaction", NULL);
		return;
	}
	r = claim_patch(ctx, conn, db, a.name, a.namelen, a.phase, a.ord, checksum);
	if (r == 1 && (run_patch_sql(ctx, db, shown, sql, sqllen) != 0 ||
				   record_patch(ctx, conn, db, a.name, a.namelen) != 0))
		r = -1;
	if (r >= 0)
	{
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
		{
			sqlite3_result_int(ctx, r);
			return;
		}
		viper_sqlite_raise_db(ctx, db, rc, "viper_apply_patch could not commit", NULL);
	}
	/* the error is already set on ctx; undo everything the patch did */
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}
