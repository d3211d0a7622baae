/*
 * vc_ddl.c — DDL text for models (vc_ddl.h): CREATE TABLE with named column
 * constraints, indexes, junction tables, the single-row guard, the ALTER
 * pieces of the schema-sync planner, and SQLite's table rebuild.
 *
 * Memory: statements are built in vc_bufs over the caller's allocator and
 * handed out (char * or vc_sql_list entries) to the caller.
 */
#include "vc_ddl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- statement list ------------------------------------------------------ */

void
vc_sql_list_init(vc_sql_list *l, const vc_alloc *a)
{
	l->alloc = a;
	l->items = NULL;
	l->n = l->cap = 0;
}

void
vc_sql_list_free(vc_sql_list *l)
{
	size_t		i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		vc_free(l->alloc, l->items[i]);
	vc_free(l->alloc, l->items);
	l->items = NULL;
	l->n = l->cap = 0;
}

vc_code
vc_sql_list_push(vc_sql_list *l, vc_buf *b, vc_error *err)
{
	char	   *s;
	vc_code		rc;

	if (l->n == l->cap)
	{
		size_t		cap = l->cap ? l->cap * 2 : 8;
		char	  **items = vc_malloc(l->alloc, cap * sizeof(char *));

		if (items == NULL)
		{
			vc_buf_reset(b);
			return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
		}
		if (l->n)
			memcpy(items, l->items, l->n * sizeof(char *));
		vc_free(l->alloc, l->items);
		l->items = items;
		l->cap = cap;
	}
	if ((rc = vc_buf_finish(b, &s, NULL, err)) != VC_OK)
		return rc;
	l->items[l->n++] = s;
	return VC_OK;
}

/* ---- helpers ------------------------------------------------------------- */

static void
q(vc_buf *b, const char *name, vc_dialect d)
{
	vc_ident_quote_buf(b, name, strlen(name), d);
}

/* A SQL string literal: single quotes, embedded quotes doubled. */
static void
str_literal(vc_buf *b, const char *s, size_t len)
{
	size_t		i,
				start = 0;

	vc_buf_putc(b, '\'');
	for (i = 0; i < len; i++)
		if (s[i] == '\'')
		{
			vc_buf_append(b, s + start, i - start + 1);
			vc_buf_putc(b, '\'');
			start = i + 1;
		}
	vc_buf_append(b, s + start, len - start);
	vc_buf_putc(b, '\'');
}

static vc_code
dialect_ok(vc_dialect d, vc_error *err)
{
	return vc_types_dialect_check(d, err);
}

static vc_code
pg_only(vc_dialect d, const char *what, vc_error *err)
{
	vc_code		rc;

	if ((rc = dialect_ok(d, err)) != VC_OK)
		return rc;
	if (d == VC_DIALECT_SQLITE)
	{
		vc_error_set(err, VC_ERR_INVALID_PARAM, "%s is not available in SQLite",
					 what);
		vc_error_hint(err, "Rebuild the table (vc_ddl_sqlite_rebuild).");
		return VC_ERR_INVALID_PARAM;
	}
	return VC_OK;
}

static vc_code
check_ident(const char *name, const char *what, vc_error *err)
{
	if (name == NULL)
		return vc_error_set(err, VC_ERR_IDENTIFIER, "invalid %s: empty name", what);
	return vc_ident_validate(name, strlen(name), what, err);
}

static vc_code
finish(vc_buf *b, char **sql, vc_error *err)
{
	return vc_buf_finish(b, sql, NULL, err);
}

void
vc_ddl_field_constraint_name(const vc_model *m, const vc_field *f,
							 vc_field_constraint kind,
							 char out[VC_IDENT_MAX + 1])
{
	static const char *const suffix[] = {"uniq", "check", "fkey"};
	char		base[2 * VC_IDENT_MAX + 2];

	snprintf(base, sizeof(base), "%s_%s", m->table, f->column);
	vc_model_make_name(base, suffix[kind], out);
}

/* The shortest %g text that reads back as the same double. */
static void
real_literal(vc_buf *b, double v)
{
	char		text[40];
	int			prec;

	for (prec = 1; prec <= 17; prec++)
	{
		snprintf(text, sizeof(text), "%.*g", prec, v);
		if (strtod(text, NULL) == v)
			break;
	}
	vc_buf_puts(b, text);
}

static vc_code
json_text_literal(vc_buf *b, const json_t *v, vc_error *err)
{
	char	   *txt = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (txt == NULL)
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	str_literal(b, txt, strlen(txt));
	free(txt);
	return VC_OK;
}

/*
 * A literal of type t for a value the parser already checked against the
 * field (vc_field_check_value): never raw text from the schema.
 */
