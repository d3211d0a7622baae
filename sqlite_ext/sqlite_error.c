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

void
viper_sqlite_raise(sqlite3_context *ctx, const vc_error *err)
{
	/* "viper[XXXXX]: " + message + "\nDETAIL:  " + detail + "\nHINT:  " + hint */
	char		msg[3 * VC_ERRMSG_LEN + 64];
	const char *sqlstate = vc_sqlstate(err->code);
	int			n;
	int			rc;

	if (err->code == VC_ERR_OUT_OF_MEMORY)
	{
		sqlite3_result_error_nomem(ctx);
		return;
	}

	n = snprintf(msg, sizeof(msg), "viper[%s]: %s", sqlstate,
				 err->message[0] ? err->message : "internal error");
	if (err->detail[0] && n >= 0 && (size_t) n < sizeof(msg))
		n += snprintf(msg + n, sizeof(msg) - (size_t) n, "\nDETAIL:  %s",
					  err->detail);
	if (err->hint[0] && n >= 0 && (size_t) n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t) n, "\nHINT:  %s", err->hint);

	/* sqlite3_result_error sets SQLITE_ERROR; the code is refined after it */
	sqlite3_result_error(ctx, msg, -1);
	switch (err->code)
	{
		case VC_ERR_UNIQUE:
			rc = SQLITE_CONSTRAINT;
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
