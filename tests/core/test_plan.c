/*
 * test_plan.c — core tests of the schema-sync planner (core/vc_plan*.c):
 * creating the blog example from scratch on both dialects, and proving a
 * second plan is EMPTY by simulating what a host would introspect after
 * applying the first (live_after below: PostgreSQL's format_type()
 * spellings, SQLite's declared types with unnamed uniques and foreign
 * keys); every kind of change (columns, renames, type widen / narrow /
 * incompatible, drops, rename hints, indexes, constraints, foreign keys,
 * row security, SQLite rebuilds); option errors; register; the apps
 * filter; and allocation-failure injection. Each test function is one
 * counted case.
 */
#include <libgen.h>

#include "vtest.h"
#include "vc_plan.h"

static const vc_dialect PG = VC_DIALECT_POSTGRESQL;
static const vc_dialect SL = VC_DIALECT_SQLITE;

static char examples_dir[4096];

/* ---- inputs ---------------------------------------------------------------- */

static json_t *
load_example(const char *name)
{
	char		path[4200];
	json_error_t je;
	json_t	   *j;

	snprintf(path, sizeof(path), "%s/%s.json", examples_dir, name);
	j = json_load_file(path, 0, &je);
	if (j == NULL)
	{
		fprintf(stderr, "  cannot read %s: %s\n", path, je.text);
		vt_current_failed = 1;
	}
	return j;
}

/* The five blog models, parents first in file order does not matter. */
static json_t *
blog(void)
{
	static const char *const names[] = {"Author", "Tag", "Post", "Comment", "SiteSettings"};
	json_t	   *arr = json_array();
	size_t		i;

	for (i = 0; i < 5; i++)
	{
		json_t	   *m = load_example(names[i]);

		if (m)
			json_array_append_new(arr, m);
	}
	return arr;
}

static json_t *
parse(const char *text)
{
	json_error_t je;
	json_t	   *j = json_loads(text, 0, &je);

	if (j == NULL)
	{
		fprintf(stderr, "  bad JSON in test: %s\n", je.text);
		vt_current_failed = 1;
	}
	return j;
}

static json_t *
model_of(json_t *set, const char *name)
{
	size_t		i;

	for (i = 0; i < json_array_size(set); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(set, i), "name")), name) == 0)
			return json_array_get(set, i);
	return NULL;
}

static json_t *
field_of(json_t *set, const char *model, const char *field)
{
	json_t	   *fs = json_object_get(model_of(set, model), "fields");
	size_t		i;

	for (i = 0; i < json_array_size(fs); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(fs, i), "name")), field) == 0)
			return json_array_get(fs, i);
	return NULL;
}

static void
remove_field(json_t *set, const char *model, const char *field)
{
	json_t	   *fs = json_object_get(model_of(set, model), "fields");
	size_t		i;

	for (i = 0; i < json_array_size(fs); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(fs, i), "name")), field) == 0)
		{
			json_array_remove(fs, i);
			return;
		}
}

static void
remove_model(json_t *set, const char *name)
{
	size_t		i;

	for (i = 0; i < json_array_size(set); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(set, i), "name")), name) == 0)
		{
			json_array_remove(set, i);
			return;
		}
}

static void
add_field(json_t *set, const char *model, const char *text)
{
	json_array_append_new(json_object_get(model_of(set, model), "fields"), parse(text));
}

/* The catalog rows a migrate of `schemas` stores. */
static json_t *
catalog_of(const json_t *schemas)
{
	vc_modelset *s = NULL;
	vc_error	err;
	json_t	   *rows = json_array();
	size_t		i;

	if (vc_modelset_parse(&vc_alloc_libc, schemas, NULL, 0, &s, &err) != VC_OK)
	{
		fprintf(stderr, "  catalog parse: %s\n", err.message);
		vt_current_failed = 1;
		return rows;
	}
	for (i = 0; i < s->nmodels; i++)
	{
		json_t	   *j = NULL;

		vc_model_to_json(&s->models[i], &j, &err);
		json_array_append_new(rows, json_pack("{s:s, s:o}", "label", s->models[i].label,
											  "schema", j));
	}
	vc_modelset_free(s);
	return rows;
}

/* ---- what a host would introspect after applying `schemas` ---------------- */

/* PostgreSQL's format_type() spelling of vc_types' short forms. */
static void
pg_format_type(const char *in, char *out, size_t outsz)
{
	char		base[128];
	const char *arr = strstr(in, "[]");
	size_t		n = arr ? (size_t) (arr - in) : strlen(in);
	int			p,
				s;

	snprintf(base, sizeof(base), "%.*s", (int) n, in);
	if (sscanf(base, "varchar(%d)", &p) == 1)
		snprintf(base, sizeof(base), "character varying(%d)", p);
	else if (sscanf(base, "numeric(%d, %d)", &p, &s) == 2)
		snprintf(base, sizeof(base), "numeric(%d,%d)", p, s);
	else if (strcmp(base, "timestamptz") == 0)
		snprintf(base, sizeof(base), "timestamp with time zone");
	else if (strcmp(base, "time") == 0)
		snprintf(base, sizeof(base), "time without time zone");
	snprintf(out, outsz, "%.100s%s", base, arr ? "[]" : "");
}

static json_t *
str1(const char *s)
{
	return s ? json_pack("[s]", s) : json_pack("[n]");
}