static vc_code
literal(vc_buf *b, const vc_field *f, vc_field_type t, const json_t *v,
		vc_dialect d, vc_error *err)
{
	if (json_is_null(v))
	{
		vc_buf_puts(b, "NULL");
		return VC_OK;
	}
	switch (t)
	{
		case VC_FT_JSON:
			if (json_text_literal(b, v, err) != VC_OK)
				return VC_ERR_OUT_OF_MEMORY;
			if (d == VC_DIALECT_POSTGRESQL)
				vc_buf_puts(b, "::jsonb");
			return VC_OK;
		case VC_FT_ARRAY:
			if (d == VC_DIALECT_SQLITE)
				return json_text_literal(b, v, err);
			{
				size_t		i;
				vc_code		rc;

				if (json_array_size(v) == 0)
					vc_buf_puts(b, "'{}'");
				else
				{
					vc_buf_puts(b, "ARRAY[");
					for (i = 0; i < json_array_size(v); i++)
					{
						if (i)
							vc_buf_puts(b, ", ");
						if ((rc = literal(b, f->base_field, f->base_field->type,
										  json_array_get(v, i), d, err)) != VC_OK)
							return rc;
					}
					vc_buf_putc(b, ']');
				}
				vc_buf_puts(b, "::");
				return vc_type_sql_buf(b, f, d, err);
			}
		case VC_FT_BINARY:
			if (d == VC_DIALECT_POSTGRESQL)
			{
				vc_buf_puts(b, "'\\x");
				vc_buf_append(b, json_string_value(v), json_string_length(v));
				vc_buf_puts(b, "'::bytea");
			}
			else
			{
				vc_buf_puts(b, "X'");
				vc_buf_append(b, json_string_value(v), json_string_length(v));
				vc_buf_putc(b, '\'');
			}
			return VC_OK;
		default:
			break;
	}
	if (json_is_boolean(v))
		vc_buf_puts(b, d == VC_DIALECT_POSTGRESQL ? (json_is_true(v) ? "true" : "false")
					: (json_is_true(v) ? "1" : "0"));
	else if (json_is_integer(v))
		vc_buf_printf(b, "%lld", (long long) json_integer_value(v));
	else if (json_is_real(v))
		real_literal(b, json_real_value(v));
	else if (json_is_string(v))
	{
		if (strlen(json_string_value(v)) != json_string_length(v))
			return vc_error_set(err, VC_ERR_TEXT_REPR,
								"default of field \"%s\" contains a NUL byte",
								f->name ? f->name : "?");
		if (t == VC_FT_DECIMAL)
			vc_buf_append(b, json_string_value(v), json_string_length(v));	/* digits only */
		else
			str_literal(b, json_string_value(v), json_string_length(v));
	}
	else
		return vc_error_set(err, VC_ERR_TEXT_REPR,
							"default of field \"%s\" has no SQL literal form",
							f->name ? f->name : "?");
	return VC_OK;
}

