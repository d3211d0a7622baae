/*
 * bench/pgbench_viper.c — PostgreSQL benchmarks of viper's SQL functions
 * against hand-written prepared SQL returning the same JSON, in the same
 * run and the same connection (issue 4 "Speed"). Run by bench/run.sh on a
 * throwaway cluster where bench.Item (bench/schemas/Item.json) holds
 * 1,000,000 rows; connection from the PG* environment variables.
 *
 * The row-permission scenario compares bench.Owned (a select grant
 * owner_id = principal(), principal set in the same transaction) with
 * bench.Open (meta.permissions false), both listing one owner's 1,000 rows.
 *
 * Each latency scenario prepares both statements once (PQprepare), then
 * alternates runs of many calls of each; a run's value is its mean µs per
 * call and the reported figure is the median over runs. Parameters come
 * from a fixed-seed PRNG. Output: RESULT lines (bench/bench_util.h) and
 * a few INFO lines. A viper function that is missing or fails makes its
 * scenario an ERROR row and the exit status 1.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "bench_util.h"

#define N_ROWS 1000000L
#define RUNS 7

static PGconn *conn;
static int	failures;

/* an ERROR row instead of numbers: the scenario could not run */
static void
scenario_error(const char *scenario, const char *msg)
{
	char		one[512];
	size_t		i;

	snprintf(one, sizeof(one), "%s", msg ? msg : "");
	for (i = 0; one[i]; i++)
		if (one[i] == '\n' || one[i] == '\t')
			one[i] = ' ';
	printf("RESULT\t%s\tERROR\t-\t-\t-\t%s\tNO\n", scenario, one);
	fprintf(stderr, "bench: %s: %s\n", scenario, msg ? msg : "");
	fflush(stdout);
	failures++;
}

static bool
prep(const char *scenario, const char *name, const char *sql, int nparams)
{
	PGresult   *r = PQprepare(conn, name, sql, nparams, NULL);
	bool		ok = PQresultStatus(r) == PGRES_COMMAND_OK;

	if (!ok)
		scenario_error(scenario, PQresultErrorMessage(r));
	PQclear(r);
	return ok;
}

