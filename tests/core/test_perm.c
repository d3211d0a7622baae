/*
 * test_perm.c — row-level permissions of the portable core (vc_perm.h,
 * vc_expr_render.c) against the blog example models: the exact predicate
 * the compiler receives on both dialects (queries, counts, updates,
 * deletes, inserts; joined models in their ON clause), default deny,
 * models without permissions, principal() cast per column type, literals
 * bound, role tests bound, SQL independent of any principal, the CHECK
 * predicate for new rows, RLS policy text, every grant validation error
 * with its message, and allocation-failure injection.
 */
#include "vtest.h"

#include <jansson.h>

#include "vc_perm.h"
#include "vc_query.h"

static vc_catalog *cat;

#define PG VC_DIALECT_POSTGRESQL
#define LITE VC_DIALECT_SQLITE

#define PG_BYPASS "(SELECT viper._bypass_active())"
#define PG_P "(SELECT viper.principal())"
#define LITE_P "(SELECT viper_principal())"
#define LITE_INT_P "(SELECT CAST(p AS INTEGER) FROM (SELECT viper_principal() AS p) WHERE CAST(CAST(p AS INTEGER) AS TEXT) = p)"
#define PG_ROLES "CAST((SELECT viper.principal_roles()) AS text[])"
#define LITE_ROLES "(SELECT viper_principal_roles())"

static json_t *
load_rows(void)
{
	static const char *const files[] = {"Author", "Post", "Tag", "Comment", "SiteSettings"};
	json_t	   *rows = json_array();
	size_t		i;

	for (i = 0; i < 5; i++)
	{
		char		path[256];
		json_t	   *s;

		snprintf(path, sizeof(path), "../../examples/blog/schemas/%s.json", files[i]);
		s = json_load_file(path, 0, NULL);
		if (s == NULL)
		{
			fprintf(stderr, "cannot load %s\n", path);
			exit(2);
		}
		json_array_append_new(rows, json_pack("{s:s+,s:o}", "label", "blog.",
											  files[i], "schema", s));
	}
	return rows;
}

/* Grants from JSON text; NULL (and a message) when they do not load. */
static vc_perms *
grants(const char *text)
{
	vc_perms   *p = NULL;
	vc_error	err;

	if (vc_perms_load_text(&vc_alloc_libc, cat, text, strlen(text), &p, &err) != VC_OK)
	{
		fprintf(stderr, "  grants did not load: %s\n", err.message);
		return NULL;
	}
	return p;
}

typedef vc_code (*compile_fn) (const vc_alloc *, const vc_catalog *, const char *,
							   const json_t *, const vc_query_opts *, vc_compiled **,
							   vc_error *);

static char last[16384];
static char lastparams[4096];

/* Record c's SQL and params (JSON) in last / lastparams; frees c. */
static const char *
record(vc_compiled *c, vc_code rc, const vc_error *err)
{
	json_t	   *pj = NULL;
	vc_error	e2;

	lastparams[0] = '\0';
	if (rc != VC_OK || c == NULL)
	{
		snprintf(last, sizeof(last), "ERR %s: %s", vc_sqlstate(err->code), err->message);
		return last;
	}
	snprintf(last, sizeof(last), "%s", c->sql);
	if (vc_compiled_params_json(c, &pj, &e2) == VC_OK)
	{
		char	   *s = json_dumps(pj, JSON_COMPACT);

		snprintf(lastparams, sizeof(lastparams), "%s", s ? s : "?");
		free(s);
		json_decref(pj);
	}
	vc_compiled_free(c);
	return last;
}

static vc_query_opts
opts(vc_dialect d, vc_perms *p)
{
	vc_query_opts o;

	memset(&o, 0, sizeof(o));
	o.dialect = d;
	if (p)
	{
		o.perm = vc_perms_apply;
		o.perm_ud = p;
	}
	return o;
}

static const char *
sql_of(compile_fn fn, vc_dialect d, vc_perms *p, const char *label, const char *spec)
{
	json_t	   *j = spec ? json_loads(spec, 0, NULL) : NULL;
	vc_compiled *c = NULL;
	vc_query_opts o = opts(d, p);
	vc_error	err;
	vc_code		rc;

	vc_error_clear(&err);
	rc = fn(&vc_alloc_libc, cat, label, j, &o, &c, &err);
	json_decref(j);
	return record(c, rc, &err);
}

/* The text between " WHERE " and " ORDER BY " (or the end). */
static char wbuf[16384];

static const char *
where_of(vc_dialect d, vc_perms *p, const char *label, const char *spec)
{
	const char *s = sql_of(vc_compile_query, d, p, label, spec);
	const char *w = strstr(s, " WHERE ");
	const char *e;

	if (strncmp(s, "ERR", 3) == 0)
		return s;
	if (w == NULL)
		return "(no where)";
	w += 7;
	e = strstr(w, " ORDER BY ");
	snprintf(wbuf, sizeof(wbuf), "%.*s", (int) (e ? (size_t) (e - w) : strlen(w)), w);
	return wbuf;
}

#define VT_CONTAINS(hay, needle) \
	do { \
		const char *vt_h_ = (hay), *vt_n_ = (needle); \
		if (strstr(vt_h_, vt_n_) == NULL) { \
			fprintf(stderr, "  %s:%d: \"%s\" not found in \"%s\"\n", __FILE__, __LINE__, vt_n_, vt_h_); \
			vt_current_failed = 1; \
		} \
	} while (0)

/* A grant validation error: "SQLSTATE message" (+ " | hint") */
static char vbuf[1024];

static const char *
validate(const char *model, const char *action, const char *role, const char *pred)
{
	vc_error	err;
	const char *norm = NULL;

	if (vc_grant_validate(&vc_alloc_libc, cat, model, strlen(model), action,
						  strlen(action), role, strlen(role), pred,
						  pred ? strlen(pred) : 0, &norm, &err) == VC_OK)
	{
		snprintf(vbuf, sizeof(vbuf), "OK %s", norm);
		return vbuf;
	}
	snprintf(vbuf, sizeof(vbuf), "%s %s%s%s", vc_sqlstate(err.code), err.message,
			 err.hint[0] ? " | " : "", err.hint);
	return vbuf;
}

/* ---- default deny and unrestricted models ------------------------------ */

static void
test_default_deny_pg(void)
{
	vc_perms   *p = grants("[]");

	VT_STREQ(where_of(PG, p, "blog.Tag", NULL), "((FALSE))");
	VT_STREQ(lastparams, "[]");
	vc_perms_free(p);
}

static void
test_default_deny_sqlite(void)
{
	vc_perms   *p = grants("[]");

	VT_STREQ(where_of(LITE, p, "blog.Tag", NULL), "((FALSE))");
	vc_perms_free(p);
}

static void
test_grant_for_other_action_denies(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Tag\",\"action\":\"insert\",\"role\":\"*\"},"
						   "{\"model\":\"blog.Post\",\"action\":\"select\",\"role\":\"*\"}]");

	VT_STREQ(where_of(PG, p, "blog.Tag", NULL), "((FALSE))");
	vc_perms_free(p);
}

