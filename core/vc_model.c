/*
 * vc_model.c — one model schema (DESIGN §3): the pool every model
 * allocation lives in, the error context that prefixes messages with the
 * model and field, the top-level keys and `meta`, the implicit primary key,
 * and the derived indexes and constraints with their generated names.
 *
 * Fields are parsed in vc_model_field.c, sets and relation targets in
 * vc_model_set.c, the normalised JSON in vc_model_json.c.
 *
 * Memory: vc_pool (vc_model_int.h) — one list of blocks per model or set,
 * released by vc_model_free / vc_modelset_free.
 */
#include "vc_model_int.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vc_text.h"

/* ---- pool -------------------------------------------------------------- */

typedef struct vc_pool_node
{
	struct vc_pool_node *next;
	json_t	   *json;			/* a kept reference, or NULL */
} vc_pool_node;

/* Header size rounded up so the payload is aligned for any type. */
typedef union
{
	vc_pool_node node;
	max_align_t align;
} vc_pool_hdr;

vc_pool *
vc_pool_create(const vc_alloc *a)
{
	vc_pool    *p = vc_malloc(a, sizeof(vc_pool));

	if (p == NULL)
		return NULL;
	p->alloc = a;
	p->head = NULL;
	return p;
}

void
vc_pool_destroy(vc_pool *p)
{
	vc_pool_node *n;

	if (p == NULL)
		return;
	n = p->head;
	while (n != NULL)
	{
		vc_pool_node *next = n->next;

		if (n->json)
			json_decref(n->json);
		vc_free(p->alloc, n);
		n = next;
	}
	vc_free(p->alloc, p);
}

void *
vc_pool_alloc(vc_pool *p, size_t size)
{
	vc_pool_hdr *h;

	if (size > SIZE_MAX - sizeof(vc_pool_hdr))
		return NULL;
	h = vc_malloc(p->alloc, sizeof(vc_pool_hdr) + size);
	if (h == NULL)
		return NULL;
	h->node.next = p->head;
	h->node.json = NULL;
	p->head = &h->node;
	memset(h + 1, 0, size);
	return h + 1;
}

