/*
 * vc_plan.c — the schema-sync planner's public API (vc_plan.h): parse the
 * inputs, plan new tables in dependency order, let vc_plan_diff.c compare
 * existing ones, plan drops of models that left the set, fold SQLite's
 * table rebuilds together, order the rows and hand out the catalog rows
 * to store.
 *
 * Memory: the plan owns one vc_pool (the caller's allocator, which must
 * outlive the plan) for every string and array, plus each op's statement
 * list; vc_plan_free releases both. Scratch data of a call lives in a
 * second pool released before returning.
 */
#include "vc_plan_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const op_names[VC_OP__COUNT] = {
	"CreateTable", "DropTable", "AddColumn", "RemoveColumn", "RenameColumn",
	"AlterColumn", "CreateIndex", "RemoveIndex", "AddConstraint",
	"RemoveConstraint", "RunSQL"
};

const char *
vc_op_name(vc_op_kind k)
{
	if ((int) k < 0 || k >= VC_OP__COUNT)
		return "unknown";
	return op_names[k];
}

/* ---- helpers shared with vc_plan_diff.c ---------------------------------- */

vc_code
pl_oom(pl_ctx *c)
{
	return vc_error_set(c->err, VC_ERR_OUT_OF_MEMORY, "out of memory");
}

char *
pl_strdup_out(pl_ctx *c, const char *s)
{
	return vc_pool_strdup(c->out, s);
}

static char *vprintf_pool(vc_pool *p, const char *fmt, va_list ap)
			__attribute__((format(printf, 2, 0)));

static char *
vprintf_pool(vc_pool *p, const char *fmt, va_list ap)
{
	va_list		ap2;
	int			n;
	char	   *s;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	s = vc_pool_alloc(p, (size_t) n + 1);
	if (s != NULL)
		vsnprintf(s, (size_t) n + 1, fmt, ap);
	return s;
}

char *
pl_printf_out(pl_ctx *c, const char *fmt,...)
{
	va_list		ap;
	char	   *s;

	va_start(ap, fmt);
	s = vprintf_pool(c->out, fmt, ap);
	va_end(ap);
	return s;
}

char *
pl_printf_tmp(pl_ctx *c, const char *fmt,...)
{
	va_list		ap;
	char	   *s;

	va_start(ap, fmt);
	s = vprintf_pool(c->tmp, fmt, ap);
	va_end(ap);
	return s;
}

/* A new op row (applies, no statements). The pointer is valid until the
 * next pl_new_op. target must already live in the plan's pool. */
pl_op *
pl_new_op(pl_ctx *c, pl_phase ph, vc_op_kind kind, const char *target,
		  const char *table)
{
	pl_op	   *op;

	if (c->nops == c->capops)
	{
		size_t		cap = c->capops ? c->capops * 2 : 32;
		pl_op	   *v = vc_pool_alloc(c->tmp, cap * sizeof(pl_op));

		if (v == NULL)
			return NULL;
		if (c->nops)
			memcpy(v, c->ops, c->nops * sizeof(pl_op));
		c->ops = v;				/* the old array stays in the scratch pool */
		c->capops = cap;
	}
	op = &c->ops[c->nops++];
	memset(op, 0, sizeof(*op));
	op->phase = ph;
	op->table = table;
	op->op.kind = kind;
	op->op.target = (char *) target;
	op->op.applies = true;
	vc_sql_list_init(&op->op.statements, c->a);
	return op;
}

/* Append an owned statement to a list; frees it on failure. */
static vc_code
list_push(pl_ctx *c, vc_sql_list *l, char *sql)
{
	if (l->n == l->cap)
	{
		size_t		cap = l->cap ? l->cap * 2 : 4;
		char	  **items = vc_malloc(l->alloc, cap * sizeof(char *));

		if (items == NULL)
		{
			vc_free(c->a, sql);
			return pl_oom(c);
		}
		if (l->n)
			memcpy(items, l->items, l->n * sizeof(char *));
		vc_free(l->alloc, l->items);
		l->items = items;
		l->cap = cap;
	}
	l->items[l->n++] = sql;
	return VC_OK;
}

vc_code
pl_push_sql(pl_ctx *c, pl_op *op, char *sql)
{
	return list_push(c, &op->op.statements, sql);
}

static void
free_ops(pl_ctx *c)
{
	size_t		i;

	for (i = 0; i < c->nops; i++)
		vc_sql_list_free(&c->ops[i].op.statements);
	c->nops = 0;
}

/* ---- parsing the inputs -------------------------------------------------- */

