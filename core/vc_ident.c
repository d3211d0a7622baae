/*
 * vc_ident.c — identifier rules and the small text transforms of DESIGN §7
 * that are not parsers: quoting per dialect, LIKE escaping, on_delete
 * normalisation, URL password masking, dialect names.
 */
#include "vc_validate.h"
#include "vc_text.h"

#include <string.h>

static const char *const dialect_names[VC_DIALECT__COUNT] = {
	"postgresql", "sqlite", "mysql", "mssql", "oracle"
};

/* ASCII-only case-insensitive comparison of a counted string with a C string. */
static int
ascii_ieq(const char *s, size_t len, const char *lit)
{
	size_t		i;

	if (strlen(lit) != len)
		return 0;
	for (i = 0; i < len; i++)
		if (vc_ascii_tolower((unsigned char) s[i]) != vc_ascii_tolower((unsigned char) lit[i]))
			return 0;
	return 1;
}

vc_code
vc_dialect_parse(const char *name, size_t len, vc_dialect *out, vc_error *err)
{
	char		echo[VC_ECHO_BUFSZ];
	int			d;

	for (d = 0; d < VC_DIALECT__COUNT; d++)
		if (ascii_ieq(name, len, dialect_names[d]))
		{
			*out = (vc_dialect) d;
			return VC_OK;
		}
	vc_error_set(err, VC_ERR_INVALID_PARAM, "unknown dialect \"%s\"",
				 vc_echo(echo, sizeof(echo), name, len));
	vc_error_hint(err, "Use one of postgresql, sqlite, mysql, mssql, oracle.");
	return VC_ERR_INVALID_PARAM;
}

const char *
vc_dialect_name(vc_dialect d)
{
	if ((int) d < 0 || d >= VC_DIALECT__COUNT)
		return "unknown";
	return dialect_names[d];
}

vc_code
vc_ident_validate(const char *name, size_t len, const char *description,
				  vc_error *err)
{
	char		echo[VC_ECHO_BUFSZ];
	size_t		i;

	if (description == NULL || description[0] == '\0')
		description = "identifier";
	if (len == 0)
	{
		vc_error_set(err, VC_ERR_IDENTIFIER, "invalid %s: empty name",
					 description);
		return VC_ERR_IDENTIFIER;
	}
	if (len > VC_IDENT_MAX)
	{
		vc_error_set(err, VC_ERR_IDENTIFIER,
					 "invalid %s \"%s\": longer than %d bytes", description,
					 vc_echo(echo, sizeof(echo), name, len), VC_IDENT_MAX);
		vc_error_detail(err, "The name is %zu bytes long.", len);
		return VC_ERR_IDENTIFIER;
	}
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) name[i];
		int			ok = (c == '_' || (c >= 'A' && c <= 'Z') ||
						  (c >= 'a' && c <= 'z') ||
						  (i > 0 && c >= '0' && c <= '9'));

		if (!ok)
		{
			vc_error_set(err, VC_ERR_IDENTIFIER, "invalid %s \"%s\"",
						 description, vc_echo(echo, sizeof(echo), name, len));
			if (i == 0 && c >= '0' && c <= '9')
				vc_error_detail(err, "A name must not start with a digit.");
			else
				vc_error_detail(err,
								"Character %zu is not a letter, digit or underscore.",
								i + 1);
			vc_error_hint(err,
						  "Names must match [A-Za-z_][A-Za-z0-9_]* and be at most %d bytes.",
						  VC_IDENT_MAX);
			if (err)
				err->position = (int) i + 1;
			return VC_ERR_IDENTIFIER;
		}
	}
	return VC_OK;
}

/* Opening and closing quote characters of a dialect. */
static void
dialect_quotes(vc_dialect d, char *open, char *close)
{
	switch (d)
	{
		case VC_DIALECT_MYSQL:
			*open = *close = '`';
			break;
		case VC_DIALECT_MSSQL:
			*open = '[';
			*close = ']';
			break;
		default:
			*open = *close = '"';
			break;
	}
}

