/*
 * vc_query.h — the portable query compiler (DESIGN §5, §6, §12
 * "Semantics"): QuerySpec JSON + catalog → ONE parameterised SQL statement
 * per call for PostgreSQL ($1..$n) or SQLite (?1..?n), with typed bound
 * parameters and a description of the result columns so a host writes each
 * row's JSON text directly from them.
 *
 * Guarantees (tests enforce them):
 *   - values are ALWAYS parameters, never text of the SQL; identifiers come
 *     from the catalog (validated when the model was parsed) and are quoted
 *     with vc_ident_quote_buf; LIKE patterns are vc_like_escape'd values
 *     bound as parameters with ESCAPE '\';
 *   - the SQL depends only on the spec's SHAPE (keys, operators, list
 *     lengths, which values are null) and the model — never on the
 *     principal — so hosts may cache statements by (label, shape,
 *     catalog_version);
 *   - limits are checked BEFORE any SQL is built (54001): condition
 *     nesting ≤ 32, `in` lists ≤ 10,000, spec text ≤ 1 MiB, relation
 *     paths ≤ 5 hops.
 *
 * Tables are aliased "t0" (the queried model), "t1", "t2"... in join order;
 * every column reference is qualified ("t0"."title").
 *
 * Semantics decided here:
 *   - ordering: every ORDER BY term spells its NULL placement, NULLS LAST
 *     for ASC and NULLS FIRST for DESC (PostgreSQL's own defaults, made
 *     explicit so SQLite — whose default is the opposite — orders the same
 *     way and keyset conditions agree with the order). The pk is appended
 *     to every ordering that lacks it (total order, stable pages). No
 *     order_by and no meta.ordering: ORDER BY pk. "?" = random() (no
 *     keyset with it).
 *   - `after`: a JSON array with one value per ordering term INCLUDING the
 *     appended pk (length = order_by terms + 1 unless the pk is already in
 *     order_by). Compiled to the exact lexicographic "strictly after"
 *     condition honouring each term's direction and NULL placement, in an
 *     index-friendly form: a row comparison `("t0"."qty", "t0"."id") >
 *     ($1, $2)` when every term is a NOT NULL column of the queried model
 *     in one direction and no value is null; otherwise the lexicographic
 *     OR ANDed with a range bound on the first term (`>=` for ASC on a
 *     NOT NULL column, `<=` for DESC, `IS NULL` for ASC after a null).
 *   - $not / exclude: compiled as `(cond) IS NOT TRUE` on both hosts
 *     (SQLite ≥ 3.23), so rows where the column is NULL come back, like
 *     Django. A lookup under $not whose path crosses a many-valued
 *     relation (M2M, reverse FK / M2M) is a correlated
 *     `EXISTS (SELECT 1 FROM <related tables> WHERE <correlation> AND
 *     <lookup>)` (the relation's hops from the first many-valued one on
 *     live in the sub-select), so $not means "no related row matches",
 *     like Django's exclude(); isnull true / exact null there is
 *     `(NOT EXISTS (<related rows>) OR EXISTS (...))`. Outside $not such
 *     paths stay joins.
 *   - joins: a ForeignKey/OneToOne path in a filter is an INNER JOIN when
 *     the filter is reached only through AND (and no $not) and the relation
 *     is NOT NULL; LEFT JOIN when the FK is nullable, inside $or/$not, in
 *     ordering, in `related`, or in `values`. {"author": 5},
 *     {"author_id": 5} and {"author__id": 5} compare "t0"."author_id"
 *     without any join. Joins are shared per path (one join per distinct
 *     relation path). M2M paths join the junction then the target (a row
 *     can repeat unless distinct). Reverse relations (related_name / the
 *     lower-case model name) are followed in filters as LEFT JOINs.
 *   - contains/startswith/endswith are case-sensitive on both hosts:
 *     PostgreSQL `LIKE $n ESCAPE '\'`; SQLite `instr(x, ?n) > 0`,
 *     `substr(x, 1, length(?n)) = ?n`,
 *     `(length(?n) = 0 OR substr(x, -length(?n)) = ?n)`
 *     (SQLite's LIKE folds ASCII case). i-variants: PostgreSQL
 *     `ILIKE $n ESCAPE '\'` (Unicode-aware), SQLite
 *     `lower(x) LIKE lower(?n) ESCAPE '\'` (ASCII-only folding unless the
 *     ICU extension replaces lower(); documented). iexact: both hosts
 *     `lower(x) = lower(p)` (PostgreSQL lower() is Unicode-aware).
 *   - regex/iregex: pattern passes vc_regex_validate (2201B) first;
 *     PostgreSQL `~` / `~*`; SQLite `x REGEXP ?n` for both, the iregex
 *     parameter being the pattern prefixed with "(?i)" — the SQLite host
 *     registers regexp(pattern, text) and honours that prefix.
 *   - for_update: PostgreSQL `FOR UPDATE [OF "t0"] [NOWAIT | SKIP LOCKED]`
 *     ("OF t0" whenever there are joins: outer-joined rows cannot be
 *     locked). SQLite: accepted and compiles to nothing — a write
 *     transaction locks the whole database, so the rows are already safe;
 *     vc_compiled.for_update still tells the host the caller asked for it
 *     (hosts require a transaction in both cases).
 *   - auto_now / auto_now_add fields given on input (insert row, update
 *     changes) are ignored, like Django: the database sets them — insert
 *     leaves them to the column DEFAULT; update sets every auto_now field
 *     to PostgreSQL now() / SQLite strftime('%Y-%m-%dT%H:%M:%fZ', 'now').
 *   - defaults: omitted fields take the column DEFAULT (the database fills
 *     it); an AutoField pk is never required. A missing NOT NULL field
 *     without default, or null for a NOT NULL field, is 23502 (the
 *     database's own not_null_violation) naming the field; "" for a field
 *     without blank, or a value outside choices, is 22023.
 *   - max_affected (update/delete): the statement is
 *     `... WHERE pk IN (SELECT pk ... LIMIT max_affected + 1)` so at most
 *     max_affected + 1 rows are touched; the host runs it inside a
 *     savepoint/transaction and calls vc_compiled_check_affected() with the
 *     row count: more than max_affected → P0003 and the host rolls back.
 *
 * Result columns: hosts read columns [0, ncols) only; a SELECT DISTINCT
 * may carry hidden trailing columns (its ORDER BY terms) after them.
 * count/exists/aggregate ignore the max_rows cap (they return one row).
 * Hosts that cache statements by shape include whether max_rows is 0.
 *
 * Known limits: insert permission checks of new rows are the host's (see
 * vc_perm_fn). A keyset page ordered by a nullable ASC column gets no
 * index bound (NULLs sort after every value: no single range covers the
 * rows after one).
 *
 * Memory: a vc_compiled owns everything it points to (one pool) and is
 * released by vc_compiled_free; the catalog must outlive it (models are
 * borrowed). Thread safety: compile calls only read the catalog.
 */
