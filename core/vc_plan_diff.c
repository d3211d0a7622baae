/*
 * vc_plan_diff.c — compare one desired model with its existing table (the
 * host's introspection) and with the version the catalog holds, and list
 * the operations that close the gap: renames, added columns, type /
 * nullability / default changes, removed columns (only with allow_drop),
 * rename hints, indexes, constraints, foreign keys and row security.
 *
 * What is compared with what (vc_plan.h): existence, types, nullability,
 * index columns and uniqueness, FK targets and actions come from the live
 * table; defaults, CHECK text, index predicates and old names come from
 * the catalog, because hosts print those differently from how viper wrote
 * them. A kind of object the host did not report at all (key absent) is
 * taken as present when the catalog has it.
 *
 * On SQLite a change that ALTER TABLE cannot make is marked `rebuild`:
 * vc_plan.c then turns every row of that table into one rebuild (the
 * per-field source column and copy expression are recorded here).
 *
 * Memory: scratch strings in c->tmp; op strings in c->out; statements
 * from the vc_ddl functions are handed to the op's list.
 */
#include "vc_plan_int.h"

#include <string.h>

#define TYPE_MAX 128

static bool
is_auto(const vc_field *f)
{
	return f->type == VC_FT_AUTO || f->type == VC_FT_BIGAUTO;
}

/* The catalog's version of f: same name, else the field it was renamed from. */
static const vc_field *
prev_field(const vc_model *prev, const vc_field *f)
{
	size_t		i;

	if (prev == NULL)
		return NULL;
	for (i = 0; i < prev->nfields; i++)
		if (strcmp(prev->fields[i].name, f->name) == 0 && prev->fields[i].column)
			return &prev->fields[i];
	if (f->old_name)
		for (i = 0; i < prev->nfields; i++)
			if (strcmp(prev->fields[i].name, f->old_name) == 0 && prev->fields[i].column)
				return &prev->fields[i];
	return NULL;
}

/* The column the field named old_name had: from the catalog, else by the
 * naming rule (relations get "_id"). */
static const char *
old_column(pl_ctx *c, const vc_model *prev, const vc_field *f)
{
	size_t		i;

	if (prev)
		for (i = 0; i < prev->nfields; i++)
			if (strcmp(prev->fields[i].name, f->old_name) == 0 && prev->fields[i].column)
				return prev->fields[i].column;
	if (vc_field_type_is_fk(f->type))
		return pl_printf_tmp(c, "%s_id", f->old_name);
	return f->old_name;
}

static bool
defaults_equal(const vc_field *a, const vc_field *b)
{
	if (a->auto_now != b->auto_now || a->auto_now_add != b->auto_now_add)
		return false;
	if (a->default_value == NULL || b->default_value == NULL)
		return a->default_value == b->default_value;
	return json_equal(a->default_value, b->default_value);
}

static bool
has_default(const vc_field *f)
{
	return f->auto_now || f->auto_now_add ||
		(f->default_value != NULL && !json_is_null(f->default_value));
}

/* f's DEFAULT expression (vc_ddl_default_sql) in the scratch pool. */
static vc_code
default_text(pl_ctx *c, const vc_field *f, char **out)
{
	vc_buf		b;
	bool		has = false;
	char	   *s = NULL;
	vc_error	e;
	vc_code		rc;

	*out = NULL;
	vc_buf_init(&b, c->a);
	if ((rc = vc_ddl_default_sql(&b, f, c->d, &has, c->err)) != VC_OK)
	{
		vc_buf_reset(&b);
		return rc;
	}
	if (!has)
	{
		vc_buf_reset(&b);
		return vc_error_set(c->err, VC_ERR_INTERNAL,
							"field \"%s\" has no default to fill rows with", f->name);
	}
	if (vc_buf_finish(&b, &s, NULL, &e) != VC_OK)
		return pl_oom(c);
	*out = pl_printf_tmp(c, "%s", s);
	vc_free(c->a, s);
	return *out ? VC_OK : pl_oom(c);
}

/* Per-table state kept while one model is compared. */
typedef struct dstate
{
	pl_ctx	   *c;
	const vc_model *m;
	const vc_model *prev;
	const pl_table *lt;
	pl_tstate  *ts;
	bool	   *used;			/* per live column */
	bool	   *added;			/* per field: AddColumn planned */
	bool	   *typechg;		/* per field: its type changes */
	size_t	   *add_op;			/* per field: index of its AddColumn op */
} dstate;

static char *
field_target(pl_ctx *c, const vc_model *m, const char *name)
{
	return pl_printf_out(c, "%s.%s", m->label, name);
}

static vc_code
plan_add(dstate *s, size_t j)
{
	pl_ctx	   *c = s->c;
	const vc_field *f = &s->m->fields[j];
	bool		rebuild = false;
	char	   *sql = NULL;
	char	   *target = field_target(c, s->m, f->name);
	pl_op	   *op;
	vc_code		rc;

	if (target == NULL)
		return pl_oom(c);
	if (c->d == VC_DIALECT_SQLITE && !vc_ddl_sqlite_can_add_column(f, NULL))
		rebuild = true;
	else if ((rc = vc_ddl_add_column(c->a, s->m, f, c->d, &sql, c->err)) != VC_OK)
		return rc;
	s->add_op[j] = c->nops;
	op = pl_new_op(c, PH_ADD, VC_OP_ADD_COLUMN, target, s->lt->name);
	if (op == NULL)
	{
		vc_free(c->a, sql);
		return pl_oom(c);
	}
	op->rebuild = rebuild;
	s->added[j] = true;
	if (!f->null && !has_default(f) && !is_auto(f))
	{
		/* no value to give existing rows: only an empty table takes it */
		op->op.precheck_sql = pl_printf_out(c, "SELECT 1 FROM \"%s\" LIMIT 1",
											s->lt->name);
		op->op.precheck_action = VC_PRECHECK_REFUSE;
		op->op.precheck_code = VC_ERR_INVALID_PARAM;
		op->op.precheck_message =
			pl_printf_out(c, "field \"%s\" is NOT NULL without a default and "
						  "table \"%s\" has rows", target, s->lt->name);
		op->op.precheck_hint =
			pl_strdup_out(c, "Give the field a default (existing rows get it) or "
						  "make it nullable; {\"force\": true} does not invent "
						  "values.");
		if (op->op.precheck_sql == NULL || op->op.precheck_message == NULL ||
			op->op.precheck_hint == NULL)
		{
			vc_free(c->a, sql);
			return pl_oom(c);
		}
	}
	return sql ? pl_push_sql(c, op, sql) : VC_OK;
}

