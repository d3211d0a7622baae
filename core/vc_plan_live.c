/*
 * vc_plan_live.c — the planner's inputs: the options object, the catalog
 * rows (the schemas applied last time, parsed back into models and turned
 * into vc_model_refs so a new set may point at them), and the hosts'
 * introspection JSON (vc_plan.h) parsed into pl_table structs.
 *
 * Options are user input: anything unexpected is 22023. Catalog rows and
 * introspection come from the host itself, so a malformed one is a bug in
 * viper: XX000.
 *
 * Memory: pl_table and its arrays live in the scratch pool; strings are
 * borrowed from the caller's JSON. Catalog models are vc_model_parse
 * results released by pl_free_catalog.
 */
#include "vc_plan_int.h"

#include <string.h>

#include "vc_text.h"

static const char *const option_keys[] = {"force", "allow_drop", "apps"};

vc_code
pl_parse_options(pl_ctx *c, const json_t *options)
{
	const char *key;
	json_t	   *v;
	char		echo[VC_ECHO_BUFSZ];

	c->force = c->allow_drop = c->apps_given = false;
	c->apps = NULL;
	c->napps = 0;
	if (options == NULL || json_is_null(options))
		return VC_OK;
	if (!json_is_object(options))
		return vc_error_set(c->err, VC_ERR_INVALID_PARAM,
							"options must be a JSON object");
	json_object_foreach((json_t *) options, key, v)
	{
		if (strcmp(key, "force") == 0 || strcmp(key, "allow_drop") == 0)
		{
			if (!json_is_boolean(v))
				return vc_error_set(c->err, VC_ERR_INVALID_PARAM,
									"option \"%s\" must be true or false", key);
			if (key[0] == 'f')
				c->force = json_is_true(v);
			else
				c->allow_drop = json_is_true(v);
		}
		else if (strcmp(key, "apps") == 0)
		{
			size_t		i;

			if (!json_is_array(v))
				return vc_error_set(c->err, VC_ERR_INVALID_PARAM,
									"option \"apps\" must be an array of app names");
			c->apps_given = true;
			c->napps = json_array_size(v);
			c->apps = vc_pool_alloc(c->tmp, (c->napps + 1) * sizeof(char *));
			if (c->apps == NULL)
				return pl_oom(c);
			for (i = 0; i < c->napps; i++)
			{
				json_t	   *s = json_array_get(v, i);

				if (!json_is_string(s))
					return vc_error_set(c->err, VC_ERR_INVALID_PARAM,
										"option \"apps\" must be an array of app names");
				if (vc_ident_validate(json_string_value(s), json_string_length(s),
									  "app name", c->err) != VC_OK)
					return c->err->code;
				c->apps[i] = json_string_value(s);
			}
		}
		else
		{
			const char *near = vc_nearest(key, strlen(key), option_keys, 3);

			vc_error_set(c->err, VC_ERR_INVALID_PARAM, "unknown option \"%s\"",
						 vc_echo(echo, sizeof(echo), key, strlen(key)));
			if (near)
				vc_error_hint(c->err, "Did you mean \"%s\"?", near);
			else
				vc_error_hint(c->err, "The options are force, allow_drop and apps.");
			return VC_ERR_INVALID_PARAM;
		}
	}
	return VC_OK;
}

bool
pl_app_planned(const pl_ctx *c, const char *app)
{
	size_t		i;

	if (!c->apps_given)
	{
		/* every app of the set */
		for (i = 0; i < c->set->nmodels; i++)
			if (strcmp(c->set->models[i].app, app) == 0)
				return true;
		return false;
	}
	for (i = 0; i < c->napps; i++)
		if (strcmp(c->apps[i], app) == 0)
			return true;
	return false;
}

const vc_model *
pl_catalog_model(const pl_ctx *c, const char *label)
{
	size_t		i;

	for (i = 0; i < c->ncat; i++)
		if (strcmp(c->cat[i]->label, label) == 0)
			return c->cat[i];
	return NULL;
}

static vc_field_type
pk_column_type(vc_field_type t)
{
	return t == VC_FT_AUTO ? VC_FT_INTEGER :
		t == VC_FT_BIGAUTO ? VC_FT_BIGINTEGER : t;
}

