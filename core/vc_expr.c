/*
 * vc_expr.c — validation of user-written SQL expressions (DESIGN §7):
 * index conditions, check constraints, permission predicates.
 *
 * The text is tokenized and parsed by recursive descent against a small
 * allowlist grammar; nothing is matched by pattern over the raw text, so a
 * column named updated_at or a literal 'drop table' is harmless while
 * `1; DROP TABLE t` fails at the ";". Grammar (keywords case-insensitive):
 *
 *   expr      := and_expr (OR and_expr)*
 *   and_expr  := not_expr (AND not_expr)*
 *   not_expr  := NOT not_expr | predicate
 *   predicate := arith [ cmp arith | IS [NOT] (NULL|TRUE|FALSE)
 *                | [NOT] IN '(' arith (',' arith)* ')'
 *                | [NOT] BETWEEN arith AND arith | [NOT] LIKE arith ]
 *   arith     := term (('+'|'-'|'||') term)*
 *   term      := unary (('*'|'/'|'%') unary)*
 *   unary     := ('-'|'+') unary | primary
 *   primary   := number | string | TRUE | FALSE | NULL | column
 *                | function '(' [expr (',' expr)*] ')' | '(' expr ')'
 *
 * Memory: none allocated. The parser state is a fixed struct on the stack,
 * tokens are (offset, length) views of the input, and recursion is bounded
 * by VC_EXPR_MAX_DEPTH (every recursive rule passes through a counted
 * parenthesis, NOT, sign or call), so hostile input cannot exhaust the
 * stack. Errors are reported left to right: the first offending token wins.
 */
#include "vc_validate.h"
#include "vc_expr_int.h"
#include "vc_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct parser
{
	const char *s;
	size_t		len;
	const char *const *columns;
	size_t		ncolumns;
	const char *field;
	const char *context;
	unsigned	flags;
	vc_error   *err;
	vc_code		code;			/* set by the first failure */
	int			depth;
	token		cur;
} parser;

/* Keywords: the ones the grammar uses, then the ones refused outright. */
typedef struct keyword
{
	const char *word;
	tok_kind	kind;
} keyword;