void
vc_ident_quote_buf(vc_buf *b, const char *name, size_t len, vc_dialect d)
{
	char		open,
				close;
	size_t		i,
				start = 0;

	dialect_quotes(d, &open, &close);
	vc_buf_putc(b, open);
	for (i = 0; i < len; i++)
		if (name[i] == close)
		{
			vc_buf_append(b, name + start, i - start + 1);
			vc_buf_putc(b, close);
			start = i + 1;
		}
	vc_buf_append(b, name + start, len - start);
	vc_buf_putc(b, close);
}

vc_code
vc_ident_quote(const vc_alloc *a, const char *name, size_t len, vc_dialect d,
			   char **out, size_t *outlen, vc_error *err)
{
	char		echo[VC_ECHO_BUFSZ];
	vc_buf		b;

	*out = NULL;
	if (len == 0)
		return vc_error_set(err, VC_ERR_IDENTIFIER,
							"cannot quote an empty identifier");
	if (len > VC_IDENT_MAX)
	{
		vc_error_set(err, VC_ERR_IDENTIFIER,
					 "cannot quote identifier \"%s\": longer than %d bytes",
					 vc_echo(echo, sizeof(echo), name, len), VC_IDENT_MAX);
		vc_error_detail(err, "The name is %zu bytes long.", len);
		return VC_ERR_IDENTIFIER;
	}
	if (memchr(name, '\0', len) != NULL)
		return vc_error_set(err, VC_ERR_IDENTIFIER,
							"cannot quote an identifier containing a NUL byte");
	vc_buf_init(&b, a);
	vc_ident_quote_buf(&b, name, len, d);
	return vc_buf_finish(&b, out, outlen, err);
}

vc_code
vc_like_escape(const vc_alloc *a, const char *s, size_t len, char **out,
			   size_t *outlen, vc_error *err)
{
	vc_buf		b;
	size_t		i;

	vc_buf_init(&b, a);
	for (i = 0; i < len; i++)
	{
		if (s[i] == '%' || s[i] == '_' || s[i] == '\\')
			vc_buf_putc(&b, '\\');
		vc_buf_putc(&b, s[i]);
	}
	return vc_buf_finish(&b, out, outlen, err);
}

static const char *const on_delete_actions[] = {
	"CASCADE", "PROTECT", "RESTRICT", "SET_NULL", "SET_DEFAULT",
	"NO_ACTION", "DO_NOTHING"
};

vc_code
vc_on_delete_normalize(const char *s, size_t len, const char **out,
					   vc_error *err)
{
	char		norm[16];
	char		echo[VC_ECHO_BUFSZ];
	size_t		start = 0,
				end = len,
				i,
				n = 0;

	*out = NULL;
	while (start < end && vc_ascii_isspace((unsigned char) s[start]))
		start++;
	while (end > start && vc_ascii_isspace((unsigned char) s[end - 1]))
		end--;
	/* Upper-case, one blank between words becomes the underscore form. */
	for (i = start; i < end && n < sizeof(norm) - 1; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c == ' ')
		{
			if (i + 1 < end && s[i + 1] == ' ')
				break;			/* runs of blanks are not a valid spelling */
			c = '_';
		}
		norm[n++] = (char) vc_ascii_toupper(c);
	}
	if (i == end)
	{
		norm[n] = '\0';
		for (i = 0; i < sizeof(on_delete_actions) / sizeof(on_delete_actions[0]); i++)
			if (strcmp(norm, on_delete_actions[i]) == 0 &&
				memchr(s + start, '\0', end - start) == NULL)
			{
				*out = on_delete_actions[i];
				return VC_OK;
			}
	}
	vc_error_set(err, VC_ERR_INVALID_PARAM, "invalid on_delete action \"%s\"",
				 vc_echo(echo, sizeof(echo), s, len));
	vc_error_hint(err, "Use one of CASCADE, PROTECT, RESTRICT, SET_NULL, "
				  "SET_DEFAULT, NO_ACTION, DO_NOTHING.");
	return VC_ERR_INVALID_PARAM;
}

/*
 * PROTECT is enforced by the database as RESTRICT; DO_NOTHING leaves the
 * check to the end of the statement (NO ACTION), as Django's does nothing
 * in Python and relies on the database.
 */