static vc_code
ctx_open(pl_ctx *c, const vc_alloc *a, vc_dialect d, const json_t *schemas,
		 const json_t *catalog, const json_t *options, vc_error *err)
{
	vc_code		rc;

	memset(c, 0, sizeof(*c));
	c->a = a;
	c->d = d;
	c->err = err;
	vc_error_clear(err);
	if ((rc = vc_types_dialect_check(d, err)) != VC_OK)
		return rc;
	c->tmp = vc_pool_create(a);
	c->out = vc_pool_create(a);
	if (c->tmp == NULL || c->out == NULL)
		return pl_oom(c);
	if ((rc = pl_parse_options(c, options)) != VC_OK ||
		(rc = pl_parse_catalog(c, catalog)) != VC_OK)
		return rc;
	rc = vc_modelset_parse(a, schemas, c->refs, c->nrefs, &c->set, err);
	return rc;
}

/* Release everything but the plan's pool (and the ops, see build). */
static void
ctx_close(pl_ctx *c)
{
	free_ops(c);
	vc_modelset_free(c->set);
	pl_free_catalog(c);
	vc_pool_destroy(c->tmp);
	vc_pool_destroy(c->out);
	c->set = NULL;
	c->tmp = c->out = NULL;
}

static bool
planned(const pl_ctx *c, const vc_model *m)
{
	return pl_app_planned(c, m->app);
}

/* Catalog models of planned apps that are no longer in the set. */
static bool
leaving(const pl_ctx *c, const vc_model *cm)
{
	return pl_app_planned(c, cm->app) && vc_modelset_find(c->set, cm->label) == NULL;
}

/* ---- vc_plan_tables ------------------------------------------------------- */

static vc_code
add_table(pl_ctx *c, json_t *arr, const char *t)
{
	size_t		i;

	for (i = 0; i < json_array_size(arr); i++)
		if (strcmp(json_string_value(json_array_get(arr, i)), t) == 0)
			return VC_OK;
	if (json_array_append_new(arr, json_string(t)) != 0)
		return pl_oom(c);
	return VC_OK;
}

static vc_code
model_tables(pl_ctx *c, json_t *arr, const vc_model *m)
{
	size_t		j;
	vc_code		rc;

	if (!vc_model_has_table(m))
		return VC_OK;
	if ((rc = add_table(c, arr, m->table)) != VC_OK)
		return rc;
	for (j = 0; j < m->nfields; j++)
		if (m->fields[j].m2m_table &&
			(rc = add_table(c, arr, m->fields[j].m2m_table)) != VC_OK)
			return rc;
	return VC_OK;
}

vc_code
vc_plan_tables(const vc_alloc *a, vc_dialect d, const json_t *schemas,
			   const json_t *catalog, const json_t *options, json_t **tables,
			   vc_error *err)
{
	pl_ctx		c;
	vc_code		rc;
	json_t	   *arr = NULL;
	size_t		i;

	*tables = NULL;
	rc = ctx_open(&c, a, d, schemas, catalog, options, err);
	if (rc == VC_OK && (arr = json_array()) == NULL)
		rc = pl_oom(&c);
	for (i = 0; rc == VC_OK && i < c.set->nmodels; i++)
		if (planned(&c, &c.set->models[i]))
			rc = model_tables(&c, arr, &c.set->models[i]);
	for (i = 0; rc == VC_OK && i < c.ncat; i++)
	{
		const vc_model *cm = c.cat[i];
		const vc_model *dm = vc_modelset_find(c.set, cm->label);

		/* models leaving, and the junctions of fields that left */
		if (leaving(&c, cm) || (dm && planned(&c, dm)))
			rc = model_tables(&c, arr, cm);
	}
	ctx_close(&c);
	if (rc != VC_OK)
	{
		json_decref(arr);
		return rc;
	}
	*tables = arr;
	return VC_OK;
}

/* ---- new tables ----------------------------------------------------------- */

/* Index in the set of the planned model whose table is t and is new. */
typedef struct newtab
{
	const vc_model *m;
	const pl_table *lt;
	int			state;			/* 0 new, 1 visiting, 2 done */
	bool	   *deferred;		/* per field: FK added after the creates */
} newtab;

static long
find_new(newtab *v, size_t n, const char *table)
{
	size_t		i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].m->table, table) == 0)
			return (long) i;
	return -1;
}

static vc_code emit_create(pl_ctx *c, newtab *t);

/*
 * Depth-first: FK targets that are new tables are created first. An edge
 * back to a table being visited closes a cycle: on PostgreSQL that FK is
 * left out of CREATE TABLE and added by ALTER TABLE after every create
 * (SQLite accepts a REFERENCES to a table created later, so nothing is
 * deferred there).
 */