static json_t *
str_arr(char **v, size_t n)
{
	json_t	   *a = json_array();
	size_t		i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *
live_model(const vc_model *m, vc_dialect d)
{
	json_t	   *cols = json_array(),
			   *ixs = json_array(),
			   *checks = json_array(),
			   *uniq = json_array(),
			   *fks = json_array(),
			   *trig = json_array();
	json_t	   *o;
	size_t		i;
	char		name[64];

	for (i = 0; i < m->nfields; i++)
	{
		const vc_field *f = &m->fields[i];
		vc_buf		b;
		char	   *t = NULL;
		char		ty[128];
		vc_error	err;
		bool		has = false;
		bool		autopk = f->type == VC_FT_AUTO || f->type == VC_FT_BIGAUTO;

		if (f->column == NULL)
			continue;
		vc_buf_init(&b, &vc_alloc_libc);
		vc_type_sql_buf(&b, f, d, &err);
		vc_buf_finish(&b, &t, NULL, &err);
		if (d == PG)
			pg_format_type(t, ty, sizeof(ty));
		else
			snprintf(ty, sizeof(ty), "%s", t);
		free(t);
		json_array_append_new(cols, json_pack("{s:s, s:s, s:b, s:o, s:b, s:b}",
											  "name", f->column, "type", ty,
											  "nullable", f->null && !f->primary_key,
											  "default", (f->default_value || f->auto_now || f->auto_now_add) ?
											  json_string("host text") : json_null(),
											  "identity", autopk && d == PG,
											  "primary_key", f->primary_key));
		if (f->primary_key && d == PG)
		{
			snprintf(name, sizeof(name), "%s_pkey", m->table);
			json_array_append_new(ixs, json_pack("{s:s, s:o, s:b, s:b, s:b, s:n}", "name", name,
												 "columns", str1(f->column), "unique", 1,
												 "primary", 1, "constraint", 1, "predicate"));
		}
		if (autopk)
			continue;
		vc_buf_init(&b, &vc_alloc_libc);
		vc_type_check_buf(&b, f, d, &has, &err);
		vc_buf_finish(&b, &t, NULL, &err);
		if (has)
		{
			vc_ddl_field_constraint_name(m, f, VC_FC_CHECK, name);
			json_array_append_new(checks, json_pack("{s:s, s:s}", "name", name,
													"expression", t));
		}
		free(t);
		if (f->unique && !f->primary_key)
		{
			vc_ddl_field_constraint_name(m, f, VC_FC_UNIQUE, name);
			/* SQLite reports an autoindex: no name of ours */
			json_array_append_new(uniq, json_pack("{s:o, s:o}", "name",
												  d == PG ? json_string(name) : json_null(),
												  "columns", str1(f->column)));
			if (d == PG)
				json_array_append_new(ixs, json_pack("{s:s, s:o, s:b, s:b, s:b, s:n}", "name", name,
													 "columns", str1(f->column), "unique", 1,
													 "primary", 0, "constraint", 1, "predicate"));
		}
		if (vc_field_type_is_fk(f->type))
		{
			vc_ddl_field_constraint_name(m, f, VC_FC_FKEY, name);
			json_array_append_new(fks, json_pack("{s:o, s:o, s:s, s:o, s:s}", "name",
												 d == PG ? json_string(name) : json_null(),
												 "columns", str1(f->column),
												 "ref_table", f->rel_table,
												 "ref_columns", str1(f->rel_column),
												 "on_delete", vc_on_delete_sql(f->on_delete)));
		}
	}
	for (i = 0; i < m->nindexes; i++)
	{
		const vc_index *x = &m->indexes[i];

		json_array_append_new(ixs, json_pack("{s:s, s:o, s:b, s:b, s:b, s:o}", "name", x->name,
											 "columns", str_arr(x->columns, x->ncolumns),
											 "unique", x->unique, "primary", 0, "constraint", 0,
											 "predicate", x->condition ? json_sprintf("(%s)", x->condition) : json_null()));
	}
	for (i = 0; i < m->nconstraints; i++)
	{
		const vc_constraint *k = &m->constraints[i];

		if (k->type == VC_CONSTRAINT_CHECK)
			json_array_append_new(checks, json_pack("{s:s, s:o}", "name", k->name, "expression",
													json_sprintf("(%s)", k->check)));
		else
			json_array_append_new(uniq, json_pack("{s:s, s:o}", "name", k->name,
												  "columns", str_arr(k->columns, k->ncolumns)));
	}
	if (m->single)
	{
		vc_model_make_name(m->table, "single", name);
		if (d == PG)
			json_array_append_new(ixs, json_pack("{s:s, s:o, s:b, s:b, s:b, s:n}", "name", name,
												 "columns", str1(NULL), "unique", 1,
												 "primary", 0, "constraint", 0, "predicate"));
		else
			json_array_append_new(trig, json_string(name));
	}
	o = json_pack("{s:s, s:b, s:o, s:o, s:o, s:o, s:o, s:o}", "table", m->table, "exists", 1,
				  "columns", cols, "indexes", ixs, "checks", checks, "uniques", uniq,
				  "foreign_keys", fks, "triggers", trig);
	if (d == PG)
		json_object_set_new(o, "row_security", json_pack("{s:b, s:b}", "enabled", m->permissions,
														 "forced", m->permissions));
	return o;
}

/* The live state after `applied` was migrated (junctions exist, bare). */
static json_t *
live_after(const json_t *applied, vc_dialect d)
{
	vc_modelset *s = NULL;
	vc_error	err;
	json_t	   *live = json_object();
	size_t		i,
				j;

	if (vc_modelset_parse(&vc_alloc_libc, applied, NULL, 0, &s, &err) != VC_OK)
	{
		fprintf(stderr, "  live parse: %s\n", err.message);
		vt_current_failed = 1;
		return live;
	}
	for (i = 0; i < s->nmodels; i++)
	{
		const vc_model *m = &s->models[i];

		if (!vc_model_has_table(m))
			continue;
		json_object_set_new(live, m->table, live_model(m, d));
		for (j = 0; j < m->nfields; j++)
			if (m->fields[j].m2m_table)
				json_object_set_new(live, m->fields[j].m2m_table,
									json_pack("{s:s, s:b, s:[]}", "table",
											  m->fields[j].m2m_table, "exists", 1, "columns"));
	}
	vc_modelset_free(s);
	return live;
}

/* Add {"exists": false} for every table the planner asks about that the
 * live object lacks. */
static void
complete_live(json_t *live, const json_t *schemas, const json_t *catalog,
			  const json_t *options, vc_dialect d)
{
	json_t	   *tables = NULL;
	vc_error	err;
	size_t		i;

	if (vc_plan_tables(&vc_alloc_libc, d, schemas, catalog, options, &tables, &err) != VC_OK)
		return;
	for (i = 0; i < json_array_size(tables); i++)
	{
		const char *t = json_string_value(json_array_get(tables, i));

		if (json_object_get(live, t) == NULL)
			json_object_set_new(live, t, json_pack("{s:s, s:b}", "table", t, "exists", 0));
	}
	json_decref(tables);
}

/* ---- a scenario: `before` applied, plan `after` --------------------------- */

typedef struct scen
{
	json_t	   *before;			/* NULL: nothing applied yet */
	json_t	   *after;
	json_t	   *catalog;
	json_t	   *live;
	json_t	   *options;
	vc_plan    *p;
	vc_error	err;
	vc_code		rc;
} scen;

static void
scen_plan(scen *s, vc_dialect d, const char *options)
{
	s->options = options ? parse(options) : NULL;
	s->catalog = s->before ? catalog_of(s->before) : json_array();
	if (s->live == NULL)
		s->live = s->before ? live_after(s->before, d) : json_object();
	complete_live(s->live, s->after, s->catalog, s->options, d);
	s->p = NULL;
	s->rc = vc_plan_build(&vc_alloc_libc, d, s->after, s->catalog, s->live, s->options,
						  &s->p, &s->err);
	if (s->rc != VC_OK && getenv("VT_VERBOSE"))
		fprintf(stderr, "  plan: %s\n", s->err.message);
}

static void
scen_free(scen *s)
{
	vc_plan_free(s->p);
	json_decref(s->before);
	json_decref(s->after);
	json_decref(s->catalog);
	json_decref(s->live);
	json_decref(s->options);
	memset(s, 0, sizeof(*s));
}

/* A scenario on the blog: applied as in the examples, then changed. */
static void
blog_scen(scen *s)
{
	memset(s, 0, sizeof(*s));
	s->before = blog();
	s->after = blog();
}

static long
find_op(const vc_plan *p, vc_op_kind k, const char *target)
{
	size_t		i;

	if (p == NULL)
		return -1;
	for (i = 0; i < p->nops; i++)
		if (p->ops[i].kind == k && strcmp(p->ops[i].target, target) == 0)
			return (long) i;
	return -1;
}

static void
dump(const vc_plan *p)
{
	size_t		i;

	if (p == NULL || !getenv("VT_VERBOSE"))
		return;
	for (i = 0; i < p->nops; i++)
		fprintf(stderr, "  [%zu] %s %s | %s | %s\n", i, vc_op_name(p->ops[i].kind),
				p->ops[i].target, p->ops[i].sql ? p->ops[i].sql : "NULL",
				p->ops[i].warning ? p->ops[i].warning : "-");
}

/* The one op of the plan, checked to be kind/target. */
static const vc_plan_op *
only_op(const scen *s, vc_op_kind k, const char *target)
{
	VT_CHECK(s->rc == VC_OK);
	if (s->rc != VC_OK)
		return NULL;
	dump(s->p);
	VT_CHECK(s->p->nops == 1);
	if (s->p->nops < 1)
		return NULL;
	VT_STREQ(vc_op_name(s->p->ops[0].kind), vc_op_name(k));
	VT_STREQ(s->p->ops[0].target, target);
	return &s->p->ops[0];
}

/* Re-plan `after` against the state applying it leaves: must be empty. */
static void
expect_converged(const json_t *after, vc_dialect d, const char *options)
{
	scen		s;

	memset(&s, 0, sizeof(s));
	s.before = json_deep_copy(after);
	s.after = json_deep_copy(after);
	scen_plan(&s, d, options);
	VT_CHECK(s.rc == VC_OK);
	if (s.p)
	{
		dump(s.p);
		VT_CHECK(s.p->nops == 0);
	}
	scen_free(&s);
}

/* ---- creating from scratch ------------------------------------------------- */

static void
test_op_names(void)
{
	VT_STREQ(vc_op_name(VC_OP_CREATE_TABLE), "CreateTable");
	VT_STREQ(vc_op_name(VC_OP_REMOVE_CONSTRAINT), "RemoveConstraint");
	VT_STREQ(vc_op_name(VC_OP_RUN_SQL), "RunSQL");
	VT_STREQ(vc_op_name(VC_OP__COUNT), "unknown");
}

static void
test_create_blog_pg(void)
{
	scen		s;
	long		author,
				post,
				comment,
				tags,
				settings;

	memset(&s, 0, sizeof(s));
	s.after = blog();
	scen_plan(&s, PG, NULL);
	VT_CHECK(s.rc == VC_OK);
	if (s.p)
	{
		dump(s.p);
		VT_CHECK(s.p->nops == 6);
		author = find_op(s.p, VC_OP_CREATE_TABLE, "blog.Author");
		post = find_op(s.p, VC_OP_CREATE_TABLE, "blog.Post");
		comment = find_op(s.p, VC_OP_CREATE_TABLE, "blog.Comment");
		tags = find_op(s.p, VC_OP_CREATE_TABLE, "blog.Post.tags");
		settings = find_op(s.p, VC_OP_CREATE_TABLE, "blog.SiteSettings");
		VT_CHECK(author >= 0 && post > author && comment > post && tags > comment);
		VT_CHECK(settings >= 0 && settings < tags);
		if (author >= 0)
		{
			const vc_plan_op *o = &s.p->ops[author];

			VT_CHECK(o->applies && o->warning == NULL);
			VT_CHECK(strncmp(o->statements.items[0], "CREATE TABLE \"blog_author\"", 26) == 0);
			VT_STREQ(o->statements.items[o->statements.n - 2],
					 "ALTER TABLE \"blog_author\" ENABLE ROW LEVEL SECURITY");
			VT_STREQ(o->statements.items[o->statements.n - 1],
					 "ALTER TABLE \"blog_author\" FORCE ROW LEVEL SECURITY");
			VT_CHECK(strstr(o->sql, ";\nALTER TABLE \"blog_author\" FORCE") != NULL);
		}
		if (settings >= 0)
		{
			const vc_plan_op *o = &s.p->ops[settings];

			/* permissions: false → no row security; single → guard index */
			VT_STREQ(o->statements.items[o->statements.n - 1],
					 "CREATE UNIQUE INDEX \"blog_sitesettings_single\" ON \"blog_sitesettings\" ((1))");
		}
		if (post >= 0)
			VT_CHECK(strstr(s.p->ops[post].sql, "CREATE INDEX \"blog_post_published_idx\"") != NULL);
		VT_CHECK(s.p->nunstore == 0);
	}
	scen_free(&s);
}

static void
test_create_blog_sqlite(void)
{
	scen		s;
	long		settings;

	memset(&s, 0, sizeof(s));
	s.after = blog();
	scen_plan(&s, SL, NULL);
	VT_CHECK(s.rc == VC_OK);
	if (s.p)
	{
		size_t		i;

		VT_CHECK(s.p->nops == 6);
		for (i = 0; i < s.p->nops; i++)
		{
			VT_CHECK(strstr(s.p->ops[i].sql, "ROW LEVEL SECURITY") == NULL);
			VT_CHECK(!s.p->ops[i].sqlite_rebuild);
		}
		settings = find_op(s.p, VC_OP_CREATE_TABLE, "blog.SiteSettings");
		VT_CHECK(settings >= 0 && strstr(s.p->ops[settings].sql, "CREATE TRIGGER \"blog_sitesettings_single\"") != NULL);
	}
	scen_free(&s);
}

static void
test_replan_empty_pg(void)
{
	json_t	   *b = blog();

	expect_converged(b, PG, NULL);
	json_decref(b);
}

static void
test_replan_empty_sqlite(void)
{
	json_t	   *b = blog();

	expect_converged(b, SL, NULL);
	json_decref(b);
}

static void
test_store_rows(void)
{
	scen		s;

	memset(&s, 0, sizeof(s));
	s.after = blog();
	scen_plan(&s, PG, NULL);
	VT_CHECK(s.rc == VC_OK);
	if (s.p)
	{
		VT_CHECK(s.p->nstore == 5);
		VT_STREQ(s.p->store[0].label, "blog.Author");
		VT_STREQ(s.p->store[0].table, "blog_author");
		VT_STREQ(s.p->store[4].label, "blog.SiteSettings");
		VT_CHECK(s.p->store[4].single && s.p->store[4].managed && !s.p->store[4].read_only);
		VT_STREQ(json_string_value(json_object_get(s.p->store[2].schema, "table")), "blog_post");
		VT_CHECK(!s.p->force && !s.p->allow_drop);
	}
	scen_free(&s);
}

static void
test_tables_list(void)
{
	json_t	   *b = blog();
	json_t	   *t = NULL;
	vc_error	err;

	VT_CHECK(vc_plan_tables(&vc_alloc_libc, PG, b, NULL, NULL, &t, &err) == VC_OK);
	VT_CHECK(json_array_size(t) == 6);
	VT_STREQ(json_string_value(json_array_get(t, 0)), "blog_author");
	VT_STREQ(json_string_value(json_array_get(t, 3)), "blog_post_tags");
	json_decref(t);
	json_decref(b);
}

static void
test_models_without_table(void)
{
	scen		s;

	memset(&s, 0, sizeof(s));
	s.after = parse("[{\"app\":\"x\",\"name\":\"Base\",\"fields\":[{\"name\":\"a\",\"type\":\"TextField\"}],\"meta\":{\"abstract\":true}},"
					"{\"app\":\"x\",\"name\":\"Ext\",\"fields\":[{\"name\":\"a\",\"type\":\"TextField\"}],\"meta\":{\"managed\":false}},"
					"{\"app\":\"x\",\"name\":\"Real\",\"fields\":[{\"name\":\"a\",\"type\":\"TextField\"}]},"
					"{\"app\":\"x\",\"name\":\"View\",\"fields\":[],\"meta\":{\"proxy\":true,\"proxy_for\":\"x.Real\"}}]");
	scen_plan(&s, PG, NULL);
	VT_CHECK(s.rc == VC_OK);
	if (s.p)
	{
		dump(s.p);
		VT_CHECK(s.p->nops == 1);
		VT_CHECK(find_op(s.p, VC_OP_CREATE_TABLE, "x.Real") == 0);
		VT_CHECK(s.p->nstore == 4);
		/* rows live somewhere for every model but the abstract one */
		VT_STREQ(s.p->store[0].table, "");
		VT_STREQ(s.p->store[1].table, "x_ext");
		VT_CHECK(!s.p->store[1].managed);
		VT_STREQ(s.p->store[3].table, "x_real");
	}
	scen_free(&s);
}

static void
test_fk_cycle_pg(void)
{
	scen		s;
	const char *set = "[{\"app\":\"c\",\"name\":\"A\",\"fields\":[{\"name\":\"b\",\"type\":\"ForeignKey\",\"to\":\"c.B\",\"on_delete\":\"CASCADE\",\"null\":true}]},"
		"{\"app\":\"c\",\"name\":\"B\",\"fields\":[{\"name\":\"a\",\"type\":\"ForeignKey\",\"to\":\"c.A\",\"on_delete\":\"CASCADE\",\"null\":true}]}]";

	memset(&s, 0, sizeof(s));
	s.after = parse(set);
	scen_plan(&s, PG, NULL);
	VT_CHECK(s.rc == VC_OK);
	if (s.p)
	{
		dump(s.p);
		VT_CHECK(s.p->nops == 3);
		/* B is created first (A needs it), A's back edge is deferred */
		VT_STREQ(s.p->ops[0].target, "c.B");
		VT_CHECK(strstr(s.p->ops[0].sql, "REFERENCES") == NULL);
		VT_STREQ(s.p->ops[1].target, "c.A");
		VT_CHECK(strstr(s.p->ops[1].sql, "REFERENCES \"c_b\"") != NULL);
		VT_STREQ(vc_op_name(s.p->ops[2].kind), "AddConstraint");
		VT_STREQ(s.p->ops[2].target, "c_b_a_id_fkey");
		VT_STREQ(s.p->ops[2].sql, "ALTER TABLE \"c_b\" ADD CONSTRAINT \"c_b_a_id_fkey\" FOREIGN KEY (\"a_id\") "
				 "REFERENCES \"c_a\" (\"id\") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED");
	}
	scen_free(&s);
	{
		json_t	   *j = parse(set);

		expect_converged(j, PG, NULL);
		json_decref(j);
	}
}

static void
test_fk_cycle_sqlite(void)
{
	scen		s;

	memset(&s, 0, sizeof(s));
	s.after = parse("[{\"app\":\"c\",\"name\":\"A\",\"fields\":[{\"name\":\"b\",\"type\":\"ForeignKey\",\"to\":\"c.B\",\"on_delete\":\"CASCADE\",\"null\":true}]},"
					"{\"app\":\"c\",\"name\":\"B\",\"fields\":[{\"name\":\"a\",\"type\":\"ForeignKey\",\"to\":\"c.A\",\"on_delete\":\"CASCADE\",\"null\":true}]}]");
	scen_plan(&s, SL, NULL);
	VT_CHECK(s.rc == VC_OK);
	if (s.p)
	{
		/* SQLite accepts a forward REFERENCES: nothing deferred */
		VT_CHECK(s.p->nops == 2);
		VT_CHECK(strstr(s.p->ops[0].sql, "REFERENCES") != NULL);
		VT_CHECK(strstr(s.p->ops[1].sql, "REFERENCES") != NULL);
	}
	scen_free(&s);
}

/* ---- columns ---------------------------------------------------------------- */

static void
test_add_column_pg(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	add_field(s.after, "Post", "{\"name\":\"subtitle\",\"type\":\"CharField\",\"max_length\":80,\"null\":true}");
	scen_plan(&s, PG, NULL);
	o = only_op(&s, VC_OP_ADD_COLUMN, "blog.Post.subtitle");
	if (o)
	{
		VT_STREQ(o->sql, "ALTER TABLE \"blog_post\" ADD COLUMN \"subtitle\" varchar(80)");
		VT_CHECK(o->warning == NULL && o->applies && o->statements.n == 1);
	}
	expect_converged(s.after, PG, NULL);
	scen_free(&s);
}

static void
test_add_unique_column_pg(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	add_field(s.after, "Tag", "{\"name\":\"code\",\"type\":\"CharField\",\"max_length\":8,\"null\":true,\"unique\":true}");
	scen_plan(&s, PG, NULL);
	/* the column definition carries its named UNIQUE: no AddConstraint row */
	o = only_op(&s, VC_OP_ADD_COLUMN, "blog.Tag.code");
	if (o)
		VT_CHECK(strstr(o->sql, "CONSTRAINT \"blog_tag_code_uniq\" UNIQUE") != NULL);
	expect_converged(s.after, PG, NULL);
	scen_free(&s);
}

static void
test_add_column_sqlite(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	add_field(s.after, "Post", "{\"name\":\"subtitle\",\"type\":\"CharField\",\"max_length\":80,\"null\":true}");
	scen_plan(&s, SL, NULL);
	o = only_op(&s, VC_OP_ADD_COLUMN, "blog.Post.subtitle");
	if (o)
	{
		VT_STREQ(o->sql, "ALTER TABLE \"blog_post\" ADD COLUMN \"subtitle\" TEXT "
				 "CONSTRAINT \"blog_post_subtitle_check\" CHECK (\"subtitle\" IS NULL OR length(\"subtitle\") <= 80)");
		VT_CHECK(!o->sqlite_rebuild);
	}
	expect_converged(s.after, SL, NULL);
	scen_free(&s);
}

static void
test_add_column_sqlite_rebuild(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	/* NOT NULL without a default: ALTER TABLE ADD COLUMN cannot */
	add_field(s.after, "Tag", "{\"name\":\"rank\",\"type\":\"IntegerField\"}");
	scen_plan(&s, SL, NULL);
	o = only_op(&s, VC_OP_ADD_COLUMN, "blog.Tag.rank");
	if (o)
	{
		VT_CHECK(o->sqlite_rebuild);
		VT_STREQ(o->rebuild_table, "blog_tag");
		VT_CHECK(o->statements.n == 4);
		VT_CHECK(strncmp(o->statements.items[0], "CREATE TABLE \"_viper_new_blog_tag\"", 34) == 0);
		VT_STREQ(o->statements.items[1], "INSERT INTO \"_viper_new_blog_tag\" (\"id\", \"name\", \"slug\", \"color\") "
				 "SELECT \"id\", \"name\", \"slug\", \"color\" FROM \"blog_tag\"");
		VT_STREQ(o->statements.items[2], "DROP TABLE \"blog_tag\"");
		VT_STREQ(o->statements.items[3], "ALTER TABLE \"_viper_new_blog_tag\" RENAME TO \"blog_tag\"");
		/* no value for existing rows: only an empty table takes it */
		VT_CHECK(o->precheck_action == VC_PRECHECK_REFUSE);
		VT_STREQ(o->precheck_sql, "SELECT 1 FROM \"blog_tag\" LIMIT 1");
	}
	expect_converged(s.after, SL, NULL);
	scen_free(&s);
}

/* AddColumn NOT NULL without a default: refused when the table has rows. */
static void
test_add_not_null_refused_pg(void)
{
	static const char *const opts[] = {NULL, "{\"force\": true}"};
	size_t		i;

	for (i = 0; i < 2; i++)
	{
		scen		s;
		const vc_plan_op *o;

		blog_scen(&s);
		add_field(s.after, "Tag", "{\"name\":\"rank\",\"type\":\"IntegerField\"}");
		scen_plan(&s, PG, opts[i]);
		o = only_op(&s, VC_OP_ADD_COLUMN, "blog.Tag.rank");
		if (o)
		{
			VT_STREQ(o->sql, "ALTER TABLE \"blog_tag\" ADD COLUMN \"rank\" integer NOT NULL");
			VT_CHECK(o->precheck_action == VC_PRECHECK_REFUSE);
			VT_CHECK(o->precheck_code == VC_ERR_INVALID_PARAM);
			VT_STREQ(o->precheck_sql, "SELECT 1 FROM \"blog_tag\" LIMIT 1");
			VT_STREQ(o->precheck_message, "field \"blog.Tag.rank\" is NOT NULL without a default "
					 "and table \"blog_tag\" has rows");
			VT_CHECK(o->precheck_hint && strstr(o->precheck_hint, "Give the field a default") != NULL);
		}
		scen_free(&s);
	}
}

/* With a default (or nullable, or an identity) the database fills it. */
static void
test_add_not_null_default_pg(void)
{
	scen		s;

	blog_scen(&s);
	add_field(s.after, "Tag", "{\"name\":\"rank\",\"type\":\"IntegerField\",\"default\":5}");
	add_field(s.after, "Tag", "{\"name\":\"seen\",\"type\":\"DateTimeField\",\"auto_now_add\":true}");
	add_field(s.after, "Tag", "{\"name\":\"note\",\"type\":\"TextField\",\"null\":true}");
	scen_plan(&s, PG, NULL);
	VT_CHECK(s.rc == VC_OK && s.p && s.p->nops == 3);
	if (s.p && s.p->nops == 3)
	{
		size_t		i;

		VT_STREQ(s.p->ops[0].sql, "ALTER TABLE \"blog_tag\" ADD COLUMN \"rank\" integer NOT NULL DEFAULT 5");
		for (i = 0; i < 3; i++)
			VT_CHECK(s.p->ops[i].precheck_action == VC_PRECHECK_NONE &&
					 s.p->ops[i].precheck_sql == NULL);
	}
	scen_free(&s);
}

static void
test_rename_old_name_pg(void)
{
	scen		s;
	json_t	   *f;
	const vc_plan_op *o;

	blog_scen(&s);
	f = field_of(s.after, "Post", "body");
	json_object_set_new(f, "name", json_string("content"));
	json_object_set_new(f, "old_name", json_string("body"));
	scen_plan(&s, PG, NULL);
	o = only_op(&s, VC_OP_RENAME_COLUMN, "blog.Post.content");
	if (o)
		VT_STREQ(o->sql, "ALTER TABLE \"blog_post\" RENAME COLUMN \"body\" TO \"content\"");
	expect_converged(s.after, PG, NULL);
	scen_free(&s);
}

static void
test_rename_fk_old_name_pg(void)
{
	scen		s;
	json_t	   *f;

	blog_scen(&s);
	f = field_of(s.after, "Comment", "author");
	json_object_set_new(f, "name", json_string("writer"));
	json_object_set_new(f, "old_name", json_string("author"));
	scen_plan(&s, PG, NULL);
	VT_CHECK(s.rc == VC_OK);
	if (s.p)
	{
		long		r = find_op(s.p, VC_OP_RENAME_COLUMN, "blog.Comment.writer");

		dump(s.p);
		VT_CHECK(r == 0);
		if (r == 0)
			VT_STREQ(s.p->ops[0].sql, "ALTER TABLE \"blog_comment\" RENAME COLUMN \"author_id\" TO \"writer_id\"");
		/* the FK keeps working; its generated name follows the column */
		VT_CHECK(find_op(s.p, VC_OP_REMOVE_CONSTRAINT, "blog_comment_author_id_fkey") > r);
		VT_CHECK(find_op(s.p, VC_OP_ADD_CONSTRAINT, "blog_comment_writer_id_fkey") > r);
		VT_CHECK(find_op(s.p, VC_OP_REMOVE_COLUMN, "blog.Comment.author_id") < 0);
		VT_CHECK(find_op(s.p, VC_OP_ADD_COLUMN, "blog.Comment.writer") < 0);
	}
	scen_free(&s);
}

static void
test_rename_sqlite(void)
{
	scen		s;
	json_t	   *f;
	const vc_plan_op *o;

	blog_scen(&s);
	f = field_of(s.after, "Post", "body");
	json_object_set_new(f, "name", json_string("content"));
	json_object_set_new(f, "old_name", json_string("body"));
	scen_plan(&s, SL, NULL);
	o = only_op(&s, VC_OP_RENAME_COLUMN, "blog.Post.content");
	if (o)
	{
		VT_STREQ(o->sql, "ALTER TABLE \"blog_post\" RENAME COLUMN \"body\" TO \"content\"");
		VT_CHECK(!o->sqlite_rebuild);
	}
	scen_free(&s);
}

static void
test_widen_varchar_pg(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	json_object_set_new(field_of(s.after, "Post", "title"), "max_length", json_integer(300));
	scen_plan(&s, PG, NULL);
	o = only_op(&s, VC_OP_ALTER_COLUMN, "blog.Post.title");
	if (o)
	{
		VT_STREQ(o->sql, "ALTER TABLE \"blog_post\" ALTER COLUMN \"title\" TYPE varchar(300) USING \"title\"::varchar(300)");
		VT_CHECK(o->warning == NULL);
		VT_CHECK(o->precheck_action == VC_PRECHECK_NONE && o->precheck_sql == NULL);
	}
	expect_converged(s.after, PG, NULL);
	scen_free(&s);
}

static void
test_narrow_varchar_pg(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	json_object_set_new(field_of(s.after, "Post", "title"), "max_length", json_integer(50));
	scen_plan(&s, PG, NULL);
	o = only_op(&s, VC_OP_ALTER_COLUMN, "blog.Post.title");
	if (o)
	{
		VT_STREQ(o->warning, "narrowing varchar(200) → varchar(50)");
		VT_CHECK(o->applies);
		VT_CHECK(o->precheck_action == VC_PRECHECK_REFUSE);
		VT_CHECK(o->precheck_code == VC_ERR_STRING_TRUNC);
		VT_STREQ(o->precheck_sql, "SELECT 1 FROM \"blog_post\" WHERE length(\"title\") > 50 LIMIT 1");
		VT_CHECK(o->precheck_message && strstr(o->precheck_message, "\"blog.Post.title\"") != NULL);
	}
	scen_free(&s);
}

static void
test_narrow_force_pg(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	json_object_set_new(field_of(s.after, "Post", "title"), "max_length", json_integer(50));
	scen_plan(&s, PG, "{\"force\": true}");
	o = only_op(&s, VC_OP_ALTER_COLUMN, "blog.Post.title");
	if (o)
	{
		VT_CHECK(o->precheck_action == VC_PRECHECK_NONE);
		VT_CHECK(o->warning && strncmp(o->warning, "narrowing varchar(200) → varchar(50) (forced", 46) == 0);
		VT_STREQ(o->sql, "ALTER TABLE \"blog_post\" ALTER COLUMN \"title\" TYPE varchar(50) USING \"title\"::varchar(50)");
		VT_CHECK(s.p->force);
	}
	scen_free(&s);
}

/* A hand-made change: the live column became text. */
static void
set_live_type(json_t *live, const char *table, const char *col, const char *type)
{
	json_t	   *cols = json_object_get(json_object_get(live, table), "columns");
	size_t		i;

	for (i = 0; i < json_array_size(cols); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(cols, i), "name")), col) == 0)
			json_object_set_new(json_array_get(cols, i), "type", json_string(type));
}