static const keyword keywords[] = {
	{"AND", TK_AND}, {"OR", TK_OR}, {"NOT", TK_NOT}, {"IS", TK_IS},
	{"NULL", TK_NULL}, {"TRUE", TK_TRUE}, {"FALSE", TK_FALSE},
	{"IN", TK_IN}, {"BETWEEN", TK_BETWEEN}, {"LIKE", TK_LIKE},

	/* statements and clauses: an expression never contains these */
	{"SELECT", TK_RESERVED}, {"INSERT", TK_RESERVED},
	{"UPDATE", TK_RESERVED}, {"DELETE", TK_RESERVED},
	{"DROP", TK_RESERVED}, {"CREATE", TK_RESERVED},
	{"ALTER", TK_RESERVED}, {"TRUNCATE", TK_RESERVED},
	{"GRANT", TK_RESERVED}, {"REVOKE", TK_RESERVED},
	{"UNION", TK_RESERVED}, {"INTERSECT", TK_RESERVED},
	{"EXCEPT", TK_RESERVED}, {"FROM", TK_RESERVED},
	{"WHERE", TK_RESERVED}, {"INTO", TK_RESERVED},
	{"EXEC", TK_RESERVED}, {"EXECUTE", TK_RESERVED},
	{"CALL", TK_RESERVED}, {"COPY", TK_RESERVED}, {"DO", TK_RESERVED},
	{"WITH", TK_RESERVED}, {"RETURNING", TK_RESERVED},
	{"SET", TK_RESERVED}, {"TABLE", TK_RESERVED}, {"JOIN", TK_RESERVED},
	{"HAVING", TK_RESERVED}, {"GROUP", TK_RESERVED},
	{"ORDER", TK_RESERVED}, {"LIMIT", TK_RESERVED},
	{"OFFSET", TK_RESERVED}, {"CASE", TK_RESERVED},
	{"WHEN", TK_RESERVED}, {"THEN", TK_RESERVED}, {"ELSE", TK_RESERVED},
	{"END", TK_RESERVED}, {"CAST", TK_RESERVED}, {"AS", TK_RESERVED},
	{"ON", TK_RESERVED}, {"USING", TK_RESERVED},
	{"VALUES", TK_RESERVED}, {"ANALYZE", TK_RESERVED},
	{"VACUUM", TK_RESERVED}, {"ATTACH", TK_RESERVED},
	{"DETACH", TK_RESERVED}, {"PRAGMA", TK_RESERVED},
	{"LOAD", TK_RESERVED}, {"EXISTS", TK_RESERVED},
	{"BEGIN", TK_RESERVED}, {"COMMIT", TK_RESERVED},
	{"ROLLBACK", TK_RESERVED}, {"ESCAPE", TK_RESERVED},

	/*
	 * The rest of PostgreSQL's reserved words: unquoted, PostgreSQL would
	 * not read them as a column (USER is CURRENT_USER, ISNULL an operator),
	 * so they are refused here rather than misread there.
	 */
	{"ALL", TK_RESERVED}, {"ANALYSE", TK_RESERVED}, {"ANY", TK_RESERVED},
	{"ARRAY", TK_RESERVED}, {"ASC", TK_RESERVED},
	{"ASYMMETRIC", TK_RESERVED}, {"AUTHORIZATION", TK_RESERVED},
	{"BINARY", TK_RESERVED}, {"BOTH", TK_RESERVED},
	{"CHECK", TK_RESERVED}, {"COLLATE", TK_RESERVED},
	{"COLLATION", TK_RESERVED}, {"COLUMN", TK_RESERVED},
	{"CONCURRENTLY", TK_RESERVED}, {"CONSTRAINT", TK_RESERVED},
	{"CROSS", TK_RESERVED}, {"CURRENT_CATALOG", TK_RESERVED},
	{"CURRENT_DATE", TK_RESERVED}, {"CURRENT_ROLE", TK_RESERVED},
	{"CURRENT_SCHEMA", TK_RESERVED}, {"CURRENT_TIME", TK_RESERVED},
	{"CURRENT_TIMESTAMP", TK_RESERVED}, {"CURRENT_USER", TK_RESERVED},
	{"DEFAULT", TK_RESERVED}, {"DEFERRABLE", TK_RESERVED},
	{"DESC", TK_RESERVED}, {"DISTINCT", TK_RESERVED},
	{"FETCH", TK_RESERVED}, {"FOR", TK_RESERVED},
	{"FOREIGN", TK_RESERVED}, {"FREEZE", TK_RESERVED},
	{"FULL", TK_RESERVED}, {"INITIALLY", TK_RESERVED},
	{"INNER", TK_RESERVED}, {"ISNULL", TK_RESERVED},
	{"LATERAL", TK_RESERVED}, {"LEADING", TK_RESERVED},
	{"LEFT", TK_RESERVED}, {"LOCALTIME", TK_RESERVED},
	{"LOCALTIMESTAMP", TK_RESERVED}, {"NATURAL", TK_RESERVED},
	{"NOTNULL", TK_RESERVED}, {"ONLY", TK_RESERVED},
	{"OUTER", TK_RESERVED}, {"OVERLAPS", TK_RESERVED},
	{"PLACING", TK_RESERVED}, {"PRIMARY", TK_RESERVED},
	{"REFERENCES", TK_RESERVED}, {"RIGHT", TK_RESERVED},
	{"SESSION_USER", TK_RESERVED}, {"SIMILAR", TK_RESERVED},
	{"SOME", TK_RESERVED}, {"SYMMETRIC", TK_RESERVED},
	{"TABLESAMPLE", TK_RESERVED}, {"TO", TK_RESERVED},
	{"TRAILING", TK_RESERVED}, {"UNIQUE", TK_RESERVED},
	{"USER", TK_RESERVED}, {"VARIADIC", TK_RESERVED},
	{"VERBOSE", TK_RESERVED}, {"WINDOW", TK_RESERVED},
};

/* Pure functions an expression may call, with their argument counts. */
#define ARGS_ANY (-1)

typedef struct func_spec
{
	const char *name;
	int			min_args;
	int			max_args;		/* ARGS_ANY: no upper bound */
} func_spec;

/*
 * Only functions that exist with the same meaning in PostgreSQL and SQLite:
 * a check constraint or permission predicate must work on both hosts
 * (so no ILIKE, greatest/least or char_length).
 */
static const func_spec functions[] = {
	{"lower", 1, 1}, {"upper", 1, 1}, {"length", 1, 1},
	{"abs", 1, 1},
	/* SQLite's coalesce needs two arguments; PostgreSQL's accepts one */
	{"coalesce", 2, ARGS_ANY}, {"nullif", 2, 2},
	{"trim", 1, 2}, {"ltrim", 1, 2}, {"rtrim", 1, 2},
	{"round", 1, 2}, {"floor", 1, 1}, {"ceil", 1, 1}, {"ceiling", 1, 1},
	{"substr", 2, 3}, {"replace", 3, 3}, {"mod", 2, 2}, {"sign", 1, 1},
	/* last: only with VC_EXPR_ALLOW_PRINCIPAL */
	{"principal", 0, 0},
};