/* run a prepared statement; false (and the message) on error */
static bool
run(const char *name, int n, const char *const *vals, const char **errmsg)
{
	static char msg[512];
	PGresult   *r = PQexecPrepared(conn, name, n, vals, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	bool		ok = st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;

	if (!ok && errmsg)
	{
		snprintf(msg, sizeof(msg), "%s", PQresultErrorMessage(r));
		*errmsg = msg;
	}
	PQclear(r);
	return ok;
}

/* one-off statement for setup; exits on error */
static PGresult *
must(const char *sql)
{
	PGresult   *r = PQexec(conn, sql);

	if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
	{
		fprintf(stderr, "bench: %s\n%s", sql, PQresultErrorMessage(r));
		exit(1);
	}
	return r;
}

/* parameters of call i: writes up to 4 values into bufs */
typedef void (*param_fn) (char bufs[4][512]);

static double
timed_run(const char *stmt, int np, param_fn f, int iters, const char **err)
{
	char		bufs[4][512];
	const char *vals[4] = {bufs[0], bufs[1], bufs[2], bufs[3]};
	double		t0 = bench_now_us();

	for (int i = 0; i < iters; i++)
	{
		f(bufs);
		if (!run(stmt, np, vals, err))
			return -1;
	}
	return (bench_now_us() - t0) / iters;
}

/*
 * A latency pair: viper statement vs raw statement, RUNS alternating runs
 * of iters calls; target is a ratio bound.
 */
static void
pair(const char *scenario, const char *vsql, int vnp, param_fn vf,
	 const char *rsql, int rnp, param_fn rf, int iters, double max_ratio,
	 const char *target)
{
	double		vs[RUNS],
				rs[RUNS],
				v,
				r;
	const char *err = NULL;
	char		vname[64],
				rname[64];

	static int	seq;

	seq++;
	snprintf(vname, sizeof(vname), "v%d", seq);
	snprintf(rname, sizeof(rname), "r%d", seq);
	if (!prep(scenario, vname, vsql, vnp) || !prep(scenario, rname, rsql, rnp))
		return;
	/* warm-up: caches, plans, buffers */
	if (timed_run(vname, vnp, vf, iters / 4 + 1, &err) < 0 ||
		timed_run(rname, rnp, rf, iters / 4 + 1, &err) < 0)
	{
		scenario_error(scenario, err);
		return;
	}
	for (int k = 0; k < RUNS; k++)
	{
		vs[k] = timed_run(vname, vnp, vf, iters, &err);
		rs[k] = timed_run(rname, rnp, rf, iters, &err);
		if (vs[k] < 0 || rs[k] < 0)
		{
			scenario_error(scenario, err);
			return;
		}
	}
	v = bench_median(vs, RUNS);
	r = bench_median(rs, RUNS);
	bench_result(scenario, v, r, "us/call", target, v <= r * max_ratio);
}

/* ---- parameters ------------------------------------------------------- */

static void
p_get_v(char b[4][512])
{
	snprintf(b[0], 512, "{\"where\": {\"id\": %ld}}", 1 + bench_rand(N_ROWS));
}

static void
p_get_r(char b[4][512])
{
	snprintf(b[0], 512, "%ld", 1 + bench_rand(N_ROWS));
}

static void
p_list_v(char b[4][512])
{
	snprintf(b[0], 512,
			 "{\"where\": {\"category\": \"c%ld\", \"qty__gte\": 10}, \"order_by\": [\"-price\"], \"limit\": 1000}",
			 bench_rand(50));
}

static void
p_list_r(char b[4][512])
{
	snprintf(b[0], 512, "c%ld", bench_rand(50));
	snprintf(b[1], 512, "10");
}

static void
p_count_v(char b[4][512])
{
	snprintf(b[0], 512, "{\"where\": {\"category\": \"c%ld\", \"qty__gte\": 10}}", bench_rand(50));
}

static void
p_update_v(char b[4][512])
{
	snprintf(b[0], 512, "{\"where\": {\"id\": %ld}}", 1 + bench_rand(N_ROWS));
}

static char keyset_after[128];	/* "[qty, id]" of row 900,000 */
static char keyset_qty[32],
			keyset_id[32];

static void
p_page1_v(char b[4][512])
{
	snprintf(b[0], 512, "{\"order_by\": [\"qty\"], \"limit\": 50}");
}

static void
p_deep_v(char b[4][512])
{
	snprintf(b[0], 512, "{\"order_by\": [\"qty\"], \"limit\": 50, \"after\": %s}", keyset_after);
}

static void
p_deep_r(char b[4][512])
{
	snprintf(b[0], 512, "%s", keyset_qty);
	snprintf(b[1], 512, "%s", keyset_id);
}

/* a principal owning 1,000 rows of bench.Owned / bench.Open */
static void
p_owner(char b[4][512])
{
	snprintf(b[0], 512, "%ld", bench_rand(100));
}

static void
p_none(char b[4][512])
{
	(void) b;
}

/* ---- scenarios that are not simple pairs ------------------------------- */

/*
 * First call of a new spec shape: `id__in` lists of distinct lengths are
 * distinct shapes (the SQL depends on list lengths), so each call
 * compiles, prepares and plans afresh; the raw side runs the equivalent
 * statement unprepared (parse + plan every time).
 */
static void
first_call(void)
{
	enum
	{
		NSHAPE = 41
	};
	double		vs[NSHAPE],
				rs[NSHAPE];
	int			k;

	for (k = 0; k < NSHAPE; k++)
	{
		char		spec[2048],
					sql[2048];
		size_t		o1,
					o2;
		long		base = 1 + bench_rand(N_ROWS - 100);
		const char *vals[1] = {spec};
		double		t0;
		PGresult   *r;

		/* lengths 60.. so no earlier scenario compiled this shape */
		o1 = (size_t) snprintf(spec, sizeof(spec), "{\"where\": {\"id__in\": [");
		o2 = (size_t) snprintf(sql, sizeof(sql), "SELECT row_to_json(t) FROM bench_item t WHERE id IN (");
		for (int i = 0; i < 60 + k; i++)
		{
			o1 += (size_t) snprintf(spec + o1, sizeof(spec) - o1, "%s%ld", i ? ", " : "", base + i);
			o2 += (size_t) snprintf(sql + o2, sizeof(sql) - o2, "%s%ld", i ? ", " : "", base + i);
		}
		snprintf(spec + o1, sizeof(spec) - o1, "]}}");
		snprintf(sql + o2, sizeof(sql) - o2, ") ORDER BY id");
		t0 = bench_now_us();
		r = PQexecParams(conn, "SELECT viper.query('bench.Item', $1::jsonb)", 1, NULL, vals, NULL, NULL, 0);
		vs[k] = bench_now_us() - t0;
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
		{
			scenario_error("get: first call of a new shape", PQresultErrorMessage(r));
			PQclear(r);
			return;
		}
		PQclear(r);
		t0 = bench_now_us();
		r = PQexec(conn, sql);
		rs[k] = bench_now_us() - t0;
		PQclear(r);
	}
	{
		double		v = bench_median(vs, NSHAPE),
					rr = bench_median(rs, NSHAPE);

		bench_result("query: first call of a new shape (60-100 ids)", v, rr, "us/call", "<= 3x", v <= 3 * rr);
	}
}

/* bulk_create: 200 batches of 1,000 rows vs one COPY of as many rows */
static void
bulk(void)
{
	enum
	{
		BATCH = 1000, NBATCH = 200
	};
	char	   *json = malloc(BATCH * 160);
	const char *vals[1] = {json};
	double		t0,
				tv = 0,
				tc;
	const char *err = NULL;
	PGresult   *r;

	if (json == NULL)
		exit(1);
	if (!prep("bulk_create 200k rows (1,000 per call)", "bulk_v",
			  "SELECT viper.bulk_create('bench.Item', $1::jsonb)", 1))
	{
		free(json);
		return;
	}
	for (int b = 0; b < NBATCH; b++)
	{
		size_t		o = 0;

		o += (size_t) sprintf(json + o, "[");
		for (int i = 0; i < BATCH; i++)
			o += (size_t) sprintf(json + o,
								  "%s{\"name\": \"bulk %d\", \"category\": \"c%ld\", \"qty\": %ld, \"price\": %ld.5, \"active\": true, \"note\": null}",
								  i ? ", " : "", b * BATCH + i, bench_rand(50), bench_rand(100000), bench_rand(100));
		sprintf(json + o, "]");
		t0 = bench_now_us();
		if (!run("bulk_v", 1, vals, &err))
		{
			scenario_error("bulk_create 200k rows (1,000 per call)", err);
			free(json);
			return;
		}
		tv += bench_now_us() - t0;
	}
	/* COPY of the same number of rows, text format */
	t0 = bench_now_us();
	r = PQexec(conn, "COPY bench_item (name, category, qty, price, active, note) FROM STDIN");
	if (PQresultStatus(r) != PGRES_COPY_IN)
	{
		fprintf(stderr, "bench: COPY: %s", PQresultErrorMessage(r));
		exit(1);
	}
	PQclear(r);
	for (int b = 0; b < NBATCH; b++)
	{
		size_t		o = 0;

		for (int i = 0; i < BATCH; i++)
			o += (size_t) sprintf(json + o, "copy %d\tc%ld\t%ld\t%ld.5\tt\t\\N\n",
								  b * BATCH + i, bench_rand(50), bench_rand(100000), bench_rand(100));
		if (PQputCopyData(conn, json, (int) o) != 1)
			exit(1);
	}
	PQputCopyEnd(conn, NULL);
	r = PQgetResult(conn);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
	{
		fprintf(stderr, "bench: COPY: %s", PQresultErrorMessage(r));
		exit(1);
	}
	PQclear(r);
	tc = bench_now_us() - t0;
	free(json);
	{
		double		vr = NBATCH * BATCH / (tv / 1e6),
					cr = NBATCH * BATCH / (tc / 1e6);

		/* a throughput: "ratio" is viper/COPY, the target is absolute */
		bench_result("bulk_create 200k rows (1,000 per call) vs COPY", vr, cr, "rows/s",
					 ">= 300000 rows/s", vr >= 300000);
	}
}

/* backend memory over many calls on one connection */
static void
memory(void)
{
	PGresult   *r;
	long		ctx0,
				ctx1,
				rss0,
				rss1;
	int			pid;
	const char *err = NULL;
	char		path[64];

	r = must("SELECT pg_backend_pid()");
	pid = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	snprintf(path, sizeof(path), "/proc/%d/status", pid);

#define READ_MEM(ctx, rss) do { \
		FILE *fp_; char line_[256]; \
		PGresult *m_ = must("SELECT sum(total_bytes) FROM pg_backend_memory_contexts"); \
		ctx = atol(PQgetvalue(m_, 0, 0)); PQclear(m_); \
		rss = -1; \
		if ((fp_ = fopen(path, "r")) != NULL) { \
			while (fgets(line_, sizeof(line_), fp_)) \
				if (strncmp(line_, "VmRSS:", 6) == 0) rss = atol(line_ + 6); \
			fclose(fp_); } \
	} while (0)

	if (!prep("memory", "mem_get", "SELECT viper.get('bench.Item', $1::jsonb)", 1) ||
		!prep("memory", "mem_list", "SELECT viper.query('bench.Item', $1::jsonb)", 1) ||
		!prep("memory", "mem_count", "SELECT viper.count('bench.Item', $1::jsonb)", 1))
		return;
	/* warm up so caches are filled, then measure N more calls */
	for (int pass = 0; pass < 2; pass++)
	{
		int			n = pass == 0 ? 2000 : 20000;

		if (pass == 1)
			READ_MEM(ctx0, rss0);
		for (int i = 0; i < n; i++)
		{
			char		b[4][512];
			const char *vals[1] = {b[0]};
			const char *stmt;

			if (i % 10 == 0)
			{
				snprintf(b[0], 512, "{\"where\": {\"category\": \"c%ld\"}, \"order_by\": [\"-price\"], \"limit\": 20}", bench_rand(50));
				stmt = "mem_list";
			}
			else if (i % 10 == 1)
			{
				p_count_v(b);
				stmt = "mem_count";
			}
			else
			{
				p_get_v(b);
				stmt = "mem_get";
			}
			if (!run(stmt, 1, vals, &err))
			{
				scenario_error("memory", err);
				return;
			}
		}
	}
	READ_MEM(ctx1, rss1);
	printf("INFO\tmemory: backend contexts %ld -> %ld bytes, VmRSS %ld -> %ld kB over 20,000 calls\n",
		   ctx0, ctx1, rss0, rss1);
	printf("RESULT\tbackend memory over 20,000 calls (context bytes)\t%+ld\t-\tbytes\t-\tflat (< 1 MiB growth)\t%s\n",
		   ctx1 - ctx0, (ctx1 - ctx0) < 1024 * 1024 ? "yes" : "NO");
	fflush(stdout);
}

