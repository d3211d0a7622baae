/*
 * test_query.c — the read side of the query compiler (vc_query.h) against
 * the blog example models: exact SQL text and parameters on both dialects
 * for every lookup, joins, M2M, related output, values/group by,
 * annotate/aggregate, ordering and keyset, limits, and every error path
 * with its message and SQLSTATE.
 */
#include "vtest.h"

#include <jansson.h>

#include "vc_query.h"

static vc_catalog *cat;

static json_t *
load_rows(void)
{
	static const char *const files[] = {"Author", "Post", "Tag", "Comment", "SiteSettings"};
	json_t	   *rows = json_array();
	size_t		i;

	for (i = 0; i < 5; i++)
	{
		char		path[256];
		json_t	   *s,
				   *row;

		snprintf(path, sizeof(path), "../../examples/blog/schemas/%s.json", files[i]);
		s = json_load_file(path, 0, NULL);
		if (s == NULL)
		{
			fprintf(stderr, "cannot load %s\n", path);
			exit(2);
		}
		row = json_pack("{s:s+,s:o}", "label", "blog.", files[i], "schema", s);
		json_array_append_new(rows, row);
	}
	return rows;
}

static vc_query_opts
opts(vc_dialect d)
{
	vc_query_opts o;

	memset(&o, 0, sizeof(o));
	o.dialect = d;
	return o;
}

#define PG VC_DIALECT_POSTGRESQL
#define LITE VC_DIALECT_SQLITE

/* Compile a query of the given kind; returns the compiled statement or NULL
 * (err filled). */
typedef vc_code (*compile_fn) (const vc_alloc *, const vc_catalog *, const char *,
							   const json_t *, const vc_query_opts *, vc_compiled **,
							   vc_error *);

static vc_compiled *
comp(compile_fn fn, vc_dialect d, const char *label, const char *spec, vc_error *err)
{
	json_t	   *j = spec ? json_loads(spec, 0, NULL) : NULL;
	vc_compiled *c = NULL;
	vc_query_opts o = opts(d);

	if (spec && j == NULL)
	{
		fprintf(stderr, "  bad test JSON: %s\n", spec);
		return NULL;
	}
	vc_error_clear(err);
	if (fn(&vc_alloc_libc, cat, label, j, &o, &c, err) != VC_OK)
		c = NULL;
	json_decref(j);
	return c;
}

/* SQL of a query on model label, or "ERR <sqlstate>: message". */
static char last[8192];

static const char *
sql_of(compile_fn fn, vc_dialect d, const char *label, const char *spec)
{
	vc_error	err;
	vc_compiled *c = comp(fn, d, label, spec, &err);

	if (c == NULL)
		snprintf(last, sizeof(last), "ERR %s: %s", vc_sqlstate(err.code), err.message);
	else
	{
		snprintf(last, sizeof(last), "%s", c->sql);
		vc_compiled_free(c);
	}
	return last;
}

/* Only the WHERE clause (after " WHERE " up to " ORDER BY" / end). */
static char wbuf[8192];