#define N_FUNCTIONS (sizeof(functions) / sizeof(functions[0]))

#define FUNCTIONS_HINT \
	"Allowed functions: lower, upper, length, abs, coalesce, nullif, trim, " \
	"ltrim, rtrim, round, floor, ceil, ceiling, substr, replace, mod, sign"

/* Operators the grammar knows, as PostgreSQL would lex them. */
typedef struct op_spec
{
	const char *text;
	tok_kind	kind;
} op_spec;

static const op_spec operators[] = {
	{"=", TK_EQ}, {"<>", TK_NE}, {"!=", TK_NE}, {"<", TK_LT}, {">", TK_GT},
	{"<=", TK_LE}, {">=", TK_GE}, {"+", TK_PLUS}, {"-", TK_MINUS},
	{"||", TK_CONCAT}, {"*", TK_STAR}, {"/", TK_SLASH}, {"%", TK_PERCENT},
};

/* ---------------------------------------------------------------- lexer */

static int
is_ident_start(unsigned char c)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int
is_ident_char(unsigned char c)
{
	return is_ident_start(c) || is_digit(c);
}

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The characters PostgreSQL's lexer glues into one operator token. */
static int
is_op_char(unsigned char c)
{
	return c != '\0' && strchr("+-*/<>=~!@#%^&|`?", c) != NULL;
}