/* 22023 for an incompatible change without force. */
static vc_code
refuse_incompatible(pl_ctx *c, const vc_model *m, const vc_field *f,
					const char *from, const char *to)
{
	vc_error_set(c->err, VC_ERR_INVALID_PARAM,
				 "incompatible type change for field \"%s.%s\": %s → %s",
				 m->label, f->name, from, to);
	vc_error_detail(c->err, "Existing values of column \"%s\" of table \"%s\" "
					"cannot be converted safely.", f->column, m->table);
	vc_error_hint(c->err, "Pass {\"force\": true} to convert the column anyway; "
				  "values that do not convert make the migration fail.");
	return VC_ERR_INVALID_PARAM;
}

/* Statements collected for one AlterColumn row (PostgreSQL). */
typedef struct stmts
{
	char	   *v[8];
	size_t		n;
} stmts;

static void
stmts_free(pl_ctx *c, stmts *st)
{
	size_t		i;

	for (i = 0; i < st->n; i++)
		vc_free(c->a, st->v[i]);
	st->n = 0;
}

static vc_code
stmts_add(pl_ctx *c, stmts *st, vc_code rc, char *sql)
{
	if (rc != VC_OK)
		return rc;
	if (sql)
		st->v[st->n++] = sql;
	(void) c;
	return VC_OK;
}