static vc_code
visit(pl_ctx *c, newtab *v, size_t n, size_t i)
{
	size_t		j;
	vc_code		rc;

	v[i].state = 1;
	for (j = 0; j < v[i].m->nfields; j++)
	{
		const vc_field *f = &v[i].m->fields[j];
		long		t;

		if (!vc_field_type_is_fk(f->type) || f->rel_table == NULL)
			continue;
		t = find_new(v, n, f->rel_table);
		if (t < 0 || (size_t) t == i)
			continue;
		if (v[t].state == 1)
		{
			if (c->d == VC_DIALECT_POSTGRESQL)
				v[i].deferred[j] = true;
		}
		else if (v[t].state == 0 && (rc = visit(c, v, n, (size_t) t)) != VC_OK)
			return rc;
	}
	v[i].state = 2;
	return emit_create(c, &v[i]);
}

static vc_code
push_tmp(pl_ctx *c, const char *text)
{
	char	   *s = text ? vc_strndup(c->a, text, strlen(text)) : NULL;

	if (s == NULL)
		return pl_oom(c);
	return pl_push_sql(c, &c->ops[c->nops - 1], s);
}

/* CREATE TABLE (deferred FKs left out), indexes, single guard, RLS. */
static vc_code
emit_create(pl_ctx *c, newtab *t)
{
	const vc_model *m = t->m;
	vc_model	copy = *m;
	vc_field   *fields;
	size_t		j;
	char	   *sql = NULL;
	char	   *target = pl_strdup_out(c, m->label);
	vc_code		rc;

	fields = vc_pool_alloc(c->tmp, (m->nfields + 1) * sizeof(vc_field));
	if (fields == NULL || target == NULL)
		return pl_oom(c);
	memcpy(fields, m->fields, m->nfields * sizeof(vc_field));
	for (j = 0; j < m->nfields; j++)
		if (t->deferred[j])
		{
			/* the same column without REFERENCES: its target's pk type */
			fields[j].type = fields[j].rel_type;
			fields[j].max_length = fields[j].rel_max_length;
			fields[j].max_digits = fields[j].rel_max_digits;
			fields[j].decimal_places = fields[j].rel_decimal_places;
		}
	copy.fields = fields;
	if ((rc = vc_ddl_create_table(c->a, &copy, NULL, c->d, &sql, c->err)) != VC_OK)
		return rc;
	if (pl_new_op(c, PH_CREATE, VC_OP_CREATE_TABLE, target, NULL) == NULL)
	{
		vc_free(c->a, sql);
		return pl_oom(c);
	}
	if ((rc = pl_push_sql(c, &c->ops[c->nops - 1], sql)) != VC_OK)
		return rc;
	for (j = 0; j < m->nindexes; j++)
	{
		if ((rc = vc_ddl_create_index(c->a, m, &m->indexes[j], c->d, &sql, c->err)) != VC_OK ||
			(rc = pl_push_sql(c, &c->ops[c->nops - 1], sql)) != VC_OK)
			return rc;
	}
	if (m->single &&
		((rc = vc_ddl_single_guard(c->a, m, c->d, &sql, c->err)) != VC_OK ||
		 (rc = pl_push_sql(c, &c->ops[c->nops - 1], sql)) != VC_OK))
		return rc;
	if (c->d == VC_DIALECT_POSTGRESQL && m->permissions &&
		((rc = push_tmp(c, pl_printf_tmp(c, "ALTER TABLE \"%s\" ENABLE ROW LEVEL SECURITY",
										 m->table))) != VC_OK ||
		 (rc = push_tmp(c, pl_printf_tmp(c, "ALTER TABLE \"%s\" FORCE ROW LEVEL SECURITY",
										 m->table))) != VC_OK))
		return rc;
	for (j = 0; j < m->nfields; j++)
		if (t->deferred[j])
		{
			char		name[VC_IDENT_MAX + 1];
			char	   *ktarget;

			vc_ddl_field_constraint_name(m, &m->fields[j], VC_FC_FKEY, name);
			if ((ktarget = pl_strdup_out(c, name)) == NULL)
				return pl_oom(c);
			if ((rc = vc_ddl_add_field_constraint(c->a, m, &m->fields[j], VC_FC_FKEY,
												  c->d, &sql, c->err)) != VC_OK)
				return rc;
			if (pl_new_op(c, PH_CREATE_FK, VC_OP_ADD_CONSTRAINT, ktarget, NULL) == NULL)
			{
				vc_free(c->a, sql);
				return pl_oom(c);
			}
			if ((rc = pl_push_sql(c, &c->ops[c->nops - 1], sql)) != VC_OK)
				return rc;
		}
	return VC_OK;
}

