/*
 * vc_model_field.c — one field of a model schema (DESIGN §3): its type, the
 * options that apply to that type (anything else is 22023, so a typo never
 * passes silently), derived names (column, junction table), and the check
 * of default and choice values against the field's type.
 *
 * Memory: everything lands in the model's pool (vc_model_int.h).
 */
#include "vc_model_int.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vc_text.h"
#include "vc_valid.h"

static const char *const type_names[VC_FT__COUNT] = {
	[VC_FT_AUTO] = "AutoField",
	[VC_FT_BIGAUTO] = "BigAutoField",
	[VC_FT_INTEGER] = "IntegerField",
	[VC_FT_BIGINTEGER] = "BigIntegerField",
	[VC_FT_SMALLINTEGER] = "SmallIntegerField",
	[VC_FT_POSITIVEINTEGER] = "PositiveIntegerField",
	[VC_FT_FLOAT] = "FloatField",
	[VC_FT_DECIMAL] = "DecimalField",
	[VC_FT_CHAR] = "CharField",
	[VC_FT_TEXT] = "TextField",
	[VC_FT_EMAIL] = "EmailField",
	[VC_FT_SLUG] = "SlugField",
	[VC_FT_URL] = "URLField",
	[VC_FT_BOOLEAN] = "BooleanField",
	[VC_FT_DATETIME] = "DateTimeField",
	[VC_FT_DATE] = "DateField",
	[VC_FT_TIME] = "TimeField",
	[VC_FT_UUID] = "UUIDField",
	[VC_FT_JSON] = "JSONField",
	[VC_FT_BINARY] = "BinaryField",
	[VC_FT_IPADDRESS] = "GenericIPAddressField",
	[VC_FT_ARRAY] = "ArrayField",
	[VC_FT_FOREIGNKEY] = "ForeignKey",
	[VC_FT_ONETOONE] = "OneToOneField",
	[VC_FT_MANYTOMANY] = "ManyToManyField",
	[VC_FT_FILE] = "FileField",
	[VC_FT_PASSWORD] = "PasswordField",
	[VC_FT_SENSITIVE] = "SensitiveField",
};

/* Which type-specific options a type takes (besides the common ones). */
#define K_MAXLEN	0x01		/* max_length */
#define K_DIGITS	0x02		/* max_digits, decimal_places */
#define K_AUTONOW	0x04		/* auto_now, auto_now_add */
#define K_REL		0x08		/* to, related_name */
#define K_ONDELETE	0x10		/* on_delete */
#define K_THROUGH	0x20		/* through */
#define K_BASE		0x40		/* base_field, size */
#define K_NOCOMMON	0x80		/* ManyToMany: no column options */

static const unsigned type_keys[VC_FT__COUNT] = {
	[VC_FT_CHAR] = K_MAXLEN,
	[VC_FT_TEXT] = K_MAXLEN,
	[VC_FT_EMAIL] = K_MAXLEN,
	[VC_FT_SLUG] = K_MAXLEN,
	[VC_FT_URL] = K_MAXLEN,
	[VC_FT_FILE] = K_MAXLEN,
	[VC_FT_PASSWORD] = K_MAXLEN,
	[VC_FT_SENSITIVE] = K_MAXLEN,
	[VC_FT_DECIMAL] = K_DIGITS,
	[VC_FT_DATETIME] = K_AUTONOW,
	[VC_FT_DATE] = K_AUTONOW,
	[VC_FT_TIME] = K_AUTONOW,
	[VC_FT_ARRAY] = K_BASE,
	[VC_FT_FOREIGNKEY] = K_REL | K_ONDELETE,
	[VC_FT_ONETOONE] = K_REL | K_ONDELETE,
	[VC_FT_MANYTOMANY] = K_REL | K_THROUGH | K_NOCOMMON,
};

/* Every key a field object may carry, and the type flag it needs (0 = common). */
static const struct
{
	const char *key;
	unsigned	needs;
}			field_keys[] = {
	{"name", 0}, {"type", 0}, {"primary_key", 0}, {"null", 0},
	{"blank", 0}, {"unique", 0}, {"db_index", 0}, {"default", 0},
	{"db_column", 0}, {"choices", 0}, {"help_text", 0},
	{"verbose_name", 0}, {"old_name", 0},
	{"max_length", K_MAXLEN}, {"max_digits", K_DIGITS},
	{"decimal_places", K_DIGITS}, {"auto_now", K_AUTONOW},
	{"auto_now_add", K_AUTONOW}, {"to", K_REL}, {"related_name", K_REL},
	{"on_delete", K_ONDELETE}, {"through", K_THROUGH},
	{"base_field", K_BASE}, {"size", K_BASE},
};
#define NFIELD_KEYS (sizeof(field_keys) / sizeof(field_keys[0]))

/* Keys a ManyToManyField keeps from the common set. */
static const char *const m2m_common[] = {
	"name", "type", "blank", "help_text", "verbose_name"
};

const char *
vc_field_type_name(vc_field_type t)
{
	if ((int) t < 0 || t >= VC_FT__COUNT)
		return "unknown";
	return type_names[t];
}

