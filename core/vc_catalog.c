/*
 * vc_catalog.c — the registered models, parsed and resolved once from the
 * catalog rows, for the query compiler (vc_catalog.h).
 *
 * The rows' schemas are parsed as one set (vc_modelset_parse), so every
 * relation target resolves inside the catalog itself. The catalog keeps
 * the set and a label array for "did you mean" hints; nothing points into
 * the input JSON afterwards.
 *
 * Memory: the catalog struct and its label array come from the caller's
 * allocator; the models live in the set's pool.
 */
#include "vc_catalog.h"

#include <string.h>

#include "vc_text.h"

struct vc_catalog
{
	const vc_alloc *alloc;
	vc_modelset *set;
	const char **labels;
	int64_t		version;
};

vc_code
vc_catalog_load(const vc_alloc *a, const json_t *rows, int64_t version,
				vc_catalog **out, vc_error *err)
{
	json_t	   *schemas;
	vc_catalog *c;
	size_t		i;
	vc_code		rc;

	*out = NULL;
	if (!json_is_array(rows))
		return vc_error_set(err, VC_ERR_INTERNAL,
							"catalog rows must be a JSON array");
	schemas = json_array();
	if (schemas == NULL)
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	for (i = 0; i < json_array_size(rows); i++)
	{
		json_t	   *row = json_array_get(rows, i);
		json_t	   *schema = json_is_object(row) ? json_object_get(row, "schema") : NULL;

		if (!json_is_object(schema))
		{
			json_decref(schemas);
			return vc_error_set(err, VC_ERR_INTERNAL,
								"catalog row %zu has no \"schema\" object", i);
		}
		if (json_array_append(schemas, schema) != 0)
		{
			json_decref(schemas);
			return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
		}
	}
	c = vc_malloc(a, sizeof(vc_catalog));
	if (c == NULL)
	{
		json_decref(schemas);
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	}
	memset(c, 0, sizeof(*c));
	c->alloc = a;
	c->version = version;
	rc = vc_modelset_parse(a, schemas, NULL, 0, &c->set, err);
	json_decref(schemas);
	if (rc != VC_OK)
	{
		vc_free(a, c);
		return rc;
	}
	if (c->set->nmodels > 0)
	{
		c->labels = vc_malloc(a, c->set->nmodels * sizeof(char *));
		if (c->labels == NULL)
		{
			vc_catalog_free(c);
			return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
		}
		for (i = 0; i < c->set->nmodels; i++)
			c->labels[i] = c->set->models[i].label;
	}
	*out = c;
	return VC_OK;
}

vc_code
vc_catalog_load_text(const vc_alloc *a, const char *text, size_t len,
					 int64_t version, vc_catalog **out, vc_error *err)
{
	json_error_t jerr;
	json_t	   *rows;
	vc_code		rc;

	*out = NULL;
	rows = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (rows == NULL)
		return vc_error_set(err, VC_ERR_TEXT_REPR,
							"catalog rows are not valid JSON: %s", jerr.text);
	rc = vc_catalog_load(a, rows, version, out, err);
	json_decref(rows);
	return rc;
}

void
vc_catalog_free(vc_catalog *c)
{
	if (c == NULL)
		return;
	vc_modelset_free(c->set);
	vc_free(c->alloc, c->labels);
	vc_free(c->alloc, c);
}

int64_t
vc_catalog_version(const vc_catalog *c)
{
	return c->version;
}

size_t
vc_catalog_count(const vc_catalog *c)
{
	return c->set->nmodels;
}

const vc_model *
vc_catalog_model(const vc_catalog *c, size_t i)
{
	return i < c->set->nmodels ? &c->set->models[i] : NULL;
}

/* Follow proxies to the model that owns the fields and the table. */
static const vc_model *
concrete(const vc_catalog *c, const vc_model *m)
{
	int			guard = 0;

	while (m != NULL && m->proxy && guard++ < 16)
		m = vc_modelset_find(c->set, m->proxy_for);
	return m;
}

const vc_model *
vc_catalog_get(const vc_catalog *c, const char *label)
{
	return concrete(c, vc_modelset_find(c->set, label));
}

vc_code
vc_catalog_find(const vc_catalog *c, const char *label, size_t len,
				const vc_model **out, vc_error *err)
{
	char		name[2 * VC_IDENT_MAX + 2];
	char		echo[VC_ECHO_BUFSZ];
	const vc_model *m = NULL;
	const char *near;

	*out = NULL;
	if (len < sizeof(name) && memchr(label, '\0', len) == NULL)
	{
		memcpy(name, label, len);
		name[len] = '\0';
		m = vc_modelset_find(c->set, name);
	}
	if (m != NULL && m->abstract)
	{
		vc_error_set(err, VC_ERR_UNDEFINED_TABLE, "unknown model \"%s\"",
					 vc_echo(echo, sizeof(echo), label, len));
		vc_error_detail(err, "Model \"%s\" is abstract and has no table.", m->label);
		return VC_ERR_UNDEFINED_TABLE;
	}
	m = concrete(c, m);
	if (m == NULL || m->table == NULL)
	{
		vc_error_set(err, VC_ERR_UNDEFINED_TABLE, "unknown model \"%s\"",
					 vc_echo(echo, sizeof(echo), label, len));
		near = vc_nearest(label, len, c->labels, c->set->nmodels);
		if (near)
			vc_error_hint(err, "Perhaps you meant \"%s\".", near);
		return VC_ERR_UNDEFINED_TABLE;
	}
	*out = m;
	return VC_OK;
}