static void
test_permissions_false_unrestricted(void)
{
	vc_perms   *p = grants("[]");
	char		plain[4096];

	snprintf(plain, sizeof(plain), "%s", sql_of(vc_compile_query, PG, NULL, "blog.SiteSettings", NULL));
	VT_STREQ(sql_of(vc_compile_query, PG, p, "blog.SiteSettings", NULL), plain);
	VT_CHECK(strstr(last, "viper.") == NULL);
	snprintf(plain, sizeof(plain), "%s", sql_of(vc_compile_delete, LITE, NULL, "blog.SiteSettings", NULL));
	VT_STREQ(sql_of(vc_compile_delete, LITE, p, "blog.SiteSettings", NULL), plain);
	vc_perms_free(p);
}

static void
test_everyone_no_predicate(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Tag\",\"action\":\"select\",\"role\":\"*\",\"predicate\":null}]");

	VT_STREQ(where_of(PG, p, "blog.Tag", NULL), "(((TRUE AND (TRUE))))");
	VT_STREQ(where_of(LITE, p, "blog.Tag", NULL), "(((TRUE AND (TRUE))))");
	vc_perms_free(p);
}

static void
test_full_sql_pg(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Tag\",\"action\":\"select\",\"role\":\"*\",\"predicate\":\"name = principal()\"}]");

	VT_STREQ(sql_of(vc_compile_query, PG, p, "blog.Tag", "{\"where\": {\"color\": \"#fff\"}}"),
			 "SELECT \"t0\".\"id\", \"t0\".\"name\", \"t0\".\"slug\", \"t0\".\"color\" FROM \"blog_tag\" AS \"t0\" "
			 "WHERE (((TRUE AND (\"t0\".\"name\" = CAST(" PG_P " AS text))))) "
			 "AND \"t0\".\"color\" = $1 ORDER BY \"t0\".\"name\" ASC NULLS LAST, \"t0\".\"id\" ASC NULLS LAST");
	VT_STREQ(lastparams, "[\"#fff\"]");
	vc_perms_free(p);
}

/* ---- principal() compared in the column's type ------------------------- */

static void
test_principal_integer_fk(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Post\",\"action\":\"select\",\"role\":\"*\",\"predicate\":\"author_id = principal()\"}]");

	VT_STREQ(where_of(PG, p, "blog.Post", NULL),
			 "(((TRUE AND (\"t0\".\"author_id\" = CAST(" PG_P " AS integer)))))");
	VT_STREQ(where_of(LITE, p, "blog.Post", NULL),
			 "(((TRUE AND (\"t0\".\"author_id\" = " LITE_INT_P "))))");
	vc_perms_free(p);
}

static void
test_principal_bigint(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Post\",\"action\":\"select\",\"role\":\"*\",\"predicate\":\"id = principal()\"}]");

	VT_CONTAINS(where_of(PG, p, "blog.Post", NULL), "\"t0\".\"id\" = CAST(" PG_P " AS bigint)");
	VT_CONTAINS(where_of(LITE, p, "blog.Post", NULL), "\"t0\".\"id\" = " LITE_INT_P);
	vc_perms_free(p);
}

static void
test_principal_uuid(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Author\",\"action\":\"select\",\"role\":\"*\",\"predicate\":\"public_id = principal()\"}]");

	VT_CONTAINS(where_of(PG, p, "blog.Author", NULL), "\"t0\".\"public_id\" = CAST(" PG_P " AS uuid)");
	VT_CONTAINS(where_of(LITE, p, "blog.Author", NULL), "\"t0\".\"public_id\" = lower(" LITE_P ")");
	vc_perms_free(p);
}

static void
test_principal_text(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Author\",\"action\":\"select\",\"role\":\"*\",\"predicate\":\"email = principal()\"}]");

	VT_CONTAINS(where_of(PG, p, "blog.Author", NULL), "\"t0\".\"email\" = CAST(" PG_P " AS text)");
	VT_CONTAINS(where_of(LITE, p, "blog.Author", NULL), "\"t0\".\"email\" = " LITE_P ")");
	vc_perms_free(p);
}

static void
test_principal_reversed_and_field_name(void)
{
	/* principal() on the left, the ForeignKey named by its field name */
	vc_perms   *p = grants("[{\"model\":\"blog.Post\",\"action\":\"select\",\"role\":\"*\",\"predicate\":\"principal() = author\"}]");

	VT_CONTAINS(where_of(PG, p, "blog.Post", NULL), "(TRUE AND (CAST(" PG_P " AS integer) = \"t0\".\"author_id\"))");
	vc_perms_free(p);
}

static void
test_principal_in_list_and_between(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Post\",\"action\":\"select\",\"role\":\"*\",\"predicate\":\"author_id IN (principal(), 7) OR views BETWEEN principal() AND 10\"}]");

	VT_CONTAINS(where_of(PG, p, "blog.Post", NULL),
				"\"t0\".\"author_id\" IN (CAST(" PG_P " AS integer), $1) OR \"t0\".\"views\" BETWEEN CAST(" PG_P " AS integer) AND $2");
	VT_STREQ(lastparams, "[7,10]");
	vc_perms_free(p);
}

static void
test_principal_untyped_is_text(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Tag\",\"action\":\"select\",\"role\":\"*\",\"predicate\":\"lower(name) = principal() OR principal() IS NULL\"}]");

	VT_CONTAINS(where_of(PG, p, "blog.Tag", NULL), "lower(\"t0\".\"name\") = " PG_P " OR " PG_P " IS NULL");
	VT_CONTAINS(where_of(LITE, p, "blog.Tag", NULL), "lower(\"t0\".\"name\") = " LITE_P " OR " LITE_P " IS NULL");
	vc_perms_free(p);
}

/* ---- literals are bound ------------------------------------------------ */

static void
test_literals_bound_pg(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Post\",\"action\":\"select\",\"role\":\"*\",\"predicate\":\"status = 'it''s; drop' AND views >= 10 AND score < 0.75 AND rating > 4.5\"}]");

	VT_CONTAINS(where_of(PG, p, "blog.Post", NULL),
				"\"t0\".\"status\" = $1 AND \"t0\".\"views\" >= $2 AND \"t0\".\"score\" < $3 AND \"t0\".\"rating\" > $4");
	VT_STREQ(lastparams, "[\"it's; drop\",10,0.75,\"4.5\"]");	/* numeric: exact text */
	VT_CHECK(strstr(last, "drop") == NULL);
	VT_CHECK(strstr(last, "10") == NULL);
	vc_perms_free(p);
}

static void
test_literals_bound_sqlite(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Post\",\"action\":\"select\",\"role\":\"*\",\"predicate\":\"status NOT IN ('draft', 'published') AND title LIKE 'a%'\"}]");
	VT_CONTAINS(where_of(LITE, p, "blog.Post", NULL),
				"\"t0\".\"status\" NOT IN (?1, ?2) AND \"t0\".\"title\" LIKE ?3");
	VT_STREQ(lastparams, "[\"draft\",\"published\",\"a%\"]");
	vc_perms_free(p);
}

