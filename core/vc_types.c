/*
 * vc_types.c — the type table of docs/types.md: column types and honest
 * CHECKs for postgresql and sqlite, and the widen / narrow / incompatible
 * classification of type changes with the data test for a narrowing.
 *
 * Memory: appends to the caller's vc_buf; the allocating wrappers hand
 * their strings to the caller.
 */
#include "vc_types.h"

#include <string.h>

/* The column-relevant part of a field, after following a relation. */
typedef struct eff
{
	vc_field_type type;
	int			max_length;
	int			max_digits;
	int			decimal_places;
	const vc_field *base;		/* ArrayField element */
} eff;

static vc_code
effective(const vc_field *f, eff *e, vc_error *err)
{
	memset(e, 0, sizeof(*e));
	if (f->type == VC_FT_MANYTOMANY)
		return vc_error_set(err, VC_ERR_INTERNAL,
							"field \"%s\" is a ManyToManyField and has no column",
							f->name ? f->name : "?");
	if (vc_field_type_is_fk(f->type))
	{
		if (!f->resolved)
			return vc_error_set(err, VC_ERR_INTERNAL,
								"field \"%s\": relation target not resolved",
								f->name ? f->name : "?");
		e->type = f->rel_type == VC_FT_AUTO ? VC_FT_INTEGER :
			f->rel_type == VC_FT_BIGAUTO ? VC_FT_BIGINTEGER : f->rel_type;
		e->max_length = f->rel_max_length;
		e->max_digits = f->rel_max_digits;
		e->decimal_places = f->rel_decimal_places;
		return VC_OK;
	}
	e->type = f->type;
	e->max_length = f->max_length;
	e->max_digits = f->max_digits;
	e->decimal_places = f->decimal_places;
	e->base = f->base_field;
	return VC_OK;
}

const char *
vc_type_change_name(vc_type_change c)
{
	switch (c)
	{
		case VC_TYPE_SAME:
			return "same";
		case VC_TYPE_WIDEN:
			return "widen";
		case VC_TYPE_NARROW:
			return "narrow";
		case VC_TYPE_INCOMPATIBLE:
			return "incompatible";
	}
	return "unknown";
}

vc_code
vc_types_dialect_check(vc_dialect d, vc_error *err)
{
	if (d == VC_DIALECT_POSTGRESQL || d == VC_DIALECT_SQLITE)
		return VC_OK;
	return vc_error_set(err, VC_ERR_INVALID_PARAM,
						"no type mapping for dialect \"%s\"; use postgresql or sqlite",
						vc_dialect_name(d));
}

static void
pg_type(vc_buf *b, const eff *e)
{
	switch (e->type)
	{
		case VC_FT_AUTO:
		case VC_FT_INTEGER:
		case VC_FT_POSITIVEINTEGER:
			vc_buf_puts(b, "integer");
			break;
		case VC_FT_BIGAUTO:
		case VC_FT_BIGINTEGER:
			vc_buf_puts(b, "bigint");
			break;
		case VC_FT_SMALLINTEGER:
			vc_buf_puts(b, "smallint");
			break;
		case VC_FT_FLOAT:
			vc_buf_puts(b, "double precision");
			break;
		case VC_FT_DECIMAL:
			vc_buf_printf(b, "numeric(%d, %d)", e->max_digits, e->decimal_places);
			break;
		case VC_FT_CHAR:
		case VC_FT_EMAIL:
		case VC_FT_SLUG:
		case VC_FT_URL:
			vc_buf_printf(b, "varchar(%d)", e->max_length);
			break;
		case VC_FT_BOOLEAN:
			vc_buf_puts(b, "boolean");
			break;
		case VC_FT_DATETIME:
			vc_buf_puts(b, "timestamptz");
			break;
		case VC_FT_DATE:
			vc_buf_puts(b, "date");
			break;
		case VC_FT_TIME:
			vc_buf_puts(b, "time");
			break;
		case VC_FT_UUID:
			vc_buf_puts(b, "uuid");
			break;
		case VC_FT_JSON:
			vc_buf_puts(b, "jsonb");
			break;
		case VC_FT_BINARY:
			vc_buf_puts(b, "bytea");
			break;
		case VC_FT_IPADDRESS:
			vc_buf_puts(b, "inet");
			break;
		case VC_FT_ARRAY:
			{
				eff			be;

				memset(&be, 0, sizeof(be));
				be.type = e->base->type;
				be.max_length = e->base->max_length;
				be.max_digits = e->base->max_digits;
				be.decimal_places = e->base->decimal_places;
				pg_type(b, &be);
				vc_buf_puts(b, "[]");
				break;
			}
		default:				/* Text, File, Password, Sensitive */
			vc_buf_puts(b, "text");
			break;
	}
}

