/*
 * vc_query.c — the query compiler's common machinery (vc_query.h): the
 * compile context, bound parameters and placeholders, field paths and the
 * joins they create, and FROM + JOIN emission with the permission hook.
 * Conditions and expressions are in vc_query_cond.c.
 *
 * Why numbered placeholders: parts of a statement (WHERE, JOIN ON
 * predicates, SELECT list) are built in separate buffers and joined at
 * the end; $n / ?n let a parameter keep its number whatever the text order,
 * and let one value be referenced twice (SQLite startswith/endswith, keyset).
 *
 * Memory: see vc_query_int.h.
 */
#include "vc_query_int.h"

#include <stdio.h>
#include <string.h>

#include "vc_text.h"

/* ---- context ------------------------------------------------------------ */

vc_code
vq_oom(qctx *q)
{
	return vc_error_set(q->err, VC_ERR_OUT_OF_MEMORY, "out of memory");
}

vc_code
vq_begin(qctx *q, const vc_alloc *a, const vc_catalog *cat, const char *label,
		 const vc_query_opts *o, vc_perm_action action, vc_compiled **out,
		 vc_error *err)
{
	vc_compiled *c;
	vc_pool    *pool;
	vc_code		rc;

	*out = NULL;
	memset(q, 0, sizeof(*q));
	q->a = a;
	q->cat = cat;
	q->o = o;
	q->err = err;
	q->action = action;
	if (o == NULL || (o->dialect != VC_DIALECT_POSTGRESQL &&
					  o->dialect != VC_DIALECT_SQLITE))
		return vc_error_set(err, VC_ERR_INVALID_PARAM,
							"the query compiler supports the postgresql and sqlite dialects only");
	q->d = o->dialect;
	if (o->spec_len > VC_QUERY_MAX_SPEC)
	{
		vc_error_set(err, VC_ERR_TOO_COMPLEX, "spec is larger than 1 MiB");
		vc_error_detail(err, "The spec has %zu bytes.", o->spec_len);
		return VC_ERR_TOO_COMPLEX;
	}
	if (label == NULL)
		return vc_error_set(err, VC_ERR_INVALID_PARAM, "model label is required");
	if ((rc = vc_catalog_find(cat, label, strlen(label), &q->m, err)) != VC_OK)
		return rc;
	pool = vc_pool_create(a);
	if (pool == NULL)
		return vq_oom(q);
	c = vc_pool_alloc(pool, sizeof(vc_compiled));
	if (c == NULL)
	{
		vc_pool_destroy(pool);
		return vq_oom(q);
	}
	c->pool = pool;
	c->model = q->m;
	c->dialect = q->d;
	c->max_affected = -1;
	q->pool = pool;
	*out = c;
	return VC_OK;
}

/* Copy the SQL and parameters into the compiled statement. */
vc_code
vq_finish(qctx *q, vc_compiled *c, vc_buf *sql)
{
	char	   *text;
	size_t		len;
	vc_code		rc;

	if ((rc = vc_buf_finish(sql, &text, &len, q->err)) != VC_OK)
		return rc;
	c->sql = vc_pool_strndup(q->pool, text, len);
	vc_free(q->a, text);
	if (c->sql == NULL)
		return vq_oom(q);
	c->sql_len = len;
	c->params = q->params;
	c->nparams = q->nparams;
	return VC_OK;
}

/* ---- parameters --------------------------------------------------------- */

vc_code
vq_param(qctx *q, const vc_param *p, size_t *num)
{
	if (q->nparams == q->capparams)
	{
		size_t		ncap = q->capparams ? q->capparams * 2 : 16;
		vc_param   *np = vc_pool_alloc(q->pool, ncap * sizeof(vc_param));

		if (np == NULL)
			return vq_oom(q);
		if (q->nparams)
			memcpy(np, q->params, q->nparams * sizeof(vc_param));
		q->params = np;
		q->capparams = ncap;
	}
	q->params[q->nparams++] = *p;
	*num = q->nparams;
	return VC_OK;
}