/* Compare an existing column with its field; plan one AlterColumn row. */
static vc_code
plan_alter(dstate *s, size_t j, const pl_column *lc)
{
	pl_ctx	   *c = s->c;
	const vc_model *m = s->m;
	const vc_field *f = &m->fields[j];
	const vc_field *pf = prev_field(s->prev, f);
	char		want[TYPE_MAX],
				live[TYPE_MAX],
				prevc[TYPE_MAX],
				from_disp[TYPE_MAX],
				to_disp[TYPE_MAX];
	vc_field	pseudo,
				pbase,
				fromcopy;
	const vc_field *from = NULL;
	bool		prev_ok,
				null_chg = false,
				def_chg = false;
	vc_type_change chg = VC_TYPE_SAME;
	char	   *warning = NULL,
			   *precheck = NULL,
			   *premsg = NULL,
			   *fill = NULL,
			   *nullsql = NULL,
			   *nullmsg = NULL,
			   *nullhint = NULL;
	stmts		st;
	vc_code		rc = VC_OK;
	pl_op	   *op;

	st.n = 0;
	if (!pl_field_canon(c->d, f, want, sizeof(want)))
		return vc_error_set(c->err, VC_ERR_INTERNAL,
							"field \"%s.%s\" has no column type", m->label, f->name);
	pl_canon_type(c->d, lc->type, live, sizeof(live));
	prev_ok = pf && pl_field_canon(c->d, pf, prevc, sizeof(prevc)) &&
		strcmp(prevc, live) == 0;
	if (prev_ok)
		from = pf;
	else if (pl_pseudo_field(c->d, live, lc->identity, &pseudo, &pbase))
	{
		pseudo.name = f->name;
		pseudo.column = f->column;
		from = &pseudo;
	}
	if (strcmp(want, live) != 0)
	{
		chg = from ? vc_type_classify(from, f, c->d) : VC_TYPE_INCOMPATIBLE;
		if (chg == VC_TYPE_SAME)
			chg = VC_TYPE_WIDEN;
	}
	else if (prev_ok && c->d == VC_DIALECT_SQLITE)
		chg = vc_type_classify(pf, f, c->d);	/* hidden in the CHECKs */
	pl_display_type(from, live, from_disp, sizeof(from_disp));
	pl_display_type(f, want, to_disp, sizeof(to_disp));
	if (chg == VC_TYPE_INCOMPATIBLE && !c->force)
		return refuse_incompatible(c, m, f, from_disp, to_disp);
	if (!f->primary_key && !is_auto(f) && lc->nullable != f->null)
		null_chg = true;
	if (!is_auto(f))
	{
		if (pf)
			def_chg = !defaults_equal(pf, f);
		else
			def_chg = (lc->def != NULL) != has_default(f);
	}
	if (chg == VC_TYPE_SAME && !null_chg && !def_chg)
		return VC_OK;
	s->typechg[j] = chg != VC_TYPE_SAME;

	if (chg == VC_TYPE_NARROW)
	{
		if (!c->force)
		{
			warning = pl_printf_out(c, "narrowing %s → %s", from_disp, to_disp);
			fromcopy = *from;
			/* SQLite checks before its rebuild, under the old name */
			fromcopy.column = (char *) (c->d == VC_DIALECT_SQLITE ? lc->name : f->column);
			if ((rc = vc_type_narrow_test(c->a, c->d == VC_DIALECT_SQLITE ? s->lt->name : m->table,
										  &fromcopy, f, c->d, &precheck, c->err)) != VC_OK)
				return rc;
			premsg = pl_printf_out(c, "values of field \"%s.%s\" do not fit %s",
								   m->label, f->name, to_disp);
		}
		else
			warning = pl_printf_out(c, "narrowing %s → %s (forced: values that do not fit are cut or fail)",
									from_disp, to_disp);
	}
	else if (chg == VC_TYPE_INCOMPATIBLE)
		warning = pl_printf_out(c, "incompatible type change %s → %s (forced)",
								from_disp, to_disp);
	if ((chg == VC_TYPE_NARROW || chg == VC_TYPE_INCOMPATIBLE) &&
		(warning == NULL || (chg == VC_TYPE_NARROW && !c->force && premsg == NULL)))
	{
		vc_free(c->a, precheck);
		return pl_oom(c);
	}

	/*
	 * Becoming NOT NULL: existing NULLs take the default (Django's
	 * one-off default is the field's default here); without one, a row
	 * holding NULL refuses the change — force does not invent values. The
	 * check reads the live names on SQLite (before its rebuild) and the
	 * renamed column on PostgreSQL (RenameColumn ran before).
	 */
	if (null_chg && !f->null)
	{
		const char *pcol = c->d == VC_DIALECT_SQLITE ? lc->name : f->column;

		if (!pl_ident_ok(pcol))
		{
			vc_free(c->a, precheck);
			return vc_error_set(c->err, VC_ERR_INTERNAL,
								"live column \"%s\" has a name viper cannot quote", pcol);
		}
		if (has_default(f))
		{
			if ((rc = default_text(c, f, &fill)) != VC_OK)
			{
				vc_free(c->a, precheck);
				return rc;
			}
		}
		else
		{
			nullsql = pl_printf_out(c, "SELECT 1 FROM \"%s\" WHERE \"%s\" IS NULL LIMIT 1",
									s->lt->name, pcol);
			nullmsg = pl_printf_out(c, "field \"%s.%s\" cannot become NOT NULL: "
									"existing rows hold NULL", m->label, f->name);
			nullhint = pl_strdup_out(c, "Give the field a default (the NULLs are then "
									 "set to it), or fill those rows first; "
									 "{\"force\": true} does not invent values.");
			if (nullsql == NULL || nullmsg == NULL || nullhint == NULL)
			{
				vc_free(c->a, precheck);
				return pl_oom(c);
			}
		}
	}

	if (c->d == VC_DIALECT_SQLITE)
	{
		/* the rebuild copies the data; a forced change converts it */
		bool		cut = c->force && chg == VC_TYPE_NARROW && f->max_length > 0 &&
			!vc_field_type_is_fk(f->type) && f->type != VC_FT_ARRAY;
		bool		cast = c->force && chg == VC_TYPE_INCOMPATIBLE;

		if ((cut || cast) && !pl_ident_ok(lc->name))
		{
			vc_free(c->a, precheck);
			return vc_error_set(c->err, VC_ERR_INTERNAL,
								"live column \"%s\" has a name viper cannot quote",
								lc->name);
		}
		if (cut)
			s->ts->expr[j] = pl_printf_tmp(c, "substr(\"%s\", 1, %d)", lc->name,
										   f->max_length);
		else if (cast)
			s->ts->expr[j] = pl_printf_tmp(c, "CAST(\"%s\" AS %s)", lc->name, want);
		if ((cut || cast) && s->ts->expr[j] == NULL)
		{
			vc_free(c->a, precheck);
			return pl_oom(c);
		}
		if (fill)
		{
			const char *from_expr = s->ts->expr[j] ? s->ts->expr[j] :
				pl_printf_tmp(c, "\"%s\"", lc->name);

			s->ts->expr[j] = from_expr ?
				pl_printf_tmp(c, "coalesce(%s, %s)", from_expr, fill) : NULL;
			if (s->ts->expr[j] == NULL)
			{
				vc_free(c->a, precheck);
				return pl_oom(c);
			}
		}
	}
	else
	{
		vc_field	nodef = *f;
		char	   *sql;

		nodef.default_value = NULL;
		nodef.auto_now = nodef.auto_now_add = false;
		if (chg != VC_TYPE_SAME)
		{
			/* a default of the old type may not cast: set it again after */
			if (lc->def != NULL)
			{
				rc = vc_ddl_set_default(c->a, m, &nodef, c->d, &sql, c->err);
				rc = stmts_add(c, &st, rc, sql);
			}
			if (rc == VC_OK)
			{
				rc = vc_ddl_alter_type(c->a, m, f, c->d, &sql, c->err);
				rc = stmts_add(c, &st, rc, sql);
			}
			if (rc == VC_OK && lc->def != NULL && has_default(f))
			{
				rc = vc_ddl_set_default(c->a, m, f, c->d, &sql, c->err);
				rc = stmts_add(c, &st, rc, sql);
				def_chg = false;
			}
			else if (lc->def != NULL)
				def_chg = false;
		}
		if (rc == VC_OK && fill)
		{
			/* after any type change, so the default is of the new type */
			vc_buf		b;
			vc_error	e;

			vc_buf_init(&b, c->a);
			vc_buf_puts(&b, "UPDATE ");
			vc_ident_quote_buf(&b, m->table, strlen(m->table), c->d);
			vc_buf_puts(&b, " SET ");
			vc_ident_quote_buf(&b, f->column, strlen(f->column), c->d);
			vc_buf_puts(&b, " = ");
			vc_buf_puts(&b, fill);
			vc_buf_puts(&b, " WHERE ");
			vc_ident_quote_buf(&b, f->column, strlen(f->column), c->d);
			vc_buf_puts(&b, " IS NULL");
			if (vc_buf_finish(&b, &sql, NULL, &e) != VC_OK)
				rc = pl_oom(c);
			else
				rc = stmts_add(c, &st, rc, sql);
		}
		if (rc == VC_OK && null_chg)
		{
			rc = vc_ddl_set_not_null(c->a, m, f, !f->null, c->d, &sql, c->err);
			rc = stmts_add(c, &st, rc, sql);
		}
		if (rc == VC_OK && def_chg)
		{
			rc = vc_ddl_set_default(c->a, m, f, c->d, &sql, c->err);
			rc = stmts_add(c, &st, rc, sql);
		}
		if (rc != VC_OK)
		{
			stmts_free(c, &st);
			vc_free(c->a, precheck);
			return rc;
		}
	}
	{
		char	   *target = field_target(c, m, f->name);
		size_t		i;

		op = target ? pl_new_op(c, PH_ALTER, VC_OP_ALTER_COLUMN, target, s->lt->name) : NULL;
		if (op == NULL)
		{
			stmts_free(c, &st);
			vc_free(c->a, precheck);
			return pl_oom(c);
		}
		op->rebuild = (c->d == VC_DIALECT_SQLITE);
		op->op.warning = warning;
		if (nullsql)
		{
			op->op.precheck_sql = nullsql;
			op->op.precheck_action = VC_PRECHECK_REFUSE;
			op->op.precheck_code = VC_ERR_INVALID_PARAM;
			op->op.precheck_message = nullmsg;
			op->op.precheck_hint = nullhint;
		}
		if (precheck)
		{
			char	   *kept = pl_strdup_out(c, precheck);

			vc_free(c->a, precheck);
			if (kept == NULL)
			{
				stmts_free(c, &st);
				return pl_oom(c);
			}
			if (nullsql)
			{
				/* the NOT NULL check runs first, the narrowing test after */
				op->op.precheck2_sql = kept;
				op->op.precheck2_code = VC_ERR_STRING_TRUNC;
				op->op.precheck2_message = premsg;
			}
			else
			{
				op->op.precheck_sql = kept;
				op->op.precheck_action = VC_PRECHECK_REFUSE;
				op->op.precheck_code = VC_ERR_STRING_TRUNC;
				op->op.precheck_message = premsg;
			}
		}
		for (i = 0; i < st.n; i++)
		{
			char	   *sql = st.v[i];

			st.v[i] = NULL;
			if ((rc = pl_push_sql(c, &c->ops[c->nops - 1], sql)) != VC_OK)
			{
				for (i = i + 1; i < st.n; i++)
					vc_free(c->a, st.v[i]);
				return rc;
			}
		}
	}
	return VC_OK;
}