const char *
vc_on_delete_sql(const char *normalized)
{
	if (strcmp(normalized, "PROTECT") == 0)
		return "RESTRICT";
	if (strcmp(normalized, "SET_NULL") == 0)
		return "SET NULL";
	if (strcmp(normalized, "SET_DEFAULT") == 0)
		return "SET DEFAULT";
	if (strcmp(normalized, "NO_ACTION") == 0 ||
		strcmp(normalized, "DO_NOTHING") == 0)
		return "NO ACTION";
	return normalized;
}

/* Find the first occurrence of any char of set in s[from, len). */
static size_t
find_any(const char *s, size_t from, size_t len, const char *set)
{
	size_t		i;

	for (i = from; i < len; i++)
		if (strchr(set, s[i]) != NULL && s[i] != '\0')
			return i;
	return len;
}

/* Append the query part, masking the value of every password= parameter. */
static void
mask_query(vc_buf *b, const char *q, size_t len)
{
	size_t		i = 0;

	while (i < len)
	{
		size_t		end = find_any(q, i + 1, len, "&#");
		size_t		seglen = end - i;
		/* a segment starts at '?' or '&': "password=..." follows it */
		if (seglen > 10 && ascii_ieq(q + i + 1, 9, "password="))
		{
			vc_buf_append(b, q + i, 10);
			vc_buf_puts(b, "***");
		}
		else
			vc_buf_append(b, q + i, seglen);
		if (end < len && q[end] == '#')
		{
			vc_buf_append(b, q + end, len - end);
			return;
		}
		i = end;
	}
}

/*
 * libpq's key=value form ("host=db password=secret"): mask the value of
 * every password key, quoted ('...' with \' escapes) or bare.
 */
static void
mask_conninfo(vc_buf *b, const char *s, size_t len)
{
	size_t		i = 0;

	while (i < len)
	{
		int			at_word = (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t');

		if (at_word && len - i > 9 && ascii_ieq(s + i, 9, "password="))
		{
			size_t		j = i + 9;

			vc_buf_append(b, s + i, 9);
			if (s[j] == '\'')
			{
				for (j++; j < len && s[j] != '\''; j++)
					if (s[j] == '\\' && j + 1 < len)
						j++;
				if (j < len)
					j++;
			}
			else
				while (j < len && s[j] != ' ' && s[j] != '\t')
					j++;
			vc_buf_puts(b, "***");
			i = j;
			continue;
		}
		vc_buf_putc(b, s[i]);
		i++;
	}
}

vc_code
vc_url_mask(const vc_alloc *a, const char *url, size_t len, char **out,
			size_t *outlen, vc_error *err)
{
	vc_buf		b;
	const char *sep = NULL;
	const char *colon;
	size_t		i,
				auth,
				qpos,
				at = (size_t) -1;

	vc_buf_init(&b, a);
	for (i = 0; i + 2 < len; i++)
		if (url[i] == ':' && url[i + 1] == '/' && url[i + 2] == '/')
		{
			sep = url + i;
			break;
		}
	if (sep == NULL && memchr(url, '@', len) == NULL)
	{
		mask_conninfo(&b, url, len);
		return vc_buf_finish(&b, out, outlen, err);
	}
	/* "user:secret@host/db" without a scheme still carries a password */
	auth = sep ? (size_t) (sep - url) + 3 : 0;
	/* The userinfo ends at the last '@' of the URL: an unencoded '/', '@',
	 * '?' or '#' inside a password (libpq reads the password up to '@')
	 * must not leak the rest of it. Masking too much is the safe side. */
	for (i = auth; i < len; i++)
		if (url[i] == '@')
			at = i;
	colon = at != (size_t) -1 ? memchr(url + auth, ':', at - auth) : NULL;
	if (colon != NULL)
	{
		qpos = find_any(url, at + 1, len, "?#");
		vc_buf_append(&b, url, (size_t) (colon - url) + 1);
		vc_buf_puts(&b, "***");
		vc_buf_append(&b, url + at, qpos - at);
	}
	else
	{
		/* no password in the authority; the query may still hold one */
		qpos = find_any(url, auth, len, "?#");
		vc_buf_append(&b, url, qpos);
	}
	if (qpos < len)
	{
		if (url[qpos] == '?')
			mask_query(&b, url + qpos, len - qpos);
		else
			vc_buf_append(&b, url + qpos, len - qpos);
	}
	return vc_buf_finish(&b, out, outlen, err);
}