/* The concrete catalog model behind a label (proxies followed), or NULL. */
static const vc_model *
catalog_concrete(const pl_ctx *c, const char *label)
{
	const vc_model *m = pl_catalog_model(c, label);
	int			hops = 0;

	while (m && m->proxy && m->proxy_for && hops++ < 16)
		m = pl_catalog_model(c, m->proxy_for);
	if (m == NULL || m->proxy || m->nfields == 0 || m->table == NULL)
		return NULL;
	return m;
}

/*
 * Resolve the relations of catalog models against the catalog itself, so
 * their column types are known when a previous field is compared with the
 * live column. A target that is missing leaves the field unresolved (the
 * live type is used instead).
 */
static void
resolve_catalog(pl_ctx *c)
{
	size_t		i,
				j;

	for (i = 0; i < c->ncat; i++)
	{
		vc_model   *m = c->cat[i];

		for (j = 0; j < m->nfields; j++)
		{
			vc_field   *f = &m->fields[j];
			const vc_model *t;
			const vc_field *pk;

			if (f->to == NULL || f->resolved)
				continue;
			t = catalog_concrete(c, f->to);
			if (t == NULL)
				continue;
			pk = &t->fields[t->pk];
			if (vc_field_type_is_fk(pk->type))
			{
				if (!pk->resolved)
					continue;
				f->rel_type = pk->rel_type;
				f->rel_max_length = pk->rel_max_length;
				f->rel_max_digits = pk->rel_max_digits;
				f->rel_decimal_places = pk->rel_decimal_places;
			}
			else
			{
				f->rel_type = pk_column_type(pk->type);
				f->rel_max_length = pk->max_length;
				f->rel_max_digits = pk->max_digits;
				f->rel_decimal_places = pk->decimal_places;
			}
			f->rel_table = t->table;
			f->rel_column = pk->column;
			f->resolved = true;
		}
	}
}

vc_code
pl_parse_catalog(pl_ctx *c, const json_t *catalog)
{
	size_t		i,
				n;

	c->cat = NULL;
	c->ncat = c->nrefs = 0;
	if (catalog == NULL || json_is_null(catalog))
		return VC_OK;
	if (!json_is_array(catalog))
		return vc_error_set(c->err, VC_ERR_INTERNAL,
							"catalog rows must be a JSON array");
	n = json_array_size(catalog);
	c->cat = vc_pool_alloc(c->tmp, (n + 1) * sizeof(vc_model *));
	c->refs = vc_pool_alloc(c->tmp, (n + 1) * sizeof(vc_model_ref));
	if (c->cat == NULL || c->refs == NULL)
		return pl_oom(c);
	for (i = 0; i < n; i++)
	{
		json_t	   *row = json_array_get(catalog, i);
		json_t	   *label = json_object_get(row, "label");
		json_t	   *schema = json_object_get(row, "schema");
		vc_model   *m = NULL;
		vc_error	perr;
		vc_code		rc;

		if (!json_is_string(label) || !json_is_object(schema))
			return vc_error_set(c->err, VC_ERR_INTERNAL,
								"catalog row %zu needs \"label\" and \"schema\"", i + 1);
		rc = vc_model_parse(c->a, schema, &m, &perr);
		if (rc == VC_ERR_OUT_OF_MEMORY)
			return pl_oom(c);
		if (rc != VC_OK)
			return vc_error_set(c->err, VC_ERR_INTERNAL,
								"catalog entry \"%s\" no longer parses: %s",
								json_string_value(label), perr.message);
		c->cat[c->ncat++] = m;
	}
	resolve_catalog(c);
	for (i = 0; i < c->ncat; i++)
	{
		const vc_model *m = c->cat[i];
		const vc_model *t = catalog_concrete(c, m->label);
		const vc_field *pk;
		vc_model_ref *r;

		if (t == NULL || m->abstract || m->is_virtual)
			continue;
		pk = &t->fields[t->pk];
		r = &c->refs[c->nrefs++];
		memset(r, 0, sizeof(*r));
		r->label = m->label;
		r->table = t->table;
		r->pk_column = pk->column;
		if (vc_field_type_is_fk(pk->type))
		{
			if (!pk->resolved)
			{
				c->nrefs--;
				continue;
			}
			r->pk_type = pk->rel_type;
			r->pk_max_length = pk->rel_max_length;
			r->pk_max_digits = pk->rel_max_digits;
			r->pk_decimal_places = pk->rel_decimal_places;
		}
		else
		{
			r->pk_type = pk->type;
			r->pk_max_length = pk->max_length;
			r->pk_max_digits = pk->max_digits;
			r->pk_decimal_places = pk->decimal_places;
		}
	}
	return VC_OK;
}

