/*
 * bench/sqlite_bench.c — SQLite benchmarks of viper's functions (loaded
 * from sqlite_ext/build/viper.so through the sqlite3 C API) against
 * hand-written prepared SQL returning the same JSON, same connection,
 * same run. An in-memory database holds bench.Item (bench/schemas/
 * Item.json, migrated with viper_migrate); 1,000,000 rows are inserted
 * first with a raw prepared INSERT in one transaction (that is the raw
 * side of the bulk scenario), then 200,000 through viper_bulk_create in
 * batches of 1,000 inside one transaction.
 *
 *   sqlite_bench EXTENSION_PATH SCHEMA_JSON_FILE
 * Prints RESULT lines (bench/bench_util.h); a missing or failing viper
 * function makes its scenario an ERROR row and the exit status 1.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "bench_util.h"

#define N_ROWS 1000000L
#define RUNS 7

static sqlite3 *db;
static int	failures;

static void
scenario_error(const char *scenario, const char *msg)
{
	printf("RESULT\t%s\tERROR\t-\t-\t-\t%s\tNO\n", scenario, msg ? msg : "");
	fprintf(stderr, "bench: %s: %s\n", scenario, msg ? msg : "");
	fflush(stdout);
	failures++;
}

static void
must(const char *sql)
{
	char	   *e = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &e) != SQLITE_OK)
	{
		fprintf(stderr, "bench: %s: %s\n", sql, e);
		exit(1);
	}
}

/* the statement's parameter 1 (and 2) from call i */
typedef void (*param_fn) (sqlite3_stmt *st);

/* mean µs per call over iters calls, stepping every row; -1 on error */
static double
timed_run(sqlite3_stmt *st, param_fn f, int iters, const char **err)
{
	double		t0 = bench_now_us();

	for (int i = 0; i < iters; i++)
	{
		int			rc;

		sqlite3_reset(st);
		f(st);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			(void) sqlite3_column_text(st, 0);
		if (rc != SQLITE_DONE)
		{
			*err = sqlite3_errmsg(db);
			return -1;
		}
	}
	return (bench_now_us() - t0) / iters;
}

static void
pair(const char *scenario, const char *vsql, param_fn vf, const char *rsql,
	 param_fn rf, int iters, double max_ratio, const char *target)
{
	sqlite3_stmt *vs = NULL,
			   *rs = NULL;
	double		v[RUNS],
				r[RUNS];
	const char *err = NULL;

	if (sqlite3_prepare_v2(db, vsql, -1, &vs, NULL) != SQLITE_OK)
	{
		scenario_error(scenario, sqlite3_errmsg(db));
		return;
	}
	if (sqlite3_prepare_v2(db, rsql, -1, &rs, NULL) != SQLITE_OK)
	{
		fprintf(stderr, "bench: raw SQL of %s: %s\n", scenario, sqlite3_errmsg(db));
		exit(1);
	}
	if (timed_run(vs, vf, iters / 4 + 1, &err) < 0 || timed_run(rs, rf, iters / 4 + 1, &err) < 0)
	{
		scenario_error(scenario, err);
		goto done;
	}
	for (int k = 0; k < RUNS; k++)
	{
		v[k] = timed_run(vs, vf, iters, &err);
		r[k] = timed_run(rs, rf, iters, &err);
		if (v[k] < 0 || r[k] < 0)
		{
			scenario_error(scenario, err);
			goto done;
		}
	}
	{
		double		mv = bench_median(v, RUNS),
					mr = bench_median(r, RUNS);

		bench_result(scenario, mv, mr, "us/call", target, mv <= mr * max_ratio);
	}
done:
	sqlite3_finalize(vs);
	sqlite3_finalize(rs);
}

static char buf[512];

static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

static void
p_get_v(sqlite3_stmt *st)
{
	snprintf(buf, sizeof(buf), "{\"where\": {\"id\": %ld}}", 1 + bench_rand(N_ROWS));
	bind_text(st, 1, buf);
}

static void
p_get_r(sqlite3_stmt *st)
{
	sqlite3_bind_int64(st, 1, 1 + bench_rand(N_ROWS));
}

static void
p_list_v(sqlite3_stmt *st)
{
	snprintf(buf, sizeof(buf),
			 "{\"where\": {\"category\": \"c%ld\", \"qty__gte\": 10}, \"order_by\": [\"-price\"], \"limit\": 1000}",
			 bench_rand(50));
	bind_text(st, 1, buf);
}