static void
test_incompatible_refused_pg(void)
{
	scen		s;

	blog_scen(&s);
	s.live = live_after(s.before, PG);
	set_live_type(s.live, "blog_post", "views", "text");
	scen_plan(&s, PG, NULL);
	VT_CHECK(s.rc == VC_ERR_INVALID_PARAM);
	VT_SQLSTATE(&s.err, "22023");
	VT_STREQ(s.err.message, "incompatible type change for field \"blog.Post.views\": text → integer");
	VT_CHECK(strstr(s.err.hint, "{\"force\": true}") != NULL);
	VT_CHECK(s.p == NULL);
	scen_free(&s);
}

static void
test_incompatible_catalog_change_pg(void)
{
	scen		s;

	blog_scen(&s);
	json_object_set_new(field_of(s.after, "Post", "slug"), "type", json_string("IntegerField"));
	json_object_del(field_of(s.after, "Post", "slug"), "unique");
	scen_plan(&s, PG, NULL);
	VT_CHECK(s.rc == VC_ERR_INVALID_PARAM);
	VT_STREQ(s.err.message, "incompatible type change for field \"blog.Post.slug\": varchar(50) → integer");
	scen_free(&s);
}

static void
test_incompatible_forced_pg(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	s.live = live_after(s.before, PG);
	set_live_type(s.live, "blog_post", "views", "text");
	scen_plan(&s, PG, "{\"force\": true}");
	o = only_op(&s, VC_OP_ALTER_COLUMN, "blog.Post.views");
	if (o)
	{
		VT_STREQ(o->warning, "incompatible type change text → integer (forced)");
		/* the default is dropped around the cast and set again */
		VT_CHECK(o->statements.n == 3);
		VT_STREQ(o->statements.items[0], "ALTER TABLE \"blog_post\" ALTER COLUMN \"views\" DROP DEFAULT");
		VT_STREQ(o->statements.items[1], "ALTER TABLE \"blog_post\" ALTER COLUMN \"views\" TYPE integer USING \"views\"::integer");
		VT_STREQ(o->statements.items[2], "ALTER TABLE \"blog_post\" ALTER COLUMN \"views\" SET DEFAULT 0");
	}
	scen_free(&s);
}