static const char *
where_of(vc_dialect d, const char *label, const char *spec)
{
	const char *s = sql_of(vc_compile_query, d, label, spec);
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

static const char *
err_of(compile_fn fn, vc_dialect d, const char *label, const char *spec,
	   vc_error *err)
{
	vc_compiled *c = comp(fn, d, label, spec, err);

	if (c)
	{
		vc_compiled_free(c);
		return "(no error)";
	}
	return err->message;
}

#define POST_COLS "\"t0\".\"id\", \"t0\".\"title\", \"t0\".\"slug\", \"t0\".\"body\", \"t0\".\"author_id\", \"t0\".\"status\", \"t0\".\"views\", \"t0\".\"rating\", \"t0\".\"score\", \"t0\".\"metadata\", "
#define POST_COLS_PG POST_COLS "array_to_json(\"t0\".\"keywords\"), \"t0\".\"cover\", \"t0\".\"publish_at\", \"t0\".\"created_at\", \"t0\".\"updated_at\""
#define POST_COLS_LITE POST_COLS "\"t0\".\"keywords\", \"t0\".\"cover\", \"t0\".\"publish_at\", \"t0\".\"created_at\", \"t0\".\"updated_at\""

/* ---- plain queries ---------------------------------------------------- */

static void
test_query_all_pg(void)
{
	VT_STREQ(sql_of(vc_compile_query, PG, "blog.Post", "{}"),
			 "SELECT " POST_COLS_PG " FROM \"blog_post\" AS \"t0\" ORDER BY \"t0\".\"created_at\" DESC NULLS FIRST, \"t0\".\"id\" ASC NULLS LAST");
}

static void
test_query_all_sqlite(void)
{
	VT_STREQ(sql_of(vc_compile_query, LITE, "blog.Post", NULL),
			 "SELECT " POST_COLS_LITE " FROM \"blog_post\" AS \"t0\" ORDER BY \"t0\".\"created_at\" DESC NULLS FIRST, \"t0\".\"id\" ASC NULLS LAST");
}

static void
test_query_output_desc(void)
{
	vc_error	err;
	vc_compiled *c = comp(vc_compile_query, PG, "blog.Post", "{\"only\": [\"title\", \"author\", \"rating\", \"metadata\", \"keywords\"]}", &err);

	VT_CHECK(c != NULL);
	if (!c)
		return;
	VT_STREQ(c->sql, "SELECT \"t0\".\"id\", \"t0\".\"title\", \"t0\".\"author_id\", \"t0\".\"rating\", \"t0\".\"metadata\", array_to_json(\"t0\".\"keywords\") FROM \"blog_post\" AS \"t0\" ORDER BY \"t0\".\"created_at\" DESC NULLS FIRST, \"t0\".\"id\" ASC NULLS LAST");
	VT_CHECK(c->ncols == 6);
	VT_STREQ(c->cols[0].key, "id");
	VT_CHECK(c->cols[0].kind == VC_OUT_NUMBER);
	VT_STREQ(c->cols[1].key, "title");
	VT_CHECK(c->cols[1].kind == VC_OUT_STRING);
	VT_STREQ(c->cols[2].key, "author_id");
	VT_CHECK(c->cols[2].kind == VC_OUT_NUMBER);
	VT_CHECK(c->cols[3].kind == VC_OUT_NUMBER);
	VT_CHECK(c->cols[4].kind == VC_OUT_JSON);
	VT_CHECK(c->cols[5].kind == VC_OUT_JSON);
	VT_CHECK(c->result == VC_RESULT_ROWS);
	VT_CHECK(c->nparams == 0);
	vc_compiled_free(c);
}

static void
test_query_defer(void)
{
	VT_STREQ(sql_of(vc_compile_query, LITE, "blog.Tag", "{\"defer\": [\"color\", \"id\"], \"order_by\": [\"name\"]}"),
			 "SELECT \"t0\".\"id\", \"t0\".\"name\", \"t0\".\"slug\" FROM \"blog_tag\" AS \"t0\" ORDER BY \"t0\".\"name\" ASC NULLS LAST, \"t0\".\"id\" ASC NULLS LAST");
}

static void
test_query_limit_offset(void)
{
	vc_error	err;
	vc_compiled *c = comp(vc_compile_query, PG, "blog.Tag", "{\"limit\": 10, \"offset\": 20, \"only\": [\"name\"]}", &err);

	VT_CHECK(c != NULL);
	if (!c)
		return;
	VT_STREQ(c->sql, "SELECT \"t0\".\"id\", \"t0\".\"name\" FROM \"blog_tag\" AS \"t0\" ORDER BY \"t0\".\"name\" ASC NULLS LAST, \"t0\".\"id\" ASC NULLS LAST LIMIT $1 OFFSET $2");
	VT_CHECK(c->nparams == 2 && c->params[0].i == 10 && c->params[1].i == 20);
	VT_STREQ(c->params[0].pg_type, "int8");
	vc_compiled_free(c);
}

static void
test_query_offset_only_sqlite(void)
{
	VT_STREQ(sql_of(vc_compile_query, LITE, "blog.Tag", "{\"offset\": 5, \"only\": [\"name\"]}"),
			 "SELECT \"t0\".\"id\", \"t0\".\"name\" FROM \"blog_tag\" AS \"t0\" ORDER BY \"t0\".\"name\" ASC NULLS LAST, \"t0\".\"id\" ASC NULLS LAST LIMIT -1 OFFSET ?1");
}

static void
test_query_max_rows_cap(void)
{
	json_t	   *spec = json_loads("{\"limit\": 500, \"only\": [\"name\"]}", 0, NULL);
	vc_query_opts o = opts(PG);
	vc_compiled *c = NULL;
	vc_error	err;

	o.max_rows = 100;
	VT_CHECK(vc_compile_query(&vc_alloc_libc, cat, "blog.Tag", spec, &o, &c, &err) == VC_OK);
	if (c)
	{
		VT_CHECK(strstr(c->sql, " LIMIT $1") != NULL);
		VT_CHECK(c->nparams == 1 && c->params[0].i == 100);
		vc_compiled_free(c);
	}
	json_decref(spec);
	spec = json_loads("{\"only\": [\"name\"]}", 0, NULL);
	VT_CHECK(vc_compile_query(&vc_alloc_libc, cat, "blog.Tag", spec, &o, &c, &err) == VC_OK);
	if (c)
	{
		VT_CHECK(c->nparams == 1 && c->params[0].i == 100);
		vc_compiled_free(c);
	}
	json_decref(spec);
}

static void
test_query_distinct(void)
{
	VT_STREQ(sql_of(vc_compile_query, PG, "blog.Tag", "{\"distinct\": true, \"only\": [\"name\"], \"where\": {\"posts__views__gt\": 3}}"),
			 "SELECT DISTINCT \"t0\".\"id\", \"t0\".\"name\", \"t0\".\"name\", \"t0\".\"id\" FROM \"blog_tag\" AS \"t0\" LEFT JOIN \"blog_post_tags\" AS \"t1\" ON \"t1\".\"tag_id\" = \"t0\".\"id\" LEFT JOIN \"blog_post\" AS \"t2\" ON \"t2\".\"id\" = \"t1\".\"post_id\" WHERE \"t2\".\"views\" > $1 ORDER BY \"t0\".\"name\" ASC NULLS LAST, \"t0\".\"id\" ASC NULLS LAST");
}


/* SELECT DISTINCT needs comparable columns: json (array_to_json) has no
 * equality operator, so arrays are selected as jsonb there. */
static void
test_distinct_array_pg(void)
{
	const char *s = sql_of(vc_compile_query, PG, "blog.Post", "{\"distinct\": true, \"only\": [\"keywords\", \"metadata\"]}");

	VT_STREQ(s, "SELECT DISTINCT \"t0\".\"id\", \"t0\".\"metadata\", to_jsonb(\"t0\".\"keywords\"), \"t0\".\"created_at\", \"t0\".\"id\" FROM \"blog_post\" AS \"t0\" ORDER BY \"t0\".\"created_at\" DESC NULLS FIRST, \"t0\".\"id\" ASC NULLS LAST");
	VT_CHECK(strstr(s, "array_to_json") == NULL);
	/* values and count over values take the same form */
	VT_STREQ(sql_of(vc_compile_query, PG, "blog.Post", "{\"distinct\": true, \"values\": [\"keywords\"]}"),
			 "SELECT DISTINCT to_jsonb(\"t0\".\"keywords\"), \"t0\".\"created_at\" FROM \"blog_post\" AS \"t0\" ORDER BY \"t0\".\"created_at\" DESC NULLS FIRST");
	VT_STREQ(sql_of(vc_compile_count, PG, "blog.Post", "{\"distinct\": true, \"values\": [\"keywords\", \"metadata\"]}"),
			 "SELECT count(*) FROM (SELECT DISTINCT to_jsonb(\"t0\".\"keywords\"), \"t0\".\"metadata\" FROM \"blog_post\" AS \"t0\") AS \"q\"");
	/* without distinct: unchanged; SQLite stores arrays as JSON text */
	VT_CHECK(strstr(sql_of(vc_compile_query, PG, "blog.Post", "{\"values\": [\"keywords\"]}"), "array_to_json(\"t0\".\"keywords\")") != NULL);
	VT_STREQ(sql_of(vc_compile_query, LITE, "blog.Post", "{\"distinct\": true, \"values\": [\"keywords\"]}"),
			 "SELECT DISTINCT \"t0\".\"keywords\", \"t0\".\"created_at\" FROM \"blog_post\" AS \"t0\" ORDER BY \"t0\".\"created_at\" DESC NULLS FIRST");
}

/* ---- lookups ---------------------------------------------------------- */

static void
test_lookup_exact(void)
{
	VT_STREQ(where_of(PG, "blog.Post", "{\"where\": {\"title\": \"x\"}}"), "\"t0\".\"title\" = $1");
	VT_STREQ(where_of(LITE, "blog.Post", "{\"where\": {\"title__exact\": \"x\"}}"), "\"t0\".\"title\" = ?1");
}

static void
test_lookup_null(void)
{
	VT_STREQ(where_of(PG, "blog.Post", "{\"where\": {\"rating\": null}}"), "\"t0\".\"rating\" IS NULL");
	VT_STREQ(where_of(LITE, "blog.Post", "{\"where\": {\"rating__isnull\": false}}"), "\"t0\".\"rating\" IS NOT NULL");
	VT_STREQ(where_of(PG, "blog.Post", "{\"where\": {\"rating__isnull\": true}}"), "\"t0\".\"rating\" IS NULL");
}

static void
test_lookup_iexact(void)
{
	VT_STREQ(where_of(PG, "blog.Post", "{\"where\": {\"title__iexact\": \"x\"}}"), "lower(\"t0\".\"title\") = lower($1)");
	VT_STREQ(where_of(LITE, "blog.Post", "{\"where\": {\"title__iexact\": \"x\"}}"), "lower(\"t0\".\"title\") = lower(?1)");
}

static void
test_lookup_contains_pg(void)
{
	vc_error	err;
	vc_compiled *c = comp(vc_compile_query, PG, "blog.Post", "{\"where\": {\"title__contains\": \"50%_off\\\\\"}}", &err);

	VT_CHECK(c != NULL);
	if (!c)
		return;
	VT_CHECK(strstr(c->sql, "WHERE \"t0\".\"title\" LIKE $1 ESCAPE '\\'") != NULL);
	VT_STREQ(c->params[0].text, "%50\\%\\_off\\\\%");
	VT_STREQ(c->params[0].pg_type, "text");
	vc_compiled_free(c);
}

static void
test_lookup_contains_sqlite(void)
{
	vc_error	err;
	vc_compiled *c = comp(vc_compile_query, LITE, "blog.Post", "{\"where\": {\"title__contains\": \"50%\"}}", &err);

	VT_CHECK(c != NULL);
	if (!c)
		return;
	VT_CHECK(strstr(c->sql, "WHERE instr(\"t0\".\"title\", ?1) > 0") != NULL);
	VT_STREQ(c->params[0].text, "50%");
	VT_CHECK(c->params[0].sqlite_class == VC_SQLITE_TEXT);
	vc_compiled_free(c);
}

static void
test_lookup_icontains(void)
{
	VT_STREQ(where_of(PG, "blog.Post", "{\"where\": {\"title__icontains\": \"py\"}}"), "\"t0\".\"title\" ILIKE $1 ESCAPE '\\'");
	VT_STREQ(where_of(LITE, "blog.Post", "{\"where\": {\"title__icontains\": \"py\"}}"), "lower(\"t0\".\"title\") LIKE lower(?1) ESCAPE '\\'");
}

static void
test_lookup_startswith(void)
{
	VT_STREQ(where_of(PG, "blog.Post", "{\"where\": {\"title__startswith\": \"a_\"}}"), "\"t0\".\"title\" LIKE $1 ESCAPE '\\'");
	VT_STREQ(where_of(LITE, "blog.Post", "{\"where\": {\"title__startswith\": \"a\"}}"), "substr(\"t0\".\"title\", 1, length(?1)) = ?1");
	VT_STREQ(where_of(LITE, "blog.Post", "{\"where\": {\"title__istartswith\": \"a\"}}"), "lower(\"t0\".\"title\") LIKE lower(?1) ESCAPE '\\'");
}

static void
test_lookup_endswith(void)
{
	VT_STREQ(where_of(PG, "blog.Post", "{\"where\": {\"title__iendswith\": \"a\"}}"), "\"t0\".\"title\" ILIKE $1 ESCAPE '\\'");
	VT_STREQ(where_of(LITE, "blog.Post", "{\"where\": {\"title__endswith\": \"a\"}}"), "(length(?1) = 0 OR substr(\"t0\".\"title\", -length(?1)) = ?1)");
}

static void
test_like_patterns(void)
{
	vc_error	err;
	vc_compiled *c = comp(vc_compile_query, PG, "blog.Post", "{\"where\": {\"title__startswith\": \"a_%\", \"body__iendswith\": \"z\"}}", &err);

	VT_CHECK(c != NULL);
	if (!c)
		return;
	VT_STREQ(c->params[0].text, "a\\_\\%%");
	VT_STREQ(c->params[1].text, "%z");
	vc_compiled_free(c);
}

static void
test_lookup_compare(void)
{
	VT_STREQ(where_of(PG, "blog.Post", "{\"where\": {\"views__gt\": 1, \"views__gte\": 2, \"views__lt\": 3, \"views__lte\": 4}}"),
			 "(\"t0\".\"views\" > $1 AND \"t0\".\"views\" >= $2 AND \"t0\".\"views\" < $3 AND \"t0\".\"views\" <= $4)");
}

static void
test_lookup_in(void)
{
	vc_error	err;
	vc_compiled *c = comp(vc_compile_query, LITE, "blog.Post", "{\"where\": {\"id__in\": [1, 2, 3]}}", &err);

	VT_CHECK(c != NULL);
	if (!c)
		return;
	VT_CHECK(strstr(c->sql, "WHERE \"t0\".\"id\" IN (?1, ?2, ?3)") != NULL);
	VT_CHECK(c->nparams == 3 && c->params[2].i == 3 && c->params[2].sqlite_class == VC_SQLITE_INTEGER);
	VT_STREQ(c->params[0].pg_type, "int8");
	vc_compiled_free(c);
	VT_STREQ(where_of(PG, "blog.Post", "{\"where\": {\"id__in\": []}}"), "FALSE");
}

static void
test_lookup_range(void)
{
	VT_STREQ(where_of(PG, "blog.Post", "{\"where\": {\"created_at__range\": [\"2024-01-01\", \"2024-12-31T23:59:59+02:00\"]}}"),
			 "\"t0\".\"created_at\" BETWEEN $1 AND $2");
}

static void
test_lookup_regex(void)
{
	vc_error	err;
	vc_compiled *c;

	VT_STREQ(where_of(PG, "blog.Post", "{\"where\": {\"slug__regex\": \"^[a-z]+$\"}}"), "\"t0\".\"slug\" ~ $1");
	VT_STREQ(where_of(PG, "blog.Post", "{\"where\": {\"slug__iregex\": \"^[a-z]+$\"}}"), "\"t0\".\"slug\" ~* $1");
	c = comp(vc_compile_query, LITE, "blog.Post", "{\"where\": {\"slug__iregex\": \"^ab\"}}", &err);
	VT_CHECK(c != NULL);
	if (c)
	{
		VT_CHECK(strstr(c->sql, "WHERE \"t0\".\"slug\" REGEXP ?1") != NULL);
		VT_STREQ(c->params[0].text, "(?i)^ab");
		vc_compiled_free(c);
	}
}

static void
test_lookup_regex_rejected(void)
{
	vc_error	err;

	err_of(vc_compile_query, PG, "blog.Post", "{\"where\": {\"slug__regex\": \"(a+)+\"}}", &err);
	VT_SQLSTATE(&err, "2201B");
}

/* ---- conditions -------------------------------------------------------- */

static void
test_cond_or_and(void)
{
	VT_STREQ(where_of(PG, "blog.Post", "{\"where\": {\"$or\": [{\"title__icontains\": \"python\"}, {\"views__gte\": 1000}], \"status\": \"published\"}}"),
			 "((\"t0\".\"title\" ILIKE $1 ESCAPE '\\' OR \"t0\".\"views\" >= $2) AND \"t0\".\"status\" = $3)");
	VT_STREQ(where_of(PG, "blog.Post", "{\"where\": {\"$and\": [{\"views\": 1}, {\"views\": 2}]}}"),
			 "(\"t0\".\"views\" = $1 AND \"t0\".\"views\" = $2)");
	VT_STREQ(where_of(PG, "blog.Post", "{\"where\": {\"$or\": []}}"), "FALSE");
}

static void
test_cond_not(void)
{
	VT_STREQ(where_of(PG, "blog.Post", "{\"where\": {\"$not\": {\"views__gt\": 5}}}"),
			 "(\"t0\".\"views\" > $1) IS NOT TRUE");
	VT_STREQ(where_of(LITE, "blog.Post", "{\"where\": {\"$not\": {\"rating\": null}}}"),
			 "(\"t0\".\"rating\" IS NULL) IS NOT TRUE");
}

static void
test_cond_empty(void)
{
	VT_STREQ(where_of(PG, "blog.Tag", "{\"where\": {}}"), "TRUE");
}

/* ---- relations --------------------------------------------------------- */

static void
test_fk_id_forms(void)
{
	const char *expect = "\"t0\".\"author_id\" = $1";

	VT_STREQ(where_of(PG, "blog.Post", "{\"where\": {\"author\": 5}}"), expect);
	VT_STREQ(where_of(PG, "blog.Post", "{\"where\": {\"author_id\": 5}}"), expect);
	VT_STREQ(where_of(PG, "blog.Post", "{\"where\": {\"author__id\": 5}}"), expect);
	VT_STREQ(where_of(PG, "blog.Post", "{\"where\": {\"author__in\": [1, 2]}}"), "\"t0\".\"author_id\" IN ($1, $2)");
	VT_STREQ(where_of(PG, "blog.Post", "{\"where\": {\"author__id__gt\": 2}}"), "\"t0\".\"author_id\" > $1");
}

static void
test_fk_join(void)
{
	VT_STREQ(sql_of(vc_compile_count, PG, "blog.Post", "{\"where\": {\"author__name\": \"Ann\"}}"),
			 "SELECT count(*) FROM \"blog_post\" AS \"t0\" JOIN \"blog_author\" AS \"t1\" ON \"t1\".\"id\" = \"t0\".\"author_id\" WHERE \"t1\".\"name\" = $1");
}

static void
test_fk_join_in_or_is_left(void)
{
	VT_STREQ(sql_of(vc_compile_count, PG, "blog.Post", "{\"where\": {\"$or\": [{\"author__name\": \"Ann\"}, {\"views\": 1}]}}"),
			 "SELECT count(*) FROM \"blog_post\" AS \"t0\" LEFT JOIN \"blog_author\" AS \"t1\" ON \"t1\".\"id\" = \"t0\".\"author_id\" WHERE (\"t1\".\"name\" = $1 OR \"t0\".\"views\" = $2)");
}

static void
test_nullable_fk_left(void)
{
	VT_STREQ(sql_of(vc_compile_count, LITE, "blog.Comment", "{\"where\": {\"author__name\": \"Ann\"}}"),
			 "SELECT count(*) FROM \"blog_comment\" AS \"t0\" LEFT JOIN \"blog_author\" AS \"t1\" ON \"t1\".\"id\" = \"t0\".\"author_id\" WHERE \"t1\".\"name\" = ?1");
}

static void
test_join_shared(void)
{
	VT_STREQ(sql_of(vc_compile_count, PG, "blog.Comment", "{\"where\": {\"post__title\": \"a\", \"post__author__name\": \"b\", \"post__views\": 3}}"),
			 "SELECT count(*) FROM \"blog_comment\" AS \"t0\" JOIN \"blog_post\" AS \"t1\" ON \"t1\".\"id\" = \"t0\".\"post_id\" JOIN \"blog_author\" AS \"t2\" ON \"t2\".\"id\" = \"t1\".\"author_id\" WHERE (\"t1\".\"title\" = $1 AND \"t2\".\"name\" = $2 AND \"t1\".\"views\" = $3)");
}

static void
test_m2m_filter(void)
{
	VT_STREQ(sql_of(vc_compile_count, PG, "blog.Post", "{\"where\": {\"tags__name\": \"c\"}}"),
			 "SELECT count(*) FROM \"blog_post\" AS \"t0\" JOIN \"blog_post_tags\" AS \"t1\" ON \"t1\".\"post_id\" = \"t0\".\"id\" JOIN \"blog_tag\" AS \"t2\" ON \"t2\".\"id\" = \"t1\".\"tag_id\" WHERE \"t2\".\"name\" = $1");
	VT_STREQ(sql_of(vc_compile_count, PG, "blog.Post", "{\"where\": {\"tags__in\": [1, 2]}}"),
			 "SELECT count(*) FROM \"blog_post\" AS \"t0\" JOIN \"blog_post_tags\" AS \"t1\" ON \"t1\".\"post_id\" = \"t0\".\"id\" WHERE \"t1\".\"tag_id\" IN ($1, $2)");
}

static void
test_reverse_filter(void)
{
	VT_STREQ(sql_of(vc_compile_count, PG, "blog.Author", "{\"where\": {\"posts__views__gt\": 10}}"),
			 "SELECT count(*) FROM \"blog_author\" AS \"t0\" LEFT JOIN \"blog_post\" AS \"t1\" ON \"t1\".\"author_id\" = \"t0\".\"id\" WHERE \"t1\".\"views\" > $1");
}


/* $not over a many-valued path: a correlated EXISTS, not a join per row */
static void
test_not_many_valued(void)
{
	/* M2M: junction then target inside the sub-select; no outer join */
	VT_STREQ(sql_of(vc_compile_count, PG, "blog.Post", "{\"where\": {\"$not\": {\"tags__name\": \"c\"}}}"),
			 "SELECT count(*) FROM \"blog_post\" AS \"t0\" WHERE (EXISTS (SELECT 1 FROM \"blog_post_tags\" AS \"t1\" LEFT JOIN \"blog_tag\" AS \"t2\" ON \"t2\".\"id\" = \"t1\".\"tag_id\" WHERE \"t1\".\"post_id\" = \"t0\".\"id\" AND \"t2\".\"name\" = $1)) IS NOT TRUE");
	/* reverse FK */
	VT_STREQ(sql_of(vc_compile_count, LITE, "blog.Author", "{\"where\": {\"$not\": {\"posts__views__gt\": 10}}}"),
			 "SELECT count(*) FROM \"blog_author\" AS \"t0\" WHERE (EXISTS (SELECT 1 FROM \"blog_post\" AS \"t1\" WHERE \"t1\".\"author_id\" = \"t0\".\"id\" AND \"t1\".\"views\" > ?1)) IS NOT TRUE");
	/* the M2M column itself; reverse M2M */
	VT_STREQ(where_of(PG, "blog.Post", "{\"where\": {\"$not\": {\"tags__in\": [1, 2]}}}"),
			 "(EXISTS (SELECT 1 FROM \"blog_post_tags\" AS \"t1\" WHERE \"t1\".\"post_id\" = \"t0\".\"id\" AND \"t1\".\"tag_id\" IN ($1, $2))) IS NOT TRUE");
	VT_STREQ(where_of(PG, "blog.Tag", "{\"where\": {\"$not\": {\"posts__title\": \"x\"}}}"),
			 "(EXISTS (SELECT 1 FROM \"blog_post_tags\" AS \"t1\" LEFT JOIN \"blog_post\" AS \"t2\" ON \"t2\".\"id\" = \"t1\".\"post_id\" WHERE \"t1\".\"tag_id\" = \"t0\".\"id\" AND \"t2\".\"title\" = $1)) IS NOT TRUE");
	/* isnull true is also met by having no related row at all */
	VT_STREQ(where_of(PG, "blog.Post", "{\"where\": {\"$not\": {\"tags__isnull\": true}}}"),
			 "((NOT EXISTS (SELECT 1 FROM \"blog_post_tags\" AS \"t1\" WHERE \"t1\".\"post_id\" = \"t0\".\"id\") OR EXISTS (SELECT 1 FROM \"blog_post_tags\" AS \"t1\" WHERE \"t1\".\"post_id\" = \"t0\".\"id\" AND \"t1\".\"tag_id\" IS NULL))) IS NOT TRUE");
	/* single-valued hops before the many-valued one stay outer joins; the
	 * sub-select correlates with the joined alias; other members keep
	 * their own form; two conditions get two sub-selects */
	VT_STREQ(sql_of(vc_compile_count, PG, "blog.Comment", "{\"where\": {\"$not\": {\"$or\": [{\"post__tags__name\": \"a\"}, {\"post__tags__slug\": \"b\"}, {\"body\": \"c\"}]}}}"),
			 "SELECT count(*) FROM \"blog_comment\" AS \"t0\" LEFT JOIN \"blog_post\" AS \"t1\" ON \"t1\".\"id\" = \"t0\".\"post_id\" WHERE ((EXISTS (SELECT 1 FROM \"blog_post_tags\" AS \"t2\" LEFT JOIN \"blog_tag\" AS \"t3\" ON \"t3\".\"id\" = \"t2\".\"tag_id\" WHERE \"t2\".\"post_id\" = \"t1\".\"id\" AND \"t3\".\"name\" = $1) OR EXISTS (SELECT 1 FROM \"blog_post_tags\" AS \"t4\" LEFT JOIN \"blog_tag\" AS \"t5\" ON \"t5\".\"id\" = \"t4\".\"tag_id\" WHERE \"t4\".\"post_id\" = \"t1\".\"id\" AND \"t5\".\"slug\" = $2) OR \"t0\".\"body\" = $3)) IS NOT TRUE");
	/* outside $not many-valued paths stay joins (test_m2m_filter), even
	 * next to a $not that uses the same relation */
	VT_STREQ(sql_of(vc_compile_count, PG, "blog.Post", "{\"where\": {\"tags__name\": \"a\", \"$not\": {\"tags__name\": \"b\"}}}"),
			 "SELECT count(*) FROM \"blog_post\" AS \"t0\" JOIN \"blog_post_tags\" AS \"t1\" ON \"t1\".\"post_id\" = \"t0\".\"id\" JOIN \"blog_tag\" AS \"t2\" ON \"t2\".\"id\" = \"t1\".\"tag_id\" WHERE (\"t2\".\"name\" = $1 AND (EXISTS (SELECT 1 FROM \"blog_post_tags\" AS \"t3\" LEFT JOIN \"blog_tag\" AS \"t4\" ON \"t4\".\"id\" = \"t3\".\"tag_id\" WHERE \"t3\".\"post_id\" = \"t0\".\"id\" AND \"t4\".\"name\" = $2)) IS NOT TRUE)");
}

static void
test_self_fk(void)
{
	VT_STREQ(sql_of(vc_compile_count, PG, "blog.Comment", "{\"where\": {\"parent__parent__body\": \"x\"}}"),
			 "SELECT count(*) FROM \"blog_comment\" AS \"t0\" LEFT JOIN \"blog_comment\" AS \"t1\" ON \"t1\".\"id\" = \"t0\".\"parent_id\" LEFT JOIN \"blog_comment\" AS \"t2\" ON \"t2\".\"id\" = \"t1\".\"parent_id\" WHERE \"t2\".\"body\" = $1");
}

static void
test_path_too_deep(void)
{
	vc_error	err;

	VT_STREQ(err_of(vc_compile_query, PG, "blog.Comment",
					"{\"where\": {\"parent__parent__parent__parent__parent__parent__body\": \"x\"}}", &err),
			 "relation path \"parent__parent__parent__parent__parent__parent__body\" is deeper than 5 hops");
	VT_SQLSTATE(&err, "54001");
	err_of(vc_compile_query, PG, "blog.Comment",
		   "{\"where\": {\"parent__parent__parent__parent__parent__body\": \"x\"}}", &err);
	VT_CHECK(err.code == VC_OK);
}

static void
test_related(void)
{
	vc_error	err;
	vc_compiled *c = comp(vc_compile_query, PG, "blog.Comment", "{\"related\": [\"author\", \"post__author\"], \"defer\": [\"body\", \"ip_address\"]}", &err);
	size_t		k;

	VT_CHECK(c != NULL);
	if (!c)
	{
		fprintf(stderr, "  %s\n", err.message);
		return;
	}
	VT_CHECK(strstr(c->sql, "FROM \"blog_comment\" AS \"t0\" LEFT JOIN \"blog_author\" AS \"t1\" ON \"t1\".\"id\" = \"t0\".\"author_id\" LEFT JOIN \"blog_post\" AS \"t2\" ON \"t2\".\"id\" = \"t0\".\"post_id\" LEFT JOIN \"blog_author\" AS \"t3\" ON \"t3\".\"id\" = \"t2\".\"author_id\" ORDER BY") != NULL);
	VT_CHECK(c->nnests == 3);
	VT_STREQ(c->nests[0].key, "author");
	VT_CHECK(c->nests[0].parent == -1);
	VT_STREQ(c->nests[1].key, "post");
	VT_STREQ(c->nests[2].key, "author");
	VT_CHECK(c->nests[2].parent == 1);
	VT_STREQ(c->cols[c->nests[0].pk_col].key, "id");
	VT_CHECK(c->cols[c->nests[0].pk_col].nest == 0);
	k = c->nests[2].first_col + 1;
	VT_CHECK(c->cols[k].npath == 3);
	VT_STREQ(c->cols[k].path[0], "post");
	VT_STREQ(c->cols[k].path[1], "author");
	VT_STREQ(c->cols[k].path[2], "name");
	vc_compiled_free(c);
}

static void
test_related_row_json(void)
{
	vc_error	err;
	vc_compiled *c = comp(vc_compile_query, PG, "blog.Tag", "{\"only\": [\"name\"]}", &err);
	vc_cell		cells[2] = {{"7", 1, false, false}, {"a\"b", 3, false, false}};
	vc_buf		b;

	VT_CHECK(c != NULL);
	if (!c)
		return;
	vc_buf_init(&b, &vc_alloc_libc);
	VT_CHECK(vc_row_json(&b, c, cells, &err) == VC_OK);
	VT_STREQ(b.data, "{\"id\":7,\"name\":\"a\\\"b\"}");
	vc_buf_reset(&b);
	vc_compiled_free(c);

	c = comp(vc_compile_query, LITE, "blog.Comment", "{\"related\": [\"author\"], \"only\": [\"is_approved\"]}", &err);
	VT_CHECK(c != NULL);
	if (!c)
		return;
	{
		vc_cell		cc[32];
		size_t		k;

		memset(cc, 0, sizeof(cc));
		for (k = 0; k < c->ncols; k++)
			cc[k].isnull = true;
		cc[0].data = "3";
		cc[0].len = 1;
		cc[0].isnull = false;
		cc[1].data = "1";
		cc[1].len = 1;
		cc[1].isnull = false;
		vc_buf_init(&b, &vc_alloc_libc);
		VT_CHECK(vc_row_json(&b, c, cc, &err) == VC_OK);
		VT_STREQ(b.data, "{\"id\":3,\"is_approved\":true,\"author\":null}");
		vc_buf_reset(&b);
	}
	vc_compiled_free(c);
}

static void
test_row_json_kinds(void)
{
	vc_error	err;
	vc_compiled *c = comp(vc_compile_query, PG, "blog.SiteSettings", "{\"only\": [\"logo\", \"theme\", \"maintenance\", \"build\"]}", &err);
	vc_buf		b;

	VT_CHECK(c != NULL);
	if (!c)
		return;
	{
		vc_cell		cells[5] = {{"1", 1, false, false}, {"t", 1, false, false},
		{"{\"a\": 1}", 8, false, false}, {"\\xDEad", 6, false, false}, {"NaN", 3, false, false}};

		vc_buf_init(&b, &vc_alloc_libc);
		VT_CHECK(vc_row_json(&b, c, cells, &err) == VC_OK);
		VT_STREQ(b.data, "{\"id\":1,\"maintenance\":true,\"theme\":{\"a\": 1},\"logo\":\"dead\",\"build\":\"NaN\"}");
		vc_buf_reset(&b);
		cells[3].data = "\x01\xff";
		cells[3].len = 2;
		cells[3].blob = true;
		cells[1].data = "0";
		vc_buf_init(&b, &vc_alloc_libc);
		VT_CHECK(vc_row_json(&b, c, cells, &err) == VC_OK);
		VT_STREQ(b.data, "{\"id\":1,\"maintenance\":false,\"theme\":{\"a\": 1},\"logo\":\"01ff\",\"build\":\"NaN\"}");
		vc_buf_reset(&b);
	}
	vc_compiled_free(c);
}

/* ---- values, annotate, aggregate --------------------------------------- */

static void
test_values(void)
{
	vc_error	err;
	vc_compiled *c = comp(vc_compile_query, PG, "blog.Post", "{\"values\": [\"title\", \"author__name\", \"author\"]}", &err);

	VT_CHECK(c != NULL);
	if (!c)
		return;
	VT_STREQ(c->sql, "SELECT \"t0\".\"title\", \"t1\".\"name\", \"t0\".\"author_id\" FROM \"blog_post\" AS \"t0\" LEFT JOIN \"blog_author\" AS \"t1\" ON \"t1\".\"id\" = \"t0\".\"author_id\" ORDER BY \"t0\".\"created_at\" DESC NULLS FIRST");
	VT_CHECK(c->ncols == 3);
	VT_STREQ(c->cols[1].key, "author__name");
	VT_STREQ(c->cols[2].key, "author");
	vc_compiled_free(c);
}

static void
test_values_group_by(void)
{
	VT_STREQ(sql_of(vc_compile_query, PG, "blog.Post", "{\"values\": [\"author\"], \"annotate\": {\"n\": {\"$count\": \"id\"}, \"total\": {\"$sum\": \"views\"}}, \"order_by\": [\"-n\"]}"),
			 "SELECT \"t0\".\"author_id\", count(\"t0\".\"id\") AS \"n\", sum(\"t0\".\"views\") AS \"total\" FROM \"blog_post\" AS \"t0\" GROUP BY \"t0\".\"author_id\" ORDER BY \"n\" DESC NULLS FIRST");
}

static void
test_annotate_expr(void)
{
	vc_error	err;
	vc_compiled *c = comp(vc_compile_query, LITE, "blog.Tag", "{\"only\": [\"name\"], \"annotate\": {\"double_id\": {\"$mul\": [{\"$f\": \"id\"}, 2]}, \"x\": {\"$div\": [{\"$add\": [{\"$f\": \"id\"}, 1.5]}, {\"$sub\": [3, {\"$f\": \"id\"}]}]}}}", &err);

	VT_CHECK(c != NULL);
	if (!c)
	{
		fprintf(stderr, "  %s\n", err.message);
		return;
	}
	VT_STREQ(c->sql, "SELECT \"t0\".\"id\", \"t0\".\"name\", (\"t0\".\"id\" * ?1) AS \"double_id\", ((\"t0\".\"id\" + ?2) / (?3 - \"t0\".\"id\")) AS \"x\" FROM \"blog_tag\" AS \"t0\" ORDER BY \"t0\".\"name\" ASC NULLS LAST, \"t0\".\"id\" ASC NULLS LAST");
	VT_CHECK(c->params[0].kind == VC_PARAM_INT && c->params[0].i == 2);
	VT_STREQ(c->cols[2].key, "double_id");
	VT_CHECK(c->cols[2].kind == VC_OUT_NUMBER);
	vc_compiled_free(c);
}

static void
test_annotate_agg_groups_rows(void)
{
	VT_STREQ(sql_of(vc_compile_query, PG, "blog.Tag", "{\"only\": [\"name\"], \"annotate\": {\"n\": {\"$count\": \"posts\"}}}"),
			 "SELECT \"t0\".\"id\", \"t0\".\"name\", count(\"t1\".\"post_id\") AS \"n\" FROM \"blog_tag\" AS \"t0\" LEFT JOIN \"blog_post_tags\" AS \"t1\" ON \"t1\".\"tag_id\" = \"t0\".\"id\" GROUP BY \"t0\".\"id\", \"t0\".\"name\"");
}

static void
test_annotate_m2m_count(void)
{
	VT_STREQ(sql_of(vc_compile_query, PG, "blog.Post", "{\"only\": [\"title\"], \"annotate\": {\"ntags\": {\"$count\": \"tags\"}}}"),
			 "SELECT \"t0\".\"id\", \"t0\".\"title\", count(\"t1\".\"tag_id\") AS \"ntags\" FROM \"blog_post\" AS \"t0\" LEFT JOIN \"blog_post_tags\" AS \"t1\" ON \"t1\".\"post_id\" = \"t0\".\"id\" GROUP BY \"t0\".\"id\", \"t0\".\"title\"");
}

static void
test_annotate_alias_errors(void)
{
	vc_error	err;

	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"annotate\": {\"views\": {\"$f\": \"id\"}}}", &err),
			 "annotation alias \"views\" clashes with a field of \"blog.Post\"");
	VT_SQLSTATE(&err, "22023");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"annotate\": {\"a b\": {\"$f\": \"id\"}}}", &err),
			 "annotation alias \"a b\" is not a valid identifier");
	VT_SQLSTATE(&err, "22023");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"annotate\": {\"x\": {\"$pow\": [1, 2]}}}", &err),
			 "unknown expression operator \"$pow\"");
	VT_SQLSTATE(&err, "22023");
}

