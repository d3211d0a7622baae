/*
 * vc_regex.c — the regular-expression safety check behind
 * validate_regex_pattern (DESIGN §7).
 *
 * The pattern is parsed, never compiled or executed, in one left-to-right
 * pass over the syntax PostgreSQL's ARE flavour shares with POSIX ERE
 * (groups, (?:), lookaround, classes with [:name:], bounds, ARE escapes).
 * Two kinds of verdict come out of it, both SQLSTATE 2201B:
 *
 *   invalid  — the pattern would not compile (unbalanced parentheses or
 *              brackets, trailing backslash, a quantifier with nothing to
 *              repeat, bad bounds, unknown escapes, a NUL byte);
 *   unsafe   — it compiles but invites catastrophic backtracking:
 *              backreferences, a repeated group whose body is itself
 *              variably quantified ((a+)+), or a repeated alternation whose
 *              branches can begin with the same character or match the
 *              empty string ((a|ab)*, (a|)*).
 *
 * Syntax wins: the first "unsafe" finding is remembered while the parse goes
 * on, and only reported when the whole pattern turned out to be valid.
 *
 * The ambiguity test works on "first character" sets of 256 bits: bits
 * 0..127 are the ASCII characters, bits 128..255 are buckets that every
 * non-ASCII code point hashes into (cp % 128); a collision only makes the
 * test stricter. Branches overlap when they do as matched by regex or by
 * iregex (case-insensitively), since the same pattern may serve both.
 *
 * Memory: nothing is allocated. Open groups live in a fixed array of frames
 * on the C stack, RX_MAX_DEPTH deep; deeper nesting is rejected.
 */
#include "vc_validate.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define RX_MAX_DEPTH 32			/* open groups */
#define RX_DUP_MAX 255			/* PostgreSQL's RE_DUP_MAX for {m,n} */

#define RX_HINT_NESTED \
	"Nested or ambiguous repetition can take exponential time; rewrite without repeating a repeated group."
#define RX_HINT_AMBIGUOUS \
	"Nested or ambiguous repetition can take exponential time; make the alternatives of a repeated group start with different characters."
#define RX_HINT_EMPTY \
	"Nested or ambiguous repetition can take exponential time; a repeated group must not be able to match the empty string."

/*
 * A set of first characters: ASCII bits plus 128 hash buckets for the rest,
 * in two views, because the pattern may be used with regex or iregex:
 * cs as matched case-sensitively, ci as matched case-insensitively (closed
 * under ASCII case folding; [^x] excludes both x and X there).
 */
typedef struct rx_set
{
	uint64_t	cs[4];
	uint64_t	ci[4];
} rx_set;

typedef enum rx_atom_kind
{
	RX_NONE,					/* no atom yet: start of a branch */
	RX_CHAR,					/* a character, class, '.' or backreference */
	RX_GROUP,					/* a closed group without quantifier yet */
	RX_QUANTIFIED,				/* an atom that already carries its quantifier */
	RX_CONSTRAINT				/* zero width: ^ $ \A \Z \m \M \y \Y, lookaround */
} rx_atom_kind;

/* Why a group may not be repeated, found when the group closes. */
typedef enum rx_amb
{
	RX_AMB_NONE,
	RX_AMB_OVERLAP,				/* two branches can start alike */
	RX_AMB_EMPTY_BRANCH,		/* one of several branches can match "" */
	RX_AMB_NULLABLE				/* the single branch can match "" */
} rx_amb;

/* The atom most recently parsed, held back until we know its quantifier. */
typedef struct rx_atom
{
	rx_atom_kind kind;
	rx_set		first;			/* characters it can start with */
	bool		nullable;		/* can match the empty string */
	/* for groups: */
	int			var_pos;		/* first variable quantifier inside, 1-based; 0 none */
	int			var_len;
	rx_amb		amb;
	int			amb_group;		/* 1-based position of the group's '(' */
	int			amb_pos;		/* 1-based position of the offending branch */
	int			amb_char;		/* example shared first character, -1 unknown */
} rx_atom;

/* One open group (frames[0] is the whole pattern). */
typedef struct rx_frame
{
	int			open_pos;		/* 1-based position of '(' */
	bool		lookaround;
	/* over the branches closed so far */
	rx_set		seen;
	int			nbranches;
	int			nullable_pos;	/* first branch able to match "", 0 none */
	int			overlap_pos;	/* first branch overlapping an earlier one, 0 none */
	int			overlap_char;
	rx_amb		inh_amb;		/* ambiguity of a group that is a whole branch */
	int			inh_group,
				inh_pos,
				inh_char;
	/* over the whole body */
	int			var_pos;
	int			var_len;
	/* the current branch */
	size_t		branch_start;	/* 0-based */
	rx_set		first;
	bool		open;			/* everything so far can match "" */
	int			natoms;
	rx_atom		single;			/* the last committed atom */
	rx_atom		pend;
} rx_frame;

