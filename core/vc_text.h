/*
 * vc_text.h — small text helpers shared by the core's error paths.
 *
 * vc_nearest finds the "did you mean" candidate for an unknown name (model,
 * field, column). It allocates nothing and works on bounded input, so it
 * can run while an error is being reported, even after an allocation
 * failure.
 */
#ifndef VC_TEXT_H
#define VC_TEXT_H

#include <stddef.h>

/* Names longer than this many bytes are never compared (NAMEDATALEN-1). */
#define VC_NEAREST_MAX 63

/*
 * The candidate closest to name[0..len) by Levenshtein distance, comparing
 * ASCII letters case-insensitively, provided that distance is at most
 * max(2, len / 3) (1 for names under 3 bytes); NULL otherwise. Ties go to the earlier candidate. An
 * empty name, a name longer than VC_NEAREST_MAX bytes, NULL candidates and
 * candidates longer than VC_NEAREST_MAX bytes are skipped (NULL result for
 * the name cases). The result points into candidates.
 */
const char *vc_nearest(const char *name, size_t len,
					   const char *const *candidates, size_t n);

/*
 * ASCII-only character classes. <ctype.h> follows the process locale (a
 * Turkish locale upper-cases 'i' to a dotted capital), and a backend's or
 * application's locale must never change how a name or keyword is read.
 */
static inline int
vc_ascii_isdigit(int c)
{
	return c >= '0' && c <= '9';
}

static inline int
vc_ascii_isxdigit(int c)
{
	return vc_ascii_isdigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline int
vc_ascii_isalpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int
vc_ascii_isalnum(int c)
{
	return vc_ascii_isalpha(c) || vc_ascii_isdigit(c);
}

static inline int
vc_ascii_isspace(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static inline int
vc_ascii_tolower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static inline int
vc_ascii_toupper(int c)
{
	return (c >= 'a' && c <= 'z') ? c - ('a' - 'A') : c;
}

#endif