static void
test_literal_typed_by_column(void)
{
	vc_compiled *c = NULL;
	vc_query_opts o;
	vc_error	err;
	vc_perms   *p = grants("[{\"model\":\"blog.Post\",\"action\":\"select\",\"role\":\"*\",\"predicate\":\"created_at > '2020-01-02' AND views + 1 > 10\"}]");

	o = opts(PG, p);
	VT_CHECK(vc_compile_query(&vc_alloc_libc, cat, "blog.Post", NULL, &o, &c, &err) == VC_OK);
	if (c)
	{
		VT_CHECK(c->nparams == 3);
		VT_STREQ(c->params[0].pg_type, "timestamptz");
		VT_STREQ(c->params[0].text, "2020-01-02T00:00:00.000000Z");
		VT_STREQ(c->params[1].pg_type, "int4");	/* untyped: literal typing */
		VT_STREQ(c->params[2].pg_type, "int4");
		VT_CONTAINS(c->sql, "\"t0\".\"created_at\" > $1 AND \"t0\".\"views\" + $2 > $3");
		vc_compiled_free(c);
	}
	o = opts(LITE, p);
	c = NULL;
	VT_CHECK(vc_compile_query(&vc_alloc_libc, cat, "blog.Post", NULL, &o, &c, &err) == VC_OK);
	if (c)
	{
		VT_STREQ(c->params[0].text, "2020-01-02T00:00:00.000Z");
		VT_CHECK(c->params[1].sqlite_class == VC_SQLITE_INTEGER);
		vc_compiled_free(c);
	}
	vc_perms_free(p);
}

static void
test_literal_untyped_kinds(void)
{
	vc_compiled *c = NULL;
	vc_query_opts o = {0};
	vc_error	err;
	vc_perms   *p = grants("[{\"model\":\"blog.Post\",\"action\":\"select\",\"role\":\"*\",\"predicate\":\"views * 3000000000 > 1.5 AND (views > 0) = TRUE AND title || 'x' <> 'y'\"}]");

	o = opts(PG, p);
	VT_CHECK(vc_compile_query(&vc_alloc_libc, cat, "blog.Post", NULL, &o, &c, &err) == VC_OK);
	if (c)
	{
		VT_CONTAINS(c->sql, "\"t0\".\"views\" * $1 > $2 AND (\"t0\".\"views\" > $3) = $4 AND \"t0\".\"title\" || $5 <> $6");
		VT_STREQ(c->params[0].pg_type, "int8");
		VT_CHECK(c->params[0].i == 3000000000LL);
		VT_STREQ(c->params[1].pg_type, "numeric");
		VT_STREQ(c->params[1].text, "1.5");
		VT_STREQ(c->params[3].pg_type, "bool");
		VT_CHECK(c->params[3].kind == VC_PARAM_BOOL && c->params[3].b);
		VT_STREQ(c->params[4].pg_type, "text");
		vc_compiled_free(c);
	}
	vc_perms_free(p);
}

static void
test_negative_literal_and_unary(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Post\",\"action\":\"select\",\"role\":\"*\",\"predicate\":\"score > -0.5 AND -views < - -3\"}]");

	VT_CONTAINS(where_of(PG, p, "blog.Post", NULL), "\"t0\".\"score\" > $1 AND -\"t0\".\"views\" < -$2");
	VT_STREQ(lastparams, "[-0.5,-3]");
	vc_perms_free(p);
}

static void
test_arith_grouping_explicit(void)
{
	/* || binds differently on PostgreSQL and SQLite: parenthesised as validated */
	vc_perms   *p = grants("[{\"model\":\"blog.Post\",\"action\":\"select\",\"role\":\"*\",\"predicate\":\"title || slug || 'x' = body AND views * 2 + 1 > views - (1 - 2)\"}]");

	VT_CONTAINS(where_of(LITE, p, "blog.Post", NULL),
				"(\"t0\".\"title\" || \"t0\".\"slug\") || ?1 = \"t0\".\"body\" AND (\"t0\".\"views\" * ?2) + ?3 > \"t0\".\"views\" - (?4 - ?5)");
	vc_perms_free(p);
}

static void
test_keywords_canonical(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Post\",\"action\":\"select\",\"role\":\"*\",\"predicate\":\"not (rating is not null) or cover is null and views != 3 and publish_at not between '2020-01-01' and '2021-01-01' or rating Is TRUE\"}]");

	VT_CONTAINS(where_of(PG, p, "blog.Post", NULL),
				"NOT (\"t0\".\"rating\" IS NOT NULL) OR \"t0\".\"cover\" IS NULL AND \"t0\".\"views\" <> $1 AND \"t0\".\"publish_at\" NOT BETWEEN $2 AND $3 OR \"t0\".\"rating\" IS TRUE");
	vc_perms_free(p);
}

static void
test_functions_and_quoted_column(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Tag\",\"action\":\"select\",\"role\":\"*\",\"predicate\":\"UPPER(\\\"color\\\") = coalesce(Name, 'x') AND length(trim(slug)) > 0\"}]");

	VT_CONTAINS(where_of(PG, p, "blog.Tag", NULL),
				"upper(\"t0\".\"color\") = coalesce(\"t0\".\"name\", $1) AND length(trim(\"t0\".\"slug\")) > $2");
	vc_perms_free(p);
}

/* ---- roles -------------------------------------------------------------- */

static void
test_role_named_bound_pg(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Tag\",\"action\":\"select\",\"role\":\"editor\"}]");

	VT_STREQ(where_of(PG, p, "blog.Tag", NULL),
			 "((($1 = ANY (" PG_ROLES ") AND (TRUE))))");
	VT_STREQ(lastparams, "[\"editor\"]");
	VT_CHECK(strstr(last, "editor") == NULL);
	vc_perms_free(p);
}

static void
test_role_named_bound_sqlite(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Tag\",\"action\":\"select\",\"role\":\"editor\"}]");

	VT_STREQ(where_of(LITE, p, "blog.Tag", "{\"where\": {\"name\": \"a\"}}"),
			 "(((EXISTS (SELECT 1 FROM json_each(" LITE_ROLES ") WHERE value = ?2) AND (TRUE)))) AND \"t0\".\"name\" = ?1");
	/* the filter was numbered first: placeholders follow binding order */
	VT_STREQ(lastparams, "[\"a\",\"editor\"]");
	vc_perms_free(p);
}

static void
test_role_anonymous_authenticated(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Tag\",\"action\":\"select\",\"role\":\"anonymous\",\"predicate\":\"color = '#fff'\"},"
						   "{\"model\":\"blog.Tag\",\"action\":\"select\",\"role\":\"authenticated\"}]");

	VT_STREQ(where_of(PG, p, "blog.Tag", NULL),
			 "(((" PG_P " IS NULL AND (\"t0\".\"color\" = $1)) OR (" PG_P " IS NOT NULL AND (TRUE))))");
	VT_STREQ(where_of(LITE, p, "blog.Tag", NULL),
			 "(((" LITE_P " IS NULL AND (\"t0\".\"color\" = ?1)) OR (" LITE_P " IS NOT NULL AND (TRUE))))");
	vc_perms_free(p);
}