/* Decimal digits of n at the end of buf[0..end); returns the first one.
 * (Hand-rolled: the compiler writes many small numbers, and printf's
 * machinery was a measurable part of a compile.) */
static char *
put_digits(char *end, size_t n)
{
	do
	{
		*--end = (char) ('0' + n % 10);
		n /= 10;
	} while (n > 0);
	return end;
}

void
vq_placeholder(qctx *q, vc_buf *b, size_t num)
{
	char		buf[24];
	char	   *s = put_digits(buf + sizeof(buf), num);

	*--s = q->d == VC_DIALECT_POSTGRESQL ? '$' : '?';
	vc_buf_append(b, s, (size_t) (buf + sizeof(buf) - s));
}

vc_code
vq_bind(qctx *q, vc_buf *b, const vc_param *p)
{
	size_t		n;
	vc_code		rc;

	if ((rc = vq_param(q, p, &n)) != VC_OK)
		return rc;
	vq_placeholder(q, b, n);
	return VC_OK;
}

vc_code
vq_bind_value(qctx *q, vc_buf *b, const vc_model *m, const vc_field *f,
			  const json_t *v, bool write, const char *what)
{
	vc_param	p;
	vc_code		rc;

	if ((rc = vc_value_bind(q->pool, m, f, v, q->d, write, write, what, &p,
							q->err)) != VC_OK)
		return rc;
	return vq_bind(q, b, &p);
}

vc_code
vq_bind_int(qctx *q, vc_buf *b, int64_t v)
{
	vc_param	p;

	memset(&p, 0, sizeof(p));
	p.kind = VC_PARAM_INT;
	p.i = v;
	p.pg_type = "int8";
	p.sqlite_class = VC_SQLITE_INTEGER;
	return vq_bind(q, b, &p);
}

vc_code
vq_param_text(qctx *q, const char *s, size_t len, size_t *num)
{
	vc_param	p;

	memset(&p, 0, sizeof(p));
	p.kind = VC_PARAM_TEXT;
	p.pg_type = "text";
	p.sqlite_class = VC_SQLITE_TEXT;
	p.text = vc_pool_strndup(q->pool, s, len);
	if (p.text == NULL)
		return vq_oom(q);
	p.len = len;
	return vq_param(q, &p, num);
}

vc_code
vq_bind_text(qctx *q, vc_buf *b, const char *s, size_t len)
{
	size_t		n;
	vc_code		rc;

	if ((rc = vq_param_text(q, s, len, &n)) != VC_OK)
		return rc;
	vq_placeholder(q, b, n);
	return VC_OK;
}

/* ---- SQL pieces --------------------------------------------------------- */

/*
 * "t<alias>" quoted. Both dialects of the compiler quote with '"' and the
 * name holds no quote, so the quoted text is written directly (what
 * vc_ident_quote_buf would produce, without its per-character loop).
 */
void
vq_alias(qctx *q, vc_buf *b, int alias)
{
	char		buf[24];
	char	   *s;

	(void) q;
	buf[sizeof(buf) - 1] = '"';
	s = put_digits(buf + sizeof(buf) - 1, (size_t) alias);
	*--s = 't';
	*--s = '"';
	vc_buf_append(b, s, (size_t) (buf + sizeof(buf) - s));
}

/* "t<alias>"."column" in one append (a column with a '"' in it — never
 * from a validated catalog — goes through vc_ident_quote_buf). */
void
vq_colref(qctx *q, vc_buf *b, int alias, const char *column)
{
	char		buf[VC_IDENT_MAX + 32];
	size_t		clen = strlen(column);
	char	   *s;
	size_t		n;

	if (clen > VC_IDENT_MAX || memchr(column, '"', clen) != NULL)
	{
		vq_alias(q, b, alias);
		vc_buf_putc(b, '.');
		vc_ident_quote_buf(b, column, clen, q->d);
		return;
	}
	/* digits are written backwards from the middle, the column forwards */
	s = put_digits(buf + 16, (size_t) alias);
	*--s = 't';
	*--s = '"';
	n = 16;
	buf[n++] = '"';
	buf[n++] = '.';
	buf[n++] = '"';
	memcpy(buf + n, column, clen);
	n += clen;
	buf[n++] = '"';
	vc_buf_append(b, s, (size_t) (buf + n - s));
}