bool
vc_field_type_parse(const char *name, vc_field_type *out)
{
	int			i;

	for (i = 0; i < VC_FT__COUNT; i++)
		if (strcmp(name, type_names[i]) == 0)
		{
			*out = (vc_field_type) i;
			return true;
		}
	return false;
}

bool
vc_field_type_is_fk(vc_field_type t)
{
	return t == VC_FT_FOREIGNKEY || t == VC_FT_ONETOONE;
}

bool
vc_field_type_is_integer(vc_field_type t)
{
	switch (t)
	{
		case VC_FT_AUTO:
		case VC_FT_BIGAUTO:
		case VC_FT_INTEGER:
		case VC_FT_BIGINTEGER:
		case VC_FT_SMALLINTEGER:
		case VC_FT_POSITIVEINTEGER:
			return true;
		default:
			return false;
	}
}

bool
vc_field_type_is_text(vc_field_type t)
{
	switch (t)
	{
		case VC_FT_CHAR:
		case VC_FT_TEXT:
		case VC_FT_EMAIL:
		case VC_FT_SLUG:
		case VC_FT_URL:
		case VC_FT_FILE:
		case VC_FT_PASSWORD:
		case VC_FT_SENSITIVE:
			return true;
		default:
			return false;
	}
}

vc_field_type
vc_field_storage_type(const vc_field *f)
{
	return vc_field_type_is_fk(f->type) ? f->rel_type : f->type;
}

void
vc_lower_ident(const char *s, char *out, size_t outsz)
{
	size_t		i;

	for (i = 0; s[i] && i + 1 < outsz; i++)
		out[i] = (char) tolower((unsigned char) s[i]);
	out[i] = '\0';
}

/* Is key allowed on type t? *known says whether it is a field key at all. */
static bool
key_allowed(vc_field_type t, const char *key, bool *known)
{
	size_t		i;
	unsigned	flags = type_keys[t];

	*known = false;
	for (i = 0; i < NFIELD_KEYS; i++)
	{
		if (strcmp(key, field_keys[i].key) != 0)
			continue;
		*known = true;
		if (field_keys[i].needs == 0)
		{
			size_t		j;

			if (!(flags & K_NOCOMMON))
				return true;
			for (j = 0; j < sizeof(m2m_common) / sizeof(m2m_common[0]); j++)
				if (strcmp(key, m2m_common[j]) == 0)
					return true;
			return false;
		}
		return (flags & field_keys[i].needs) != 0;
	}
	return false;
}

static vc_code
unknown_key(vc_mctx *c, const char *key, const char *const *cands, size_t n)
{
	char		echo[VC_ECHO_BUFSZ];
	const char *near = vc_nearest(key, strlen(key), cands, n);

	vc_mctx_error(c, VC_ERR_INVALID_PARAM, "unknown option \"%s\"",
				  vc_echo(echo, sizeof(echo), key, strlen(key)));
	if (near)
		vc_error_hint(c->err, "Did you mean \"%s\"?", near);
	return VC_ERR_INVALID_PARAM;
}

static vc_code
get_bool(vc_mctx *c, const json_t *obj, const char *key, bool *out)
{
	json_t	   *v = json_object_get(obj, key);

	if (v == NULL)
		return VC_OK;
	if (!json_is_boolean(v))
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "option \"%s\" must be true or false", key);
	*out = json_is_true(v);
	return VC_OK;
}

/* An optional integer option in [lo, hi]; *present tells if it was given. */
static vc_code
get_int(vc_mctx *c, const json_t *obj, const char *key, long lo, long hi,
		int *out, bool *present)
{
	json_t	   *v = json_object_get(obj, key);

	if (present)
		*present = (v != NULL);
	if (v == NULL)
		return VC_OK;
	if (!json_is_integer(v) || json_integer_value(v) < lo ||
		json_integer_value(v) > hi)
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "option \"%s\" must be an integer between %ld and %ld",
							 key, lo, hi);
	*out = (int) json_integer_value(v);
	return VC_OK;
}

/* An optional string option copied into the pool. */
static vc_code
get_str(vc_mctx *c, const json_t *obj, const char *key, char **out)
{
	json_t	   *v = json_object_get(obj, key);

	if (v == NULL)
		return VC_OK;
	if (!json_is_string(v))
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "option \"%s\" must be a string", key);
	*out = vc_pool_strndup(c->pool, json_string_value(v), json_string_length(v));
	return *out ? VC_OK : vc_mctx_oom(c);
}

/*
 * A model label "app.Model" or "Model" (same app) or "self", qualified into
 * *out. what names the option in messages.
 */