static void
test_unknown_live_type_pg(void)
{
	scen		s;

	blog_scen(&s);
	s.live = live_after(s.before, PG);
	set_live_type(s.live, "blog_post", "title", "money");
	scen_plan(&s, PG, NULL);
	VT_SQLSTATE(&s.err, "22023");
	VT_STREQ(s.err.message, "incompatible type change for field \"blog.Post.title\": money → varchar(200)");
	scen_free(&s);
}

static void
test_live_spellings_pg(void)
{
	scen		s;

	/* synonyms and blanks of the host's spelling are the same type */
	blog_scen(&s);
	s.live = live_after(s.before, PG);
	set_live_type(s.live, "blog_post", "title", "CHARACTER  VARYING ( 200 )");
	set_live_type(s.live, "blog_post", "rating", "numeric(3, 1)");
	set_live_type(s.live, "blog_post", "id", "int8");
	set_live_type(s.live, "blog_post", "keywords", "varchar(30)[]");
	scen_plan(&s, PG, NULL);
	VT_CHECK(s.rc == VC_OK);
	if (s.p)
	{
		dump(s.p);
		VT_CHECK(s.p->nops == 0);
	}
	scen_free(&s);
}

static void
test_null_change_pg(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	json_object_set_new(field_of(s.after, "Author", "bio"), "null", json_false());
	json_object_set_new(field_of(s.after, "Author", "bio"), "default", json_string(""));
	scen_plan(&s, PG, NULL);
	o = only_op(&s, VC_OP_ALTER_COLUMN, "blog.Author.bio");
	if (o)
	{
		/* existing NULLs take the default first; no precheck needed */
		VT_CHECK(o->statements.n == 3);
		VT_STREQ(o->statements.items[0], "UPDATE \"blog_author\" SET \"bio\" = '' WHERE \"bio\" IS NULL");
		VT_STREQ(o->statements.items[1], "ALTER TABLE \"blog_author\" ALTER COLUMN \"bio\" SET NOT NULL");
		VT_STREQ(o->statements.items[2], "ALTER TABLE \"blog_author\" ALTER COLUMN \"bio\" SET DEFAULT ''");
		VT_CHECK(o->precheck_action == VC_PRECHECK_NONE && o->precheck_sql == NULL);
		VT_CHECK(o->precheck2_sql == NULL);
	}
	expect_converged(s.after, PG, NULL);
	scen_free(&s);
}

/* An auto_now default fills with its expression (PostgreSQL: now()). */
static void
test_null_fill_auto_now_pg(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	json_object_set_new(field_of(s.after, "Post", "publish_at"), "null", json_false());
	json_object_set_new(field_of(s.after, "Post", "publish_at"), "auto_now", json_true());
	scen_plan(&s, PG, NULL);
	o = only_op(&s, VC_OP_ALTER_COLUMN, "blog.Post.publish_at");
	if (o)
	{
		VT_STREQ(o->sql, "UPDATE \"blog_post\" SET \"publish_at\" = now() WHERE \"publish_at\" IS NULL;\n"
				 "ALTER TABLE \"blog_post\" ALTER COLUMN \"publish_at\" SET NOT NULL;\n"
				 "ALTER TABLE \"blog_post\" ALTER COLUMN \"publish_at\" SET DEFAULT now()");
		VT_CHECK(o->precheck_action == VC_PRECHECK_NONE);
	}
	expect_converged(s.after, PG, NULL);
	scen_free(&s);
}

/* The fill follows a type change, with the new type's literal. */
static void
test_null_fill_after_type_pg(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	json_object_set_new(field_of(s.after, "Author", "website"), "max_length", json_integer(300));
	json_object_set_new(field_of(s.after, "Author", "website"), "null", json_false());
	json_object_set_new(field_of(s.after, "Author", "website"), "default", json_string("n/a"));
	scen_plan(&s, PG, NULL);
	o = only_op(&s, VC_OP_ALTER_COLUMN, "blog.Author.website");
	if (o)
	{
		VT_CHECK(o->statements.n == 4);
		if (o->statements.n == 4)
		{
			VT_STREQ(o->statements.items[0], "ALTER TABLE \"blog_author\" ALTER COLUMN \"website\" "
					 "TYPE varchar(300) USING \"website\"::varchar(300)");
			VT_STREQ(o->statements.items[1], "UPDATE \"blog_author\" SET \"website\" = 'n/a' WHERE \"website\" IS NULL");
			VT_STREQ(o->statements.items[2], "ALTER TABLE \"blog_author\" ALTER COLUMN \"website\" SET NOT NULL");
			VT_STREQ(o->statements.items[3], "ALTER TABLE \"blog_author\" ALTER COLUMN \"website\" SET DEFAULT 'n/a'");
		}
	}
	expect_converged(s.after, PG, NULL);
	scen_free(&s);
}

/* SQLite: the rebuild copies coalesce(old column, default). */
static void
test_null_fill_sqlite(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	json_object_set_new(field_of(s.after, "Author", "bio"), "null", json_false());
	json_object_set_new(field_of(s.after, "Author", "bio"), "default", json_string("it's new"));
	scen_plan(&s, SL, NULL);
	o = only_op(&s, VC_OP_ALTER_COLUMN, "blog.Author.bio");
	if (o)
	{
		VT_CHECK(o->sqlite_rebuild && o->statements.n >= 4);
		VT_CHECK(o->precheck_action == VC_PRECHECK_NONE && o->precheck_sql == NULL);
		if (o->statements.n >= 2)
		{
			VT_CHECK(strstr(o->statements.items[1], ", coalesce(\"bio\", 'it''s new'), ") != NULL);
			VT_CHECK(strstr(o->statements.items[1], "\"bio\", \"website\"") != NULL);
		}
		VT_CHECK(strstr(o->statements.items[0], "\"bio\" TEXT NOT NULL DEFAULT 'it''s new'") != NULL);
	}
	expect_converged(s.after, SL, NULL);
	scen_free(&s);
}

/* SQLite: auto_now fills with its expression; a forced cut is wrapped. */
static void
test_null_fill_sqlite_expr(void)
{
	scen		s;

	blog_scen(&s);
	json_object_set_new(field_of(s.after, "Post", "publish_at"), "null", json_false());
	json_object_set_new(field_of(s.after, "Post", "publish_at"), "auto_now_add", json_true());
	json_object_set_new(field_of(s.after, "Author", "website"), "max_length", json_integer(20));
	json_object_set_new(field_of(s.after, "Author", "website"), "null", json_false());
	json_object_set_new(field_of(s.after, "Author", "website"), "default", json_string("-"));
	scen_plan(&s, SL, "{\"force\": true}");
	VT_CHECK(s.rc == VC_OK);
	if (s.p)
	{
		long		a = find_op(s.p, VC_OP_ALTER_COLUMN, "blog.Post.publish_at"),
					w = find_op(s.p, VC_OP_ALTER_COLUMN, "blog.Author.website");

		dump(s.p);
		VT_CHECK(a >= 0 && w >= 0);
		if (a >= 0 && s.p->ops[a].statements.n >= 2)
			VT_CHECK(strstr(s.p->ops[a].statements.items[1],
							"coalesce(\"publish_at\", (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))") != NULL);
		if (w >= 0 && s.p->ops[w].statements.n >= 2)
			VT_CHECK(strstr(s.p->ops[w].statements.items[1],
							"coalesce(substr(\"website\", 1, 20), '-')") != NULL);
	}
	scen_free(&s);
}