char *
vc_pool_strndup(vc_pool *p, const char *s, size_t len)
{
	char	   *d = vc_pool_alloc(p, len + 1);

	if (d == NULL)
		return NULL;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

char *
vc_pool_strdup(vc_pool *p, const char *s)
{
	return vc_pool_strndup(p, s, strlen(s));
}

bool
vc_pool_keep_json(vc_pool *p, json_t *j)
{
	vc_pool_hdr *h = vc_malloc(p->alloc, sizeof(vc_pool_hdr));

	if (h == NULL)
		return false;
	h->node.next = p->head;
	h->node.json = json_incref(j);
	p->head = &h->node;
	return true;
}

/* ---- error context ----------------------------------------------------- */

static void
mctx_prefix_text(const vc_mctx *c, char *out, size_t outsz)
{
	char		echo[VC_ECHO_BUFSZ];

	if (c->field)
		snprintf(out, outsz, "model \"%s\", field \"%s\": ", c->label,
				 vc_echo(echo, sizeof(echo), c->field, strlen(c->field)));
	else
		snprintf(out, outsz, "model \"%s\": ", c->label);
}

/* out = a + b, cut to outsz - 1 bytes (the message buffer's size). */
static void
join_message(char *out, size_t outsz, const char *a, const char *b)
{
	size_t		la = strlen(a),
				lb = strlen(b);

	if (la > outsz - 1)
		la = outsz - 1;
	memcpy(out, a, la);
	if (lb > outsz - 1 - la)
		lb = outsz - 1 - la;
	memcpy(out + la, b, lb);
	out[la + lb] = '\0';
}

vc_code
vc_mctx_error(vc_mctx *c, vc_code code, const char *fmt,...)
{
	char		prefix[VC_ERRMSG_LEN];
	char		msg[VC_ERRMSG_LEN];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mctx_prefix_text(c, prefix, sizeof(prefix));
	vc_error_set(c->err, code, "%s", prefix);
	if (c->err)
		join_message(c->err->message, sizeof(c->err->message), prefix, msg);
	return code;
}

vc_code
vc_mctx_prefix(vc_mctx *c, vc_code code)
{
	char		prefix[VC_ERRMSG_LEN];
	char		msg[VC_ERRMSG_LEN];

	if (c->err == NULL)
		return code;
	mctx_prefix_text(c, prefix, sizeof(prefix));
	memcpy(msg, c->err->message, sizeof(msg));
	msg[sizeof(msg) - 1] = '\0';
	join_message(c->err->message, sizeof(c->err->message), prefix, msg);
	c->err->code = code;
	return code;
}

vc_code
vc_mctx_oom(vc_mctx *c)
{
	return vc_error_set(c->err, VC_ERR_OUT_OF_MEMORY, "out of memory");
}

vc_code
vc_mctx_ident(vc_mctx *c, const char *name, const char *what)
{
	if (vc_ident_validate(name, strlen(name), what, c->err) != VC_OK)
		return vc_mctx_prefix(c, VC_ERR_IDENTIFIER);
	return VC_OK;
}

/* ---- names ------------------------------------------------------------- */

static uint32_t
fnv1a(const char *s)
{
	uint32_t	h = 2166136261u;

	for (; *s; s++)
	{
		h ^= (unsigned char) *s;
		h *= 16777619u;
	}
	return h;
}

void
vc_model_make_name(const char *base, const char *suffix,
				   char out[VC_IDENT_MAX + 1])
{
	char		full[4 * VC_IDENT_MAX + 64];
	size_t		slen = suffix ? strlen(suffix) : 0;
	size_t		keep;

	if (slen)
		snprintf(full, sizeof(full), "%s_%s", base, suffix);
	else
		snprintf(full, sizeof(full), "%s", base);
	if (strlen(full) <= VC_IDENT_MAX)
	{
		memcpy(out, full, strlen(full) + 1);
		return;
	}
	/* base prefix + "_" + 8 hex [+ "_" + suffix] */
	keep = VC_IDENT_MAX - 9 - (slen ? slen + 1 : 0);
	if (slen)
		snprintf(out, VC_IDENT_MAX + 1, "%.*s_%08x_%s", (int) keep, base,
				 (unsigned) fnv1a(full), suffix);
	else
		snprintf(out, VC_IDENT_MAX + 1, "%.*s_%08x", (int) keep, base,
				 (unsigned) fnv1a(full));
}

/* "<table>_<c1>_<c2>" + suffix, shortened when needed. */
static void
columns_name(const char *table, char **cols, size_t n, const char *suffix,
			 char out[VC_IDENT_MAX + 1])
{
	char		base[8 * (VC_IDENT_MAX + 1)];
	size_t		len,
				i;

	len = (size_t) snprintf(base, sizeof(base), "%s", table);
	for (i = 0; i < n && len < sizeof(base); i++)
		len += (size_t) snprintf(base + len, sizeof(base) - len, "_%s", cols[i]);
	vc_model_make_name(base, suffix, out);
}

/* ---- model ------------------------------------------------------------- */

static const char *const top_keys[] = {"app", "name", "table", "fields", "meta"};

static const char *const meta_keys[] = {
	"ordering", "unique_together", "index_together", "indexes",
	"constraints", "read_only", "single", "managed", "abstract", "proxy",
	"proxy_for", "permissions", "events", "cache_ttl", "backend", "virtual",
	"verbose_name", "verbose_name_plural"
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static vc_code
check_object_keys(vc_mctx *c, const json_t *obj, const char *const *allowed,
				  size_t n, const char *where)
{
	const char *key;
	json_t	   *val;

	json_object_foreach((json_t *) obj, key, val)
	{
		size_t		i;
		char		echo[VC_ECHO_BUFSZ];
		const char *near;

		(void) val;
		for (i = 0; i < n; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (i < n)
			continue;
		near = vc_nearest(key, strlen(key), allowed, n);
		vc_mctx_error(c, VC_ERR_INVALID_PARAM, "unknown %s key \"%s\"", where,
					  vc_echo(echo, sizeof(echo), key, strlen(key)));
		if (near)
			vc_error_hint(c->err, "Did you mean \"%s\"?", near);
		return VC_ERR_INVALID_PARAM;
	}
	return VC_OK;
}

static vc_code
meta_bool(vc_mctx *c, const json_t *meta, const char *key, bool *out)
{
	json_t	   *v = meta ? json_object_get(meta, key) : NULL;

	if (v == NULL)
		return VC_OK;
	if (!json_is_boolean(v))
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "meta \"%s\" must be true or false", key);
	*out = json_is_true(v);
	return VC_OK;
}

static vc_code
meta_str(vc_mctx *c, const json_t *meta, const char *key, char **out)
{
	json_t	   *v = meta ? json_object_get(meta, key) : NULL;

	if (v == NULL)
		return VC_OK;
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "meta \"%s\" must be a string", key);
	*out = vc_pool_strdup(c->pool, json_string_value(v));
	return *out ? VC_OK : vc_mctx_oom(c);
}

/* Django's camel_case_to_spaces: "SiteSettings" → "site settings". */
static char *
default_verbose_name(vc_pool *p, const char *name)
{
	char		buf[2 * VC_IDENT_MAX + 2];
	size_t		i,
				n = strlen(name),
				o = 0;

	for (i = 0; i < n && o + 2 < sizeof(buf); i++)
	{
		unsigned char ch = (unsigned char) name[i];

		if (isupper(ch) && o > 0 &&
			((i > 0 && islower((unsigned char) name[i - 1])) ||
			 (i + 1 < n && !isupper((unsigned char) name[i + 1]))))
			buf[o++] = ' ';
		buf[o++] = (char) tolower(ch);
	}
	buf[o] = '\0';
	return vc_pool_strdup(p, buf);
}

/* Column names of the model's column fields (for expression checks). */
static const char **
column_list(vc_mctx *c, const vc_model *m, size_t *n)
{
	const char **cols = vc_pool_alloc(c->pool, (m->nfields + 1) * sizeof(char *));
	size_t		i;

	*n = 0;
	if (cols == NULL)
		return NULL;
	for (i = 0; i < m->nfields; i++)
		if (m->fields[i].column)
			cols[(*n)++] = m->fields[i].column;
	return cols;
}

const vc_field *
vc_model_field(const vc_model *m, const char *name)
{
	size_t		i;

	for (i = 0; i < m->nfields; i++)
		if (strcmp(m->fields[i].name, name) == 0)
			return &m->fields[i];
	for (i = 0; i < m->nfields; i++)
		if (m->fields[i].column && strcmp(m->fields[i].column, name) == 0)
			return &m->fields[i];
	return NULL;
}

bool
vc_model_has_table(const vc_model *m)
{
	return !m->abstract && !m->proxy && !m->is_virtual && m->managed &&
		m->table != NULL;
}

/*
 * A field reference in meta (unique_together, index_together, indexes):
 * a field name or a column; ForeignKey names mean their _id column.
 * 42703 with the nearest field name as hint.
 */
static vc_code
meta_field_ref(vc_mctx *c, const vc_model *m, const json_t *v,
			   const char *where, const vc_field **out)
{
	const char *cands[512];
	size_t		i,
				n = 0;
	char		echo[VC_ECHO_BUFSZ];
	const char *near;
	const vc_field *f;

	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "%s entries must be field names", where);
	f = vc_model_field(m, json_string_value(v));
	if (f != NULL)
	{
		if (f->type == VC_FT_MANYTOMANY)
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "ManyToManyField \"%s\" cannot be used in %s",
								 f->name, where);
		*out = f;
		return VC_OK;
	}
	for (i = 0; i < m->nfields && n < NELEM(cands); i++)
		cands[n++] = m->fields[i].name;
	near = vc_nearest(json_string_value(v), json_string_length(v), cands, n);
	vc_mctx_error(c, VC_ERR_UNDEFINED_COLUMN, "unknown field \"%s\" in %s",
				  vc_echo(echo, sizeof(echo), json_string_value(v),
						  json_string_length(v)), where);
	if (near)
		vc_error_hint(c->err, "Did you mean \"%s\"?", near);
	return VC_ERR_UNDEFINED_COLUMN;
}