static vc_code
qualify_label(vc_mctx *c, const json_t *v, const char *app,
			  const char *model_name, const char *what, char **out)
{
	const char *s;
	const char *dot;
	char		buf[2 * VC_IDENT_MAX + 8];
	char		echo[VC_ECHO_BUFSZ];
	vc_code		rc;

	if (!json_is_string(v) || json_string_length(v) == 0)
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "option \"%s\" must be a model label like \"app.Model\"",
							 what);
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v) || strlen(s) > 2 * VC_IDENT_MAX + 1)
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "invalid model label \"%s\" in \"%s\"",
							 vc_echo(echo, sizeof(echo), s, json_string_length(v)),
							 what);
	if (strcmp(s, "self") == 0)
	{
		snprintf(buf, sizeof(buf), "%s.%s", app, model_name);
		*out = vc_pool_strdup(c->pool, buf);
		return *out ? VC_OK : vc_mctx_oom(c);
	}
	dot = strchr(s, '.');
	if (dot == NULL)
	{
		if ((rc = vc_mctx_ident(c, s, "model name")) != VC_OK)
			return rc;
		snprintf(buf, sizeof(buf), "%s.%s", app, s);
	}
	else
	{
		char		part[VC_IDENT_MAX + 2];
		size_t		alen = (size_t) (dot - s);

		if (alen > VC_IDENT_MAX || strchr(dot + 1, '.') != NULL)
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "invalid model label \"%s\" in \"%s\"",
								 vc_echo(echo, sizeof(echo), s, strlen(s)), what);
		memcpy(part, s, alen);
		part[alen] = '\0';
		if ((rc = vc_mctx_ident(c, part, "app name")) != VC_OK ||
			(rc = vc_mctx_ident(c, dot + 1, "model name")) != VC_OK)
			return rc;
		snprintf(buf, sizeof(buf), "%s", s);
	}
	*out = vc_pool_strdup(c->pool, buf);
	return *out ? VC_OK : vc_mctx_oom(c);
}

/* ---- value checks ---------------------------------------------------- */

static bool
valid_ipv4(const char *s, size_t len)
{
	size_t		i = 0;
	int			parts = 0;

	while (parts < 4)
	{
		size_t		start = i;
		int			v = 0;

		while (i < len && isdigit((unsigned char) s[i]) && i - start < 3)
			v = v * 10 + (s[i++] - '0');
		if (i == start || v > 255 || (i - start > 1 && s[start] == '0'))
			return false;
		parts++;
		if (parts < 4)
		{
			if (i >= len || s[i] != '.')
				return false;
			i++;
		}
	}
	return i == len;
}

/* IPv6 text form: hex groups, one "::" at most, optional IPv4 tail. */
static bool
valid_ipv6(const char *s, size_t len)
{
	size_t		i = 0;
	int			groups = 0;
	bool		gap = false;

	if (len < 2 || len > 45)
		return false;
	if (s[0] == ':')
	{
		if (s[1] != ':')
			return false;
		gap = true;
		i = 2;
		if (i == len)
			return true;
	}
	while (i < len)
	{
		size_t		start = i;

		while (i < len && isxdigit((unsigned char) s[i]) && i - start < 4)
			i++;
		if (i < len && s[i] == '.')
		{
			/* embedded IPv4 counts as two groups and ends the address */
			return valid_ipv4(s + start, len - start) &&
				(groups + 2 == 8 || (gap && groups + 2 < 8));
		}
		if (i == start)
			return false;
		groups++;
		if (i == len)
			break;
		if (s[i] != ':')
			return false;
		i++;
		if (i < len && s[i] == ':')
		{
			if (gap)
				return false;
			gap = true;
			i++;
			if (i == len)
				break;
		}
		else if (i == len)
			return false;
	}
	return gap ? groups < 8 : groups == 8;
}

/* "-12.50": sign, integer digits, optional fraction; counts the digits. */
static bool
decimal_text(const char *s, size_t len, int *intdigits, int *fracdigits)
{
	size_t		i = 0;
	int			id = 0,
				fd = 0;
	bool		lead = true;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	if (i == len)
		return false;
	for (; i < len && isdigit((unsigned char) s[i]); i++)
	{
		if (lead && s[i] == '0')
			continue;
		lead = false;
		id++;
	}
	if (i < len && s[i] == '.')
	{
		size_t		start = ++i;
		size_t		last = 0;

		for (; i < len && isdigit((unsigned char) s[i]); i++)
			if (s[i] != '0')
				last = i - start + 1;
		fd = (int) last;		/* trailing zeros do not need scale */
		if (i == start)
			return false;
	}
	if (i != len || (id == 0 && fd == 0 && !(len > 0 && isdigit((unsigned char) s[len - 1]))))
		return false;
	*intdigits = id;
	*fracdigits = fd;
	return true;
}

static vc_code
wrong_type(vc_mctx *c, const vc_field *f, const char *what, const char *expect)
{
	return vc_mctx_error(c, VC_ERR_TEXT_REPR, "%s must be %s for %s", what,
						 expect, vc_field_type_name(f->type));
}

static vc_code
int_range(vc_mctx *c, const vc_field *f, const json_t *v, const char *what,
		  long long lo, long long hi)
{
	json_int_t	x;

	if (!json_is_integer(v))
		return wrong_type(c, f, what, "an integer");
	x = json_integer_value(v);
	if (x < lo || x > hi)
		return vc_mctx_error(c, VC_ERR_OUT_OF_RANGE,
							 "%s %lld is out of range for %s", what,
							 (long long) x, vc_field_type_name(f->type));
	return VC_OK;
}

