/*
 * vc_valid.h — text-format checks of field values (dates, times, UUIDs,
 * hex byte strings, UTF-8 length) shared by the two places that judge a
 * value against its field type: model defaults and choices
 * (vc_model_field.c) and values bound to a query (vc_value.c). One set of
 * parsers means a default the model accepts is a value a query accepts.
 *
 * Pure functions: no allocation, no error reporting — each caller words
 * its own message. Character classes are ASCII-only (vc_text.h).
 */
#ifndef VC_VALID_H
#define VC_VALID_H

#include <stdbool.h>
#include <stddef.h>

/* A parsed ISO-8601 date and time; offmin is the zone offset in minutes
 * east of UTC (0 for Z or no zone). */
typedef struct vc_datetime
{
	int			year,
				month,
				day,
				hour,
				minute,
				second;
	long		micro;			/* microseconds, 0..999999 */
	int			offmin;
} vc_datetime;

/* true when s[0..n) are all ASCII digits. */
bool		vc_valid_digits(const char *s, size_t n);

/* The decimal value of the n ASCII digits at s (checked by the caller). */
int			vc_digits_value(const char *s, size_t n);

/* Characters (not bytes) in UTF-8 text s[0..len). */
size_t		vc_utf8_chars(const char *s, size_t len);

/*
 * YYYY-MM-DD with a real day of that month (year >= 1) at the start of s:
 * bytes consumed (10), or 0 when there is none. Sets *y, *mo, *d.
 */
size_t		vc_valid_date(const char *s, size_t len, int *y, int *mo, int *d);

/*
 * HH:MM[:SS[.f{1,6}]] at the start of s: bytes consumed or 0. Sets *h, *mi,
 * *sec and *micro (fraction scaled to microseconds); *sec and *micro are 0
 * when absent. *h and *mi are set only when the result is not 0.
 */
size_t		vc_valid_time(const char *s, size_t len, int *h, int *mi, int *sec,
						  long *micro);

/*
 * The whole of s is YYYY-MM-DD, then (required when need_time) [T ]time,
 * then an optional zone Z, ±HH, ±HHMM or ±HH:MM. Fills *dt (time fields 0
 * when there is no time part).
 */
bool		vc_valid_datetime(const char *s, size_t len, bool need_time,
							  vc_datetime *dt);

/* 8-4-4-4-12 hex digits with dashes, either case. */
bool		vc_valid_uuid(const char *s, size_t len);

/* An even number of hex digits (either case), possibly none. */
bool		vc_valid_hex_pairs(const char *s, size_t len);

#endif