const vc_field *
vq_pk(const vc_model *m)
{
	return &m->fields[m->pk];
}

/*
 * Select expression of a field (PostgreSQL arrays as JSON text). Under
 * SELECT DISTINCT the value must have an equality operator: json has none,
 * so arrays go through to_jsonb there (its text output is JSON too; the
 * plain form keeps array_to_json, which prints float elements exactly as
 * float8 does). JSONField columns are jsonb already.
 */
void
vq_select_col(qctx *q, vc_buf *b, int alias, const vc_field *f)
{
	if (f->type == VC_FT_ARRAY && q->d == VC_DIALECT_POSTGRESQL)
	{
		vc_buf_puts(b, q->distinct ? "to_jsonb(" : "array_to_json(");
		vq_colref(q, b, alias, f->column);
		vc_buf_putc(b, ')');
	}
	else
		vq_colref(q, b, alias, f->column);
}

vc_out_kind
vq_field_kind(const vc_field *f)
{
	vc_field_type t = vc_field_storage_type(f);

	switch (t)
	{
		case VC_FT_AUTO:
		case VC_FT_BIGAUTO:
		case VC_FT_INTEGER:
		case VC_FT_BIGINTEGER:
		case VC_FT_SMALLINTEGER:
		case VC_FT_POSITIVEINTEGER:
		case VC_FT_FLOAT:
		case VC_FT_DECIMAL:
			return VC_OUT_NUMBER;
		case VC_FT_BOOLEAN:
			return VC_OUT_BOOLEAN;
		case VC_FT_JSON:
		case VC_FT_ARRAY:
			return VC_OUT_JSON;
		case VC_FT_BINARY:
			return VC_OUT_BYTES;
		default:
			return VC_OUT_STRING;
	}
}

/* ---- the permission hook ------------------------------------------------ */

void
vc_sink_sql(vc_sql_sink *s, const char *sql)
{
	vc_buf_puts(s->b, sql);
}

void
vc_sink_ident(vc_sql_sink *s, const char *name)
{
	vc_ident_quote_buf(s->b, name, strlen(name), s->q->d);
}

vc_code
vc_sink_param(vc_sql_sink *s, const vc_param *p, vc_error *err)
{
	vc_param	cp = *p;
	vc_code		rc;

	if (p->text)
	{
		cp.text = vc_pool_strndup(s->q->pool, p->text, p->len);
		if (cp.text == NULL)
			return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	}
	if ((rc = vq_bind(s->q, s->b, &cp)) != VC_OK && err != s->q->err && err)
		*err = *s->q->err;
	return rc;
}

/*
 * Append " AND (<predicate>)" for model m at alias when the hook has one.
 * Only the statement's own table (alias t0) is checked for the statement's
 * action; every other occurrence (joins and sub-selects that a filter,
 * ordering or related object crosses) is only read, so it takes the read
 * grants — as PostgreSQL's row-level security does for such tables.
 */
vc_code
vq_perm(qctx *q, const vc_model *m, int alias, vc_buf *b, bool *applied)
{
	vc_sql_sink sink;
	vc_buf		tmp;
	char		name[16];
	vc_code		rc;

	*applied = false;
	if (q->o->perm == NULL || m == NULL)
		return VC_OK;
	snprintf(name, sizeof(name), "t%d", alias);
	vc_buf_init(&tmp, q->a);
	sink.q = q;
	sink.b = &tmp;
	rc = q->o->perm(q->o->perm_ud, m, alias == 0 ? q->action : VC_PERM_SELECT,
					name, &sink, applied, q->err);
	if (rc == VC_OK && *applied)
	{
		vc_buf_puts(b, "(");
		vq_append_buf(b, &tmp);
		vc_buf_puts(b, ")");
		if (tmp.failed)
			rc = vq_oom(q);
	}
	vc_buf_reset(&tmp);
	return rc;
}

/* ---- fields and paths --------------------------------------------------- */

