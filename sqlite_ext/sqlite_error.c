/*
 * sqlite_error.c — the one function that turns a core vc_error into an
 * SQLite function error (DESIGN §9: the message starts with
 * "viper[SQLSTATE]: " so clients map both hosts to one error enum), and the
 * allocator core uses inside this host.
 *
 * The message is assembled in a fixed stack buffer: the three texts of a
 * vc_error are bounded, so raising an error never allocates and reporting
 * an out-of-memory condition cannot fail in turn.
 */
#include "sqlite_error.h"

#include <stdio.h>
#include <string.h>

static void *
sqlite_malloc(size_t size, void *ud)
{
	(void) ud;
	/* sqlite3_malloc64(0) returns NULL, which core would read as failure */
	return sqlite3_malloc64(size ? (sqlite3_uint64) size : 1);
}

static void
sqlite_free(void *ptr, void *ud)
{
	(void) ud;
	sqlite3_free(ptr);
}

const vc_alloc viper_sqlite_alloc = {sqlite_malloc, sqlite_free, NULL};

/* "viper[XXXXX]: " + message + "\nDETAIL:  " + detail + "\nHINT:  " + hint */
static void
format_error(char *msg, size_t size, const vc_error *err)
{
	int			n;

	n = snprintf(msg, size, "viper[%s]: %s", vc_sqlstate(err->code),
				 err->message[0] ? err->message : "internal error");
	if (err->detail[0] && n >= 0 && (size_t) n < size)
		n += snprintf(msg + n, size - (size_t) n, "\nDETAIL:  %s",
					  err->detail);
	if (err->hint[0] && n >= 0 && (size_t) n < size)
		snprintf(msg + n, size - (size_t) n, "\nHINT:  %s", err->hint);
}

int
viper_sqlite_vtab_raise(sqlite3_vtab *vtab, const vc_error *err)
{
	char		msg[3 * VC_ERRMSG_LEN + 64];

	if (err->code == VC_ERR_OUT_OF_MEMORY)
		return SQLITE_NOMEM;
	format_error(msg, sizeof(msg), err);
	sqlite3_free(vtab->zErrMsg);
	vtab->zErrMsg = sqlite3_mprintf("%s", msg);
	switch (err->code)
	{
		case VC_ERR_UNIQUE:
			return SQLITE_CONSTRAINT;
		case VC_ERR_READ_ONLY:
			return SQLITE_READONLY;
		default:
			return SQLITE_ERROR;
	}
}

void
viper_sqlite_raise(sqlite3_context *ctx, const vc_error *err)
{
	char		msg[3 * VC_ERRMSG_LEN + 64];
	int			rc;

	if (err->code == VC_ERR_OUT_OF_MEMORY)
	{
		sqlite3_result_error_nomem(ctx);
		return;
	}
	format_error(msg, sizeof(msg), err);

	/* sqlite3_result_error sets SQLITE_ERROR; the code is refined after it */
	sqlite3_result_error(ctx, msg, -1);
	switch (err->code)
	{
		case VC_ERR_UNIQUE:
		case VC_ERR_NOT_NULL:
		case VC_ERR_FOREIGN_KEY:
		case VC_ERR_CHECK:
		case VC_ERR_INTEGRITY:
			rc = SQLITE_CONSTRAINT;
			break;
		case VC_ERR_LOCK_NOT_AVAILABLE:
			rc = SQLITE_BUSY;
			break;
		case VC_ERR_READ_ONLY:
			rc = SQLITE_READONLY;
			break;
		default:
			rc = SQLITE_ERROR;
			break;
	}
	if (rc != SQLITE_ERROR)
		sqlite3_result_error_code(ctx, rc);
}

/* The state of a constraint failure, from SQLite's extended code. */
static vc_code
constraint_code(int ext, const char *msg)
{
	switch (ext)
	{
		case SQLITE_CONSTRAINT_UNIQUE:
		case SQLITE_CONSTRAINT_PRIMARYKEY:
			return VC_ERR_UNIQUE;
		case SQLITE_CONSTRAINT_NOTNULL:
			return VC_ERR_NOT_NULL;
		case SQLITE_CONSTRAINT_CHECK:
			return VC_ERR_CHECK;
		case SQLITE_CONSTRAINT_FOREIGNKEY:
			return VC_ERR_FOREIGN_KEY;
		default:
			break;
	}
	/* a RESTRICT action reports the plain constraint code */
	if (strncmp(msg, "FOREIGN KEY", 11) == 0)
		return VC_ERR_FOREIGN_KEY;
	return VC_ERR_INTEGRITY;
}

vc_code
viper_sqlite_error_code(sqlite3 *db, int rc, const char **own_text)
{
	const char *msg = sqlite3_errmsg(db);
	int			ext = sqlite3_extended_errcode(db);

	*own_text = NULL;
	/* a viper trigger (the single-row guard) or regexp() names its state */
	if (strncmp(msg, "viper[", 6) == 0 && strlen(msg) > 14 &&
		strncmp(msg + 11, "]: ", 3) == 0)
	{
		*own_text = msg + 14;
		return vc_code_from_sqlstate(msg + 6);
	}
	switch (rc & 0xff)
	{
		case SQLITE_NOMEM:
			return VC_ERR_OUT_OF_MEMORY;
		case SQLITE_CONSTRAINT:
			return constraint_code((ext & 0xff) == SQLITE_CONSTRAINT ? ext : rc, msg);
		case SQLITE_READONLY:
			return VC_ERR_READ_ONLY;
		case SQLITE_BUSY:
		case SQLITE_LOCKED:
			return VC_ERR_LOCK_NOT_AVAILABLE;
		case SQLITE_ERROR:
			return VC_ERR_SQL;
		default:
			return VC_ERR_INTERNAL;
	}
}

vc_code
viper_sqlite_db_error(sqlite3 *db, int rc, const char *what,
					  const char *table, vc_error *err)
{
	const char *msg = sqlite3_errmsg(db);
	const char *own;
	vc_code		code = viper_sqlite_error_code(db, rc, &own);

	if (own != NULL)
		return vc_error_set(err, code, "%s", own);
	if (code == VC_ERR_OUT_OF_MEMORY)
		return vc_error_set(err, code, "out of memory");
	if (code == VC_ERR_SQL && table != NULL &&
		strncmp(msg, "no such table", 13) == 0)
	{
		vc_error_set(err, VC_ERR_UNDEFINED_TABLE,
					 "viper catalog is not installed in this database");
		vc_error_detail(err, "Table main.%s does not exist.", table);
		vc_error_hint(err, "Load the extension once on a writable "
					  "connection to the database; it creates the "
					  "viper_* tables.");
		return VC_ERR_UNDEFINED_TABLE;
	}
	return vc_error_set(err, code, "%s: %s", what, msg);
}

void
viper_sqlite_raise_db(sqlite3_context *ctx, sqlite3 *db, int rc,
					  const char *what, const char *table)
{
	vc_error	err;

	viper_sqlite_db_error(db, rc, what, table, &err);
	viper_sqlite_raise(ctx, &err);
}