static void
p_list_r(sqlite3_stmt *st)
{
	snprintf(buf, sizeof(buf), "c%ld", bench_rand(50));
	bind_text(st, 1, buf);
	sqlite3_bind_int(st, 2, 10);
}

static void
p_count_v(sqlite3_stmt *st)
{
	snprintf(buf, sizeof(buf), "{\"where\": {\"category\": \"c%ld\", \"qty__gte\": 10}}", bench_rand(50));
	bind_text(st, 1, buf);
}

static char after[128];
static long after_qty,
			after_id;

static void
p_page1_v(sqlite3_stmt *st)
{
	bind_text(st, 1, "{\"order_by\": [\"qty\"], \"limit\": 50}");
}

static void
p_deep_v(sqlite3_stmt *st)
{
	snprintf(buf, sizeof(buf), "{\"order_by\": [\"qty\"], \"limit\": 50, \"after\": %s}", after);
	bind_text(st, 1, buf);
}

static void
p_deep_r(sqlite3_stmt *st)
{
	sqlite3_bind_int64(st, 1, after_qty);
	sqlite3_bind_int64(st, 2, after_id);
}

#define ROW_JSON "json_object('id', id, 'name', name, 'category', category, 'qty', qty, " \
	"'price', price, 'active', json(CASE WHEN active THEN 'true' ELSE 'false' END), 'note', note)"