void
pl_free_catalog(pl_ctx *c)
{
	size_t		i;

	for (i = 0; i < c->ncat; i++)
		vc_model_free(c->cat[i]);
	c->ncat = 0;
}

/* ---- introspection ------------------------------------------------------- */

static vc_code
bad_live(pl_ctx *c, const char *table, const char *what)
{
	return vc_error_set(c->err, VC_ERR_INTERNAL,
						"introspection of table \"%s\": %s", table, what);
}

/* An optional string member: NULL when missing or null. */
static bool
opt_str(const json_t *o, const char *key, const char **out)
{
	json_t	   *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v))
		return false;
	*out = json_string_value(v);
	return true;
}

static bool
opt_bool(const json_t *o, const char *key, bool dflt)
{
	json_t	   *v = json_object_get(o, key);

	return json_is_boolean(v) ? json_is_true(v) : dflt;
}

/* An array of strings (null entries kept as NULL); missing → empty. */
static vc_code
str_list(pl_ctx *c, const char *table, const json_t *o, const char *key,
		 pl_strs *out)
{
	json_t	   *v = json_object_get(o, key);
	size_t		i;

	out->v = NULL;
	out->n = 0;
	if (v == NULL || json_is_null(v))
		return VC_OK;
	if (!json_is_array(v))
		return bad_live(c, table, "a column list is not an array");
	out->v = vc_pool_alloc(c->tmp, (json_array_size(v) + 1) * sizeof(char *));
	if (out->v == NULL)
		return pl_oom(c);
	for (i = 0; i < json_array_size(v); i++)
	{
		json_t	   *s = json_array_get(v, i);

		if (json_is_null(s))
			out->v[i] = NULL;
		else if (json_is_string(s))
			out->v[i] = json_string_value(s);
		else
			return bad_live(c, table, "a column list holds a non-string");
	}
	out->n = json_array_size(v);
	return VC_OK;
}

/* The array under key: *n entries; *present false when the key is absent. */
static vc_code
member_array(pl_ctx *c, const char *table, const json_t *o, const char *key,
			 size_t elem, void **arr, size_t *n, bool *present)
{
	json_t	   *v = json_object_get(o, key);

	*arr = NULL;
	*n = 0;
	*present = (v != NULL && !json_is_null(v));
	if (!*present)
		return VC_OK;
	if (!json_is_array(v))
		return bad_live(c, table, "a list member is not an array");
	*arr = vc_pool_alloc(c->tmp, (json_array_size(v) + 1) * elem);
	if (*arr == NULL)
		return pl_oom(c);
	*n = json_array_size(v);
	return VC_OK;
}

static vc_code
parse_columns(pl_ctx *c, const char *tn, const json_t *o, pl_table *t)
{
	bool		present;
	size_t		i;
	vc_code		rc;

	if ((rc = member_array(c, tn, o, "columns", sizeof(pl_column),
						   (void **) &t->columns, &t->ncolumns, &present)) != VC_OK)
		return rc;
	for (i = 0; i < t->ncolumns; i++)
	{
		json_t	   *e = json_array_get(json_object_get(o, "columns"), i);
		pl_column  *col = &t->columns[i];

		if (!json_is_object(e) || !opt_str(e, "name", &col->name) ||
			col->name == NULL || !opt_str(e, "type", &col->type) ||
			col->type == NULL || !opt_str(e, "default", &col->def))
			return bad_live(c, tn, "a column needs a name and a type");
		col->nullable = opt_bool(e, "nullable", true);
		col->identity = opt_bool(e, "identity", false);
		col->primary_key = opt_bool(e, "primary_key", false);
	}
	return VC_OK;
}

