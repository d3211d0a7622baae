/*
 * bench/compile_bench.c — in-process cost of turning a typical QuerySpec
 * into SQL with the core library (no database): parse the spec text
 * (jansson), validate and compile it (vc_compile_query), free the result.
 * The spec has 5 filters, 2 joins (post, post__author), an ordering and a
 * limit, on blog.Comment. Target (issue 4): median <= 10 µs.
 *
 *   compile_bench CATALOG.json
 * CATALOG.json: the catalog rows [{"label", "schema"}] as viper.models
 * holds them (bench/run.sh exports them after migrating the blog example).
 * Prints one RESULT line (bench/bench_util.h); exit 1 on any error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "vc_catalog.h"
#include "vc_query.h"

#include "bench_util.h"

#define RUNS 21
#define ITERS 5000

static const char spec_text[] =
"{\"where\": {\"post__author__name__icontains\": \"ann\", \"post__status\": \"published\", "
"\"is_approved\": true, \"created_at__gte\": \"2024-01-01T00:00:00Z\", "
"\"$not\": {\"body__contains\": \"spam\"}}, "
"\"order_by\": [\"-created_at\"], \"limit\": 20}";

int
main(int argc, char **argv)
{
	FILE	   *f;
	char	   *text;
	long		len;
	vc_catalog *cat = NULL;
	vc_error	err;
	vc_query_opts o;
	double		per[RUNS];

	if (argc != 2 || (f = fopen(argv[1], "rb")) == NULL)
	{
		fprintf(stderr, "usage: compile_bench CATALOG.json\n");
		return 1;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = malloc((size_t) len + 1);
	if (text == NULL || fread(text, 1, (size_t) len, f) != (size_t) len)
		return 1;
	text[len] = '\0';
	fclose(f);
	memset(&err, 0, sizeof(err));
	if (vc_catalog_load_text(&vc_alloc_libc, text, (size_t) len, 1, &cat, &err) != VC_OK)
	{
		fprintf(stderr, "compile_bench: catalog: %s\n", err.message);
		return 1;
	}
	memset(&o, 0, sizeof(o));
	o.dialect = VC_DIALECT_POSTGRESQL;
	o.spec_len = strlen(spec_text);

	for (int r = 0; r < RUNS; r++)
	{
		double		t0 = bench_now_us();

		for (int i = 0; i < ITERS; i++)
		{
			json_error_t jerr;
			json_t	   *spec = json_loadb(spec_text, sizeof(spec_text) - 1, 0, &jerr);
			vc_compiled *c = NULL;

			if (spec == NULL)
			{
				fprintf(stderr, "compile_bench: spec: %s\n", jerr.text);
				return 1;
			}
			if (vc_compile_query(&vc_alloc_libc, cat, "blog.Comment", spec, &o, &c, &err) != VC_OK)
			{
				fprintf(stderr, "compile_bench: compile: %s\n", err.message);
				return 1;
			}
			if (r == 0 && i == 0)
				printf("INFO\tcompiled SQL: %s\n", c->sql);
			vc_compiled_free(c);
			json_decref(spec);
		}
		per[r] = (bench_now_us() - t0) / ITERS;
	}
	{
		double		m = bench_median(per, RUNS);

		bench_result("validate + compile a typical spec (in-process)", m, 0, "us",
					 "<= 10 us", m <= 10.0);
	}
	vc_catalog_free(cat);
	free(text);
	return 0;
}