static const char *
sqlite_type(const eff *e)
{
	switch (e->type)
	{
		case VC_FT_AUTO:
		case VC_FT_BIGAUTO:
		case VC_FT_INTEGER:
		case VC_FT_BIGINTEGER:
		case VC_FT_SMALLINTEGER:
		case VC_FT_POSITIVEINTEGER:
		case VC_FT_BOOLEAN:
			return "INTEGER";
		case VC_FT_FLOAT:
			return "REAL";
		case VC_FT_DECIMAL:
			return "NUMERIC";
		case VC_FT_BINARY:
			return "BLOB";
		default:
			return "TEXT";
	}
}

vc_code
vc_type_sql_buf(vc_buf *b, const vc_field *f, vc_dialect d, vc_error *err)
{
	eff			e;
	vc_code		rc;

	if ((rc = vc_types_dialect_check(d, err)) != VC_OK ||
		(rc = effective(f, &e, err)) != VC_OK)
		return rc;
	if (d == VC_DIALECT_POSTGRESQL)
		pg_type(b, &e);
	else
		vc_buf_puts(b, sqlite_type(&e));
	return VC_OK;
}

/* Append `"col"` (already validated by the parser). */
static void
qcol(vc_buf *b, const char *col, vc_dialect d)
{
	vc_ident_quote_buf(b, col, strlen(col), d);
}

/* One part of a CHECK; parts are joined with AND. */
static void
part(vc_buf *b, int *nparts, const char *col, vc_dialect d, const char *pre,
	 const char *post)
{
	if ((*nparts)++ > 0)
		vc_buf_puts(b, " AND ");
	vc_buf_puts(b, pre);
	qcol(b, col, d);
	vc_buf_puts(b, post);
}

static const char *const glob_datetime =
"[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-9][0-9]*";
static const char *const glob_time = "[0-2][0-9]:[0-5][0-9]*";

/* The SQLite checks for e on column col, appended to b. */
static void
sqlite_checks(vc_buf *b, const eff *e, const char *col, int *n)
{
	const vc_dialect d = VC_DIALECT_SQLITE;
	char		tail[96];

	switch (e->type)
	{
		case VC_FT_INTEGER:
			part(b, n, col, d, "typeof(", ") = 'integer'");
			part(b, n, col, d, "", " BETWEEN -2147483648 AND 2147483647");
			break;
		case VC_FT_SMALLINTEGER:
			part(b, n, col, d, "typeof(", ") = 'integer'");
			part(b, n, col, d, "", " BETWEEN -32768 AND 32767");
			break;
		case VC_FT_POSITIVEINTEGER:
			part(b, n, col, d, "typeof(", ") = 'integer'");
			part(b, n, col, d, "", " BETWEEN 0 AND 2147483647");
			break;
		case VC_FT_BIGINTEGER:
			part(b, n, col, d, "typeof(", ") = 'integer'");
			break;
		case VC_FT_FLOAT:
			part(b, n, col, d, "typeof(", ") = 'real'");
			break;
		case VC_FT_DECIMAL:
			part(b, n, col, d, "typeof(", ") IN ('integer', 'real')");
			snprintf(tail, sizeof(tail), ") < 1e%d", e->max_digits - e->decimal_places);
			part(b, n, col, d, "abs(", tail);
			break;
		case VC_FT_CHAR:
		case VC_FT_EMAIL:
		case VC_FT_SLUG:
		case VC_FT_URL:
			snprintf(tail, sizeof(tail), ") <= %d", e->max_length);
			part(b, n, col, d, "length(", tail);
			break;
		case VC_FT_BOOLEAN:
			part(b, n, col, d, "", " IN (0, 1)");
			break;
		case VC_FT_DATETIME:
			part(b, n, col, d, "", " GLOB '");
			vc_buf_puts(b, glob_datetime);
			vc_buf_puts(b, "'");
			/* date() with a modifier normalises 02-30 to 03-01: a real day */
			part(b, n, col, d, "date(substr(", ", 1, 10), '+0 days') IS substr(");
			qcol(b, col, d);
			vc_buf_puts(b, ", 1, 10)");
			part(b, n, col, d, "datetime(", ") IS NOT NULL");
			break;
		case VC_FT_DATE:
			part(b, n, col, d, "date(", ", '+0 days') IS ");
			qcol(b, col, d);
			break;
		case VC_FT_TIME:
			part(b, n, col, d, "", " GLOB '");
			vc_buf_puts(b, glob_time);
			vc_buf_puts(b, "'");
			part(b, n, col, d, "time(", ") IS NOT NULL");
			break;
		case VC_FT_UUID:
			part(b, n, col, d, "length(", ") = 36");
			break;
		case VC_FT_JSON:
			part(b, n, col, d, "json_valid(", ")");
			break;
		case VC_FT_BINARY:
			part(b, n, col, d, "typeof(", ") = 'blob'");
			break;
		case VC_FT_IPADDRESS:
			part(b, n, col, d, "length(", ") <= 39");
			break;
		case VC_FT_ARRAY:
			if ((*n)++ > 0)
				vc_buf_puts(b, " AND ");
			vc_buf_puts(b, "CASE WHEN json_valid(");
			qcol(b, col, d);
			vc_buf_puts(b, ") THEN json_type(");
			qcol(b, col, d);
			vc_buf_puts(b, ") = 'array' ELSE 0 END");
			break;
		default:				/* Auto (rowid), Text, File, Password, Sensitive */
			break;
	}
}