/* A list of field names → parallel arrays of field names and columns. */
static vc_code
field_group(vc_mctx *c, const vc_model *m, const json_t *arr, const char *where,
			bool allow_desc, char ***fields, char ***columns, bool **desc,
			size_t *n)
{
	size_t		i,
				k = json_array_size(arr);
	vc_code		rc;

	if (!json_is_array(arr) || k == 0)
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "%s entries must be non-empty arrays of field names",
							 where);
	if (k > 32)
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "%s entries may name at most 32 fields", where);
	*fields = vc_pool_alloc(c->pool, k * sizeof(char *));
	*columns = vc_pool_alloc(c->pool, k * sizeof(char *));
	if (desc)
		*desc = vc_pool_alloc(c->pool, k * sizeof(bool));
	if (*fields == NULL || *columns == NULL || (desc && *desc == NULL))
		return vc_mctx_oom(c);
	for (i = 0; i < k; i++)
	{
		json_t	   *e = json_array_get(arr, i);
		const vc_field *f;
		json_t	   *plain = NULL;
		size_t		j;

		if (allow_desc && json_is_string(e) && json_string_value(e)[0] == '-')
		{
			plain = json_string(json_string_value(e) + 1);
			if (plain == NULL)
				return vc_mctx_oom(c);
			(*desc)[i] = true;
			e = plain;
		}
		rc = meta_field_ref(c, m, e, where, &f);
		json_decref(plain);
		if (rc != VC_OK)
			return rc;
		for (j = 0; j < i; j++)
			if (strcmp((*columns)[j], f->column) == 0)
				return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
									 "%s names field \"%s\" twice", where,
									 f->name);
		(*fields)[i] = f->name;
		(*columns)[i] = f->column;
	}
	*n = k;
	return VC_OK;
}

/* unique_together / index_together: [[..], ..] or one flat [..] (Django). */
static const json_t *
together_group(const json_t *v, size_t i, size_t *count)
{
	if (json_array_size(v) > 0 && json_is_string(json_array_get(v, 0)))
	{
		*count = 1;
		return v;
	}
	*count = json_array_size(v);
	return json_array_get(v, i);
}

static vc_code
validate_expr(vc_mctx *c, const vc_model *m, const json_t *v,
			  const char *context, char **out)
{
	size_t		ncols;
	const char **cols;

	if (!json_is_string(v) || json_string_length(v) == 0)
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "%s must be a non-empty string", context);
	cols = column_list(c, m, &ncols);
	if (cols == NULL)
		return vc_mctx_oom(c);
	if (vc_expr_validate(json_string_value(v), json_string_length(v), cols,
						 ncols, NULL, context, 0, c->err) != VC_OK)
		return vc_mctx_prefix(c, c->err ? c->err->code : VC_ERR_EXPRESSION);
	*out = vc_pool_strndup(c->pool, json_string_value(v), json_string_length(v));
	return *out ? VC_OK : vc_mctx_oom(c);
}

