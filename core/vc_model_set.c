/*
 * vc_model_set.c — a set of model schemas (the `schemas` argument of
 * viper.plan / viper.migrate): parse every model, then resolve what links
 * models together — ForeignKey / OneToOneField / ManyToManyField targets,
 * `through` models, `proxy_for` — against the set first and then against
 * the caller's list of catalog models, and check names that must be unique
 * across the whole database (tables, junction tables, indexes and unique
 * constraints share PostgreSQL's relation namespace). Nothing is returned
 * when any model is invalid (DESIGN §12: nothing is created then).
 *
 * Memory: one vc_pool for the set and all its models.
 */
#include "vc_model_int.h"

#include <stdio.h>
#include <string.h>

#include "vc_text.h"

/* What a label resolves to: a model of the set, or a catalog entry. */
typedef struct target
{
	const vc_model *model;		/* concrete model (proxies followed) */
	const vc_model_ref *ref;
} target;

static const vc_model *
set_find(const vc_modelset *set, const char *label)
{
	size_t		i;

	for (i = 0; i < set->nmodels; i++)
		if (strcmp(set->models[i].label, label) == 0)
			return &set->models[i];
	return NULL;
}

const vc_model *
vc_modelset_find(const vc_modelset *set, const char *label)
{
	return set ? set_find(set, label) : NULL;
}

/* 42P01 naming the label, hint: nearest label of the set or catalog. */
static vc_code
unknown_model(vc_mctx *c, const vc_modelset *set, const vc_model_ref *cat,
			  size_t ncat, const char *label, const char *what)
{
	const char *cands[1024];
	size_t		n = 0,
				i;
	const char *near;
	char		echo[VC_ECHO_BUFSZ];

	for (i = 0; i < set->nmodels && n < 1024; i++)
		cands[n++] = set->models[i].label;
	for (i = 0; i < ncat && n < 1024; i++)
		cands[n++] = cat[i].label;
	near = vc_nearest(label, strlen(label), cands, n);
	vc_mctx_error(c, VC_ERR_UNDEFINED_TABLE, "%s model \"%s\" does not exist",
				  what, vc_echo(echo, sizeof(echo), label, strlen(label)));
	if (near)
		vc_error_hint(c->err, "Did you mean \"%s\"?", near);
	return VC_ERR_UNDEFINED_TABLE;
}

/*
 * Find label; follow proxies to the concrete model. Abstract and virtual
 * models have no table to point at: 22023.
 */
static vc_code
resolve_label(vc_mctx *c, const vc_modelset *set, const vc_model_ref *cat,
			  size_t ncat, const char *label, const char *what, target *t)
{
	const vc_model *m = set_find(set, label);
	int			hops = 0;
	size_t		i;

	t->model = NULL;
	t->ref = NULL;
	while (m != NULL && m->proxy)
	{
		const char *parent = m->proxy_for;

		if (++hops > 16)
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "proxy chain from \"%s\" is circular or deeper than 16",
								 label);
		m = set_find(set, parent);
		if (m == NULL)
		{
			label = parent;
			break;
		}
	}
	if (m != NULL)
	{
		if (m->abstract)
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "%s model \"%s\" is abstract and has no table",
								 what, m->label);
		if (m->is_virtual)
			return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
								 "%s model \"%s\" is virtual and has no table",
								 what, m->label);
		t->model = m;
		return VC_OK;
	}
	for (i = 0; i < ncat; i++)
		if (cat[i].label && strcmp(cat[i].label, label) == 0)
		{
			if (cat[i].table == NULL || cat[i].pk_column == NULL ||
				(int) cat[i].pk_type < 0 || cat[i].pk_type >= VC_FT__COUNT)
				return vc_mctx_error(c, VC_ERR_INTERNAL,
									 "catalog entry for \"%s\" is incomplete", label);
			t->ref = &cat[i];
			return VC_OK;
		}
	return unknown_model(c, set, cat, ncat, label, what);
}

static vc_field_type
column_type_of_pk(vc_field_type t)
{
	return t == VC_FT_AUTO ? VC_FT_INTEGER :
		t == VC_FT_BIGAUTO ? VC_FT_BIGINTEGER : t;
}

