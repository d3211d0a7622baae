/*
 * bench/bench_util.h — timing helpers shared by the benchmark programs:
 * a monotonic clock in microseconds, the median of a sample, a fixed-seed
 * PRNG (runs are repeatable), and the result line format that
 * bench/run.sh turns into the table:
 *   RESULT<TAB>scenario<TAB>viper<TAB>raw<TAB>unit<TAB>ratio<TAB>target<TAB>met
 * (raw/ratio "-" when a scenario has no raw counterpart).
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double
bench_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
bench_cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return x < y ? -1 : x > y;
}

/* median of n samples (sorts them in place) */
static inline double
bench_median(double *v, int n)
{
	qsort(v, (size_t) n, sizeof(double), bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static uint64_t bench_rng = 0x6a09e667f3bcc909ULL;

/* uniform in [0, n) */
static inline long
bench_rand(long n)
{
	bench_rng ^= bench_rng << 13;
	bench_rng ^= bench_rng >> 7;
	bench_rng ^= bench_rng << 17;
	return (long) (bench_rng % (uint64_t) n);
}

static inline void
bench_result(const char *scenario, double viper, double raw, const char *unit,
			 const char *target, int met)
{
	if (raw > 0)
		printf("RESULT\t%s\t%.1f\t%.1f\t%s\t%.2f\t%s\t%s\n", scenario, viper, raw,
			   unit, viper / raw, target, met ? "yes" : "NO");
	else
		printf("RESULT\t%s\t%.1f\t-\t%s\t-\t%s\t%s\n", scenario, viper, unit,
			   target, met ? "yes" : "NO");
	fflush(stdout);
}

#endif