static void
test_action_all_and_order(void)
{
	/* grants of other models interleaved: each model keeps input order */
	vc_perms   *p = grants("[{\"model\":\"blog.Tag\",\"action\":\"all\",\"role\":\"b\"},"
						   "{\"model\":\"blog.Author\",\"action\":\"select\",\"role\":\"*\"},"
						   "{\"model\":\"blog.Tag\",\"action\":\"delete\",\"role\":\"a\"},"
						   "{\"model\":\"blog.Tag\",\"action\":\"select\",\"role\":\"c\"}]");

	VT_CHECK(vc_perms_count(p) == 4);
	VT_STREQ(vc_perms_grant(p, 0)->model->label, "blog.Author");
	VT_STREQ(vc_perms_grant(p, 1)->role, "b");
	VT_STREQ(vc_perms_grant(p, 3)->role, "c");
	VT_CHECK(vc_perms_grant(p, 4) == NULL);
	VT_CONTAINS(sql_of(vc_compile_delete, PG, p, "blog.Tag", NULL),
				"WHERE ((($1 = ANY (" PG_ROLES ") AND (TRUE)) OR ($2 = ANY (" PG_ROLES ") AND (TRUE))))");
	VT_STREQ(lastparams, "[\"b\",\"a\"]");
	VT_CONTAINS(where_of(PG, p, "blog.Tag", NULL), "$1 = ANY");
	VT_STREQ(lastparams, "[\"b\",\"c\"]");
	vc_perms_free(p);
}

/* ---- independence from the principal ----------------------------------- */

static void
test_sql_independent_of_principal(void)
{
	/* there is no principal at compile time: two compilations (as for two
	 * different principals) give the same text, which names no value */
	const char *g = "[{\"model\":\"blog.Post\",\"action\":\"all\",\"role\":\"alice_role\",\"predicate\":\"author_id = principal() AND status = 'secret_value'\"}]";
	vc_perms   *p1 = grants(g);
	vc_perms   *p2 = grants(g);
	char		a[16384];
	int			d;

	for (d = 0; d < 2; d++)
	{
		vc_dialect dd = d ? LITE : PG;

		snprintf(a, sizeof(a), "%s", sql_of(vc_compile_query, dd, p1, "blog.Post", "{\"where\": {\"views__gt\": 1}}"));
		VT_STREQ(sql_of(vc_compile_query, dd, p2, "blog.Post", "{\"where\": {\"views__gt\": 1}}"), a);
		VT_CHECK(strstr(a, "alice_role") == NULL);
		VT_CHECK(strstr(a, "secret_value") == NULL);
		VT_CHECK(strstr(a, "'") == NULL);	/* no string literal at all */
	}
	vc_perms_free(p1);
	vc_perms_free(p2);
}

/* ---- joined models ------------------------------------------------------ */

static void
test_join_filter_on_clause(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Author\",\"action\":\"select\",\"role\":\"*\",\"predicate\":\"is_active\"},"
						   "{\"model\":\"blog.Post\",\"action\":\"select\",\"role\":\"*\"}]");
	const char *s = sql_of(vc_compile_query, PG, p, "blog.Post", "{\"where\": {\"author__name\": \"x\"}}");

	VT_CONTAINS(s, "JOIN \"blog_author\" AS \"t1\" ON \"t1\".\"id\" = \"t0\".\"author_id\" AND (((TRUE AND (\"t1\".\"is_active\")))) WHERE (((TRUE AND (TRUE)))) AND \"t1\".\"name\" = $1");
	vc_perms_free(p);
}

static void
test_join_related_left_join(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Comment\",\"action\":\"select\",\"role\":\"*\"}]");
	const char *s = sql_of(vc_compile_query, LITE, p, "blog.Comment", "{\"related\": [\"post\"]}");

	/* no grant on Post: the related object is hidden (NULL), the comment stays */
	VT_CONTAINS(s, "LEFT JOIN \"blog_post\" AS \"t1\" ON \"t1\".\"id\" = \"t0\".\"post_id\" AND ((FALSE)) WHERE (((TRUE AND (TRUE))))");
	vc_perms_free(p);
}

static void
test_join_m2m_target_and_self(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Tag\",\"action\":\"select\",\"role\":\"*\",\"predicate\":\"color <> '#000'\"},"
						   "{\"model\":\"blog.Comment\",\"action\":\"select\",\"role\":\"*\",\"predicate\":\"is_approved\"}]");
	const char *s = sql_of(vc_compile_query, PG, p, "blog.Post", "{\"where\": {\"tags__name\": \"c\"}}");

	/* the junction has no model (no predicate); the target has its own */
	VT_CONTAINS(s, "JOIN \"blog_post_tags\" AS \"t1\" ON \"t1\".\"post_id\" = \"t0\".\"id\" JOIN \"blog_tag\" AS \"t2\" ON \"t2\".\"id\" = \"t1\".\"tag_id\" AND (((TRUE AND (\"t2\".\"color\" <> $2)))) WHERE ((FALSE)) AND \"t2\".\"name\" = $1");
	VT_STREQ(lastparams, "[\"c\",\"#000\"]");
	s = sql_of(vc_compile_query, LITE, p, "blog.Comment", "{\"where\": {\"parent__body\": \"x\"}}");
	VT_CONTAINS(s, "ON \"t1\".\"id\" = \"t0\".\"parent_id\" AND (((TRUE AND (\"t1\".\"is_approved\")))) WHERE (((TRUE AND (\"t0\".\"is_approved\"))))");
	vc_perms_free(p);
}

/* ---- counts and writes -------------------------------------------------- */

static void
test_count_both_dialects(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Post\",\"action\":\"select\",\"role\":\"*\",\"predicate\":\"author_id = principal()\"}]");

	VT_STREQ(sql_of(vc_compile_count, PG, p, "blog.Post", NULL),
			 "SELECT count(*) FROM \"blog_post\" AS \"t0\" WHERE (((TRUE AND (\"t0\".\"author_id\" = CAST(" PG_P " AS integer)))))");
	VT_STREQ(sql_of(vc_compile_count, LITE, p, "blog.Post", NULL),
			 "SELECT count(*) FROM \"blog_post\" AS \"t0\" WHERE (((TRUE AND (\"t0\".\"author_id\" = " LITE_INT_P "))))");
	vc_perms_free(p);
}

static void
test_update_uses_update_grants(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Tag\",\"action\":\"select\",\"role\":\"*\"},"
						   "{\"model\":\"blog.Tag\",\"action\":\"update\",\"role\":\"editor\",\"predicate\":\"color = '#fff'\"}]");
	json_t	   *spec = json_loads("{\"where\": {\"name\": \"a\"}}", 0, NULL);
	json_t	   *ch = json_loads("{\"slug\": \"b\"}", 0, NULL);
	vc_compiled *c = NULL;
	vc_query_opts o = opts(PG, p);
	vc_error	err;
	vc_code		rc;

	rc = vc_compile_update(&vc_alloc_libc, cat, "blog.Tag", spec, ch, &o, &c, &err);
	record(c, rc, &err);
	VT_CONTAINS(last, "WHERE ((($");
	VT_CONTAINS(last, " = ANY (" PG_ROLES ") AND (\"t0\".\"color\" = $");
	VT_CHECK(strstr(last, "TRUE AND (TRUE)") == NULL);	/* the select grant is not used */
	VT_CHECK(strstr(lastparams, "\"editor\"") != NULL && strstr(lastparams, "\"#fff\"") != NULL);
	json_decref(spec);
	json_decref(ch);
	vc_perms_free(p);
}