static void
test_aggregate(void)
{
	vc_error	err;
	vc_compiled *c = comp(vc_compile_aggregate, PG, "blog.Post", "{\"aggregate\": {\"n\": {\"$count\": \"id\"}, \"a\": {\"$count_distinct\": \"author\"}, \"s\": {\"$sum\": \"views\"}, \"avg\": {\"$avg\": \"score\"}, \"hi\": {\"$max\": \"created_at\"}, \"lo\": {\"$min\": \"title\"}}, \"where\": {\"status\": \"published\"}}", &err);

	VT_CHECK(c != NULL);
	if (!c)
	{
		fprintf(stderr, "  %s\n", err.message);
		return;
	}
	VT_STREQ(c->sql, "SELECT count(\"t0\".\"id\") AS \"n\", count(DISTINCT \"t0\".\"author_id\") AS \"a\", sum(\"t0\".\"views\") AS \"s\", avg(\"t0\".\"score\") AS \"avg\", max(\"t0\".\"created_at\") AS \"hi\", min(\"t0\".\"title\") AS \"lo\" FROM \"blog_post\" AS \"t0\" WHERE \"t0\".\"status\" = $1");
	VT_CHECK(c->result == VC_RESULT_OBJECT);
	VT_CHECK(c->ncols == 6);
	VT_CHECK(c->cols[4].kind == VC_OUT_STRING);
	VT_CHECK(c->cols[2].kind == VC_OUT_NUMBER);
	vc_compiled_free(c);
}