vc_code
vc_field_check_value(vc_mctx *c, const vc_field *f, const json_t *v,
					 const char *what)
{
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;
	size_t		len = s ? json_string_length(v) : 0;
	vc_field_type t = f->type;
	vc_datetime dt;				/* parsed date/time parts, unused here */

	if (vc_field_type_is_fk(t) && f->resolved)
		t = f->rel_type;
	switch (t)
	{
		case VC_FT_SMALLINTEGER:
			return int_range(c, f, v, what, -32768, 32767);
		case VC_FT_INTEGER:
		case VC_FT_AUTO:
			return int_range(c, f, v, what, -2147483648LL, 2147483647LL);
		case VC_FT_POSITIVEINTEGER:
			return int_range(c, f, v, what, 0, 2147483647LL);
		case VC_FT_BIGINTEGER:
		case VC_FT_BIGAUTO:
			return int_range(c, f, v, what, INT64_MIN, INT64_MAX);
		case VC_FT_FLOAT:
			if (!json_is_number(v))
				return wrong_type(c, f, what, "a number");
			return VC_OK;
		case VC_FT_DECIMAL:
			{
				int			id,
							fd;
				char		text[64];

				if (json_is_integer(v))
					snprintf(text, sizeof(text), "%lld",
							 (long long) json_integer_value(v));
				else if (json_is_real(v))
					snprintf(text, sizeof(text), "%.*f", f->decimal_places + 2,
							 json_real_value(v));
				else if (s)
					snprintf(text, sizeof(text), "%.*s", (int) (len < 63 ? len : 63), s);
				else
					return wrong_type(c, f, what, "a number or a decimal string");
				if ((s && len >= 63) || !decimal_text(text, strlen(text), &id, &fd))
					return wrong_type(c, f, what, "a number or a decimal string");
				if (json_is_real(v) && fd > f->decimal_places)
				{
					/* binary fractions: judge the value rounded to 2 more places */
					double		scaled = json_real_value(v);
					double		frac;
					int			k;

					for (k = 0; k < f->decimal_places && k < 30; k++)
						scaled *= 10;
					if (scaled < 0)
						scaled = -scaled;
					frac = scaled - (double) (long long) scaled;
					if (scaled < 9e15 && (frac < 1e-6 || frac > 1 - 1e-6))
						fd = f->decimal_places;
				}
				if (id > f->max_digits - f->decimal_places || fd > f->decimal_places)
					return vc_mctx_error(c, VC_ERR_OUT_OF_RANGE,
										 "%s %s does not fit DecimalField(%d, %d)",
										 what, text, f->max_digits, f->decimal_places);
				return VC_OK;
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
				return wrong_type(c, f, what, "a string");
			if (f->max_length > 0 && vc_utf8_chars(s, len) > (size_t) f->max_length)
				return vc_mctx_error(c, VC_ERR_STRING_TRUNC,
									 "%s is longer than max_length %d", what,
									 f->max_length);
			if (t == VC_FT_SLUG)
			{
				size_t		i;

				for (i = 0; i < len; i++)
					if (!isalnum((unsigned char) s[i]) && s[i] != '-' && s[i] != '_')
						return wrong_type(c, f, what, "a slug ([A-Za-z0-9_-])");
			}
			return VC_OK;
		case VC_FT_BOOLEAN:
			if (!json_is_boolean(v))
				return wrong_type(c, f, what, "true or false");
			return VC_OK;
		case VC_FT_DATETIME:
			if (s == NULL)
				return wrong_type(c, f, what, "an ISO-8601 string");
			if (!vc_valid_datetime(s, len, true, &dt))
				return vc_mctx_error(c, VC_ERR_DATETIME,
									 "%s is not an ISO-8601 date and time (YYYY-MM-DDTHH:MM[:SS[.ffffff]][Z|+HH:MM])",
									 what);
			return VC_OK;
		case VC_FT_DATE:
			if (s == NULL)
				return wrong_type(c, f, what, "an ISO-8601 string");
			/* 0 bytes consumed of an empty string is no date either */
			if (len == 0 || vc_valid_date(s, len, &dt.year, &dt.month, &dt.day) != len)
				return vc_mctx_error(c, VC_ERR_DATETIME,
									 "%s is not a date (YYYY-MM-DD)", what);
			return VC_OK;
		case VC_FT_TIME:
			if (s == NULL)
				return wrong_type(c, f, what, "an ISO-8601 string");
			if (len == 0 || vc_valid_time(s, len, &dt.hour, &dt.minute, &dt.second,
										  &dt.micro) != len)
				return vc_mctx_error(c, VC_ERR_DATETIME,
									 "%s is not a time (HH:MM[:SS[.ffffff]])", what);
			return VC_OK;
		case VC_FT_UUID:
			if (s == NULL || !vc_valid_uuid(s, len))
				return wrong_type(c, f, what, "a UUID string");
			return VC_OK;
		case VC_FT_JSON:
			return VC_OK;
		case VC_FT_BINARY:
			if (s == NULL || !vc_valid_hex_pairs(s, len))
				return wrong_type(c, f, what, "a string of hex digit pairs");
			return VC_OK;
		case VC_FT_IPADDRESS:
			if (s == NULL || !(valid_ipv4(s, len) || valid_ipv6(s, len)))
				return wrong_type(c, f, what, "an IPv4 or IPv6 address string");
			return VC_OK;
		case VC_FT_ARRAY:
			{
				size_t		i;
				vc_code		rc;

				if (!json_is_array(v))
					return wrong_type(c, f, what, "an array");
				if (f->size > 0 && json_array_size(v) > (size_t) f->size)
					return vc_mctx_error(c, VC_ERR_OUT_OF_RANGE,
										 "%s has more than size %d elements",
										 what, f->size);
				for (i = 0; i < json_array_size(v); i++)
				{
					json_t	   *e = json_array_get(v, i);

					if (json_is_null(e))
						continue;
					if ((rc = vc_field_check_value(c, f->base_field, e,
												   "array element")) != VC_OK)
						return rc;
				}
				return VC_OK;
			}
		case VC_FT_FOREIGNKEY:
		case VC_FT_ONETOONE:
			/* unresolved: the target's pk type is not known yet */
			if (!json_is_integer(v) && s == NULL)
				return wrong_type(c, f, what, "an integer or a string");
			return VC_OK;
		default:
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "%s does not take a %s", vc_field_type_name(f->type),
								 what);
	}
}