const vc_field *
vq_find_field(const vc_model *m, const char *name, size_t len)
{
	size_t		i;

	if (len == 2 && memcmp(name, "pk", 2) == 0)
		return vq_pk(m);
	for (i = 0; i < m->nfields; i++)
	{
		const vc_field *f = &m->fields[i];

		if (strlen(f->name) == len && memcmp(f->name, name, len) == 0)
			return f;
		if (f->column && strlen(f->column) == len && memcmp(f->column, name, len) == 0)
			return f;
	}
	return NULL;
}

vc_code
vq_unknown_field(qctx *q, const vc_model *m, const char *name, size_t len)
{
	const char *cands[256];
	size_t		n = 0,
				i;
	const char *near;
	char		echo[VC_ECHO_BUFSZ];

	for (i = 0; i < m->nfields && n < 256; i++)
		cands[n++] = m->fields[i].name;
	near = vc_nearest(name, len, cands, n);
	vc_error_set(q->err, VC_ERR_UNDEFINED_COLUMN,
				 "model \"%s\" has no field \"%s\"", m->label,
				 vc_echo(echo, sizeof(echo), name, len));
	if (near)
		vc_error_hint(q->err, "Perhaps you meant \"%s\".", near);
	return VC_ERR_UNDEFINED_COLUMN;
}

static const char *const lookups[] = {
	"exact", "iexact", "contains", "icontains", "startswith", "istartswith",
	"endswith", "iendswith", "gt", "gte", "lt", "lte", "in", "isnull",
	"range", "regex", "iregex", NULL
};

static bool
is_lookup(const char *s, size_t len)
{
	int			i;

	for (i = 0; lookups[i]; i++)
		if (strlen(lookups[i]) == len && memcmp(lookups[i], s, len) == 0)
			return true;
	return false;
}

static vc_code
unknown_lookup(qctx *q, const char *s, size_t len, const char *path)
{
	char		echo[VC_ECHO_BUFSZ],
				echo2[VC_ECHO_BUFSZ];
	const char *near = vc_nearest(s, len, lookups, sizeof(lookups) / sizeof(lookups[0]) - 1);

	vc_error_set(q->err, VC_ERR_INVALID_PARAM, "unknown lookup \"%s\" in \"%s\"",
				 vc_echo(echo, sizeof(echo), s, len),
				 vc_echo(echo2, sizeof(echo2), path, strlen(path)));
	if (near)
		vc_error_hint(q->err, "Perhaps you meant \"%s\".", near);
	else
		vc_error_hint(q->err, "Lookups are exact, iexact, contains, icontains, startswith, istartswith, endswith, iendswith, gt, gte, lt, lte, in, isnull, range, regex, iregex.");
	return VC_ERR_INVALID_PARAM;
}

/* A reverse relation of m named name: an FK or M2M field of another
 * model pointing at m whose related_name (or lower-case model name) is
 * name. */
static const vc_field *
find_reverse(qctx *q, const vc_model *m, const char *name, size_t len,
			 const vc_model **owner)
{
	size_t		i,
				j,
				n = vc_catalog_count(q->cat);

	for (i = 0; i < n; i++)
	{
		const vc_model *om = vc_catalog_model(q->cat, i);

		if (om->proxy || om->abstract || om->table == NULL)
			continue;
		for (j = 0; j < om->nfields; j++)
		{
			const vc_field *f = &om->fields[j];
			char		lname[VC_IDENT_MAX + 1];
			const char *rn;

			if ((!vc_field_type_is_fk(f->type) && f->type != VC_FT_MANYTOMANY) ||
				f->to == NULL || strcmp(f->to, m->label) != 0)
				continue;
			if (f->related_name)
				rn = f->related_name;
			else
			{
				vc_lower_ident(om->name, lname, sizeof(lname));
				rn = lname;
			}
			if (strlen(rn) == len && memcmp(rn, name, len) == 0)
			{
				*owner = om;
				return f;
			}
		}
	}
	return NULL;
}