/* No default: a REFUSE precheck (22023), which force does not lift. */
static void
test_null_refused_pg(void)
{
	static const char *const opts[] = {NULL, "{\"force\": true}"};
	size_t		i;

	for (i = 0; i < 2; i++)
	{
		scen		s;
		const vc_plan_op *o;

		blog_scen(&s);
		json_object_set_new(field_of(s.after, "Author", "bio"), "null", json_false());
		scen_plan(&s, PG, opts[i]);
		o = only_op(&s, VC_OP_ALTER_COLUMN, "blog.Author.bio");
		if (o)
		{
			VT_STREQ(o->sql, "ALTER TABLE \"blog_author\" ALTER COLUMN \"bio\" SET NOT NULL");
			VT_CHECK(o->precheck_action == VC_PRECHECK_REFUSE);
			VT_CHECK(o->precheck_code == VC_ERR_INVALID_PARAM);
			VT_STREQ(o->precheck_sql, "SELECT 1 FROM \"blog_author\" WHERE \"bio\" IS NULL LIMIT 1");
			VT_STREQ(o->precheck_message, "field \"blog.Author.bio\" cannot become NOT NULL: existing rows hold NULL");
			VT_STREQ(o->precheck_hint, "Give the field a default (the NULLs are then set to it), "
					 "or fill those rows first; {\"force\": true} does not invent values.");
			VT_CHECK(o->precheck2_sql == NULL);
			VT_CHECK(o->warning == NULL);
		}
		scen_free(&s);
	}
}

/*
 * Renamed and made NOT NULL: PostgreSQL checks the new name (the rename
 * runs first); SQLite checks the old one, before its rebuild.
 */
static void
test_null_refused_renamed(void)
{
	static const vc_dialect ds[] = {VC_DIALECT_POSTGRESQL, VC_DIALECT_SQLITE};
	size_t		i;

	for (i = 0; i < 2; i++)
	{
		scen		s;
		json_t	   *f;

		blog_scen(&s);
		f = field_of(s.after, "Author", "bio");
		json_object_set_new(f, "name", json_string("about"));
		json_object_set_new(f, "old_name", json_string("bio"));
		json_object_set_new(f, "null", json_false());
		scen_plan(&s, ds[i], NULL);
		VT_CHECK(s.rc == VC_OK);
		if (s.p)
		{
			long		r = find_op(s.p, VC_OP_RENAME_COLUMN, "blog.Author.about"),
						a = find_op(s.p, VC_OP_ALTER_COLUMN, "blog.Author.about");

			dump(s.p);
			VT_CHECK(s.p->nops == 2 && r == 0 && a == 1);
			if (a == 1)
			{
				VT_CHECK(s.p->ops[1].precheck_action == VC_PRECHECK_REFUSE);
				VT_STREQ(s.p->ops[1].precheck_sql, ds[i] == VC_DIALECT_POSTGRESQL ?
						 "SELECT 1 FROM \"blog_author\" WHERE \"about\" IS NULL LIMIT 1" :
						 "SELECT 1 FROM \"blog_author\" WHERE \"bio\" IS NULL LIMIT 1");
			}
		}
		scen_free(&s);
	}
}

/* Narrowed and made NOT NULL without a default: both checks, NULL first. */
static void
test_null_and_narrow(void)
{
	static const vc_dialect ds[] = {VC_DIALECT_POSTGRESQL, VC_DIALECT_SQLITE};
	size_t		i;

	for (i = 0; i < 2; i++)
	{
		scen		s;
		const vc_plan_op *o;

		blog_scen(&s);
		json_object_set_new(field_of(s.after, "Author", "website"), "max_length", json_integer(100));
		json_object_set_new(field_of(s.after, "Author", "website"), "null", json_false());
		scen_plan(&s, ds[i], NULL);
		o = only_op(&s, VC_OP_ALTER_COLUMN, "blog.Author.website");
		if (o)
		{
			VT_CHECK(o->warning && strstr(o->warning, "narrowing") != NULL);
			VT_CHECK(o->precheck_action == VC_PRECHECK_REFUSE);
			VT_CHECK(o->precheck_code == VC_ERR_INVALID_PARAM);
			VT_STREQ(o->precheck_sql, "SELECT 1 FROM \"blog_author\" WHERE \"website\" IS NULL LIMIT 1");
			VT_CHECK(o->precheck2_code == VC_ERR_STRING_TRUNC);
			VT_STREQ(o->precheck2_sql, "SELECT 1 FROM \"blog_author\" WHERE length(\"website\") > 100 LIMIT 1");
			VT_CHECK(o->precheck2_message && strstr(o->precheck2_message, "do not fit") != NULL);
		}
		scen_free(&s);
	}
}

static void
test_default_change_pg(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	json_object_set_new(field_of(s.after, "Post", "views"), "default", json_integer(1));
	json_object_del(field_of(s.after, "Post", "score"), "default");
	scen_plan(&s, PG, NULL);
	VT_CHECK(s.rc == VC_OK && s.p && s.p->nops == 2);
	if (s.p && s.p->nops == 2)
	{
		o = &s.p->ops[0];
		VT_STREQ(o->target, "blog.Post.views");
		VT_STREQ(o->sql, "ALTER TABLE \"blog_post\" ALTER COLUMN \"views\" SET DEFAULT 1");
		VT_STREQ(s.p->ops[1].sql, "ALTER TABLE \"blog_post\" ALTER COLUMN \"score\" DROP DEFAULT");
	}
	scen_free(&s);
}

static void
test_default_change_sqlite_rebuild(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	json_object_set_new(field_of(s.after, "Tag", "color"), "default", json_string("#000000"));
	scen_plan(&s, SL, NULL);
	o = only_op(&s, VC_OP_ALTER_COLUMN, "blog.Tag.color");
	if (o)
	{
		VT_CHECK(o->sqlite_rebuild);
		VT_CHECK(strstr(o->statements.items[0], "DEFAULT '#000000'") != NULL);
	}
	scen_free(&s);
}

/* ---- drops and rename hints -------------------------------------------------- */

static void
test_drop_column_warning(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	remove_field(s.after, "Post", "cover");
	scen_plan(&s, PG, NULL);
	o = only_op(&s, VC_OP_REMOVE_COLUMN, "blog.Post.cover");
	if (o)
	{
		VT_CHECK(!o->applies && o->sql == NULL && o->statements.n == 0);
		VT_STREQ(o->warning, "column \"cover\" is not in the model; pass {\"allow_drop\": true} to drop it");
	}
	scen_free(&s);
}

static void
test_drop_column_allowed(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	remove_field(s.after, "Post", "cover");
	scen_plan(&s, PG, "{\"allow_drop\": true}");
	o = only_op(&s, VC_OP_REMOVE_COLUMN, "blog.Post.cover");
	if (o)
	{
		VT_CHECK(o->applies && o->warning == NULL);
		VT_STREQ(o->sql, "ALTER TABLE \"blog_post\" DROP COLUMN \"cover\"");
		VT_CHECK(o->precheck_action == VC_PRECHECK_NONE);
	}
	expect_converged(s.after, PG, NULL);
	scen_free(&s);
}

static void
test_drop_column_sqlite_refused_in_rebuild(void)
{
	scen		s;

	blog_scen(&s);
	remove_field(s.after, "Tag", "color");
	json_object_set_new(field_of(s.after, "Tag", "name"), "max_length", json_integer(60));
	scen_plan(&s, SL, NULL);
	VT_SQLSTATE(&s.err, "22023");
	VT_STREQ(s.err.message, "table \"blog_tag\" of model \"blog.Tag\" must be rebuilt and its column \"color\" is not in the model");
	VT_CHECK(strstr(s.err.hint, "allow_drop") != NULL);
	scen_free(&s);
}

static void
test_drop_table_warning(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	remove_model(s.after, "Comment");
	scen_plan(&s, PG, NULL);
	o = only_op(&s, VC_OP_DROP_TABLE, "blog.Comment");
	if (o)
	{
		VT_CHECK(!o->applies && o->sql == NULL);
		VT_STREQ(o->warning, "model \"blog.Comment\" is not in the schemas; pass {\"allow_drop\": true} to drop table \"blog_comment\"");
		VT_CHECK(s.p->nunstore == 0);
		VT_CHECK(s.p->nstore == 4);
	}
	scen_free(&s);
}

static void
test_drop_table_allowed(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	remove_model(s.after, "Comment");
	scen_plan(&s, PG, "{\"allow_drop\": true}");
	o = only_op(&s, VC_OP_DROP_TABLE, "blog.Comment");
	if (o)
	{
		VT_STREQ(o->sql, "DROP TABLE \"blog_comment\"");
		VT_CHECK(s.p->nunstore == 1);
		VT_STREQ(s.p->unstore[0], "blog.Comment");
	}
	scen_free(&s);
}

static void
test_drop_table_order_and_junction(void)
{
	scen		s;

	/* Post, Comment and Tag leave; children and the junction go first */
	blog_scen(&s);
	remove_model(s.after, "Comment");
	remove_model(s.after, "Post");
	remove_model(s.after, "Tag");
	scen_plan(&s, PG, "{\"allow_drop\": true}");
	VT_CHECK(s.rc == VC_OK);
	if (s.p)
	{
		long		j = find_op(s.p, VC_OP_DROP_TABLE, "blog.Post.tags"),
					c = find_op(s.p, VC_OP_DROP_TABLE, "blog.Comment"),
					p = find_op(s.p, VC_OP_DROP_TABLE, "blog.Post"),
					t = find_op(s.p, VC_OP_DROP_TABLE, "blog.Tag");

		dump(s.p);
		VT_CHECK(s.p->nops == 4);
		VT_CHECK(j >= 0 && c >= 0 && p >= 0 && t >= 0);
		VT_CHECK(j < p && c < p && j < t);
		VT_CHECK(s.p->nunstore == 3);
	}
	scen_free(&s);
}

static void
test_m2m_field_added_and_removed(void)
{
	scen		s;

	blog_scen(&s);
	add_field(s.after, "Author", "{\"name\":\"favourite_tags\",\"type\":\"ManyToManyField\",\"to\":\"blog.Tag\"}");
	remove_field(s.after, "Post", "tags");
	scen_plan(&s, PG, NULL);
	VT_CHECK(s.rc == VC_OK);
	if (s.p)
	{
		long		c = find_op(s.p, VC_OP_CREATE_TABLE, "blog.Author.favourite_tags"),
					d = find_op(s.p, VC_OP_DROP_TABLE, "blog.Post.tags");

		dump(s.p);
		VT_CHECK(s.p->nops == 2 && c == 0 && d == 1);
		if (c == 0)
			VT_CHECK(strncmp(s.p->ops[0].sql, "CREATE TABLE \"blog_author_favourite_tags\"", 41) == 0);
		if (d == 1)
			VT_CHECK(!s.p->ops[1].applies && strstr(s.p->ops[1].warning, "allow_drop") != NULL);
	}
	scen_free(&s);
}

static void
test_rename_hint_warning(void)
{
	scen		s;

	blog_scen(&s);
	remove_field(s.after, "Post", "body");
	add_field(s.after, "Post", "{\"name\":\"content\",\"type\":\"TextField\",\"null\":true}");
	scen_plan(&s, PG, NULL);
	VT_CHECK(s.rc == VC_OK);
	if (s.p)
	{
		long		a = find_op(s.p, VC_OP_ADD_COLUMN, "blog.Post.content"),
					r = find_op(s.p, VC_OP_REMOVE_COLUMN, "blog.Post.body");

		VT_CHECK(s.p->nops == 2 && a == 0 && r == 1);
		if (a == 0)
			VT_STREQ(s.p->ops[0].warning, "looks like a rename of \"body\"; set \"old_name\": \"body\" to keep its data");
		if (r == 1)
			VT_CHECK(!s.p->ops[1].applies);
	}
	scen_free(&s);
}