int
main(void)
{
	PGresult   *r;

	conn = PQconnectdb("");
	if (PQstatus(conn) != CONNECTION_OK)
	{
		fprintf(stderr, "bench: %s", PQerrorMessage(conn));
		return 1;
	}
	r = must("SELECT qty, id FROM bench_item ORDER BY qty, id OFFSET 899999 LIMIT 1");
	snprintf(keyset_qty, sizeof(keyset_qty), "%s", PQgetvalue(r, 0, 0));
	snprintf(keyset_id, sizeof(keyset_id), "%s", PQgetvalue(r, 0, 1));
	snprintf(keyset_after, sizeof(keyset_after), "[%s, %s]", keyset_qty, keyset_id);
	PQclear(r);

	pair("get by pk", "SELECT viper.get('bench.Item', $1::jsonb)", 1, p_get_v,
		 "SELECT row_to_json(t) FROM bench_item t WHERE id = $1", 1, p_get_r,
		 3000, 1.25, "<= 1.25x");
	first_call();
	pair("list 1,000 rows (filter + order)", "SELECT viper.query('bench.Item', $1::jsonb)", 1, p_list_v,
		 "SELECT row_to_json(t) FROM bench_item t WHERE category = $1 AND qty >= $2 ORDER BY price DESC NULLS FIRST, id LIMIT 1000",
		 2, p_list_r, 40, 1.2, "<= 1.2x");
	pair("filtered count", "SELECT viper.count('bench.Item', $1::jsonb)", 1, p_count_v,
		 "SELECT count(*) FROM bench_item WHERE category = $1 AND qty >= $2", 2, p_list_r,
		 40, 1.1, "<= 1.1x");
	pair("update with F (qty + 1, by pk)",
		 "SELECT viper.update('bench.Item', $1::jsonb, '{\"qty\": {\"$add\": [{\"$f\": \"qty\"}, 1]}}')", 1, p_update_v,
		 "UPDATE bench_item SET qty = qty + 1 WHERE id = $1", 1, p_get_r,
		 2000, 1.2, "<= 1.2x");
	/* keyset: viper at depth 900k vs viper's page 1 (the target), and the
	 * raw row-comparison query at the same depth for reference */
	pair("keyset page 50 rows: depth 900k vs page 1",
		 "SELECT viper.query('bench.Item', $1::jsonb)", 1, p_deep_v,
		 "SELECT viper.query('bench.Item', $1::jsonb)", 1, p_page1_v,
		 10, 1.2, "<= 1.2x page 1");
	pair("keyset page at depth 900k vs raw",
		 "SELECT viper.query('bench.Item', $1::jsonb)", 1, p_deep_v,
		 "SELECT row_to_json(t) FROM bench_item t WHERE (qty, id) > ($1, $2) ORDER BY qty, id LIMIT 50",
		 2, p_deep_r, 10, 1.2, "<= 1.2x");
	/* row permissions: a grant owner_id = principal() vs permissions off
	 * (bench/run.sh: bench_owned_list / bench_open_list) */
	pair("list 1,000 rows: grant owner_id = principal() vs permissions off",
		 "SELECT bench_owned_list($1)", 1, p_owner,
		 "SELECT bench_open_list($1)", 1, p_owner,
		 40, 1.2, "<= 1.2x");
	(void) p_none;
	memory();
	bulk();
	PQfinish(conn);
	return failures ? 1 : 0;
}
