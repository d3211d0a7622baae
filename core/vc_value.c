/*
 * vc_value.c — JSON value → bound parameter for one field (vc_value.h):
 * the type, range, length, choices and date/time checks of DESIGN §5/§6,
 * and the canonical text each host binds.
 *
 * Messages name the model and the field but never the value itself
 * (DESIGN §9: messages never contain the values bound to a query).
 *
 * Date/time canonical forms: timestamps are converted to UTC so that the
 * SQLite text comparison orders them right; SQLite keeps milliseconds, the
 * precision its own strftime('%f') writes for auto_now.
 *
 * Memory: text comes from the vc_pool handed in (vc_model_int.h).
 */
#include "vc_value.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "vc_model_int.h"
#include "vc_text.h"
#include "vc_valid.h"

static const char *const kind_names[VC_PARAM__COUNT] = {
	"null", "bool", "int", "double", "text", "numeric", "timestamp", "date",
	"time", "uuid", "json", "bytes", "inet", "array"
};

const char *
vc_param_kind_name(vc_param_kind k)
{
	return (k >= 0 && k < VC_PARAM__COUNT) ? kind_names[k] : "unknown";
}

static const char *
pg_scalar(vc_field_type t, bool array)
{
	switch (t)
	{
		case VC_FT_SMALLINTEGER:
			return array ? "int2[]" : "int2";
		case VC_FT_AUTO:
		case VC_FT_INTEGER:
		case VC_FT_POSITIVEINTEGER:
			return array ? "int4[]" : "int4";
		case VC_FT_BIGAUTO:
		case VC_FT_BIGINTEGER:
			return array ? "int8[]" : "int8";
		case VC_FT_FLOAT:
			return array ? "float8[]" : "float8";
		case VC_FT_DECIMAL:
			return array ? "numeric[]" : "numeric";
		case VC_FT_BOOLEAN:
			return array ? "bool[]" : "bool";
		case VC_FT_DATETIME:
			return array ? "timestamptz[]" : "timestamptz";
		case VC_FT_DATE:
			return array ? "date[]" : "date";
		case VC_FT_TIME:
			return array ? "time[]" : "time";
		case VC_FT_UUID:
			return array ? "uuid[]" : "uuid";
		case VC_FT_JSON:
			return array ? "jsonb[]" : "jsonb";
		case VC_FT_BINARY:
			return array ? "bytea[]" : "bytea";
		case VC_FT_IPADDRESS:
			return array ? "inet[]" : "inet";
		default:
			return array ? "text[]" : "text";
	}
}

const char *
vc_field_pg_type(const vc_field *f)
{
	if (f->type == VC_FT_ARRAY && f->base_field)
		return pg_scalar(vc_field_storage_type(f->base_field), true);
	return pg_scalar(vc_field_storage_type(f), false);
}

/* ---- errors ------------------------------------------------------------- */

/*
 * The field a message names: an ArrayField's elements are checked against
 * its base_field, which has no name of its own, so messages name the array
 * field and the element's 1-based position (elem 0: not an element).
 */
typedef struct vname
{
	const vc_field *f;
	size_t		elem;
} vname;

static vc_code
verr(vc_error *err, vc_code code, const vc_model *m, const vname *nm,
	 const char *what, const char *msg)
{
	const char *fname = nm->f->name ? nm->f->name : "?";

	if (nm->elem > 0)
		return vc_error_set(err, code, "model \"%s\", field \"%s\" (element %zu): %s %s",
							m ? m->label : "?", fname, nm->elem, what, msg);
	return vc_error_set(err, code, "model \"%s\", field \"%s\": %s %s",
						m ? m->label : "?", fname, what, msg);
}

/* f types the value (base_field for an element); nm names it. */
static vc_code
wrong(vc_error *err, const vc_model *m, const vc_field *f, const vname *nm,
	  const char *what, const char *expect)
{
	char		msg[128];

	snprintf(msg, sizeof(msg), "must be %s for %s", expect,
			 vc_field_type_name(vc_field_storage_type(f)));
	return verr(err, VC_ERR_TEXT_REPR, m, nm, what, msg);
}