static void
test_delete_default_deny_sqlite(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Tag\",\"action\":\"select\",\"role\":\"*\"}]");

	VT_STREQ(sql_of(vc_compile_delete, LITE, p, "blog.Tag", NULL),
			 "DELETE FROM \"blog_tag\" AS \"t0\" WHERE ((FALSE))");
	vc_perms_free(p);
}

static void
test_insert_marks_check(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Tag\",\"action\":\"insert\",\"role\":\"editor\",\"predicate\":\"color = '#fff'\"}]");
	json_t	   *row = json_loads("{\"name\": \"n\", \"slug\": \"s\"}", 0, NULL);
	vc_compiled *a = NULL,
			   *b = NULL;
	vc_query_opts o = opts(PG, p);
	vc_query_opts none = opts(PG, NULL);
	vc_error	err;

	VT_CHECK(vc_compile_insert(&vc_alloc_libc, cat, "blog.Tag", row, false, &o, &a, &err) == VC_OK);
	VT_CHECK(vc_compile_insert(&vc_alloc_libc, cat, "blog.Tag", row, false, &none, &b, &err) == VC_OK);
	if (a && b)
	{
		VT_CHECK(a->perm_insert);
		VT_CHECK(!b->perm_insert);
		VT_STREQ(a->sql, b->sql);	/* nothing appended, no stray parameter */
		VT_CHECK(a->nparams == b->nparams);
	}
	vc_compiled_free(a);
	vc_compiled_free(b);
	json_decref(row);
	row = json_loads("{}", 0, NULL);
	a = NULL;
	VT_CHECK(vc_compile_insert(&vc_alloc_libc, cat, "blog.SiteSettings", row, false, &o, &a, &err) == VC_OK);
	VT_CHECK(a && !a->perm_insert);
	vc_compiled_free(a);
	json_decref(row);
	vc_perms_free(p);
}

/* ---- CHECK predicate for new rows --------------------------------------- */

static void
test_check_sql_bare_pg(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Post\",\"action\":\"insert\",\"role\":\"writer\",\"predicate\":\"author_id = principal() AND status = 'draft'\"}]");
	vc_perm_sql s;
	vc_error	err;

	VT_CHECK(vc_perm_check_sql(&vc_alloc_libc, p, vc_perms_grant(p, 0)->model, VC_PERM_INSERT,
							   PG, NULL, 3, &s, &err) == VC_OK);
	VT_CHECK(s.applied);
	VT_STREQ(s.sql, "(($4 = ANY (" PG_ROLES ") AND (\"author_id\" = CAST(" PG_P " AS integer) AND \"status\" = $5)))");
	VT_CHECK(s.nparams == 2);
	if (s.nparams == 2)
	{
		VT_STREQ(s.params[0].text, "writer");
		VT_STREQ(s.params[1].text, "draft");
	}
	VT_CHECK(s.sql_len == strlen(s.sql));
	vc_perm_sql_free(&s);
	vc_perm_sql_free(&s);		/* idempotent */
	vc_perms_free(p);
}

static void
test_check_sql_alias_sqlite(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Post\",\"action\":\"update\",\"role\":\"*\",\"predicate\":\"author_id = principal()\"}]");
	const vc_model *m = NULL;
	vc_perm_sql s;
	vc_error	err;

	VT_CHECK(vc_catalog_find(cat, "blog.Post", 9, &m, &err) == VC_OK);
	VT_CHECK(vc_perm_check_sql(&vc_alloc_libc, p, m, VC_PERM_UPDATE, LITE, "blog_post", 0, &s, &err) == VC_OK);
	VT_STREQ(s.sql, "((TRUE AND (\"blog_post\".\"author_id\" = " LITE_INT_P ")))");
	VT_CHECK(s.nparams == 0);
	vc_perm_sql_free(&s);
	/* no insert grant: default deny */
	VT_CHECK(vc_perm_check_sql(&vc_alloc_libc, p, m, VC_PERM_INSERT, LITE, NULL, 0, &s, &err) == VC_OK);
	VT_STREQ(s.sql, "(FALSE)");
	vc_perm_sql_free(&s);
	vc_perms_free(p);
}

static void
test_check_sql_unrestricted_and_errors(void)
{
	vc_perms   *p = grants("[]");
	const vc_model *m = NULL;
	vc_perm_sql s;
	vc_error	err;

	VT_CHECK(vc_catalog_find(cat, "blog.SiteSettings", 17, &m, &err) == VC_OK);
	VT_CHECK(vc_perm_check_sql(&vc_alloc_libc, p, m, VC_PERM_INSERT, PG, NULL, 0, &s, &err) == VC_OK);
	VT_CHECK(!s.applied && s.sql == NULL);
	vc_perm_sql_free(&s);
	VT_CHECK(vc_perm_check_sql(&vc_alloc_libc, p, m, VC_PERM_INSERT, VC_DIALECT_MYSQL, NULL, 0, &s, &err) == VC_ERR_INVALID_PARAM);
	VT_STREQ(err.message, "permissions are compiled for postgresql and sqlite only");
	vc_perm_sql_free(&s);
	vc_perms_free(p);
}

/* ---- RLS policy text ---------------------------------------------------- */

static const char *
policy(vc_perms *p, size_t i)
{
	char	   *t = NULL;
	size_t		n = 0;
	vc_error	err;

	if (vc_perm_policy_sql(&vc_alloc_libc, p, i, &t, &n, &err) != VC_OK)
		snprintf(last, sizeof(last), "ERR %s", err.message);
	else
	{
		snprintf(last, sizeof(last), "%s", t);
		VT_CHECK(n == strlen(t));
	}
	free(t);
	return last;
}

static void
test_policy_owner(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Post\",\"action\":\"all\",\"role\":\"*\",\"predicate\":\"author_id = principal()\"}]");

	VT_STREQ(policy(p, 0), "TRUE AND (\"author_id\" OPERATOR(pg_catalog.=) CAST(" PG_P " AS integer))");
	VT_STREQ(vc_grant_policy_command(vc_perms_grant(p, 0)), "ALL");
	vc_perms_free(p);
}

static void
test_policy_literals_quoted(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Post\",\"action\":\"select\",\"role\":\"my_role\",\"predicate\":\"status = 'it''s' OR title = 'a\\\\b' OR created_at > '2020-01-02' OR views > 5 OR (views < 0) = FALSE\"}]");

	VT_STREQ(policy(p, 0),
			 "'my_role' OPERATOR(pg_catalog.=) ANY (" PG_ROLES ") AND ("
			 "\"status\" OPERATOR(pg_catalog.=) CAST('it''s' AS text) OR "
			 "\"title\" OPERATOR(pg_catalog.=) CAST(E'a\\\\b' AS text) OR "
			 "\"created_at\" OPERATOR(pg_catalog.>) CAST('2020-01-02T00:00:00.000000Z' AS timestamptz) OR "
			 "\"views\" OPERATOR(pg_catalog.>) CAST('5' AS int4) OR "
			 "(\"views\" OPERATOR(pg_catalog.<) CAST('0' AS int4)) OPERATOR(pg_catalog.=) FALSE)");
	VT_STREQ(vc_grant_policy_command(vc_perms_grant(p, 0)), "SELECT");
	vc_perms_free(p);
}