#ifndef VC_QUERY_H
#define VC_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "vc_alloc.h"
#include "vc_catalog.h"
#include "vc_error.h"
#include "vc_model.h"
#include "vc_validate.h"
#include "vc_value.h"

/* Limits of DESIGN §5 (54001 past them). */
#define VC_QUERY_MAX_DEPTH 32		/* condition nesting */
#define VC_QUERY_MAX_IN 10000		/* items of an `in` list */
#define VC_QUERY_MAX_SPEC (1024 * 1024)	/* spec text bytes */
#define VC_QUERY_MAX_HOPS 5			/* relations in one path */

/* ---- permissions hook (DESIGN §8; implemented by a later issue) ------- */

typedef enum vc_perm_action
{
	VC_PERM_SELECT = 0,
	VC_PERM_INSERT,
	VC_PERM_UPDATE,
	VC_PERM_DELETE
} vc_perm_action;

/*
 * The statement being built, as seen by a permission predicate provider:
 * it may append SQL text, quoted identifiers, and bound parameters (the
 * parameter is copied; its placeholder number is assigned here).
 */
typedef struct vc_sql_sink vc_sql_sink;

void		vc_sink_sql(vc_sql_sink *s, const char *sql);
void		vc_sink_ident(vc_sql_sink *s, const char *name);
vc_code		vc_sink_param(vc_sql_sink *s, const vc_param *p, vc_error *err);