static vc_code
plan_column(dstate *s, size_t j)
{
	pl_ctx	   *c = s->c;
	const vc_field *f = &s->m->fields[j];
	const pl_column *lc = pl_live_column(s->lt, f->column);
	vc_code		rc;

	if (lc == NULL && f->old_name)
	{
		const char *oc = old_column(c, s->prev, f);
		const pl_column *lo = oc ? pl_live_column(s->lt, oc) : NULL;

		if (oc == NULL)
			return pl_oom(c);
		if (lo && !s->used[lo - s->lt->columns])
		{
			char	   *sql = NULL;
			char	   *target = field_target(c, s->m, f->name);
			pl_op	   *op;

			if (target == NULL)
				return pl_oom(c);
			if ((rc = vc_ddl_rename_column(c->a, s->lt->name, lo->name, f->column,
										   c->d, &sql, c->err)) != VC_OK)
				return rc;
			op = pl_new_op(c, PH_RENAME, VC_OP_RENAME_COLUMN, target, s->lt->name);
			if (op == NULL)
			{
				vc_free(c->a, sql);
				return pl_oom(c);
			}
			if ((rc = pl_push_sql(c, op, sql)) != VC_OK)
				return rc;
			lc = lo;
		}
	}
	if (lc == NULL)
		return plan_add(s, j);
	s->used[lc - s->lt->columns] = true;
	s->ts->src[j] = lc->name;
	return plan_alter(s, j, lc);
}

/* Live columns not in the model: RemoveColumn with allow_drop, else a
 * warning row; then the rename hints between them and added columns. */
