/*
 * introspect.c — viper_introspect(table): what a table of the main schema
 * looks like right now, as the introspection JSON of core/vc_plan.h. The
 * planner diffs the desired models against this (not the catalog alone),
 * so a change made by hand is seen.
 *
 * Sources, all read with bound names (no SQL is built from input):
 *   columns        pragma_table_xinfo (declared type as written)
 *   indexes        pragma_index_list + pragma_index_info; the WHERE of a
 *                  partial index is cut from its CREATE INDEX text
 *   foreign keys   pragma_foreign_key_list (actions as SQLite spells them)
 *   triggers       sqlite_master
 *   checks, uniques, constraint names
 *                  the CREATE TABLE text: SQLite keeps no catalog of named
 *                  constraints, so a small tokenizer (quotes, comments and
 *                  parentheses respected) finds `CONSTRAINT "n" CHECK (…)`,
 *                  `CONSTRAINT "n" UNIQUE …` and the names of foreign keys.
 *
 * Table names are matched without regard to ASCII case, as SQLite does.
 * Memory: the token array is sqlite3_malloc'ed and freed before return;
 * the result is a jansson tree owned by the caller.
 */
#include "schema_sync.h"

#include <stdlib.h>
#include <string.h>

#include "vc_text.h"
#include "vc_json.h"

/* ---- tokenizer for CREATE TABLE / CREATE INDEX text ---- */

typedef enum tok_kind
{
	TK_WORD,					/* bare word, number or keyword */
	TK_QUOTED,					/* "x", `x` or [x] */
	TK_STRING,					/* 'x' */
	TK_LPAREN,
	TK_RPAREN,
	TK_COMMA,
	TK_OTHER
} tok_kind;

typedef struct tok
{
	tok_kind	kind;
	const char *s;
	size_t		len;
	int			depth;			/* parenthesis depth outside the token */
} tok;

typedef struct tok_list
{
	tok		   *t;
	size_t		n;
	size_t		cap;
} tok_list;

static int
tok_push(tok_list *l, tok_kind kind, const char *s, size_t len, int depth)
{
	if (l->n == l->cap)
	{
		size_t		cap = l->cap ? 2 * l->cap : 64;
		tok		   *nt = sqlite3_realloc64(l->t, cap * sizeof(tok));

		if (nt == NULL)
			return 0;
		l->t = nt;
		l->cap = cap;
	}
	l->t[l->n].kind = kind;
	l->t[l->n].s = s;
	l->t[l->n].len = len;
	l->t[l->n].depth = depth;
	l->n++;
	return 1;
}

