/*
 * regexp.c — regexp(pattern, text), the function behind SQLite's
 * `x REGEXP ?n` operator, which the compiler emits for the regex and
 * iregex lookups (core/vc_query.h). SQLite has no built-in regexp().
 *
 * Matching is POSIX extended regular expressions (regcomp/regexec with
 * REG_EXTENDED | REG_NOSUB); a "(?i)" prefix — how the compiler spells
 * iregex — adds REG_ICASE. Patterns reach here after vc_regex_validate
 * (PostgreSQL's ARE syntax, minus dangerous constructs), so the
 * PostgreSQL-style pieces POSIX lacks are translated first:
 *   \d \w \s (and \D \W \S) → bracket classes ([0-9], [[:alnum:]_], ...)
 *   character escapes (\n \t \xhh \u.... \. ...) → the character itself,
 *   escaped again when it is special in an ERE
 *   (?: → (          \A → ^          \Z → $
 * and the rest (\m \M \y \Y word boundaries, lookaround (?= (?! (?<=
 * (?<!, embedded options other than a leading (?i)) is refused with
 * 2201B rather than matched differently from PostgreSQL.
 *
 * Case folding (REG_ICASE) and classes follow the C library's locale;
 * the sqlite3 shell runs in the C locale, so only ASCII folds — the same
 * caveat as lower() for icontains (docs/queries-sqlite.md).
 *
 * The compiled regex is cached per call site with sqlite3_set_auxdata
 * (the pattern is usually a bound constant), so one statement compiles
 * it once.
 */
#include "engine.h"

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef struct viper_regex
{
	regex_t		re;
} viper_regex;

static void
regex_free(void *p)
{
	viper_regex *r = (viper_regex *) p;

	regfree(&r->re);
	sqlite3_free(r);
}