static void
test_rename_hint_skip_precheck(void)
{
	scen		s;

	blog_scen(&s);
	remove_field(s.after, "Post", "body");
	add_field(s.after, "Post", "{\"name\":\"content\",\"type\":\"TextField\",\"null\":true}");
	scen_plan(&s, PG, "{\"allow_drop\": true}");
	VT_CHECK(s.rc == VC_OK);
	if (s.p)
	{
		long		r = find_op(s.p, VC_OP_REMOVE_COLUMN, "blog.Post.body");

		VT_CHECK(r == 1);
		if (r == 1)
		{
			const vc_plan_op *o = &s.p->ops[r];

			VT_CHECK(o->applies);
			VT_CHECK(o->precheck_action == VC_PRECHECK_SKIP);
			VT_STREQ(o->precheck_sql, "SELECT 1 FROM \"blog_post\" WHERE \"body\" IS NOT NULL LIMIT 1");
			VT_CHECK(o->precheck_message && strstr(o->precheck_message, "holds data") != NULL);
			VT_STREQ(o->sql, "ALTER TABLE \"blog_post\" DROP COLUMN \"body\"");
		}
	}
	scen_free(&s);
}

static void
test_rename_hint_skip_sqlite_rebuild(void)
{
	scen		s;

	blog_scen(&s);
	remove_field(s.after, "Tag", "color");
	add_field(s.after, "Tag", "{\"name\":\"colour\",\"type\":\"TextField\",\"default\":\"#fff\"}");
	scen_plan(&s, SL, "{\"allow_drop\": true}");
	VT_CHECK(s.rc == VC_OK);
	if (s.p)
	{
		const vc_plan_op *last;

		dump(s.p);
		VT_CHECK(s.p->nops == 2);
		if (s.p->nops == 2)
		{
			last = &s.p->ops[1];
			VT_STREQ(vc_op_name(last->kind), "RemoveColumn");
			VT_CHECK(last->sqlite_rebuild && last->statements.n > 0);
			/* the whole rebuild waits while the column holds data */
			VT_CHECK(last->precheck_action == VC_PRECHECK_SKIP);
			VT_STREQ(last->precheck_sql, "SELECT 1 FROM \"blog_tag\" WHERE \"color\" IS NOT NULL LIMIT 1");
			VT_CHECK(s.p->ops[0].sqlite_rebuild && s.p->ops[0].statements.n == 0);
			VT_STREQ(s.p->ops[0].sql, "-- done by the rebuild of table \"blog_tag\"");
			VT_CHECK(strstr(s.p->ops[0].warning, "looks like a rename of \"color\"") != NULL);
		}
	}
	scen_free(&s);
}

/* ---- indexes, constraints, foreign keys ------------------------------------- */

static void
test_index_added(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	json_object_set_new(json_object_get(model_of(s.after, "Tag"), "meta"), "indexes",
						parse("[{\"fields\":[\"color\"],\"name\":\"blog_tag_color_idx\"}]"));
	scen_plan(&s, PG, NULL);
	o = only_op(&s, VC_OP_CREATE_INDEX, "blog_tag_color_idx");
	if (o)
		VT_STREQ(o->sql, "CREATE INDEX \"blog_tag_color_idx\" ON \"blog_tag\" (\"color\")");
	expect_converged(s.after, PG, NULL);
	scen_free(&s);
}

static void
test_index_changed_catalog(void)
{
	scen		s;
	json_t	   *ix;

	blog_scen(&s);
	ix = json_array_get(json_object_get(json_object_get(model_of(s.after, "Post"), "meta"), "indexes"), 0);
	json_object_set_new(ix, "condition", json_string("status = 'draft'"));
	scen_plan(&s, PG, NULL);
	VT_CHECK(s.rc == VC_OK && s.p && s.p->nops == 2);
	if (s.p && s.p->nops == 2)
	{
		VT_STREQ(vc_op_name(s.p->ops[0].kind), "RemoveIndex");
		VT_STREQ(s.p->ops[0].sql, "DROP INDEX \"blog_post_published_idx\"");
		VT_STREQ(vc_op_name(s.p->ops[1].kind), "CreateIndex");
		VT_CHECK(strstr(s.p->ops[1].sql, "WHERE status = 'draft'") != NULL);
	}
	scen_free(&s);
}

static void
test_index_changed_live(void)
{
	scen		s;
	json_t	   *ixs;
	size_t		i;

	blog_scen(&s);
	s.live = live_after(s.before, PG);
	ixs = json_object_get(json_object_get(s.live, "blog_post"), "indexes");
	for (i = 0; i < json_array_size(ixs); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(ixs, i), "name")),
				   "blog_post_published_idx") == 0)
			json_object_set_new(json_array_get(ixs, i), "columns", json_pack("[s]", "title"));
	scen_plan(&s, PG, NULL);
	VT_CHECK(s.rc == VC_OK && s.p && s.p->nops == 2);
	if (s.p && s.p->nops == 2)
	{
		VT_CHECK(s.p->ops[0].kind == VC_OP_REMOVE_INDEX && s.p->ops[1].kind == VC_OP_CREATE_INDEX);
		VT_STREQ(s.p->ops[1].target, "blog_post_published_idx");
	}
	scen_free(&s);
}

static void
test_index_removed(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	json_object_set_new(json_object_get(model_of(s.after, "Post"), "meta"), "indexes", json_array());
	scen_plan(&s, PG, NULL);
	/* viper created it (the catalog has it): dropping an index loses no data */
	o = only_op(&s, VC_OP_REMOVE_INDEX, "blog_post_published_idx");
	if (o)
		VT_CHECK(o->applies && o->warning == NULL);
	expect_converged(s.after, PG, NULL);
	scen_free(&s);
}

static void
test_index_missing_live_recreated(void)
{
	scen		s;

	blog_scen(&s);
	s.live = live_after(s.before, PG);
	/* a hand-made DROP INDEX is seen */
	json_array_clear(json_object_get(json_object_get(s.live, "blog_comment"), "indexes"));
	scen_plan(&s, PG, NULL);
	VT_CHECK(s.rc == VC_OK);
	if (s.p)
	{
		dump(s.p);
		VT_CHECK(find_op(s.p, VC_OP_CREATE_INDEX, "blog_comment_pending_idx") >= 0);
		VT_CHECK(s.p->nops == (size_t) s.p->nops && s.p->nops >= 4);
	}
	scen_free(&s);
}

static void
test_check_constraint_changed(void)
{
	scen		s;
	json_t	   *k;

	blog_scen(&s);
	k = json_array_get(json_object_get(json_object_get(model_of(s.after, "Post"), "meta"), "constraints"), 1);
	json_object_set_new(k, "check", json_string("score >= 0 AND score <= 10"));
	scen_plan(&s, PG, NULL);
	VT_CHECK(s.rc == VC_OK && s.p && s.p->nops == 2);
	if (s.p && s.p->nops == 2)
	{
		VT_STREQ(vc_op_name(s.p->ops[0].kind), "RemoveConstraint");
		VT_STREQ(s.p->ops[0].sql, "ALTER TABLE \"blog_post\" DROP CONSTRAINT \"blog_post_score_range\"");
		VT_STREQ(vc_op_name(s.p->ops[1].kind), "AddConstraint");
		VT_STREQ(s.p->ops[1].sql, "ALTER TABLE \"blog_post\" ADD CONSTRAINT \"blog_post_score_range\" CHECK (score >= 0 AND score <= 10)");
	}
	expect_converged(s.after, PG, NULL);
	scen_free(&s);
}

static void
test_check_constraint_added_removed(void)
{
	scen		s;

	blog_scen(&s);
	json_array_remove(json_object_get(json_object_get(model_of(s.after, "Post"), "meta"), "constraints"), 0);
	json_object_set_new(json_object_get(model_of(s.after, "Tag"), "meta"), "constraints",
						parse("[{\"type\":\"check\",\"name\":\"blog_tag_color_len\",\"check\":\"length(color) = 7\"}]"));
	scen_plan(&s, PG, NULL);
	VT_CHECK(s.rc == VC_OK && s.p && s.p->nops == 2);
	if (s.p && s.p->nops == 2)
	{
		/* removals of constraints come before additions */
		VT_CHECK(find_op(s.p, VC_OP_REMOVE_CONSTRAINT, "blog_post_rating_range") == 0);
		VT_CHECK(find_op(s.p, VC_OP_ADD_CONSTRAINT, "blog_tag_color_len") == 1);
	}
	scen_free(&s);
}

static void
test_fk_on_delete_changed_pg(void)
{
	scen		s;

	blog_scen(&s);
	json_object_set_new(field_of(s.after, "Post", "author"), "on_delete", json_string("CASCADE"));
	scen_plan(&s, PG, NULL);
	VT_CHECK(s.rc == VC_OK && s.p && s.p->nops == 2);
	if (s.p && s.p->nops == 2)
	{
		VT_STREQ(s.p->ops[0].sql, "ALTER TABLE \"blog_post\" DROP CONSTRAINT \"blog_post_author_id_fkey\"");
		VT_STREQ(s.p->ops[1].sql, "ALTER TABLE \"blog_post\" ADD CONSTRAINT \"blog_post_author_id_fkey\" FOREIGN KEY "
				 "(\"author_id\") REFERENCES \"blog_author\" (\"id\") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED");
	}
	expect_converged(s.after, PG, NULL);
	scen_free(&s);
}

static void
test_fk_on_delete_changed_live(void)
{
	scen		s;
	json_t	   *fk;

	/* a hand-made change of the action is seen and undone */
	blog_scen(&s);
	s.live = live_after(s.before, PG);
	fk = json_array_get(json_object_get(json_object_get(s.live, "blog_post"), "foreign_keys"), 0);
	json_object_set_new(fk, "on_delete", json_string("NO ACTION"));
	scen_plan(&s, PG, NULL);
	VT_CHECK(s.rc == VC_OK && s.p && s.p->nops == 2);
	if (s.p && s.p->nops == 2)
	{
		VT_CHECK(s.p->ops[0].kind == VC_OP_REMOVE_CONSTRAINT && s.p->ops[1].kind == VC_OP_ADD_CONSTRAINT);
		VT_CHECK(strstr(s.p->ops[1].sql, "ON DELETE RESTRICT") != NULL);
	}
	scen_free(&s);
}

static void
test_fk_on_delete_changed_sqlite(void)
{
	scen		s;

	blog_scen(&s);
	json_object_set_new(field_of(s.after, "Post", "author"), "on_delete", json_string("CASCADE"));
	scen_plan(&s, SL, NULL);
	VT_CHECK(s.rc == VC_OK && s.p && s.p->nops == 2);
	if (s.p && s.p->nops == 2)
	{
		const vc_plan_op *a = &s.p->ops[0],
				   *b = &s.p->ops[1];

		dump(s.p);
		VT_CHECK(a->kind == VC_OP_REMOVE_CONSTRAINT && b->kind == VC_OP_ADD_CONSTRAINT);
		VT_CHECK(a->sqlite_rebuild && b->sqlite_rebuild);
		VT_STREQ(a->rebuild_table, "blog_post");
		VT_CHECK(a->statements.n == 0 && a->applies);
		VT_STREQ(a->sql, "-- done by the rebuild of table \"blog_post\"");
		VT_CHECK(b->statements.n >= 5);
		if (b->statements.n >= 5)
		{
			VT_CHECK(strstr(b->statements.items[0], "ON DELETE CASCADE") != NULL);
			VT_CHECK(strncmp(b->statements.items[1], "INSERT INTO \"_viper_new_blog_post\"", 34) == 0);
			VT_STREQ(b->statements.items[5], "CREATE INDEX \"blog_post_status_publish_at_idx\" ON \"blog_post\" (\"status\", \"publish_at\")");
		}
	}
	expect_converged(s.after, SL, NULL);
	scen_free(&s);
}

static void
test_sqlite_narrow_rebuild(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	json_object_set_new(field_of(s.after, "Post", "title"), "max_length", json_integer(50));
	scen_plan(&s, SL, NULL);
	o = only_op(&s, VC_OP_ALTER_COLUMN, "blog.Post.title");
	if (o)
	{
		/* TEXT stays TEXT: the catalog shows the narrowing (its CHECK) */
		VT_STREQ(o->warning, "narrowing varchar(200) → varchar(50)");
		VT_CHECK(o->precheck_action == VC_PRECHECK_REFUSE);
		VT_STREQ(o->precheck_sql, "SELECT 1 FROM \"blog_post\" WHERE length(\"title\") > 50 LIMIT 1");
		VT_CHECK(o->sqlite_rebuild && o->statements.n > 3);
	}
	scen_free(&s);
}