static int
is_word_char(unsigned char c)
{
	return vc_ascii_isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/*
 * Split sql into tokens. Comments and white space are dropped; an
 * unterminated quote or comment ends the text (SQLite accepted the text,
 * so this only happens for trailing garbage we do not need). Returns 0 on
 * out of memory.
 */
static int
tokenize(const char *sql, tok_list *l)
{
	const char *p = sql;
	int			depth = 0;

	while (*p)
	{
		unsigned char c = (unsigned char) *p;
		const char *start = p;

		if (vc_ascii_isspace(c))
			p++;
		else if (c == '-' && p[1] == '-')
		{
			while (*p && *p != '\n')
				p++;
		}
		else if (c == '/' && p[1] == '*')
		{
			p += 2;
			while (*p && !(*p == '*' && p[1] == '/'))
				p++;
			p += *p ? 2 : 0;
		}
		else if (c == '\'' || c == '"' || c == '`' || c == '[')
		{
			char		close = c == '[' ? ']' : (char) c;

			p++;
			for (;;)
			{
				if (*p == '\0')
					break;
				if (*p == close)
				{
					/* a doubled quote is part of the text ([...] has none) */
					if (close != ']' && p[1] == close)
					{
						p += 2;
						continue;
					}
					p++;
					break;
				}
				p++;
			}
			if (!tok_push(l, c == '\'' ? TK_STRING : TK_QUOTED, start,
						  (size_t) (p - start), depth))
				return 0;
		}
		else if (c == '(')
		{
			if (!tok_push(l, TK_LPAREN, p++, 1, depth))
				return 0;
			depth++;
		}
		else if (c == ')')
		{
			depth = depth > 0 ? depth - 1 : 0;
			if (!tok_push(l, TK_RPAREN, p++, 1, depth))
				return 0;
		}
		else if (c == ',')
		{
			if (!tok_push(l, TK_COMMA, p++, 1, depth))
				return 0;
		}
		else if (is_word_char(c))
		{
			while (*p && is_word_char((unsigned char) *p))
				p++;
			if (!tok_push(l, TK_WORD, start, (size_t) (p - start), depth))
				return 0;
		}
		else
		{
			if (!tok_push(l, TK_OTHER, p++, 1, depth))
				return 0;
		}
	}
	return 1;
}

/* Is token i the keyword kw (ASCII case-insensitive)? */
static int
tok_is(const tok_list *l, size_t i, const char *kw)
{
	size_t		k;

	if (i >= l->n || l->t[i].kind != TK_WORD || strlen(kw) != l->t[i].len)
		return 0;
	for (k = 0; k < l->t[i].len; k++)
		if (vc_ascii_toupper((unsigned char) l->t[i].s[k]) != kw[k])
			return 0;
	return 1;
}

/* The index of the ')' closing the '(' at i, or l->n. */
static size_t
tok_close(const tok_list *l, size_t i)
{
	size_t		j;

	for (j = i + 1; j < l->n; j++)
		if (l->t[j].kind == TK_RPAREN && l->t[j].depth == l->t[i].depth)
			return j;
	return l->n;
}

/* A name token as a JSON string, quotes removed and doubled quotes undone. */
static json_t *
tok_name(const tok *t)
{
	char		buf[4 * VC_IDENT_MAX + 4];
	size_t		n = 0,
				k;

	if (t->kind == TK_QUOTED || t->kind == TK_STRING)
	{
		char		q = t->s[0] == '[' ? ']' : t->s[0];
		size_t		end = t->len;

		if (end >= 2 && t->s[end - 1] == q)
			end--;
		for (k = 1; k < end && n < sizeof(buf) - 1; k++)
		{
			buf[n++] = t->s[k];
			if (q != ']' && t->s[k] == q && k + 1 < end && t->s[k + 1] == q)
				k++;
		}
	}
	else
	{
		for (k = 0; k < t->len && n < sizeof(buf) - 1; k++)
			buf[n++] = t->s[k];
	}
	return json_stringn(buf, n);
}

/* The source text between tokens a and b (exclusive), trimmed. */
static json_t *
text_between(const char *from, const char *to)
{
	while (from < to && vc_ascii_isspace((unsigned char) *from))
		from++;
	while (to > from && vc_ascii_isspace((unsigned char) to[-1]))
		to--;
	return json_stringn(from, (size_t) (to - from));
}

/* Names of a parenthesised column list at token i: ("a", b COLLATE x, …). */
static json_t *
column_list(const tok_list *l, size_t i, size_t *after)
{
	json_t	   *cols = json_array();
	size_t		close = tok_close(l, i);
	size_t		j;
	int			want = 1;

	for (j = i + 1; j < close && cols; j++)
	{
		const tok  *t = &l->t[j];

		if (t->depth != l->t[i].depth + 1)
			continue;
		if (t->kind == TK_COMMA)
			want = 1;
		else if (want && (t->kind == TK_WORD || t->kind == TK_QUOTED ||
						  t->kind == TK_STRING))
		{
			if (json_array_append_new(cols, tok_name(t)) != 0)
			{
				json_decref(cols);
				cols = NULL;
			}
			want = 0;
		}
	}
	*after = close < l->n ? close + 1 : l->n;
	return cols;
}

/* What the CREATE TABLE text names: checks, uniques, foreign keys. */
typedef struct table_text
{
	json_t	   *checks;			/* [{"name", "expression"}] */
	json_t	   *uniques;		/* [{"name", "columns"}] */
	json_t	   *fk_names;		/* [{"name", "columns"}] */
} table_text;

static int
add_named(json_t *arr, json_t *name, const char *key, json_t *value)
{
	json_t	   *o;

	if (name == NULL || value == NULL)
	{
		json_decref(value);
		return value != NULL || name == NULL;
	}
	o = vc_json_object_new();
	if (o == NULL ||
		json_object_set(o, "name", name) != 0 ||
		json_object_set_new(o, key, value) != 0 ||
		json_array_append_new(arr, o) != 0)
	{
		json_decref(o);
		return 0;
	}
	return 1;
}

/*
 * The constraints of one definition of the table body, tokens [a, b) at
 * body depth d. column is the column's name for a column definition, NULL
 * for a table constraint. A CONSTRAINT name applies to the constraint that
 * follows it only. Returns 0 on out of memory.
 */
static int
scan_definition(const tok_list *l, size_t a, size_t b, int d,
				json_t *column, table_text *tt)
{
	json_t	   *pending = NULL;
	size_t		i = a;
	int			ok = 1;

	while (i < b && ok)
	{
		if (l->t[i].depth != d)
		{
			i++;
			continue;
		}
		if (tok_is(l, i, "CONSTRAINT") && i + 1 < b)
		{
			json_decref(pending);
			pending = tok_name(&l->t[i + 1]);
			ok = pending != NULL;
			i += 2;
			continue;
		}
		if (tok_is(l, i, "CHECK") && i + 1 < b && l->t[i + 1].kind == TK_LPAREN)
		{
			size_t		close = tok_close(l, i + 1);
			const char *end = close < l->n ? l->t[close].s : l->t[i + 1].s + 1;

			ok = add_named(tt->checks, pending, "expression",
						   text_between(l->t[i + 1].s + 1, end));
			i = close < b ? close + 1 : b;
		}
		else if (tok_is(l, i, "UNIQUE"))
		{
			json_t	   *cols = NULL;

			i++;
			if (column != NULL)
			{
				cols = json_array();
				if (cols == NULL || json_array_append(cols, column) != 0)
					ok = 0;
			}
			else if (i < b && l->t[i].kind == TK_LPAREN)
				cols = column_list(l, i, &i);
			if (ok)
				ok = add_named(tt->uniques, pending, "columns", cols);
			else
				json_decref(cols);
		}
		else if (tok_is(l, i, "FOREIGN") && tok_is(l, i + 1, "KEY") &&
				 i + 2 < b && l->t[i + 2].kind == TK_LPAREN)
		{
			json_t	   *cols = column_list(l, i + 2, &i);

			ok = add_named(tt->fk_names, pending, "columns", cols);
		}
		else if (tok_is(l, i, "REFERENCES") && column != NULL)
		{
			json_t	   *cols = json_array();

			if (cols == NULL || json_array_append(cols, column) != 0)
			{
				json_decref(cols);
				ok = 0;
			}
			else
				ok = add_named(tt->fk_names, pending, "columns", cols);
			i++;
		}
		else if (tok_is(l, i, "PRIMARY") || tok_is(l, i, "NOT") ||
				 tok_is(l, i, "NULL") || tok_is(l, i, "DEFAULT") ||
				 tok_is(l, i, "COLLATE") || tok_is(l, i, "GENERATED") ||
				 tok_is(l, i, "AS"))
		{
			/* a constraint we do not list: its name is not kept */
			json_decref(pending);
			pending = NULL;
			i++;
			continue;
		}
		else
		{
			i++;
			continue;
		}
		json_decref(pending);
		pending = NULL;
	}
	json_decref(pending);
	return ok;
}

/* Fill tt from a CREATE TABLE statement. Returns 0 on out of memory. */
static int
scan_create_table(const char *sql, table_text *tt)
{
	tok_list	l = {NULL, 0, 0};
	size_t		i,
				open,
				close,
				start;
	int			ok;

	ok = tokenize(sql, &l);
	for (open = 0; ok && open < l.n; open++)
		if (l.t[open].kind == TK_LPAREN && l.t[open].depth == 0)
			break;
	if (!ok || open >= l.n)
	{
		sqlite3_free(l.t);
		return ok;
	}
	close = tok_close(&l, open);
	start = open + 1;
	for (i = start; ok && i <= close && i <= l.n; i++)
	{
		if (i < close && i < l.n &&
			!(l.t[i].kind == TK_COMMA && l.t[i].depth == 1))
			continue;
		if (start < i)
		{
			int			table_constraint =
				tok_is(&l, start, "CONSTRAINT") || tok_is(&l, start, "PRIMARY") ||
				tok_is(&l, start, "UNIQUE") || tok_is(&l, start, "CHECK") ||
				tok_is(&l, start, "FOREIGN");

			if (table_constraint)
				ok = scan_definition(&l, start, i, 1, NULL, tt);
			else
			{
				json_t	   *col = tok_name(&l.t[start]);

				ok = col != NULL &&
					scan_definition(&l, start + 1, i, 1, col, tt);
				json_decref(col);
			}
		}
		start = i + 1;
	}
	sqlite3_free(l.t);
	return ok;
}

/*
 * The predicate of a partial index: the text after the top-level WHERE of
 * its CREATE INDEX statement. *out is NULL when there is none.
 */
static int
index_predicate(const char *sql, json_t **out)
{
	tok_list	l = {NULL, 0, 0};
	size_t		i;

	*out = NULL;
	if (!tokenize(sql, &l))
		return 0;
	for (i = 0; i < l.n; i++)
		if (l.t[i].depth == 0 && tok_is(&l, i, "WHERE"))
		{
			const char *from = l.t[i].s + l.t[i].len;

			*out = text_between(from, from + strlen(from));
			break;
		}
	sqlite3_free(l.t);
	return i >= l.n || *out != NULL;
}

/* ---- the pragma readers ---- */

typedef struct intro
{
	sqlite3    *db;
	const char *table;			/* the table's own spelling */
	vc_error   *err;
} intro;

static vc_code
db_fail(intro *in, int rc)
{
	return viper_sqlite_db_error(in->db, rc, "could not introspect the table",
								 NULL, in->err);
}

static vc_code
oom(intro *in)
{
	return vc_error_set(in->err, VC_ERR_OUT_OF_MEMORY, "out of memory");
}

/* Prepare sql and bind ?1 (and ?2 when b is not NULL). */
static int
prep(intro *in, const char *sql, const char *a, const char *b,
	 sqlite3_stmt **st)
{
	int			rc = sqlite3_prepare_v2(in->db, sql, -1, st, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(*st, 1, a, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK && b != NULL)
		rc = sqlite3_bind_text(*st, 2, b, -1, SQLITE_TRANSIENT);
	return rc;
}

static json_t *
text_or_null(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	if (t == NULL)
		return json_null();
	return json_stringn((const char *) t, (size_t) sqlite3_column_bytes(st, col));
}

static vc_code
read_columns(intro *in, json_t *cols)
{
	sqlite3_stmt *st = NULL;
	int			rc;
	int			npk = 0;
	vc_code		code = VC_OK;

	/* hidden = 1: a virtual table's hidden column, not a column of ours */
	rc = prep(in,
			  "SELECT name, type, \"notnull\", dflt_value, pk"
			  " FROM pragma_table_xinfo(?1, 'main') WHERE hidden <> 1"
			  " ORDER BY cid", in->table, NULL, &st);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
	{
		json_t	   *c = vc_json_object_new();
		int			pk = sqlite3_column_int(st, 4);
		const char *type = (const char *) sqlite3_column_text(st, 1);

		rc = SQLITE_OK;
		if (pk > 0)
			npk++;

		/*
		 * A primary-key column never holds NULL for viper (SQLite lets a
		 * non-INTEGER key be NULL only by an old bug viper never relies
		 * on). identity: an INTEGER PRIMARY KEY aliases the rowid, whose
		 * values SQLite assigns; fixed below once the key's width is
		 * known.
		 */
		if (c == NULL ||
			json_object_set_new(c, "name", text_or_null(st, 0)) != 0 ||
			json_object_set_new(c, "type", json_string(type ? type : "")) != 0 ||
			json_object_set_new(c, "nullable",
								json_boolean(sqlite3_column_int(st, 2) == 0 &&
											 pk == 0)) != 0 ||
			json_object_set_new(c, "default", text_or_null(st, 3)) != 0 ||
			json_object_set_new(c, "identity",
								json_boolean(pk == 1 && type != NULL &&
											 sqlite3_stricmp(type, "INTEGER") == 0)) != 0 ||
			json_object_set_new(c, "primary_key", json_boolean(pk > 0)) != 0 ||
			json_array_append_new(cols, c) != 0)
		{
			json_decref(c);
			code = oom(in);
			break;
		}
	}
	if (code == VC_OK && rc != SQLITE_DONE)
		code = db_fail(in, rc);
	sqlite3_finalize(st);

	/* a composite key is never a rowid alias */
	if (code == VC_OK && npk > 1)
	{
		size_t		i;
		json_t	   *c;

		json_array_foreach(cols, i, c)
			json_object_set_new(c, "identity", json_false());
	}
	return code;
}

/* Append the first column of every row of sql (?1 = a) to out. */
static vc_code
read_names(intro *in, const char *sql, const char *a, json_t *out)
{
	sqlite3_stmt *st = NULL;
	int			rc;
	vc_code		code = VC_OK;

	rc = prep(in, sql, a, NULL, &st);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
	{
		rc = SQLITE_OK;
		if (json_array_append_new(out, text_or_null(st, 0)) != 0)
		{
			code = oom(in);
			break;
		}
	}
	if (code == VC_OK && rc != SQLITE_DONE)
		code = db_fail(in, rc);
	sqlite3_finalize(st);
	return code;
}

/* The columns of index `name` (null entries for expressions). */
static vc_code
index_columns(intro *in, const char *name, json_t **out)
{
	json_t	   *cols = json_array();
	vc_code		code;

	if (cols == NULL)
		return oom(in);
	code = read_names(in, "SELECT name FROM pragma_index_info(?1, 'main')"
					  " ORDER BY seqno", name, cols);
	if (code != VC_OK)
	{
		json_decref(cols);
		return code;
	}
	*out = cols;
	return VC_OK;
}

static vc_code
read_indexes(intro *in, json_t *indexes)
{
	sqlite3_stmt *st = NULL;
	int			rc;
	vc_code		code = VC_OK;

	rc = prep(in,
			  "SELECT l.name, l.\"unique\", l.origin, l.partial, m.sql"
			  " FROM pragma_index_list(?1, 'main') AS l"
			  " LEFT JOIN main.sqlite_master AS m"
			  "  ON m.type = 'index' AND m.name = l.name"
			  " ORDER BY l.name", in->table, NULL, &st);
	while (code == VC_OK && rc == SQLITE_OK &&
		   (rc = sqlite3_step(st)) == SQLITE_ROW)
	{
		const char *name = (const char *) sqlite3_column_text(st, 0);
		const char *origin = (const char *) sqlite3_column_text(st, 2);
		const char *sql = (const char *) sqlite3_column_text(st, 4);
		json_t	   *ix;
		json_t	   *cols = NULL;
		json_t	   *pred = NULL;

		rc = SQLITE_OK;
		if (name == NULL)
			continue;
		if ((code = index_columns(in, name, &cols)) != VC_OK)
			break;
		if (sqlite3_column_int(st, 3) && sql != NULL &&
			!index_predicate(sql, &pred))
		{
			json_decref(cols);
			code = oom(in);
			break;
		}
		ix = vc_json_object_new();
		if (ix == NULL ||
			json_object_set_new(ix, "name", json_string(name)) != 0 ||
			json_object_set_new(ix, "columns", cols) != 0 ||
			json_object_set_new(ix, "unique",
								json_boolean(sqlite3_column_int(st, 1))) != 0 ||
			json_object_set_new(ix, "primary",
								json_boolean(origin && strcmp(origin, "pk") == 0)) != 0 ||
			json_object_set_new(ix, "constraint",
								json_boolean(origin && strcmp(origin, "c") != 0)) != 0 ||
			json_object_set_new(ix, "predicate", pred ? pred : json_null()) != 0 ||
			json_array_append_new(indexes, ix) != 0)
		{
			json_decref(ix);
			code = oom(in);
		}
	}
	if (code == VC_OK && rc != SQLITE_DONE)
		code = db_fail(in, rc);
	sqlite3_finalize(st);
	return code;
}

/* Same column names, in order (ASCII case-insensitive, as SQLite). */
static int
same_columns(const json_t *a, const json_t *b)
{
	size_t		i;

	if (json_array_size(a) != json_array_size(b))
		return 0;
	for (i = 0; i < json_array_size(a); i++)
	{
		const char *x = json_string_value(json_array_get(a, i));
		const char *y = json_string_value(json_array_get(b, i));

		if (x == NULL || y == NULL || sqlite3_stricmp(x, y) != 0)
			return 0;
	}
	return 1;
}

/* The primary-key columns of table t, for a REFERENCES without columns. */
static vc_code
parent_key(intro *in, const char *t, json_t *out)
{
	return read_names(in, "SELECT name FROM pragma_table_info(?1, 'main')"
					  " WHERE pk > 0 ORDER BY pk", t, out);
}

/*
 * Foreign keys, in declaration order (SQLite numbers them from the last
 * one). fk_names: the names the CREATE TABLE text gives, by columns.
 */
static vc_code
read_foreign_keys(intro *in, const json_t *fk_names, json_t *fks)
{
	sqlite3_stmt *st = NULL;
	int			rc;
	vc_code		code = VC_OK;
	json_t	   *cur = NULL;
	int			cur_id = -1;
	int			ref_implicit = 0;

	rc = prep(in,
			  "SELECT id, \"table\", \"from\", \"to\", on_delete"
			  " FROM pragma_foreign_key_list(?1, 'main')"
			  " ORDER BY id DESC, seq", in->table, NULL, &st);
	for (;;)
	{
		int			row = 0;

		if (rc == SQLITE_OK)
		{
			rc = sqlite3_step(st);
			row = rc == SQLITE_ROW;
			if (row)
				rc = SQLITE_OK;
		}
		/* finish the previous key when its id ends */
		if (cur != NULL && (!row || sqlite3_column_int(st, 0) != cur_id))
		{
			json_t	   *cols = json_object_get(cur, "columns");
			json_t	   *name = json_null();
			size_t		i;
			json_t	   *n;

			json_array_foreach(fk_names, i, n)
				if (same_columns(json_object_get(n, "columns"), cols))
			{
				name = json_incref(json_object_get(n, "name"));
				break;
			}
			if (json_object_set_new(cur, "name", name) != 0 ||
				(ref_implicit &&
				 (json_array_clear(json_object_get(cur, "ref_columns")) != 0 ||
				  (code = parent_key(in,
									 json_string_value(json_object_get(cur, "ref_table")),
									 json_object_get(cur, "ref_columns"))) != VC_OK)) ||
				json_array_append_new(fks, cur) != 0)
			{
				if (code == VC_OK)
					code = oom(in);
				json_decref(cur);
				cur = NULL;
				break;
			}
			cur = NULL;
		}
		if (!row)
			break;
		if (cur == NULL)
		{
			cur_id = sqlite3_column_int(st, 0);
			ref_implicit = 0;
			cur = vc_json_object_new();
			/* "name" first, as in vc_plan.h; filled in when the key ends */
			if (cur == NULL ||
				json_object_set_new(cur, "name", json_null()) != 0 ||
				json_object_set_new(cur, "columns", json_array()) != 0 ||
				json_object_set_new(cur, "ref_table", text_or_null(st, 1)) != 0 ||
				json_object_set_new(cur, "ref_columns", json_array()) != 0 ||
				json_object_set_new(cur, "on_delete", text_or_null(st, 4)) != 0)
			{
				code = oom(in);
				break;
			}
		}
		if (sqlite3_column_type(st, 3) == SQLITE_NULL)
			ref_implicit = 1;
		if (json_array_append_new(json_object_get(cur, "columns"),
								  text_or_null(st, 2)) != 0 ||
			json_array_append_new(json_object_get(cur, "ref_columns"),
								  text_or_null(st, 3)) != 0)
		{
			code = oom(in);
			break;
		}
	}
	json_decref(cur);
	if (code == VC_OK && rc != SQLITE_DONE)
		code = db_fail(in, rc);
	sqlite3_finalize(st);
	return code;
}

static vc_code
read_triggers(intro *in, json_t *triggers)
{
	return read_names(in,
					  "SELECT name FROM main.sqlite_master"
					  " WHERE type = 'trigger' AND tbl_name = ?1 COLLATE NOCASE"
					  " ORDER BY name", in->table, triggers);
}

vc_code
viper_sqlite_introspect_table(sqlite3 *db, const char *table, json_t **out,
							  vc_error *err)
{
	sqlite3_stmt *st = NULL;
	intro		in = {db, NULL, err};
	json_t	   *o = vc_json_object_new();
	json_t	   *cols = json_array(),
			   *indexes = json_array(),
			   *fks = json_array(),
			   *triggers = json_array();
	table_text	tt = {json_array(), json_array(), json_array()};
	char	   *name = NULL;
	char	   *sql = NULL;
	int			rc;
	vc_code		code = VC_OK;

	*out = NULL;
	if (o == NULL || cols == NULL || indexes == NULL || fks == NULL ||
		triggers == NULL || tt.checks == NULL || tt.uniques == NULL ||
		tt.fk_names == NULL ||
		json_object_set_new(o, "table", json_string(table)) != 0)
	{
		code = oom(&in);
		goto done;
	}

	rc = prep(&in,
			  "SELECT name, sql FROM main.sqlite_master"
			  " WHERE type = 'table' AND name = ?1 COLLATE NOCASE",
			  table, NULL, &st);
	if (rc == SQLITE_OK)
	{
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
		{
			name = sqlite3_mprintf("%s", sqlite3_column_text(st, 0));
			sql = sqlite3_mprintf("%s", sqlite3_column_text(st, 1) ?
								  (const char *) sqlite3_column_text(st, 1) : "");
			rc = (name && sql) ? SQLITE_OK : SQLITE_NOMEM;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK && rc != SQLITE_DONE)
	{
		code = db_fail(&in, rc);
		goto done;
	}
	if (name == NULL)
	{
		if (json_object_set_new(o, "exists", json_false()) != 0)
			code = oom(&in);
		goto done;
	}
	in.table = name;
	if (!scan_create_table(sql, &tt))
	{
		code = oom(&in);
		goto done;
	}
	if ((code = read_columns(&in, cols)) != VC_OK ||
		(code = read_indexes(&in, indexes)) != VC_OK ||
		(code = read_foreign_keys(&in, tt.fk_names, fks)) != VC_OK ||
		(code = read_triggers(&in, triggers)) != VC_OK)
		goto done;
	if (json_object_set_new(o, "exists", json_true()) != 0 ||
		json_object_set(o, "columns", cols) != 0 ||
		json_object_set(o, "indexes", indexes) != 0 ||
		json_object_set(o, "checks", tt.checks) != 0 ||
		json_object_set(o, "uniques", tt.uniques) != 0 ||
		json_object_set(o, "foreign_keys", fks) != 0 ||
		json_object_set(o, "triggers", triggers) != 0)
		code = oom(&in);

done:
	sqlite3_free(name);
	sqlite3_free(sql);
	json_decref(cols);
	json_decref(indexes);
	json_decref(fks);
	json_decref(triggers);
	json_decref(tt.checks);
	json_decref(tt.uniques);
	json_decref(tt.fk_names);
	if (code != VC_OK)
	{
		json_decref(o);
		return code;
	}
	*out = o;
	return VC_OK;
}

/* viper_introspect(table) → JSON text */
void
viper_sqlite_introspect(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3    *db = sqlite3_context_db_handle(ctx);
	const char *table;
	size_t		len;
	json_t	   *o = NULL;
	char	   *text;
	vc_error	err;

	(void) argc;
	vc_error_clear(&err);
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
	{
		sqlite3_result_null(ctx);
		return;
	}
	table = (const char *) sqlite3_value_text(argv[0]);
	if (table == NULL)
	{
		sqlite3_result_error_nomem(ctx);
		return;
	}
	len = (size_t) sqlite3_value_bytes(argv[0]);
	if (vc_ident_validate(table, len, "table name", &err) != VC_OK ||
		viper_sqlite_introspect_table(db, table, &o, &err) != VC_OK)
	{
		viper_sqlite_raise(ctx, &err);
		return;
	}
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (text == NULL)
	{
		sqlite3_result_error_nomem(ctx);
		return;
	}
	sqlite3_result_text(ctx, text, -1, SQLITE_TRANSIENT);
	free(text);
}