static vc_code
parse_index_obj(vc_mctx *c, const vc_model *m, const char *base,
				const json_t *obj, vc_index *ix)
{
	static const char *const keys[] = {"fields", "name", "condition", "unique"};
	json_t	   *v;
	vc_code		rc;

	if (!json_is_object(obj))
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "meta \"indexes\" entries must be objects");
	if ((rc = check_object_keys(c, obj, keys, NELEM(keys), "index")) != VC_OK)
		return rc;
	ix->origin = VC_INDEX_META;
	if ((rc = field_group(c, m, json_object_get(obj, "fields"), "indexes", true,
						  &ix->fields, &ix->columns, &ix->descending,
						  &ix->ncolumns)) != VC_OK)
		return rc;
	if ((v = json_object_get(obj, "unique")) != NULL)
	{
		if (!json_is_boolean(v))
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "index \"unique\" must be true or false");
		ix->unique = json_is_true(v);
	}
	if ((v = json_object_get(obj, "condition")) != NULL &&
		(rc = validate_expr(c, m, v, "index condition", &ix->condition)) != VC_OK)
		return rc;
	if ((v = json_object_get(obj, "name")) != NULL)
	{
		if (!json_is_string(v))
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "index \"name\" must be a string");
		if ((rc = vc_mctx_ident(c, json_string_value(v), "index name")) != VC_OK)
			return rc;
		ix->name = vc_pool_strdup(c->pool, json_string_value(v));
	}
	else
	{
		char		name[VC_IDENT_MAX + 1];

		columns_name(base, ix->columns, ix->ncolumns,
					 ix->unique ? "uniq" : "idx", name);
		ix->name = vc_pool_strdup(c->pool, name);
	}
	return ix->name ? VC_OK : vc_mctx_oom(c);
}

static vc_code
parse_constraint_obj(vc_mctx *c, const vc_model *m, const json_t *obj,
					 vc_constraint *k)
{
	static const char *const keys[] = {"type", "name", "check", "fields"};
	json_t	   *v;
	const char *type;
	vc_code		rc;

	if (!json_is_object(obj))
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "meta \"constraints\" entries must be objects");
	if ((rc = check_object_keys(c, obj, keys, NELEM(keys), "constraint")) != VC_OK)
		return rc;
	v = json_object_get(obj, "name");
	if (!json_is_string(v))
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "every constraint needs a \"name\"");
	if ((rc = vc_mctx_ident(c, json_string_value(v), "constraint name")) != VC_OK)
		return rc;
	if ((k->name = vc_pool_strdup(c->pool, json_string_value(v))) == NULL)
		return vc_mctx_oom(c);
	v = json_object_get(obj, "type");
	type = json_is_string(v) ? json_string_value(v) : "";
	k->origin = VC_CONSTRAINT_META;
	if (strcmp(type, "check") == 0)
	{
		k->type = VC_CONSTRAINT_CHECK;
		if (json_object_get(obj, "fields"))
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "check constraint \"%s\" takes \"check\", not \"fields\"",
								 k->name);
		if (json_object_get(obj, "check") == NULL)
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "check constraint \"%s\" needs \"check\"", k->name);
		return validate_expr(c, m, json_object_get(obj, "check"),
							 "check constraint", &k->check);
	}
	if (strcmp(type, "unique") == 0)
	{
		k->type = VC_CONSTRAINT_UNIQUE;
		if (json_object_get(obj, "check"))
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "unique constraint \"%s\" takes \"fields\", not \"check\"",
								 k->name);
		return field_group(c, m, json_object_get(obj, "fields"), "constraints",
						   false, &k->fields, &k->columns, NULL, &k->ncolumns);
	}
	return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
						 "constraint \"%s\" has type \"%s\"; use \"check\" or \"unique\"",
						 k->name, type);
}

/* ordering: "[-]field", "field__path" over a relation, or "?". */
static vc_code
parse_ordering(vc_mctx *c, vc_model *m, const json_t *v)
{
	size_t		i;

	if (!json_is_array(v))
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "meta \"ordering\" must be an array of field names");
	m->ordering = vc_pool_alloc(c->pool, (json_array_size(v) + 1) * sizeof(char *));
	if (m->ordering == NULL)
		return vc_mctx_oom(c);
	for (i = 0; i < json_array_size(v); i++)
	{
		json_t	   *e = json_array_get(v, i);
		const char *s;
		char		head[VC_IDENT_MAX + 2];
		const char *sep;
		size_t		hlen;
		const vc_field *f;

		if (!json_is_string(e))
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "meta \"ordering\" must be an array of field names");
		s = json_string_value(e);
		if (strcmp(s, "?") != 0)
		{
			const char *p = s[0] == '-' ? s + 1 : s;

			sep = strstr(p, "__");
			hlen = sep ? (size_t) (sep - p) : strlen(p);
			if (hlen > VC_IDENT_MAX || hlen == 0)
				return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
									 "invalid ordering entry %zu", i + 1);
			memcpy(head, p, hlen);
			head[hlen] = '\0';
			{
				json_t	   *hj = json_string(head);
				vc_code		rc;

				if (hj == NULL)
					return vc_mctx_oom(c);
				rc = meta_field_ref(c, m, hj, "ordering", &f);
				json_decref(hj);
				if (rc != VC_OK)
					return rc;
			}
			if (sep && !vc_field_type_is_fk(f->type))
				return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
									 "ordering \"%s\" follows \"%s\", which is not a relation",
									 s, f->name);
		}
		if ((m->ordering[i] = vc_pool_strdup(c->pool, s)) == NULL)
			return vc_mctx_oom(c);
	}
	m->nordering = json_array_size(v);
	return VC_OK;
}