static vc_code
plan_extras(dstate *s)
{
	pl_ctx	   *c = s->c;
	const pl_table *lt = s->lt;
	size_t		i,
				j,
				n = 0;
	size_t	   *extra_op;
	bool	   *hinted;
	vc_code		rc;

	s->ts->extra = vc_pool_alloc(c->tmp, (lt->ncolumns + 1) * sizeof(char *));
	extra_op = vc_pool_alloc(c->tmp, (lt->ncolumns + 1) * sizeof(size_t));
	hinted = vc_pool_alloc(c->tmp, (lt->ncolumns + 1) * sizeof(bool));
	if (s->ts->extra == NULL || extra_op == NULL || hinted == NULL)
		return pl_oom(c);
	for (i = 0; i < lt->ncolumns; i++)
	{
		const char *col = lt->columns[i].name;
		char	   *target,
				   *sql = NULL;
		pl_op	   *op;

		if (s->used[i])
			continue;
		s->ts->extra[n] = col;
		extra_op[n] = c->nops;
		target = field_target(c, s->m, col);
		if (target == NULL)
			return pl_oom(c);
		if (c->allow_drop && c->d == VC_DIALECT_POSTGRESQL &&
			(rc = vc_ddl_drop_column(c->a, lt->name, col, c->d, &sql, c->err)) != VC_OK)
			return rc;
		op = pl_new_op(c, PH_REMOVE, VC_OP_REMOVE_COLUMN, target,
					   c->allow_drop ? lt->name : NULL);
		if (op == NULL)
		{
			vc_free(c->a, sql);
			return pl_oom(c);
		}
		n++;
		if (!c->allow_drop)
		{
			op->op.applies = false;
			op->op.warning = pl_printf_out(c, "column \"%s\" is not in the model; "
										   "pass {\"allow_drop\": true} to drop it", col);
			if (op->op.warning == NULL)
				return pl_oom(c);
			continue;
		}
		op->rebuild = (c->d == VC_DIALECT_SQLITE);
		if (sql && (rc = pl_push_sql(c, op, sql)) != VC_OK)
			return rc;
	}
	s->ts->nextra = n;

	/* rename hints: an added column of the same type as a removed one */
	for (j = 0; j < s->m->nfields; j++)
	{
		const vc_field *f = &s->m->fields[j];
		char		want[TYPE_MAX];

		if (!s->added[j] || !pl_field_canon(c->d, f, want, sizeof(want)))
			continue;
		for (i = 0; i < n; i++)
		{
			const pl_column *lc = pl_live_column(lt, s->ts->extra[i]);
			char		live[TYPE_MAX];
			pl_op	   *add,
					   *rem;

			if (hinted[i] || lc == NULL || !pl_ident_ok(lc->name))
				continue;
			pl_canon_type(c->d, lc->type, live, sizeof(live));
			if (strcmp(live, want) != 0)
				continue;
			hinted[i] = true;
			add = &c->ops[s->add_op[j]];
			rem = &c->ops[extra_op[i]];
			add->op.warning = pl_printf_out(c, "looks like a rename of \"%s\"; set "
											"\"old_name\": \"%s\" to keep its data",
											lc->name, lc->name);
			if (add->op.warning == NULL)
				return pl_oom(c);
			if (c->allow_drop)
			{
				rem->hinted_drop = true;
				rem->hint_column = lc->name;
				rem->op.warning = pl_printf_out(c, "looks renamed to \"%s\"; dropped only "
												"when it holds no data", f->column);
				rem->op.precheck_sql = pl_printf_out(c, "SELECT 1 FROM \"%s\" WHERE \"%s\" "
													 "IS NOT NULL LIMIT 1", lt->name,
													 lc->name);
				rem->op.precheck_action = VC_PRECHECK_SKIP;
				rem->op.precheck_message =
					pl_printf_out(c, "column \"%s\" of table \"%s\" holds data and looks "
								  "renamed to \"%s\"; it was not dropped (set \"old_name\")",
								  lc->name, lt->name, f->column);
				if (rem->op.warning == NULL || rem->op.precheck_sql == NULL ||
					rem->op.precheck_message == NULL)
					return pl_oom(c);
			}
			break;
		}
	}
	return VC_OK;
}

/* ---- indexes, constraints, foreign keys --------------------------------- */

typedef enum okind
{
	OK_INDEX, OK_SINGLE, OK_CHECK, OK_UNIQUE, OK_FUNIQUE, OK_FCHECK, OK_FKEY
} okind;

typedef struct pobj
{
	okind		kind;
	const char *name;
	const char *def;			/* NULL: unknown (compare nothing) */
	const vc_model *m;
	const vc_index *ix;
	const vc_constraint *k;
	const vc_field *f;
	size_t		field_no;
} pobj;

static bool
is_constraint(okind k)
{
	return k == OK_CHECK || k == OK_UNIQUE || k == OK_FUNIQUE ||
		k == OK_FCHECK || k == OK_FKEY;
}

static char *
cols_text(pl_ctx *c, char **cols, const bool *desc, size_t n)
{
	vc_buf		b;
	size_t		i;
	char	   *s = NULL,
			   *out;
	vc_error	e;

	vc_buf_init(&b, c->a);
	for (i = 0; i < n; i++)
	{
		vc_buf_puts(&b, i ? "," : "");
		vc_buf_puts(&b, desc && desc[i] ? "-" : "");
		vc_buf_puts(&b, cols[i]);
	}
	if (vc_buf_finish(&b, &s, NULL, &e) != VC_OK)
		return NULL;
	out = vc_pool_strdup(c->tmp, s);
	vc_free(c->a, s);
	return out;
}