/* Junction tables of a planned model that do not exist yet. */
static vc_code
plan_junctions(pl_ctx *c, const vc_model *m)
{
	size_t		j;
	vc_code		rc;

	for (j = 0; j < m->nfields; j++)
	{
		const vc_field *f = &m->fields[j];
		pl_table   *lt;
		char	   *target;
		pl_op	   *op;

		if (f->type != VC_FT_MANYTOMANY || f->m2m_table == NULL)
			continue;
		if ((rc = pl_live_table(c, f->m2m_table, &lt)) != VC_OK)
			return rc;
		if (lt->exists)
			continue;
		target = pl_printf_out(c, "%s.%s", m->label, f->name);
		op = target ? pl_new_op(c, PH_CREATE, VC_OP_CREATE_TABLE, target, NULL) : NULL;
		if (op == NULL)
			return pl_oom(c);
		if ((rc = vc_ddl_create_junction(m, f, c->d, &op->op.statements, c->err)) != VC_OK)
			return rc;
	}
	return VC_OK;
}

/* ---- models that left the set --------------------------------------------- */

static vc_code
drop_row(pl_ctx *c, const char *target, const char *table, const char *what)
{
	pl_op	   *op;
	char	   *sql = NULL;
	vc_code		rc;
	char	   *t = pl_strdup_out(c, target);

	if (t == NULL)
		return pl_oom(c);
	if (c->allow_drop &&
		(rc = vc_ddl_drop_table(c->a, table, c->d, &sql, c->err)) != VC_OK)
		return rc;
	op = pl_new_op(c, PH_DROP_TABLE, VC_OP_DROP_TABLE, t, NULL);
	if (op == NULL)
	{
		vc_free(c->a, sql);
		return pl_oom(c);
	}
	if (c->allow_drop)
		return pl_push_sql(c, op, sql);
	op->op.applies = false;
	op->op.warning = pl_printf_out(c, "%s is not in the schemas; pass "
								   "{\"allow_drop\": true} to drop table \"%s\"",
								   what, table);
	return op->op.warning ? VC_OK : pl_oom(c);
}

/* Junction tables that belong to fields no longer in the desired model. */
static vc_code
drop_junctions(pl_ctx *c, const vc_model *cm, const vc_model *dm)
{
	size_t		j;
	vc_code		rc;

	for (j = 0; j < cm->nfields; j++)
	{
		const vc_field *f = &cm->fields[j];
		const vc_field *df;
		pl_table   *lt;
		char		target[2 * VC_IDENT_MAX + 8];
		char		what[2 * VC_IDENT_MAX + 40];

		if (f->m2m_table == NULL)
			continue;
		df = dm ? vc_model_field(dm, f->name) : NULL;
		if (df && df->m2m_table && strcmp(df->m2m_table, f->m2m_table) == 0)
			continue;
		if ((rc = pl_live_table(c, f->m2m_table, &lt)) != VC_OK)
			return rc;
		if (!lt->exists)
			continue;
		snprintf(target, sizeof(target), "%s.%s", cm->label, f->name);
		snprintf(what, sizeof(what), "field \"%s\"", target);
		if ((rc = drop_row(c, target, f->m2m_table, what)) != VC_OK)
			return rc;
	}
	return VC_OK;
}

/* Does leaving model i hold an FK to leaving model k's table? */
static bool
refers(const vc_model *from, const vc_model *to)
{
	size_t		j;

	for (j = 0; j < from->nfields; j++)
		if (from->fields[j].rel_table && from != to &&
			vc_field_type_is_fk(from->fields[j].type) &&
			strcmp(from->fields[j].rel_table, to->table) == 0)
			return true;
	return false;
}

/*
 * Catalog models of planned apps that are missing from the set: their
 * tables (children before parents) and junction tables are dropped with
 * allow_drop, else listed as warning rows. Labels go to unstore when
 * dropped, or when nothing of theirs is left in the database.
 */