/* ---- parsing ---------------------------------------------------------- */

static vc_code check_keys(vc_mctx *c, const json_t *obj, vc_field_type t);

/* The element of an ArrayField: a type and its parameters only. */
static vc_code
parse_base_field(vc_mctx *c, const json_t *obj, vc_field *f)
{
	static const char *const base_keys[] = {
		"type", "max_length", "max_digits", "decimal_places"
	};
	const char *key;
	json_t	   *val;
	json_t	   *tv;
	vc_field   *b;
	vc_code		rc;

	if (!json_is_object(obj))
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "option \"base_field\" must be a field object like {\"type\": \"IntegerField\"}");
	json_object_foreach((json_t *) obj, key, val)
	{
		size_t		i;
		bool		ok = false;

		for (i = 0; i < sizeof(base_keys) / sizeof(base_keys[0]); i++)
			if (strcmp(key, base_keys[i]) == 0)
				ok = true;
		if (!ok)
		{
			rc = unknown_key(c, key, base_keys, sizeof(base_keys) / sizeof(base_keys[0]));
			vc_error_detail(c->err, "A base_field takes only type, max_length, max_digits and decimal_places.");
			return rc;
		}
	}
	b = vc_pool_alloc(c->pool, sizeof(vc_field));
	if (b == NULL)
		return vc_mctx_oom(c);
	tv = json_object_get(obj, "type");
	if (!json_is_string(tv) || !vc_field_type_parse(json_string_value(tv), &b->type))
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "base_field has an unknown or missing type");
	switch (b->type)
	{
		case VC_FT_AUTO:
		case VC_FT_BIGAUTO:
		case VC_FT_FOREIGNKEY:
		case VC_FT_ONETOONE:
		case VC_FT_MANYTOMANY:
		case VC_FT_ARRAY:
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "%s cannot be the base_field of an ArrayField",
								 vc_field_type_name(b->type));
		default:
			break;
	}
	if ((rc = check_keys(c, obj, b->type)) != VC_OK)
		return rc;
	if ((rc = get_int(c, obj, "max_length", 1, 10485760, &b->max_length, NULL)) != VC_OK ||
		(rc = get_int(c, obj, "max_digits", 1, 1000, &b->max_digits, NULL)) != VC_OK ||
		(rc = get_int(c, obj, "decimal_places", 0, 1000, &b->decimal_places, NULL)) != VC_OK)
		return rc;
	f->base_field = b;
	return VC_OK;
}

/* Every key of obj must apply to type t. */
static vc_code
check_keys(vc_mctx *c, const json_t *obj, vc_field_type t)
{
	const char *key;
	json_t	   *val;

	json_object_foreach((json_t *) obj, key, val)
	{
		bool		known;

		(void) val;
		if (key_allowed(t, key, &known))
			continue;
		if (known)
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "option \"%s\" does not apply to %s", key,
								 vc_field_type_name(t));
		{
			const char *cands[NFIELD_KEYS];
			size_t		i;

			for (i = 0; i < NFIELD_KEYS; i++)
				cands[i] = field_keys[i].key;
			return unknown_key(c, key, cands, NFIELD_KEYS);
		}
	}
	return VC_OK;
}