/*
 * Predicate provider: called for EVERY occurrence of a model in the
 * statement (the queried table and each joined table, junction targets
 * included) with the action and the table's alias (unquoted, e.g. "t1";
 * write columns as vc_sink_ident(alias) "." vc_sink_ident(column)).
 * It appends a boolean SQL expression and sets *applied = true, or
 * appends nothing and leaves *applied false (no restriction). The compiler
 * ANDs it into WHERE (queried table) or into the join's ON clause (joined
 * tables: a hidden far-side row becomes NULL in a LEFT JOIN, §8).
 * The predicate must not depend on who the principal is (read it inside
 * the SQL with scalar sub-selects) so compiled SQL can be cached.
 * Insert: called once with VC_PERM_INSERT and alias NULL — the later
 * issue checks new rows on the host side; the compiler only records
 * vc_compiled.perm_insert = applied.
 */
typedef vc_code (*vc_perm_fn) (void *ud, const vc_model *m,
							   vc_perm_action action, const char *alias,
							   vc_sql_sink *sink, bool *applied,
							   vc_error *err);

/* ---- options ----------------------------------------------------------- */

typedef struct vc_query_opts
{
	vc_dialect	dialect;		/* VC_DIALECT_POSTGRESQL or _SQLITE (22023 else) */
	int64_t		max_rows;		/* viper.max_query_rows: 0 = no cap; a cap
								 * truncates like LIMIT (min of both) */
	size_t		spec_len;		/* length of the spec text the host parsed
								 * (> 1 MiB → 54001); 0 = not known */
	vc_perm_fn	perm;			/* NULL: no predicates */
	void	   *perm_ud;
} vc_query_opts;

/* ---- compiled statements --------------------------------------------- */

/* What the statement returns and how the host turns it into the result. */
typedef enum vc_result_kind
{
	VC_RESULT_ROWS = 0,			/* rows → JSON objects (query, values) */
	VC_RESULT_ONE,				/* get: 0 rows → P0002, > 1 → P0003
								 * (statement has LIMIT 2) */
	VC_RESULT_COUNT,			/* one row, one bigint column */
	VC_RESULT_EXISTS,			/* one row, one boolean (0/1 on SQLite) */
	VC_RESULT_OBJECT,			/* aggregate: one row → one JSON object */
	VC_RESULT_AFFECTED,			/* DML: the host reports the affected count */
	VC_RESULT_RETURNING			/* insert: RETURNING rows → JSON objects
								 * (0 rows for ON CONFLICT DO NOTHING) */
} vc_result_kind;

/* How one result column is written into the row's JSON. */
typedef enum vc_out_kind
{
	VC_OUT_NUMBER = 0,			/* digits as they come (PG numeric, int,
								 * float); non-finite text ("NaN",
								 * "Infinity") is written as a string */
	VC_OUT_STRING,				/* escaped JSON string */
	VC_OUT_BOOLEAN,				/* true/false from "t"/"f", 1/0, "true"... */
	VC_OUT_JSON,				/* raw JSON text (jsonb, json, arrays) */
	VC_OUT_BYTES				/* hex string: PG "\x.." text loses "\x";
								 * SQLite BLOB is hex-encoded */
} vc_out_kind;

/*
 * One result column, in SELECT-list (or RETURNING) order. The row JSON
 * is built by walking columns in order: a column with nest >= 0 belongs
 * to nested object nests[nest]; the columns of one nested object are
 * contiguous and follow the columns of their parent object.
 */
typedef struct vc_out_col
{
	const char *key;			/* JSON key (last element of path) */
	const char **path;			/* keys from the row object down:
								 * {"author", "name"} */
	size_t		npath;
	vc_out_kind kind;
	int			nest;			/* -1: top-level key; else index in nests */
	const vc_field *field;		/* the field it reads, NULL for computed */
} vc_out_col;

/* A nested related object (select_related). */
typedef struct vc_out_nest
{
	const char *key;			/* key in the parent object ("author") */
	int			parent;			/* -1: the row object; else a nest index */
	size_t		first_col;		/* its own columns [first_col, end_col) —
								 * nested children come after end_col */
	size_t		end_col;
	size_t		pk_col;			/* the related pk's column: NULL → the whole
								 * object (and its children) is JSON null */
	const vc_model *model;
} vc_out_nest;