/* ASCII case-insensitive equality of a counted string and a C string. */
static int
ascii_ieq(const char *s, size_t len, const char *lit)
{
	size_t		i;

	for (i = 0; i < len; i++)
	{
		unsigned char a = (unsigned char) s[i];
		unsigned char b = (unsigned char) lit[i];

		if (b == '\0')
			return 0;
		if (a >= 'A' && a <= 'Z')
			a = (unsigned char) (a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (unsigned char) (b - 'A' + 'a');
		if (a != b)
			return 0;
	}
	return lit[len] == '\0';
}

static void
set_bad(token *t, bad_kind bad, size_t errpos, size_t end)
{
	t->kind = TK_BAD;
	t->bad = bad;
	t->errpos = errpos;
	t->len = end - t->start;
	t->errlen = 1;
}

/*
 * A run of operator characters, split the way PostgreSQL's scanner does:
 * the run stops where a comment would start, and trailing + and - are given
 * back unless the run contains one of ~ ! @ # % ^ & | ` ? — so "a=-1" is "="
 * then "-1" but "a!=-1" is the single unknown operator "!=-". Matching that
 * rule keeps an accepted expression from failing (or meaning something
 * else) once PostgreSQL parses it.
 */
static void
lex_operator(const parser *p, size_t pos, token *t)
{
	const char *s = p->s;
	size_t		end = pos;
	int			special = 0;
	size_t		i;

	while (end < p->len && is_op_char((unsigned char) s[end]))
	{
		if (end + 1 < p->len &&
			((s[end] == '-' && s[end + 1] == '-') ||
			 (s[end] == '/' && s[end + 1] == '*')))
			break;
		if (strchr("~@#^&`?", s[end]) != NULL)
		{
			/* characters with no meaning in the grammar at all */
			t->start = end;
			set_bad(t, BAD_CHAR, end, end + 1);
			return;
		}
		if (s[end] == '!' || s[end] == '%' || s[end] == '|')
			special = 1;
		end++;
	}
	if (!special)
		while (end - pos > 1 && (s[end - 1] == '+' || s[end - 1] == '-'))
			end--;
	t->len = end - pos;
	for (i = 0; i < sizeof(operators) / sizeof(operators[0]); i++)
		if (strlen(operators[i].text) == t->len &&
			memcmp(operators[i].text, s + pos, t->len) == 0)
		{
			t->kind = operators[i].kind;
			return;
		}
	set_bad(t, t->len == 1 ? BAD_CHAR : BAD_OPERATOR, pos, end);
}

/* 123, 1.5, .5, 1., 1e10, 1.5E-3; digits glued to a name are an error. */
static void
lex_number(const parser *p, size_t pos, token *t)
{
	const char *s = p->s;
	size_t		i = pos;

	while (i < p->len && is_digit((unsigned char) s[i]))
		i++;
	if (i < p->len && s[i] == '.')
	{
		i++;
		while (i < p->len && is_digit((unsigned char) s[i]))
			i++;
	}
	if (i < p->len && (s[i] == 'e' || s[i] == 'E'))
	{
		size_t		j = i + 1;

		if (j < p->len && (s[j] == '+' || s[j] == '-'))
			j++;
		if (j < p->len && is_digit((unsigned char) s[j]))
		{
			while (j < p->len && is_digit((unsigned char) s[j]))
				j++;
			i = j;
		}
	}
	if (i < p->len && is_ident_char((unsigned char) s[i]))
	{
		while (i < p->len && is_ident_char((unsigned char) s[i]))
			i++;
		set_bad(t, BAD_NUMBER, pos, i);
		return;
	}
	t->kind = TK_NUMBER;
	t->len = i - pos;
}

/*
 * 'string' or "identifier": the quote doubled stands for itself. A NUL byte
 * inside is refused (PostgreSQL text cannot hold one, SQLite's can).
 */
static void
lex_quoted(const parser *p, size_t pos, token *t)
{
	const char *s = p->s;
	char		q = s[pos];
	size_t		i = pos + 1;
	size_t		content = 0;

	for (;;)
	{
		if (i >= p->len)
		{
			set_bad(t, q == '\'' ? BAD_UNTERM_STRING : BAD_UNTERM_QIDENT,
					pos, p->len);
			return;
		}
		if (s[i] == '\0')
		{
			set_bad(t, BAD_NUL, i, i + 1);
			return;
		}
		if (s[i] == q)
		{
			if (i + 1 < p->len && s[i + 1] == q)
			{
				i += 2;
				content++;
				continue;
			}
			i++;
			break;
		}
		i++;
		content++;
	}
	if (q == '\'')
	{
		t->kind = TK_STRING;
		t->len = i - pos;
		return;
	}
	if (content == 0)
		set_bad(t, BAD_EMPTY_QIDENT, pos, i);
	else if (content > VC_IDENT_MAX)
		set_bad(t, BAD_LONG_QIDENT, pos, i);
	else
	{
		t->kind = TK_QIDENT;
		t->len = i - pos;
	}
}

/* The token starting at or after offset pos (whitespace skipped). */
static void
lex(const parser *p, size_t pos, token *t)
{
	const char *s = p->s;
	unsigned char c;

	while (pos < p->len && is_space((unsigned char) s[pos]))
		pos++;
	memset(t, 0, sizeof(*t));
	t->start = pos;
	if (pos >= p->len)
	{
		t->kind = TK_EOF;
		return;
	}
	c = (unsigned char) s[pos];
	if (is_ident_start(c))
	{
		size_t		end = pos;
		size_t		i;

		while (end < p->len && is_ident_char((unsigned char) s[end]))
			end++;
		t->len = end - pos;
		if (t->len > VC_IDENT_MAX)
		{
			set_bad(t, BAD_LONG_IDENT, pos, end);
			return;
		}
		t->kind = TK_IDENT;
		for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
			if (ascii_ieq(s + pos, t->len, keywords[i].word))
			{
				t->kind = keywords[i].kind;
				t->word = keywords[i].word;
				break;
			}
		return;
	}
	if (is_digit(c) || (c == '.' && pos + 1 < p->len &&
						is_digit((unsigned char) s[pos + 1])))
	{
		lex_number(p, pos, t);
		return;
	}
	if (c == '\'' || c == '"')
	{
		lex_quoted(p, pos, t);
		return;
	}
	if (c == '-' && pos + 1 < p->len && s[pos + 1] == '-')
	{
		set_bad(t, BAD_LINE_COMMENT, pos, pos + 2);
		return;
	}
	if (c == '/' && pos + 1 < p->len && s[pos + 1] == '*')
	{
		set_bad(t, BAD_BLOCK_COMMENT, pos, pos + 2);
		return;
	}
	if (is_op_char(c))
	{
		lex_operator(p, pos, t);
		return;
	}
	switch (c)
	{
		case '(':
			t->kind = TK_LPAREN;
			t->len = 1;
			return;
		case ')':
			t->kind = TK_RPAREN;
			t->len = 1;
			return;
		case ',':
			t->kind = TK_COMMA;
			t->len = 1;
			return;
		case '\0':
			set_bad(t, BAD_NUL, pos, pos + 1);
			return;
		case ':':
			if (pos + 1 < p->len && s[pos + 1] == ':')
			{
				set_bad(t, BAD_CAST, pos, pos + 2);
				return;
			}
			break;
		default:
			break;
	}
	set_bad(t, BAD_CHAR, pos, pos + 1);
	/* echo a whole UTF-8 sequence rather than a lone lead byte */
	if (c >= 0xC2 && c <= 0xF4)
	{
		size_t		n = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		size_t		k;

		if (pos + n > p->len)
			return;
		for (k = 1; k < n; k++)
			if ((((unsigned char) s[pos + k]) & 0xC0) != 0x80)
				return;
		t->errlen = n;
	}
}

/*
 * The lexer for vc_expr_render.c (vc_expr_int.h): the same tokens the
 * validator sees, so a rendered expression is read exactly as validated.
 */
void
vc_expr_lex(const char *s, size_t len, size_t pos, token *t)
{
	parser		p;

	memset(&p, 0, sizeof(p));
	p.s = s;
	p.len = len;
	lex(&p, pos, t);
}

/* --------------------------------------------------------------- errors */

/* One character for a message: printable ASCII or UTF-8 as is, else \xHH. */
static const char *
echo_char(char *out, size_t outsz, const char *s, size_t n)
{
	unsigned char c = (unsigned char) s[0];

	if (n == 1 && (c < 0x20 || c >= 0x7F))
		snprintf(out, outsz, "\\x%02X", (unsigned) c);
	else
		vc_echo(out, outsz, s, n);
	return out;
}

/* "The expression is used as <context>." when the caller named one. */
static void
add_context(parser *p)
{
	char		echo[VC_ECHO_BUFSZ];

	if (p->context != NULL && p->context[0] != '\0')
		vc_error_detail(p->err, "The expression is used as %s.",
						vc_echo(echo, sizeof(echo), p->context,
								strlen(p->context)));
}

/*
 * Fill the 42601 error: "invalid expression[ for field "f"]: <phrase> at
 * position <n>", context as detail, err->position = off + 1. Returns -1 so
 * parse functions can `return fail(...)`.
 */
static int
fail(parser *p, size_t off, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

static int
fail(parser *p, size_t off, const char *fmt,...)
{
	char		phrase[192];
	char		fecho[VC_ECHO_BUFSZ];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(phrase, sizeof(phrase), fmt, ap);
	va_end(ap);
	p->code = VC_ERR_EXPRESSION;
	if (p->field != NULL && p->field[0] != '\0')
		vc_error_set(p->err, VC_ERR_EXPRESSION,
					 "invalid expression for field \"%s\": %s at position %zu",
					 vc_echo(fecho, sizeof(fecho), p->field, strlen(p->field)),
					 phrase, off + 1);
	else
		vc_error_set(p->err, VC_ERR_EXPRESSION,
					 "invalid expression: %s at position %zu", phrase, off + 1);
	add_context(p);
	if (p->err != NULL)
		p->err->position = (int) (off + 1);
	return -1;
}

static void
hint(parser *p, const char *text)
{
	vc_error_hint(p->err, "%s", text);
}

/* Report the token the parser could not use, by what is wrong with it. */
static int
fail_token(parser *p, const token *t)
{
	char		echo[VC_ECHO_BUFSZ];
	const char *at = p->s + t->start;

	switch (t->kind)
	{
		case TK_EOF:
			return fail(p, p->len, "unexpected end of expression");
		case TK_RESERVED:
			fail(p, t->start, "keyword \"%s\" is not allowed", t->word);
			hint(p, "Only column names, literals, operators and allowlisted "
				 "functions are accepted.");
			return -1;
		case TK_BAD:
			break;
		default:
			return fail(p, t->start, "unexpected token \"%s\"",
						vc_echo(echo, sizeof(echo), at, t->len));
	}
	switch (t->bad)
	{
		case BAD_NUL:
			return fail(p, t->errpos, "NUL byte is not allowed");
		case BAD_LINE_COMMENT:
			fail(p, t->errpos, "comment \"--\" is not allowed");
			hint(p, "Comments are not accepted in expressions.");
			return -1;
		case BAD_BLOCK_COMMENT:
			fail(p, t->errpos, "comment \"/*\" is not allowed");
			hint(p, "Comments are not accepted in expressions.");
			return -1;
		case BAD_CAST:
			fail(p, t->errpos, "cast \"::\" is not allowed");
			hint(p, "Type casts are not accepted; compare with a literal "
				 "instead.");
			return -1;
		case BAD_OPERATOR:
			fail(p, t->errpos, "operator \"%s\" is not allowed",
				 vc_echo(echo, sizeof(echo), at, t->len));
			hint(p, "Separate adjacent operators with a space, as in "
				 "\"a <> -1\".");
			return -1;
		case BAD_UNTERM_STRING:
			fail(p, t->errpos, "unterminated string literal");
			hint(p, "Close the literal with ' and write '' for a quote "
				 "inside it.");
			return -1;
		case BAD_UNTERM_QIDENT:
			fail(p, t->errpos, "unterminated quoted identifier");
			hint(p, "Close the name with \" and write \"\" for a quote "
				 "inside it.");
			return -1;
		case BAD_EMPTY_QIDENT:
			return fail(p, t->errpos, "zero-length quoted identifier");
		case BAD_LONG_QIDENT:
		case BAD_LONG_IDENT:
			return fail(p, t->errpos,
						"identifier \"%s\" is longer than %d bytes",
						vc_echo(echo, sizeof(echo), at, t->len),
						VC_IDENT_MAX);
		case BAD_NUMBER:
			fail(p, t->errpos, "invalid number \"%s\"",
				 vc_echo(echo, sizeof(echo), at, t->len));
			hint(p, "Separate a number from the word after it with a space.");
			return -1;
		case BAD_CHAR:
		case BAD_NONE:
			break;
	}
	fail(p, t->errpos, "character \"%s\" is not allowed",
		 echo_char(echo, sizeof(echo), p->s + t->errpos, t->errlen));
	if (p->s[t->errpos] == ';')
		hint(p, "An expression is a single condition or value, not a "
			 "statement.");
	else if (p->s[t->errpos] == '.')
		hint(p, "Qualified names are not accepted; use the bare column "
			 "name.");
	return -1;
}

/* --------------------------------------------------------------- parser */

static void
advance(parser *p)
{
	lex(p, p->cur.start + p->cur.len, &p->cur);
}

/* The token after the current one, for the two places that need to look. */
static tok_kind
peek(const parser *p)
{
	token		t;

	lex(p, p->cur.start + p->cur.len, &t);
	return t.kind;
}

/* Count one level of nesting at token t; fails beyond VC_EXPR_MAX_DEPTH. */
static int
enter(parser *p, const token *t)
{
	if (++p->depth > VC_EXPR_MAX_DEPTH)
	{
		fail(p, t->start, "nesting deeper than %d levels", VC_EXPR_MAX_DEPTH);
		hint(p, "Simplify the expression.");
		return -1;
	}
	return 0;
}

static void
leave(parser *p)
{
	p->depth--;
}

/* A closing ")" for the "(" at open, or the matching error. */
static int
expect_rparen(parser *p, const token *open)
{
	if (p->cur.kind == TK_RPAREN)
	{
		advance(p);
		return 0;
	}
	if (p->cur.kind == TK_EOF)
		return fail(p, open->start, "unmatched \"(\"");
	return fail_token(p, &p->cur);
}

/* Content of a quoted identifier with "" undone; out holds 64 bytes. */
static size_t
qident_text(const parser *p, const token *t, char *out)
{
	size_t		i = t->start + 1;
	size_t		end = t->start + t->len - 1;
	size_t		n = 0;

	while (i < end && n < VC_IDENT_MAX)
	{
		out[n++] = p->s[i];
		i += (p->s[i] == '"') ? 2 : 1;
	}
	out[n] = '\0';
	return n;
}

static int	parse_expr(parser *p);
static int	parse_arith(parser *p);

/* A column reference, checked against the column list when there is one. */
static int
parse_column(parser *p)
{
	const token *t = &p->cur;
	char		qname[VC_IDENT_MAX + 1];
	const char *name = p->s + t->start;
	size_t		nlen = t->len;
	char		echo[VC_ECHO_BUFSZ];
	char		fecho[VC_ECHO_BUFSZ];
	char		ctx[VC_ECHO_BUFSZ + 40];
	const char *near;
	size_t		i;

	if (p->ncolumns == 0)
	{
		advance(p);
		return 0;
	}
	if (t->kind == TK_QIDENT)
	{
		nlen = qident_text(p, t, qname);
		name = qname;
	}
	for (i = 0; i < p->ncolumns; i++)
	{
		const char *c = p->columns[i];

		if (c == NULL)
			continue;
		if (t->kind == TK_QIDENT
			? (strlen(c) == nlen && memcmp(c, name, nlen) == 0)
			: ascii_ieq(name, nlen, c))
		{
			advance(p);
			return 0;
		}
	}
	p->code = VC_ERR_UNDEFINED_COLUMN;
	vc_error_set(p->err, VC_ERR_UNDEFINED_COLUMN,
				 "column \"%s\" does not exist",
				 vc_echo(echo, sizeof(echo), name, nlen));
	ctx[0] = '\0';
	if (p->context != NULL && p->context[0] != '\0')
		snprintf(ctx, sizeof(ctx), " The expression is used as %s.",
				 vc_echo(echo, sizeof(echo), p->context, strlen(p->context)));
	if (p->field != NULL && p->field[0] != '\0')
		vc_error_detail(p->err,
						"The expression for field \"%s\" refers to it at position %zu.%s",
						vc_echo(fecho, sizeof(fecho), p->field,
								strlen(p->field)),
						t->start + 1, ctx);
	else
		vc_error_detail(p->err,
						"The expression refers to it at position %zu.%s",
						t->start + 1, ctx);
	near = vc_nearest(name, nlen, p->columns, p->ncolumns);
	if (near != NULL)
		vc_error_hint(p->err, "Perhaps you meant \"%s\".", near);
	if (p->err != NULL)
		p->err->position = (int) (t->start + 1);
	return -1;
}

/* name '(' [expr (',' expr)*] ')' for an allowlisted function. */
static int
parse_call(parser *p)
{
	token		name = p->cur;
	token		open;
	const func_spec *fn = NULL;
	char		qname[VC_IDENT_MAX + 1];
	char		echo[VC_ECHO_BUFSZ];
	int			nargs = 0;
	size_t		i;

	if (name.kind == TK_QIDENT)
		qident_text(p, &name, qname);
	for (i = 0; i < N_FUNCTIONS; i++)
	{
		/* a quoted name keeps its case: "LOWER" is not lower */
		if (name.kind == TK_QIDENT
			? strcmp(qname, functions[i].name) == 0
			: ascii_ieq(p->s + name.start, name.len, functions[i].name))
		{
			fn = &functions[i];
			break;
		}
	}
	if (fn == NULL || (strcmp(fn->name, "principal") == 0 &&
					   !(p->flags & VC_EXPR_ALLOW_PRINCIPAL)))
	{
		fail(p, name.start, "function \"%s\" is not allowed",
			 name.kind == TK_QIDENT ? vc_echo(echo, sizeof(echo), qname,
											  strlen(qname))
			 : vc_echo(echo, sizeof(echo), p->s + name.start, name.len));
		if (fn != NULL)
			hint(p, "principal() is only accepted in permission predicates.");
		else if (p->flags & VC_EXPR_ALLOW_PRINCIPAL)
			hint(p, FUNCTIONS_HINT ", principal.");
		else
			hint(p, FUNCTIONS_HINT ".");
		return -1;
	}
	advance(p);
	open = p->cur;
	if (enter(p, &open))
		return -1;
	advance(p);
	if (p->cur.kind != TK_RPAREN)
	{
		for (;;)
		{
			if (parse_expr(p))
				return -1;
			nargs++;
			if (p->cur.kind != TK_COMMA)
				break;
			advance(p);
		}
	}
	if (expect_rparen(p, &open))
		return -1;
	leave(p);
	if (nargs < fn->min_args ||
		(fn->max_args != ARGS_ANY && nargs > fn->max_args))
	{
		if (fn->max_args == ARGS_ANY)
			return fail(p, name.start,
						"function \"%s\" expects at least %d arguments, got %d",
						fn->name, fn->min_args, nargs);
		if (fn->min_args == fn->max_args)
			return fail(p, name.start,
						"function \"%s\" expects %d argument%s, got %d",
						fn->name, fn->min_args,
						fn->min_args == 1 ? "" : "s", nargs);
		return fail(p, name.start,
					"function \"%s\" expects %d to %d arguments, got %d",
					fn->name, fn->min_args, fn->max_args, nargs);
	}
	return 0;
}

static int
parse_primary(parser *p)
{
	token		open;

	switch (p->cur.kind)
	{
		case TK_NUMBER:
		case TK_STRING:
		case TK_TRUE:
		case TK_FALSE:
		case TK_NULL:
			advance(p);
			return 0;
		case TK_LPAREN:
			open = p->cur;
			if (enter(p, &open))
				return -1;
			advance(p);
			if (parse_expr(p) || expect_rparen(p, &open))
				return -1;
			leave(p);
			return 0;
		case TK_IDENT:
		case TK_QIDENT:
			if (peek(p) == TK_LPAREN)
				return parse_call(p);
			return parse_column(p);
		default:
			return fail_token(p, &p->cur);
	}
}

static int
parse_unary(parser *p)
{
	if (p->cur.kind == TK_MINUS || p->cur.kind == TK_PLUS)
	{
		if (enter(p, &p->cur))
			return -1;
		advance(p);
		if (parse_unary(p))
			return -1;
		leave(p);
		return 0;
	}
	return parse_primary(p);
}

static int
parse_term(parser *p)
{
	if (parse_unary(p))
		return -1;
	while (p->cur.kind == TK_STAR || p->cur.kind == TK_SLASH ||
		   p->cur.kind == TK_PERCENT)
	{
		advance(p);
		if (parse_unary(p))
			return -1;
	}
	return 0;
}

static int
parse_arith(parser *p)
{
	if (parse_term(p))
		return -1;
	while (p->cur.kind == TK_PLUS || p->cur.kind == TK_MINUS ||
		   p->cur.kind == TK_CONCAT)
	{
		advance(p);
		if (parse_term(p))
			return -1;
	}
	return 0;
}

/* '(' arith (',' arith)* ')' after IN. */
static int
parse_in_list(parser *p)
{
	token		open = p->cur;

	if (open.kind != TK_LPAREN)
		return fail_token(p, &open);
	advance(p);
	for (;;)
	{
		if (parse_arith(p))
			return -1;
		if (p->cur.kind != TK_COMMA)
			break;
		advance(p);
	}
	return expect_rparen(p, &open);
}

static int
parse_predicate(parser *p)
{
	if (parse_arith(p))
		return -1;
	switch (p->cur.kind)
	{
		case TK_EQ:
		case TK_NE:
		case TK_LT:
		case TK_GT:
		case TK_LE:
		case TK_GE:
			advance(p);
			return parse_arith(p);
		case TK_IS:
			advance(p);
			if (p->cur.kind == TK_NOT)
				advance(p);
			if (p->cur.kind != TK_NULL && p->cur.kind != TK_TRUE &&
				p->cur.kind != TK_FALSE)
				return fail_token(p, &p->cur);
			advance(p);
			return 0;
		case TK_NOT:
			/* NOT here only negates IN, BETWEEN or LIKE */
			switch (peek(p))
			{
				case TK_IN:
				case TK_BETWEEN:
				case TK_LIKE:
					advance(p);
					break;
				default:
					return 0;
			}
			break;
		default:
			break;
	}
	switch (p->cur.kind)
	{
		case TK_IN:
			advance(p);
			return parse_in_list(p);
		case TK_BETWEEN:
			advance(p);
			if (parse_arith(p))
				return -1;
			if (p->cur.kind != TK_AND)
				return fail_token(p, &p->cur);
			advance(p);
			return parse_arith(p);
		case TK_LIKE:
			advance(p);
			return parse_arith(p);
		default:
			return 0;
	}
}

static int
parse_not(parser *p)
{
	if (p->cur.kind == TK_NOT)
	{
		if (enter(p, &p->cur))
			return -1;
		advance(p);
		if (parse_not(p))
			return -1;
		leave(p);
		return 0;
	}
	return parse_predicate(p);
}

static int
parse_and(parser *p)
{
	if (parse_not(p))
		return -1;
	while (p->cur.kind == TK_AND)
	{
		advance(p);
		if (parse_not(p))
			return -1;
	}
	return 0;
}

static int
parse_expr(parser *p)
{
	if (parse_and(p))
		return -1;
	while (p->cur.kind == TK_OR)
	{
		advance(p);
		if (parse_and(p))
			return -1;
	}
	return 0;
}

vc_code
vc_expr_validate(const char *expr, size_t len, const char *const *columns,
				 size_t ncolumns, const char *field_name, const char *context,
				 unsigned flags, vc_error *err)
{
	parser		p;

	vc_error_clear(err);
	memset(&p, 0, sizeof(p));
	p.s = expr != NULL ? expr : "";
	p.len = expr != NULL ? len : 0;
	p.columns = columns;
	p.ncolumns = columns != NULL ? ncolumns : 0;
	p.field = field_name;
	p.context = context;
	p.flags = flags;
	p.err = err;
	p.code = VC_OK;

	if (p.len > VC_EXPR_MAX_LEN)
	{
		fail(&p, 0, "expression longer than %d bytes", VC_EXPR_MAX_LEN);
		return p.code;
	}
	lex(&p, 0, &p.cur);
	if (p.cur.kind == TK_EOF)
	{
		fail(&p, 0, "empty expression");
		return p.code;
	}
	if (parse_expr(&p))
		return p.code;
	if (p.cur.kind == TK_RPAREN)
	{
		fail(&p, p.cur.start, "unmatched \")\"");
		return p.code;
	}
	if (p.cur.kind != TK_EOF)
	{
		fail_token(&p, &p.cur);
		return p.code;
	}
	return VC_OK;
}