/* Type parameters: max_length, digits, array element. */
static vc_code
parse_type_params(vc_mctx *c, const json_t *obj, vc_field *f)
{
	vc_code		rc;
	bool		has_len,
				has_digits,
				has_places;

	if ((rc = get_int(c, obj, "max_length", 1, 10485760, &f->max_length,
					  &has_len)) != VC_OK)
		return rc;
	if (!has_len)
	{
		if (f->type == VC_FT_CHAR)
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "max_length is required for CharField");
		/* Django's defaults */
		f->max_length = f->type == VC_FT_EMAIL ? 254 :
			f->type == VC_FT_SLUG ? 50 :
			f->type == VC_FT_URL ? 200 : 0;
	}
	if (f->type == VC_FT_DECIMAL)
	{
		if ((rc = get_int(c, obj, "max_digits", 1, 1000, &f->max_digits,
						  &has_digits)) != VC_OK ||
			(rc = get_int(c, obj, "decimal_places", 0, 1000, &f->decimal_places,
						  &has_places)) != VC_OK)
			return rc;
		if (!has_digits || !has_places)
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "max_digits and decimal_places are required for DecimalField");
		if (f->decimal_places > f->max_digits)
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "decimal_places (%d) is greater than max_digits (%d)",
								 f->decimal_places, f->max_digits);
	}
	if (f->type == VC_FT_ARRAY)
	{
		json_t	   *bf = json_object_get(obj, "base_field");

		if (bf == NULL)
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "base_field is required for ArrayField");
		if ((rc = get_int(c, obj, "size", 1, 1000000, &f->size, NULL)) != VC_OK ||
			(rc = parse_base_field(c, bf, f)) != VC_OK)
			return rc;
		if (f->base_field->type == VC_FT_CHAR && f->base_field->max_length == 0)
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "max_length is required for CharField (base_field)");
		if (f->base_field->type == VC_FT_EMAIL && f->base_field->max_length == 0)
			f->base_field->max_length = 254;
		if (f->base_field->type == VC_FT_SLUG && f->base_field->max_length == 0)
			f->base_field->max_length = 50;
		if (f->base_field->type == VC_FT_URL && f->base_field->max_length == 0)
			f->base_field->max_length = 200;
		if (f->base_field->type == VC_FT_DECIMAL &&
			(f->base_field->max_digits == 0 ||
			 f->base_field->decimal_places > f->base_field->max_digits))
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "base_field DecimalField needs max_digits >= decimal_places");
	}
	return VC_OK;
}

/* to, on_delete, through, related_name and the junction table. */
static vc_code
parse_relation(vc_mctx *c, const json_t *obj, const char *app,
			   const char *model_name, const char *table, vc_field *f)
{
	json_t	   *to = json_object_get(obj, "to");
	json_t	   *od = json_object_get(obj, "on_delete");
	json_t	   *th = json_object_get(obj, "through");
	vc_code		rc;

	if (to == NULL)
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "option \"to\" is required for %s",
							 vc_field_type_name(f->type));
	if ((rc = qualify_label(c, to, app, model_name, "to", &f->to)) != VC_OK)
		return rc;
	if ((rc = get_str(c, obj, "related_name", &f->related_name)) != VC_OK)
		return rc;
	if (f->related_name && (rc = vc_mctx_ident(c, f->related_name, "related_name")) != VC_OK)
		return rc;
	if (vc_field_type_is_fk(f->type))
	{
		/* Absent on_delete means CASCADE, OpenViper's and old Django's default. */
		f->on_delete = "CASCADE";
		if (od != NULL)
		{
			if (!json_is_string(od))
				return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
									 "option \"on_delete\" must be a string");
			if (vc_on_delete_normalize(json_string_value(od), json_string_length(od),
									   &f->on_delete, c->err) != VC_OK)
				return vc_mctx_prefix(c, VC_ERR_INVALID_PARAM);
		}
		if (strcmp(f->on_delete, "SET_NULL") == 0 && !f->null)
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "on_delete SET_NULL needs \"null\": true");
		if (strcmp(f->on_delete, "SET_DEFAULT") == 0 &&
			json_object_get(obj, "default") == NULL)
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "on_delete SET_DEFAULT needs a default");
		return VC_OK;
	}
	/* ManyToManyField */
	if (th != NULL)
		return qualify_label(c, th, app, model_name, "through", &f->through);
	if (table != NULL)
	{
		char		name[VC_IDENT_MAX + 1];
		char		from[VC_IDENT_MAX + 16];
		char		target[VC_IDENT_MAX + 16];
		char		self[2 * VC_IDENT_MAX + 8];
		const char *tname = strchr(f->to, '.') + 1;
		char		lower_model[VC_IDENT_MAX + 1];
		char		lower_target[VC_IDENT_MAX + 1];
		char		base[2 * VC_IDENT_MAX + 2];

		snprintf(base, sizeof(base), "%s_%s", table, f->name);
		vc_model_make_name(base, NULL, name);
		vc_lower_ident(model_name, lower_model, sizeof(lower_model));
		vc_lower_ident(tname, lower_target, sizeof(lower_target));
		snprintf(self, sizeof(self), "%s.%s", app, model_name);
		if (strcmp(self, f->to) == 0)
		{
			snprintf(from, sizeof(from), "from_%s_id", lower_model);
			snprintf(target, sizeof(target), "to_%s_id", lower_model);
		}
		else
		{
			snprintf(from, sizeof(from), "%s_id", lower_model);
			snprintf(target, sizeof(target), "%s_id", lower_target);
		}
		if ((rc = vc_mctx_ident(c, from, "junction column name")) != VC_OK ||
			(rc = vc_mctx_ident(c, target, "junction column name")) != VC_OK)
			return rc;
		f->m2m_table = vc_pool_strdup(c->pool, name);
		f->m2m_from_column = vc_pool_strdup(c->pool, from);
		f->m2m_to_column = vc_pool_strdup(c->pool, target);
		if (!f->m2m_table || !f->m2m_from_column || !f->m2m_to_column)
			return vc_mctx_oom(c);
	}
	return VC_OK;
}