/* Indexes and unique constraints that follow from fields and meta. */
static vc_code
build_indexes(vc_mctx *c, vc_model *m, const json_t *meta, const char *base)
{
	json_t	   *ut = meta ? json_object_get(meta, "unique_together") : NULL;
	json_t	   *it = meta ? json_object_get(meta, "index_together") : NULL;
	json_t	   *ix = meta ? json_object_get(meta, "indexes") : NULL;
	json_t	   *cs = meta ? json_object_get(meta, "constraints") : NULL;
	size_t		nut = 0,
				nit = 0,
				i,
				j;
	vc_code		rc;

	if ((ut && !json_is_array(ut)) || (it && !json_is_array(it)) ||
		(ix && !json_is_array(ix)) || (cs && !json_is_array(cs)))
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "meta unique_together, index_together, indexes and constraints must be arrays");
	if (m->proxy && (json_array_size(ut) || json_array_size(it) ||
					 json_array_size(ix) || json_array_size(cs)))
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "a proxy model cannot declare indexes or constraints");
	if (ut)
		together_group(ut, 0, &nut);
	if (it)
		together_group(it, 0, &nit);
	m->indexes = vc_pool_alloc(c->pool, (m->nfields + nit + json_array_size(ix) + 1) *
							   sizeof(vc_index));
	m->constraints = vc_pool_alloc(c->pool, (nut + json_array_size(cs) + 1) *
								   sizeof(vc_constraint));
	if (m->indexes == NULL || m->constraints == NULL)
		return vc_mctx_oom(c);

	for (i = 0; i < m->nfields; i++)
	{
		vc_field   *f = &m->fields[i];
		vc_index   *x;
		char		name[VC_IDENT_MAX + 1];

		if (!f->db_index || f->unique || f->primary_key || f->column == NULL)
			continue;
		x = &m->indexes[m->nindexes++];
		x->origin = VC_INDEX_FIELD;
		x->ncolumns = 1;
		x->fields = vc_pool_alloc(c->pool, sizeof(char *));
		x->columns = vc_pool_alloc(c->pool, sizeof(char *));
		x->descending = vc_pool_alloc(c->pool, sizeof(bool));
		columns_name(base, &f->column, 1, "idx", name);
		x->name = vc_pool_strdup(c->pool, name);
		if (!x->fields || !x->columns || !x->descending || !x->name)
			return vc_mctx_oom(c);
		x->fields[0] = f->name;
		x->columns[0] = f->column;
	}
	for (i = 0; i < nit; i++)
	{
		size_t		cnt;
		vc_index   *x = &m->indexes[m->nindexes++];
		char		name[VC_IDENT_MAX + 1];

		x->origin = VC_INDEX_TOGETHER;
		if ((rc = field_group(c, m, together_group(it, i, &cnt), "index_together",
							  false, &x->fields, &x->columns, &x->descending,
							  &x->ncolumns)) != VC_OK)
			return rc;
		columns_name(base, x->columns, x->ncolumns, "idx", name);
		if ((x->name = vc_pool_strdup(c->pool, name)) == NULL)
			return vc_mctx_oom(c);
	}
	for (i = 0; i < json_array_size(ix); i++)
		if ((rc = parse_index_obj(c, m, base, json_array_get(ix, i),
								  &m->indexes[m->nindexes++])) != VC_OK)
			return rc;
	for (i = 0; i < nut; i++)
	{
		size_t		cnt;
		vc_constraint *k = &m->constraints[m->nconstraints++];
		char		name[VC_IDENT_MAX + 1];

		k->type = VC_CONSTRAINT_UNIQUE;
		k->origin = VC_CONSTRAINT_TOGETHER;
		if ((rc = field_group(c, m, together_group(ut, i, &cnt), "unique_together",
							  false, &k->fields, &k->columns, NULL,
							  &k->ncolumns)) != VC_OK)
			return rc;
		columns_name(base, k->columns, k->ncolumns, "uniq", name);
		if ((k->name = vc_pool_strdup(c->pool, name)) == NULL)
			return vc_mctx_oom(c);
	}
	for (i = 0; i < json_array_size(cs); i++)
		if ((rc = parse_constraint_obj(c, m, json_array_get(cs, i),
									   &m->constraints[m->nconstraints++])) != VC_OK)
			return rc;

	/* every name the table's DDL uses must be distinct */
	{
		size_t		cap = 2 * m->nfields + m->nindexes + m->nconstraints + 2;
		const char **names = vc_pool_alloc(c->pool, cap * sizeof(char *));
		size_t		n = 0;
		char		tmp[VC_IDENT_MAX + 1];

		if (names == NULL)
			return vc_mctx_oom(c);
		if (m->single)
		{
			vc_model_make_name(base, "single", tmp);
			if ((names[n++] = vc_pool_strdup(c->pool, tmp)) == NULL)
				return vc_mctx_oom(c);
		}
		for (i = 0; i < m->nindexes; i++)
			names[n++] = m->indexes[i].name;
		for (i = 0; i < m->nconstraints; i++)
			names[n++] = m->constraints[i].name;
		for (i = 0; i < m->nfields; i++)
		{
			vc_field   *f = &m->fields[i];

			if (f->column == NULL)
				continue;
			if (f->unique && !f->primary_key)
			{
				columns_name(base, &f->column, 1, "uniq", tmp);
				if ((names[n++] = vc_pool_strdup(c->pool, tmp)) == NULL)
					return vc_mctx_oom(c);
			}
			if (vc_field_type_is_fk(f->type))
			{
				columns_name(base, &f->column, 1, "fkey", tmp);
				if ((names[n++] = vc_pool_strdup(c->pool, tmp)) == NULL)
					return vc_mctx_oom(c);
			}
		}
		for (i = 0; i < n; i++)
			for (j = 0; j < i; j++)
				if (strcmp(names[i], names[j]) == 0)
					return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
										 "index or constraint name \"%s\" is used twice",
										 names[i]);
	}
	return VC_OK;
}