static void
test_aggregate_limited(void)
{
	VT_STREQ(sql_of(vc_compile_aggregate, LITE, "blog.Post", "{\"aggregate\": {\"s\": {\"$sum\": \"views\"}}, \"limit\": 10, \"order_by\": [\"-views\"]}"),
			 "SELECT sum(\"t0\".\"views\") AS \"s\" FROM \"blog_post\" AS \"t0\" WHERE \"t0\".\"id\" IN (SELECT \"t0\".\"id\" FROM \"blog_post\" AS \"t0\" ORDER BY \"t0\".\"views\" DESC NULLS FIRST, \"t0\".\"id\" ASC NULLS LAST LIMIT ?1)");
}

static void
test_aggregate_errors(void)
{
	vc_error	err;

	VT_STREQ(err_of(vc_compile_aggregate, PG, "blog.Post", "{}", &err),
			 "aggregate needs \"aggregate\": {\"alias\": {\"$count\": \"id\"}, ...}");
	VT_SQLSTATE(&err, "22023");
	VT_STREQ(err_of(vc_compile_aggregate, PG, "blog.Post", "{\"aggregate\": {\"s\": {\"$sum\": \"title\"}}}", &err),
			 "\"$sum\" needs a numeric field; \"title\" is CharField");
	VT_STREQ(err_of(vc_compile_aggregate, PG, "blog.Post", "{\"aggregate\": {\"s\": {\"$f\": \"views\"}}}", &err),
			 "aggregate \"s\" must be one of $count, $count_distinct, $sum, $avg, $max, $min");
	VT_STREQ(err_of(vc_compile_aggregate, PG, "blog.Post", "{\"aggregate\": {\"s\": {\"$sum\": \"views\"}}, \"related\": [\"author\"]}", &err),
			 "spec key \"related\" does not apply to aggregate");
}

