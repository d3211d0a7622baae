/*
 * vc_model_json.c — the normalised JSON of a model: what viper.models
 * stores and what the planner compares. Every default is written out
 * (table, db_column, on_delete, booleans, the implicit id, generated index
 * names, verbose names) with a fixed key order, and the result is itself a
 * valid schema: parsing it again yields the same JSON.
 *
 * Memory: the tree is built with jansson (its own allocator, never
 * changed); the caller owns the returned reference.
 */
#include "vc_model_int.h"

#include <string.h>
#include "vc_json.h"

/* json_object_set_new that records failure instead of returning it. */
static void
put(json_t *obj, const char *key, json_t *v, bool *ok)
{
	if (v == NULL || json_object_set_new(obj, key, v) != 0)
		*ok = false;
}

static json_t *
str_array(char **items, size_t n, const bool *desc)
{
	json_t	   *a = json_array();
	size_t		i;

	if (a == NULL)
		return NULL;
	for (i = 0; i < n; i++)
	{
		json_t	   *s;

		if (desc && desc[i])
		{
			char		buf[VC_IDENT_MAX + 2];

			buf[0] = '-';
			memcpy(buf + 1, items[i], strlen(items[i]) + 1);
			s = json_string(buf);
		}
		else
			s = json_string(items[i]);
		if (s == NULL || json_array_append_new(a, s) != 0)
		{
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *
base_field_json(const vc_field *b, bool *ok)
{
	json_t	   *o = vc_json_object_new();

	if (o == NULL)
		return NULL;
	put(o, "type", json_string(vc_field_type_name(b->type)), ok);
	if (b->max_length > 0)
		put(o, "max_length", json_integer(b->max_length), ok);
	if (b->type == VC_FT_DECIMAL)
	{
		put(o, "max_digits", json_integer(b->max_digits), ok);
		put(o, "decimal_places", json_integer(b->decimal_places), ok);
	}
	return o;
}

static json_t *
field_json(const vc_field *f, bool *ok)
{
	json_t	   *o = vc_json_object_new();
	bool		m2m = f->type == VC_FT_MANYTOMANY;

	if (o == NULL)
		return NULL;
	put(o, "name", json_string(f->name), ok);
	put(o, "type", json_string(vc_field_type_name(f->type)), ok);
	if (!m2m)
	{
		put(o, "db_column", json_string(f->column), ok);
		put(o, "primary_key", json_boolean(f->primary_key), ok);
		put(o, "null", json_boolean(f->null), ok);
	}
	put(o, "blank", json_boolean(f->blank), ok);
	if (!m2m)
	{
		put(o, "unique", json_boolean(f->unique), ok);
		put(o, "db_index", json_boolean(f->db_index), ok);
	}
	if (f->max_length > 0)
		put(o, "max_length", json_integer(f->max_length), ok);
	if (f->type == VC_FT_DECIMAL)
	{
		put(o, "max_digits", json_integer(f->max_digits), ok);
		put(o, "decimal_places", json_integer(f->decimal_places), ok);
	}
	if (f->type == VC_FT_DATETIME || f->type == VC_FT_DATE || f->type == VC_FT_TIME)
	{
		put(o, "auto_now", json_boolean(f->auto_now), ok);
		put(o, "auto_now_add", json_boolean(f->auto_now_add), ok);
	}
	if (f->base_field)
		put(o, "base_field", base_field_json(f->base_field, ok), ok);
	if (f->size > 0)
		put(o, "size", json_integer(f->size), ok);
	if (f->to)
		put(o, "to", json_string(f->to), ok);
	if (f->on_delete)
		put(o, "on_delete", json_string(f->on_delete), ok);
	if (f->through)
		put(o, "through", json_string(f->through), ok);
	if (f->related_name)
		put(o, "related_name", json_string(f->related_name), ok);
	if (f->default_value)
		put(o, "default", json_incref(f->default_value), ok);
	if (f->choices)
		put(o, "choices", json_deep_copy(f->choices), ok);
	if (f->help_text)
		put(o, "help_text", json_string(f->help_text), ok);
	if (f->verbose_name)
		put(o, "verbose_name", json_string(f->verbose_name), ok);
	if (f->old_name)
		put(o, "old_name", json_string(f->old_name), ok);
	return o;
}

static json_t *
meta_json(const vc_model *m, bool *ok)
{
	json_t	   *o = vc_json_object_new();
	json_t	   *ut = json_array();
	json_t	   *it = json_array();
	json_t	   *ix = json_array();
	json_t	   *cs = json_array();
	size_t		i;

	if (o == NULL || ut == NULL || it == NULL || ix == NULL || cs == NULL)
	{
		json_decref(o);
		json_decref(ut);
		json_decref(it);
		json_decref(ix);
		json_decref(cs);
		*ok = false;
		return NULL;
	}
	for (i = 0; i < m->nindexes; i++)
	{
		const vc_index *x = &m->indexes[i];

		if (x->origin == VC_INDEX_TOGETHER)
		{
			if (json_array_append_new(it, str_array(x->fields, x->ncolumns, NULL)) != 0)
				*ok = false;
		}
		else if (x->origin == VC_INDEX_META)
		{
			json_t	   *e = vc_json_object_new();

			if (e == NULL || json_array_append_new(ix, e) != 0)
			{
				*ok = false;
				continue;
			}
			put(e, "name", json_string(x->name), ok);
			put(e, "fields", str_array(x->fields, x->ncolumns, x->descending), ok);
			put(e, "unique", json_boolean(x->unique), ok);
			if (x->condition)
				put(e, "condition", json_string(x->condition), ok);
		}
	}
	for (i = 0; i < m->nconstraints; i++)
	{
		const vc_constraint *k = &m->constraints[i];

		if (k->origin == VC_CONSTRAINT_TOGETHER)
		{
			if (json_array_append_new(ut, str_array(k->fields, k->ncolumns, NULL)) != 0)
				*ok = false;
		}
		else
		{
			json_t	   *e = vc_json_object_new();

			if (e == NULL || json_array_append_new(cs, e) != 0)
			{
				*ok = false;
				continue;
			}
			put(e, "type", json_string(k->type == VC_CONSTRAINT_CHECK ? "check" : "unique"), ok);
			put(e, "name", json_string(k->name), ok);
			if (k->type == VC_CONSTRAINT_CHECK)
				put(e, "check", json_string(k->check), ok);
			else
				put(e, "fields", str_array(k->fields, k->ncolumns, NULL), ok);
		}
	}
	put(o, "ordering", str_array(m->ordering, m->nordering, NULL), ok);
	put(o, "unique_together", ut, ok);
	put(o, "index_together", it, ok);
	put(o, "indexes", ix, ok);
	put(o, "constraints", cs, ok);
	put(o, "read_only", json_boolean(m->read_only), ok);
	put(o, "single", json_boolean(m->single), ok);
	put(o, "managed", json_boolean(m->managed), ok);
	put(o, "abstract", json_boolean(m->abstract), ok);
	put(o, "proxy", json_boolean(m->proxy), ok);
	if (m->proxy_for)
		put(o, "proxy_for", json_string(m->proxy_for), ok);
	put(o, "permissions", json_boolean(m->permissions), ok);
	put(o, "events", json_boolean(m->events), ok);
	if (m->cache_ttl >= 0)
		put(o, "cache_ttl", json_integer(m->cache_ttl), ok);
	if (m->backend)
		put(o, "backend", json_string(m->backend), ok);
	put(o, "virtual", json_boolean(m->is_virtual), ok);
	put(o, "verbose_name", json_string(m->verbose_name), ok);
	put(o, "verbose_name_plural", json_string(m->verbose_name_plural), ok);
	return o;
}

vc_code
vc_model_to_json(const vc_model *m, json_t **out, vc_error *err)
{
	json_t	   *o = vc_json_object_new();
	json_t	   *fields = json_array();
	bool		ok = (o != NULL && fields != NULL);
	size_t		i;

	*out = NULL;
	if (!ok)
	{
		json_decref(o);
		json_decref(fields);
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	}
	put(o, "app", json_string(m->app), &ok);
	put(o, "name", json_string(m->name), &ok);
	if (m->table)
		put(o, "table", json_string(m->table), &ok);
	for (i = 0; i < m->nfields; i++)
	{
		json_t	   *f = field_json(&m->fields[i], &ok);

		if (f == NULL || json_array_append_new(fields, f) != 0)
			ok = false;
	}
	put(o, "fields", fields, &ok);
	put(o, "meta", meta_json(m, &ok), &ok);
	if (!ok)
	{
		json_decref(o);
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	}
	*out = o;
	return VC_OK;
}
