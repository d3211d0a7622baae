/*
 * vc_plan_types.c — column type spellings for the planner. A host reports
 * a live column's type in its own words (PostgreSQL's format_type():
 * "character varying(200)", "timestamp with time zone", "numeric(10,2)";
 * SQLite: the declared type), vc_types writes the short forms
 * ("varchar(200)", "timestamptz", "numeric(10, 2)"). Both sides are brought
 * to one canonical spelling per dialect before they are compared, and a
 * live type can be read back into a stand-in field so vc_type_classify can
 * judge a change away from it.
 *
 * Memory: none from the caller; the short type strings are built in a
 * small fixed arena on the stack (vc_type_sql_buf needs an allocator).
 */
#include "vc_plan_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vc_text.h"

#define TYPE_MAX 128

/* ---- a bump allocator over a stack buffer, for short type strings ---- */

typedef struct arena
{
	char		mem[1024];
	size_t		used;
} arena;

static void *
arena_malloc(size_t size, void *ud)
{
	arena	   *ar = ud;
	size_t		need = (size + 15) & ~(size_t) 15;
	void	   *p;

	if (need > sizeof(ar->mem) - ar->used)
		return NULL;
	p = ar->mem + ar->used;
	ar->used += need;
	return p;
}

static void
arena_free(void *ptr, void *ud)
{
	(void) ptr;
	(void) ud;
}

/* The column type vc_types writes for f in dialect d; false if none. */
static bool
field_type_text(vc_dialect d, const vc_field *f, char *out, size_t outsz)
{
	arena		ar;
	vc_alloc	a = {arena_malloc, arena_free, &ar};
	vc_buf		b;
	vc_error	err;
	bool		ok;

	ar.used = 0;
	out[0] = '\0';
	if (f->column == NULL && f->type == VC_FT_MANYTOMANY)
		return false;
	vc_buf_init(&b, &a);
	ok = vc_type_sql_buf(&b, f, d, &err) == VC_OK && !b.failed && b.data != NULL;
	if (ok)
		snprintf(out, outsz, "%s", b.data);
	return ok;
}

/* Lower/upper-case, one blank between words, none around ( ) , [ ]. */
static void
squeeze(const char *in, bool upper, char *out, size_t outsz)
{
	size_t		n = 0;
	bool		blank = false;
	const char *p;

	for (p = in; *p && n + 1 < outsz; p++)
	{
		unsigned char ch = (unsigned char) *p;

		if (vc_ascii_isspace(ch))
		{
			blank = n > 0;
			continue;
		}
		if (blank && strchr("(),[]", ch) == NULL &&
			strchr("(,[", out[n - 1]) == NULL && n + 2 < outsz)
			out[n++] = ' ';
		blank = false;
		out[n++] = (char) (upper ? vc_ascii_toupper(ch) : vc_ascii_tolower(ch));
	}
	out[n] = '\0';
}

/* PostgreSQL synonyms of the types viper uses → vc_types' short forms. */
static const char *const pg_synonyms[][2] = {
	{"int", "integer"}, {"int4", "integer"}, {"int8", "bigint"},
	{"int2", "smallint"}, {"float8", "double precision"},
	{"float", "double precision"}, {"float4", "real"}, {"bool", "boolean"},
	{"timestamp with time zone", "timestamptz"},
	{"timestamp without time zone", "timestamp"},
	{"time without time zone", "time"}, {"time with time zone", "timetz"},
	{"character varying", "varchar"}, {"decimal", "numeric"},
	{"character", "char"}, {"bpchar", "char"},
};

static void
pg_canon_base(const char *in, char *out, size_t outsz)
{
	const char *paren = strchr(in, '(');
	size_t		stem = paren ? (size_t) (paren - in) : strlen(in);
	size_t		i;

	for (i = 0; i < sizeof(pg_synonyms) / sizeof(pg_synonyms[0]); i++)
		if (strlen(pg_synonyms[i][0]) == stem &&
			strncmp(in, pg_synonyms[i][0], stem) == 0)
		{
			snprintf(out, outsz, "%s%s", pg_synonyms[i][1], paren ? paren : "");
			return;
		}
	snprintf(out, outsz, "%s", in);
}

void
pl_canon_type(vc_dialect d, const char *type, char *out, size_t outsz)
{
	char		sq[TYPE_MAX];
	size_t		len,
				arrays = 0;

	squeeze(type ? type : "", d != VC_DIALECT_POSTGRESQL, sq, sizeof(sq));
	if (d != VC_DIALECT_POSTGRESQL)
	{
		snprintf(out, outsz, "%s", sq);
		return;
	}
	len = strlen(sq);
	while (len >= 2 && sq[len - 2] == '[' && sq[len - 1] == ']')
	{
		len -= 2;
		arrays++;
	}
	sq[len] = '\0';
	pg_canon_base(sq, out, outsz);
	while (arrays-- > 0 && strlen(out) + 3 <= outsz)
		strcat(out, "[]");
}

bool
pl_field_canon(vc_dialect d, const vc_field *f, char *out, size_t outsz)
{
	char		raw[TYPE_MAX];

	if (!field_type_text(d, f, raw, sizeof(raw)))
	{
		out[0] = '\0';
		return false;
	}
	pl_canon_type(d, raw, out, outsz);
	return true;
}