static vc_code
plan_leaving(pl_ctx *c, vc_plan *p)
{
	size_t		i,
				k,
				n = 0;
	bool	   *done = vc_pool_alloc(c->tmp, (c->ncat + 1) * sizeof(bool));
	bool	   *live = vc_pool_alloc(c->tmp, (c->ncat + 1) * sizeof(bool));
	vc_code		rc;

	p->unstore = vc_pool_alloc(c->out, (c->ncat + 1) * sizeof(char *));
	if (done == NULL || live == NULL || p->unstore == NULL)
		return pl_oom(c);
	for (i = 0; i < c->ncat; i++)
	{
		const vc_model *cm = c->cat[i];
		const vc_model *dm = vc_modelset_find(c->set, cm->label);
		pl_table   *lt;

		done[i] = true;
		if (dm && planned(c, dm) && vc_model_has_table(dm) && vc_model_has_table(cm) &&
			strcmp(dm->table, cm->table) == 0 &&
			(rc = drop_junctions(c, cm, dm)) != VC_OK)
			return rc;
		if (!leaving(c, cm))
			continue;
		live[i] = false;
		if (vc_model_has_table(cm))
		{
			if ((rc = pl_live_table(c, cm->table, &lt)) != VC_OK)
				return rc;
			live[i] = lt->exists;
		}
		done[i] = !live[i];
		if ((rc = drop_junctions(c, cm, NULL)) != VC_OK)
			return rc;
		if (c->allow_drop || !live[i])
		{
			if ((p->unstore[p->nunstore] = pl_strdup_out(c, cm->label)) == NULL)
				return pl_oom(c);
			p->nunstore++;
		}
		n += !done[i];
	}
	/* tables: a model no other pending model points at goes first */
	while (n > 0)
	{
		bool		progress = false;

		for (i = 0; i < c->ncat; i++)
		{
			bool		blocked = false;
			char		what[2 * VC_IDENT_MAX + 16];

			if (done[i])
				continue;
			for (k = 0; k < c->ncat && !blocked; k++)
				blocked = k != i && !done[k] && refers(c->cat[k], c->cat[i]);
			if (blocked)
				continue;
			snprintf(what, sizeof(what), "model \"%s\"", c->cat[i]->label);
			if ((rc = drop_row(c, c->cat[i]->label, c->cat[i]->table, what)) != VC_OK)
				return rc;
			done[i] = progress = true;
			n--;
		}
		if (!progress)
		{
			/* a cycle: drop the rest in catalog order */
			for (i = 0; i < c->ncat; i++)
				if (!done[i])
				{
					char		what[2 * VC_IDENT_MAX + 16];

					snprintf(what, sizeof(what), "model \"%s\"", c->cat[i]->label);
					if ((rc = drop_row(c, c->cat[i]->label, c->cat[i]->table, what)) != VC_OK)
						return rc;
					done[i] = true;
				}
			n = 0;
		}
	}
	return VC_OK;
}

/* ---- SQLite rebuilds ------------------------------------------------------ */

/*
 * The rebuild of one table: CREATE TABLE "_viper_new_<t>" from the desired
 * model, copy the kept columns (renamed ones from their old names; forced
 * type changes through substr()/CAST), DROP the old table, RENAME the new
 * one, then every index and the single-row trigger. Same shape as
 * vc_ddl_sqlite_rebuild, plus the copy expressions it cannot express.
 */
static vc_code
rebuild_sql(pl_ctx *c, const pl_tstate *ts, vc_sql_list *out)
{
	const vc_model *m = ts->m;
	const vc_dialect d = VC_DIALECT_SQLITE;
	char		tmpname[VC_IDENT_MAX + 1];
	char		base[VC_IDENT_MAX + 16];
	char	   *sql = NULL;
	vc_buf		b;
	size_t		j,
				n = 0;
	vc_code		rc;
	vc_error	e;

	snprintf(base, sizeof(base), "_viper_new_%s", m->table);
	vc_model_make_name(base, NULL, tmpname);
	if ((rc = vc_ddl_create_table(c->a, m, tmpname, d, &sql, c->err)) != VC_OK ||
		(rc = list_push(c, out, sql)) != VC_OK)
		return rc;
	vc_buf_init(&b, c->a);
	vc_buf_puts(&b, "INSERT INTO ");
	vc_ident_quote_buf(&b, tmpname, strlen(tmpname), d);
	vc_buf_puts(&b, " (");
	for (j = 0; j < m->nfields; j++)
		if (m->fields[j].column && ts->src[j])
		{
			vc_buf_puts(&b, n++ ? ", " : "");
			vc_ident_quote_buf(&b, m->fields[j].column, strlen(m->fields[j].column), d);
		}
	vc_buf_puts(&b, ") SELECT ");
	n = 0;
	for (j = 0; j < m->nfields; j++)
		if (m->fields[j].column && ts->src[j])
		{
			vc_buf_puts(&b, n++ ? ", " : "");
			if (ts->expr[j])
				vc_buf_puts(&b, ts->expr[j]);
			else if (!pl_ident_ok(ts->src[j]))
			{
				vc_buf_reset(&b);
				return vc_error_set(c->err, VC_ERR_INTERNAL,
									"live column \"%s\" has a name viper cannot quote",
									ts->src[j]);
			}
			else
				vc_ident_quote_buf(&b, ts->src[j], strlen(ts->src[j]), d);
		}
	vc_buf_puts(&b, " FROM ");
	vc_ident_quote_buf(&b, m->table, strlen(m->table), d);
	if (n > 0)
	{
		if (vc_buf_finish(&b, &sql, NULL, &e) != VC_OK ||
			(rc = list_push(c, out, sql)) != VC_OK)
			return pl_oom(c);
	}
	else
		vc_buf_reset(&b);
	if ((rc = vc_ddl_drop_table(c->a, m->table, d, &sql, c->err)) != VC_OK ||
		(rc = list_push(c, out, sql)) != VC_OK ||
		(rc = vc_ddl_rename_table(c->a, tmpname, m->table, d, &sql, c->err)) != VC_OK ||
		(rc = list_push(c, out, sql)) != VC_OK)
		return rc;
	for (j = 0; j < m->nindexes; j++)
		if ((rc = vc_ddl_create_index(c->a, m, &m->indexes[j], d, &sql, c->err)) != VC_OK ||
			(rc = list_push(c, out, sql)) != VC_OK)
			return rc;
	if (m->single &&
		((rc = vc_ddl_single_guard(c->a, m, d, &sql, c->err)) != VC_OK ||
		 (rc = list_push(c, out, sql)) != VC_OK))
		return rc;
	return VC_OK;
}

