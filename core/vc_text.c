/*
 * vc_text.c — "did you mean" lookup by edit distance.
 *
 * The distance uses one row of VC_NEAREST_MAX + 1 cells on the stack: both
 * strings are capped at VC_NEAREST_MAX bytes, so no allocation is needed
 * and the cost is bounded by 63 * 63 steps per candidate.
 */
#include "vc_text.h"

static unsigned char
fold(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char) (c - 'A' + 'a') : c;
}

/* Length of s, or VC_NEAREST_MAX + 1 when it is longer than the cap. */
static size_t
capped_len(const char *s)
{
	size_t		n = 0;

	while (n <= VC_NEAREST_MAX && s[n] != '\0')
		n++;
	return n;
}

/*
 * Levenshtein distance between a[0..alen) and b[0..blen), case-folded;
 * alen <= VC_NEAREST_MAX. row[j] holds the distance between the prefix of
 * b seen so far and a[0..j).
 */
static size_t
edit_distance(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t		row[VC_NEAREST_MAX + 1];
	size_t		i,
				j;

	for (j = 0; j <= alen; j++)
		row[j] = j;
	for (i = 1; i <= blen; i++)
	{
		size_t		diag = row[0];	/* distance(b[0..i-1), a[0..j-1)) */

		row[0] = i;
		for (j = 1; j <= alen; j++)
		{
			size_t		above = row[j];
			size_t		best = diag + (fold((unsigned char) a[j - 1]) !=
									   fold((unsigned char) b[i - 1]));

			if (above + 1 < best)
				best = above + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = above;
			row[j] = best;
		}
	}
	return row[alen];
}

const char *
vc_nearest(const char *name, size_t len, const char *const *candidates,
		   size_t n)
{
	const char *best = NULL;
	size_t		best_dist = 0;
	size_t		limit;
	size_t		i;

	if (name == NULL || candidates == NULL || len == 0 ||
		len > VC_NEAREST_MAX)
		return NULL;
	/* a one- or two-letter name is only "near" a name one edit away */
	if (len < 3)
		limit = 1;
	else
		limit = len / 3 < 2 ? 2 : len / 3;
	for (i = 0; i < n; i++)
	{
		const char *c = candidates[i];
		size_t		clen;
		size_t		d;

		if (c == NULL)
			continue;
		clen = capped_len(c);
		if (clen > VC_NEAREST_MAX)
			continue;
		/* the length difference is a lower bound of the distance */
		if ((clen > len ? clen - len : len - clen) > limit)
			continue;
		d = edit_distance(name, len, c, clen);
		if (d <= limit && (best == NULL || d < best_dist))
		{
			best = c;
			best_dist = d;
		}
	}
	return best;
}