static vc_code
resolve_field(vc_mctx *c, vc_modelset *set, const vc_model_ref *cat,
			  size_t ncat, vc_model *m, vc_field *f, int depth)
{
	target		t;
	vc_code		rc;

	if (f->to == NULL || f->resolved)
		return VC_OK;
	c->field = f->name;
	if ((rc = resolve_label(c, set, cat, ncat, f->to, "target", &t)) != VC_OK)
		return rc;
	if (t.model)
	{
		vc_model   *tm = (vc_model *) t.model;	/* a model of this set */
		vc_field   *pk = &tm->fields[tm->pk];

		if (vc_field_type_is_fk(pk->type) && !pk->resolved)
		{
			/* the target's pk is itself a relation (OneToOne primary key) */
			vc_mctx		sub = *c;

			if (depth >= 8)
				return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
									 "primary keys that are relations form a cycle through \"%s\"",
									 tm->label);
			snprintf(sub.label, sizeof(sub.label), "%s", tm->label);
			if ((rc = resolve_field(&sub, set, cat, ncat, tm, pk, depth + 1)) != VC_OK)
				return rc;
			c->field = f->name;
		}
		f->rel_table = tm->table;
		f->rel_column = pk->column;
		if (vc_field_type_is_fk(pk->type))
		{
			f->rel_type = pk->rel_type;
			f->rel_max_length = pk->rel_max_length;
			f->rel_max_digits = pk->rel_max_digits;
			f->rel_decimal_places = pk->rel_decimal_places;
		}
		else
		{
			f->rel_type = column_type_of_pk(pk->type);
			f->rel_max_length = pk->max_length;
			f->rel_max_digits = pk->max_digits;
			f->rel_decimal_places = pk->decimal_places;
		}
	}
	else
	{
		f->rel_table = vc_pool_strdup(c->pool, t.ref->table);
		f->rel_column = vc_pool_strdup(c->pool, t.ref->pk_column);
		if (f->rel_table == NULL || f->rel_column == NULL)
			return vc_mctx_oom(c);
		if ((rc = vc_mctx_ident(c, f->rel_table, "table name")) != VC_OK ||
			(rc = vc_mctx_ident(c, f->rel_column, "column name")) != VC_OK)
			return rc;
		f->rel_type = column_type_of_pk(t.ref->pk_type);
		f->rel_max_length = t.ref->pk_max_length;
		f->rel_max_digits = t.ref->pk_max_digits;
		f->rel_decimal_places = t.ref->pk_decimal_places;
	}
	f->resolved = true;
	if (f->type == VC_FT_MANYTOMANY)
	{
		if (!m->proxy && m->nfields > 0)
		{
			vc_field   *pk = &m->fields[m->pk];

			if (vc_field_type_is_fk(pk->type) &&
				(rc = resolve_field(c, set, cat, ncat, m, pk, depth + 1)) != VC_OK)
				return rc;
			c->field = f->name;
			if (vc_field_type_is_fk(pk->type))
			{
				f->m2m_from_type = pk->rel_type;
				f->m2m_from_max_length = pk->rel_max_length;
				f->m2m_from_max_digits = pk->rel_max_digits;
				f->m2m_from_decimal_places = pk->rel_decimal_places;
			}
			else
			{
				f->m2m_from_type = column_type_of_pk(pk->type);
				f->m2m_from_max_length = pk->max_length;
				f->m2m_from_max_digits = pk->max_digits;
				f->m2m_from_decimal_places = pk->decimal_places;
			}
		}
		if (f->through &&
			(rc = resolve_label(c, set, cat, ncat, f->through, "through", &t)) != VC_OK)
			return rc;
	}
	else if (f->default_value && !json_is_null(f->default_value) &&
			 (rc = vc_field_check_value(c, f, f->default_value, "default")) != VC_OK)
		return rc;
	c->field = NULL;
	return VC_OK;
}

static vc_code
resolve_proxy(vc_mctx *c, vc_modelset *set, const vc_model_ref *cat,
			  size_t ncat, vc_model *m)
{
	target		t;
	vc_code		rc;
	const char *table;

	if ((rc = resolve_label(c, set, cat, ncat, m->proxy_for, "proxy_for", &t)) != VC_OK)
		return rc;
	table = t.model ? t.model->table : t.ref->table;
	if (m->table_declared && strcmp(m->table, table) != 0)
		return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
							 "a proxy shares the table of \"%s\" (\"%s\"), not \"%s\"",
							 m->proxy_for, table, m->table);
	if (!m->table_declared && (m->table = vc_pool_strdup(c->pool, table)) == NULL)
		return vc_mctx_oom(c);
	return VC_OK;
}

/* A name that must be unique in the database's relation namespace. */
typedef struct relname
{
	const char *name;
	const char *owner;			/* model label */
	const char *kind;			/* "table", "junction table", "index" ... */
} relname;