static pl_tstate *
tstate_of(pl_ctx *c, const char *table)
{
	size_t		i;

	for (i = 0; i < c->nts; i++)
		if (strcmp(c->ts[i].lt->name, table) == 0)
			return &c->ts[i];
	return NULL;
}

/*
 * Which tables SQLite must rebuild, with the refusal that keeps a rebuild
 * from silently dropping a column the model does not list.
 */
static vc_code
mark_rebuilds(pl_ctx *c)
{
	size_t		i;

	for (i = 0; i < c->nops; i++)
	{
		pl_tstate  *ts;

		if (!c->ops[i].rebuild || c->ops[i].table == NULL)
			continue;
		ts = tstate_of(c, c->ops[i].table);
		if (ts == NULL)
			return vc_error_set(c->err, VC_ERR_INTERNAL,
								"no state for the rebuild of table \"%s\"",
								c->ops[i].table);
		ts->rebuild = true;
	}
	for (i = 0; i < c->nts; i++)
		if (c->ts[i].rebuild && c->ts[i].nextra > 0 && !c->allow_drop)
		{
			vc_error_set(c->err, VC_ERR_INVALID_PARAM,
						 "table \"%s\" of model \"%s\" must be rebuilt and its column "
						 "\"%s\" is not in the model",
						 c->ts[i].lt->name, c->ts[i].m->label, c->ts[i].extra[0]);
			vc_error_detail(c->err, "SQLite changes this table by copying it into a "
							"new one, which would lose that column.");
			vc_error_hint(c->err, "Add the field back (with \"old_name\" if it was "
						  "renamed), or pass {\"allow_drop\": true} to drop it.");
			return VC_ERR_INVALID_PARAM;
		}
	return VC_OK;
}

/* ---- assembly ------------------------------------------------------------- */

static vc_code
finish_row(pl_ctx *c, vc_plan_op *o)
{
	vc_buf		b;
	size_t		i;
	char	   *s = NULL;
	vc_error	e;

	if (!o->applies || o->sql != NULL)
		return VC_OK;
	vc_buf_init(&b, c->a);
	for (i = 0; i < o->statements.n; i++)
	{
		vc_buf_puts(&b, i ? ";\n" : "");
		vc_buf_puts(&b, o->statements.items[i]);
	}
	if (vc_buf_finish(&b, &s, NULL, &e) != VC_OK)
		return pl_oom(c);
	o->sql = pl_strdup_out(c, s);
	vc_free(c->a, s);
	return o->sql ? VC_OK : pl_oom(c);
}

/* Append the group of rows of one rebuilt table (see vc_plan.h). */
static vc_code
emit_group(pl_ctx *c, pl_tstate *ts, vc_plan_op *out, size_t *n)
{
	size_t		i;
	int			ph;
	vc_plan_op *last;
	vc_code		rc;
	vc_buf		skip;
	bool		hinted = false;
	char	   *rt = pl_strdup_out(c, ts->lt->name);

	if (rt == NULL)
		return pl_oom(c);
	vc_buf_init(&skip, c->a);
	for (ph = 0; ph < PH__COUNT; ph++)
		for (i = 0; i < c->nops; i++)
		{
			pl_op	   *op = &c->ops[i];

			if (op->phase != (pl_phase) ph || op->table == NULL || op->emitted ||
				strcmp(op->table, ts->lt->name) != 0 || !op->op.applies)
				continue;
			/* the rebuild does what these statements would have done */
			vc_sql_list_free(&op->op.statements);
			out[*n] = op->op;
			out[*n].sqlite_rebuild = true;
			out[*n].rebuild_table = rt;
			out[*n].sql = pl_printf_out(c, "-- done by the rebuild of table \"%s\"",
										ts->lt->name);
			if (out[*n].sql == NULL)
				return pl_oom(c);
			if (op->hinted_drop)
			{
				/* a hint never drops data: the whole rebuild waits */
				vc_buf_puts(&skip, hinted ? " OR " : "");
				vc_buf_printf(&skip, "\"%s\" IS NOT NULL", op->hint_column);
				hinted = true;
				out[*n].precheck_sql = NULL;
				out[*n].precheck_action = VC_PRECHECK_NONE;
			}
			op->emitted = true;
			vc_sql_list_init(&op->op.statements, c->a);
			(*n)++;
		}
	last = &out[*n - 1];
	if ((rc = rebuild_sql(c, ts, &last->statements)) != VC_OK)
	{
		vc_buf_reset(&skip);
		return rc;
	}
	last->sql = NULL;
	if (hinted)
	{
		char	   *cond = NULL;
		vc_error	e;

		if (vc_buf_finish(&skip, &cond, NULL, &e) != VC_OK)
			return pl_oom(c);
		last->precheck_sql = pl_printf_out(c, "SELECT 1 FROM \"%s\" WHERE %s LIMIT 1",
										   ts->lt->name, cond);
		vc_free(c->a, cond);
		last->precheck_action = VC_PRECHECK_SKIP;
		last->precheck_code = VC_OK;
		last->precheck_message =
			pl_printf_out(c, "table \"%s\" was not rebuilt: a column that looks renamed "
						  "holds data (set \"old_name\" to keep it)", ts->lt->name);
		if (last->precheck_sql == NULL || last->precheck_message == NULL)
			return pl_oom(c);
	}
	else
		vc_buf_reset(&skip);
	return finish_row(c, last);
}