static vc_code
parse_meta_flags(vc_mctx *c, vc_model *m, const json_t *meta)
{
	vc_code		rc;
	json_t	   *v;

	m->managed = true;
	m->permissions = true;
	m->cache_ttl = -1;
	if (meta == NULL)
		return VC_OK;
	if (!json_is_object(meta))
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM, "\"meta\" must be an object");
	if ((rc = check_object_keys(c, meta, meta_keys, NELEM(meta_keys), "meta")) != VC_OK)
		return rc;
	if ((rc = meta_bool(c, meta, "read_only", &m->read_only)) != VC_OK ||
		(rc = meta_bool(c, meta, "single", &m->single)) != VC_OK ||
		(rc = meta_bool(c, meta, "managed", &m->managed)) != VC_OK ||
		(rc = meta_bool(c, meta, "abstract", &m->abstract)) != VC_OK ||
		(rc = meta_bool(c, meta, "proxy", &m->proxy)) != VC_OK ||
		(rc = meta_bool(c, meta, "permissions", &m->permissions)) != VC_OK ||
		(rc = meta_bool(c, meta, "events", &m->events)) != VC_OK ||
		(rc = meta_bool(c, meta, "virtual", &m->is_virtual)) != VC_OK ||
		(rc = meta_str(c, meta, "backend", &m->backend)) != VC_OK ||
		(rc = meta_str(c, meta, "verbose_name", &m->verbose_name)) != VC_OK ||
		(rc = meta_str(c, meta, "verbose_name_plural", &m->verbose_name_plural)) != VC_OK)
		return rc;
	if ((v = json_object_get(meta, "cache_ttl")) != NULL)
	{
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			json_integer_value(v) > 2147483647)
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "meta \"cache_ttl\" must be a non-negative integer (seconds)");
		m->cache_ttl = (long) json_integer_value(v);
	}
	if (m->backend && (rc = vc_mctx_ident(c, m->backend, "backend alias")) != VC_OK)
		return rc;
	if ((v = json_object_get(meta, "proxy_for")) != NULL)
	{
		const char *s;
		const char *dot;
		char		buf[2 * VC_IDENT_MAX + 8];

		if (!m->proxy)
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "meta \"proxy_for\" needs \"proxy\": true");
		if (!json_is_string(v) || json_string_length(v) > 2 * VC_IDENT_MAX + 1 ||
			strlen(json_string_value(v)) != json_string_length(v))
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "meta \"proxy_for\" must be a model label like \"app.Model\"");
		s = json_string_value(v);
		dot = strchr(s, '.');
		if (dot == NULL)
		{
			if ((rc = vc_mctx_ident(c, s, "model name")) != VC_OK)
				return rc;
			snprintf(buf, sizeof(buf), "%s.%s", m->app, s);
		}
		else
		{
			char		app[VC_IDENT_MAX + 2];

			if ((size_t) (dot - s) > VC_IDENT_MAX || strchr(dot + 1, '.'))
				return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
									 "meta \"proxy_for\" must be a model label like \"app.Model\"");
			snprintf(app, sizeof(app), "%.*s", (int) (dot - s), s);
			if ((rc = vc_mctx_ident(c, app, "app name")) != VC_OK ||
				(rc = vc_mctx_ident(c, dot + 1, "model name")) != VC_OK)
				return rc;
			snprintf(buf, sizeof(buf), "%s", s);
		}
		if (strcmp(buf, m->label) == 0)
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "a model cannot be a proxy for itself");
		if ((m->proxy_for = vc_pool_strdup(c->pool, buf)) == NULL)
			return vc_mctx_oom(c);
	}
	if (m->proxy && m->proxy_for == NULL)
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "a proxy model needs meta \"proxy_for\"");
	if (m->proxy && m->abstract)
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "a model cannot be both abstract and a proxy");
	if (m->is_virtual && m->backend == NULL)
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "a virtual model needs meta \"backend\"");
	if (m->is_virtual && (m->abstract || m->proxy))
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "a virtual model cannot be abstract or a proxy");
	return VC_OK;
}