/*
 * The join for one hop from alias parent+1, shared with an earlier path
 * that took the same hop. Under $not (q->sub_request) the first hop that
 * can match several rows (M2M junction, reverse FK, reverse M2M junction)
 * from the statement's own scope starts a new sub-select scope instead —
 * never shared, one EXISTS per condition — and later hops of the path stay
 * in it (their parent is in it).
 */
static vc_code
get_join(qctx *q, int parent, qjoin_kind kind, const vc_field *via,
		 const vc_model *model, int mode, int *alias)
{
	size_t		i;
	int			scope = parent < 0 ? 0 : q->joins[parent].scope;
	bool		root = q->sub_request && scope == 0 &&
		(kind == QJ_M2M_JUNCTION || kind == QJ_REVERSE || kind == QJ_RM2M_JUNCTION);

	for (i = 0; !root && i < q->njoins; i++)
	{
		qjoin	   *j = &q->joins[i];

		if (j->parent == parent && j->kind == kind && j->via == via)
		{
			if (mode == QJ_MODE_LEFT)
				j->left = true;
			*alias = (int) i + 1;
			return VC_OK;
		}
	}
	if (q->njoins == q->capjoins)
	{
		size_t		ncap = q->capjoins ? q->capjoins * 2 : 8;
		qjoin	   *nj = vc_pool_alloc(q->pool, ncap * sizeof(qjoin));

		if (nj == NULL)
			return vq_oom(q);
		if (q->njoins)
			memcpy(nj, q->joins, q->njoins * sizeof(qjoin));
		q->joins = nj;
		q->capjoins = ncap;
	}
	q->joins[q->njoins].parent = parent;
	q->joins[q->njoins].kind = kind;
	q->joins[q->njoins].via = via;
	q->joins[q->njoins].model = model;
	q->joins[q->njoins].left = mode == QJ_MODE_LEFT ||
		(kind == QJ_FK && via->null) || kind == QJ_REVERSE ||
		kind == QJ_RM2M_JUNCTION || kind == QJ_RM2M_TARGET;
	q->joins[q->njoins].scope = root ? ++q->nscopes : scope;
	q->joins[q->njoins].root = root;
	if (root)
	{
		q->joins[q->njoins].left = false;
		q->last_root = (int) q->njoins;
	}
	q->njoins++;
	*alias = (int) q->njoins;
	return VC_OK;
}

static vc_code
too_deep(qctx *q, const char *path)
{
	char		echo[VC_ECHO_BUFSZ];

	vc_error_set(q->err, VC_ERR_TOO_COMPLEX,
				 "relation path \"%s\" is deeper than %d hops",
				 vc_echo(echo, sizeof(echo), path, strlen(path)), VC_QUERY_MAX_HOPS);
	return VC_ERR_TOO_COMPLEX;
}

/*
 * Resolve "a__b__c[__lookup]" from the queried model. Joins are created
 * (or shared) on the way; *lookup gets the lookup name (static) when
 * allow_lookup, else any trailing part is an error. m2m_final_ok: a path
 * ending on a ManyToManyField compares the junction's target column
 * (filters, aggregates); otherwise it is 22023.
 */