/*
 * Order: creates (dependency order), deferred FKs, renames, index and
 * constraint removals, added columns, altered columns (and on SQLite each
 * rebuilt table's group, at this point), index and constraint additions,
 * column removals and warning rows, dropped tables.
 */
static vc_code
assemble(pl_ctx *c, vc_plan *p)
{
	size_t		i,
				n = 0;
	int			ph;
	vc_code		rc;

	p->ops = vc_pool_alloc(c->out, (c->nops + 1) * sizeof(vc_plan_op));
	if (p->ops == NULL)
		return pl_oom(c);
	if (c->d == VC_DIALECT_SQLITE && (rc = mark_rebuilds(c)) != VC_OK)
		return rc;
	for (ph = 0; ph < PH__COUNT; ph++)
	{
		if (ph == PH_ALTER)
			for (i = 0; i < c->nts; i++)
				if (c->ts[i].rebuild &&
					(rc = emit_group(c, &c->ts[i], p->ops, &n)) != VC_OK)
				{
					p->nops = n;
					return rc;
				}
		for (i = 0; i < c->nops; i++)
		{
			pl_op	   *op = &c->ops[i];
			pl_tstate  *ts;

			if (op->phase != (pl_phase) ph || op->emitted)
				continue;
			if (op->op.applies && op->table && c->d == VC_DIALECT_SQLITE &&
				(ts = tstate_of(c, op->table)) != NULL && ts->rebuild)
				continue;		/* emitted with its group */
			p->ops[n] = op->op;
			vc_sql_list_init(&op->op.statements, c->a);
			op->emitted = true;
			p->nops = ++n;
			if ((rc = finish_row(c, &p->ops[n - 1])) != VC_OK)
				return rc;
		}
	}
	p->nops = n;
	return VC_OK;
}

/* ---- store rows ----------------------------------------------------------- */

static vc_code
store_row(pl_ctx *c, const vc_model *m, vc_plan_store *r)
{
	json_t	   *j = NULL;
	vc_code		rc;

	memset(r, 0, sizeof(*r));
	if ((rc = vc_model_to_json(m, &j, c->err)) != VC_OK)
		return rc;
	if (!vc_pool_keep_json(c->out, j))
	{
		json_decref(j);
		return pl_oom(c);
	}
	json_decref(j);				/* the pool holds it now */
	r->schema = j;
	r->label = pl_strdup_out(c, m->label);
	r->app = pl_strdup_out(c, m->app);
	r->name = pl_strdup_out(c, m->name);
	/* the table rows live in, also for managed: false and proxies (queries
	 * need it); only abstract and virtual models have none */
	r->table = pl_strdup_out(c, m->table ? m->table : "");
	r->managed = m->managed;
	r->read_only = m->read_only;
	r->single = m->single;
	if (r->label == NULL || r->app == NULL || r->name == NULL || r->table == NULL)
		return pl_oom(c);
	return VC_OK;
}

static vc_code
plan_stores(pl_ctx *c, vc_plan *p)
{
	size_t		i;
	vc_code		rc;

	p->store = vc_pool_alloc(c->out, (c->set->nmodels + 1) * sizeof(vc_plan_store));
	if (p->store == NULL)
		return pl_oom(c);
	for (i = 0; i < c->set->nmodels; i++)
		if (planned(c, &c->set->models[i]))
		{
			if ((rc = store_row(c, &c->set->models[i], &p->store[p->nstore])) != VC_OK)
				return rc;
			p->nstore++;
		}
	return VC_OK;
}

