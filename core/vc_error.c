/*
 * vc_error.c — the one table mapping core error codes to SQLSTATEs, and the
 * helpers that fill a caller-owned vc_error. No allocation happens here, so
 * reporting an out-of-memory condition cannot fail in turn.
 */
#include "vc_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const sqlstates[VC_ERR__COUNT] = {
	[VC_OK] = "00000",
	[VC_ERR_IDENTIFIER] = "42602",
	[VC_ERR_EXPRESSION] = "42601",
	[VC_ERR_REGEX] = "2201B",
	[VC_ERR_INVALID_PARAM] = "22023",
	[VC_ERR_TEXT_REPR] = "22P02",
	[VC_ERR_DATETIME] = "22007",
	[VC_ERR_OUT_OF_RANGE] = "22003",
	[VC_ERR_UNDEFINED_TABLE] = "42P01",
	[VC_ERR_UNDEFINED_COLUMN] = "42703",
	[VC_ERR_TOO_COMPLEX] = "54001",
	[VC_ERR_PRIVILEGE] = "42501",
	[VC_ERR_READ_ONLY] = "25006",
	[VC_ERR_NO_DATA] = "P0002",
	[VC_ERR_TOO_MANY_ROWS] = "P0003",
	[VC_ERR_UNIQUE] = "23505",
	[VC_ERR_STRING_TRUNC] = "22001",
	[VC_ERR_OUT_OF_MEMORY] = "53200",
	[VC_ERR_INTERNAL] = "XX000",
	[VC_ERR_ACTIVE_TRANSACTION] = "25001",
	[VC_ERR_NOT_NULL] = "23502",
	[VC_ERR_FOREIGN_KEY] = "23503",
	[VC_ERR_CHECK] = "23514",
	[VC_ERR_INTEGRITY] = "23000",
	[VC_ERR_LOCK_NOT_AVAILABLE] = "55P03",
	[VC_ERR_SQL] = "42000",
	[VC_ERR_NO_TRANSACTION] = "25P01",
};

const char *
vc_sqlstate(vc_code code)
{
	if ((int) code < 0 || code >= VC_ERR__COUNT || sqlstates[code] == NULL)
		return "XX000";
	return sqlstates[code];
}

/*
 * vsnprintf cuts a long text at a byte count, possibly inside a UTF-8
 * sequence; drop such a partial sequence so a host never receives invalid
 * text (PostgreSQL would reject it). n is vsnprintf's return value.
 */
static void
trim_partial_utf8(char *buf, size_t size, int n)
{
	size_t		len,
				lead,
				need;
	unsigned char c;

	if (n < 0 || (size_t) n < size)
		return;
	len = size - 1;
	lead = len;
	while (lead > 0 && (((unsigned char) buf[lead - 1]) & 0xC0) == 0x80)
		lead--;
	if (lead == 0)
		return;
	c = (unsigned char) buf[lead - 1];
	if (c < 0x80)
		return;
	need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
	if (len - (lead - 1) < need)
		buf[lead - 1] = '\0';
}

vc_code
vc_code_from_sqlstate(const char *state)
{
	int			c;

	for (c = 1; c < VC_ERR__COUNT; c++)
		if (sqlstates[c] != NULL && memcmp(sqlstates[c], state, 5) == 0)
			return (vc_code) c;
	return VC_ERR_INTERNAL;
}

void
vc_error_clear(vc_error *err)
{
	if (err == NULL)
		return;
	err->code = VC_OK;
	err->message[0] = err->detail[0] = err->hint[0] = '\0';
	err->position = 0;
}

vc_code
vc_error_set(vc_error *err, vc_code code, const char *fmt,...)
{
	va_list		ap;
	int			n;

	if (err == NULL)
		return code;
	vc_error_clear(err);
	err->code = code;
	va_start(ap, fmt);
	n = vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	trim_partial_utf8(err->message, sizeof(err->message), n);
	return code;
}

void
vc_error_detail(vc_error *err, const char *fmt,...)
{
	va_list		ap;
	int			n;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
	trim_partial_utf8(err->detail, sizeof(err->detail), n);
}

void
vc_error_hint(vc_error *err, const char *fmt,...)
{
	va_list		ap;
	int			n;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
	va_end(ap);
	trim_partial_utf8(err->hint, sizeof(err->hint), n);
}

const char *
vc_echo(char *out, size_t outsz, const char *in, size_t inlen)
{
	size_t		n = inlen;
	int			cut = 0;

	if (outsz < VC_ECHO_BUFSZ)
	{
		if (outsz)
			out[0] = '\0';
		return out;
	}
	if (n > VC_ECHO_MAX)
	{
		n = VC_ECHO_MAX;
		/* back up to the start of a UTF-8 sequence */
		while (n > 0 && (((unsigned char) in[n]) & 0xC0) == 0x80)
			n--;
		cut = 1;
	}
	memcpy(out, in, n);
	/* a newline or escape sequence from the user must not shape the message */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char) out[i] < 0x20 || (unsigned char) out[i] == 0x7f)
			out[i] = '?';
	if (cut)
		memcpy(out + n, "...", 4);
	else
		out[n] = '\0';
	return out;
}
