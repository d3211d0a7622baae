/*
 * vc_error.h — error codes of the portable core and the caller-owned error
 * struct that carries them to a host.
 *
 * Core never raises: every fallible function returns a vc_code and, on
 * failure, fills a vc_error the caller owns (no allocation, fixed buffers,
 * so filling it cannot itself fail). Each host has exactly one function
 * that turns a vc_error into its own error (ereport / sqlite3_result_error).
 * The code → SQLSTATE mapping lives in one table in vc_error.c (DESIGN §9).
 */
#ifndef VC_ERROR_H
#define VC_ERROR_H

#include <stddef.h>

/* Enums only grow: add new codes at the end, never renumber. */
typedef enum vc_code
{
	VC_OK = 0,
	VC_ERR_IDENTIFIER,		/* 42602 invalid identifier */
	VC_ERR_EXPRESSION,		/* 42601 rejected expression */
	VC_ERR_REGEX,			/* 2201B dangerous or invalid regex */
	VC_ERR_INVALID_PARAM,	/* 22023 malformed spec, unknown option, bad on_delete */
	VC_ERR_TEXT_REPR,		/* 22P02 value of the wrong type */
	VC_ERR_DATETIME,		/* 22007 bad date/time */
	VC_ERR_OUT_OF_RANGE,	/* 22003 numeric value out of range */
	VC_ERR_UNDEFINED_TABLE, /* 42P01 unknown model */
	VC_ERR_UNDEFINED_COLUMN,	/* 42703 unknown field */
	VC_ERR_TOO_COMPLEX,		/* 54001 nesting / path depth / list size */
	VC_ERR_PRIVILEGE,		/* 42501 permission denied */
	VC_ERR_READ_ONLY,		/* 25006 write to a read-only model */
	VC_ERR_NO_DATA,			/* P0002 get(): no row */
	VC_ERR_TOO_MANY_ROWS,	/* P0003 get(): several rows */
	VC_ERR_UNIQUE,			/* 23505 unique violation / single model */
	VC_ERR_STRING_TRUNC,	/* 22001 data would not fit after narrowing */
	VC_ERR_OUT_OF_MEMORY,	/* 53200 allocation failed */
	VC_ERR_INTERNAL,		/* XX000 a bug in viper */
	VC_ERR_ACTIVE_TRANSACTION,	/* 25001 DDL function called inside a transaction */
	VC_ERR_NO_TRANSACTION,	/* 25P01 needs a transaction (for_update) */
	VC_ERR_NOT_NULL,		/* 23502 NULL in a NOT NULL column */
	VC_ERR_FOREIGN_KEY,		/* 23503 foreign key violation */
	VC_ERR_CHECK,			/* 23514 check constraint violation */
	VC_ERR_INTEGRITY,		/* 23000 other integrity violation */
	VC_ERR_LOCK_NOT_AVAILABLE,	/* 55P03 database busy or locked */
	VC_ERR_SQL,				/* 42000 the database refused SQL (patch text) */
	VC_ERR__COUNT
} vc_code;

#define VC_ERRMSG_LEN 256

typedef struct vc_error
{
	vc_code		code;
	char		message[VC_ERRMSG_LEN];	/* lower-case, no trailing period */
	char		detail[VC_ERRMSG_LEN];	/* full sentence, or "" */
	char		hint[VC_ERRMSG_LEN];	/* full sentence, or "" */
	int			position;		/* 1-based position in the input (42601, 2201B), else 0 */
} vc_error;

/* Reset to VC_OK with empty texts. Accepts NULL. */
void		vc_error_clear(vc_error *err);

/*
 * Fill err (if not NULL) with code and a printf-style message; returns code
 * so callers can write `return vc_error_set(err, ...)`. Detail, hint and
 * position are cleared.
 */
vc_code		vc_error_set(vc_error *err, vc_code code, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));
void		vc_error_detail(vc_error *err, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));
void		vc_error_hint(vc_error *err, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));

/* Five-character SQLSTATE for a code ("XX000" for unknown codes). */
const char *vc_sqlstate(vc_code code);

/*
 * The code of a SQLSTATE of the table (first match; "XX000" and unknown
 * states give VC_ERR_INTERNAL). Reads 5 bytes; used when an error already
 * carries its state, e.g. a SQLite trigger's "viper[23505]: ..." message.
 */
vc_code		vc_code_from_sqlstate(const char *state);

/*
 * Copy at most max_bytes of user input into out (size outsz) for echoing in
 * a message, cut on a UTF-8 boundary and marked with "..." when cut, so a
 * message never carries more than ~64 bytes of what the user typed.
 * Control characters (including NUL and newlines) become '?'.
 */
const char *vc_echo(char *out, size_t outsz, const char *in, size_t inlen);

#define VC_ECHO_MAX 64
#define VC_ECHO_BUFSZ (VC_ECHO_MAX + 4)

#endif