typedef enum vc_stmt_kind
{
	VC_STMT_SELECT = 0,
	VC_STMT_COUNT,
	VC_STMT_EXISTS,
	VC_STMT_AGGREGATE,
	VC_STMT_INSERT,
	VC_STMT_UPDATE,
	VC_STMT_DELETE,
	VC_STMT_LOCK				/* get_or_create serialisation (PG) */
} vc_stmt_kind;

typedef struct vc_compiled
{
	vc_stmt_kind stmt;
	vc_result_kind result;
	vc_dialect	dialect;
	const vc_model *model;		/* borrowed from the catalog */
	char	   *sql;			/* NUL-terminated */
	size_t		sql_len;
	vc_param   *params;			/* params[k] is $k+1 / ?k+1 */
	size_t		nparams;
	vc_out_col *cols;			/* result columns (ROWS, ONE, OBJECT,
								 * RETURNING); NULL otherwise */
	size_t		ncols;
	vc_out_nest *nests;
	size_t		nnests;
	char	   *shape;			/* the spec with every value replaced by
								 * its kind ("?", "null", "[n]"): a cache key
								 * together with label and operation */
	bool		ignore_permissions; /* spec asked for it: the host checks
									 * bypass rights and audits */
	bool		for_update;		/* spec asked for it: host requires a
								 * transaction */
	int64_t		max_affected;	/* -1 = none (see vc_compiled_check_affected) */
	bool		perm_insert;	/* insert: a predicate provider applied */
	struct vc_pool *pool;		/* private */
} vc_compiled;

/* Release a compiled statement. Accepts NULL. */
void		vc_compiled_free(vc_compiled *c);

/*
 * For update/delete with max_affected: P0003 `update of "blog.Post" would
 * affect more than 10 rows (max_affected)` when affected > max_affected.
 * VC_OK otherwise (and always when max_affected is -1).
 */
vc_code		vc_compiled_check_affected(const vc_compiled *c, int64_t affected,
									   vc_error *err);

/* viper.compile's `params` column: a JSON array of the bound values
 * (numbers, strings, booleans, null; bytes as hex strings). New reference. */
vc_code		vc_compiled_params_json(const vc_compiled *c, json_t **out,
									vc_error *err);

/*
 * Build one row's JSON object text into b from the result columns.
 * cells[k] describes column k: the host's text for it (PG: SPI output text
 * or the column's text; SQLite: sqlite3_column_text / blob) — see
 * vc_out_kind for how each kind is read. 53200 on OOM (b marked failed);
 * XX000 when a NUMBER/JSON cell is empty (host bug).
 */
typedef struct vc_cell
{
	const char *data;
	size_t		len;
	bool		isnull;
	bool		blob;			/* data is raw bytes (SQLite BLOB) */
} vc_cell;

vc_code		vc_row_json(vc_buf *b, const vc_compiled *c, const vc_cell *cells,
						vc_error *err);

/* ---- read side ---------------------------------------------------------- */

/*
 * The spec keys of DESIGN §5: where, order_by, limit, offset, only, defer,
 * distinct, annotate, aggregate, values, related, after, for_update,
 * ignore_permissions, max_affected. Unknown key → 22023 with a hint.
 * Which keys an operation accepts is listed at each function; a key that
 * does not apply (e.g. "aggregate" in a query) is 22023.
 *
 * spec may be NULL (= {}). label: "app.Model" (42P01 unknown).
 */

/* viper.query: rows. All read keys except aggregate/max_affected. */
vc_code		vc_compile_query(const vc_alloc *a, const vc_catalog *cat,
							 const char *label, const json_t *spec,
							 const vc_query_opts *o, vc_compiled **out,
							 vc_error *err);

/* viper.get: like query with LIMIT 2 (offset kept); result VC_RESULT_ONE. */
vc_code		vc_compile_get(const vc_alloc *a, const vc_catalog *cat,
						   const char *label, const json_t *spec,
						   const vc_query_opts *o, vc_compiled **out,
						   vc_error *err);