static void
test_policy_functions_and_roles(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Tag\",\"action\":\"insert\",\"role\":\"anonymous\",\"predicate\":\"trim(lower(name)) = coalesce(nullif(slug, ''), 'x') AND -1 < abs(0 - 1)\"},"
						   "{\"model\":\"blog.Tag\",\"action\":\"delete\",\"role\":\"authenticated\"}]");

	VT_STREQ(policy(p, 0),
			 PG_P " IS NULL AND (pg_catalog.btrim(pg_catalog.lower(\"name\")) OPERATOR(pg_catalog.=) "
			 "COALESCE(NULLIF(\"slug\", CAST('' AS text)), CAST('x' AS text)) AND "
			 "CAST('-1' AS int4) OPERATOR(pg_catalog.<) pg_catalog.abs(CAST('0' AS int4) OPERATOR(pg_catalog.-) CAST('1' AS int4)))");
	VT_STREQ(policy(p, 1), PG_P " IS NOT NULL AND (TRUE)");
	VT_STREQ(vc_grant_policy_command(vc_perms_grant(p, 0)), "INSERT");
	VT_STREQ(vc_grant_policy_command(vc_perms_grant(p, 1)), "DELETE");
	VT_STREQ(policy(p, 2), "ERR no grant 2");
	VT_STREQ(VC_PERM_PG_BYPASS_POLICY, PG_BYPASS);
	vc_perms_free(p);
}

static void
test_policy_unary_and_uuid(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Author\",\"action\":\"update\",\"role\":\"*\",\"predicate\":\"public_id = principal() OR -id < 0 OR public_id = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'\"}]");

	VT_STREQ(policy(p, 0),
			 "TRUE AND (\"public_id\" OPERATOR(pg_catalog.=) CAST(" PG_P " AS uuid) OR "
			 "OPERATOR(pg_catalog.-) \"id\" OPERATOR(pg_catalog.<) CAST('0' AS int4) OR "
			 "\"public_id\" OPERATOR(pg_catalog.=) CAST('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' AS uuid))");
	VT_STREQ(vc_grant_policy_command(vc_perms_grant(p, 0)), "UPDATE");
	vc_perms_free(p);
}

/* ---- vc_expr_render through the compiler's sink ------------------------- */

static vc_code
render_perm(void *ud, const vc_model *m, vc_perm_action action, const char *alias,
			vc_sql_sink *sink, bool *applied, vc_error *err)
{
	const char *expr = ud;
	vc_code		rc;

	(void) action;
	if (alias == NULL || strcmp(m->label, "blog.Post") != 0)
		return VC_OK;
	rc = vc_expr_render(&vc_alloc_libc, m, expr, strlen(expr), alias, sink, err);
	*applied = rc == VC_OK;
	return rc;
}

static void
test_expr_render_direct(void)
{
	vc_query_opts o = opts(LITE, NULL);
	vc_compiled *c = NULL;
	vc_error	err;
	vc_code		rc;

	o.perm = render_perm;
	o.perm_ud = (void *) "views > 3 AND author_id = principal()";
	rc = vc_compile_count(&vc_alloc_libc, cat, "blog.Post", NULL, &o, &c, &err);
	record(c, rc, &err);
	VT_STREQ(last, "SELECT count(*) FROM \"blog_post\" AS \"t0\" WHERE (\"t0\".\"views\" > ?1 AND \"t0\".\"author_id\" = " LITE_INT_P ")");
	VT_STREQ(lastparams, "[3]");
	o.perm_ud = (void *) "views > 3; DROP TABLE x";
	rc = vc_compile_count(&vc_alloc_libc, cat, "blog.Post", NULL, &o, &c, &err);
	VT_CHECK(rc == VC_ERR_EXPRESSION);
	VT_STREQ(err.message, "invalid expression: character \";\" is not allowed at position 10");
	o.perm_ud = (void *) "nope = 1";
	rc = vc_compile_count(&vc_alloc_libc, cat, "blog.Post", NULL, &o, &c, &err);
	VT_CHECK(rc == VC_ERR_UNDEFINED_COLUMN);
	VT_STREQ(err.message, "column \"nope\" does not exist");
}

/* ---- grant validation errors -------------------------------------------- */

static void
test_validate_ok_and_normalised(void)
{
	VT_STREQ(validate("blog.Post", "SELECT", "*", NULL), "OK select");
	VT_STREQ(validate("blog.Post", "All", "editor_2", "author_id = principal()"), "OK all");
	VT_STREQ(validate("blog.Post", "delete", "_x", "is_published_typo IS NULL OR TRUE") , "42703 grant on \"blog.Post\" (delete, role \"_x\"): column \"is_published_typo\" does not exist");
}

static void
test_validate_bad_action(void)
{
	VT_STREQ(validate("blog.Post", "read", "*", NULL),
			 "22023 grant on \"blog.Post\": invalid action \"read\" | The action is select, insert, update, delete or all.");
	VT_STREQ(validate("blog.Post", "", "*", NULL),
			 "22023 grant on \"blog.Post\": invalid action \"\" | The action is select, insert, update, delete or all.");
}

static void
test_validate_bad_role(void)
{
	const char *h = " | A role is *, authenticated, anonymous or a name of letters, digits and underscores (at most 63 bytes) that does not start with a digit.";
	char		exp[512];

	snprintf(exp, sizeof(exp), "22023 grant on \"blog.Tag\": invalid role \"a b\"%s", h);
	VT_STREQ(validate("blog.Tag", "select", "a b", NULL), exp);
	snprintf(exp, sizeof(exp), "22023 grant on \"blog.Tag\": invalid role \"\"%s", h);
	VT_STREQ(validate("blog.Tag", "select", "", NULL), exp);
	snprintf(exp, sizeof(exp), "22023 grant on \"blog.Tag\": invalid role \"1st\"%s", h);
	VT_STREQ(validate("blog.Tag", "select", "1st", NULL), exp);
	snprintf(exp, sizeof(exp), "22023 grant on \"blog.Tag\": invalid role \"x'; drop\"%s", h);
	VT_STREQ(validate("blog.Tag", "select", "x'; drop", NULL), exp);
	VT_CHECK(strncmp(validate("blog.Tag", "select",
							  "a234567890123456789012345678901234567890123456789012345678901234", NULL),
					 "22023 ", 6) == 0);
	VT_STREQ(validate("blog.Tag", "select", "a23456789012345678901234567890123456789012345678901234567890123", NULL), "OK select");
	/* special names are case-sensitive: "Anonymous" is an ordinary role */
	VT_STREQ(validate("blog.Tag", "select", "Anonymous", NULL), "OK select");
}