/* ---- count / exists / get --------------------------------------------- */

static void
test_count_plain(void)
{
	VT_STREQ(sql_of(vc_compile_count, PG, "blog.Post", "{\"where\": {\"views__gt\": 3}, \"order_by\": [\"title\"]}"),
			 "SELECT count(*) FROM \"blog_post\" AS \"t0\" WHERE \"t0\".\"views\" > $1");
}

static void
test_count_distinct_limit(void)
{
	VT_STREQ(sql_of(vc_compile_count, PG, "blog.Post", "{\"where\": {\"tags__name__in\": [\"a\", \"b\"]}, \"distinct\": true, \"limit\": 5}"),
			 "SELECT count(*) FROM (SELECT DISTINCT \"t0\".\"id\" FROM \"blog_post\" AS \"t0\" JOIN \"blog_post_tags\" AS \"t1\" ON \"t1\".\"post_id\" = \"t0\".\"id\" JOIN \"blog_tag\" AS \"t2\" ON \"t2\".\"id\" = \"t1\".\"tag_id\" WHERE \"t2\".\"name\" IN ($1, $2) LIMIT $3) AS \"q\"");
}

static void
test_exists(void)
{
	vc_error	err;
	vc_compiled *c = comp(vc_compile_exists, LITE, "blog.Tag", "{\"where\": {\"name\": \"x\"}}", &err);

	VT_CHECK(c != NULL);
	if (!c)
		return;
	VT_STREQ(c->sql, "SELECT EXISTS (SELECT 1 FROM \"blog_tag\" AS \"t0\" WHERE \"t0\".\"name\" = ?1 LIMIT ?2)");
	VT_CHECK(c->result == VC_RESULT_EXISTS && c->params[1].i == 1);
	vc_compiled_free(c);
}

static void
test_get(void)
{
	vc_error	err;
	vc_compiled *c = comp(vc_compile_get, PG, "blog.Tag", "{\"where\": {\"pk\": 3}, \"only\": [\"name\"]}", &err);

	VT_CHECK(c != NULL);
	if (!c)
		return;
	VT_STREQ(c->sql, "SELECT \"t0\".\"id\", \"t0\".\"name\" FROM \"blog_tag\" AS \"t0\" WHERE \"t0\".\"id\" = $1 ORDER BY \"t0\".\"name\" ASC NULLS LAST, \"t0\".\"id\" ASC NULLS LAST LIMIT $2");
	VT_CHECK(c->result == VC_RESULT_ONE && c->params[1].i == 2);
	VT_STREQ(c->params[0].pg_type, "int4");
	vc_compiled_free(c);
}

/* ---- ordering and keyset ---------------------------------------------- */

static void
test_order_related(void)
{
	VT_STREQ(sql_of(vc_compile_query, PG, "blog.Tag", "{\"only\": [\"name\"], \"order_by\": [\"-posts__author__name\", \"?\"]}"),
			 "SELECT \"t0\".\"id\", \"t0\".\"name\" FROM \"blog_tag\" AS \"t0\" LEFT JOIN \"blog_post_tags\" AS \"t1\" ON \"t1\".\"tag_id\" = \"t0\".\"id\" LEFT JOIN \"blog_post\" AS \"t2\" ON \"t2\".\"id\" = \"t1\".\"post_id\" LEFT JOIN \"blog_author\" AS \"t3\" ON \"t3\".\"id\" = \"t2\".\"author_id\" ORDER BY \"t3\".\"name\" DESC NULLS FIRST, random(), \"t0\".\"id\" ASC NULLS LAST");
}

static void
test_keyset_asc(void)
{
	vc_error	err;
	vc_compiled *c = comp(vc_compile_query, PG, "blog.Tag", "{\"only\": [\"name\"], \"order_by\": [\"name\"], \"after\": [\"m\", 7], \"limit\": 2}", &err);

	VT_CHECK(c != NULL);
	if (!c)
	{
		fprintf(stderr, "  %s\n", err.message);
		return;
	}
	/* name and id are NOT NULL, both ASC: one row comparison (index range) */
	VT_STREQ(c->sql, "SELECT \"t0\".\"id\", \"t0\".\"name\" FROM \"blog_tag\" AS \"t0\" WHERE ((\"t0\".\"name\", \"t0\".\"id\") > ($1, $2)) ORDER BY \"t0\".\"name\" ASC NULLS LAST, \"t0\".\"id\" ASC NULLS LAST LIMIT $3");
	VT_STREQ(c->params[0].text, "m");
	VT_CHECK(c->params[1].i == 7);
	vc_compiled_free(c);
}

static void
test_keyset_desc_nulls(void)
{
	/* -publish_at (nullable, DESC NULLS FIRST); last row had NULL */
	VT_STREQ(where_of(LITE, "blog.Post", "{\"order_by\": [\"-publish_at\"], \"after\": [null, 9], \"where\": {\"views__gt\": 0}}"),
			 "\"t0\".\"views\" > ?1 AND (((\"t0\".\"publish_at\" IS NOT NULL) OR (\"t0\".\"publish_at\" IS NULL AND \"t0\".\"id\" > ?2)))");
	/* ASC with NULL: only rows tied on NULL and later pk */
	VT_STREQ(where_of(PG, "blog.Post", "{\"order_by\": [\"rating\"], \"after\": [null, 9]}"),
			 "(\"t0\".\"rating\" IS NULL AND ((\"t0\".\"rating\" IS NULL AND \"t0\".\"id\" > $1)))");
	VT_STREQ(where_of(PG, "blog.Post", "{\"order_by\": [\"-rating\"], \"after\": [2.5, 9]}"),
			 "(\"t0\".\"rating\" <= $1 AND ((\"t0\".\"rating\" < $1) OR (\"t0\".\"rating\" = $1 AND \"t0\".\"id\" > $2)))");
}