vc_code
vq_resolve(qctx *q, const char *path, int mode, bool allow_lookup,
		   bool m2m_final_ok, qcol *col, const char **lookup)
{
	const char *parts[VC_QUERY_MAX_HOPS + 4];
	size_t		plen[VC_QUERY_MAX_HOPS + 4];
	size_t		n = 0,
				i;
	const char *s = path;
	const vc_model *cur = q->m;
	int			alias = 0,
				hops = 0;
	char		echo[VC_ECHO_BUFSZ];

	if (lookup)
		*lookup = "exact";
	q->last_root = -1;
	memset(col, 0, sizeof(*col));
	for (;;)
	{
		const char *sep = strstr(s, "__");
		size_t		l = sep ? (size_t) (sep - s) : strlen(s);

		if (n == VC_QUERY_MAX_HOPS + 3)
			return too_deep(q, path);
		parts[n] = s;
		plen[n++] = l;
		if (l == 0)
			return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
								"malformed field path \"%s\"",
								vc_echo(echo, sizeof(echo), path, strlen(path)));
		if (!sep)
			break;
		s = sep + 2;
	}
	for (i = 0; i < n; i++)
	{
		const vc_field *f = vq_find_field(cur, parts[i], plen[i]);
		bool		last = i == n - 1;
		bool		next_is_lookup = !last && i + 1 == n - 1 && is_lookup(parts[i + 1], plen[i + 1]);
		vc_code		rc;

		if (f == NULL)
		{
			const vc_model *owner = NULL;
			const vc_field *rf = find_reverse(q, cur, parts[i], plen[i], &owner);

			if (rf == NULL)
			{
				return vq_unknown_field(q, cur, parts[i], plen[i]);
			}
			if (++hops > VC_QUERY_MAX_HOPS)
				return too_deep(q, path);
			if (rf->type == VC_FT_MANYTOMANY)
			{
				int			jalias;

				if ((rc = get_join(q, alias - 1, QJ_RM2M_JUNCTION, rf, NULL, mode,
								   &jalias)) != VC_OK)
					return rc;
				if (last || next_is_lookup)
				{
					col->alias = jalias;
					col->model = NULL;
					col->column = rf->m2m_from_column;
					col->field = vq_pk(owner);
					col->vmodel = owner;
					i++;
					goto lookup;
				}
				if ((rc = get_join(q, jalias - 1, QJ_RM2M_TARGET, rf, owner, mode,
								   &alias)) != VC_OK)
					return rc;
				cur = owner;
				continue;
			}
			if ((rc = get_join(q, alias - 1, QJ_REVERSE, rf, owner,
							   mode, &alias)) != VC_OK)
				return rc;
			cur = owner;
			if (last || next_is_lookup)
			{
				/* compare the related row's pk */
				col->alias = alias;
				col->model = owner;
				col->field = vq_pk(owner);
				col->column = col->field->column;
				col->vmodel = owner;
				i++;
				goto lookup;
			}
			continue;
		}
		if (f->type == VC_FT_MANYTOMANY)
		{
			const vc_model *target = vc_catalog_get(q->cat, f->to);
			int			jalias;

			if (target == NULL)
				return vc_error_set(q->err, VC_ERR_INTERNAL,
									"relation target \"%s\" is not in the catalog", f->to);
			if (++hops > VC_QUERY_MAX_HOPS)
				return too_deep(q, path);
			if ((rc = get_join(q, alias - 1, QJ_M2M_JUNCTION, f, NULL, mode,
							   &jalias)) != VC_OK)
				return rc;
			if (last || next_is_lookup)
			{
				if (!m2m_final_ok)
					return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
										"\"%s\" is a ManyToManyField; name one of its target's fields",
										vc_echo(echo, sizeof(echo), path, strlen(path)));
				col->alias = jalias;
				col->model = NULL;
				col->column = f->m2m_to_column;
				col->field = vq_pk(target);
				col->vmodel = target;
				i++;
				goto lookup;
			}
			if ((rc = get_join(q, jalias - 1, QJ_M2M_TARGET, f, target, mode,
							   &alias)) != VC_OK)
				return rc;
			cur = target;
			continue;
		}
		if (vc_field_type_is_fk(f->type) && !last && !next_is_lookup)
		{
			const vc_model *target = vc_catalog_get(q->cat, f->to);
			const vc_field *nf;

			if (target == NULL)
				return vc_error_set(q->err, VC_ERR_INTERNAL,
									"relation target \"%s\" is not in the catalog", f->to);
			nf = vq_find_field(target, parts[i + 1], plen[i + 1]);
			/* author__id: the FK column already holds it — no join */
			if (nf == vq_pk(target) && (i + 1 == n - 1 ||
										(i + 2 == n - 1 && is_lookup(parts[i + 2], plen[i + 2]))))
			{
				col->alias = alias;
				col->model = cur;
				col->column = f->column;
				col->field = f;
				col->vmodel = cur;
				i += 2;
				goto lookup;
			}
			if (++hops > VC_QUERY_MAX_HOPS)
				return too_deep(q, path);
			if ((rc = get_join(q, alias - 1, QJ_FK, f, target, mode, &alias)) != VC_OK)
				return rc;
			cur = target;
			continue;
		}
		/* a column */
		col->alias = alias;
		col->model = cur;
		col->column = f->column;
		col->field = f;
		col->vmodel = cur;
		i++;
		goto lookup;
	}
	/* a path that ended on a relation hop (reverse/M2M target): its pk */
	col->alias = alias;
	col->model = cur;
	col->field = vq_pk(cur);
	col->column = col->field->column;
	col->vmodel = cur;
	return VC_OK;