int
main(int argc, char **argv)
{
	char	   *e = NULL,
			   *schema;
	FILE	   *f;
	long		len;
	sqlite3_stmt *st;
	double		t0,
				raw_rate,
				viper_rate = 0;

	if (argc != 3 || (f = fopen(argv[2], "rb")) == NULL)
	{
		fprintf(stderr, "usage: sqlite_bench EXTENSION SCHEMA.json\n");
		return 1;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	schema = malloc((size_t) len + 1);
	if (schema == NULL || fread(schema, 1, (size_t) len, f) != (size_t) len)
		return 1;
	schema[len] = '\0';
	fclose(f);

	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		return 1;
	sqlite3_enable_load_extension(db, 1);
	if (sqlite3_load_extension(db, argv[1], NULL, &e) != SQLITE_OK)
	{
		fprintf(stderr, "bench: load %s: %s\n", argv[1], e);
		return 1;
	}
	/* migrate the bench model */
	if (sqlite3_prepare_v2(db, "SELECT viper_migrate(json_array(json(?1)))", -1, &st, NULL) != SQLITE_OK)
	{
		fprintf(stderr, "bench: viper_migrate: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	sqlite3_bind_text(st, 1, schema, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_ROW)
	{
		fprintf(stderr, "bench: viper_migrate: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	sqlite3_finalize(st);
	/* row permissions are default deny: open the bench models to everyone */
	must("SELECT viper_grant(label, 'all', '*') FROM viper_models");

	/* raw bulk: 1M rows through one prepared INSERT, one transaction */
	must("BEGIN");
	if (sqlite3_prepare_v2(db, "INSERT INTO bench_item (name, category, qty, price, active, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
						   -1, &st, NULL) != SQLITE_OK)
	{
		fprintf(stderr, "bench: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	t0 = bench_now_us();
	for (long i = 1; i <= N_ROWS; i++)
	{
		char		name[32],
					cat[8];

		snprintf(name, sizeof(name), "item %ld", i);
		snprintf(cat, sizeof(cat), "c%ld", i % 50);
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, cat, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, (i * 7919) % 100000);
		sqlite3_bind_double(st, 4, (double) (i % 1000) / 10.0);
		sqlite3_bind_int(st, 5, i % 3 != 0);
		if (i % 5 == 0)
			sqlite3_bind_null(st, 6);
		else
			sqlite3_bind_text(st, 6, name, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
		{
			fprintf(stderr, "bench: insert: %s\n", sqlite3_errmsg(db));
			return 1;
		}
		sqlite3_reset(st);
	}
	must("COMMIT");
	raw_rate = N_ROWS / ((bench_now_us() - t0) / 1e6);
	sqlite3_finalize(st);
	must("ANALYZE");

	if (sqlite3_prepare_v2(db, "SELECT qty, id FROM bench_item ORDER BY qty, id LIMIT 1 OFFSET 899999", -1, &st, NULL) != SQLITE_OK ||
		sqlite3_step(st) != SQLITE_ROW)
		return 1;
	after_qty = sqlite3_column_int64(st, 0);
	after_id = sqlite3_column_int64(st, 1);
	snprintf(after, sizeof(after), "[%ld, %ld]", after_qty, after_id);
	sqlite3_finalize(st);

	pair("sqlite: get by pk", "SELECT viper_get('bench.Item', ?1)", p_get_v,
		 "SELECT " ROW_JSON " FROM bench_item WHERE id = ?1", p_get_r, 5000, 1.25, "<= 1.25x");
	pair("sqlite: list 1,000 rows (filter + order)", "SELECT row FROM viper_query('bench.Item', ?1)", p_list_v,
		 "SELECT " ROW_JSON " FROM bench_item WHERE category = ?1 AND qty >= ?2 ORDER BY price DESC NULLS FIRST, id LIMIT 1000",
		 p_list_r, 40, 1.2, "<= 1.2x");
	pair("sqlite: filtered count", "SELECT viper_count('bench.Item', ?1)", p_count_v,
		 "SELECT count(*) FROM bench_item WHERE category = ?1 AND qty >= ?2", p_list_r, 100, 1.1, "<= 1.1x");
	pair("sqlite: update with F (qty + 1, by pk)",
		 "SELECT viper_update('bench.Item', ?1, '{\"qty\": {\"$add\": [{\"$f\": \"qty\"}, 1]}}')", p_get_v,
		 "UPDATE bench_item SET qty = qty + 1 WHERE id = ?1", p_get_r, 3000, 1.2, "<= 1.2x");
	pair("sqlite: keyset page 50 rows: depth 900k vs page 1",
		 "SELECT row FROM viper_query('bench.Item', ?1)", p_deep_v,
		 "SELECT row FROM viper_query('bench.Item', ?1)", p_page1_v, 10, 1.2, "<= 1.2x page 1");
	pair("sqlite: keyset page at depth 900k vs raw",
		 "SELECT row FROM viper_query('bench.Item', ?1)", p_deep_v,
		 "SELECT " ROW_JSON " FROM bench_item WHERE (qty, id) > (?1, ?2) ORDER BY qty, id LIMIT 50",
		 p_deep_r, 10, 1.2, "<= 1.2x");

	/* viper bulk: 200 batches of 1,000 rows in one transaction */
	{
		enum
		{
			BATCH = 1000, NBATCH = 200
		};
		char	   *json = malloc(BATCH * 160);
		double		tv = 0;
		bool		ok = true;

		if (json == NULL)
			return 1;
		if (sqlite3_prepare_v2(db, "SELECT viper_bulk_create('bench.Item', ?1)", -1, &st, NULL) != SQLITE_OK)
		{
			scenario_error("sqlite: bulk insert 200k rows in one transaction", sqlite3_errmsg(db));
			ok = false;
		}
		if (ok)
			must("BEGIN");
		for (int b = 0; ok && b < NBATCH; b++)
		{
			size_t		o = 0;

			o += (size_t) sprintf(json + o, "[");
			for (int i = 0; i < BATCH; i++)
				o += (size_t) sprintf(json + o,
									  "%s{\"name\": \"bulk %d\", \"category\": \"c%ld\", \"qty\": %ld, \"price\": %ld.5, \"active\": true, \"note\": null}",
									  i ? ", " : "", b * BATCH + i, bench_rand(50), bench_rand(100000), bench_rand(100));
			sprintf(json + o, "]");
			t0 = bench_now_us();
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_ROW)
			{
				scenario_error("sqlite: bulk insert 200k rows in one transaction", sqlite3_errmsg(db));
				ok = false;
			}
			sqlite3_reset(st);
			tv += bench_now_us() - t0;
		}
		if (ok)
		{
			t0 = bench_now_us();
			must("COMMIT");
			tv += bench_now_us() - t0;
			viper_rate = NBATCH * BATCH / (tv / 1e6);
			bench_result("sqlite: bulk insert (viper_bulk_create 200k vs raw prepared INSERT 1M)",
						 viper_rate, raw_rate, "rows/s", ">= 1000000 rows/s", viper_rate >= 1e6);
		}
		sqlite3_finalize(st);
		free(json);
	}
	sqlite3_close(db);
	free(schema);
	return failures ? 1 : 0;
}