/* "name(a)" or "name(a,b)": the numbers; false when the shape differs. */
static bool
type_args(const char *canon, const char *name, int *a, int *b, int nargs)
{
	size_t		n = strlen(name);
	const char *p;
	char	   *end;
	long		v;

	if (strncmp(canon, name, n) != 0 || canon[n] != '(')
		return false;
	p = canon + n + 1;
	v = strtol(p, &end, 10);
	if (end == p || v < 0 || v > 100000)
		return false;
	*a = (int) v;
	if (nargs == 2)
	{
		if (*end != ',')
			return false;
		p = end + 1;
		v = strtol(p, &end, 10);
		if (end == p || v < 0 || v > 100000)
			return false;
		*b = (int) v;
	}
	return strcmp(end, ")") == 0;
}

static bool
pg_pseudo(const char *canon, bool identity, vc_field *f, vc_field *base)
{
	size_t		len = strlen(canon);
	int			x = 0,
				y = 0;

	if (len > 2 && strcmp(canon + len - 2, "[]") == 0)
	{
		char		elem[TYPE_MAX];

		if (base == NULL || len - 2 >= sizeof(elem))
			return false;
		memcpy(elem, canon, len - 2);
		elem[len - 2] = '\0';
		memset(base, 0, sizeof(*base));
		if (!pg_pseudo(elem, false, base, NULL) || base->type == VC_FT_ARRAY)
			return false;
		f->type = VC_FT_ARRAY;
		f->base_field = base;
		return true;
	}
	if (strcmp(canon, "integer") == 0)
		f->type = identity ? VC_FT_AUTO : VC_FT_INTEGER;
	else if (strcmp(canon, "bigint") == 0)
		f->type = identity ? VC_FT_BIGAUTO : VC_FT_BIGINTEGER;
	else if (strcmp(canon, "smallint") == 0)
		f->type = VC_FT_SMALLINTEGER;
	else if (strcmp(canon, "double precision") == 0)
		f->type = VC_FT_FLOAT;
	else if (type_args(canon, "numeric", &x, &y, 2) && x > 0 && y <= x)
	{
		f->type = VC_FT_DECIMAL;
		f->max_digits = x;
		f->decimal_places = y;
	}
	else if (type_args(canon, "varchar", &x, &y, 1) && x > 0)
	{
		f->type = VC_FT_CHAR;
		f->max_length = x;
	}
	else if (strcmp(canon, "text") == 0 || strcmp(canon, "varchar") == 0)
		f->type = VC_FT_TEXT;
	else if (strcmp(canon, "boolean") == 0)
		f->type = VC_FT_BOOLEAN;
	else if (strcmp(canon, "timestamptz") == 0)
		f->type = VC_FT_DATETIME;
	else if (strcmp(canon, "date") == 0)
		f->type = VC_FT_DATE;
	else if (strcmp(canon, "time") == 0)
		f->type = VC_FT_TIME;
	else if (strcmp(canon, "uuid") == 0)
		f->type = VC_FT_UUID;
	else if (strcmp(canon, "jsonb") == 0)
		f->type = VC_FT_JSON;
	else if (strcmp(canon, "bytea") == 0)
		f->type = VC_FT_BINARY;
	else if (strcmp(canon, "inet") == 0)
		f->type = VC_FT_IPADDRESS;
	else
		return false;
	return true;
}

bool
pl_pseudo_field(vc_dialect d, const char *canon, bool identity, vc_field *f,
				vc_field *base)
{
	memset(f, 0, sizeof(*f));
	if (d == VC_DIALECT_POSTGRESQL)
		return pg_pseudo(canon, identity, f, base);
	/* SQLite: the widest field of each storage class */
	if (strcmp(canon, "INTEGER") == 0)
		f->type = identity ? VC_FT_AUTO : VC_FT_BIGINTEGER;
	else if (strcmp(canon, "REAL") == 0)
		f->type = VC_FT_FLOAT;
	else if (strcmp(canon, "NUMERIC") == 0)
	{
		f->type = VC_FT_DECIMAL;
		f->max_digits = 1000;
		f->decimal_places = 500;
	}
	else if (strcmp(canon, "TEXT") == 0)
		f->type = VC_FT_TEXT;
	else if (strcmp(canon, "BLOB") == 0)
		f->type = VC_FT_BINARY;
	else
		return false;
	return true;
}

void
pl_display_type(const vc_field *f, const char *fallback, char *out,
				size_t outsz)
{
	char		raw[TYPE_MAX];

	if (f && field_type_text(VC_DIALECT_POSTGRESQL, f, raw, sizeof(raw)))
		pl_canon_type(VC_DIALECT_POSTGRESQL, raw, out, outsz);
	else
		snprintf(out, outsz, "%s", fallback ? fallback : "?");
}

bool
pl_ieq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	for (; *a && *b; a++, b++)
	{
		int			x = vc_ascii_tolower((unsigned char) *a),
					y = vc_ascii_tolower((unsigned char) *b);

		if (x == '_')
			x = ' ';
		if (y == '_')
			y = ' ';
		if (x != y)
			return false;
	}
	return *a == *b;
}

/* Skip blanks; outside string literals letters compare case-insensitively. */
bool
pl_expr_equal(const char *a, const char *b)
{
	bool		quoted = false;

	if (a == NULL || b == NULL)
		return false;
	for (;;)
	{
		if (!quoted)
		{
			while (vc_ascii_isspace((unsigned char) *a))
				a++;
			while (vc_ascii_isspace((unsigned char) *b))
				b++;
		}
		if (*a == '\0' || *b == '\0')
			return *a == *b;
		if (quoted ? *a != *b :
			vc_ascii_tolower((unsigned char) *a) != vc_ascii_tolower((unsigned char) *b))
			return false;
		if (*a == '\'')
			quoted = !quoted;
		a++;
		b++;
	}
}

bool
pl_ident_ok(const char *name)
{
	return name != NULL &&
		vc_ident_validate(name, strlen(name), "identifier", NULL) == VC_OK;
}