/* ---- vc_plan_build -------------------------------------------------------- */

static vc_code
plan_all(pl_ctx *c, vc_plan *p)
{
	size_t		i,
				nnew = 0;
	newtab	   *nt;
	vc_code		rc;

	nt = vc_pool_alloc(c->tmp, (c->set->nmodels + 1) * sizeof(newtab));
	c->ts = vc_pool_alloc(c->tmp, (c->set->nmodels + 1) * sizeof(pl_tstate));
	if (nt == NULL || c->ts == NULL)
		return pl_oom(c);
	for (i = 0; i < c->set->nmodels; i++)
	{
		const vc_model *m = &c->set->models[i];
		pl_table   *lt;

		if (!planned(c, m) || !vc_model_has_table(m))
			continue;
		if ((rc = pl_live_table(c, m->table, &lt)) != VC_OK)
			return rc;
		if (!lt->exists)
		{
			nt[nnew].m = m;
			nt[nnew].lt = lt;
			nt[nnew].state = 0;
			nt[nnew].deferred = vc_pool_alloc(c->tmp, (m->nfields + 1) * sizeof(bool));
			if (nt[nnew++].deferred == NULL)
				return pl_oom(c);
		}
		else if ((rc = pl_diff_table(c, m, lt)) != VC_OK)
			return rc;
	}
	for (i = 0; i < nnew; i++)
		if (nt[i].state == 0 && (rc = visit(c, nt, nnew, i)) != VC_OK)
			return rc;
	for (i = 0; i < c->set->nmodels; i++)
		if (planned(c, &c->set->models[i]) && vc_model_has_table(&c->set->models[i]) &&
			(rc = plan_junctions(c, &c->set->models[i])) != VC_OK)
			return rc;
	if ((rc = plan_leaving(c, p)) != VC_OK ||
		(rc = plan_stores(c, p)) != VC_OK)
		return rc;
	return assemble(c, p);
}

void
vc_plan_free(vc_plan *p)
{
	size_t		i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nops; i++)
		vc_sql_list_free(&p->ops[i].statements);
	vc_pool_destroy(p->pool);
}

vc_code
vc_plan_build(const vc_alloc *a, vc_dialect d, const json_t *schemas,
			  const json_t *catalog, const json_t *live, const json_t *options,
			  vc_plan **out, vc_error *err)
{
	pl_ctx		c;
	vc_code		rc;
	vc_plan    *p = NULL;

	*out = NULL;
	rc = ctx_open(&c, a, d, schemas, catalog, options, err);
	c.live = live;
	if (rc == VC_OK && (p = vc_pool_alloc(c.out, sizeof(vc_plan))) == NULL)
		rc = pl_oom(&c);
	if (rc == VC_OK)
	{
		p->pool = c.out;
		p->force = c.force;
		p->allow_drop = c.allow_drop;
		rc = plan_all(&c, p);
	}
	if (rc != VC_OK)
	{
		if (p)
		{
			for (size_t i = 0; i < p->nops; i++)
				vc_sql_list_free(&p->ops[i].statements);
		}
		ctx_close(&c);
		return rc;
	}
	c.out = NULL;				/* now the plan's */
	ctx_close(&c);
	*out = p;
	return VC_OK;
}

vc_code
vc_plan_register(const vc_alloc *a, vc_dialect d, const json_t *schema,
				 const json_t *catalog, vc_plan **out, vc_error *err)
{
	pl_ctx		c;
	vc_code		rc;
	vc_plan    *p = NULL;
	json_t	   *arr = json_array();

	*out = NULL;
	if (arr == NULL)
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	if (!json_is_object(schema))
	{
		json_decref(arr);
		return vc_error_set(err, VC_ERR_INVALID_PARAM,
							"a model schema must be a JSON object");
	}
	if (json_array_append(arr, (json_t *) schema) != 0)
	{
		json_decref(arr);
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	}
	rc = ctx_open(&c, a, d, arr, catalog, NULL, err);
	if (rc == VC_OK && (p = vc_pool_alloc(c.out, sizeof(vc_plan))) == NULL)
		rc = pl_oom(&c);
	if (rc == VC_OK)
	{
		p->pool = c.out;
		p->store = vc_pool_alloc(c.out, sizeof(vc_plan_store));
		rc = p->store ? store_row(&c, &c.set->models[0], &p->store[0]) : pl_oom(&c);
		if (rc == VC_OK)
			p->nstore = 1;
	}
	json_decref(arr);
	if (rc != VC_OK)
	{
		ctx_close(&c);
		return rc;
	}
	c.out = NULL;
	ctx_close(&c);
	*out = p;
	return VC_OK;
}