static vc_code
check_relnames(vc_mctx *c, vc_modelset *set)
{
	size_t		cap = 0,
				n = 0,
				i,
				j;
	relname    *names;
	char		tmp[VC_IDENT_MAX + 1];

	for (i = 0; i < set->nmodels; i++)
	{
		const vc_model *m = &set->models[i];

		cap += 2 + m->nfields * 2 + m->nindexes + m->nconstraints;
	}
	names = vc_pool_alloc(c->pool, (cap + 1) * sizeof(relname));
	if (names == NULL)
		return vc_mctx_oom(c);
	for (i = 0; i < set->nmodels; i++)
	{
		const vc_model *m = &set->models[i];

		if (!vc_model_has_table(m))
			continue;
		names[n++] = (relname) {m->table, m->label, "table"};
		for (j = 0; j < m->nfields; j++)
		{
			const vc_field *f = &m->fields[j];

			if (f->m2m_table)
				names[n++] = (relname) {f->m2m_table, m->label, "junction table"};
			if (f->unique && !f->primary_key && f->column)
			{
				char		base[2 * VC_IDENT_MAX + 2];

				snprintf(base, sizeof(base), "%s_%s", m->table, f->column);
				vc_model_make_name(base, "uniq", tmp);
				names[n].name = vc_pool_strdup(c->pool, tmp);
				if (names[n].name == NULL)
					return vc_mctx_oom(c);
				names[n].owner = m->label;
				names[n++].kind = "unique constraint";
			}
		}
		for (j = 0; j < m->nindexes; j++)
			names[n++] = (relname) {m->indexes[j].name, m->label, "index"};
		for (j = 0; j < m->nconstraints; j++)
			if (m->constraints[j].type == VC_CONSTRAINT_UNIQUE)
				names[n++] = (relname) {m->constraints[j].name, m->label,
					"unique constraint"};
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (strcmp(names[i].name, names[j].name) == 0)
			{
				snprintf(c->label, sizeof(c->label), "%s", names[i].owner);
				c->field = NULL;
				return vc_mctx_error(c, VC_ERR_INVALID_PARAM,
									 "%s name \"%s\" is already used by a %s of model \"%s\"",
									 names[i].kind, names[i].name, names[j].kind,
									 names[j].owner);
			}
	return VC_OK;
}

vc_code
vc_modelset_parse(const vc_alloc *a, const json_t *schemas,
				  const vc_model_ref *catalog, size_t ncatalog,
				  vc_modelset **out, vc_error *err)
{
	vc_pool    *pool;
	vc_modelset *set;
	size_t		i,
				j;
	vc_code		rc = VC_OK;
	vc_mctx		c;

	*out = NULL;
	if (!json_is_array(schemas))
		return vc_error_set(err, VC_ERR_INVALID_PARAM,
							"model schemas must be a JSON array of model objects");
	if (json_array_size(schemas) > 10000)
		return vc_error_set(err, VC_ERR_TOO_COMPLEX,
							"a schema set may hold at most 10000 models");
	pool = vc_pool_create(a);
	if (pool == NULL)
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	set = vc_pool_alloc(pool, sizeof(vc_modelset));
	if (set == NULL ||
		(set->models = vc_pool_alloc(pool, (json_array_size(schemas) + 1) *
									 sizeof(vc_model))) == NULL)
	{
		vc_pool_destroy(pool);
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	}
	set->pool = pool;
	memset(&c, 0, sizeof(c));
	c.pool = pool;
	c.err = err;
	for (i = 0; i < json_array_size(schemas) && rc == VC_OK; i++)
	{
		rc = vc_model_parse_into(pool, json_array_get(schemas, i), (long) i,
								 &set->models[i], err);
		if (rc != VC_OK)
			break;
		set->nmodels++;
		for (j = 0; j < i; j++)
			if (strcmp(set->models[j].label, set->models[i].label) == 0)
			{
				snprintf(c.label, sizeof(c.label), "%s", set->models[i].label);
				rc = vc_mctx_error(&c, VC_ERR_INVALID_PARAM,
								   "the set declares this model twice (#%zu and #%zu)",
								   j + 1, i + 1);
				break;
			}
	}
	for (i = 0; i < set->nmodels && rc == VC_OK; i++)
		if (set->models[i].proxy)
		{
			snprintf(c.label, sizeof(c.label), "%s", set->models[i].label);
			rc = resolve_proxy(&c, set, catalog, ncatalog, &set->models[i]);
		}
	for (i = 0; i < set->nmodels && rc == VC_OK; i++)
	{
		vc_model   *m = &set->models[i];

		snprintf(c.label, sizeof(c.label), "%s", m->label);
		c.field = NULL;
		for (j = 0; j < m->nfields && rc == VC_OK; j++)
			rc = resolve_field(&c, set, catalog, ncatalog, m, &m->fields[j], 0);
	}
	if (rc == VC_OK)
		rc = check_relnames(&c, set);
	if (rc != VC_OK)
	{
		vc_pool_destroy(pool);
		return rc;
	}
	*out = set;
	return VC_OK;
}

vc_code
vc_modelset_parse_text(const vc_alloc *a, const char *text, size_t len,
					   const vc_model_ref *catalog, size_t ncatalog,
					   vc_modelset **out, vc_error *err)
{
	json_error_t jerr;
	json_t	   *doc;
	vc_code		rc;

	*out = NULL;
	doc = json_loadb(text, len, 0, &jerr);
	if (doc == NULL)
	{
		vc_error_set(err, VC_ERR_TEXT_REPR, "invalid JSON in model schemas");
		vc_error_detail(err, "%s at line %d, column %d.", jerr.text, jerr.line,
						jerr.column);
		return VC_ERR_TEXT_REPR;
	}
	rc = vc_modelset_parse(a, doc, catalog, ncatalog, out, err);
	json_decref(doc);
	return rc;
}

void
vc_modelset_free(vc_modelset *set)
{
	if (set == NULL)
		return;
	vc_pool_destroy(set->pool);
}