/* The objects a model's table carries, with comparable definitions. */
static vc_code
collect(pl_ctx *c, const vc_model *m, pobj **out, size_t *nout)
{
	size_t		cap = m->nindexes + m->nconstraints + 3 * m->nfields + 2,
				n = 0,
				i;
	pobj	   *o = vc_pool_alloc(c->tmp, cap * sizeof(pobj));
	char		name[VC_IDENT_MAX + 1];

	*out = o;
	*nout = 0;
	if (o == NULL)
		return pl_oom(c);
	for (i = 0; i < m->nindexes; i++)
	{
		const vc_index *ix = &m->indexes[i];
		char	   *cols = cols_text(c, ix->columns, ix->descending, ix->ncolumns);

		o[n] = (pobj) {OK_INDEX, ix->name, NULL, m, ix, NULL, NULL, 0};
		o[n].def = cols ? pl_printf_tmp(c, "index|%d|%s|%s", ix->unique, cols,
										ix->condition ? ix->condition : "") : NULL;
		if (o[n++].def == NULL)
			return pl_oom(c);
	}
	if (m->single)
	{
		vc_model_make_name(m->table, "single", name);
		o[n] = (pobj) {OK_SINGLE, vc_pool_strdup(c->tmp, name), "single", m, NULL, NULL, NULL, 0};
		if (o[n++].name == NULL)
			return pl_oom(c);
	}
	for (i = 0; i < m->nconstraints; i++)
	{
		const vc_constraint *k = &m->constraints[i];

		o[n] = (pobj) {k->type == VC_CONSTRAINT_CHECK ? OK_CHECK : OK_UNIQUE,
			k->name, NULL, m, NULL, k, NULL, 0};
		if (k->type == VC_CONSTRAINT_CHECK)
			o[n].def = pl_printf_tmp(c, "check|%s", k->check);
		else
		{
			char	   *cols = cols_text(c, k->columns, NULL, k->ncolumns);

			o[n].def = cols ? pl_printf_tmp(c, "unique|%s", cols) : NULL;
		}
		if (o[n++].def == NULL)
			return pl_oom(c);
	}
	for (i = 0; i < m->nfields; i++)
	{
		const vc_field *f = &m->fields[i];

		if (f->column == NULL || is_auto(f))
			continue;
		if (f->unique && !f->primary_key)
		{
			vc_ddl_field_constraint_name(m, f, VC_FC_UNIQUE, name);
			o[n] = (pobj) {OK_FUNIQUE, vc_pool_strdup(c->tmp, name), NULL, m, NULL, NULL, f, i};
			o[n].def = pl_printf_tmp(c, "unique|%s", f->column);
			if (o[n].name == NULL || o[n++].def == NULL)
				return pl_oom(c);
		}
		{
			vc_buf		b;
			bool		has = false;
			vc_error	e;
			char	   *txt = NULL;

			vc_buf_init(&b, c->a);
			if (vc_type_check_buf(&b, f, c->d, &has, &e) != VC_OK)
			{
				/* an unresolved catalog relation: its check is unknown */
				vc_buf_reset(&b);
				if (vc_field_type_is_fk(f->type) && !f->resolved)
					has = false;
				else
					return pl_oom(c);
			}
			else if (has)
			{
				if (vc_buf_finish(&b, &txt, NULL, &e) != VC_OK)
					return pl_oom(c);
			}
			else
				vc_buf_reset(&b);
			if (has)
			{
				vc_ddl_field_constraint_name(m, f, VC_FC_CHECK, name);
				o[n] = (pobj) {OK_FCHECK, vc_pool_strdup(c->tmp, name), NULL, m, NULL, NULL, f, i};
				o[n].def = pl_printf_tmp(c, "check|%s", txt);
				vc_free(c->a, txt);
				if (o[n].name == NULL || o[n++].def == NULL)
					return pl_oom(c);
			}
		}
		if (vc_field_type_is_fk(f->type))
		{
			vc_ddl_field_constraint_name(m, f, VC_FC_FKEY, name);
			o[n] = (pobj) {OK_FKEY, vc_pool_strdup(c->tmp, name), NULL, m, NULL, NULL, f, i};
			if (o[n].name == NULL)
				return pl_oom(c);
			if (f->resolved)
			{
				o[n].def = pl_printf_tmp(c, "fkey|%s|%s|%s|%s", f->column, f->rel_table,
										 f->rel_column,
										 vc_on_delete_sql(f->on_delete ? f->on_delete : "CASCADE"));
				if (o[n].def == NULL)
					return pl_oom(c);
			}
			n++;
		}
	}
	*nout = n;
	return VC_OK;
}