/*
 * viper.count: SELECT count(*) FROM (<query without ORDER BY, columns pk
 * or the values/distinct list>) when distinct, limit/offset or grouping
 * (values + aggregate annotations) need it; else SELECT count(*) FROM ...
 * WHERE .... The max_rows cap does not apply.
 */
vc_code		vc_compile_count(const vc_alloc *a, const vc_catalog *cat,
							 const char *label, const json_t *spec,
							 const vc_query_opts *o, vc_compiled **out,
							 vc_error *err);

/* viper.exists: SELECT EXISTS (SELECT 1 ... LIMIT 1). */
vc_code		vc_compile_exists(const vc_alloc *a, const vc_catalog *cat,
							  const char *label, const json_t *spec,
							  const vc_query_opts *o, vc_compiled **out,
							  vc_error *err);

/*
 * viper.aggregate: spec "aggregate": {"alias": AGG} (required, non-empty)
 * over the filtered rows (where, distinct, limit/offset apply through a
 * sub-select when present). One row; VC_RESULT_OBJECT; count → NUMBER,
 * sum/avg → NUMBER, max/min → the field's kind.
 */
vc_code		vc_compile_aggregate(const vc_alloc *a, const vc_catalog *cat,
								 const char *label, const json_t *spec,
								 const vc_query_opts *o, vc_compiled **out,
								 vc_error *err);

/* ---- write side --------------------------------------------------------- */

/*
 * viper.insert: one row object {field: value}; FK given as "author" or
 * "author_id". Returns the stored row (RETURNING all columns, same output
 * description as a plain query). on_conflict_nothing: ON CONFLICT DO
 * NOTHING (used by get_or_create). read_only model → 25006; M2M fields
 * → 22023 (use m2m_*); unknown field → 42703 + hint.
 */
vc_code		vc_compile_insert(const vc_alloc *a, const vc_catalog *cat,
							  const char *label, const json_t *row,
							  bool on_conflict_nothing,
							  const vc_query_opts *o, vc_compiled **out,
							  vc_error *err);

/*
 * viper.bulk_create: rows[first .. first+n) as ONE multi-row INSERT
 * (VALUES (...), (...)); every row must name the same fields (the union is
 * used; a missing key takes DEFAULT on PostgreSQL — SQLite has no DEFAULT
 * in a multi-row VALUES, so there a missing key is bound as the field's
 * default value or NULL). The host calls this per batch of
 * vc_bulk_batch_rows(model, nfields) rows. VC_RESULT_AFFECTED.
 */
vc_code		vc_compile_bulk_create(const vc_alloc *a, const vc_catalog *cat,
								   const char *label, const json_t *rows,
								   size_t first, size_t n,
								   const vc_query_opts *o, vc_compiled **out,
								   vc_error *err);

/* Rows per bulk batch so a statement stays under 32,766 parameters. */
size_t		vc_bulk_batch_rows(size_t nfields_per_row);

/*
 * viper.update: spec (where, max_affected, ignore_permissions; others
 * 22023) + changes {field: EXPR}. EXPR may use {"$f"} / $add.. of fields
 * of the same model. auto_now fields are set by the SQL. VC_RESULT_AFFECTED.
 */
vc_code		vc_compile_update(const vc_alloc *a, const vc_catalog *cat,
							  const char *label, const json_t *spec,
							  const json_t *changes, const vc_query_opts *o,
							  vc_compiled **out, vc_error *err);

/* viper.delete: spec (where, max_affected, ignore_permissions). */
vc_code		vc_compile_delete(const vc_alloc *a, const vc_catalog *cat,
							  const char *label, const json_t *spec,
							  const vc_query_opts *o, vc_compiled **out,
							  vc_error *err);

/*
 * viper.bulk_update: rows (each carrying the pk) and the fields to set.
 * ONE statement: UPDATE t SET f = CASE pk WHEN $1 THEN $2 ... ELSE f END
 * WHERE pk IN (...). VC_RESULT_AFFECTED.
 */
vc_code		vc_compile_bulk_update(const vc_alloc *a, const vc_catalog *cat,
								   const char *label, const json_t *rows,
								   const json_t *fields,
								   const vc_query_opts *o, vc_compiled **out,
								   vc_error *err);