lookup:
	if (i == n)
		return VC_OK;
	if (!allow_lookup)
	{
		if (i + 1 == n && is_lookup(parts[i], plen[i]))
			return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
								"a lookup is not allowed in \"%s\"",
								vc_echo(echo, sizeof(echo), path, strlen(path)));
		if (vc_field_type_is_fk(col->field->type) || col->model == NULL)
			return vq_unknown_field(q, col->vmodel, parts[i], plen[i]);
		return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
							"field \"%s\" of model \"%s\" is not a relation",
							col->field->name, col->vmodel->label);
	}
	if (i + 1 == n)
	{
		int			k;

		for (k = 0; lookups[k]; k++)
			if (strlen(lookups[k]) == plen[i] && memcmp(lookups[k], parts[i], plen[i]) == 0)
			{
				if (lookup)
					*lookup = lookups[k];
				return VC_OK;
			}
		if (col->model && !vc_field_type_is_fk(col->field->type))
			return unknown_lookup(q, parts[i], plen[i], path);
		if (col->vmodel && vc_field_type_is_fk(col->field->type))
		{
			const vc_model *target = vc_catalog_get(q->cat, col->field->to);

			if (target)
				return vq_unknown_field(q, target, parts[i], plen[i]);
		}
		return unknown_lookup(q, parts[i], plen[i], path);
	}
	return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
						"field \"%s\" of model \"%s\" is not a relation",
						col->field->name, col->vmodel ? col->vmodel->label : "?");
}

/* ---- FROM and joins ----------------------------------------------------- */

static bool
join_left(qctx *q, size_t i)
{
	int			p = (int) i;

	while (p >= 0)
	{
		if (q->joins[p].left)
			return true;
		p = q->joins[p].parent;
	}
	return false;
}

/* The ON condition of join i (for a sub-select root: its correlation). */
static void
join_on(qctx *q, vc_buf *b, size_t i)
{
	qjoin	   *j = &q->joins[i];
	int			me = (int) i + 1,
				par = j->parent + 1;
	const vc_model *pm = j->parent < 0 ? q->m : q->joins[j->parent].model;

	switch (j->kind)
	{
		case QJ_FK:
			vq_colref(q, b, me, vq_pk(j->model)->column);
			vc_buf_puts(b, " = ");
			vq_colref(q, b, par, j->via->column);
			break;
		case QJ_M2M_JUNCTION:
			vq_colref(q, b, me, j->via->m2m_from_column);
			vc_buf_puts(b, " = ");
			vq_colref(q, b, par, vq_pk(pm)->column);
			break;
		case QJ_M2M_TARGET:
			vq_colref(q, b, me, vq_pk(j->model)->column);
			vc_buf_puts(b, " = ");
			vq_colref(q, b, par, j->via->m2m_to_column);
			break;
		case QJ_REVERSE:
			vq_colref(q, b, me, j->via->column);
			vc_buf_puts(b, " = ");
			vq_colref(q, b, par, vq_pk(pm)->column);
			break;
		case QJ_RM2M_JUNCTION:
			vq_colref(q, b, me, j->via->m2m_to_column);
			vc_buf_puts(b, " = ");
			vq_colref(q, b, par, vq_pk(pm)->column);
			break;
		case QJ_RM2M_TARGET:
			vq_colref(q, b, me, vq_pk(j->model)->column);
			vc_buf_puts(b, " = ");
			vq_colref(q, b, par, j->via->m2m_from_column);
			break;
	}
}