static void
test_sqlite_narrow_forced_substr(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	json_object_set_new(field_of(s.after, "Post", "title"), "max_length", json_integer(50));
	scen_plan(&s, SL, "{\"force\": true}");
	o = only_op(&s, VC_OP_ALTER_COLUMN, "blog.Post.title");
	if (o && o->statements.n > 1)
	{
		VT_CHECK(o->precheck_action == VC_PRECHECK_NONE);
		VT_CHECK(strstr(o->statements.items[1], "substr(\"title\", 1, 50)") != NULL);
	}
	scen_free(&s);
}

static void
test_sqlite_rename_in_rebuild(void)
{
	scen		s;
	json_t	   *f;

	blog_scen(&s);
	f = field_of(s.after, "Tag", "slug");
	json_object_set_new(f, "name", json_string("handle"));
	json_object_set_new(f, "old_name", json_string("slug"));
	json_object_set_new(f, "max_length", json_integer(80));
	scen_plan(&s, SL, NULL);
	VT_CHECK(s.rc == VC_OK && s.p);
	if (s.p && s.p->nops > 0)
	{
		const vc_plan_op *last = &s.p->ops[s.p->nops - 1];

		dump(s.p);
		VT_CHECK(find_op(s.p, VC_OP_RENAME_COLUMN, "blog.Tag.handle") == 0);
		VT_CHECK(s.p->ops[0].statements.n == 0 && s.p->ops[0].sqlite_rebuild);
		VT_CHECK(last->statements.n > 1);
		if (last->statements.n > 1)
			VT_STREQ(last->statements.items[1], "INSERT INTO \"_viper_new_blog_tag\" (\"id\", \"name\", \"handle\", \"color\") "
					 "SELECT \"id\", \"name\", \"slug\", \"color\" FROM \"blog_tag\"");
	}
	scen_free(&s);
}

static void
test_single_guard_added(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	json_object_set_new(json_object_get(model_of(s.after, "Tag"), "meta"), "single", json_true());
	scen_plan(&s, PG, NULL);
	o = only_op(&s, VC_OP_CREATE_INDEX, "blog_tag_single");
	if (o)
		VT_STREQ(o->sql, "CREATE UNIQUE INDEX \"blog_tag_single\" ON \"blog_tag\" ((1))");
	scen_free(&s);

	blog_scen(&s);
	json_object_set_new(json_object_get(model_of(s.after, "Tag"), "meta"), "single", json_true());
	scen_plan(&s, SL, NULL);
	o = only_op(&s, VC_OP_RUN_SQL, "blog_tag_single");
	if (o)
		VT_CHECK(strncmp(o->sql, "CREATE TRIGGER \"blog_tag_single\"", 32) == 0);
	expect_converged(s.after, SL, NULL);
	scen_free(&s);
}

static void
test_single_guard_removed_sqlite(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	json_object_set_new(json_object_get(model_of(s.after, "SiteSettings"), "meta"), "single", json_false());
	scen_plan(&s, SL, NULL);
	o = only_op(&s, VC_OP_RUN_SQL, "blog_sitesettings_single");
	if (o)
		VT_STREQ(o->sql, "DROP TRIGGER \"blog_sitesettings_single\"");
	scen_free(&s);
}

static void
test_rls_runsql(void)
{
	scen		s;
	const vc_plan_op *o;

	blog_scen(&s);
	s.live = live_after(s.before, PG);
	json_object_set_new(json_object_get(s.live, "blog_tag"), "row_security",
						json_pack("{s:b, s:b}", "enabled", 0, "forced", 0));
	json_object_set_new(json_object_get(s.live, "blog_post"), "row_security",
						json_pack("{s:b, s:b}", "enabled", 1, "forced", 0));
	/* SiteSettings has permissions: false: its row security is left alone */
	scen_plan(&s, PG, NULL);
	VT_CHECK(s.rc == VC_OK && s.p && s.p->nops == 2);
	if (s.p && s.p->nops == 2)
	{
		o = &s.p->ops[0];
		VT_STREQ(vc_op_name(o->kind), "RunSQL");
		VT_STREQ(o->target, "blog.Tag");
		VT_STREQ(o->sql, "ALTER TABLE \"blog_tag\" ENABLE ROW LEVEL SECURITY;\n"
				 "ALTER TABLE \"blog_tag\" FORCE ROW LEVEL SECURITY");
		VT_STREQ(s.p->ops[1].target, "blog.Post");
		VT_STREQ(s.p->ops[1].sql, "ALTER TABLE \"blog_post\" FORCE ROW LEVEL SECURITY");
	}
	scen_free(&s);
}

static void
test_missing_keys_tolerated(void)
{
	scen		s;
	json_t	   *t;

	/* a host that reports no checks/uniques: the catalog vouches for them */
	blog_scen(&s);
	s.live = live_after(s.before, SL);
	t = json_object_get(s.live, "blog_post");
	json_object_del(t, "checks");
	json_object_del(t, "uniques");
	json_object_del(t, "triggers");
	scen_plan(&s, SL, NULL);
	dump(s.p);
	VT_CHECK(s.rc == VC_OK && s.p && s.p->nops == 0);
	scen_free(&s);
}

/* ---- options, catalog, errors ----------------------------------------------- */

static void
expect_option_error(const char *options, const char *message, const char *hint)
{
	scen		s;

	memset(&s, 0, sizeof(s));
	s.after = blog();
	scen_plan(&s, PG, options);
	VT_SQLSTATE(&s.err, "22023");
	VT_STREQ(s.err.message, message);
	if (hint)
		VT_STREQ(s.err.hint, hint);
	VT_CHECK(s.p == NULL);
	scen_free(&s);
}

static void
test_option_errors(void)
{
	expect_option_error("{\"forse\": true}", "unknown option \"forse\"", "Did you mean \"force\"?");
	expect_option_error("{\"zzz\": 1}", "unknown option \"zzz\"", "The options are force, allow_drop and apps.");
	expect_option_error("{\"force\": 1}", "option \"force\" must be true or false", NULL);
	expect_option_error("{\"allow_drop\": \"yes\"}", "option \"allow_drop\" must be true or false", NULL);
	expect_option_error("{\"apps\": \"blog\"}", "option \"apps\" must be an array of app names", NULL);
	expect_option_error("{\"apps\": [1]}", "option \"apps\" must be an array of app names", NULL);
	expect_option_error("[1]", "options must be a JSON object", NULL);
}

static void
test_options_null_and_empty(void)
{
	scen		s;

	memset(&s, 0, sizeof(s));
	s.after = blog();
	scen_plan(&s, PG, "{}");
	VT_CHECK(s.rc == VC_OK && s.p && s.p->nops == 6);
	scen_free(&s);
}

static void
test_apps_filter(void)
{
	scen		s;
	json_t	   *tables = NULL;
	vc_error	err;

	memset(&s, 0, sizeof(s));
	s.after = blog();
	json_array_append_new(s.after, parse("{\"app\":\"shop\",\"name\":\"Item\",\"fields\":[{\"name\":\"author\",\"type\":\"ForeignKey\",\"to\":\"blog.Author\",\"on_delete\":\"CASCADE\"}]}"));
	scen_plan(&s, PG, "{\"apps\": [\"shop\"]}");
	VT_CHECK(s.rc == VC_OK);
	if (s.p)
	{
		VT_CHECK(s.p->nops == 1 && find_op(s.p, VC_OP_CREATE_TABLE, "shop.Item") == 0);
		VT_CHECK(s.p->nstore == 1);
		VT_STREQ(s.p->store[0].label, "shop.Item");
	}
	VT_CHECK(vc_plan_tables(&vc_alloc_libc, PG, s.after, NULL, s.options, &tables, &err) == VC_OK);
	VT_CHECK(json_array_size(tables) == 1);
	json_decref(tables);
	scen_free(&s);
}

static void
test_apps_filter_keeps_other_apps(void)
{
	scen		s;

	/* blog's models are in the catalog but only "shop" is migrated */
	blog_scen(&s);
	json_decref(s.after);
	s.after = parse("[{\"app\":\"shop\",\"name\":\"Item\",\"fields\":[{\"name\":\"author\",\"type\":\"ForeignKey\",\"to\":\"blog.Author\",\"on_delete\":\"CASCADE\"}]}]");
	scen_plan(&s, PG, "{\"allow_drop\": true}");
	VT_CHECK(s.rc == VC_OK);
	if (s.p)
	{
		dump(s.p);
		/* no drop of blog's tables: blog is not an app of this set */
		VT_CHECK(s.p->nops == 1 && s.p->nunstore == 0);
		/* the FK to a catalog model takes its pk type */
		VT_CHECK(strstr(s.p->ops[0].sql, "\"author_id\" integer NOT NULL") != NULL);
	}
	scen_free(&s);
}

static void
test_unknown_fk_target_via_catalog(void)
{
	scen		s;

	memset(&s, 0, sizeof(s));
	s.after = parse("[{\"app\":\"shop\",\"name\":\"Item\",\"fields\":[{\"name\":\"author\",\"type\":\"ForeignKey\",\"to\":\"blog.Autor\",\"on_delete\":\"CASCADE\"}]}]");
	s.before = blog();
	scen_plan(&s, PG, NULL);
	VT_SQLSTATE(&s.err, "42P01");
	VT_CHECK(strstr(s.err.message, "\"blog.Autor\" does not exist") != NULL);
	VT_STREQ(s.err.hint, "Did you mean \"blog.Author\"?");
	scen_free(&s);
}

static void
test_bad_schema_plans_nothing(void)
{
	scen		s;

	blog_scen(&s);
	json_object_set_new(field_of(s.after, "Post", "title"), "type", json_string("StringField"));
	scen_plan(&s, PG, NULL);
	VT_SQLSTATE(&s.err, "22023");
	VT_CHECK(s.p == NULL);
	scen_free(&s);
}

static void
test_missing_live_table_internal(void)
{
	json_t	   *b = blog();
	json_t	   *live = json_object();
	vc_plan    *p = NULL;
	vc_error	err;

	VT_CHECK(vc_plan_build(&vc_alloc_libc, PG, b, NULL, live, NULL, &p, &err) == VC_ERR_INTERNAL);
	VT_SQLSTATE(&err, "XX000");
	VT_STREQ(err.message, "the live state has no introspection of table \"blog_author\"");
	VT_CHECK(p == NULL);
	json_decref(live);
	json_decref(b);
}

static void
test_bad_catalog_internal(void)
{
	json_t	   *b = blog();
	json_t	   *cat = parse("[{\"label\": \"x.Y\"}]");
	json_t	   *live = json_object();
	vc_plan    *p = NULL;
	vc_error	err;

	VT_CHECK(vc_plan_build(&vc_alloc_libc, PG, b, cat, live, NULL, &p, &err) == VC_ERR_INTERNAL);
	VT_STREQ(err.message, "catalog row 1 needs \"label\" and \"schema\"");
	json_decref(cat);
	json_decref(live);
	json_decref(b);
}

static void
test_other_dialect_refused(void)
{
	json_t	   *b = blog();
	json_t	   *t = NULL;
	vc_error	err;

	VT_CHECK(vc_plan_tables(&vc_alloc_libc, VC_DIALECT_MYSQL, b, NULL, NULL, &t, &err) == VC_ERR_INVALID_PARAM);
	VT_CHECK(t == NULL);
	json_decref(b);
}