typedef struct rx_state
{
	const unsigned char *s;
	size_t		len;
	size_t		i;
	vc_error   *err;
	vc_error	danger;			/* first unsafe finding, reported at the end */
	bool		have_danger;
	int			depth;
	rx_frame	frames[RX_MAX_DEPTH + 1];
} rx_state;

/* ------------------------------------------------------------------ */
/* character sets                                                       */
/* ------------------------------------------------------------------ */

static void
bits_add(uint64_t *w, unsigned b)
{
	w[(b >> 6) & 3] |= UINT64_C(1) << (b & 63);
}

static bool
bits_has(const uint64_t *w, unsigned b)
{
	return (w[(b >> 6) & 3] >> (b & 63)) & 1;
}

/* The first character in both w and v, or -1. */
static int
bits_common(const uint64_t *w, const uint64_t *v)
{
	unsigned	c;

	for (c = 0; c < 256; c++)
		if (bits_has(w, c) && bits_has(v, c))
			return (int) c;
	return -1;
}

/* Add bucket b; an ASCII letter joins the ci view in both cases. */
static void
set_add(rx_set *s, unsigned b)
{
	bits_add(s->cs, b);
	bits_add(s->ci, b);
	if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z'))
		bits_add(s->ci, b ^ 0x20);
}

static void
set_union(rx_set *dst, const rx_set *src)
{
	int			k;

	for (k = 0; k < 4; k++)
	{
		dst->cs[k] |= src->cs[k];
		dst->ci[k] |= src->ci[k];
	}
}

static void
set_all(rx_set *s)
{
	memset(s, 0xFF, sizeof(*s));
}

static void
set_all_high(rx_set *s)
{
	s->cs[2] = s->cs[3] = s->ci[2] = s->ci[3] = UINT64_MAX;
}

/* Complement (a negated bracket): exact for ASCII, all of the high buckets. */
static void
set_negate(rx_set *s)
{
	int			k;

	for (k = 0; k < 2; k++)
	{
		s->cs[k] = ~s->cs[k];
		s->ci[k] = ~s->ci[k];
	}
	set_all_high(s);
}

static unsigned
cp_bucket(uint32_t cp)
{
	return cp < 128 ? cp : 128 + (cp & 127);
}

static void
set_add_range(rx_set *s, uint32_t lo, uint32_t hi)
{
	uint32_t	c;

	for (c = lo; c <= hi && c < 128; c++)
		set_add(s, c);
	if (hi >= 128)
	{
		uint32_t	start = lo > 128 ? lo : 128;

		if (hi - start >= 127)
			set_all_high(s);
		else
			for (c = start; c <= hi; c++)
				set_add(s, cp_bucket(c));
	}
}

/*
 * A character both sets may start with, under either way of matching, or
 * -1. The case-sensitive view is tried first for a literal example.
 */
static int
set_overlap(const rx_set *a, const rx_set *b)
{
	int			c = bits_common(a->cs, b->cs);

	return c >= 0 ? c : bits_common(a->ci, b->ci);
}

/* ------------------------------------------------------------------ */
/* POSIX classes and class escapes                                      */
/* ------------------------------------------------------------------ */

typedef enum rx_cls
{
	CLS_ALNUM, CLS_ALPHA, CLS_ASCII, CLS_BLANK, CLS_CNTRL, CLS_DIGIT,
	CLS_GRAPH, CLS_LOWER, CLS_PRINT, CLS_PUNCT, CLS_SPACE, CLS_UPPER,
	CLS_WORD, CLS_XDIGIT, CLS__COUNT
} rx_cls;

static const char *const cls_names[CLS__COUNT] = {
	"alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower",
	"print", "punct", "space", "upper", "word", "xdigit"
};

/* ASCII membership, spelled out so the process locale cannot matter. */
static bool
cls_has(rx_cls cls, unsigned c)
{
	bool		lower = c >= 'a' && c <= 'z',
				upper = c >= 'A' && c <= 'Z',
				digit = c >= '0' && c <= '9';

	switch (cls)
	{
		case CLS_ALNUM:
			return lower || upper || digit;
		case CLS_ALPHA:
			return lower || upper;
		case CLS_ASCII:
			return c < 128;
		case CLS_BLANK:
			return c == ' ' || c == '\t';
		case CLS_CNTRL:
			return c < 32 || c == 127;
		case CLS_DIGIT:
			return digit;
		case CLS_GRAPH:
			return c > 32 && c < 127;
		case CLS_LOWER:
			return lower;
		case CLS_PRINT:
			return c >= 32 && c < 127;
		case CLS_PUNCT:
			return c > 32 && c < 127 && !lower && !upper && !digit;
		case CLS_SPACE:
			return c == ' ' || (c >= '\t' && c <= '\r');
		case CLS_UPPER:
			return upper;
		case CLS_WORD:
			return lower || upper || digit || c == '_';
		case CLS_XDIGIT:
			return digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
		default:
			return false;
	}
}

