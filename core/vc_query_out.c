/*
 * vc_query_out.c — what a compiled statement gives back to a host: the
 * result-column description (vc_out_col / vc_out_nest), the row JSON
 * writer that turns one result row into its JSON object text, the params
 * JSON of viper.compile, the max_affected check, and releasing.
 *
 * The row writer is shared by both hosts so a row looks the same on
 * PostgreSQL and SQLite: numbers as the database prints them (non-finite
 * values as strings), booleans from "t"/"f" or 1/0, bytes as lower-case
 * hex, JSON verbatim.
 */
#include "vc_query_int.h"

#include <stdio.h>
#include <string.h>

#include "vc_text.h"

vc_code
vq_add_col(qctx *q, vc_compiled *c, const char *key, const char *const *path,
		   size_t npath, vc_out_kind kind, int nest, const vc_field *field)
{
	vc_out_col *col;
	size_t		i,
				need,
				klen = strlen(key);
	char	   *mem,
			   *sp;

	/* capacity is implicit: 8, then doubled whenever ncols hits a power of 2 */
	if (c->ncols == 0 || (c->ncols >= 8 && (c->ncols & (c->ncols - 1)) == 0))
	{
		size_t		ncap = c->ncols == 0 ? 8 : c->ncols * 2;
		vc_out_col *nc = vc_pool_alloc(q->pool, ncap * sizeof(vc_out_col));

		if (nc == NULL)
			return vq_oom(q);
		if (c->ncols)
			memcpy(nc, c->cols, c->ncols * sizeof(vc_out_col));
		c->cols = nc;
	}
	col = &c->cols[c->ncols];
	memset(col, 0, sizeof(*col));
	/* one allocation holds the path array, its strings and the key */
	need = (npath ? npath : 1) * sizeof(char *) + klen + 1;
	for (i = 0; i < npath; i++)
		need += strlen(path[i]) + 1;
	mem = vc_pool_alloc(q->pool, need);
	if (mem == NULL)
		return vq_oom(q);
	col->path = (const char **) mem;
	sp = mem + (npath ? npath : 1) * sizeof(char *);
	for (i = 0; i < npath; i++)
	{
		size_t		l = strlen(path[i]);

		memcpy(sp, path[i], l + 1);
		col->path[i] = sp;
		sp += l + 1;
	}
	memcpy(sp, key, klen + 1);
	col->key = sp;
	col->npath = npath;
	col->kind = kind;
	col->nest = nest;
	col->field = field;
	c->ncols++;
	return VC_OK;
}

void
vc_compiled_free(vc_compiled *c)
{
	if (c != NULL)
		vc_pool_destroy(c->pool);
}

void
vc_compiled_free_list(vc_compiled **list, size_t n)
{
	size_t		i;

	if (list == NULL)
		return;
	for (i = 0; i < n; i++)
		vc_compiled_free(list[i]);
}

void
vc_goc_free(vc_goc *g)
{
	if (g == NULL)
		return;
	vc_compiled_free(g->lock);
	vc_compiled_free(g->select);
	vc_compiled_free(g->insert);
	vc_compiled_free(g->update);
	memset(g, 0, sizeof(*g));
}

vc_code
vc_compiled_check_affected(const vc_compiled *c, int64_t affected, vc_error *err)
{
	if (c->max_affected < 0 || affected <= c->max_affected)
		return VC_OK;
	vc_error_set(err, VC_ERR_TOO_MANY_ROWS,
				 "%s of \"%s\" would affect more than %lld rows (max_affected)",
				 c->stmt == VC_STMT_DELETE ? "delete" : "update", c->model->label,
				 (long long) c->max_affected);
	vc_error_hint(err, "Narrow the filter or raise max_affected; nothing was changed.");
	return VC_ERR_TOO_MANY_ROWS;
}

vc_code
vc_model_check_single(const vc_model *m, vc_error *err)
{
	if (m->single)
		return VC_OK;
	vc_error_set(err, VC_ERR_INVALID_PARAM, "model \"%s\" is not a single model",
				 m->label);
	vc_error_hint(err, "Single-model functions need meta.single = true.");
	return VC_ERR_INVALID_PARAM;
}

vc_code
vc_compiled_params_json(const vc_compiled *c, json_t **out, vc_error *err)
{
	json_t	   *a = json_array();
	size_t		i;

	*out = NULL;
	if (a == NULL)
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	for (i = 0; i < c->nparams; i++)
	{
		const vc_param *p = &c->params[i];
		json_t	   *v;

		switch (p->kind)
		{
			case VC_PARAM_NULL:
				v = json_null();
				break;
			case VC_PARAM_BOOL:
				v = json_boolean(p->b);
				break;
			case VC_PARAM_INT:
				v = json_integer(p->i);
				break;
			case VC_PARAM_DOUBLE:
				v = json_real(p->d);
				break;
			case VC_PARAM_JSON:
				v = json_loadb(p->text, p->len, JSON_DECODE_ANY, NULL);
				break;
			case VC_PARAM_BYTES:
				/* hex digits without PostgreSQL's "\x" */
				if (p->len >= 2 && p->text[0] == '\\' && p->text[1] == 'x')
					v = json_stringn(p->text + 2, p->len - 2);
				else
					v = json_stringn(p->text, p->len);
				break;
			default:
				v = json_stringn(p->text, p->len);
				break;
		}
		if (v == NULL || json_array_append_new(a, v) != 0)
		{
			json_decref(a);
			return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
		}
	}
	*out = a;
	return VC_OK;
}

/* ---- row JSON ----------------------------------------------------------- */