static void
test_validate_unknown_model(void)
{
	VT_STREQ(validate("blog.Pst", "select", "*", NULL),
			 "42P01 unknown model \"blog.Pst\" | Perhaps you meant \"blog.Post\".");
}

static void
test_validate_syntax_error(void)
{
	vc_error	err;

	VT_STREQ(validate("blog.Post", "select", "editor", "views > 0 -- x"),
			 "42601 grant on \"blog.Post\" (select, role \"editor\"): invalid expression: comment \"--\" is not allowed at position 11 | Comments are not accepted in expressions.");
	VT_STREQ(validate("blog.Post", "update", "*", "(SELECT 1) = 1"),
			 "42601 grant on \"blog.Post\" (update, role \"*\"): invalid expression: keyword \"SELECT\" is not allowed at position 2 | Only column names, literals, operators and allowlisted functions are accepted.");
	VT_STREQ(validate("blog.Post", "select", "*", ""),
			 "42601 grant on \"blog.Post\" (select, role \"*\"): invalid expression: empty expression at position 1");
	VT_CHECK(vc_grant_validate(&vc_alloc_libc, cat, "blog.Post", 9, "select", 6, "*", 1,
							   "pg_sleep(1) IS NULL", 19, NULL, &err) == VC_ERR_EXPRESSION);
	VT_STREQ(err.detail, "The expression is used as the predicate of a select grant to role \"*\".");
	VT_CHECK(err.position == 1);
}

static void
test_validate_unknown_column(void)
{
	vc_error	err;

	VT_CHECK(vc_grant_validate(&vc_alloc_libc, cat, "blog.Post", 9, "select", 6, "editor", 6,
							   "autor_id = principal()", 22, NULL, &err) == VC_ERR_UNDEFINED_COLUMN);
	VT_STREQ(err.message, "grant on \"blog.Post\" (select, role \"editor\"): column \"autor_id\" does not exist");
	VT_STREQ(err.hint, "Perhaps you meant \"author_id\".");
	VT_CHECK(err.position == 1);
	/* a ManyToMany field has no column */
	VT_STREQ(validate("blog.Post", "select", "*", "tags = 1"),
			 "42703 grant on \"blog.Post\" (select, role \"*\"): column \"tags\" does not exist");
}

static void
test_validate_literal_type(void)
{
	vc_error	err;

	VT_STREQ(validate("blog.Post", "select", "*", "author_id = 'abc'"),
			 "22P02 grant on \"blog.Post\" (select, role \"*\"): model \"blog.Post\", field \"author\": value must be an integer for IntegerField");
	VT_STREQ(validate("blog.Post", "select", "*", "created_at > 'yesterday'"),
			 "22007 grant on \"blog.Post\" (select, role \"*\"): model \"blog.Post\", field \"created_at\": value is not an ISO-8601 date and time (YYYY-MM-DD[THH:MM[:SS[.ffffff]]][Z|+HH:MM])");
	VT_CHECK(vc_grant_validate(&vc_alloc_libc, cat, "blog.Post", 9, "select", 6, "*", 1,
							   "views = 1 OR rating > 10.55", 27, NULL, &err) == VC_ERR_OUT_OF_RANGE);
	VT_CHECK(err.position == 23);
}

static void
test_validate_embedded_nul(void)
{
	vc_error	err;

	VT_CHECK(vc_grant_validate(&vc_alloc_libc, cat, "blog.Post", 9, "select", 6, "ed\0x", 4,
							   NULL, 0, NULL, &err) == VC_ERR_INVALID_PARAM);
	VT_CHECK(vc_grant_validate(&vc_alloc_libc, cat, "blog.Post", 9, "select", 6, "*", 1,
							   "views = 1\0", 10, NULL, &err) == VC_ERR_EXPRESSION);
}

/* ---- loading ------------------------------------------------------------ */

static vc_code
load_str(const char *text, vc_perms **p, vc_error *err)
{
	return vc_perms_load_text(&vc_alloc_libc, cat, text, strlen(text), p, err);
}

static void
test_load_errors(void)
{
	vc_perms   *p = NULL;
	vc_error	err;
	json_t	   *j = json_object();

	VT_CHECK(vc_perms_load(&vc_alloc_libc, cat, j, &p, &err) == VC_ERR_INTERNAL);
	VT_STREQ(err.message, "grant rows must be a JSON array");
	json_decref(j);
	VT_CHECK(vc_perms_load_text(&vc_alloc_libc, cat, "[1]", 3, &p, &err) == VC_ERR_INTERNAL);
	VT_STREQ(err.message, "grant row 1 is not an object with string model, action, role and predicate");
	VT_CHECK(load_str("[{\"model\":\"blog.Tag\",\"action\":\"select\",\"role\":\"*\",\"predicate\":5}]", &p, &err) == VC_ERR_INTERNAL);
	VT_CHECK(load_str("[{\"model\":\"blog.Tag\",\"role\":\"*\"}]", &p, &err) == VC_ERR_INTERNAL);
	VT_CHECK(vc_perms_load_text(&vc_alloc_libc, cat, "[", 1, &p, &err) == VC_ERR_TEXT_REPR);
	VT_CHECK(strncmp(err.message, "grant rows are not valid JSON: ", 31) == 0);
	VT_CHECK(p == NULL);
	/* a grant that no longer fits the model fails the load loudly */
	VT_CHECK(load_str("[{\"model\":\"blog.Tag\",\"action\":\"select\",\"role\":\"*\"},"
					  "{\"model\":\"blog.Tag\",\"action\":\"select\",\"role\":\"*\",\"predicate\":\"gone = 1\"}]",
					  &p, &err) == VC_ERR_UNDEFINED_COLUMN);
	VT_STREQ(err.message, "grant on \"blog.Tag\" (select, role \"*\"): column \"gone\" does not exist");
	VT_CHECK(p == NULL);
	vc_perms_free(NULL);
}

static void
test_perms_accessors(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Tag\",\"action\":\"UPDATE\",\"role\":\"editor\",\"predicate\":\"color = 'x'\"}]");
	const vc_grant *g = vc_perms_grant(p, 0);

	VT_CHECK(vc_perms_catalog(p) == cat);
	VT_STREQ(g->action_name, "update");
	VT_CHECK(g->action == VC_GRANT_UPDATE);
	VT_CHECK(g->role_kind == VC_ROLE_NAMED);
	VT_STREQ(g->predicate, "color = 'x'");
	VT_STREQ(g->model->label, "blog.Tag");
	vc_perms_free(p);
}

/* ---- allocation-failure injection --------------------------------------- */