static vc_code
required_ident(vc_mctx *c, const json_t *schema, const char *key,
			   const char *what, char **out)
{
	json_t	   *v = json_object_get(schema, key);

	if (!json_is_string(v))
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "\"%s\" is required (a string)", key);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return vc_mctx_error(c, VC_ERR_IDENTIFIER, "invalid %s: contains a NUL byte",
							 what);
	if (vc_ident_validate(json_string_value(v), json_string_length(v), what,
						  c->err) != VC_OK)
		return vc_mctx_prefix(c, VC_ERR_IDENTIFIER);
	*out = vc_pool_strdup(c->pool, json_string_value(v));
	return *out ? VC_OK : vc_mctx_oom(c);
}

static vc_code
parse_fields(vc_mctx *c, vc_model *m, const json_t *fields)
{
	size_t		n = json_array_size(fields),
				i,
				j,
				npk = 0,
				off;
	vc_code		rc;
	bool		seen_pk = false;

	if (fields != NULL && !json_is_array(fields))
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "\"fields\" must be an array of field objects");
	if (m->proxy)
	{
		if (n > 0)
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "a proxy model cannot declare fields");
		return VC_OK;
	}
	if (n > 1000)
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "a model may have at most 1000 fields");
	m->fields = vc_pool_alloc(c->pool, (n + 1) * sizeof(vc_field));
	if (m->fields == NULL)
		return vc_mctx_oom(c);
	for (i = 0; i < n; i++)
		if (json_is_true(json_object_get(json_array_get(fields, i), "primary_key")))
			npk++;
	off = npk == 0 ? 1 : 0;		/* room for the implicit id */
	for (i = 0; i < n; i++)
	{
		vc_field   *f = &m->fields[off + i];

		if ((rc = vc_field_parse(c, json_array_get(fields, i), m->app, m->name,
								 m->table, f)) != VC_OK)
			return rc;
		c->field = f->name;		/* name the field in the messages below */
		for (j = off; j < off + i; j++)
		{
			if (strcmp(m->fields[j].name, f->name) == 0)
				return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
									 "duplicate field name \"%s\"", f->name);
			if (f->column && m->fields[j].column &&
				strcmp(m->fields[j].column, f->column) == 0)
				return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
									 "column \"%s\" of field \"%s\" is also used by field \"%s\"",
									 f->column, f->name, m->fields[j].name);
		}
		if (f->primary_key)
		{
			if (seen_pk)
				return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
									 "a second primary key (the first is \"%s\"); a model has one",
									 m->fields[m->pk].name);
			seen_pk = true;
			m->pk = off + i;
		}
		c->field = NULL;
	}
	m->nfields = n + off;
	if (off)
	{
		vc_field   *id = &m->fields[0];

		for (j = 1; j < m->nfields; j++)
			if (strcmp(m->fields[j].name, "id") == 0 ||
				(m->fields[j].column && strcmp(m->fields[j].column, "id") == 0))
				return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
									 "field \"%s\" clashes with the implicit primary key \"id\"; mark a field \"primary_key\": true",
									 m->fields[j].name);
		id->name = vc_pool_strdup(c->pool, "id");
		id->column = vc_pool_strdup(c->pool, "id");
		if (id->name == NULL || id->column == NULL)
			return vc_mctx_oom(c);
		id->type = VC_FT_AUTO;
		id->primary_key = true;
		id->unique = true;
		id->implicit = true;
		m->pk = 0;
	}
	return VC_OK;
}