vc_code
vc_type_check_buf(vc_buf *b, const vc_field *f, vc_dialect d, bool *has,
				  vc_error *err)
{
	eff			e;
	vc_code		rc;
	vc_buf		tmp;
	int			n = 0;

	*has = false;
	if ((rc = vc_types_dialect_check(d, err)) != VC_OK ||
		(rc = effective(f, &e, err)) != VC_OK)
		return rc;
	if (d == VC_DIALECT_POSTGRESQL)
	{
		/* PostgreSQL's types hold everything else themselves */
		if (e.type == VC_FT_POSITIVEINTEGER)
		{
			qcol(b, f->column, d);
			vc_buf_puts(b, " >= 0");
			*has = true;
		}
		return VC_OK;
	}
	vc_buf_init(&tmp, b->alloc);
	sqlite_checks(&tmp, &e, f->column, &n);
	if (n > 0)
	{
		if (f->null)
		{
			/* typeof(NULL) is 'null': let NULL through explicitly */
			qcol(b, f->column, d);
			vc_buf_puts(b, " IS NULL OR ");
			if (n > 1)
				vc_buf_putc(b, '(');
		}
		vc_buf_append(b, tmp.data ? tmp.data : "", tmp.len);
		if (f->null && n > 1)
			vc_buf_putc(b, ')');
		if (tmp.failed)
			b->failed = 1;
		*has = true;
	}
	vc_buf_reset(&tmp);
	return VC_OK;
}

vc_code
vc_type_column(const vc_alloc *a, const vc_field *f, vc_dialect d,
			   char **type_sql, char **check_sql, vc_error *err)
{
	vc_buf		b;
	vc_code		rc;
	bool		has;

	*type_sql = NULL;
	*check_sql = NULL;
	vc_buf_init(&b, a);
	if ((rc = vc_type_sql_buf(&b, f, d, err)) != VC_OK)
	{
		vc_buf_reset(&b);
		return rc;
	}
	if ((rc = vc_buf_finish(&b, type_sql, NULL, err)) != VC_OK)
		return rc;
	if ((rc = vc_type_check_buf(&b, f, d, &has, err)) != VC_OK ||
		(has && (rc = vc_buf_finish(&b, check_sql, NULL, err)) != VC_OK))
	{
		vc_buf_reset(&b);
		vc_free(a, *type_sql);
		*type_sql = NULL;
		return rc;
	}
	vc_buf_reset(&b);
	return VC_OK;
}

/* ---- classification ------------------------------------------------------ */

typedef enum family
{
	FAM_INT, FAM_FLOAT, FAM_DECIMAL, FAM_STR, FAM_BOOL, FAM_DATETIME,
	FAM_DATE, FAM_TIME, FAM_UUID, FAM_JSON, FAM_BINARY, FAM_IP, FAM_ARRAY
} family;