static void
json_string_buf(vc_buf *b, const char *s, size_t len)
{
	size_t		i;

	vc_buf_putc(b, '"');
	for (i = 0; i < len; i++)
	{
		unsigned char ch = (unsigned char) s[i];

		switch (ch)
		{
			case '"':
				vc_buf_puts(b, "\\\"");
				break;
			case '\\':
				vc_buf_puts(b, "\\\\");
				break;
			case '\n':
				vc_buf_puts(b, "\\n");
				break;
			case '\r':
				vc_buf_puts(b, "\\r");
				break;
			case '\t':
				vc_buf_puts(b, "\\t");
				break;
			default:
				if (ch < 0x20)
					vc_buf_printf(b, "\\u%04x", ch);
				else
					vc_buf_putc(b, (char) ch);
		}
	}
	vc_buf_putc(b, '"');
}

/* -?digits[.digits][(e|E)[+-]digits]: JSON's number grammar (leading
 * zeros tolerated: databases never print them). */
static bool
json_number_text(const char *s, size_t len)
{
	size_t		i = 0,
				d;

	if (i < len && s[i] == '-')
		i++;
	for (d = i; i < len && vc_ascii_isdigit((unsigned char) s[i]); i++);
	if (i == d)
		return false;
	if (i < len && s[i] == '.')
	{
		for (d = ++i; i < len && vc_ascii_isdigit((unsigned char) s[i]); i++);
		if (i == d)
			return false;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E'))
	{
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = i; i < len && vc_ascii_isdigit((unsigned char) s[i]); i++);
		if (i == d)
			return false;
	}
	return i == len;
}

static vc_code
cell_json(vc_buf *b, const vc_out_col *col, const vc_cell *cell, vc_error *err)
{
	static const char hexd[] = "0123456789abcdef";
	size_t		i;

	if (cell->isnull || cell->data == NULL)
	{
		vc_buf_puts(b, "null");
		return VC_OK;
	}
	switch (col->kind)
	{
		case VC_OUT_NUMBER:
			if (cell->len == 0)
				return vc_error_set(err, VC_ERR_INTERNAL,
									"empty number for column \"%s\"", col->key);
			if (json_number_text(cell->data, cell->len))
				vc_buf_append(b, cell->data, cell->len);
			else
				json_string_buf(b, cell->data, cell->len);
			return VC_OK;
		case VC_OUT_BOOLEAN:
			{
				bool		t = (cell->len >= 1 && (cell->data[0] == 't' || cell->data[0] == 'T' ||
													(cell->data[0] >= '1' && cell->data[0] <= '9')));

				vc_buf_puts(b, t ? "true" : "false");
				return VC_OK;
			}
		case VC_OUT_JSON:
			if (cell->len == 0)
				return vc_error_set(err, VC_ERR_INTERNAL,
									"empty JSON for column \"%s\"", col->key);
			vc_buf_append(b, cell->data, cell->len);
			return VC_OK;
		case VC_OUT_BYTES:
			vc_buf_putc(b, '"');
			if (cell->blob)
				for (i = 0; i < cell->len; i++)
				{
					unsigned char ch = (unsigned char) cell->data[i];

					vc_buf_putc(b, hexd[ch >> 4]);
					vc_buf_putc(b, hexd[ch & 15]);
				}
			else
			{
				const char *s = cell->data;
				size_t		len = cell->len;

				if (len >= 2 && s[0] == '\\' && s[1] == 'x')
					s += 2, len -= 2;
				for (i = 0; i < len; i++)
					if (vc_ascii_isalnum((unsigned char) s[i]))
						vc_buf_putc(b, (char) vc_ascii_tolower((unsigned char) s[i]));
			}
			vc_buf_putc(b, '"');
			return VC_OK;
		default:
			json_string_buf(b, cell->data, cell->len);
			return VC_OK;
	}
}

static vc_code
write_obj(vc_buf *b, const vc_compiled *c, const vc_cell *cells, int nest,
		  int depth, vc_error *err)
{
	size_t		k;
	int			j;
	bool		first = true;
	vc_code		rc;

	if (depth > VC_QUERY_MAX_HOPS + 1)
		return vc_error_set(err, VC_ERR_INTERNAL, "nested objects too deep");
	vc_buf_putc(b, '{');
	for (k = 0; k < c->ncols; k++)
	{
		if (c->cols[k].nest != nest)
			continue;
		if (!first)
			vc_buf_putc(b, ',');
		first = false;
		json_string_buf(b, c->cols[k].key, strlen(c->cols[k].key));
		vc_buf_putc(b, ':');
		if ((rc = cell_json(b, &c->cols[k], &cells[k], err)) != VC_OK)
			return rc;
	}
	for (j = 0; j < (int) c->nnests; j++)
	{
		const vc_out_nest *n = &c->nests[j];

		if (n->parent != nest)
			continue;
		if (!first)
			vc_buf_putc(b, ',');
		first = false;
		json_string_buf(b, n->key, strlen(n->key));
		vc_buf_putc(b, ':');
		if (cells[n->pk_col].isnull || cells[n->pk_col].data == NULL)
			vc_buf_puts(b, "null");
		else if ((rc = write_obj(b, c, cells, j, depth + 1, err)) != VC_OK)
			return rc;
	}
	vc_buf_putc(b, '}');
	return VC_OK;
}

vc_code
vc_row_json(vc_buf *b, const vc_compiled *c, const vc_cell *cells, vc_error *err)
{
	vc_code		rc = write_obj(b, c, cells, -1, 0, err);

	if (rc == VC_OK && b->failed)
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	return rc;
}