/* The keyset condition carries a bound an index on the ordering answers. */
static void
test_keyset_index_friendly(void)
{
	/* NOT NULL columns, one direction: a row comparison (both dialects) */
	VT_STREQ(where_of(PG, "blog.Post", "{\"order_by\": [\"-views\", \"-id\"], \"after\": [5, 9]}"),
			 "((\"t0\".\"views\", \"t0\".\"id\") < ($1, $2))");
	VT_STREQ(where_of(LITE, "blog.Tag", "{\"order_by\": [\"name\"], \"after\": [\"m\", 7]}"),
			 "((\"t0\".\"name\", \"t0\".\"id\") > (?1, ?2))");
	VT_STREQ(where_of(PG, "blog.Tag", "{\"order_by\": [\"id\"], \"after\": [7]}"),
			 "(\"t0\".\"id\" > $1)");
	/* mixed directions: exact OR plus a leading range bound */
	VT_STREQ(where_of(PG, "blog.Post", "{\"order_by\": [\"views\", \"-title\"], \"after\": [5, \"t\", 9]}"),
			 "(\"t0\".\"views\" >= $1 AND ((\"t0\".\"views\" > $1) OR (\"t0\".\"views\" = $1 AND \"t0\".\"title\" < $2) OR (\"t0\".\"views\" = $1 AND \"t0\".\"title\" = $2 AND \"t0\".\"id\" > $3)))");
	VT_STREQ(where_of(PG, "blog.Post", "{\"order_by\": [\"-views\"], \"after\": [5, 9]}"),
			 "(\"t0\".\"views\" <= $1 AND ((\"t0\".\"views\" < $1) OR (\"t0\".\"views\" = $1 AND \"t0\".\"id\" > $2)))");
	/* nullable ASC column: NULLs follow every value, so no bound */
	VT_STREQ(where_of(PG, "blog.Post", "{\"order_by\": [\"rating\"], \"after\": [2.5, 9]}"),
			 "((((\"t0\".\"rating\" > $1 OR \"t0\".\"rating\" IS NULL)) OR (\"t0\".\"rating\" = $1 AND \"t0\".\"id\" > $2)))");
	/* a NOT NULL column reached through a LEFT JOIN can still be NULL */
	VT_STREQ(where_of(PG, "blog.Comment", "{\"order_by\": [\"post__views\"], \"after\": [3, 9]}"),
			 "((((\"t1\".\"views\" > $1 OR \"t1\".\"views\" IS NULL)) OR (\"t1\".\"views\" = $1 AND \"t0\".\"id\" > $2)))");
	/* a null value for a NOT NULL column falls back to the exact form */
	VT_STREQ(where_of(PG, "blog.Tag", "{\"order_by\": [\"-name\"], \"after\": [null, 7]}"),
			 "(((\"t0\".\"name\" IS NOT NULL) OR (\"t0\".\"name\" IS NULL AND \"t0\".\"id\" > $1)))");
}

static void
test_keyset_errors(void)
{
	vc_error	err;

	VT_STREQ(err_of(vc_compile_query, PG, "blog.Tag", "{\"order_by\": [\"name\"], \"after\": [\"m\"]}", &err),
			 "\"after\" has 1 values; the ordering has 2 terms");
	VT_SQLSTATE(&err, "22023");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Tag", "{\"order_by\": [\"?\"], \"after\": [1, 2]}", &err),
			 "\"after\" needs an ordering of fields (no \"?\" or annotations)");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"order_by\": [\"created_at\"], \"after\": [\"2024-02-30\", 1]}", &err),
			 "model \"blog.Post\", field \"created_at\": after value is not an ISO-8601 date and time (YYYY-MM-DD[THH:MM[:SS[.ffffff]]][Z|+HH:MM])");
	VT_SQLSTATE(&err, "22007");
}

/* ---- for_update -------------------------------------------------------- */

static void
test_for_update(void)
{
	vc_error	err;
	vc_compiled *c = comp(vc_compile_query, PG, "blog.Tag", "{\"only\": [\"name\"], \"for_update\": {\"skip_locked\": true}}", &err);

	VT_CHECK(c != NULL);
	if (!c)
		return;
	VT_CHECK(strstr(c->sql, "ASC NULLS LAST FOR UPDATE SKIP LOCKED") != NULL);
	VT_CHECK(c->for_update);
	vc_compiled_free(c);
	VT_CHECK(strstr(sql_of(vc_compile_query, PG, "blog.Post", "{\"where\": {\"author__name\": \"x\"}, \"for_update\": {\"nowait\": true}}"),
					"FOR UPDATE OF \"t0\" NOWAIT") != NULL);
	c = comp(vc_compile_query, LITE, "blog.Tag", "{\"for_update\": {}}", &err);
	VT_CHECK(c != NULL && strstr(c->sql, "FOR UPDATE") == NULL && c->for_update);
	vc_compiled_free(c);
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Tag", "{\"for_update\": {\"nowait\": true, \"skip_locked\": true}}", &err),
			 "\"nowait\" and \"skip_locked\" are mutually exclusive");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Tag", "{\"for_update\": {}, \"distinct\": true}", &err),
			 "\"for_update\" cannot be combined with distinct or aggregates");
}

static void
test_ignore_permissions_flag(void)
{
	vc_error	err;
	vc_compiled *c = comp(vc_compile_query, PG, "blog.Tag", "{\"ignore_permissions\": true}", &err);

	VT_CHECK(c != NULL && c->ignore_permissions);
	vc_compiled_free(c);
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Tag", "{\"ignore_permissions\": 1}", &err),
			 "\"ignore_permissions\" must be true or false");
}

/* ---- values typing ----------------------------------------------------- */

static void
test_value_types(void)
{
	vc_error	err;
	vc_compiled *c = comp(vc_compile_query, LITE, "blog.Author", "{\"where\": {\"public_id\": \"6F9619FF-8B86-D011-B42D-00C04FC964FF\", \"joined_on__gte\": \"2024-02-29\", \"is_active\": true, \"last_login_ip\": \"10.0.0.1\"}}", &err);

	VT_CHECK(c != NULL);
	if (!c)
	{
		fprintf(stderr, "  %s\n", err.message);
		return;
	}
	VT_STREQ(c->params[0].text, "6f9619ff-8b86-d011-b42d-00c04fc964ff");
	VT_STREQ(c->params[0].pg_type, "uuid");
	VT_CHECK(c->params[0].kind == VC_PARAM_UUID);
	VT_STREQ(c->params[1].text, "2024-02-29");
	VT_CHECK(c->params[1].kind == VC_PARAM_DATE);
	VT_CHECK(c->params[2].kind == VC_PARAM_BOOL && c->params[2].i == 1 &&
			 c->params[2].sqlite_class == VC_SQLITE_INTEGER);
	VT_STREQ(c->params[3].pg_type, "inet");
	vc_compiled_free(c);
}

static void
test_value_timestamp_norm(void)
{
	vc_error	err;
	vc_compiled *c = comp(vc_compile_query, LITE, "blog.Post", "{\"where\": {\"created_at__gt\": \"2024-01-01T01:30:00.123456+02:00\", \"created_at__lt\": \"2024-03-01\"}}", &err);

	VT_CHECK(c != NULL);
	if (!c)
		return;
	VT_STREQ(c->params[0].text, "2023-12-31T23:30:00.123Z");
	VT_STREQ(c->params[1].text, "2024-03-01T00:00:00.000Z");
	vc_compiled_free(c);
	c = comp(vc_compile_query, PG, "blog.Post", "{\"where\": {\"created_at__gt\": \"2024-01-01 01:30\"}}", &err);
	VT_CHECK(c != NULL);
	if (!c)
		return;
	VT_STREQ(c->params[0].text, "2024-01-01T01:30:00.000000Z");
	VT_STREQ(c->params[0].pg_type, "timestamptz");
	vc_compiled_free(c);
}

static void
test_value_decimal_json_array(void)
{
	vc_error	err;
	vc_compiled *c = comp(vc_compile_query, PG, "blog.Post", "{\"where\": {\"rating\": \"4.5\", \"metadata\": {\"a\": [1]}, \"keywords\": [\"x\", \"y\\\"z\"]}}", &err);

	VT_CHECK(c != NULL);
	if (!c)
	{
		fprintf(stderr, "  %s\n", err.message);
		return;
	}
	VT_CHECK(c->params[0].kind == VC_PARAM_NUMERIC);
	VT_STREQ(c->params[0].text, "4.5");
	VT_STREQ(c->params[1].text, "{\"a\":[1]}");
	VT_STREQ(c->params[1].pg_type, "jsonb");
	VT_STREQ(c->params[2].text, "{\"x\",\"y\\\"z\"}");
	VT_STREQ(c->params[2].pg_type, "text[]");
	vc_compiled_free(c);
}

static void
test_value_errors(void)
{
	vc_error	err;

	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"where\": {\"views\": \"abc\"}}", &err),
			 "model \"blog.Post\", field \"views\": lookup value must be an integer for PositiveIntegerField");
	VT_SQLSTATE(&err, "22P02");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Author", "{\"where\": {\"joined_on\": \"2024-13-01\"}}", &err),
			 "model \"blog.Author\", field \"joined_on\": lookup value is not a date (YYYY-MM-DD)");
	VT_SQLSTATE(&err, "22007");
	/* an empty string consumes nothing: no time (never a half-set one) */
	VT_CHECK(strstr(err_of(vc_compile_query, LITE, "blog.SiteSettings", "{\"where\": {\"open_time\": \"\"}}", &err),
					"open_time") != NULL);
	VT_SQLSTATE(&err, "22007");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.SiteSettings", "{\"where\": {\"posts_per_page\": 40000}}", &err),
			 "model \"blog.SiteSettings\", field \"posts_per_page\": lookup value is out of range for SmallIntegerField");
	VT_SQLSTATE(&err, "22003");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"where\": {\"views\": -1}}", &err),
			 "model \"blog.Post\", field \"views\": lookup value is out of range for PositiveIntegerField");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"where\": {\"author\": \"x\"}}", &err),
			 "model \"blog.Post\", field \"author\": lookup value must be an integer for IntegerField");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"where\": {\"views__contains\": \"1\"}}", &err),
			 "lookup \"contains\" of \"views__contains\" needs a text field");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"where\": {\"title__contains\": 5}}", &err),
			 "model \"blog.Post\", field \"title\": lookup value must be a string for contains");
	VT_SQLSTATE(&err, "22P02");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"where\": {\"views__gt\": null}}", &err),
			 "lookup \"gt\" of \"views__gt\" does not take null; use isnull");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"where\": {\"views__in\": 3}}", &err),
			 "lookup \"in\" of \"views__in\" takes a JSON array");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"where\": {\"views__range\": [1]}}", &err),
			 "lookup \"range\" of \"views__range\" takes an array of two non-null values");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"where\": {\"views__isnull\": 1}}", &err),
			 "lookup \"isnull\" of \"views__isnull\" takes true or false");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"where\": {\"public\": 1}}", &err),
			 "model \"blog.Post\" has no field \"public\"");
}