/* ---- date and time ------------------------------------------------------ */

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long
days_from_civil(long y, int m, int d)
{
	long		era,
				yoe,
				doy,
				doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(long z, long *y, int *m, int *d)
{
	long		era,
				doe,
				yoe,
				doy,
				mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	*y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int) (doy - (153 * mp + 2) / 5 + 1);
	*m = (int) (mp < 10 ? mp + 3 : mp - 9);
	*y += *m <= 2;
}

/* v as exactly width decimal digits at p (v >= 0 and fits); returns the
 * end. Used instead of snprintf: timestamps are bound on hot paths. */
static char *
put_fixed(char *p, long v, int width)
{
	int			i;

	for (i = width - 1; i >= 0; i--)
	{
		p[i] = (char) ('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

/*
 * Date, or date + [T ]time + optional Z/±HH[[:]MM] → canonical UTC text.
 * false when the text is not such a timestamp.
 */
static bool
norm_timestamp(const char *s, size_t len, vc_dialect d, char out[64])
{
	vc_datetime dt;
	long		days,
				secs,
				yy;
	int			mo,
				dd;

	if (!vc_valid_datetime(s, len, false, &dt))
		return false;
	days = days_from_civil(dt.year, dt.month, dt.day);
	secs = (long) dt.hour * 3600 + dt.minute * 60 + dt.second - (long) dt.offmin * 60;
	while (secs < 0)
		secs += 86400, days--;
	while (secs >= 86400)
		secs -= 86400, days++;
	civil_from_days(days, &yy, &mo, &dd);
	if (yy < 1 || yy > 9999)
		return false;
	/* YYYY-MM-DDTHH:MM:SS.fff[fff]Z (yy is 1..9999: four digits) */
	{
		char	   *o = out;

		o = put_fixed(o, yy, 4);
		*o++ = '-';
		o = put_fixed(o, mo, 2);
		*o++ = '-';
		o = put_fixed(o, dd, 2);
		*o++ = 'T';
		o = put_fixed(o, secs / 3600, 2);
		*o++ = ':';
		o = put_fixed(o, (secs / 60) % 60, 2);
		*o++ = ':';
		o = put_fixed(o, secs % 60, 2);
		*o++ = '.';
		if (d == VC_DIALECT_SQLITE)
			o = put_fixed(o, dt.micro / 1000 % 1000, 3);
		else
			o = put_fixed(o, dt.micro % 1000000, 6);
		*o++ = 'Z';
		*o = '\0';
	}
	return true;
}

static bool
norm_time(const char *s, size_t len, vc_dialect d, char out[64])
{
	int			h,
				mi,
				sec;
	long		micro;

	/* an empty string consumes 0 bytes: no time (h, mi would be unset) */
	if (len == 0 || vc_valid_time(s, len, &h, &mi, &sec, &micro) != len)
		return false;
	if (d == VC_DIALECT_SQLITE)
		snprintf(out, 64, "%02d:%02d:%02d.%03d", h, mi, sec, (int) (micro / 1000 % 1000));
	else
		snprintf(out, 64, "%02d:%02d:%02d.%06d", h, mi, sec, (int) (micro % 1000000));
	return true;
}

/* ---- other formats ------------------------------------------------------ */

/* A loose but safe address check: the database's inet input decides the
 * rest; only hex digits, dots, colons and one optional /prefix. */
static bool
valid_inet(const char *s, size_t len)
{
	size_t		i;
	bool		colon = false,
				dot = false;

	if (len == 0 || len > 45)
		return false;
	for (i = 0; i < len; i++)
	{
		if (s[i] == ':')
			colon = true;
		else if (s[i] == '.')
			dot = true;
		else if (!vc_ascii_isxdigit((unsigned char) s[i]))
			return false;
	}
	if (!colon)
	{
		int			parts = 0;
		size_t		st = 0;

		if (!dot)
			return false;
		for (i = 0; i <= len; i++)
			if (i == len || s[i] == '.')
			{
				if (i == st || i - st > 3 || !vc_valid_digits(s + st, i - st) ||
					vc_digits_value(s + st, i - st) > 255)
					return false;
				parts++;
				st = i + 1;
			}
		return parts == 4;
	}
	return true;
}

/* Decimal text: digits before and after the point (trailing zeros free). */
static bool
decimal_text(const char *s, size_t len, int *id, int *fd)
{
	size_t		i = 0;
	bool		lead = true,
				any = false;

	*id = *fd = 0;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	for (; i < len && vc_ascii_isdigit((unsigned char) s[i]); i++)
	{
		any = true;
		if (lead && s[i] == '0')
			continue;
		lead = false;
		(*id)++;
	}
	if (i < len && s[i] == '.')
	{
		size_t		st = ++i;

		for (; i < len && vc_ascii_isdigit((unsigned char) s[i]); i++)
		{
			any = true;
			if (s[i] != '0')
				*fd = (int) (i - st + 1);
		}
	}
	return any && i == len;
}

/* ---- binding ------------------------------------------------------------ */

static vc_code
set_text(vc_pool *pool, vc_param *p, const char *s, size_t len, vc_error *err)
{
	p->text = vc_pool_strndup(pool, s, len);
	if (p->text == NULL)
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	p->len = len;
	return VC_OK;
}

static vc_code
bind_int(const vc_model *m, const vc_field *f, const vname *nm, const json_t *v,
		 const char *what,
		 long long lo, long long hi, vc_param *p, vc_error *err)
{
	json_int_t	x;

	if (!json_is_integer(v))
		return wrong(err, m, f, nm, what, "an integer");
	x = json_integer_value(v);
	if (x < lo || x > hi)
	{
		char		msg[96];

		snprintf(msg, sizeof(msg), "is out of range for %s",
				 vc_field_type_name(vc_field_storage_type(f)));
		return verr(err, VC_ERR_OUT_OF_RANGE, m, nm, what, msg);
	}
	p->kind = VC_PARAM_INT;
	p->i = x;
	p->sqlite_class = VC_SQLITE_INTEGER;
	return VC_OK;
}

static vc_code bind_scalar(vc_pool *pool, const vc_model *m, const vc_field *f,
						   const vname *nm, vc_field_type t, const json_t *v, vc_dialect d,
						   bool check_length, const char *what, vc_param *p,
						   vc_error *err);

/* Append one PostgreSQL array element (already type-checked). */
static void
pg_array_elem(vc_buf *b, const vc_param *e)
{
	char		num_[32];
	const char *s;
	size_t		i;

	switch (e->kind)
	{
		case VC_PARAM_NULL:
			vc_buf_puts(b, "NULL");
			return;
		case VC_PARAM_BOOL:
			vc_buf_puts(b, e->b ? "t" : "f");
			return;
		case VC_PARAM_INT:
			snprintf(num_, sizeof(num_), "%lld", (long long) e->i);
			vc_buf_puts(b, num_);
			return;
		case VC_PARAM_DOUBLE:
			snprintf(num_, sizeof(num_), "%.17g", e->d);
			vc_buf_puts(b, num_);
			return;
		default:
			break;
	}
	/* BYTES text already carries bytea's \x prefix (escaped below) */
	s = e->text;
	vc_buf_putc(b, '"');
	for (i = 0; i < e->len; i++)
	{
		if (s[i] == '"' || s[i] == '\\')
			vc_buf_putc(b, '\\');
		vc_buf_putc(b, s[i]);
	}
	vc_buf_putc(b, '"');
}

static vc_code
bind_array(vc_pool *pool, const vc_model *m, const vc_field *f,
		   const json_t *v, vc_dialect d, bool check_length, const char *what,
		   vc_param *p, vc_error *err)
{
	size_t		i;
	vc_code		rc;
	vc_buf		b;
	char	   *txt;
	size_t		tlen;
	vname		top = {f, 0};

	if (!json_is_array(v))
		return wrong(err, m, f, &top, what, "an array");
	if (f->size > 0 && json_array_size(v) > (size_t) f->size)
		return verr(err, VC_ERR_OUT_OF_RANGE, m, &top, what,
					"has more elements than the field's size");
	vc_buf_init(&b, pool->alloc);
	vc_buf_putc(&b, '{');
	for (i = 0; i < json_array_size(v); i++)
	{
		vc_param	e;
		json_t	   *ev = json_array_get(v, i);
		vname		en = {f, i + 1};

		memset(&e, 0, sizeof(e));
		if (!json_is_null(ev) &&
			(rc = bind_scalar(pool, m, f->base_field, &en, vc_field_storage_type(f->base_field),
							  ev, VC_DIALECT_POSTGRESQL, check_length,
							  "array element", &e, err)) != VC_OK)
		{
			vc_buf_reset(&b);
			return rc;
		}
		if (i > 0)
			vc_buf_putc(&b, ',');
		pg_array_elem(&b, &e);
	}
	vc_buf_putc(&b, '}');
	p->kind = VC_PARAM_ARRAY;
	p->pg_type = vc_field_pg_type(f);
	p->sqlite_class = VC_SQLITE_TEXT;
	if (d == VC_DIALECT_SQLITE)
	{
		char	   *j;

		vc_buf_reset(&b);
		j = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (j == NULL)
			return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
		rc = set_text(pool, p, j, strlen(j), err);
		free(j);
		return rc;
	}
	if ((rc = vc_buf_finish(&b, &txt, &tlen, err)) != VC_OK)
		return rc;
	rc = set_text(pool, p, txt, tlen, err);
	vc_free(pool->alloc, txt);
	return rc;
}

static vc_code
bind_scalar(vc_pool *pool, const vc_model *m, const vc_field *f,
			const vname *nm, vc_field_type t, const json_t *v, vc_dialect d, bool check_length,
			const char *what, vc_param *p, vc_error *err)
{
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;
	size_t		len = s ? json_string_length(v) : 0;
	char		buf[64];

	p->pg_type = pg_scalar(t, false);
	switch (t)
	{
		case VC_FT_SMALLINTEGER:
			return bind_int(m, f, nm, v, what, -32768, 32767, p, err);
		case VC_FT_AUTO:
		case VC_FT_INTEGER:
			return bind_int(m, f, nm, v, what, -2147483648LL, 2147483647LL, p, err);
		case VC_FT_POSITIVEINTEGER:
			return bind_int(m, f, nm, v, what, 0, 2147483647LL, p, err);
		case VC_FT_BIGAUTO:
		case VC_FT_BIGINTEGER:
			return bind_int(m, f, nm, v, what, INT64_MIN, INT64_MAX, p, err);
		case VC_FT_FLOAT:
			if (!json_is_number(v))
				return wrong(err, m, f, nm, what, "a number");
			p->kind = VC_PARAM_DOUBLE;
			p->d = json_number_value(v);
			p->sqlite_class = VC_SQLITE_REAL;
			return VC_OK;
		case VC_FT_DECIMAL:
			{
				int			id,
							fd;

				if (json_is_integer(v))
					snprintf(buf, sizeof(buf), "%lld", (long long) json_integer_value(v));
				else if (json_is_real(v))
					snprintf(buf, sizeof(buf), "%.*f",
							 f->decimal_places < 20 ? f->decimal_places : 20,
							 json_real_value(v));
				else if (s && len < sizeof(buf))
					memcpy(buf, s, len + 1);
				else
					return wrong(err, m, f, nm, what, "a number or a decimal string");
				if (!decimal_text(buf, strlen(buf), &id, &fd))
					return wrong(err, m, f, nm, what, "a number or a decimal string");
				if (f->max_digits > 0 &&
					(id > f->max_digits - f->decimal_places || fd > f->decimal_places))
				{
					snprintf(buf, sizeof(buf), "does not fit DecimalField(%d, %d)",
							 f->max_digits, f->decimal_places);
					return verr(err, VC_ERR_OUT_OF_RANGE, m, nm, what, buf);
				}
				p->kind = VC_PARAM_NUMERIC;
				p->d = strtod(buf, NULL);
				p->sqlite_class = VC_SQLITE_REAL;
				return set_text(pool, p, buf, strlen(buf), err);
			}
		case VC_FT_CHAR:
		case VC_FT_TEXT:
		case VC_FT_EMAIL:
		case VC_FT_SLUG:
		case VC_FT_URL:
		case VC_FT_FILE:
		case VC_FT_PASSWORD:
		case VC_FT_SENSITIVE:
			if (s == NULL)
				return wrong(err, m, f, nm, what, "a string");
			if (check_length)
			{
				int			ml = vc_field_type_is_fk(f->type) ? f->rel_max_length : f->max_length;

				if (ml > 0 && vc_utf8_chars(s, len) > (size_t) ml)
				{
					snprintf(buf, sizeof(buf), "is longer than max_length %d", ml);
					return verr(err, VC_ERR_STRING_TRUNC, m, nm, what, buf);
				}
			}
			p->kind = VC_PARAM_TEXT;
			p->sqlite_class = VC_SQLITE_TEXT;
			return set_text(pool, p, s, len, err);
		case VC_FT_BOOLEAN:
			if (!json_is_boolean(v))
				return wrong(err, m, f, nm, what, "true or false");
			p->kind = VC_PARAM_BOOL;
			p->b = json_is_true(v);
			p->i = p->b ? 1 : 0;
			p->sqlite_class = VC_SQLITE_INTEGER;
			return VC_OK;
		case VC_FT_DATETIME:
			if (s == NULL)
				return wrong(err, m, f, nm, what, "an ISO-8601 string");
			if (!norm_timestamp(s, len, d, buf))
				return verr(err, VC_ERR_DATETIME, m, nm, what,
							"is not an ISO-8601 date and time (YYYY-MM-DD[THH:MM[:SS[.ffffff]]][Z|+HH:MM])");
			p->kind = VC_PARAM_TIMESTAMP;
			p->sqlite_class = VC_SQLITE_TEXT;
			return set_text(pool, p, buf, strlen(buf), err);
		case VC_FT_DATE:
			{
				int			y,
							mo,
							dd;

				if (s == NULL)
					return wrong(err, m, f, nm, what, "an ISO-8601 string");
				if (vc_valid_date(s, len, &y, &mo, &dd) != len || len != 10)
					return verr(err, VC_ERR_DATETIME, m, nm, what,
								"is not a date (YYYY-MM-DD)");
				p->kind = VC_PARAM_DATE;
				p->sqlite_class = VC_SQLITE_TEXT;
				return set_text(pool, p, s, len, err);
			}
		case VC_FT_TIME:
			if (s == NULL)
				return wrong(err, m, f, nm, what, "an ISO-8601 string");
			if (!norm_time(s, len, d, buf))
				return verr(err, VC_ERR_DATETIME, m, nm, what,
							"is not a time (HH:MM[:SS[.ffffff]])");
			p->kind = VC_PARAM_TIME;
			p->sqlite_class = VC_SQLITE_TEXT;
			return set_text(pool, p, buf, strlen(buf), err);
		case VC_FT_UUID:
			{
				size_t		i;

				if (s == NULL || !vc_valid_uuid(s, len))
					return wrong(err, m, f, nm, what, "a UUID string");
				for (i = 0; i < len; i++)
					buf[i] = (char) vc_ascii_tolower((unsigned char) s[i]);
				p->kind = VC_PARAM_UUID;
				p->sqlite_class = VC_SQLITE_TEXT;
				return set_text(pool, p, buf, len, err);
			}
		case VC_FT_JSON:
			{
				char	   *j = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
				vc_code		rc;

				if (j == NULL)
					return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
				p->kind = VC_PARAM_JSON;
				p->sqlite_class = VC_SQLITE_TEXT;
				rc = set_text(pool, p, j, strlen(j), err);
				free(j);
				return rc;
			}
		case VC_FT_BINARY:
			{
				size_t		i;
				vc_code		rc;

				if (s != NULL && len >= 2 && s[0] == '\\' && s[1] == 'x')
					s += 2, len -= 2;
				if (s == NULL || !vc_valid_hex_pairs(s, len))
					return wrong(err, m, f, nm, what, "a string of hex digit pairs");
				p->kind = VC_PARAM_BYTES;
				p->sqlite_class = VC_SQLITE_BLOB;
				if (d == VC_DIALECT_SQLITE)
				{
					/* hex digits: the host binds vc_hex_decode'd bytes */
					if ((rc = set_text(pool, p, s, len, err)) != VC_OK)
						return rc;
				}
				else
				{
					/*
					 * PostgreSQL: bytea's own input form \x + hex, so
					 * vc_param_pg_text hands the input function text it
					 * reads as hex (plain "00ff" would be the escape
					 * format: those four characters as bytes).
					 */
					p->text = vc_pool_alloc(pool, len + 3);
					if (p->text == NULL)
						return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
					p->text[0] = '\\';
					p->text[1] = 'x';
					memcpy(p->text + 2, s, len);
					p->text[len + 2] = '\0';
					p->len = len + 2;
				}
				for (i = 0; i < p->len; i++)
					p->text[i] = (char) vc_ascii_tolower((unsigned char) p->text[i]);
				return VC_OK;
			}
		case VC_FT_IPADDRESS:
			if (s == NULL || !valid_inet(s, len))
				return wrong(err, m, f, nm, what, "an IPv4 or IPv6 address string");
			p->kind = VC_PARAM_INET;
			p->sqlite_class = VC_SQLITE_TEXT;
			return set_text(pool, p, s, len, err);
		default:
			return verr(err, VC_ERR_INVALID_PARAM, m, nm, what,
						"cannot be given for this field type");
	}
}

vc_code
vc_value_bind(vc_pool *pool, const vc_model *m, const vc_field *f,
			  const json_t *v, vc_dialect d, bool check_length,
			  bool check_choices, const char *what, vc_param *out,
			  vc_error *err)
{
	vc_code		rc;
	vname		top = {f, 0};

	memset(out, 0, sizeof(*out));
	out->pg_type = vc_field_pg_type(f);
	if (v == NULL || json_is_null(v))
	{
		out->kind = VC_PARAM_NULL;
		out->sqlite_class = VC_SQLITE_NULL;
		return VC_OK;
	}
	if (f->type == VC_FT_ARRAY)
		rc = bind_array(pool, m, f, v, d, check_length, what, out, err);
	else
		rc = bind_scalar(pool, m, f, &top, vc_field_storage_type(f), v, d, check_length, what,
						 out, err);
	if (rc != VC_OK)
		return rc;
	out->pg_type = vc_field_pg_type(f);
	if (check_choices && f->choices && json_is_array(f->choices))
	{
		size_t		i;

		for (i = 0; i < json_array_size(f->choices); i++)
		{
			json_t	   *c = json_array_get(f->choices, i);
			json_t	   *cv = json_is_array(c) ? json_array_get(c, 0) : c;

			if (cv && json_equal(cv, (json_t *) v))
				return VC_OK;
		}
		return verr(err, VC_ERR_INVALID_PARAM, m, &top, what,
					"is not one of the field's choices");
	}
	return VC_OK;
}

const char *
vc_param_pg_text(const vc_param *p, char buf[32])
{
	switch (p->kind)
	{
		case VC_PARAM_NULL:
			return NULL;
		case VC_PARAM_BOOL:
			return p->b ? "true" : "false";
		case VC_PARAM_INT:
			snprintf(buf, 32, "%lld", (long long) p->i);
			return buf;
		case VC_PARAM_DOUBLE:
			snprintf(buf, 32, "%.17g", p->d);
			return buf;
		default:
			return p->text;
	}
}

size_t
vc_hex_decode(const char *hex, size_t len, unsigned char *out)
{
	size_t		i;

	if (len % 2 != 0)
		return (size_t) -1;
	for (i = 0; i < len; i += 2)
	{
		int			hi = hex[i],
					lo = hex[i + 1];

		if (!vc_ascii_isxdigit(hi) || !vc_ascii_isxdigit(lo))
			return (size_t) -1;
		hi = vc_ascii_isdigit(hi) ? hi - '0' : vc_ascii_tolower(hi) - 'a' + 10;
		lo = vc_ascii_isdigit(lo) ? lo - '0' : vc_ascii_tolower(lo) - 'a' + 10;
		out[i / 2] = (unsigned char) (hi * 16 + lo);
	}
	return len / 2;
}