/*
 * get_or_create / update_or_create. Protocol (one transaction or
 * savepoint; two racing sessions end with one row, one created = true):
 *   1. lock (PostgreSQL only, may be NULL): SELECT pg_advisory_xact_lock($1)
 *      with a key derived from label + lookup — serialises racers even
 *      without a unique constraint. SQLite: NULL — the host runs the steps
 *      in a write transaction (BEGIN IMMEDIATE or an already writing one),
 *      which SQLite serialises.
 *   2. select (VC_RESULT_ONE over the lookup): one row → found;
 *      several → P0003.
 *   3. found: get_or_create returns (row, false); update_or_create runs
 *      `update` (UPDATE ... WHERE pk = <row's pk> RETURNING *, its first
 *      param is left NULL and the host sets params[0] from the row's pk:
 *      see pk_param) and returns (its row, false).
 *   4. not found: run `insert` (lookup ∪ defaults, ON CONFLICT DO NOTHING
 *      when on_conflict is true); a row back → (row, true); no row (a
 *      racer won under a unique constraint) → run `select` again →
 *      (row, false).
 */
typedef struct vc_goc
{
	vc_compiled *lock;			/* NULL on SQLite */
	vc_compiled *select;
	vc_compiled *insert;			/* NULL when the new row cannot be built
								 * (required field missing, bad default):
								 * the host compiles vc_compile_insert
								 * (lookup keys without "__" + defaults)
								 * to report why, only if it must insert */
	vc_compiled *update;		/* update_or_create only, else NULL */
	bool		on_conflict;	/* insert has ON CONFLICT DO NOTHING */
	size_t		pk_param;		/* update: index of the pk parameter */
} vc_goc;

vc_code		vc_compile_get_or_create(const vc_alloc *a, const vc_catalog *cat,
									 const char *label, const json_t *lookup,
									 const json_t *defaults, bool update,
									 const vc_query_opts *o, vc_goc *out,
									 vc_error *err);
void		vc_goc_free(vc_goc *g);

/*
 * Many-to-many on the junction table of field `field` of the row with
 * primary key pk. add: INSERT ... ON CONFLICT DO NOTHING (VC_RESULT_
 * AFFECTED = rows added); remove: DELETE ... IN (...); clear: DELETE all
 * of pk; set: two statements, [0] deletes the links not in pks, [1] adds
 * the missing ones (result = sum). pks: JSON array of target pks (ignored
 * for clear), typed by the target's pk. out must have room for 2
 * statements; *nout says how many were compiled (0 for add/remove of an
 * empty list: nothing to do, result 0). Free with vc_compiled_free_list.
 * Permissions (o->perm): changing links is an UPDATE of the source row, so
 * every statement ANDs EXISTS (SELECT 1 FROM <source> AS "t0" WHERE
 * "t0".pk = <pk> AND <update predicate of t0>); add takes the target keys
 * from INSERT ... SELECT <pk>, "t1".pk FROM <target> AS "t1" WHERE
 * "t1".pk IN (...) AND <select predicate of t1>, so a hidden (or missing)
 * target is not linked. No predicate applied: the plain statements above.
 */
typedef enum vc_m2m_op
{
	VC_M2M_ADD = 0,
	VC_M2M_REMOVE,
	VC_M2M_SET,
	VC_M2M_CLEAR
} vc_m2m_op;

vc_code		vc_compile_m2m(const vc_alloc *a, const vc_catalog *cat,
						   const char *label, vc_m2m_op op, const json_t *pk,
						   const char *field, const json_t *pks,
						   const vc_query_opts *o, vc_compiled **out,
						   size_t *nout, vc_error *err);
void		vc_compiled_free_list(vc_compiled **list, size_t n);

/*
 * Single models (meta.single): get_single = vc_compile_get with spec {}
 * (no row → P0002);
 * create_single = vc_compile_insert (23505 from the database's one-row
 * guard); update_single = vc_compile_update with spec {}. Calling these on
 * a model without meta.single is 22023 — vc_model_check_single says so.
 */
vc_code		vc_model_check_single(const vc_model *m, vc_error *err);

#endif