static vc_code
parse_objects(pl_ctx *c, const char *tn, const json_t *o, pl_table *t)
{
	size_t		i;
	vc_code		rc;
	json_t	   *v;

	if ((rc = member_array(c, tn, o, "indexes", sizeof(pl_index),
						   (void **) &t->indexes, &t->nindexes,
						   &t->has_indexes)) != VC_OK)
		return rc;
	v = json_object_get(o, "indexes");
	for (i = 0; i < t->nindexes; i++)
	{
		json_t	   *e = json_array_get(v, i);
		pl_index   *x = &t->indexes[i];

		if (!json_is_object(e) || !opt_str(e, "name", &x->name) || x->name == NULL ||
			!opt_str(e, "predicate", &x->predicate))
			return bad_live(c, tn, "an index needs a name");
		if ((rc = str_list(c, tn, e, "columns", &x->columns)) != VC_OK)
			return rc;
		x->unique = opt_bool(e, "unique", false);
		x->primary = opt_bool(e, "primary", false);
		x->constraint = opt_bool(e, "constraint", false);
	}
	if ((rc = member_array(c, tn, o, "checks", sizeof(pl_check),
						   (void **) &t->checks, &t->nchecks,
						   &t->has_checks)) != VC_OK)
		return rc;
	v = json_object_get(o, "checks");
	for (i = 0; i < t->nchecks; i++)
	{
		json_t	   *e = json_array_get(v, i);

		if (!json_is_object(e) || !opt_str(e, "name", &t->checks[i].name) ||
			!opt_str(e, "expression", &t->checks[i].expression))
			return bad_live(c, tn, "a check is not an object of strings");
	}
	if ((rc = member_array(c, tn, o, "uniques", sizeof(pl_unique),
						   (void **) &t->uniques, &t->nuniques,
						   &t->has_uniques)) != VC_OK)
		return rc;
	v = json_object_get(o, "uniques");
	for (i = 0; i < t->nuniques; i++)
	{
		json_t	   *e = json_array_get(v, i);

		if (!json_is_object(e) || !opt_str(e, "name", &t->uniques[i].name))
			return bad_live(c, tn, "a unique constraint is not an object");
		if ((rc = str_list(c, tn, e, "columns", &t->uniques[i].columns)) != VC_OK)
			return rc;
	}
	if ((rc = member_array(c, tn, o, "foreign_keys", sizeof(pl_fk),
						   (void **) &t->fks, &t->nfks, &t->has_fks)) != VC_OK)
		return rc;
	v = json_object_get(o, "foreign_keys");
	for (i = 0; i < t->nfks; i++)
	{
		json_t	   *e = json_array_get(v, i);
		pl_fk	   *k = &t->fks[i];

		if (!json_is_object(e) || !opt_str(e, "name", &k->name) ||
			!opt_str(e, "ref_table", &k->ref_table) ||
			!opt_str(e, "on_delete", &k->on_delete))
			return bad_live(c, tn, "a foreign key is not an object");
		if ((rc = str_list(c, tn, e, "columns", &k->columns)) != VC_OK ||
			(rc = str_list(c, tn, e, "ref_columns", &k->ref_columns)) != VC_OK)
			return rc;
	}
	v = json_object_get(o, "triggers");
	t->has_triggers = (v != NULL && !json_is_null(v));
	if ((rc = str_list(c, tn, o, "triggers", &t->triggers)) != VC_OK)
		return rc;
	v = json_object_get(o, "row_security");
	if (json_is_object(v))
	{
		t->has_rls = true;
		t->rls_enabled = opt_bool(v, "enabled", false);
		t->rls_forced = opt_bool(v, "forced", false);
	}
	return VC_OK;
}

vc_code
pl_live_table(pl_ctx *c, const char *table, pl_table **out)
{
	json_t	   *o;
	pl_table   *t;
	vc_code		rc;

	*out = NULL;
	if (!json_is_object(c->live))
		return vc_error_set(c->err, VC_ERR_INTERNAL,
							"the live state must be a JSON object keyed by table name");
	o = json_object_get(c->live, table);
	if (!json_is_object(o))
		return vc_error_set(c->err, VC_ERR_INTERNAL,
							"the live state has no introspection of table \"%s\"",
							table);
	t = vc_pool_alloc(c->tmp, sizeof(pl_table));
	if (t == NULL)
		return pl_oom(c);
	t->name = table;
	t->exists = opt_bool(o, "exists", true);
	if (t->exists &&
		((rc = parse_columns(c, table, o, t)) != VC_OK ||
		 (rc = parse_objects(c, table, o, t)) != VC_OK))
		return rc;
	*out = t;
	return VC_OK;
}

const pl_column *
pl_live_column(const pl_table *t, const char *name)
{
	size_t		i;

	for (i = 0; i < t->ncolumns; i++)
		if (strcmp(t->columns[i].name, name) == 0)
			return &t->columns[i];
	return NULL;
}