static void
test_oom_load(void)
{
	long		n;
	int			ok = 0;
	const char *g = "[{\"model\":\"blog.Post\",\"action\":\"all\",\"role\":\"editor\",\"predicate\":\"author_id = principal() OR status IN ('a', 'b') AND lower(title) LIKE 'x%'\"},"
		"{\"model\":\"blog.Author\",\"action\":\"select\",\"role\":\"*\",\"predicate\":\"joined_on > '2020-01-01' OR is_active\"}]";

	for (n = 1; n < 400 && !ok; n++)
	{
		vt_fail_state st;
		vc_alloc	fa = vt_failing_alloc(&st, n);
		vc_perms   *p = NULL;
		vc_error	err;
		vc_code		rc = vc_perms_load_text(&fa, cat, g, strlen(g), &p, &err);

		if (rc == VC_OK)
		{
			ok = 1;
			VT_CHECK(vc_perms_count(p) == 2);
			vc_perms_free(p);
		}
		else
		{
			VT_CHECK(rc == VC_ERR_OUT_OF_MEMORY);
			VT_CHECK(p == NULL);
		}
	}
	VT_CHECK(ok);
}

static void
test_oom_compile_check_policy(void)
{
	vc_perms   *p = grants("[{\"model\":\"blog.Post\",\"action\":\"all\",\"role\":\"editor\",\"predicate\":\"author_id = principal() OR status IN ('a', 'b') AND lower(title) LIKE 'x%'\"},"
						   "{\"model\":\"blog.Author\",\"action\":\"select\",\"role\":\"*\",\"predicate\":\"is_active\"}]");
	json_t	   *spec = json_loads("{\"where\": {\"author__name\": \"x\"}}", 0, NULL);
	long		n;
	int			done_c = 0,
				done_k = 0,
				done_p = 0;

	for (n = 1; n < 400 && !(done_c && done_k && done_p); n++)
	{
		vt_fail_state st;
		vc_alloc	fa = vt_failing_alloc(&st, n);
		vc_query_opts o = opts(n % 2 ? PG : LITE, p);
		vc_compiled *c = NULL;
		vc_perm_sql s;
		char	   *t = NULL;
		size_t		tl;
		vc_error	err;
		vc_code		rc;

		if (!done_c)
		{
			rc = vc_compile_query(&fa, cat, "blog.Post", spec, &o, &c, &err);
			VT_CHECK(rc == VC_OK || rc == VC_ERR_OUT_OF_MEMORY);
			if (rc == VC_OK)
			{
				VT_CHECK(strstr(c->sql, "ANY") != NULL || strstr(c->sql, "json_each") != NULL);
				done_c = 1;
			}
			vc_compiled_free(c);
		}
		fa = vt_failing_alloc(&st, n);
		if (!done_k)
		{
			rc = vc_perm_check_sql(&fa, p, vc_perms_grant(p, 1)->model, VC_PERM_INSERT, PG, NULL, 0, &s, &err);
			VT_CHECK(rc == VC_OK || rc == VC_ERR_OUT_OF_MEMORY);
			if (rc == VC_OK)
			{
				VT_CHECK(s.nparams == 4);
				done_k = 1;
			}
			vc_perm_sql_free(&s);
		}
		fa = vt_failing_alloc(&st, n);
		if (!done_p)
		{
			rc = vc_perm_policy_sql(&fa, p, 1, &t, &tl, &err);
			VT_CHECK(rc == VC_OK || rc == VC_ERR_OUT_OF_MEMORY);
			if (rc == VC_OK)
			{
				VT_CHECK(strstr(t, "'editor'") != NULL);
				done_p = 1;
				vc_free(&fa, t);
			}
			else
				VT_CHECK(t == NULL);
		}
	}
	VT_CHECK(done_c && done_k && done_p);
	json_decref(spec);
	vc_perms_free(p);
}

static void
test_oom_validate_and_render(void)
{
	long		n;
	int			ok = 0;

	for (n = 1; n < 200 && !ok; n++)
	{
		vt_fail_state st;
		vc_alloc	fa = vt_failing_alloc(&st, n);
		vc_error	err;
		vc_code		rc = vc_grant_validate(&fa, cat, "blog.Post", 9, "select", 6, "r", 1,
										   "status = 'x' AND author_id IN (1, principal())", 46, NULL, &err);

		VT_CHECK(rc == VC_OK || rc == VC_ERR_OUT_OF_MEMORY);
		ok = rc == VC_OK;
	}
	VT_CHECK(ok);
}

int
main(void)
{
	json_t	   *rows = load_rows();
	vc_error	err;

	if (vc_catalog_load(&vc_alloc_libc, rows, 1, &cat, &err) != VC_OK)
	{
		fprintf(stderr, "catalog: %s\n", err.message);
		return 2;
	}
	json_decref(rows);

	VT_RUN(test_default_deny_pg);
	VT_RUN(test_default_deny_sqlite);
	VT_RUN(test_grant_for_other_action_denies);
	VT_RUN(test_permissions_false_unrestricted);
	VT_RUN(test_everyone_no_predicate);
	VT_RUN(test_full_sql_pg);
	VT_RUN(test_principal_integer_fk);
	VT_RUN(test_principal_bigint);
	VT_RUN(test_principal_uuid);
	VT_RUN(test_principal_text);
	VT_RUN(test_principal_reversed_and_field_name);
	VT_RUN(test_principal_in_list_and_between);
	VT_RUN(test_principal_untyped_is_text);
	VT_RUN(test_literals_bound_pg);
	VT_RUN(test_literals_bound_sqlite);
	VT_RUN(test_literal_typed_by_column);
	VT_RUN(test_literal_untyped_kinds);
	VT_RUN(test_negative_literal_and_unary);
	VT_RUN(test_arith_grouping_explicit);
	VT_RUN(test_keywords_canonical);
	VT_RUN(test_functions_and_quoted_column);
	VT_RUN(test_role_named_bound_pg);
	VT_RUN(test_role_named_bound_sqlite);
	VT_RUN(test_role_anonymous_authenticated);
	VT_RUN(test_action_all_and_order);
	VT_RUN(test_sql_independent_of_principal);
	VT_RUN(test_join_filter_on_clause);
	VT_RUN(test_join_related_left_join);
	VT_RUN(test_join_m2m_target_and_self);
	VT_RUN(test_count_both_dialects);
	VT_RUN(test_update_uses_update_grants);
	VT_RUN(test_delete_default_deny_sqlite);
	VT_RUN(test_insert_marks_check);
	VT_RUN(test_check_sql_bare_pg);
	VT_RUN(test_check_sql_alias_sqlite);
	VT_RUN(test_check_sql_unrestricted_and_errors);
	VT_RUN(test_policy_owner);
	VT_RUN(test_policy_literals_quoted);
	VT_RUN(test_policy_functions_and_roles);
	VT_RUN(test_policy_unary_and_uuid);
	VT_RUN(test_expr_render_direct);
	VT_RUN(test_validate_ok_and_normalised);
	VT_RUN(test_validate_bad_action);
	VT_RUN(test_validate_bad_role);
	VT_RUN(test_validate_unknown_model);
	VT_RUN(test_validate_syntax_error);
	VT_RUN(test_validate_unknown_column);
	VT_RUN(test_validate_literal_type);
	VT_RUN(test_validate_embedded_nul);
	VT_RUN(test_load_errors);
	VT_RUN(test_perms_accessors);
	VT_RUN(test_oom_load);
	VT_RUN(test_oom_compile_check_policy);
	VT_RUN(test_oom_validate_and_render);

	vc_catalog_free(cat);
	VT_DONE();
}