/* Append a code point as UTF-8. */
static void
put_utf8(vc_buf *b, uint32_t cp)
{
	char		s[4];

	if (cp < 0x80)
		vc_buf_putc(b, (char) cp);
	else if (cp < 0x800)
	{
		s[0] = (char) (0xC0 | (cp >> 6));
		s[1] = (char) (0x80 | (cp & 0x3F));
		vc_buf_append(b, s, 2);
	}
	else if (cp < 0x10000)
	{
		s[0] = (char) (0xE0 | (cp >> 12));
		s[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		s[2] = (char) (0x80 | (cp & 0x3F));
		vc_buf_append(b, s, 3);
	}
	else
	{
		s[0] = (char) (0xF0 | (cp >> 18));
		s[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
		s[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
		s[3] = (char) (0x80 | (cp & 0x3F));
		vc_buf_append(b, s, 4);
	}
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A character escape at p[i] == '\\' (not a class or constraint): its code
 * point and the index after it; false when it is not one.
 */
static bool
char_escape(const char *p, size_t len, size_t *i, uint32_t *cp)
{
	size_t		j = *i + 1;
	char		c;
	int			ndig = 0,
				max = 0;

	if (j >= len)
		return false;
	c = p[j++];
	switch (c)
	{
		case 'a': *cp = 7; break;
		case 'b': *cp = 8; break;
		case 'B': *cp = '\\'; break;
		case 'e': *cp = 27; break;
		case 'f': *cp = 12; break;
		case 'n': *cp = 10; break;
		case 'r': *cp = 13; break;
		case 't': *cp = 9; break;
		case 'v': *cp = 11; break;
		case 'c':
			if (j >= len)
				return false;
			*cp = (unsigned char) p[j++] & 31;
			break;
		case '0':
			*cp = 0;
			while (j < len && j < *i + 5 && p[j] >= '0' && p[j] <= '7')
				*cp = *cp * 8 + (uint32_t) (p[j++] - '0');
			break;
		case 'x':
		case 'u':
		case 'U':
			max = c == 'x' ? 8 : c == 'u' ? 4 : 8;
			*cp = 0;
			while (j < len && ndig < max && hexval(p[j]) >= 0)
			{
				*cp = *cp * 16 + (uint32_t) hexval(p[j++]);
				ndig++;
			}
			if (ndig == 0 || (c != 'x' && ndig != max))
				return false;
			break;
		default:
			if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
				(c >= 'A' && c <= 'Z'))
				return false;
			/* a literal: the (possibly multi-byte) character itself */
			{
				unsigned char u = (unsigned char) c;
				size_t		n = u < 0x80 ? 1 : u < 0xE0 ? 2 : u < 0xF0 ? 3 : 4;

				if (n == 1)
					*cp = u;
				else
				{
					size_t		k;

					*cp = u & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
					for (k = 1; k < n && j < len; k++)
						*cp = (*cp << 6) | ((unsigned char) p[j++] & 0x3F);
				}
			}
			break;
	}
	*i = j;
	return true;
}

/* Outside brackets: a literal character, escaped when ERE-special. */
static void
put_literal(vc_buf *b, uint32_t cp)
{
	if (cp < 0x80 && strchr(".[]()*+?{}|^$\\", (int) cp) != NULL && cp != 0)
		vc_buf_putc(b, '\\');
	put_utf8(b, cp);
}

static const char *
class_body(char c)
{
	switch (c)
	{
		case 'd': case 'D': return "0-9";
		case 'w': case 'W': return "[:alnum:]_";
		case 's': case 'S': return "[:space:]";
	}
	return NULL;
}

/*
 * A bracket expression starting at p[*i] == '['. POSIX reads a backslash
 * inside brackets literally, so escapes are resolved here and the special
 * members (']' first, '-' last, '^' not first) are placed where POSIX
 * reads them as literals.
 */
static bool
translate_bracket(const char *p, size_t len, size_t *i, vc_buf *b,
				  const char **why)
{
	size_t		j = *i + 1;
	bool		neg = false;
	bool		rbracket = false,
				dash = false,
				caret = false;
	vc_buf		body;
	bool		first = true;

	vc_buf_init(&body, b->alloc);
	if (j < len && p[j] == '^')
	{
		neg = true;
		j++;
	}
	while (j < len && (p[j] != ']' || first))
	{
		first = false;
		if (p[j] == '[' && j + 1 < len && (p[j + 1] == ':' || p[j + 1] == '.' || p[j + 1] == '='))
		{
			/* [:class:], [.x.], [=x=]: copied as POSIX has them */
			char		close = p[j + 1];
			size_t		k = j + 2;

			while (k + 1 < len && !(p[k] == close && p[k + 1] == ']'))
				k++;
			if (k + 1 >= len)
				break;
			vc_buf_append(&body, p + j, k + 2 - j);
			j = k + 2;
			continue;
		}
		if (p[j] == '\\')
		{
			uint32_t	cp;
			const char *cls = j + 1 < len ? class_body(p[j + 1]) : NULL;

			if (cls != NULL)
			{
				if (p[j + 1] >= 'A' && p[j + 1] <= 'Z')
				{
					*why = "a negated class escape (\\D, \\W, \\S) inside brackets";
					vc_buf_reset(&body);
					return false;
				}
				vc_buf_puts(&body, cls);
				j += 2;
				continue;
			}
			if (!char_escape(p, len, &j, &cp))
			{
				*why = "this escape inside brackets";
				vc_buf_reset(&body);
				return false;
			}
			if (cp == ']')
				rbracket = true;
			else if (cp == '-')
				dash = true;
			else if (cp == '^')
				caret = true;
			else
				put_utf8(&body, cp);
			continue;
		}
		if (p[j] == ']')
			rbracket = true;
		else if (p[j] == '-' && (j + 1 >= len || p[j + 1] == ']' ||
								 body.len == 0))
			dash = true;
		else if (p[j] == '^')
			caret = true;
		else
			vc_buf_putc(&body, p[j]);
		j++;
	}
	if (j >= len)
	{
		*why = "an unterminated bracket expression";
		vc_buf_reset(&body);
		return false;
	}
	*i = j + 1;
	vc_buf_putc(b, '[');
	if (neg)
		vc_buf_putc(b, '^');
	if (rbracket)
		vc_buf_putc(b, ']');
	if (body.data != NULL)
		vc_buf_append(b, body.data, body.len);
	if (caret)
	{
		/* '^' must not come first: with nothing before it, use [=^=] */
		if (!rbracket && body.len == 0)
			vc_buf_puts(b, "[=^=]");
		else
			vc_buf_putc(b, '^');
	}
	if (dash)
		vc_buf_putc(b, '-');
	vc_buf_putc(b, ']');
	vc_buf_reset(&body);
	return true;
}

/* PostgreSQL ARE text → POSIX ERE text (see the file header). */
static bool
translate(const char *p, size_t len, vc_buf *b, const char **why)
{
	size_t		i = 0;

	while (i < len)
	{
		char		c = p[i];

		if (c == '[')
		{
			if (!translate_bracket(p, len, &i, b, why))
				return false;
			continue;
		}
		if (c == '(' && i + 1 < len && p[i + 1] == '?')
		{
			if (i + 2 < len && p[i + 2] == ':')
			{
				vc_buf_putc(b, '(');
				i += 3;
				continue;
			}
			*why = "lookaround and embedded options";
			return false;
		}
		if (c == '\\')
		{
			uint32_t	cp;
			const char *cls;

			if (i + 1 >= len)
			{
				*why = "a trailing backslash";
				return false;
			}
			cls = class_body(p[i + 1]);
			if (cls != NULL)
			{
				vc_buf_puts(b, p[i + 1] >= 'A' && p[i + 1] <= 'Z' ? "[^" : "[");
				vc_buf_puts(b, cls);
				vc_buf_putc(b, ']');
				i += 2;
				continue;
			}
			if (p[i + 1] == 'A' || p[i + 1] == 'Z')
			{
				vc_buf_putc(b, p[i + 1] == 'A' ? '^' : '$');
				i += 2;
				continue;
			}
			if (!char_escape(p, len, &i, &cp))
			{
				*why = "word-boundary escapes and backreferences";
				return false;
			}
			put_literal(b, cp);
			continue;
		}
		vc_buf_putc(b, c);
		i++;
	}
	return true;
}

/* Compile pattern (with its optional "(?i)" prefix) into *out. */
static vc_code
compile_regex(const char *pat, size_t len, viper_regex **out, vc_error *err)
{
	vc_buf		b;
	char	   *ere = NULL;
	size_t		elen;
	int			flags = REG_EXTENDED | REG_NOSUB;
	const char *why = NULL;
	viper_regex *r;
	int			rc;
	char		echo[VC_ECHO_BUFSZ];

	*out = NULL;
	if (len >= 4 && memcmp(pat, "(?i)", 4) == 0)
	{
		flags |= REG_ICASE;
		pat += 4;
		len -= 4;
	}
	if (memchr(pat, '\0', len) != NULL)
		return vc_error_set(err, VC_ERR_REGEX,
							"invalid regular expression: NUL byte in the pattern");
	vc_buf_init(&b, &viper_sqlite_alloc);
	if (!translate(pat, len, &b, &why))
	{
		vc_buf_reset(&b);
		vc_error_set(err, VC_ERR_REGEX,
					 "regular expression \"%s\" is not supported on SQLite",
					 vc_echo(echo, sizeof(echo), pat, len));
		vc_error_detail(err, "SQLite matches POSIX extended expressions; %s cannot be translated.", why);
		return VC_ERR_REGEX;
	}
	if (b.data == NULL)
		vc_buf_puts(&b, "");
	if (vc_buf_finish(&b, &ere, &elen, err) != VC_OK)
		return err->code;
	r = sqlite3_malloc64(sizeof(viper_regex));
	if (r == NULL)
	{
		sqlite3_free(ere);
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	}
	rc = regcomp(&r->re, ere, flags);
	sqlite3_free(ere);
	if (rc != 0)
	{
		char		msg[128];

		regerror(rc, &r->re, msg, sizeof(msg));
		sqlite3_free(r);
		return vc_error_set(err, VC_ERR_REGEX,
							"invalid regular expression: %s", msg);
	}
	*out = r;
	return VC_OK;
}

/* regexp(pattern, text) → 1 when text matches, 0 when not, NULL for NULL */
void
viper_sqlite_regexp(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	viper_regex *r;
	const char *text;
	vc_error	err;

	(void) argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL ||
		sqlite3_value_type(argv[1]) == SQLITE_NULL)
		return;
	r = (viper_regex *) sqlite3_get_auxdata(ctx, 0);
	if (r == NULL)
	{
		const char *pat = (const char *) sqlite3_value_text(argv[0]);

		vc_error_clear(&err);
		if (pat == NULL)
		{
			sqlite3_result_error_nomem(ctx);
			return;
		}
		if (compile_regex(pat, (size_t) sqlite3_value_bytes(argv[0]), &r,
						  &err) != VC_OK)
		{
			viper_sqlite_raise(ctx, &err);
			return;
		}
		/* SQLite may free it at once (non-constant pattern): fetch again */
		sqlite3_set_auxdata(ctx, 0, r, regex_free);
		r = (viper_regex *) sqlite3_get_auxdata(ctx, 0);
		if (r == NULL)
		{
			/* not kept: compile once more for this call only */
			if (compile_regex((const char *) sqlite3_value_text(argv[0]),
							  (size_t) sqlite3_value_bytes(argv[0]), &r,
							  &err) != VC_OK)
			{
				viper_sqlite_raise(ctx, &err);
				return;
			}
			text = (const char *) sqlite3_value_text(argv[1]);
			if (text == NULL)
				sqlite3_result_error_nomem(ctx);
			else
				sqlite3_result_int(ctx, regexec(&r->re, text, 0, NULL, 0) == 0);
			regex_free(r);
			return;
		}
	}
	text = (const char *) sqlite3_value_text(argv[1]);
	if (text == NULL)
	{
		sqlite3_result_error_nomem(ctx);
		return;
	}
	sqlite3_result_int(ctx, regexec(&r->re, text, 0, NULL, 0) == 0);
}