static const pobj *
find_obj(const pobj *v, size_t n, const char *name)
{
	size_t		i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

static bool
strs_equal(const pl_strs *a, char **b, size_t nb)
{
	size_t		i;

	if (a->n != nb)
		return false;
	for (i = 0; i < nb; i++)
		if (a->v[i] == NULL || strcmp(a->v[i], b[i]) != 0)
			return false;
	return true;
}

static bool
strs_have_null(const pl_strs *a)
{
	size_t		i;

	for (i = 0; i < a->n; i++)
		if (a->v[i] == NULL)
			return true;
	return false;
}

/* The check text an object enforces (for SQLite's unnamed checks). */
static const char *
obj_check_text(const pobj *o)
{
	return o->def && strncmp(o->def, "check|", 6) == 0 ? o->def + 6 : NULL;
}

/*
 * Is the object present in the live table? *changed: present but its
 * live-observable definition (index columns/uniqueness, unique columns,
 * FK target/action) differs from the desired one.
 */
static bool
live_present(const dstate *s, const pobj *o, const pobj *catobjs, size_t ncat,
			 bool desired, bool *changed)
{
	const pl_table *lt = s->lt;
	size_t		i;
	char	   *fcol[1];

	*changed = false;
	switch (o->kind)
	{
		case OK_INDEX:
		case OK_SINGLE:
			if (o->kind == OK_SINGLE && s->c->d == VC_DIALECT_SQLITE)
			{
				if (!lt->has_triggers)
					return find_obj(catobjs, ncat, o->name) != NULL;
				for (i = 0; i < lt->triggers.n; i++)
					if (lt->triggers.v[i] && strcmp(lt->triggers.v[i], o->name) == 0)
						return true;
				return false;
			}
			if (!lt->has_indexes)
				return find_obj(catobjs, ncat, o->name) != NULL;
			for (i = 0; i < lt->nindexes; i++)
				if (strcmp(lt->indexes[i].name, o->name) == 0)
				{
					const pl_index *li = &lt->indexes[i];

					if (desired && o->kind == OK_INDEX)
						*changed = li->unique != o->ix->unique ||
							(!strs_have_null(&li->columns) && li->columns.n > 0 &&
							 !strs_equal(&li->columns, o->ix->columns, o->ix->ncolumns));
					return true;
				}
			return false;
		case OK_CHECK:
		case OK_FCHECK:
			if (!lt->has_checks)
				return find_obj(catobjs, ncat, o->name) != NULL;
			for (i = 0; i < lt->nchecks; i++)
				if (lt->checks[i].name && strcmp(lt->checks[i].name, o->name) == 0)
					return true;
			/* SQLite may not know a check's name: match its text */
			for (i = 0; i < lt->nchecks; i++)
				if (lt->checks[i].name == NULL && obj_check_text(o) &&
					pl_expr_equal(lt->checks[i].expression, obj_check_text(o)))
					return true;
			return false;
		case OK_UNIQUE:
		case OK_FUNIQUE:
			{
				char	  **cols = o->kind == OK_UNIQUE ? o->k->columns : fcol;
				size_t		ncols = o->kind == OK_UNIQUE ? o->k->ncolumns : 1;

				fcol[0] = o->f ? o->f->column : NULL;
				for (i = 0; i < lt->nindexes; i++)
					if (lt->indexes[i].constraint && strcmp(lt->indexes[i].name, o->name) == 0)
						return true;
				if (!lt->has_uniques)
					return find_obj(catobjs, ncat, o->name) != NULL;
				for (i = 0; i < lt->nuniques; i++)
					if (lt->uniques[i].name && strcmp(lt->uniques[i].name, o->name) == 0)
					{
						*changed = desired && lt->uniques[i].columns.n > 0 &&
							!strs_equal(&lt->uniques[i].columns, cols, ncols);
						return true;
					}
				for (i = 0; i < lt->nuniques; i++)
					if (lt->uniques[i].name == NULL &&
						strs_equal(&lt->uniques[i].columns, cols, ncols))
						return true;
				return false;
			}
		case OK_FKEY:
			{
				const pl_fk *k = NULL;

				if (!lt->has_fks)
					return find_obj(catobjs, ncat, o->name) != NULL;
				fcol[0] = o->f->column;
				for (i = 0; i < lt->nfks && k == NULL; i++)
					if (lt->fks[i].name && strcmp(lt->fks[i].name, o->name) == 0)
						k = &lt->fks[i];
				for (i = 0; i < lt->nfks && k == NULL; i++)
					if (lt->fks[i].name == NULL && strs_equal(&lt->fks[i].columns, fcol, 1))
						k = &lt->fks[i];
				if (k == NULL)
					return false;
				if (desired && o->f->resolved)
					*changed = (k->ref_table && strcmp(k->ref_table, o->f->rel_table) != 0) ||
						(k->on_delete && !pl_ieq(k->on_delete,
												 vc_on_delete_sql(o->f->on_delete ? o->f->on_delete : "CASCADE")));
				return true;
			}
	}
	return false;
}

/*
 * The op of one dropped or added index/constraint: it runs sql (owned, freed
 * here on failure; NULL when there is none) or, with rebuild, is left to the
 * SQLite table rebuild.
 */
static vc_code
obj_op(pl_ctx *c, pl_phase ph, vc_op_kind kind, const char *target,
	   const char *table, char *sql, bool rebuild)
{
	pl_op	   *op = pl_new_op(c, ph, kind, target, table);

	if (op == NULL)
	{
		vc_free(c->a, sql);
		return pl_oom(c);
	}
	op->rebuild = rebuild;
	return sql ? pl_push_sql(c, op, sql) : VC_OK;
}

static vc_code
drop_obj(dstate *s, const pobj *o)
{
	pl_ctx	   *c = s->c;
	const char *table = s->lt->name;
	char	   *sql = NULL;
	vc_op_kind	kind = is_constraint(o->kind) ? VC_OP_REMOVE_CONSTRAINT : VC_OP_REMOVE_INDEX;
	bool		rebuild = false;
	vc_code		rc = VC_OK;
	char	   *target = pl_strdup_out(c, o->name);

	if (target == NULL)
		return pl_oom(c);
	if (o->kind == OK_INDEX || (o->kind == OK_SINGLE && c->d == VC_DIALECT_POSTGRESQL))
		rc = vc_ddl_drop_index(c->a, o->name, c->d, &sql, c->err);
	else if (o->kind == OK_SINGLE)
	{
		kind = VC_OP_RUN_SQL;
		sql = pl_printf_tmp(c, "DROP TRIGGER \"%s\"", o->name);
		sql = sql ? vc_strndup(c->a, sql, strlen(sql)) : NULL;
		if (sql == NULL)
			return pl_oom(c);
	}
	else if (c->d == VC_DIALECT_SQLITE)
		rebuild = true;
	else
		rc = vc_ddl_drop_constraint(c->a, table, o->name, c->d, &sql, c->err);
	if (rc != VC_OK)
		return rc;
	return obj_op(c, PH_DROP_OBJ, kind, target, table, sql, rebuild);
}

static vc_code
add_obj(dstate *s, const pobj *o)
{
	pl_ctx	   *c = s->c;
	char	   *sql = NULL;
	vc_op_kind	kind = is_constraint(o->kind) ? VC_OP_ADD_CONSTRAINT : VC_OP_CREATE_INDEX;
	bool		rebuild = false;
	vc_code		rc = VC_OK;
	char	   *target = pl_strdup_out(c, o->name);

	if (target == NULL)
		return pl_oom(c);
	switch (o->kind)
	{
		case OK_INDEX:
			rc = vc_ddl_create_index(c->a, s->m, o->ix, c->d, &sql, c->err);
			break;
		case OK_SINGLE:
			if (c->d == VC_DIALECT_SQLITE)
				kind = VC_OP_RUN_SQL;
			rc = vc_ddl_single_guard(c->a, s->m, c->d, &sql, c->err);
			break;
		default:
			if (c->d == VC_DIALECT_SQLITE)
				rebuild = true;
			else if (o->kind == OK_CHECK || o->kind == OK_UNIQUE)
				rc = vc_ddl_add_constraint(c->a, s->m, o->k, c->d, &sql, c->err);
			else
				rc = vc_ddl_add_field_constraint(c->a, s->m, o->f,
												 o->kind == OK_FUNIQUE ? VC_FC_UNIQUE :
												 o->kind == OK_FCHECK ? VC_FC_CHECK : VC_FC_FKEY,
												 c->d, &sql, c->err);
			break;
	}
	if (rc != VC_OK)
		return rc;
	return obj_op(c, PH_ADD_OBJ, kind, target, s->lt->name, sql, rebuild);
}

static bool
is_extra(const dstate *s, const char *col)
{
	size_t		i;

	for (i = 0; i < s->ts->nextra; i++)
		if (strcmp(s->ts->extra[i], col) == 0)
			return true;
	return false;
}

static vc_code
plan_objects(dstate *s)
{
	pl_ctx	   *c = s->c;
	pobj	   *want = NULL,
			   *had = NULL;
	size_t		nwant = 0,
				nhad = 0,
				i;
	vc_code		rc;
	bool		changed;

	if ((rc = collect(c, s->m, &want, &nwant)) != VC_OK ||
		(s->prev && vc_model_has_table(s->prev) &&
		 (rc = collect(c, s->prev, &had, &nhad)) != VC_OK))
		return rc;
	/* first every removal (a changed object is dropped before it is added
	 * again under the same name), then the additions */
	for (i = 0; i < nhad; i++)
	{
		const pobj *o = &had[i];
		const pobj *w = find_obj(want, nwant, o->name);

		/* a column's own constraints go with the column */
		if (o->f && is_extra(s, o->f->column))
			continue;
		if (w == NULL && live_present(s, o, had, nhad, false, &changed) &&
			(rc = drop_obj(s, o)) != VC_OK)
			return rc;
	}
	for (i = 0; i < nwant; i++)
	{
		const pobj *o = &want[i];
		const pobj *h = find_obj(had, nhad, o->name);
		bool		present;

		if (o->f && s->added[o->field_no] && o->kind != OK_INDEX)
			continue;			/* the column definition creates it */
		if (o->kind == OK_FCHECK && c->d == VC_DIALECT_SQLITE && s->typechg[o->field_no])
			continue;			/* part of the column's rebuild already */
		present = live_present(s, o, had, nhad, true, &changed);
		if (present && h && (h->kind != o->kind ||
							 (h->def && o->def && strcmp(h->def, o->def) != 0)))
			changed = true;
		if (present && changed)
		{
			if ((rc = drop_obj(s, h ? h : o)) != VC_OK)
				return rc;
			present = false;
		}
		if (!present)
		{
			/* remember: additions run in their own phase after alters */
			if ((rc = add_obj(s, o)) != VC_OK)
				return rc;
		}
	}
	return VC_OK;
}

/* PostgreSQL: a model with permissions has row security enabled + forced. */
static vc_code
plan_rls(dstate *s)
{
	pl_ctx	   *c = s->c;
	pl_op	   *op;
	char	   *target;
	char	   *sql;
	vc_code		rc;

	if (c->d != VC_DIALECT_POSTGRESQL || !s->m->permissions || !s->lt->has_rls ||
		(s->lt->rls_enabled && s->lt->rls_forced))
		return VC_OK;
	target = pl_strdup_out(c, s->m->label);
	op = target ? pl_new_op(c, PH_ALTER, VC_OP_RUN_SQL, target, s->lt->name) : NULL;
	if (op == NULL)
		return pl_oom(c);
	if (!s->lt->rls_enabled)
	{
		sql = pl_printf_tmp(c, "ALTER TABLE \"%s\" ENABLE ROW LEVEL SECURITY", s->lt->name);
		sql = sql ? vc_strndup(c->a, sql, strlen(sql)) : NULL;
		if (sql == NULL)
			return pl_oom(c);
		if ((rc = pl_push_sql(c, &c->ops[c->nops - 1], sql)) != VC_OK)
			return rc;
	}
	if (!s->lt->rls_forced)
	{
		sql = pl_printf_tmp(c, "ALTER TABLE \"%s\" FORCE ROW LEVEL SECURITY", s->lt->name);
		sql = sql ? vc_strndup(c->a, sql, strlen(sql)) : NULL;
		if (sql == NULL)
			return pl_oom(c);
		if ((rc = pl_push_sql(c, &c->ops[c->nops - 1], sql)) != VC_OK)
			return rc;
	}
	return VC_OK;
}

vc_code
pl_diff_table(pl_ctx *c, const vc_model *m, const pl_table *lt)
{
	dstate		s;
	size_t		j;
	vc_code		rc;
	size_t		nf = m->nfields + 1;

	memset(&s, 0, sizeof(s));
	s.c = c;
	s.m = m;
	s.lt = lt;
	s.prev = pl_catalog_model(c, m->label);
	if (s.prev && !vc_model_has_table(s.prev))
		s.prev = NULL;
	s.ts = &c->ts[c->nts];
	memset(s.ts, 0, sizeof(*s.ts));
	s.ts->m = m;
	s.ts->lt = lt;
	s.ts->src = vc_pool_alloc(c->tmp, nf * sizeof(char *));
	s.ts->expr = vc_pool_alloc(c->tmp, nf * sizeof(char *));
	s.used = vc_pool_alloc(c->tmp, (lt->ncolumns + 1) * sizeof(bool));
	s.added = vc_pool_alloc(c->tmp, nf * sizeof(bool));
	s.typechg = vc_pool_alloc(c->tmp, nf * sizeof(bool));
	s.add_op = vc_pool_alloc(c->tmp, nf * sizeof(size_t));
	if (s.ts->src == NULL || s.ts->expr == NULL || s.used == NULL ||
		s.added == NULL || s.typechg == NULL || s.add_op == NULL)
		return pl_oom(c);
	c->nts++;
	for (j = 0; j < m->nfields; j++)
		if (m->fields[j].column != NULL &&
			(rc = plan_column(&s, j)) != VC_OK)
			return rc;
	if ((rc = plan_extras(&s)) != VC_OK ||
		(rc = plan_objects(&s)) != VC_OK ||
		(rc = plan_rls(&s)) != VC_OK)
		return rc;
	return VC_OK;
}