static void
test_register(void)
{
	json_t	   *cat,
			   *b = blog();
	json_t	   *schema = parse("{\"app\":\"shop\",\"name\":\"Item\",\"fields\":[{\"name\":\"post\",\"type\":\"ForeignKey\",\"to\":\"blog.Post\",\"on_delete\":\"CASCADE\"}]}");
	vc_plan    *p = NULL;
	vc_error	err;

	cat = catalog_of(b);
	VT_CHECK(vc_plan_register(&vc_alloc_libc, PG, schema, cat, &p, &err) == VC_OK);
	if (p)
	{
		VT_CHECK(p->nops == 0 && p->nstore == 1);
		VT_STREQ(p->store[0].label, "shop.Item");
		VT_STREQ(p->store[0].table, "shop_item");
		VT_STREQ(json_string_value(json_object_get(json_array_get(json_object_get(p->store[0].schema, "fields"), 1), "db_column")),
				 "post_id");
	}
	vc_plan_free(p);
	p = NULL;
	/* without the catalog the target is unknown */
	VT_CHECK(vc_plan_register(&vc_alloc_libc, PG, schema, NULL, &p, &err) == VC_ERR_UNDEFINED_TABLE);
	VT_SQLSTATE(&err, "42P01");
	VT_CHECK(p == NULL);
	VT_CHECK(vc_plan_register(&vc_alloc_libc, PG, b, NULL, &p, &err) == VC_ERR_INVALID_PARAM);
	json_decref(schema);
	json_decref(cat);
	json_decref(b);
}

static void
test_deterministic(void)
{
	scen		a,
				b;
	size_t		i;

	blog_scen(&a);
	blog_scen(&b);
	json_object_set_new(field_of(a.after, "Post", "title"), "max_length", json_integer(50));
	json_object_set_new(field_of(b.after, "Post", "title"), "max_length", json_integer(50));
	remove_model(a.after, "Comment");
	remove_model(b.after, "Comment");
	scen_plan(&a, SL, "{\"allow_drop\": true}");
	scen_plan(&b, SL, "{\"allow_drop\": true}");
	VT_CHECK(a.p && b.p && a.p->nops == b.p->nops && a.p->nops == 2);
	for (i = 0; a.p && b.p && i < a.p->nops && i < b.p->nops; i++)
	{
		VT_STREQ(a.p->ops[i].target, b.p->ops[i].target);
		VT_STREQ(a.p->ops[i].sql, b.p->ops[i].sql);
	}
	scen_free(&a);
	scen_free(&b);
}

/* ---- allocation-failure injection ------------------------------------------- */

/* Fail the Nth allocation for N = 1.. until the build succeeds. */
static void
inject(const json_t *after, const json_t *catalog, const json_t *live,
	   const char *options_text, vc_dialect d)
{
	json_t	   *options = options_text ? parse(options_text) : NULL;
	vt_fail_state st;
	long		n;
	int			oom = 0;

	for (n = 1; n < 100000; n++)
	{
		vc_alloc	a = vt_failing_alloc(&st, n);
		vc_plan    *p = NULL;
		vc_error	err;
		vc_code		rc = vc_plan_build(&a, d, after, catalog, live, options, &p, &err);

		if (rc == VC_OK)
		{
			VT_CHECK(p != NULL);
			vc_plan_free(p);
			break;
		}
		VT_CHECK(p == NULL);
		if (rc != VC_ERR_OUT_OF_MEMORY)
		{
			fprintf(stderr, "  at %ld: %s %s\n", n, vc_sqlstate(rc), err.message);
			VT_CHECK(rc == VC_ERR_OUT_OF_MEMORY);
			break;
		}
		oom++;
	}
	VT_CHECK(oom > 10);
	json_decref(options);
}

static void
test_alloc_failure_create(void)
{
	json_t	   *b = blog();
	json_t	   *cat = json_array();
	json_t	   *live = json_object();

	complete_live(live, b, cat, NULL, PG);
	inject(b, cat, live, NULL, PG);
	json_decref(b);
	json_decref(cat);
	json_decref(live);
}

static void
test_alloc_failure_changes(void)
{
	scen		s;

	blog_scen(&s);
	json_object_set_new(field_of(s.after, "Post", "title"), "max_length", json_integer(50));
	remove_field(s.after, "Post", "body");
	add_field(s.after, "Post", "{\"name\":\"content\",\"type\":\"TextField\",\"null\":true}");
	json_object_set_new(field_of(s.after, "Post", "author"), "on_delete", json_string("CASCADE"));
	remove_model(s.after, "Comment");
	/* NOT NULL: filled from a default; refused without (with narrowing) */
	json_object_set_new(field_of(s.after, "Author", "bio"), "null", json_false());
	json_object_set_new(field_of(s.after, "Author", "bio"), "default", json_string(""));
	json_object_set_new(field_of(s.after, "Author", "website"), "max_length", json_integer(100));
	json_object_set_new(field_of(s.after, "Author", "website"), "null", json_false());
	add_field(s.after, "Tag", "{\"name\":\"rank\",\"type\":\"IntegerField\"}");
	scen_plan(&s, PG, "{\"allow_drop\": true}");
	VT_CHECK(s.rc == VC_OK);
	inject(s.after, s.catalog, s.live, "{\"allow_drop\": true}", PG);
	scen_free(&s);
}

static void
test_alloc_failure_sqlite_rebuild(void)
{
	scen		s;

	blog_scen(&s);
	json_object_set_new(field_of(s.after, "Tag", "name"), "max_length", json_integer(20));
	remove_field(s.after, "Tag", "color");
	add_field(s.after, "Tag", "{\"name\":\"colour\",\"type\":\"TextField\",\"default\":\"#fff\"}");
	json_object_set_new(field_of(s.after, "Author", "bio"), "null", json_false());
	json_object_set_new(field_of(s.after, "Author", "bio"), "default", json_string("-"));
	json_object_set_new(field_of(s.after, "Author", "website"), "null", json_false());
	scen_plan(&s, SL, "{\"allow_drop\": true, \"force\": true}");
	VT_CHECK(s.rc == VC_OK);
	inject(s.after, s.catalog, s.live, "{\"allow_drop\": true, \"force\": true}", SL);
	scen_free(&s);
}

static void
test_alloc_failure_register_and_tables(void)
{
	json_t	   *b = blog();
	json_t	   *schema = load_example("Post");
	json_t	   *cat = catalog_of(b);
	vt_fail_state st;
	long		n;

	for (n = 1; n < 100000; n++)
	{
		vc_alloc	a = vt_failing_alloc(&st, n);
		vc_plan    *p = NULL;
		vc_error	err;
		vc_code		rc = vc_plan_register(&a, PG, schema, cat, &p, &err);

		if (rc == VC_OK)
		{
			vc_plan_free(p);
			break;
		}
		VT_CHECK(rc == VC_ERR_OUT_OF_MEMORY && p == NULL);
	}
	for (n = 1; n < 100000; n++)
	{
		vc_alloc	a = vt_failing_alloc(&st, n);
		json_t	   *t = NULL;
		vc_error	err;
		vc_code		rc = vc_plan_tables(&a, PG, b, cat, NULL, &t, &err);

		if (rc == VC_OK)
		{
			json_decref(t);
			break;
		}
		VT_CHECK(rc == VC_ERR_OUT_OF_MEMORY && t == NULL);
	}
	json_decref(schema);
	json_decref(cat);
	json_decref(b);
}

int
main(int argc, char **argv)
{
	char		self[4096];

	(void) argc;
	setvbuf(stdout, NULL, _IONBF, 0);	/* keep PASS lines next to details */
	snprintf(self, sizeof(self), "%s", argv[0]);
	/* the binary lives in tests/core/build/ */
	snprintf(examples_dir, sizeof(examples_dir), "%s/../../../examples/blog/schemas",
			 dirname(self));

	VT_RUN(test_op_names);
	VT_RUN(test_create_blog_pg);
	VT_RUN(test_create_blog_sqlite);
	VT_RUN(test_replan_empty_pg);
	VT_RUN(test_replan_empty_sqlite);
	VT_RUN(test_store_rows);
	VT_RUN(test_tables_list);
	VT_RUN(test_models_without_table);
	VT_RUN(test_fk_cycle_pg);
	VT_RUN(test_fk_cycle_sqlite);
	VT_RUN(test_add_column_pg);
	VT_RUN(test_add_unique_column_pg);
	VT_RUN(test_add_column_sqlite);
	VT_RUN(test_add_column_sqlite_rebuild);
	VT_RUN(test_add_not_null_refused_pg);
	VT_RUN(test_add_not_null_default_pg);
	VT_RUN(test_rename_old_name_pg);
	VT_RUN(test_rename_fk_old_name_pg);
	VT_RUN(test_rename_sqlite);
	VT_RUN(test_widen_varchar_pg);
	VT_RUN(test_narrow_varchar_pg);
	VT_RUN(test_narrow_force_pg);
	VT_RUN(test_incompatible_refused_pg);
	VT_RUN(test_incompatible_catalog_change_pg);
	VT_RUN(test_incompatible_forced_pg);
	VT_RUN(test_unknown_live_type_pg);
	VT_RUN(test_live_spellings_pg);
	VT_RUN(test_null_change_pg);
	VT_RUN(test_null_fill_auto_now_pg);
	VT_RUN(test_null_fill_after_type_pg);
	VT_RUN(test_null_fill_sqlite);
	VT_RUN(test_null_fill_sqlite_expr);
	VT_RUN(test_null_refused_pg);
	VT_RUN(test_null_refused_renamed);
	VT_RUN(test_null_and_narrow);
	VT_RUN(test_default_change_pg);
	VT_RUN(test_default_change_sqlite_rebuild);
	VT_RUN(test_drop_column_warning);
	VT_RUN(test_drop_column_allowed);
	VT_RUN(test_drop_column_sqlite_refused_in_rebuild);
	VT_RUN(test_drop_table_warning);
	VT_RUN(test_drop_table_allowed);
	VT_RUN(test_drop_table_order_and_junction);
	VT_RUN(test_m2m_field_added_and_removed);
	VT_RUN(test_rename_hint_warning);
	VT_RUN(test_rename_hint_skip_precheck);
	VT_RUN(test_rename_hint_skip_sqlite_rebuild);
	VT_RUN(test_index_added);
	VT_RUN(test_index_changed_catalog);
	VT_RUN(test_index_changed_live);
	VT_RUN(test_index_removed);
	VT_RUN(test_index_missing_live_recreated);
	VT_RUN(test_check_constraint_changed);
	VT_RUN(test_check_constraint_added_removed);
	VT_RUN(test_fk_on_delete_changed_pg);
	VT_RUN(test_fk_on_delete_changed_live);
	VT_RUN(test_fk_on_delete_changed_sqlite);
	VT_RUN(test_sqlite_narrow_rebuild);
	VT_RUN(test_sqlite_narrow_forced_substr);
	VT_RUN(test_sqlite_rename_in_rebuild);
	VT_RUN(test_single_guard_added);
	VT_RUN(test_single_guard_removed_sqlite);
	VT_RUN(test_rls_runsql);
	VT_RUN(test_missing_keys_tolerated);
	VT_RUN(test_option_errors);
	VT_RUN(test_options_null_and_empty);
	VT_RUN(test_apps_filter);
	VT_RUN(test_apps_filter_keeps_other_apps);
	VT_RUN(test_unknown_fk_target_via_catalog);
	VT_RUN(test_bad_schema_plans_nothing);
	VT_RUN(test_missing_live_table_internal);
	VT_RUN(test_bad_catalog_internal);
	VT_RUN(test_other_dialect_refused);
	VT_RUN(test_register);
	VT_RUN(test_deterministic);
	VT_RUN(test_alloc_failure_create);
	VT_RUN(test_alloc_failure_changes);
	VT_RUN(test_alloc_failure_sqlite_rebuild);
	VT_RUN(test_alloc_failure_register_and_tables);
	VT_DONE();
}
