/*
 * vc_model_int.h — private helpers shared by the model-schema files
 * (vc_model.c, vc_model_field.c, vc_model_set.c, vc_model_json.c). Not part
 * of the core's public API; hosts include vc_model.h only.
 *
 * The pool: every allocation of a model or set is one vc_malloc block with
 * a small header linking it into the pool's list, so a parse that fails
 * half-way releases everything with one walk, and the JSON references a
 * model keeps (defaults, choices) are released by the same walk.
 */
#ifndef VC_MODEL_INT_H
#define VC_MODEL_INT_H

#include <stdarg.h>

#include "vc_model.h"

typedef struct vc_pool
{
	const vc_alloc *alloc;
	struct vc_pool_node *head;
} vc_pool;

vc_pool    *vc_pool_create(const vc_alloc *a);
void		vc_pool_destroy(vc_pool *p);
/* Zeroed memory owned by the pool; NULL when allocation fails. */
void	   *vc_pool_alloc(vc_pool *p, size_t size);
char	   *vc_pool_strdup(vc_pool *p, const char *s);
char	   *vc_pool_strndup(vc_pool *p, const char *s, size_t len);
/* Keep a reference to j until the pool dies (json_incref); false on OOM. */
bool		vc_pool_keep_json(vc_pool *p, json_t *j);

/*
 * Error context: which model (and field) a message is about. label is
 * "app.Name" when known, else "#<index>" of the model in its set.
 */
typedef struct vc_mctx
{
	vc_pool    *pool;
	char		label[2 * VC_IDENT_MAX + 8];
	const char *field;			/* current field name, or NULL */
	vc_error   *err;
} vc_mctx;

/* Set err with the `model "x", field "y": ` prefix; returns code. */
vc_code		vc_mctx_error(vc_mctx *c, vc_code code, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));
/* Put the same prefix in front of a message another function wrote. */
vc_code		vc_mctx_prefix(vc_mctx *c, vc_code code);
/* 53200 with the prefix. */
vc_code		vc_mctx_oom(vc_mctx *c);
/* Validate an identifier; 42602 with the prefix. */
vc_code		vc_mctx_ident(vc_mctx *c, const char *name, const char *what);

/* Parse one field object (vc_model_field.c). app: the model's app, for
 * qualifying a bare "to". model_name: for junction column names. */
vc_code		vc_field_parse(vc_mctx *c, const json_t *obj, const char *app,
						   const char *model_name, const char *table,
						   vc_field *f);

/* Check a default/choice value against a field (vc_model_field.c). */
vc_code		vc_field_check_value(vc_mctx *c, const vc_field *f,
								 const json_t *v, const char *what);

/* Lower-case copy of an ASCII identifier into out (size ≥ 64). */
void		vc_lower_ident(const char *s, char *out, size_t outsz);

/* Parse a model into storage the pool owns (vc_model.c). index is the
 * model's position in its set (for messages), -1 for a lone model. */
vc_code		vc_model_parse_into(vc_pool *pool, const json_t *schema,
								long index, vc_model *m, vc_error *err);

/* Resolve what can be resolved inside the model itself (self references). */
void		vc_model_resolve_self(vc_model *m);

#endif