static family
family_of(vc_field_type t)
{
	switch (t)
	{
		case VC_FT_AUTO:
		case VC_FT_BIGAUTO:
		case VC_FT_INTEGER:
		case VC_FT_BIGINTEGER:
		case VC_FT_SMALLINTEGER:
		case VC_FT_POSITIVEINTEGER:
			return FAM_INT;
		case VC_FT_FLOAT:
			return FAM_FLOAT;
		case VC_FT_DECIMAL:
			return FAM_DECIMAL;
		case VC_FT_BOOLEAN:
			return FAM_BOOL;
		case VC_FT_DATETIME:
			return FAM_DATETIME;
		case VC_FT_DATE:
			return FAM_DATE;
		case VC_FT_TIME:
			return FAM_TIME;
		case VC_FT_UUID:
			return FAM_UUID;
		case VC_FT_JSON:
			return FAM_JSON;
		case VC_FT_BINARY:
			return FAM_BINARY;
		case VC_FT_IPADDRESS:
			return FAM_IP;
		case VC_FT_ARRAY:
			return FAM_ARRAY;
		default:
			return FAM_STR;
	}
}

static void
int_range(vc_field_type t, long long *lo, long long *hi, int *digits)
{
	switch (t)
	{
		case VC_FT_SMALLINTEGER:
			*lo = -32768;
			*hi = 32767;
			*digits = 5;
			break;
		case VC_FT_POSITIVEINTEGER:
			*lo = 0;
			*hi = 2147483647LL;
			*digits = 10;
			break;
		case VC_FT_BIGAUTO:
		case VC_FT_BIGINTEGER:
			*lo = -9223372036854775807LL - 1;
			*hi = 9223372036854775807LL;
			*digits = 19;
			break;
		default:
			*lo = -2147483648LL;
			*hi = 2147483647LL;
			*digits = 10;
			break;
	}
}

/* Text length limit: 0 means unbounded (text). UUID text is 36. */
static int
str_limit(const eff *e)
{
	switch (e->type)
	{
		case VC_FT_CHAR:
		case VC_FT_EMAIL:
		case VC_FT_SLUG:
		case VC_FT_URL:
			return e->max_length;
		default:
			return 0;
	}
}

static bool
is_auto(vc_field_type t)
{
	return t == VC_FT_AUTO || t == VC_FT_BIGAUTO;
}

static vc_type_change
classify_eff(const eff *a, const eff *b)
{
	family		fa = family_of(a->type),
				fb = family_of(b->type);

	if (is_auto(a->type) != is_auto(b->type))
		return VC_TYPE_INCOMPATIBLE;	/* identity on/off is not a type change */
	if (fa == FAM_INT && fb == FAM_INT)
	{
		long long	la,
					ha,
					lb,
					hb;
		int			da,
					db;

		int_range(a->type, &la, &ha, &da);
		int_range(b->type, &lb, &hb, &db);
		if (la == lb && ha == hb)
			return VC_TYPE_SAME;
		return (lb <= la && hb >= ha) ? VC_TYPE_WIDEN : VC_TYPE_NARROW;
	}
	if (fa == FAM_INT && fb == FAM_FLOAT)
		return a->type == VC_FT_BIGINTEGER ? VC_TYPE_NARROW : VC_TYPE_WIDEN;
	if (fa == FAM_INT && fb == FAM_DECIMAL)
	{
		long long	lo,
					hi;
		int			digits;

		int_range(a->type, &lo, &hi, &digits);
		return b->max_digits - b->decimal_places >= digits ? VC_TYPE_WIDEN : VC_TYPE_NARROW;
	}
	if (fa == FAM_DECIMAL && fb == FAM_DECIMAL)
	{
		if (a->max_digits == b->max_digits && a->decimal_places == b->decimal_places)
			return VC_TYPE_SAME;
		if (b->decimal_places >= a->decimal_places &&
			b->max_digits - b->decimal_places >= a->max_digits - a->decimal_places)
			return VC_TYPE_WIDEN;
		return VC_TYPE_NARROW;
	}
	if (fa == FAM_STR && fb == FAM_STR)
	{
		int			na = str_limit(a),
					nb = str_limit(b);

		if (na == nb)
			return VC_TYPE_SAME;
		if (nb == 0 || (na != 0 && nb > na))
			return VC_TYPE_WIDEN;
		return VC_TYPE_NARROW;
	}
	if (fa == FAM_UUID && fb == FAM_STR)
	{
		int			nb = str_limit(b);

		return (nb == 0 || nb >= 36) ? VC_TYPE_WIDEN : VC_TYPE_INCOMPATIBLE;
	}
	if (fa == FAM_DATE && fb == FAM_DATETIME)
		return VC_TYPE_WIDEN;
	if (fa == FAM_ARRAY && fb == FAM_ARRAY)
	{
		eff			ea,
					eb;
		vc_type_change c;

		memset(&ea, 0, sizeof(ea));
		memset(&eb, 0, sizeof(eb));
		ea.type = a->base->type;
		ea.max_length = a->base->max_length;
		ea.max_digits = a->base->max_digits;
		ea.decimal_places = a->base->decimal_places;
		eb.type = b->base->type;
		eb.max_length = b->base->max_length;
		eb.max_digits = b->base->max_digits;
		eb.decimal_places = b->base->decimal_places;
		c = classify_eff(&ea, &eb);
		/* a narrowing of elements has no simple data test: refuse it */
		return c == VC_TYPE_NARROW ? VC_TYPE_INCOMPATIBLE : c;
	}
	if (fa == fb && fa != FAM_INT && fa != FAM_DECIMAL && fa != FAM_STR)
		return VC_TYPE_SAME;
	return VC_TYPE_INCOMPATIBLE;
}