/* ---- errors ------------------------------------------------------------ */

static void
test_unknown_model(void)
{
	vc_error	err;

	VT_STREQ(err_of(vc_compile_query, PG, "blog.Pst", "{}", &err), "unknown model \"blog.Pst\"");
	VT_SQLSTATE(&err, "42P01");
	VT_STREQ(err.hint, "Perhaps you meant \"blog.Post\".");
}

static void
test_unknown_field(void)
{
	vc_error	err;

	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"where\": {\"titel\": \"x\"}}", &err),
			 "model \"blog.Post\" has no field \"titel\"");
	VT_SQLSTATE(&err, "42703");
	VT_STREQ(err.hint, "Perhaps you meant \"title\".");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"where\": {\"author__nmae\": \"x\"}}", &err),
			 "model \"blog.Author\" has no field \"nmae\"");
	VT_STREQ(err.hint, "Perhaps you meant \"name\".");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"order_by\": [\"-craeted_at\"]}", &err),
			 "model \"blog.Post\" has no field \"craeted_at\"");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"only\": [\"ttle\"]}", &err),
			 "model \"blog.Post\" has no field \"ttle\"");
	VT_SQLSTATE(&err, "42703");
}

static void
test_unknown_lookup(void)
{
	vc_error	err;

	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"where\": {\"title__icontain\": \"x\"}}", &err),
			 "unknown lookup \"icontain\" in \"title__icontain\"");
	VT_SQLSTATE(&err, "22023");
	VT_STREQ(err.hint, "Perhaps you meant \"icontains\".");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"where\": {\"title__foo__bar\": \"x\"}}", &err),
			 "field \"title\" of model \"blog.Post\" is not a relation");
}

static void
test_unknown_spec_key(void)
{
	vc_error	err;

	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"wher\": {}}", &err), "unknown spec key \"wher\"");
	VT_SQLSTATE(&err, "22023");
	VT_STREQ(err.hint, "Perhaps you meant \"where\".");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"aggregate\": {}}", &err),
			 "spec key \"aggregate\" does not apply to a query");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"where\": {\"$nor\": []}}", &err),
			 "unknown condition operator \"$nor\"");
	VT_STREQ(err.hint, "Perhaps you meant \"$or\".");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "[]", &err), "a query must be a JSON object");
}

static void
test_spec_value_errors(void)
{
	vc_error	err;

	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"limit\": -1}", &err),
			 "\"limit\" must be a non-negative integer");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"offset\": \"2\"}", &err),
			 "\"offset\" must be a non-negative integer");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"only\": [\"title\"], \"defer\": [\"body\"]}", &err),
			 "\"only\" and \"defer\" are mutually exclusive");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"order_by\": \"title\"}", &err),
			 "\"order_by\" must be a JSON array of strings");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"where\": [1]}", &err),
			 "a condition must be a JSON object");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"related\": [\"tags\"]}", &err),
			 "related \"tags\": \"tags\" is not a ForeignKey or OneToOneField");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"only\": [\"tags\"]}", &err),
			 "\"only\" cannot name the ManyToManyField \"tags\"");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Post", "{\"where\": {\"title__\": 1}}", &err),
			 "malformed field path \"title__\"");
	VT_STREQ(err_of(vc_compile_query, VC_DIALECT_MYSQL, "blog.Post", "{}", &err),
			 "the query compiler supports the postgresql and sqlite dialects only");
}

/* ---- limits ------------------------------------------------------------ */

static void
test_limit_nesting(void)
{
	char		spec[4096];
	int			i;
	size_t		n = 0;
	vc_error	err;

	n += snprintf(spec + n, sizeof(spec) - n, "{\"where\": ");
	for (i = 0; i < 32; i++)
		n += snprintf(spec + n, sizeof(spec) - n, "{\"$not\": ");
	n += snprintf(spec + n, sizeof(spec) - n, "{\"id\": 1}");
	for (i = 0; i < 32; i++)
		n += snprintf(spec + n, sizeof(spec) - n, "}");
	snprintf(spec + n, sizeof(spec) - n, "}");
	VT_STREQ(err_of(vc_compile_query, PG, "blog.Tag", spec, &err), "condition nesting is deeper than 32");
	VT_SQLSTATE(&err, "54001");
	/* 31 levels are fine */
	n = 0;
	n += snprintf(spec + n, sizeof(spec) - n, "{\"where\": ");
	for (i = 0; i < 31; i++)
		n += snprintf(spec + n, sizeof(spec) - n, "{\"$not\": ");
	n += snprintf(spec + n, sizeof(spec) - n, "{\"id\": 1}");
	for (i = 0; i < 31; i++)
		n += snprintf(spec + n, sizeof(spec) - n, "}");
	snprintf(spec + n, sizeof(spec) - n, "}");
	err_of(vc_compile_query, PG, "blog.Tag", spec, &err);
	VT_CHECK(err.code == VC_OK);
}

static void
test_limit_in_list(void)
{
	json_t	   *spec = json_pack("{s:{s:[]}}", "where", "id__in");
	json_t	   *list = json_object_get(json_object_get(spec, "where"), "id__in");
	vc_query_opts o = opts(PG);
	vc_compiled *c = NULL;
	vc_error	err;
	int			i;

	for (i = 0; i < 10001; i++)
		json_array_append_new(list, json_integer(i));
	VT_CHECK(vc_compile_query(&vc_alloc_libc, cat, "blog.Tag", spec, &o, &c, &err) == VC_ERR_TOO_COMPLEX);
	VT_STREQ(err.message, "list of \"id__in\" has more than 10000 items");
	VT_SQLSTATE(&err, "54001");
	json_array_remove(list, 0);
	VT_CHECK(vc_compile_query(&vc_alloc_libc, cat, "blog.Tag", spec, &o, &c, &err) == VC_OK);
	VT_CHECK(c && c->nparams == 10000);
	vc_compiled_free(c);
	json_decref(spec);
}

static void
test_limit_spec_size(void)
{
	vc_query_opts o = opts(PG);
	vc_compiled *c = NULL;
	vc_error	err;

	o.spec_len = 1024 * 1024 + 1;
	VT_CHECK(vc_compile_query(&vc_alloc_libc, cat, "blog.Tag", NULL, &o, &c, &err) == VC_ERR_TOO_COMPLEX);
	VT_STREQ(err.message, "spec is larger than 1 MiB");
}

/* ---- no value in SQL; shape --------------------------------------------- */

static void
test_no_value_in_sql(void)
{
	static const char *const specs[] = {
		"{\"where\": {\"title__icontains\": \"SECRETVAL\", \"body__contains\": \"SECRETVAL\", \"slug__startswith\": \"SECRETVAL\", \"status__endswith\": \"SECRETVAL\", \"title__regex\": \"SECRETVAL\", \"slug__iexact\": \"SECRETVAL\", \"views__in\": [424242], \"rating__range\": [1.25, 4.75]}, \"limit\": 313131, \"offset\": 717171}",
		"{\"order_by\": [\"title\"], \"after\": [\"SECRETVAL\", 424242]}",
		"{\"annotate\": {\"x\": {\"$add\": [{\"$f\": \"views\"}, 424242]}}}",
	};
	size_t		i;
	int			d;

	for (d = 0; d < 2; d++)
		for (i = 0; i < 3; i++)
		{
			const char *s = sql_of(vc_compile_query, d == 0 ? PG : LITE, "blog.Post", specs[i]);

			VT_CHECK(strncmp(s, "ERR", 3) != 0);
			VT_CHECK(strstr(s, "SECRETVAL") == NULL);
			VT_CHECK(strstr(s, "424242") == NULL);
			VT_CHECK(strstr(s, "313131") == NULL && strstr(s, "717171") == NULL);
			VT_CHECK(strstr(s, "1.25") == NULL && strstr(s, "4.75") == NULL);
		}
}

static void
test_shape(void)
{
	vc_error	err;
	vc_compiled *a = comp(vc_compile_query, PG, "blog.Post", "{\"where\": {\"views__in\": [1, 2], \"title\": \"a\", \"rating\": null, \"body__isnull\": true}, \"limit\": 3}", &err);
	vc_compiled *b = comp(vc_compile_query, PG, "blog.Post", "{\"where\": {\"views__in\": [5, 6], \"title\": \"zz\", \"rating\": null, \"body__isnull\": true}, \"limit\": 9}", &err);

	VT_CHECK(a && b);
	if (a && b)
	{
		VT_STREQ(a->shape, b->shape);
		VT_STREQ(a->sql, b->sql);
		VT_STREQ(a->shape, "{\"limit\":\"?\",\"op\":\"query\",\"where\":{\"body__isnull\":true,\"rating\":null,\"title\":\"?\",\"views__in\":[\"?\",\"?\"]}}");
	}
	vc_compiled_free(a);
	vc_compiled_free(b);
}

static void
test_params_json(void)
{
	vc_error	err;
	vc_compiled *c = comp(vc_compile_query, PG, "blog.Post", "{\"where\": {\"views\": 3, \"title\": \"a\", \"metadata\": {\"k\": true}, \"score__gt\": 0.25}}", &err);
	json_t	   *pj;
	char	   *s;

	VT_CHECK(c != NULL);
	if (!c)
		return;
	VT_CHECK(vc_compiled_params_json(c, &pj, &err) == VC_OK);
	s = json_dumps(pj, JSON_COMPACT);
	VT_STREQ(s, "[3,\"a\",{\"k\":true},0.25]");
	free(s);
	json_decref(pj);
	vc_compiled_free(c);
}

/* ---- permission hook --------------------------------------------------- */