vc_code
vc_model_parse_into(vc_pool *pool, const json_t *schema, long index,
					vc_model *m, vc_error *err)
{
	vc_mctx		c;
	json_t	   *meta;
	json_t	   *tv;
	vc_code		rc;
	char		lname[VC_IDENT_MAX + 1];
	char		base[VC_IDENT_MAX + 1];
	char		buf[2 * VC_IDENT_MAX + 8];

	memset(&c, 0, sizeof(c));
	c.pool = pool;
	c.err = err;
	if (index >= 0)
		snprintf(c.label, sizeof(c.label), "#%ld", index + 1);
	else
		snprintf(c.label, sizeof(c.label), "?");
	m->pool = pool;
	if (!json_is_object(schema))
		return vc_mctx_error(&c, VC_ERR_INVALID_PARAM,
							 "a model schema must be a JSON object");
	if ((rc = required_ident(&c, schema, "app", "app name", &m->app)) != VC_OK)
		return rc;
	if ((rc = required_ident(&c, schema, "name", "model name", &m->name)) != VC_OK)
		return rc;
	snprintf(buf, sizeof(buf), "%s.%s", m->app, m->name);
	snprintf(c.label, sizeof(c.label), "%s", buf);
	if ((m->label = vc_pool_strdup(pool, buf)) == NULL)
		return vc_mctx_oom(&c);
	if ((rc = check_object_keys(&c, schema, top_keys, NELEM(top_keys), "model")) != VC_OK)
		return rc;
	meta = json_object_get(schema, "meta");
	if ((rc = parse_meta_flags(&c, m, meta)) != VC_OK)
		return rc;

	/* table: declared, or <app>_<lower name> (shortened when too long) */
	vc_lower_ident(m->name, lname, sizeof(lname));
	snprintf(buf, sizeof(buf), "%s_%s", m->app, lname);
	vc_model_make_name(buf, NULL, base);
	tv = json_object_get(schema, "table");
	if (tv != NULL)
	{
		if (m->abstract || m->is_virtual)
			return vc_mctx_error(&c, VC_ERR_INVALID_PARAM,
								 "\"table\" does not apply to an %s model",
								 m->abstract ? "abstract" : "virtual");
		if ((rc = required_ident(&c, schema, "table", "table name", &m->table)) != VC_OK)
			return rc;
		m->table_declared = true;
	}
	else if (!m->abstract && !m->is_virtual && !m->proxy)
	{
		if ((m->table = vc_pool_strdup(pool, base)) == NULL)
			return vc_mctx_oom(&c);
	}

	if ((rc = parse_fields(&c, m, json_object_get(schema, "fields"))) != VC_OK)
		return rc;
	if (m->single && m->proxy)
		return vc_mctx_error(&c, VC_ERR_INVALID_PARAM,
							 "meta \"single\" does not apply to a proxy model");
	if (meta && json_object_get(meta, "ordering") &&
		(rc = parse_ordering(&c, m, json_object_get(meta, "ordering"))) != VC_OK)
		return rc;
	if ((rc = build_indexes(&c, m, meta, m->table ? m->table : base)) != VC_OK)
		return rc;

	if (m->verbose_name == NULL &&
		(m->verbose_name = default_verbose_name(pool, m->name)) == NULL)
		return vc_mctx_oom(&c);
	if (m->verbose_name_plural == NULL)
	{
		size_t		len = strlen(m->verbose_name);

		m->verbose_name_plural = vc_pool_alloc(pool, len + 2);
		if (m->verbose_name_plural == NULL)
			return vc_mctx_oom(&c);
		memcpy(m->verbose_name_plural, m->verbose_name, len);
		m->verbose_name_plural[len] = 's';
	}
	return VC_OK;
}

/* Relations that point at the model itself can be resolved at once. */
void
vc_model_resolve_self(vc_model *m)
{
	size_t		i;

	if (m->proxy || m->table == NULL)
		return;
	for (i = 0; i < m->nfields; i++)
	{
		vc_field   *f = &m->fields[i];
		const vc_field *pk = &m->fields[m->pk];

		if (f->to == NULL)
			continue;
		if (f->type == VC_FT_MANYTOMANY)
		{
			f->m2m_from_type = pk->type == VC_FT_AUTO ? VC_FT_INTEGER :
				pk->type == VC_FT_BIGAUTO ? VC_FT_BIGINTEGER : pk->type;
			f->m2m_from_max_length = pk->max_length;
			f->m2m_from_max_digits = pk->max_digits;
			f->m2m_from_decimal_places = pk->decimal_places;
		}
		if (strcmp(f->to, m->label) != 0 || vc_field_type_is_fk(pk->type))
			continue;
		f->resolved = true;
		f->rel_table = m->table;
		f->rel_column = pk->column;
		f->rel_type = pk->type == VC_FT_AUTO ? VC_FT_INTEGER :
			pk->type == VC_FT_BIGAUTO ? VC_FT_BIGINTEGER : pk->type;
		f->rel_max_length = pk->max_length;
		f->rel_max_digits = pk->max_digits;
		f->rel_decimal_places = pk->decimal_places;
	}
}

vc_code
vc_model_parse(const vc_alloc *a, const json_t *schema, vc_model **out,
			   vc_error *err)
{
	vc_pool    *pool;
	vc_model   *m;
	vc_code		rc;

	*out = NULL;
	pool = vc_pool_create(a);
	if (pool == NULL)
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	m = vc_pool_alloc(pool, sizeof(vc_model));
	if (m == NULL)
	{
		vc_pool_destroy(pool);
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	}
	rc = vc_model_parse_into(pool, schema, -1, m, err);
	if (rc != VC_OK)
	{
		vc_pool_destroy(pool);
		return rc;
	}
	vc_model_resolve_self(m);
	m->owns_pool = true;
	*out = m;
	return VC_OK;
}

void
vc_model_free(vc_model *m)
{
	if (m == NULL || !m->owns_pool)
		return;
	vc_pool_destroy(m->pool);
}