vc_code
vc_ddl_default_sql(vc_buf *b, const vc_field *f, vc_dialect d, bool *has,
				   vc_error *err)
{
	vc_field_type t = f->type;
	vc_code		rc;

	*has = false;
	if ((rc = dialect_ok(d, err)) != VC_OK)
		return rc;
	if (f->auto_now || f->auto_now_add)
	{
		*has = true;
		if (d == VC_DIALECT_POSTGRESQL)
			vc_buf_puts(b, t == VC_FT_DATE ? "CURRENT_DATE" :
						t == VC_FT_TIME ? "LOCALTIME" : "now()");
		else
			vc_buf_puts(b, t == VC_FT_DATE ? "(date('now'))" :
						t == VC_FT_TIME ? "(strftime('%H:%M:%f', 'now'))" :
						"(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
		return VC_OK;
	}
	if (f->default_value == NULL)
		return VC_OK;
	if (vc_field_type_is_fk(t))
	{
		if (!f->resolved)
			return vc_error_set(err, VC_ERR_INTERNAL,
								"field \"%s\": relation target not resolved", f->name);
		t = f->rel_type;
	}
	*has = true;
	return literal(b, f, t, f->default_value, d, err);
}

static void
references(vc_buf *b, const vc_field *f, vc_dialect d)
{
	vc_buf_puts(b, "REFERENCES ");
	q(b, f->rel_table, d);
	vc_buf_puts(b, " (");
	q(b, f->rel_column, d);
	vc_buf_printf(b, ") ON DELETE %s DEFERRABLE INITIALLY DEFERRED",
				  vc_on_delete_sql(f->on_delete ? f->on_delete : "CASCADE"));
}

vc_code
vc_ddl_column_def(vc_buf *b, const vc_model *m, const vc_field *f,
				  vc_dialect d, vc_error *err)
{
	vc_code		rc;
	bool		has;
	char		name[VC_IDENT_MAX + 1];
	bool		autopk = (f->type == VC_FT_AUTO || f->type == VC_FT_BIGAUTO);

	if ((rc = dialect_ok(d, err)) != VC_OK)
		return rc;
	if (f->column == NULL)
		return vc_error_set(err, VC_ERR_INTERNAL,
							"field \"%s\" has no column", f->name);
	q(b, f->column, d);
	vc_buf_putc(b, ' ');
	if ((rc = vc_type_sql_buf(b, f, d, err)) != VC_OK)
		return rc;
	if (autopk)
	{
		vc_buf_puts(b, d == VC_DIALECT_POSTGRESQL
					? " GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
					: " PRIMARY KEY AUTOINCREMENT");
		return VC_OK;
	}
	if (!f->null)
		vc_buf_puts(b, " NOT NULL");
	{
		vc_buf		def;

		vc_buf_init(&def, b->alloc);
		if ((rc = vc_ddl_default_sql(&def, f, d, &has, err)) != VC_OK)
		{
			vc_buf_reset(&def);
			return rc;
		}
		if (has)
		{
			vc_buf_puts(b, " DEFAULT ");
			vc_buf_append(b, def.data ? def.data : "", def.len);
			if (def.failed)
				b->failed = 1;
		}
		vc_buf_reset(&def);
	}
	if (f->primary_key)
		vc_buf_puts(b, " PRIMARY KEY");
	else if (f->unique)
	{
		vc_ddl_field_constraint_name(m, f, VC_FC_UNIQUE, name);
		vc_buf_puts(b, " CONSTRAINT ");
		q(b, name, d);
		vc_buf_puts(b, " UNIQUE");
	}
	{
		vc_buf		chk;

		vc_buf_init(&chk, b->alloc);
		if ((rc = vc_type_check_buf(&chk, f, d, &has, err)) != VC_OK)
		{
			vc_buf_reset(&chk);
			return rc;
		}
		if (has)
		{
			vc_ddl_field_constraint_name(m, f, VC_FC_CHECK, name);
			vc_buf_puts(b, " CONSTRAINT ");
			q(b, name, d);
			vc_buf_puts(b, " CHECK (");
			vc_buf_append(b, chk.data ? chk.data : "", chk.len);
			vc_buf_putc(b, ')');
			if (chk.failed)
				b->failed = 1;
		}
		vc_buf_reset(&chk);
	}
	if (vc_field_type_is_fk(f->type))
	{
		vc_ddl_field_constraint_name(m, f, VC_FC_FKEY, name);
		vc_buf_puts(b, " CONSTRAINT ");
		q(b, name, d);
		vc_buf_putc(b, ' ');
		references(b, f, d);
	}
	return VC_OK;
}

static void
column_list(vc_buf *b, char **cols, const bool *desc, size_t n, vc_dialect d)
{
	size_t		i;

	vc_buf_putc(b, '(');
	for (i = 0; i < n; i++)
	{
		if (i)
			vc_buf_puts(b, ", ");
		q(b, cols[i], d);
		if (desc && desc[i])
			vc_buf_puts(b, " DESC");
	}
	vc_buf_putc(b, ')');
}

static void
constraint_body(vc_buf *b, const vc_constraint *k, vc_dialect d)
{
	vc_buf_puts(b, "CONSTRAINT ");
	q(b, k->name, d);
	if (k->type == VC_CONSTRAINT_CHECK)
	{
		/* k->check passed vc_expr_validate against the model's columns */
		vc_buf_puts(b, " CHECK (");
		vc_buf_puts(b, k->check);
		vc_buf_putc(b, ')');
	}
	else
	{
		vc_buf_puts(b, " UNIQUE ");
		column_list(b, k->columns, NULL, k->ncolumns, d);
	}
}

static vc_code
create_table_buf(vc_buf *b, const vc_model *m, const char *table_name,
				 vc_dialect d, vc_error *err)
{
	size_t		i;
	bool		first = true;
	vc_code		rc;

	vc_buf_puts(b, "CREATE TABLE ");
	q(b, table_name, d);
	vc_buf_puts(b, " (");
	for (i = 0; i < m->nfields; i++)
	{
		if (m->fields[i].column == NULL)
			continue;
		if (!first)
			vc_buf_puts(b, ", ");
		first = false;
		if ((rc = vc_ddl_column_def(b, m, &m->fields[i], d, err)) != VC_OK)
			return rc;
	}
	for (i = 0; i < m->nconstraints; i++)
	{
		vc_buf_puts(b, ", ");
		constraint_body(b, &m->constraints[i], d);
	}
	vc_buf_putc(b, ')');
	return VC_OK;
}

vc_code
vc_ddl_create_table(const vc_alloc *a, const vc_model *m, const char *table_name,
					vc_dialect d, char **sql, vc_error *err)
{
	vc_buf		b;
	vc_code		rc;

	*sql = NULL;
	if ((rc = dialect_ok(d, err)) != VC_OK)
		return rc;
	if (table_name == NULL)
		table_name = m->table;
	if ((rc = check_ident(table_name, "table name", err)) != VC_OK)
		return rc;
	vc_buf_init(&b, a);
	if ((rc = create_table_buf(&b, m, table_name, d, err)) != VC_OK)
	{
		vc_buf_reset(&b);
		return rc;
	}
	return finish(&b, sql, err);
}

static void
index_buf(vc_buf *b, const char *table, const vc_index *ix, vc_dialect d)
{
	vc_buf_puts(b, ix->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
	q(b, ix->name, d);
	vc_buf_puts(b, " ON ");
	q(b, table, d);
	vc_buf_putc(b, ' ');
	column_list(b, ix->columns, ix->descending, ix->ncolumns, d);
	if (ix->condition)
	{
		/* validated by vc_expr_validate when the model was parsed */
		vc_buf_puts(b, " WHERE ");
		vc_buf_puts(b, ix->condition);
	}
}

vc_code
vc_ddl_create_index(const vc_alloc *a, const vc_model *m, const vc_index *ix,
					vc_dialect d, char **sql, vc_error *err)
{
	vc_buf		b;
	vc_code		rc;

	*sql = NULL;
	if ((rc = dialect_ok(d, err)) != VC_OK ||
		(rc = check_ident(m->table, "table name", err)) != VC_OK)
		return rc;
	vc_buf_init(&b, a);
	index_buf(&b, m->table, ix, d);
	return finish(&b, sql, err);
}

static void
single_buf(vc_buf *b, const vc_model *m, vc_dialect d)
{
	char		name[VC_IDENT_MAX + 1];
	char		msg[2 * VC_IDENT_MAX + 64];

	vc_model_make_name(m->table, "single", name);
	if (d == VC_DIALECT_POSTGRESQL)
	{
		vc_buf_puts(b, "CREATE UNIQUE INDEX ");
		q(b, name, d);
		vc_buf_puts(b, " ON ");
		q(b, m->table, d);
		vc_buf_puts(b, " ((1))");
		return;
	}
	vc_buf_puts(b, "CREATE TRIGGER ");
	q(b, name, d);
	vc_buf_puts(b, " BEFORE INSERT ON ");
	q(b, m->table, d);
	vc_buf_puts(b, " WHEN EXISTS (SELECT 1 FROM ");
	q(b, m->table, d);
	vc_buf_puts(b, ") BEGIN SELECT RAISE(ABORT, ");
	snprintf(msg, sizeof(msg), "viper[23505]: single model \"%s\" already has its row",
			 m->label);
	str_literal(b, msg, strlen(msg));
	vc_buf_puts(b, "); END");
}

vc_code
vc_ddl_single_guard(const vc_alloc *a, const vc_model *m, vc_dialect d,
					char **sql, vc_error *err)
{
	vc_buf		b;
	vc_code		rc;

	*sql = NULL;
	if ((rc = dialect_ok(d, err)) != VC_OK ||
		(rc = check_ident(m->table, "table name", err)) != VC_OK)
		return rc;
	vc_buf_init(&b, a);
	single_buf(&b, m, d);
	return finish(&b, sql, err);
}

vc_code
vc_ddl_create_junction(const vc_model *m, const vc_field *f, vc_dialect d,
					   vc_sql_list *out, vc_error *err)
{
	vc_model	jm;
	vc_field	cols[3];
	vc_constraint pair;
	char	   *paircols[2];
	char		name[VC_IDENT_MAX + 1];
	vc_buf		b;
	vc_code		rc;
	size_t		i;

	if ((rc = dialect_ok(d, err)) != VC_OK)
		return rc;
	if (f->type != VC_FT_MANYTOMANY || f->m2m_table == NULL)
		return vc_error_set(err, VC_ERR_INTERNAL,
							"field \"%s\" has no junction table", f->name);
	if (!f->resolved || f->m2m_from_type == VC_FT_AUTO ||
		f->m2m_from_type == VC_FT_BIGAUTO)
		return vc_error_set(err, VC_ERR_INTERNAL,
							"field \"%s\": relation target not resolved", f->name);
	memset(&jm, 0, sizeof(jm));
	memset(cols, 0, sizeof(cols));
	memset(&pair, 0, sizeof(pair));
	jm.table = f->m2m_table;
	jm.label = m->label;
	jm.fields = cols;
	jm.nfields = 3;
	cols[0].name = cols[0].column = "id";
	cols[0].type = VC_FT_AUTO;
	cols[0].primary_key = cols[0].unique = true;
	for (i = 1; i < 3; i++)
	{
		cols[i].type = VC_FT_FOREIGNKEY;
		cols[i].on_delete = "CASCADE";
		cols[i].resolved = true;
	}
	cols[1].name = cols[1].column = f->m2m_from_column;
	cols[1].rel_table = m->table;
	cols[1].rel_column = m->fields[m->pk].column;
	cols[1].rel_type = f->m2m_from_type;
	cols[1].rel_max_length = f->m2m_from_max_length;
	cols[1].rel_max_digits = f->m2m_from_max_digits;
	cols[1].rel_decimal_places = f->m2m_from_decimal_places;
	cols[2].name = cols[2].column = f->m2m_to_column;
	cols[2].rel_table = f->rel_table;
	cols[2].rel_column = f->rel_column;
	cols[2].rel_type = f->rel_type;
	cols[2].rel_max_length = f->rel_max_length;
	cols[2].rel_max_digits = f->rel_max_digits;
	cols[2].rel_decimal_places = f->rel_decimal_places;
	paircols[0] = f->m2m_from_column;
	paircols[1] = f->m2m_to_column;
	{
		char		base[3 * VC_IDENT_MAX + 4];

		snprintf(base, sizeof(base), "%s_%s_%s", f->m2m_table, paircols[0], paircols[1]);
		vc_model_make_name(base, "uniq", name);
	}
	pair.name = name;
	pair.type = VC_CONSTRAINT_UNIQUE;
	pair.columns = paircols;
	pair.ncolumns = 2;
	jm.constraints = &pair;
	jm.nconstraints = 1;

	vc_buf_init(&b, out->alloc);
	if ((rc = create_table_buf(&b, &jm, jm.table, d, err)) != VC_OK)
	{
		vc_buf_reset(&b);
		return rc;
	}
	if ((rc = vc_sql_list_push(out, &b, err)) != VC_OK)
		return rc;
	/* the unique pair serves lookups from this side; index the other */
	{
		vc_index	ix;
		char		iname[VC_IDENT_MAX + 1];
		char		base[2 * VC_IDENT_MAX + 2];
		bool		desc = false;

		memset(&ix, 0, sizeof(ix));
		snprintf(base, sizeof(base), "%s_%s", f->m2m_table, f->m2m_to_column);
		vc_model_make_name(base, "idx", iname);
		ix.name = iname;
		ix.columns = &paircols[1];
		ix.descending = &desc;
		ix.ncolumns = 1;
		index_buf(&b, f->m2m_table, &ix, d);
		return vc_sql_list_push(out, &b, err);
	}
}

/* Indexes and the single guard: what follows a CREATE TABLE (or rebuild). */
static vc_code
table_extras(const vc_model *m, vc_dialect d, vc_sql_list *out, vc_error *err)
{
	vc_buf		b;
	size_t		i;
	vc_code		rc;

	vc_buf_init(&b, out->alloc);
	for (i = 0; i < m->nindexes; i++)
	{
		index_buf(&b, m->table, &m->indexes[i], d);
		if ((rc = vc_sql_list_push(out, &b, err)) != VC_OK)
			return rc;
	}
	if (m->single)
	{
		single_buf(&b, m, d);
		if ((rc = vc_sql_list_push(out, &b, err)) != VC_OK)
			return rc;
	}
	return VC_OK;
}

vc_code
vc_ddl_create_model(const vc_model *m, vc_dialect d, vc_sql_list *out,
					vc_error *err)
{
	vc_buf		b;
	size_t		i;
	vc_code		rc;

	if ((rc = dialect_ok(d, err)) != VC_OK)
		return rc;
	if (!vc_model_has_table(m))
		return VC_OK;
	vc_buf_init(&b, out->alloc);
	if ((rc = create_table_buf(&b, m, m->table, d, err)) != VC_OK)
	{
		vc_buf_reset(&b);
		return rc;
	}
	if ((rc = vc_sql_list_push(out, &b, err)) != VC_OK ||
		(rc = table_extras(m, d, out, err)) != VC_OK)
		return rc;
	for (i = 0; i < m->nfields; i++)
		if (m->fields[i].type == VC_FT_MANYTOMANY && m->fields[i].m2m_table &&
			(rc = vc_ddl_create_junction(m, &m->fields[i], d, out, err)) != VC_OK)
			return rc;
	return VC_OK;
}

/* ---- ALTER pieces -------------------------------------------------------- */

static void
alter_table(vc_buf *b, const char *table, vc_dialect d)
{
	vc_buf_puts(b, "ALTER TABLE ");
	q(b, table, d);
	vc_buf_putc(b, ' ');
}

vc_code
vc_ddl_add_column(const vc_alloc *a, const vc_model *m, const vc_field *f,
				  vc_dialect d, char **sql, vc_error *err)
{
	vc_buf		b;
	vc_code		rc;

	*sql = NULL;
	if ((rc = dialect_ok(d, err)) != VC_OK ||
		(rc = check_ident(m->table, "table name", err)) != VC_OK)
		return rc;
	vc_buf_init(&b, a);
	alter_table(&b, m->table, d);
	vc_buf_puts(&b, "ADD COLUMN ");
	if ((rc = vc_ddl_column_def(&b, m, f, d, err)) != VC_OK)
	{
		vc_buf_reset(&b);
		return rc;
	}
	return finish(&b, sql, err);
}

bool
vc_ddl_sqlite_can_add_column(const vc_field *f, const char **why)
{
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (f->primary_key)
		*why = "SQLite cannot add a PRIMARY KEY column";
	else if (f->unique)
		*why = "SQLite cannot add a UNIQUE column";
	else if (f->auto_now || f->auto_now_add)
		*why = "SQLite cannot add a column with a non-constant default";
	else if (!f->null && (f->default_value == NULL || json_is_null(f->default_value)))
		*why = "SQLite cannot add a NOT NULL column without a default";
	else if (vc_field_type_is_fk(f->type) &&
			 (!f->null || (f->default_value && !json_is_null(f->default_value))))
		*why = "SQLite adds a REFERENCES column only when it is nullable without a default";
	return *why == NULL;
}

/*
 * ALTER TABLE table verb name [TO to]: the statements that only name things,
 * once the caller has checked its dialect and every identifier.
 */
static vc_code
alter_named(const vc_alloc *a, const char *table, const char *verb,
			const char *name, const char *to, vc_dialect d, char **sql,
			vc_error *err)
{
	vc_buf		b;

	vc_buf_init(&b, a);
	alter_table(&b, table, d);
	vc_buf_puts(&b, verb);
	q(&b, name, d);
	if (to != NULL)
	{
		vc_buf_puts(&b, " TO ");
		q(&b, to, d);
	}
	return finish(&b, sql, err);
}

vc_code
vc_ddl_drop_column(const vc_alloc *a, const char *table, const char *column,
				   vc_dialect d, char **sql, vc_error *err)
{
	vc_code		rc;

	*sql = NULL;
	if ((rc = dialect_ok(d, err)) != VC_OK ||
		(rc = check_ident(table, "table name", err)) != VC_OK ||
		(rc = check_ident(column, "column name", err)) != VC_OK)
		return rc;
	return alter_named(a, table, "DROP COLUMN ", column, NULL, d, sql, err);
}

vc_code
vc_ddl_rename_column(const vc_alloc *a, const char *table,
					 const char *old_column, const char *new_column,
					 vc_dialect d, char **sql, vc_error *err)
{
	vc_code		rc;

	*sql = NULL;
	if ((rc = dialect_ok(d, err)) != VC_OK ||
		(rc = check_ident(table, "table name", err)) != VC_OK ||
		(rc = check_ident(old_column, "column name", err)) != VC_OK ||
		(rc = check_ident(new_column, "column name", err)) != VC_OK)
		return rc;
	return alter_named(a, table, "RENAME COLUMN ", old_column, new_column, d,
					   sql, err);
}

vc_code
vc_ddl_rename_table(const vc_alloc *a, const char *old_table,
					const char *new_table, vc_dialect d, char **sql,
					vc_error *err)
{
	vc_code		rc;

	*sql = NULL;
	if ((rc = dialect_ok(d, err)) != VC_OK ||
		(rc = check_ident(old_table, "table name", err)) != VC_OK ||
		(rc = check_ident(new_table, "table name", err)) != VC_OK)
		return rc;
	return alter_named(a, old_table, "RENAME TO ", new_table, NULL, d, sql, err);
}

static vc_code
drop_named(const vc_alloc *a, const char *what, const char *desc,
		   const char *name, vc_dialect d, char **sql, vc_error *err)
{
	vc_buf		b;
	vc_code		rc;

	*sql = NULL;
	if ((rc = dialect_ok(d, err)) != VC_OK ||
		(rc = check_ident(name, desc, err)) != VC_OK)
		return rc;
	vc_buf_init(&b, a);
	vc_buf_puts(&b, what);
	q(&b, name, d);
	return finish(&b, sql, err);
}

vc_code
vc_ddl_drop_table(const vc_alloc *a, const char *table, vc_dialect d,
				  char **sql, vc_error *err)
{
	return drop_named(a, "DROP TABLE ", "table name", table, d, sql, err);
}

vc_code
vc_ddl_drop_index(const vc_alloc *a, const char *name, vc_dialect d,
				  char **sql, vc_error *err)
{
	return drop_named(a, "DROP INDEX ", "index name", name, d, sql, err);
}

/* "ALTER TABLE "t" ALTER COLUMN "c" " for PostgreSQL-only changes. */
static vc_code
alter_column_start(vc_buf *b, const vc_model *m, const vc_field *f,
				   vc_dialect d, const char *what, vc_error *err)
{
	vc_code		rc;

	if ((rc = pg_only(d, what, err)) != VC_OK ||
		(rc = check_ident(m->table, "table name", err)) != VC_OK ||
		(rc = check_ident(f->column, "column name", err)) != VC_OK)
		return rc;
	alter_table(b, m->table, d);
	vc_buf_puts(b, "ALTER COLUMN ");
	q(b, f->column, d);
	vc_buf_putc(b, ' ');
	return VC_OK;
}

vc_code
vc_ddl_alter_type(const vc_alloc *a, const vc_model *m, const vc_field *f,
				  vc_dialect d, char **sql, vc_error *err)
{
	vc_buf		b;
	vc_code		rc;

	*sql = NULL;
	vc_buf_init(&b, a);
	if ((rc = alter_column_start(&b, m, f, d, "ALTER COLUMN TYPE", err)) != VC_OK)
	{
		vc_buf_reset(&b);
		return rc;
	}
	vc_buf_puts(&b, "TYPE ");
	if ((rc = vc_type_sql_buf(&b, f, d, err)) != VC_OK)
	{
		vc_buf_reset(&b);
		return rc;
	}
	vc_buf_puts(&b, " USING ");
	q(&b, f->column, d);
	vc_buf_puts(&b, "::");
	vc_type_sql_buf(&b, f, d, err);
	return finish(&b, sql, err);
}

vc_code
vc_ddl_set_not_null(const vc_alloc *a, const vc_model *m, const vc_field *f,
					bool not_null, vc_dialect d, char **sql, vc_error *err)
{
	vc_buf		b;
	vc_code		rc;

	*sql = NULL;
	vc_buf_init(&b, a);
	if ((rc = alter_column_start(&b, m, f, d, "SET/DROP NOT NULL", err)) != VC_OK)
	{
		vc_buf_reset(&b);
		return rc;
	}
	vc_buf_puts(&b, not_null ? "SET NOT NULL" : "DROP NOT NULL");
	return finish(&b, sql, err);
}

vc_code
vc_ddl_set_default(const vc_alloc *a, const vc_model *m, const vc_field *f,
				   vc_dialect d, char **sql, vc_error *err)
{
	vc_buf		b;
	vc_buf		def;
	vc_code		rc;
	bool		has;

	*sql = NULL;
	vc_buf_init(&b, a);
	vc_buf_init(&def, a);
	if ((rc = alter_column_start(&b, m, f, d, "SET/DROP DEFAULT", err)) != VC_OK ||
		(rc = vc_ddl_default_sql(&def, f, d, &has, err)) != VC_OK)
	{
		vc_buf_reset(&b);
		vc_buf_reset(&def);
		return rc;
	}
	if (has)
	{
		vc_buf_puts(&b, "SET DEFAULT ");
		vc_buf_append(&b, def.data ? def.data : "", def.len);
		if (def.failed)
			b.failed = 1;
	}
	else
		vc_buf_puts(&b, "DROP DEFAULT");
	vc_buf_reset(&def);
	return finish(&b, sql, err);
}

vc_code
vc_ddl_add_constraint(const vc_alloc *a, const vc_model *m,
					  const vc_constraint *k, vc_dialect d, char **sql,
					  vc_error *err)
{
	vc_buf		b;
	vc_code		rc;

	*sql = NULL;
	if ((rc = pg_only(d, "ADD CONSTRAINT", err)) != VC_OK ||
		(rc = check_ident(m->table, "table name", err)) != VC_OK)
		return rc;
	vc_buf_init(&b, a);
	alter_table(&b, m->table, d);
	vc_buf_puts(&b, "ADD ");
	constraint_body(&b, k, d);
	return finish(&b, sql, err);
}

vc_code
vc_ddl_add_field_constraint(const vc_alloc *a, const vc_model *m,
							const vc_field *f, vc_field_constraint kind,
							vc_dialect d, char **sql, vc_error *err)
{
	vc_buf		b;
	vc_code		rc;
	char		name[VC_IDENT_MAX + 1];
	bool		has;

	*sql = NULL;
	if ((rc = pg_only(d, "ADD CONSTRAINT", err)) != VC_OK ||
		(rc = check_ident(m->table, "table name", err)) != VC_OK)
		return rc;
	if (f->column == NULL ||
		(kind == VC_FC_UNIQUE && (!f->unique || f->primary_key)) ||
		(kind == VC_FC_FKEY && !vc_field_type_is_fk(f->type)))
		return VC_OK;
	vc_buf_init(&b, a);
	alter_table(&b, m->table, d);
	vc_ddl_field_constraint_name(m, f, kind, name);
	vc_buf_puts(&b, "ADD CONSTRAINT ");
	q(&b, name, d);
	switch (kind)
	{
		case VC_FC_UNIQUE:
			vc_buf_puts(&b, " UNIQUE (");
			q(&b, f->column, d);
			vc_buf_putc(&b, ')');
			break;
		case VC_FC_CHECK:
			vc_buf_puts(&b, " CHECK (");
			if ((rc = vc_type_check_buf(&b, f, d, &has, err)) != VC_OK || !has)
			{
				vc_buf_reset(&b);
				return rc;
			}
			vc_buf_putc(&b, ')');
			break;
		case VC_FC_FKEY:
			if (!f->resolved)
			{
				vc_buf_reset(&b);
				return vc_error_set(err, VC_ERR_INTERNAL,
									"field \"%s\": relation target not resolved",
									f->name);
			}
			vc_buf_puts(&b, " FOREIGN KEY (");
			q(&b, f->column, d);
			vc_buf_puts(&b, ") ");
			references(&b, f, d);
			break;
	}
	return finish(&b, sql, err);
}

vc_code
vc_ddl_drop_constraint(const vc_alloc *a, const char *table, const char *name,
					   vc_dialect d, char **sql, vc_error *err)
{
	vc_code		rc;

	*sql = NULL;
	if ((rc = pg_only(d, "DROP CONSTRAINT", err)) != VC_OK ||
		(rc = check_ident(table, "table name", err)) != VC_OK ||
		(rc = check_ident(name, "constraint name", err)) != VC_OK)
		return rc;
	return alter_named(a, table, "DROP CONSTRAINT ", name, NULL, d, sql, err);
}

/* ---- SQLite rebuild ------------------------------------------------------ */

vc_code
vc_ddl_sqlite_rebuild(const vc_model *m, const vc_copy_column *copy,
					  size_t ncopy, vc_sql_list *out, vc_error *err)
{
	const vc_dialect d = VC_DIALECT_SQLITE;
	char		tmp[VC_IDENT_MAX + 1];
	char		base[VC_IDENT_MAX + 16];
	vc_buf		b;
	size_t		i,
				j;
	vc_code		rc;

	if (!vc_model_has_table(m))
		return vc_error_set(err, VC_ERR_INVALID_PARAM,
							"model \"%s\" has no table to rebuild", m->label);
	for (i = 0; i < ncopy; i++)
	{
		if ((rc = check_ident(copy[i].old_column, "column name", err)) != VC_OK)
			return rc;
		for (j = 0; j < m->nfields; j++)
			if (m->fields[j].column &&
				strcmp(m->fields[j].column, copy[i].new_column ? copy[i].new_column : "") == 0)
				break;
		if (j == m->nfields)
			return vc_error_set(err, VC_ERR_UNDEFINED_COLUMN,
								"model \"%s\" has no column \"%s\" to copy into",
								m->label, copy[i].new_column ? copy[i].new_column : "");
	}
	snprintf(base, sizeof(base), "_viper_new_%s", m->table);
	vc_model_make_name(base, NULL, tmp);
	vc_buf_init(&b, out->alloc);
	if ((rc = create_table_buf(&b, m, tmp, d, err)) != VC_OK)
	{
		vc_buf_reset(&b);
		return rc;
	}
	if ((rc = vc_sql_list_push(out, &b, err)) != VC_OK)
		return rc;
	if (ncopy > 0)
	{
		vc_buf_puts(&b, "INSERT INTO ");
		q(&b, tmp, d);
		vc_buf_puts(&b, " (");
		for (i = 0; i < ncopy; i++)
		{
			if (i)
				vc_buf_puts(&b, ", ");
			q(&b, copy[i].new_column, d);
		}
		vc_buf_puts(&b, ") SELECT ");
		for (i = 0; i < ncopy; i++)
		{
			if (i)
				vc_buf_puts(&b, ", ");
			q(&b, copy[i].old_column, d);
		}
		vc_buf_puts(&b, " FROM ");
		q(&b, m->table, d);
		if ((rc = vc_sql_list_push(out, &b, err)) != VC_OK)
			return rc;
	}
	vc_buf_puts(&b, "DROP TABLE ");
	q(&b, m->table, d);
	if ((rc = vc_sql_list_push(out, &b, err)) != VC_OK)
		return rc;
	vc_buf_puts(&b, "ALTER TABLE ");
	q(&b, tmp, d);
	vc_buf_puts(&b, " RENAME TO ");
	q(&b, m->table, d);
	if ((rc = vc_sql_list_push(out, &b, err)) != VC_OK)
		return rc;
	return table_extras(m, d, out, err);
}