static vc_code
fake_perm(void *ud, const vc_model *m, vc_perm_action action, const char *alias,
		  vc_sql_sink *sink, bool *applied, vc_error *err)
{
	vc_param	p;

	(void) ud;
	(void) action;
	if (strcmp(m->label, "blog.Author") != 0 && strcmp(m->label, "blog.Post") != 0)
		return VC_OK;
	memset(&p, 0, sizeof(p));
	p.kind = VC_PARAM_TEXT;
	p.text = (char *) "owner";
	p.len = 5;
	p.pg_type = "text";
	p.sqlite_class = VC_SQLITE_TEXT;
	vc_sink_ident(sink, alias);
	vc_sink_sql(sink, ".");
	vc_sink_ident(sink, "id");
	vc_sink_sql(sink, " = (SELECT 1 WHERE current_user = ");
	*applied = true;
	if (vc_sink_param(sink, &p, err) != VC_OK)
		return err->code;
	vc_sink_sql(sink, ")");
	return VC_OK;
}

static void
test_perm_hook(void)
{
	json_t	   *spec = json_loads("{\"where\": {\"author__name\": \"a\"}, \"only\": [\"title\"], \"order_by\": [\"id\"]}", 0, NULL);
	vc_query_opts o = opts(PG);
	vc_compiled *c = NULL;
	vc_error	err;

	o.perm = fake_perm;
	VT_CHECK(vc_compile_query(&vc_alloc_libc, cat, "blog.Post", spec, &o, &c, &err) == VC_OK);
	if (c)
	{
		VT_STREQ(c->sql, "SELECT \"t0\".\"id\", \"t0\".\"title\" FROM \"blog_post\" AS \"t0\" JOIN \"blog_author\" AS \"t1\" ON \"t1\".\"id\" = \"t0\".\"author_id\" AND (\"t1\".\"id\" = (SELECT 1 WHERE current_user = $2)) WHERE (\"t0\".\"id\" = (SELECT 1 WHERE current_user = $3)) AND \"t1\".\"name\" = $1 ORDER BY \"t0\".\"id\" ASC NULLS LAST");
		VT_CHECK(c->nparams == 3);
		VT_STREQ(c->params[1].text, "owner");
		vc_compiled_free(c);
	}
	json_decref(spec);
}


/* Permission predicates reach the tables of an EXISTS sub-select too. */
static void
test_perm_hook_exists(void)
{
	json_t	   *spec = json_loads("{\"where\": {\"$not\": {\"posts__title\": \"t\"}}}", 0, NULL);
	vc_query_opts o = opts(PG);
	vc_compiled *c = NULL;
	vc_error	err;

	o.perm = fake_perm;
	VT_CHECK(vc_compile_count(&vc_alloc_libc, cat, "blog.Author", spec, &o, &c, &err) == VC_OK);
	if (c)
	{
		VT_STREQ(c->sql, "SELECT count(*) FROM \"blog_author\" AS \"t0\" WHERE (\"t0\".\"id\" = (SELECT 1 WHERE current_user = $3)) AND (EXISTS (SELECT 1 FROM \"blog_post\" AS \"t1\" WHERE \"t1\".\"author_id\" = \"t0\".\"id\" AND (\"t1\".\"id\" = (SELECT 1 WHERE current_user = $2)) AND \"t1\".\"title\" = $1)) IS NOT TRUE");
		vc_compiled_free(c);
	}
	json_decref(spec);
}

/* ---- allocation failures ------------------------------------------------ */

static void
test_alloc_failures(void)
{
	json_t	   *spec = json_loads("{\"where\": {\"$or\": [{\"author__name__icontains\": \"a\"}, {\"tags__name__in\": [\"x\", \"y\"]}], \"$not\": {\"views__gt\": 3}}, \"related\": [\"author\"], \"annotate\": {\"v2\": {\"$mul\": [{\"$f\": \"views\"}, 2]}}, \"order_by\": [\"-title\"], \"after\": [\"t\", 4], \"limit\": 5}", 0, NULL);
	json_t	   *aspec = json_loads("{\"aggregate\": {\"n\": {\"$count\": \"id\"}}, \"distinct\": true}", 0, NULL);
	vc_query_opts o = opts(PG);
	long		n;
	int			ok_seen = 0,
				bad = 0;

	for (n = 1; n < 400 && !ok_seen; n++)
	{
		vt_fail_state st;
		vc_alloc	fa = vt_failing_alloc(&st, n);
		vc_compiled *c = NULL;
		vc_error	err;
		vc_code		rc = vc_compile_query(&fa, cat, "blog.Post", spec, &o, &c, &err);

		if (rc == VC_OK)
		{
			ok_seen = 1;
			vc_compiled_free(c);
		}
		else if (rc != VC_ERR_OUT_OF_MEMORY)
			bad++;
	}
	VT_CHECK(ok_seen);
	VT_CHECK(bad == 0);
	ok_seen = 0;
	for (n = 1; n < 400 && !ok_seen; n++)
	{
		vt_fail_state st;
		vc_alloc	fa = vt_failing_alloc(&st, n);
		vc_compiled *c = NULL;
		vc_error	err;
		vc_code		rc = vc_compile_aggregate(&fa, cat, "blog.Post", aspec, &o, &c, &err);

		if (rc == VC_OK)
		{
			ok_seen = 1;
			vc_compiled_free(c);
		}
		else if (rc != VC_ERR_OUT_OF_MEMORY)
			bad++;
	}
	VT_CHECK(ok_seen && bad == 0);
	json_decref(spec);
	json_decref(aspec);
}

static void
test_catalog(void)
{
	vc_error	err;
	vc_catalog *c2 = NULL;
	const vc_model *m;

	VT_CHECK(vc_catalog_version(cat) == 42);
	VT_CHECK(vc_catalog_count(cat) == 5);
	VT_CHECK(vc_catalog_find(cat, "blog.Tag", 8, &m, &err) == VC_OK && strcmp(m->table, "blog_tag") == 0);
	VT_CHECK(vc_catalog_load_text(&vc_alloc_libc, "[{\"label\": 1}]", 14, 1, &c2, &err) == VC_ERR_INTERNAL);
	VT_CHECK(vc_catalog_load_text(&vc_alloc_libc, "[", 1, 1, &c2, &err) == VC_ERR_TEXT_REPR);
	VT_CHECK(vc_catalog_load_text(&vc_alloc_libc, "[{\"label\": \"a.B\", \"schema\": {\"app\": \"a\", \"name\": \"B\", \"fields\": [{\"name\": \"c\", \"type\": \"ForeignKey\", \"to\": \"a.Zed\"}]}}]", 119, 1, &c2, &err) != VC_OK);
	VT_SQLSTATE(&err, "42P01");
}

int
main(void)
{
	json_t	   *rows = load_rows();
	vc_error	err;

	if (vc_catalog_load(&vc_alloc_libc, rows, 42, &cat, &err) != VC_OK)
	{
		fprintf(stderr, "catalog: %s\n", err.message);
		return 2;
	}
	json_decref(rows);
	VT_RUN(test_catalog);
	VT_RUN(test_query_all_pg);
	VT_RUN(test_query_all_sqlite);
	VT_RUN(test_query_output_desc);
	VT_RUN(test_query_defer);
	VT_RUN(test_query_limit_offset);
	VT_RUN(test_query_offset_only_sqlite);
	VT_RUN(test_query_max_rows_cap);
	VT_RUN(test_query_distinct);
	VT_RUN(test_distinct_array_pg);
	VT_RUN(test_lookup_exact);
	VT_RUN(test_lookup_null);
	VT_RUN(test_lookup_iexact);
	VT_RUN(test_lookup_contains_pg);
	VT_RUN(test_lookup_contains_sqlite);
	VT_RUN(test_lookup_icontains);
	VT_RUN(test_lookup_startswith);
	VT_RUN(test_lookup_endswith);
	VT_RUN(test_like_patterns);
	VT_RUN(test_lookup_compare);
	VT_RUN(test_lookup_in);
	VT_RUN(test_lookup_range);
	VT_RUN(test_lookup_regex);
	VT_RUN(test_lookup_regex_rejected);
	VT_RUN(test_cond_or_and);
	VT_RUN(test_cond_not);
	VT_RUN(test_cond_empty);
	VT_RUN(test_fk_id_forms);
	VT_RUN(test_fk_join);
	VT_RUN(test_fk_join_in_or_is_left);
	VT_RUN(test_nullable_fk_left);
	VT_RUN(test_join_shared);
	VT_RUN(test_m2m_filter);
	VT_RUN(test_reverse_filter);
	VT_RUN(test_not_many_valued);
	VT_RUN(test_self_fk);
	VT_RUN(test_path_too_deep);
	VT_RUN(test_related);
	VT_RUN(test_related_row_json);
	VT_RUN(test_row_json_kinds);
	VT_RUN(test_values);
	VT_RUN(test_values_group_by);
	VT_RUN(test_annotate_expr);
	VT_RUN(test_annotate_agg_groups_rows);
	VT_RUN(test_annotate_m2m_count);
	VT_RUN(test_annotate_alias_errors);
	VT_RUN(test_aggregate);
	VT_RUN(test_aggregate_limited);
	VT_RUN(test_aggregate_errors);
	VT_RUN(test_count_plain);
	VT_RUN(test_count_distinct_limit);
	VT_RUN(test_exists);
	VT_RUN(test_get);
	VT_RUN(test_order_related);
	VT_RUN(test_keyset_asc);
	VT_RUN(test_keyset_desc_nulls);
	VT_RUN(test_keyset_index_friendly);
	VT_RUN(test_keyset_errors);
	VT_RUN(test_for_update);
	VT_RUN(test_ignore_permissions_flag);
	VT_RUN(test_value_types);
	VT_RUN(test_value_timestamp_norm);
	VT_RUN(test_value_decimal_json_array);
	VT_RUN(test_value_errors);
	VT_RUN(test_unknown_model);
	VT_RUN(test_unknown_field);
	VT_RUN(test_unknown_lookup);
	VT_RUN(test_unknown_spec_key);
	VT_RUN(test_spec_value_errors);
	VT_RUN(test_limit_nesting);
	VT_RUN(test_limit_in_list);
	VT_RUN(test_limit_spec_size);
	VT_RUN(test_no_value_in_sql);
	VT_RUN(test_shape);
	VT_RUN(test_params_json);
	VT_RUN(test_perm_hook);
	VT_RUN(test_perm_hook_exists);
	VT_RUN(test_alloc_failures);
	vc_catalog_free(cat);
	VT_DONE();
}