/* choices: [v, ...] or [[v, "label"], ...] → [[v, label], ...]. */
static vc_code
parse_choices(vc_mctx *c, const json_t *ch, vc_field *f)
{
	json_t	   *norm;
	size_t		i,
				j;
	vc_code		rc;

	switch (f->type)
	{
		case VC_FT_AUTO:
		case VC_FT_BIGAUTO:
		case VC_FT_FOREIGNKEY:
		case VC_FT_ONETOONE:
		case VC_FT_JSON:
		case VC_FT_BINARY:
		case VC_FT_ARRAY:
		case VC_FT_PASSWORD:
		case VC_FT_SENSITIVE:
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "option \"choices\" does not apply to %s",
								 vc_field_type_name(f->type));
		default:
			break;
	}
	if (!json_is_array(ch) || json_array_size(ch) == 0)
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "option \"choices\" must be a non-empty array of values or [value, label] pairs");
	norm = json_array();
	if (norm == NULL || !vc_pool_keep_json(c->pool, norm))
	{
		json_decref(norm);
		return vc_mctx_oom(c);
	}
	json_decref(norm);			/* the pool holds the reference now */
	for (i = 0; i < json_array_size(ch); i++)
	{
		json_t	   *e = json_array_get(ch, i);
		json_t	   *value = e;
		json_t	   *label = NULL;
		json_t	   *pair;

		if (json_is_array(e))
		{
			if (json_array_size(e) != 2 || !json_is_string(json_array_get(e, 1)))
				return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
									 "choice %zu must be a value or a [value, \"label\"] pair",
									 i + 1);
			value = json_array_get(e, 0);
			label = json_incref(json_array_get(e, 1));
		}
		if (json_is_null(value) || json_is_array(value) || json_is_object(value))
		{
			json_decref(label);
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "choice %zu must be a scalar value", i + 1);
		}
		if ((rc = vc_field_check_value(c, f, value, "choice")) != VC_OK)
		{
			json_decref(label);
			return rc;
		}
		for (j = 0; j < json_array_size(norm); j++)
			if (json_equal(json_array_get(json_array_get(norm, j), 0), value))
			{
				json_decref(label);
				return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
									 "choice %zu repeats an earlier value", i + 1);
			}
		if (label == NULL)
		{
			if (json_is_string(value))
				label = json_incref(value);
			else
			{
				char	   *txt = json_dumps(value, JSON_ENCODE_ANY);

				label = txt ? json_string(txt) : NULL;
				free(txt);
			}
		}
		pair = label ? json_pack("[OO]", value, label) : NULL;
		json_decref(label);
		if (pair == NULL || json_array_append_new(norm, pair) != 0)
			return vc_mctx_oom(c);
	}
	f->choices = norm;
	return VC_OK;
}

static vc_code
parse_default(vc_mctx *c, json_t *dv, vc_field *f)
{
	vc_code		rc;
	size_t		i;

	switch (f->type)
	{
		case VC_FT_AUTO:
		case VC_FT_BIGAUTO:
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "%s cannot have a default",
								 vc_field_type_name(f->type));
		default:
			break;
	}
	if (f->auto_now || f->auto_now_add)
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "default cannot be combined with auto_now or auto_now_add");
	if (json_is_null(dv))
	{
		if (!f->null)
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "default null needs \"null\": true");
	}
	else if ((rc = vc_field_check_value(c, f, dv, "default")) != VC_OK)
		return rc;
	if (f->choices && !json_is_null(dv))
	{
		for (i = 0; i < json_array_size(f->choices); i++)
			if (json_equal(json_array_get(json_array_get(f->choices, i), 0), dv))
				break;
		if (i == json_array_size(f->choices))
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "default is not one of the choices");
	}
	if (!vc_pool_keep_json(c->pool, dv))
		return vc_mctx_oom(c);
	f->default_value = dv;
	return VC_OK;
}

