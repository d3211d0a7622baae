/*
 * vc_perm.h — row-level permissions, portable part (DESIGN §8, §12
 * "Privileges"): grants loaded from the catalog, the permission predicate
 * the query compiler ANDs into every statement (a vc_perm_fn), the CHECK
 * predicate for new rows, and the text of PostgreSQL RLS policies.
 *
 * A grant is (model, action, role, predicate):
 *   action     select, insert, update, delete or all (all counts for each);
 *   role       "*" (everyone), "authenticated" (a principal is set),
 *              "anonymous" (none is set), or an application role name
 *              ([A-Za-z_][A-Za-z0-9_]*, at most 63 bytes, case-sensitive)
 *              that must be among the principal's roles;
 *   predicate  NULL (every row) or an expression (§7) over the model's
 *              columns (column or field names) and principal().
 *
 * The predicate of model m for action a, as the compiler receives it:
 *
 *   ((<role test 1> AND (<predicate 1 or TRUE>)) OR ...)
 *
 * with only the grants for a (or all) on m, in catalog order; no grant →
 * (FALSE): default deny. There is no bypass term: when the caller bypasses
 * permissions (bypass_permissions active, ignore_permissions) the host
 * compiles without a predicate (opts.perm = NULL) and skips the new-row
 * checks — so the planner sees only the grants and can use an index on
 * e.g. owner_id = principal(). A model with meta.permissions false
 * gets nothing (*applied = false). Every reading of the session's state
 * is a scalar sub-select (evaluated once per statement, not per row) of a
 * function the host provides — the SQL text never contains who the
 * principal is, so one cached statement serves every principal:
 *
 *                 PostgreSQL                          SQLite
 *   principal     (SELECT viper.principal())          (SELECT viper_principal())
 *   roles         CAST((SELECT viper.principal_roles()) AS text[])
 *                                                     (SELECT viper_principal_roles())
 *   "*"           TRUE                                TRUE
 *   anonymous     <principal> IS NULL                 <principal> IS NULL
 *   authenticated <principal> IS NOT NULL             <principal> IS NOT NULL
 *   role R        $n = ANY (CAST((SELECT viper.principal_roles()) AS text[]))
 *                 (the CAST keeps ANY the array form: ANY ((SELECT ...))
 *                 would be read as ANY (subquery) and compare text[])
 *                 EXISTS (SELECT 1 FROM json_each((SELECT viper_principal_roles()))
 *                         WHERE value = ?n)
 *                 (R is a BOUND parameter, text)
 *
 * The bypass function returns true (1) only while an audited
 * bypass_permissions is active in the current transaction; the principal
 * functions return NULL / an empty array when none is set. SQLite's
 * viper_principal_roles() returns a JSON array of strings.
 *
 * Rendering of predicates (vc_expr_render.c): columns become
 * "<alias>"."<column>"; literals are bound parameters (typed by the column
 * they are compared with, like QuerySpec values); principal() compared
 * with a column is cast to its type — PostgreSQL
 * CAST((SELECT viper.principal()) AS integer|bigint|uuid|text|...);
 * SQLite: INTEGER columns get the principal as an INTEGER only when its
 * text is exactly an integer ("5x" and "alice" match nothing), UUID columns
 * compare lower-case, others compare as text. principal() elsewhere is
 * text.
 *
 * Memory: a vc_perms owns everything (one pool) and borrows the catalog it
 * was loaded against, which must outlive it; hosts keep one per catalog
 * version. Thread safety: applying a loaded vc_perms only reads it.
 */
#ifndef VC_PERM_H
#define VC_PERM_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "vc_alloc.h"
#include "vc_catalog.h"
#include "vc_error.h"
#include "vc_query.h"

/* Functions the hosts provide (schema-qualified on PostgreSQL). */
#define VC_PERM_PG_PRINCIPAL "viper.principal"
#define VC_PERM_PG_ROLES "viper.principal_roles"
#define VC_PERM_PG_BYPASS "viper._bypass_active"
#define VC_PERM_SQLITE_PRINCIPAL "viper_principal"
#define VC_PERM_SQLITE_ROLES "viper_principal_roles"
#define VC_PERM_SQLITE_BYPASS "viper__bypass_active"

/* The USING expression of the per-table bypass policy (PostgreSQL). */
#define VC_PERM_PG_BYPASS_POLICY "(SELECT viper._bypass_active())"

typedef enum vc_grant_action
{
	VC_GRANT_SELECT = 0,		/* same values as vc_perm_action */
	VC_GRANT_INSERT,
	VC_GRANT_UPDATE,
	VC_GRANT_DELETE,
	VC_GRANT_ALL
} vc_grant_action;

typedef enum vc_grant_role
{
	VC_ROLE_EVERYONE = 0,		/* "*" */
	VC_ROLE_AUTHENTICATED,
	VC_ROLE_ANONYMOUS,
	VC_ROLE_NAMED
} vc_grant_role;

/* One validated grant (read-only view; strings owned by the vc_perms). */
typedef struct vc_grant
{
	const vc_model *model;		/* borrowed from the catalog */
	vc_grant_action action;
	const char *action_name;	/* "select" ... "all" */
	vc_grant_role role_kind;
	const char *role;			/* as given: "*", "authenticated", "editor" */
	const char *predicate;		/* as given, or NULL */
	struct vc_pexpr *expr;		/* private: the parsed predicate */
	size_t		index;			/* private: position in the input */
} vc_grant;