static const char *
join_table(const qjoin *j)
{
	return (j->kind == QJ_M2M_JUNCTION || j->kind == QJ_RM2M_JUNCTION) ?
		j->via->m2m_table : j->model->table;
}

/* " [LEFT] JOIN table AS tN ON cond [AND (predicate)]" for join i. */
static vc_code
join_clause(qctx *q, vc_buf *b, size_t i, bool left)
{
	qjoin	   *j = &q->joins[i];
	const char *table = join_table(j);
	vc_code		rc = VC_OK;

	vc_buf_puts(b, left ? " LEFT JOIN " : " JOIN ");
	vc_ident_quote_buf(b, table, strlen(table), q->d);
	vc_buf_puts(b, " AS ");
	vq_alias(q, b, (int) i + 1);
	vc_buf_puts(b, " ON ");
	join_on(q, b, i);
	if (j->model)
	{
		vc_buf		pb;
		bool		applied;

		vc_buf_init(&pb, q->a);
		rc = vq_perm(q, j->model, (int) i + 1, &pb, &applied);
		if (rc == VC_OK && applied)
		{
			vc_buf_puts(b, " AND ");
			vq_append_buf(b, &pb);
		}
		vc_buf_reset(&pb);
	}
	return rc;
}

/*
 * FROM "table" AS "t0" [JOIN ...]. Joined models' predicates go into their
 * ON clauses; the queried model's predicate is appended to where_pred
 * (*pred tells whether there was one). Joins of EXISTS sub-selects
 * (scope > 0) are vq_exists's.
 */
vc_code
vq_from(qctx *q, vc_buf *b, bool *pred, vc_buf *where_pred)
{
	size_t		i;
	vc_code		rc;

	vc_buf_puts(b, " FROM ");
	vc_ident_quote_buf(b, q->m->table, strlen(q->m->table), q->d);
	vc_buf_puts(b, " AS ");
	vq_alias(q, b, 0);
	for (i = 0; i < q->njoins; i++)
	{
		if (q->joins[i].scope != 0)
			continue;
		if ((rc = join_clause(q, b, i, join_left(q, i))) != VC_OK)
			return rc;
	}
	return vq_perm(q, q->m, 0, where_pred, pred);
}

/*
 * EXISTS (SELECT 1 FROM <root> [JOIN ...] WHERE <correlation> [AND
 * (predicate)] AND <cond>) for the sub-select scope rooted at join root:
 * the root table's ON condition refers to the outer alias, so the
 * sub-select is correlated; the rest of the scope's joins follow it
 * (LEFT as their paths asked). cond NULL: no condition (the related rows
 * exist at all).
 */
vc_code
vq_exists(qctx *q, int root, const vc_buf *cond, vc_buf *b)
{
	qjoin	   *r = &q->joins[root];
	const char *table = join_table(r);
	size_t		i;
	vc_code		rc;

	vc_buf_puts(b, "EXISTS (SELECT 1 FROM ");
	vc_ident_quote_buf(b, table, strlen(table), q->d);
	vc_buf_puts(b, " AS ");
	vq_alias(q, b, root + 1);
	if (cond)
		for (i = (size_t) root + 1; i < q->njoins; i++)
		{
			if (q->joins[i].scope != r->scope)
				continue;
			if ((rc = join_clause(q, b, i, q->joins[i].left)) != VC_OK)
				return rc;
		}
	vc_buf_puts(b, " WHERE ");
	join_on(q, b, (size_t) root);
	if (r->model)
	{
		vc_buf		pb;
		bool		applied;

		vc_buf_init(&pb, q->a);
		rc = vq_perm(q, r->model, root + 1, &pb, &applied);
		if (rc == VC_OK && applied)
		{
			vc_buf_puts(b, " AND ");
			vq_append_buf(b, &pb);
		}
		vc_buf_reset(&pb);
		if (rc != VC_OK)
			return rc;
	}
	if (cond)
	{
		vc_buf_puts(b, " AND ");
		vq_append_buf(b, cond);
	}
	vc_buf_putc(b, ')');
	return VC_OK;
}