vc_code
vc_field_parse(vc_mctx *c, const json_t *obj, const char *app,
			   const char *model_name, const char *table, vc_field *f)
{
	json_t	   *nv,
			   *tv,
			   *v;
	vc_code		rc;
	bool		db_index_given;

	if (!json_is_object(obj))
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "every field must be a JSON object");
	nv = json_object_get(obj, "name");
	if (!json_is_string(nv))
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "a field has no \"name\" string");
	if (strlen(json_string_value(nv)) != json_string_length(nv))
		return vc_mctx_error(c, VC_ERR_IDENTIFIER,
							 "invalid field name: contains a NUL byte");
	if ((rc = vc_mctx_ident(c, json_string_value(nv), "field name")) != VC_OK)
		return rc;
	f->name = vc_pool_strdup(c->pool, json_string_value(nv));
	if (f->name == NULL)
		return vc_mctx_oom(c);
	c->field = f->name;

	tv = json_object_get(obj, "type");
	if (!json_is_string(tv))
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "option \"type\" is required (a field type name)");
	if (!vc_field_type_parse(json_string_value(tv), &f->type))
	{
		char		echo[VC_ECHO_BUFSZ];
		const char *near = vc_nearest(json_string_value(tv), json_string_length(tv),
									  type_names, VC_FT__COUNT);

		vc_mctx_error(c, VC_ERR_INVALID_PARAM, "unknown field type \"%s\"",
					  vc_echo(echo, sizeof(echo), json_string_value(tv),
							  json_string_length(tv)));
		if (near)
			vc_error_hint(c->err, "Did you mean \"%s\"?", near);
		return VC_ERR_INVALID_PARAM;
	}
	if ((rc = check_keys(c, obj, f->type)) != VC_OK)
		return rc;

	if ((rc = get_bool(c, obj, "primary_key", &f->primary_key)) != VC_OK ||
		(rc = get_bool(c, obj, "null", &f->null)) != VC_OK ||
		(rc = get_bool(c, obj, "blank", &f->blank)) != VC_OK ||
		(rc = get_bool(c, obj, "unique", &f->unique)) != VC_OK ||
		(rc = get_bool(c, obj, "db_index", &f->db_index)) != VC_OK ||
		(rc = get_bool(c, obj, "auto_now", &f->auto_now)) != VC_OK ||
		(rc = get_bool(c, obj, "auto_now_add", &f->auto_now_add)) != VC_OK ||
		(rc = get_str(c, obj, "help_text", &f->help_text)) != VC_OK ||
		(rc = get_str(c, obj, "verbose_name", &f->verbose_name)) != VC_OK ||
		(rc = get_str(c, obj, "old_name", &f->old_name)) != VC_OK)
		return rc;
	db_index_given = json_object_get(obj, "db_index") != NULL;
	if (f->old_name && (rc = vc_mctx_ident(c, f->old_name, "old_name")) != VC_OK)
		return rc;
	if (f->auto_now && f->auto_now_add)
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "auto_now and auto_now_add are mutually exclusive");
	if ((f->type == VC_FT_AUTO || f->type == VC_FT_BIGAUTO) && !f->primary_key)
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "%s must have \"primary_key\": true",
							 vc_field_type_name(f->type));
	if (f->primary_key)
	{
		if (f->null)
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "a primary key cannot be null");
		f->unique = true;
	}
	if (f->type == VC_FT_ONETOONE)
		f->unique = true;
	if (f->type == VC_FT_FOREIGNKEY && !db_index_given)
		f->db_index = true;		/* Django indexes foreign keys */

	if ((rc = parse_type_params(c, obj, f)) != VC_OK)
		return rc;

	/* column */
	if (f->type != VC_FT_MANYTOMANY)
	{
		char		col[VC_IDENT_MAX + 8];

		if ((v = json_object_get(obj, "db_column")) != NULL)
		{
			if (!json_is_string(v))
				return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
									 "option \"db_column\" must be a string");
			if (strlen(json_string_value(v)) != json_string_length(v))
				return vc_mctx_error(c, VC_ERR_IDENTIFIER,
									 "invalid column name: contains a NUL byte");
			snprintf(col, sizeof(col), "%s", json_string_value(v));
			if (json_string_length(v) > VC_IDENT_MAX)
				return vc_mctx_ident(c, json_string_value(v), "column name");
			f->column_declared = true;
		}
		else if (vc_field_type_is_fk(f->type))
			snprintf(col, sizeof(col), "%s_id", f->name);
		else
			snprintf(col, sizeof(col), "%s", f->name);
		if ((rc = vc_mctx_ident(c, col, "column name")) != VC_OK)
			return rc;
		if ((f->column = vc_pool_strdup(c->pool, col)) == NULL)
			return vc_mctx_oom(c);
	}

	if (type_keys[f->type] & K_REL)
	{
		if ((rc = parse_relation(c, obj, app, model_name, table, f)) != VC_OK)
			return rc;
	}
	if ((v = json_object_get(obj, "choices")) != NULL &&
		(rc = parse_choices(c, v, f)) != VC_OK)
		return rc;
	if ((v = json_object_get(obj, "default")) != NULL &&
		(rc = parse_default(c, v, f)) != VC_OK)
		return rc;
	c->field = NULL;
	return VC_OK;
}