vc_type_change
vc_type_classify(const vc_field *from, const vc_field *to, vc_dialect d)
{
	eff			a,
				b;

	(void) d;					/* the same rules hold on both dialects */
	if (effective(from, &a, NULL) != VC_OK || effective(to, &b, NULL) != VC_OK)
		return VC_TYPE_INCOMPATIBLE;
	return classify_eff(&a, &b);
}

vc_code
vc_type_narrow_test(const vc_alloc *a, const char *table, const vc_field *from,
					const vc_field *to, vc_dialect d, char **sql, vc_error *err)
{
	eff			ea,
				eb;
	vc_buf		b;
	vc_code		rc;
	const char *col = from->column;

	*sql = NULL;
	if ((rc = vc_types_dialect_check(d, err)) != VC_OK ||
		(rc = effective(from, &ea, err)) != VC_OK ||
		(rc = effective(to, &eb, err)) != VC_OK)
		return rc;
	if (classify_eff(&ea, &eb) != VC_TYPE_NARROW)
		return VC_OK;
	if ((rc = vc_ident_validate(table, strlen(table), "table name", err)) != VC_OK)
		return rc;
	vc_buf_init(&b, a);
	vc_buf_puts(&b, "SELECT 1 FROM ");
	vc_ident_quote_buf(&b, table, strlen(table), d);
	vc_buf_puts(&b, " WHERE ");
	switch (family_of(eb.type))
	{
		case FAM_STR:
			vc_buf_puts(&b, "length(");
			qcol(&b, col, d);
			vc_buf_printf(&b, ") > %d", str_limit(&eb));
			break;
		case FAM_INT:
			{
				long long	la,
							ha,
							lb,
							hb;
				int			dg;
				bool		both;

				int_range(ea.type, &la, &ha, &dg);
				int_range(eb.type, &lb, &hb, &dg);
				both = la < lb && ha > hb;
				if (la < lb)
				{
					qcol(&b, col, d);
					vc_buf_printf(&b, " < %lld", lb);
				}
				if (both)
					vc_buf_puts(&b, " OR ");
				if (ha > hb)
				{
					qcol(&b, col, d);
					vc_buf_printf(&b, " > %lld", hb);
				}
				break;
			}
		case FAM_FLOAT:
			/* integers beyond 2^53 lose precision as double */
			qcol(&b, col, d);
			vc_buf_puts(&b, " > 9007199254740992 OR ");
			qcol(&b, col, d);
			vc_buf_puts(&b, " < -9007199254740992");
			break;
		case FAM_DECIMAL:
			{
				int			intdigits = eb.max_digits - eb.decimal_places;

				qcol(&b, col, d);
				vc_buf_printf(&b, " >= 1e%d OR ", intdigits);
				qcol(&b, col, d);
				vc_buf_printf(&b, " <= -1e%d", intdigits);
				if (family_of(ea.type) == FAM_DECIMAL &&
					eb.decimal_places < ea.decimal_places)
				{
					vc_buf_puts(&b, " OR ");
					qcol(&b, col, d);
					vc_buf_puts(&b, " <> round(");
					qcol(&b, col, d);
					vc_buf_printf(&b, ", %d)", eb.decimal_places);
				}
				break;
			}
		default:
			vc_buf_reset(&b);
			return vc_error_set(err, VC_ERR_INTERNAL,
								"no data test for this narrowing");
	}
	vc_buf_puts(&b, " LIMIT 1");
	return vc_buf_finish(&b, sql, NULL, err);
}