/*
 * Add a class (or its complement) to s. In a Unicode database most classes
 * also hold non-ASCII characters, so all high buckets join in.
 */
static void
set_add_class(rx_set *s, rx_cls cls, bool negate)
{
	rx_set		t;
	unsigned	c;

	memset(&t, 0, sizeof(t));
	for (c = 0; c < 128; c++)
		if (cls_has(cls, c))
			set_add(&t, c);
	if (negate)
		set_negate(&t);
	else if (cls != CLS_ASCII && cls != CLS_XDIGIT)
		set_all_high(&t);
	set_union(s, &t);
}

/* ------------------------------------------------------------------ */
/* errors                                                               */
/* ------------------------------------------------------------------ */

static vc_code rx_invalid(rx_state *st, size_t at, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

/* A syntax error at 0-based offset at: reported at once. */
static vc_code
rx_invalid(rx_state *st, size_t at, const char *fmt,...)
{
	char		why[160];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	vc_error_set(st->err, VC_ERR_REGEX,
				 "invalid regular expression: %s at position %zu", why, at + 1);
	if (st->err)
		st->err->position = (int) at + 1;
	return VC_ERR_REGEX;
}

/*
 * Remember an unsafe construct at 0-based offset at, unless one was found
 * earlier. Returns the error to complete with detail and hint, or NULL.
 */
static vc_error *
rx_unsafe(rx_state *st, size_t at, const char *why)
{
	if (st->have_danger)
		return NULL;
	st->have_danger = true;
	vc_error_set(&st->danger, VC_ERR_REGEX,
				 "unsafe regular expression: %s at position %zu", why, at + 1);
	st->danger.position = (int) at + 1;
	return &st->danger;
}

static void
rx_backref(rx_state *st, size_t at, size_t n)
{
	vc_error   *e = rx_unsafe(st, at, "backreferences are not allowed");

	if (e)
	{
		vc_error_detail(e, "\"%.*s\" refers back to the text a group matched.",
						(int) n, (const char *) st->s + at);
		vc_error_hint(e, "Backreferences can make matching take exponential time; match the text explicitly.");
	}
}

/* ------------------------------------------------------------------ */
/* lexical helpers                                                      */
/* ------------------------------------------------------------------ */

static bool
is_digit(unsigned c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alnum(unsigned c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
hex_value(unsigned c)
{
	if (is_digit(c))
		return (int) (c - '0');
	if (c >= 'a' && c <= 'f')
		return (int) (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int) (c - 'A' + 10);
	return -1;
}

/*
 * Decode the UTF-8 character at s[i]; returns its length in bytes. A byte
 * that does not start a well-formed sequence counts as one character.
 */
static size_t
utf8_char(const unsigned char *s, size_t len, size_t i, uint32_t *cp)
{
	unsigned	c = s[i];
	size_t		n,
				k;
	uint32_t	v;

	*cp = c;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
	{
		n = 2;
		v = c & 0x1F;
	}
	else if (c >= 0xE0 && c <= 0xEF)
	{
		n = 3;
		v = c & 0x0F;
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		n = 4;
		v = c & 0x07;
	}
	else
		return 1;
	if (i + n > len)
		return 1;
	for (k = 1; k < n; k++)
	{
		if ((s[i + k] & 0xC0) != 0x80)
			return 1;
		v = (v << 6) | (s[i + k] & 0x3F);
	}
	*cp = v;
	return n;
}

typedef enum rx_esc
{
	RX_ESC_CHAR,				/* one character: *cp */
	RX_ESC_SET,					/* \d \s \w \D \S \W: *set */
	RX_ESC_CONSTRAINT,			/* \A \Z \m \M \y \Y */
	RX_ESC_BACKREF				/* \1 .. \9, \k<name>, \g{n} (already reported) */
} rx_esc;

/* Read exactly (ndigits > 0) or at least one (ndigits == 0) hex digit. */
static bool
read_hex(rx_state *st, size_t ndigits, uint32_t *cp)
{
	size_t		n = 0;
	uint32_t	v = 0;

	while (st->i < st->len && hex_value(st->s[st->i]) >= 0 &&
		   (ndigits == 0 || n < ndigits))
	{
		if (v <= 0x10FFFF)
			v = v * 16 + (uint32_t) hex_value(st->s[st->i]);
		st->i++;
		n++;
	}
	*cp = v;
	return n > 0 && (ndigits == 0 || n == ndigits) && v <= 0x10FFFF;
}

/*
 * Parse the escape whose backslash is at st->i and step past it. The ARE
 * rules: a backslash before a non-alphanumeric character makes it literal;
 * before a letter or digit it must be one of the known escapes.
 */
static vc_code
rx_escape(rx_state *st, bool in_class, rx_esc *kind, uint32_t *cp,
		  rx_set *set)
{
	const unsigned char *s = st->s;
	size_t		at = st->i;
	unsigned	c;

	if (at + 1 >= st->len)
		return rx_invalid(st, at, "trailing backslash");
	c = s[at + 1];
	st->i = at + 2;
	*kind = RX_ESC_CHAR;
	switch (c)
	{
		case '1': case '2': case '3': case '4': case '5':
		case '6': case '7': case '8': case '9':
			while (st->i < st->len && is_digit(s[st->i]))
				st->i++;
			*kind = RX_ESC_BACKREF;
			rx_backref(st, at, st->i - at);
			return VC_OK;
		case 'k':
		case 'g':
			/* Perl/PCRE named and relative backreferences */
			if (st->i < st->len &&
				(s[st->i] == '<' || s[st->i] == '{' || s[st->i] == '\'' ||
				 (c == 'g' && (is_digit(s[st->i]) || s[st->i] == '-'))))
			{
				unsigned	open = s[st->i];
				unsigned	close = open == '<' ? '>' : open == '{' ? '}' :
					open == '\'' ? '\'' : 0;

				st->i++;
				if (close)
				{
					while (st->i < st->len && s[st->i] != close)
						st->i++;
					if (st->i < st->len)
						st->i++;
				}
				else
					while (st->i < st->len && is_digit(s[st->i]))
						st->i++;
				*kind = RX_ESC_BACKREF;
				rx_backref(st, at, st->i - at);
				return VC_OK;
			}
			break;
		case '0':
			/* \0, \0y, \0yz: an octal character */
			*cp = 0;
			while (st->i < st->len && st->i < at + 4 &&
				   s[st->i] >= '0' && s[st->i] <= '7')
				*cp = *cp * 8 + (s[st->i++] - '0');
			return VC_OK;
		case 'a':
			*cp = 7;
			return VC_OK;
		case 'b':
			*cp = 8;			/* backspace in ARE, not a word boundary */
			return VC_OK;
		case 'B':
			*cp = '\\';
			return VC_OK;
		case 'e':
			*cp = 27;
			return VC_OK;
		case 'f':
			*cp = 12;
			return VC_OK;
		case 'n':
			*cp = 10;
			return VC_OK;
		case 'r':
			*cp = 13;
			return VC_OK;
		case 't':
			*cp = 9;
			return VC_OK;
		case 'v':
			*cp = 11;
			return VC_OK;
		case 'c':
			if (st->i < st->len && s[st->i] < 128)
			{
				*cp = s[st->i++] & 31;
				return VC_OK;
			}
			break;
		case 'x':
			if (read_hex(st, 0, cp))
				return VC_OK;
			break;
		case 'u':
			if (read_hex(st, 4, cp))
				return VC_OK;
			break;
		case 'U':
			if (read_hex(st, 8, cp))
				return VC_OK;
			break;
		case 'd':
		case 's':
		case 'w':
		case 'D':
		case 'S':
		case 'W':
			{
				unsigned	lc = c | 0x20;

				memset(set, 0, sizeof(*set));
				set_add_class(set, lc == 'd' ? CLS_DIGIT : lc == 's' ? CLS_SPACE : CLS_WORD,
							  c != lc);
				*kind = RX_ESC_SET;
				return VC_OK;
			}
		case 'A':
		case 'Z':
		case 'm':
		case 'M':
		case 'y':
		case 'Y':
			if (!in_class)
			{
				*kind = RX_ESC_CONSTRAINT;
				return VC_OK;
			}
			break;
		default:
			if (!is_alnum(c))
			{
				st->i = at + 1 + utf8_char(s, st->len, at + 1, cp);
				return VC_OK;
			}
			break;
	}
	return rx_invalid(st, at, "invalid escape sequence \"\\%c\"", (char) c);
}

/* ------------------------------------------------------------------ */
/* bracket expressions                                                  */
/* ------------------------------------------------------------------ */

/*
 * One item of a bracket expression at st->i: a character (*is_char, *cp;
 * may start or end a range) or a set added to *set right away.
 */
static vc_code
rx_class_item(rx_state *st, size_t open, bool *is_char, uint32_t *cp,
			  rx_set *set)
{
	const unsigned char *s = st->s;
	size_t		at = st->i;
	vc_code		rc;

	*is_char = false;
	if (at >= st->len)
		return rx_invalid(st, open, "unterminated character class");
	if (s[at] == '[' && at + 1 < st->len &&
		(s[at + 1] == ':' || s[at + 1] == '.' || s[at + 1] == '='))
	{
		unsigned	d = s[at + 1];
		size_t		start = at + 2,
					j,
					nlen;

		for (j = start; j + 1 < st->len; j++)
			if (s[j] == d && s[j + 1] == ']')
				break;
		if (j + 1 >= st->len)
			return rx_invalid(st, at, "unterminated \"[%c\" in character class",
							  (char) d);
		nlen = j - start;
		st->i = j + 2;
		if (d == ':')
		{
			int			k;

			for (k = 0; k < CLS__COUNT; k++)
				if (strlen(cls_names[k]) == nlen &&
					memcmp(cls_names[k], s + start, nlen) == 0)
				{
					set_add_class(set, (rx_cls) k, false);
					return VC_OK;
				}
			return rx_invalid(st, at, "unknown character class \"[:%.*s:]\"",
							  (int) (nlen > 32 ? 32 : nlen),
							  (const char *) s + start);
		}
		/* [.x.] collating element, [=x=] equivalence class: one character */
		if (nlen == 0 || utf8_char(s, st->len, start, cp) != nlen)
			return rx_invalid(st, at, "\"[%c%c]\" must hold exactly one character",
							  (char) d, (char) d);
		if (d == '.')
			*is_char = true;
		else
			set_add(set, cp_bucket(*cp));
		return VC_OK;
	}
	if (s[at] == '\\')
	{
		rx_esc		kind;
		rx_set		eset;

		if ((rc = rx_escape(st, true, &kind, cp, &eset)) != VC_OK)
			return rc;
		if (kind == RX_ESC_CHAR)
			*is_char = true;
		else if (kind == RX_ESC_SET)
			set_union(set, &eset);
		else
			set_all(set);
		return VC_OK;
	}
	st->i += utf8_char(s, st->len, at, cp);
	*is_char = true;
	return VC_OK;
}

/* A '-' at st->i that is not the literal '-' before the closing ']'. */
static bool
rx_range_dash(const rx_state *st)
{
	return st->i + 1 < st->len && st->s[st->i] == '-' && st->s[st->i + 1] != ']';
}

/* Parse the bracket expression opening at st->i into *out. */
static vc_code
rx_class(rx_state *st, rx_set *out)
{
	const unsigned char *s = st->s;
	size_t		open = st->i;
	bool		negate = false,
				first = true;
	rx_set		set;
	vc_code		rc;

	memset(&set, 0, sizeof(set));
	st->i++;
	if (st->i < st->len && s[st->i] == '^')
	{
		negate = true;
		st->i++;
	}
	for (;;)
	{
		size_t		at = st->i;
		bool		is_char;
		uint32_t	lo;

		if (at >= st->len)
			return rx_invalid(st, open, "unterminated character class");
		/* a ']' right after '[' or '[^' is a literal */
		if (s[at] == ']' && !first)
		{
			st->i++;
			break;
		}
		first = false;
		if ((rc = rx_class_item(st, open, &is_char, &lo, &set)) != VC_OK)
			return rc;
		if (!rx_range_dash(st))
		{
			if (is_char)
				set_add(&set, cp_bucket(lo));
			continue;
		}
		if (is_char)
		{
			bool		hi_char;
			uint32_t	hi;

			st->i++;			/* the '-' */
			if ((rc = rx_class_item(st, open, &hi_char, &hi, &set)) != VC_OK)
				return rc;
			if (hi_char && hi >= lo && !rx_range_dash(st))
			{
				set_add_range(&set, lo, hi);
				continue;
			}
		}
		return rx_invalid(st, at, "invalid character range");
	}
	if (negate)
		set_negate(&set);
	*out = set;
	return VC_OK;
}

/* ------------------------------------------------------------------ */
/* structure: atoms, branches, groups                                   */
/* ------------------------------------------------------------------ */

static void
frame_start(rx_frame *f, int open_pos, bool lookaround, size_t body)
{
	memset(f, 0, sizeof(*f));
	f->open_pos = open_pos;
	f->lookaround = lookaround;
	f->branch_start = body;
	f->open = true;
}

static void
note_var(rx_frame *f, int pos, int len)
{
	if (pos > 0 && (f->var_pos == 0 || pos < f->var_pos))
	{
		f->var_pos = pos;
		f->var_len = len;
	}
}

/* Fold the pending atom into the current branch. */
static void
rx_commit(rx_frame *f)
{
	rx_atom    *a = &f->pend;

	if (a->kind == RX_NONE)
		return;
	f->natoms++;
	f->single = *a;
	note_var(f, a->var_pos, a->var_len);
	if (a->kind != RX_CONSTRAINT && f->open)
	{
		set_union(&f->first, &a->first);
		if (!a->nullable)
			f->open = false;
	}
	a->kind = RX_NONE;
}

/* Commit the pending atom and make a new one pending. */
static rx_atom *
rx_new_atom(rx_state *st, rx_atom_kind kind)
{
	rx_frame   *f = &st->frames[st->depth];

	rx_commit(f);
	memset(&f->pend, 0, sizeof(f->pend));
	f->pend.kind = kind;
	f->pend.nullable = (kind == RX_CONSTRAINT);
	return &f->pend;
}

/* Close the current branch of f (at '|', ')' or the end). */
static void
rx_end_branch(rx_frame *f)
{
	int			shared;

	rx_commit(f);
	if (f->nbranches > 0 && f->overlap_pos == 0 &&
		(shared = set_overlap(&f->first, &f->seen)) >= 0)
	{
		f->overlap_pos = (int) f->branch_start + 1;
		f->overlap_char = shared;
	}
	if (f->open && f->nullable_pos == 0)
		f->nullable_pos = (int) f->branch_start + 1;
	/* a group that is the whole branch passes its ambiguity on: ((a|a))* */
	if (f->nbranches == 0 && f->natoms == 1 && f->single.kind == RX_GROUP &&
		f->single.amb != RX_AMB_NONE)
	{
		f->inh_amb = f->single.amb;
		f->inh_group = f->single.amb_group;
		f->inh_pos = f->single.amb_pos;
		f->inh_char = f->single.amb_char;
	}
	set_union(&f->seen, &f->first);
	f->nbranches++;
	memset(&f->first, 0, sizeof(f->first));
	f->open = true;
	f->natoms = 0;
}

/* The atom a closed group becomes in its parent. */
static void
rx_group_atom(const rx_frame *f, rx_atom *a)
{
	a->kind = f->lookaround ? RX_CONSTRAINT : RX_GROUP;
	a->first = f->seen;
	a->nullable = f->lookaround || f->nullable_pos > 0;
	a->var_pos = f->var_pos;
	a->var_len = f->var_len;
	a->amb = RX_AMB_NONE;
	a->amb_group = f->open_pos;
	a->amb_char = -1;
	if (f->nbranches >= 2 && f->overlap_pos > 0)
	{
		a->amb = RX_AMB_OVERLAP;
		a->amb_pos = f->overlap_pos;
		a->amb_char = f->overlap_char;
	}
	else if (f->nbranches >= 2 && f->nullable_pos > 0)
	{
		a->amb = RX_AMB_EMPTY_BRANCH;
		a->amb_pos = f->nullable_pos;
	}
	else if (f->nbranches == 1 && f->inh_amb != RX_AMB_NONE)
	{
		a->amb = f->inh_amb;
		a->amb_group = f->inh_group;
		a->amb_pos = f->inh_pos;
		a->amb_char = f->inh_char;
	}
	else if (f->nullable_pos > 0)
	{
		a->amb = RX_AMB_NULLABLE;
		a->amb_pos = f->open_pos;
	}
}

/* Explain why repeating the group atom a with the quantifier at q is unsafe. */
static void
rx_check_repeat(rx_state *st, const rx_atom *a, size_t q, size_t qlen)
{
	const char *p = (const char *) st->s;
	vc_error   *e;

	if (a->var_pos > 0)
	{
		if ((e = rx_unsafe(st, q, "nested quantifiers")) != NULL)
		{
			vc_error_detail(e, "The group at position %d is repeated by \"%.*s\" and contains the quantifier \"%.*s\" at position %d.",
							a->amb_group, (int) qlen, p + q, a->var_len,
							p + a->var_pos - 1, a->var_pos);
			vc_error_hint(e, RX_HINT_NESTED);
		}
	}
	else if (a->amb == RX_AMB_OVERLAP)
	{
		if ((e = rx_unsafe(st, q, "repeated alternation with overlapping branches")) != NULL)
		{
			if (a->amb_char > ' ' && a->amb_char < 127)
				vc_error_detail(e, "In the group at position %d, the branch at position %d can start with \"%c\" like an earlier branch.",
								a->amb_group, a->amb_pos, (char) a->amb_char);
			else
				vc_error_detail(e, "In the group at position %d, the branch at position %d can start with the same character as an earlier branch.",
								a->amb_group, a->amb_pos);
			vc_error_hint(e, RX_HINT_AMBIGUOUS);
		}
	}
	else if (a->amb == RX_AMB_EMPTY_BRANCH)
	{
		if ((e = rx_unsafe(st, q, "repeated alternation with an empty branch")) != NULL)
		{
			vc_error_detail(e, "In the group at position %d, the branch at position %d can match the empty string.",
							a->amb_group, a->amb_pos);
			vc_error_hint(e, RX_HINT_EMPTY);
		}
	}
	else if (a->amb == RX_AMB_NULLABLE)
	{
		if ((e = rx_unsafe(st, q, "repeated group can match the empty string")) != NULL)
		{
			vc_error_detail(e, "The group at position %d can match the empty string.",
							a->amb_group);
			vc_error_hint(e, RX_HINT_EMPTY);
		}
	}
}

/*
 * Apply the quantifier s[q, st->i) meaning {min,max} (max -1: unbounded) to
 * the pending atom; a trailing '?' (non-greedy) has been consumed.
 */
static vc_code
rx_quantify(rx_state *st, size_t q, int min, int max)
{
	rx_frame   *f = &st->frames[st->depth];
	rx_atom    *a = &f->pend;
	size_t		qlen = st->i - q;

	if (a->kind == RX_NONE || a->kind == RX_QUANTIFIED ||
		a->kind == RX_CONSTRAINT)
		return rx_invalid(st, q, "quantifier \"%.*s\" has nothing to repeat",
						  (int) qlen, (const char *) st->s + q);
	if (a->kind == RX_GROUP && (max < 0 || max > 1))
		rx_check_repeat(st, a, q, qlen);
	if (max < 0 || max > min)
		note_var(f, (int) q + 1, (int) qlen);
	if (min == 0)
		a->nullable = true;
	if (max == 0)
		memset(&a->first, 0, sizeof(a->first));
	a->kind = RX_QUANTIFIED;
	return VC_OK;
}

/* Parse a bound {m}, {m,}, {m,n} at st->i (a '{' before a digit). */
static vc_code
rx_bound(rx_state *st)
{
	const unsigned char *s = st->s;
	size_t		q = st->i,
				j = q + 1;
	long		m = 0,
				n;

	while (j < st->len && is_digit(s[j]))
	{
		if (m <= RX_DUP_MAX)
			m = m * 10 + (s[j] - '0');
		j++;
	}
	n = m;
	if (j < st->len && s[j] == ',')
	{
		j++;
		n = -1;
		if (j < st->len && is_digit(s[j]))
		{
			n = 0;
			while (j < st->len && is_digit(s[j]))
			{
				if (n <= RX_DUP_MAX)
					n = n * 10 + (s[j] - '0');
				j++;
			}
		}
	}
	if (j >= st->len || s[j] != '}')
		return rx_invalid(st, q, "invalid repetition count");
	st->i = j + 1;
	if (m > RX_DUP_MAX || n > RX_DUP_MAX)
		return rx_invalid(st, q, "repetition count exceeds %d", RX_DUP_MAX);
	if (n >= 0 && m > n)
		return rx_invalid(st, q, "repetition count \"%.*s\" has a minimum above its maximum",
						  (int) (st->i - q), (const char *) s + q);
	if (st->i < st->len && s[st->i] == '?')
		st->i++;
	return rx_quantify(st, q, (int) m, (int) n);
}

/* Parse the '(' at st->i: a group, lookaround, comment or error. */
static vc_code
rx_open(rx_state *st)
{
	const unsigned char *s = st->s;
	size_t		at = st->i,
				body = at + 1;
	bool		lookaround = false;

	if (at + 1 < st->len && s[at + 1] == '?')
	{
		unsigned	c = at + 2 < st->len ? s[at + 2] : 0;

		if (c == '#')
		{
			/* (?#comment): skipped like whitespace, the pending atom stays */
			const unsigned char *close = memchr(s + at, ')', st->len - at);

			if (close == NULL)
				return rx_invalid(st, at, "unterminated comment");
			st->i = (size_t) (close - s) + 1;
			return VC_OK;
		}
		if (c == ':')
			body = at + 3;
		else if (c == '=' || c == '!')
		{
			body = at + 3;
			lookaround = true;
		}
		else if (c == '<' && at + 3 < st->len &&
				 (s[at + 3] == '=' || s[at + 3] == '!'))
		{
			body = at + 4;
			lookaround = true;
		}
		else if (c == 'P' && at + 3 < st->len && s[at + 3] == '=')
		{
			/* Python's (?P=name) backreference */
			const unsigned char *close = memchr(s + at, ')', st->len - at);
			rx_atom    *a;

			if (close == NULL)
				return rx_invalid(st, at, "unmatched opening parenthesis");
			st->i = (size_t) (close - s) + 1;
			rx_backref(st, at, st->i - at);
			a = rx_new_atom(st, RX_CHAR);
			set_all(&a->first);
			a->nullable = true;
			return VC_OK;
		}
		else if (c >= 'a' && c <= 'z')
			return rx_invalid(st, at, "embedded options are only allowed at the start of the pattern");
		else
			return rx_invalid(st, at, "unsupported group syntax \"(?%.*s\"",
							  c ? 1 : 0, (const char *) s + at + 2);
	}
	if (st->depth == RX_MAX_DEPTH)
	{
		vc_error_set(st->err, VC_ERR_REGEX,
					 "unsafe regular expression: groups nested deeper than %d levels at position %zu",
					 RX_MAX_DEPTH, at + 1);
		if (st->err)
			st->err->position = (int) at + 1;
		return VC_ERR_REGEX;
	}
	rx_commit(&st->frames[st->depth]);
	st->depth++;
	frame_start(&st->frames[st->depth], (int) at + 1, lookaround, body);
	st->i = body;
	return VC_OK;
}

/* Parse the ')' at st->i. */
static vc_code
rx_close(rx_state *st)
{
	rx_frame   *f;
	rx_atom    *a;

	if (st->depth == 0)
		return rx_invalid(st, st->i, "unmatched closing parenthesis");
	f = &st->frames[st->depth];
	rx_end_branch(f);
	st->depth--;
	a = rx_new_atom(st, RX_GROUP);
	rx_group_atom(f, a);
	st->i++;
	return VC_OK;
}

/*
 * Leading embedded options "(?flags)" as PostgreSQL allows them. Options
 * that change the syntax itself (b, e: other flavours; q: literal; x:
 * expanded) would make this parse meaningless, so they are refused.
 */
static vc_code
rx_options(rx_state *st)
{
	const unsigned char *s = st->s;
	size_t		j;

	if (st->len < 3 || s[0] != '(' || s[1] != '?' || s[2] < 'a' || s[2] > 'z')
		return VC_OK;
	for (j = 2; j < st->len && s[j] >= 'a' && s[j] <= 'z'; j++)
	{
		if (strchr("cimnpstw", s[j]) != NULL)
			continue;
		if (strchr("beqx", s[j]) != NULL)
			return rx_invalid(st, j, "embedded option \"%c\" is not supported",
							  (char) s[j]);
		return rx_invalid(st, j, "unknown embedded option \"%c\"", (char) s[j]);
	}
	if (j >= st->len || s[j] != ')')
		return rx_invalid(st, 0, "unterminated embedded options");
	st->i = j + 1;
	st->frames[0].branch_start = st->i;
	return VC_OK;
}

/* Parse one token at st->i. */
static vc_code
rx_step(rx_state *st)
{
	const unsigned char *s = st->s;
	size_t		at = st->i;
	rx_frame   *f = &st->frames[st->depth];
	rx_atom    *a;
	vc_code		rc;

	switch (s[at])
	{
		case '(':
			return rx_open(st);
		case ')':
			return rx_close(st);
		case '|':
			rx_end_branch(f);
			st->i = f->branch_start = at + 1;
			return VC_OK;
		case '*':
		case '+':
		case '?':
			st->i = at + 1;
			if (st->i < st->len && s[st->i] == '?')
				st->i++;
			return rx_quantify(st, at, s[at] == '+' ? 1 : 0, s[at] == '?' ? 1 : -1);
		case '{':
			if (at + 1 < st->len && is_digit(s[at + 1]))
				return rx_bound(st);
			break;				/* a literal '{' */
		case '[':
			{
				rx_set		set;

				if ((rc = rx_class(st, &set)) != VC_OK)
					return rc;
				a = rx_new_atom(st, RX_CHAR);
				a->first = set;
				return VC_OK;
			}
		case '.':
			a = rx_new_atom(st, RX_CHAR);
			set_all(&a->first);
			st->i++;
			return VC_OK;
		case '^':
		case '$':
			rx_new_atom(st, RX_CONSTRAINT);
			st->i++;
			return VC_OK;
		case '\\':
			{
				rx_esc		kind;
				uint32_t	cp = 0;
				rx_set		set;

				if ((rc = rx_escape(st, false, &kind, &cp, &set)) != VC_OK)
					return rc;
				if (kind == RX_ESC_CONSTRAINT)
				{
					rx_new_atom(st, RX_CONSTRAINT);
					return VC_OK;
				}
				a = rx_new_atom(st, RX_CHAR);
				if (kind == RX_ESC_CHAR)
					set_add(&a->first, cp_bucket(cp));
				else if (kind == RX_ESC_SET)
					a->first = set;
				else
				{
					/* a backreference may repeat anything, even "" */
					set_all(&a->first);
					a->nullable = true;
				}
				return VC_OK;
			}
		default:
			break;
	}
	{
		uint32_t	cp;

		st->i += utf8_char(s, st->len, at, &cp);
		a = rx_new_atom(st, RX_CHAR);
		set_add(&a->first, cp_bucket(cp));
	}
	return VC_OK;
}

vc_code
vc_regex_validate(const char *pattern, size_t len, vc_error *err)
{
	rx_state	st;
	const char *nul;
	vc_code		rc;

	if (len > VC_REGEX_MAX_LEN)
	{
		vc_error_set(err, VC_ERR_REGEX,
					 "regular expression longer than %d bytes", VC_REGEX_MAX_LEN);
		vc_error_detail(err, "The pattern is %zu bytes long.", len);
		return VC_ERR_REGEX;
	}
	st.s = (const unsigned char *) pattern;
	st.len = len;
	st.i = 0;
	st.err = err;
	st.have_danger = false;
	st.depth = 0;
	if (len > 0 && (nul = memchr(pattern, '\0', len)) != NULL)
		return rx_invalid(&st, (size_t) (nul - pattern), "NUL byte");
	frame_start(&st.frames[0], 0, false, 0);
	if ((rc = rx_options(&st)) != VC_OK)
		return rc;
	while (st.i < len)
		if ((rc = rx_step(&st)) != VC_OK)
			return rc;
	if (st.depth > 0)
		return rx_invalid(&st, (size_t) st.frames[st.depth].open_pos - 1,
						  "unmatched opening parenthesis");
	rx_end_branch(&st.frames[0]);
	if (st.have_danger)
	{
		if (err)
			*err = st.danger;
		return VC_ERR_REGEX;
	}
	return VC_OK;
}