typedef struct vc_perms vc_perms;

/*
 * Load grant rows — the JSON array the host reads from viper.grants /
 * viper_grants: [{"model": "blog.Post", "action": "select", "role": "*",
 * "predicate": null | "expr"}, ...] — against a loaded catalog. Every
 * grant is validated again (the catalog may have changed since it was
 * granted). Errors: XX000 rows not an array / row not an object / model,
 * action or role not a string (host bug); otherwise those of
 * vc_grant_validate; 53200. *out: vc_perms_free.
 */
vc_code		vc_perms_load(const vc_alloc *a, const vc_catalog *cat,
						  const json_t *rows, vc_perms **out, vc_error *err);
/* The same from JSON text (22P02 when it is not JSON). */
vc_code		vc_perms_load_text(const vc_alloc *a, const vc_catalog *cat,
							   const char *text, size_t len, vc_perms **out,
							   vc_error *err);
/* Release. Accepts NULL. */
void		vc_perms_free(vc_perms *p);

const vc_catalog *vc_perms_catalog(const vc_perms *p);
size_t		vc_perms_count(const vc_perms *p);
/* Grants sorted by model label, input order within a model. */
const vc_grant *vc_perms_grant(const vc_perms *p, size_t i);

/*
 * Validate one grant (viper.grant's arguments; predicate NULL = none):
 *   42P01  unknown model (hint: nearest label)
 *   22023  grant on "blog.Post": invalid action "read"   (hint lists them)
 *   22023  grant on "blog.Post": invalid role "a b"      (hint says the rule)
 *   42601  grant on "blog.Post" (select, role "editor"): invalid expression:
 *          <what> at position <n>          (position = offset in predicate)
 *   42703  grant on "blog.Post" (select, role "editor"): column "x" does
 *          not exist                        (hint: nearest column)
 *   22P02 / 22007 / 22003  a literal that cannot be a value of the column
 *          it is compared with (same prefix)
 * Action is case-insensitive; *action_out (may be NULL) receives its
 * lower-case spelling, the form to store.
 */
vc_code		vc_grant_validate(const vc_alloc *a, const vc_catalog *cat,
							  const char *model, size_t model_len,
							  const char *action, size_t action_len,
							  const char *role, size_t role_len,
							  const char *predicate, size_t predicate_len,
							  const char **action_out, vc_error *err);

/*
 * The vc_perm_fn to plug into vc_query_opts (perm = vc_perms_apply,
 * perm_ud = the vc_perms). The dialect is the statement's. Insert (alias
 * NULL): appends nothing and sets *applied when the model has permissions
 * — the host then checks the new rows with vc_perm_check_sql.
 */
vc_code		vc_perms_apply(void *ud, const vc_model *m, vc_perm_action action,
						   const char *alias, vc_sql_sink *sink, bool *applied,
						   vc_error *err);

/* A predicate as standalone SQL text with its own parameters. */
typedef struct vc_perm_sql
{
	bool		applied;		/* false: no restriction (sql is NULL) */
	char	   *sql;			/* NUL-terminated */
	size_t		sql_len;
	vc_param   *params;			/* params[k] is placeholder first + k + 1 */
	size_t		nparams;
	struct vc_pool *pool;		/* private */
} vc_perm_sql;

/*
 * The CHECK predicate a new row must satisfy (insert, or update's new
 * version: WITH CHECK semantics — the same grants as the action's USING
 * predicate), in the same form as vc_perms_apply, for columns qualified by
 * alias (e.g. the table name inside RETURNING) or bare (alias NULL).
 * Placeholders continue a statement that already has first_param
 * parameters ($first_param+1 ... / ?first_param+1 ...). The host runs it
 * over each new row and raises 42501 when it is not true. *out:
 * vc_perm_sql_free (also after an error).
 */
vc_code		vc_perm_check_sql(const vc_alloc *a, const vc_perms *p,
							  const vc_model *m, vc_perm_action action,
							  vc_dialect d, const char *alias,
							  size_t first_param, vc_perm_sql *out,
							  vc_error *err);
void		vc_perm_sql_free(vc_perm_sql *s);

/*
 * PostgreSQL RLS: the expression of grant i as one policy's USING / WITH
 * CHECK text — `<role test> AND (<predicate or TRUE>)` with bare column
 * names, viper's functions and pg_catalog functions and operators
 * schema-qualified, and every value a typed SQL literal (policies have no
 * parameters; quotes doubled, E'' with doubled backslashes when a
 * backslash occurs). The host creates one PERMISSIVE policy per grant
 * (FOR vc_grant_policy_command(g)) plus one USING
 * (VC_PERM_PG_BYPASS_POLICY) per table, with search_path pg_catalog,
 * pg_temp. *out is allocated with a.
 */
vc_code		vc_perm_policy_sql(const vc_alloc *a, const vc_perms *p, size_t i,
							   char **out, size_t *outlen, vc_error *err);

/* "SELECT", "INSERT", "UPDATE", "DELETE" or "ALL". */
const char *vc_grant_policy_command(const vc_grant *g);

/*
 * Render one expression (validated here against m's columns, principal()
 * allowed) into a compiler statement: columns qualified by alias (NULL:
 * bare), literals bound through the sink, in the sink's dialect.
 */
vc_code		vc_expr_render(const vc_alloc *a, const vc_model *m,
						   const char *expr, size_t len, const char *alias,
						   vc_sql_sink *sink, vc_error *err);

#endif
