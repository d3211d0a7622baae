/*
 * tests/diff/gen.c — the deterministic generator of the differential test
 * (issue 4): seed data for the blog example and a few hundred QuerySpecs,
 * each paired with a HAND-WRITTEN SQL query that must return the same
 * result as viper's query functions.
 *
 *   gen seed   pg|sqlite         INSERT statements (run after migrate)
 *   gen script pg|sqlite [hand]  the comparison script (see below)
 *   gen specs  pg|sqlite         one line per spec: n, kind, model, spec,
 *                                hand SQL (for failure reports)
 *
 * Everything comes from one fixed-seed PRNG and never from the dialect:
 * both dialects get the same rows and the same specs; only the SQL text
 * of literals and NULL ordering differs. The generator keeps the rows in
 * memory, so specs pick values that exist (exact titles, substrings of
 * names, existing timestamps) and most conditions match something.
 *
 * The script prints lines "<n>|m|v" / "<n>|m|h" before the viper / hand
 * statement of spec n (markers, so an error message that the client
 * writes between them is attributed to that statement), then one line
 * "<n>|v|<sig>" per viper row and "<n>|h|<sig>" per hand row. <sig> is
 * the row's id (rows), id plus the sorted key list (only), the values
 * joined by ';' with NULL as ∅ (values), or a number (count, exists).
 * tests/diff/compare.awk compares them. With "hand" only the hand
 * statements are written, as <n>|v|... — two dialects' hand scripts can be
 * compared with each other (tests/diff/crosscheck.sh).
 *
 * Semantics mirrored (core/vc_query.h): $not is "IS NOT TRUE" (rows where
 * the condition is NULL come back); contains/startswith/endswith are
 * case-sensitive; i-lookups fold case with the database's lower(); ORDER
 * BY puts NULLs last for ASC and first for DESC and ends with the pk;
 * relation paths are written as correlated sub-selects (a missing related
 * row reads as NULL, like the LEFT JOIN viper uses), so the hand SQL does
 * not share viper's join planning.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small utilities ------------------------------------------------ */

typedef struct sbuf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} sbuf;

static void *
xmalloc(size_t n)
{
	void	   *p = malloc(n ? n : 1);

	if (p == NULL)
	{
		fprintf(stderr, "gen: out of memory\n");
		exit(2);
	}
	return p;
}

static char *
xstrdup(const char *s)
{
	size_t		n = strlen(s) + 1;
	char	   *p = xmalloc(n);

	memcpy(p, s, n);
	return p;
}

static void
sb_putn(sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
	{
		size_t		cap = b->cap ? b->cap * 2 : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = realloc(b->data, cap);
		if (b->data == NULL)
		{
			fprintf(stderr, "gen: out of memory\n");
			exit(2);
		}
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void
sb_puts(sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static void sb_printf(sbuf *b, const char *fmt,...) __attribute__((format(printf, 2, 3)));

static void
sb_printf(sbuf *b, const char *fmt,...)
{
	va_list		ap;
	int			n;
	char	   *tmp;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
	{
		fprintf(stderr, "gen: bad format\n");
		exit(2);
	}
	tmp = xmalloc((size_t) n + 1);
	va_start(ap, fmt);
	vsnprintf(tmp, (size_t) n + 1, fmt, ap);
	va_end(ap);
	sb_putn(b, tmp, (size_t) n);
	free(tmp);
}

static void
sb_reset(sbuf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static const char *
sb_str(const sbuf *b)
{
	return b->data ? b->data : "";
}

/* SQL string literal: quotes doubled (standard_conforming_strings). */
static void
sql_str(sbuf *b, const char *s)
{
	sb_puts(b, "'");
	for (; *s; s++)
	{
		if (*s == '\'')
			sb_puts(b, "''");
		else
			sb_putn(b, s, 1);
	}
	sb_puts(b, "'");
}

/* JSON string: UTF-8 passes through, quotes/backslashes/controls escaped. */
static void
json_str(sbuf *b, const char *s)
{
	sb_puts(b, "\"");
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (c == '"' || c == '\\')
		{
			sb_puts(b, "\\");
			sb_putn(b, s, 1);
		}
		else if (c < 0x20)
			sb_printf(b, "\\u%04x", c);
		else
			sb_putn(b, s, 1);
	}
	sb_puts(b, "\"");
}

/* splitmix64: tiny, portable, fully determined by the seed */
static uint64_t rng_state = 0x5eed0f0051deULL;

static uint64_t
rng_next(void)
{
	uint64_t	z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* uniform in [0, n) */
static int
rnd(int n)
{
	return n <= 0 ? 0 : (int) (rng_next() % (uint64_t) n);
}

static bool
chance(int percent)
{
	return rnd(100) < percent;
}

/* ---- dialect ------------------------------------------------------------ */

typedef enum
{
	D_PG,
	D_SQLITE
} dialect;

static dialect dia;

/* ---- the data ----------------------------------------------------------- */

#define N_AUTHOR 400
#define N_POST 4000
#define N_TAG 60
#define N_COMMENT 5000

typedef struct
{
	char	   *name;
	char	   *email;
	char	   *bio;			/* NULL = SQL NULL */
	char	   *website;
	bool		is_active;
	int			joined;			/* days after 2023-01-01 */
} author_row;

typedef struct
{
	char	   *title;
	char	   *slug;
	char	   *body;
	int			author_id;
	bool		published;
	int			views;
	int			rating2;		/* rating * 2, -1 = NULL */
	int			score16;		/* score * 16 */
	int			publish;		/* minutes after 2024-01-01, -1 = NULL */
	int			created;		/* minutes after 2024-01-01 */
} post_row;

typedef struct
{
	char	   *name;
	char	   *slug;
	char	   *color;
} tag_row;

typedef struct
{
	int			post_id;
	int			author_id;		/* 0 = NULL */
	int			parent_id;		/* 0 = NULL */
	char	   *body;
	bool		approved;
	int			created;
} comment_row;

static author_row authors[N_AUTHOR + 1];	/* index = id */
static post_row posts[N_POST + 1];
static tag_row tags[N_TAG + 1];
static comment_row comments[N_COMMENT + 1];
static int	ptag_post[N_POST * 3 + 1];
static int	ptag_tag[N_POST * 3 + 1];
static int	n_ptag;

static const char *first_names[] = {
	"Anna", "anna", "Ärger", "Jürgen", "Zoë", "Straße", "STRASSE", "漢字",
	"山田", "Ólafur", "o'Brien", "O'Reilly", "Ellen", "émile", "Émile",
	"😀 Smiley", "Bob", "bob", "Carl_x", "50% Max", "Mia", "Noah", "Ümit",
	"Ïda"
};
static const char *last_names[] = {
	"Schmidt", "Müller", "MÜLLER", "Łukasz", "Nguyễn", "Smith", "smith",
	"李", "🎉Party", "de la Cruz", "Weiß", "WEISS", "Ames", "Zed"
};
static const char *words[] = {
	"python", "Python", "SQL", "sql", "postgres", "SQLite", "Straße",
	"straße", "STRASSE", "äpfel", "Äpfel", "über", "Über", "漢字", "日本語",
	"emoji", "🎉", "😀", "café", "CAFÉ", "naïve", "100%", "50%_off",
	"under_score", "it's", "O'Reilly", "data", "Data", "query", "Query",
	"viper", "VIPER", "orm", "index", "join", "back\\slash", "a_b", "x",
	"Tab", "zebra", "Ångström", "ß", "lorem", "ipsum", "dolor", "amet"
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *
pick(const char *const *list, size_t n)
{
	return list[rnd((int) n)];
}

static char *
sentence(int minw, int maxw)
{
	sbuf		b = {0};
	int			n = minw + rnd(maxw - minw + 1),
				i;

	for (i = 0; i < n; i++)
	{
		if (i)
			sb_puts(&b, " ");
		sb_puts(&b, pick(words, NELEM(words)));
	}
	return b.data;
}

static void
make_data(void)
{
	int			i,
				j;

	for (i = 1; i <= N_AUTHOR; i++)
	{
		author_row *a = &authors[i];
		char		tmp[160];

		snprintf(tmp, sizeof(tmp), "%s %s", pick(first_names, NELEM(first_names)),
				 pick(last_names, NELEM(last_names)));
		a->name = xstrdup(tmp);
		if (chance(50))
			snprintf(tmp, sizeof(tmp), "user%d@example.com", i);
		else
			snprintf(tmp, sizeof(tmp), "User%d@Example.COM", i);
		a->email = xstrdup(tmp);
		a->bio = chance(30) ? NULL : sentence(2, 8);
		if (chance(50))
			a->website = NULL;
		else
		{
			snprintf(tmp, sizeof(tmp), "https://example.com/~u%d", i);
			a->website = xstrdup(tmp);
		}
		a->is_active = chance(85);
		a->joined = rnd(700);
	}
	for (i = 1; i <= N_POST; i++)
	{
		post_row   *p = &posts[i];
		char		tmp[64];
		bool		dup;

		p->author_id = chance(30) ? 1 + rnd(20) : 1 + rnd(N_AUTHOR);
		/* (author, title) is unique: retry, then fall back to a suffix */
		for (j = 0;; j++)
		{
			p->title = sentence(1, 3);
			dup = false;
			for (int k = 1; k < i && !dup; k++)
				dup = posts[k].author_id == p->author_id &&
					strcmp(posts[k].title, p->title) == 0;
			if (!dup)
				break;
			free(p->title);
			if (j >= 3)
			{
				sbuf		b = {0};

				sb_printf(&b, "%s #%d", pick(words, NELEM(words)), i);
				p->title = b.data;
				break;
			}
		}
		snprintf(tmp, sizeof(tmp), "post-%d", i);
		p->slug = xstrdup(tmp);
		p->body = sentence(4, 12);
		p->published = chance(60);
		p->views = chance(10) ? 0 : rnd(5000);
		p->rating2 = chance(25) ? -1 : rnd(11);
		p->score16 = rnd(17);
		p->publish = chance(30) ? -1 : rnd(300000);
		p->created = (i / 3) * 97;	/* triples share a timestamp */
	}
	for (i = 1; i <= N_TAG; i++)
	{
		tag_row    *t = &tags[i];
		sbuf		b = {0};
		char		tmp[32];

		if ((size_t) i <= NELEM(words) && strlen(words[i - 1]) <= 40)
			sb_puts(&b, words[i - 1]);
		else
			sb_printf(&b, "%s-%d", pick(words, NELEM(words)), i);
		/* unique names: words[] holds no duplicates, suffixes differ */
		t->name = b.data;
		snprintf(tmp, sizeof(tmp), "tag-%d", i);
		t->slug = xstrdup(tmp);
		if (chance(30))
			t->color = xstrdup("#cccccc");
		else
		{
			snprintf(tmp, sizeof(tmp), "#%06x", rnd(0x1000000));
			t->color = xstrdup(tmp);
		}
	}
	n_ptag = 0;
	for (i = 1; i <= N_POST; i++)
	{
		int			k = rnd(4),
					chosen[3];

		for (j = 0; j < k; j++)
		{
			int			t,
						dup;

			do
			{
				t = 1 + rnd(N_TAG);
				dup = 0;
				for (int q = 0; q < j; q++)
					dup |= chosen[q] == t;
			} while (dup);
			chosen[j] = t;
			n_ptag++;
			ptag_post[n_ptag] = i;
			ptag_tag[n_ptag] = t;
		}
	}
	for (i = 1; i <= N_COMMENT; i++)
	{
		comment_row *c = &comments[i];

		c->post_id = 1 + rnd(N_POST);
		c->author_id = chance(20) ? 0 : 1 + rnd(N_AUTHOR);
		c->parent_id = (i > 1 && chance(30)) ? 1 + rnd(i - 1) : 0;
		c->body = sentence(2, 9);
		c->approved = chance(50);
		c->created = (i / 2) * 53;
	}
}

/* ---- literals per dialect ---------------------------------------------- */

static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

/* minutes after 2024-01-01T00:00 (2024 is a leap year; < 366 days) */
static void
ts_parts(int minutes, int *mo, int *d, int *h, int *mi)
{
	int			day = minutes / 1440,
				m = 0;

	*h = (minutes % 1440) / 60;
	*mi = minutes % 60;
	while (m < 11 && day >= mdays[m])
		day -= mdays[m++];
	*mo = m + 1;
	*d = day + 1;
}

/* the JSON value text of a timestamp (what a client sends) */
static void
ts_json(sbuf *b, int minutes)
{
	int			mo,
				d,
				h,
				mi;

	ts_parts(minutes, &mo, &d, &h, &mi);
	sb_printf(b, "\"2024-%02d-%02dT%02d:%02d:00Z\"", mo, d, h, mi);
}

/* the SQL literal: SQLite keeps viper's canonical text form */
static void
ts_sql(sbuf *b, int minutes)
{
	int			mo,
				d,
				h,
				mi;

	ts_parts(minutes, &mo, &d, &h, &mi);
	if (dia == D_PG)
		sb_printf(b, "'2024-%02d-%02dT%02d:%02d:00Z'", mo, d, h, mi);
	else
		sb_printf(b, "'2024-%02d-%02dT%02d:%02d:00.000Z'", mo, d, h, mi);
}

/* days after 2023-01-01 (2023 has 365 days, 2024 is a leap year) */
static void
date_text(char *out, size_t n, int days)
{
	int			y = 2023,
				m = 0;
	static const int md23[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (days >= 365)
	{
		days -= 365;
		y = 2024;
	}
	while (m < 11 && days >= (y == 2023 ? md23[m] : mdays[m]))
		days -= (y == 2023 ? md23[m] : mdays[m]), m++;
	snprintf(out, n, "%04d-%02d-%02d", y, m + 1, days + 1);
}

static const char *
bool_sql(bool v)
{
	if (dia == D_PG)
		return v ? "true" : "false";
	return v ? "1" : "0";
}

static void
half_text(sbuf *b, int halves)
{
	sb_printf(b, "%d.%d", halves / 2, (halves % 2) * 5);
}

static void
score_text(sbuf *b, int sixteenths)
{
	/* k/16 is exact in binary and in short decimal */
	char		tmp[32];

	snprintf(tmp, sizeof(tmp), "%.4f", sixteenths / 16.0);
	/* trim trailing zeros but keep one digit after the point */
	for (size_t n = strlen(tmp); n > 2 && tmp[n - 1] == '0' && tmp[n - 2] != '.'; n--)
		tmp[n - 1] = '\0';
	sb_puts(b, tmp);
}

/* ---- seed --------------------------------------------------------------- */

static void
emit_seed(void)
{
	sbuf		b = {0};
	int			i;
	char		date[32];

#define FLUSH_EVERY 250
	for (i = 1; i <= N_AUTHOR; i++)
	{
		author_row *a = &authors[i];

		if ((i - 1) % FLUSH_EVERY == 0)
			sb_puts(&b, "INSERT INTO blog_author (id, name, email, bio, website, is_active, joined_on) VALUES\n");
		sb_printf(&b, "(%d, ", i);
		sql_str(&b, a->name);
		sb_puts(&b, ", ");
		sql_str(&b, a->email);
		sb_puts(&b, ", ");
		if (a->bio)
			sql_str(&b, a->bio);
		else
			sb_puts(&b, "NULL");
		sb_puts(&b, ", ");
		if (a->website)
			sql_str(&b, a->website);
		else
			sb_puts(&b, "NULL");
		date_text(date, sizeof(date), a->joined);
		sb_printf(&b, ", %s, '%s')", bool_sql(a->is_active), date);
		sb_puts(&b, (i % FLUSH_EVERY == 0 || i == N_AUTHOR) ? ";\n" : ",\n");
	}
	for (i = 1; i <= N_TAG; i++)
	{
		if (i == 1)
			sb_puts(&b, "INSERT INTO blog_tag (id, name, slug, color) VALUES\n");
		sb_printf(&b, "(%d, ", i);
		sql_str(&b, tags[i].name);
		sb_puts(&b, ", ");
		sql_str(&b, tags[i].slug);
		sb_puts(&b, ", ");
		sql_str(&b, tags[i].color);
		sb_puts(&b, i == N_TAG ? ");\n" : "),\n");
	}
	for (i = 1; i <= N_POST; i++)
	{
		post_row   *p = &posts[i];

		if ((i - 1) % FLUSH_EVERY == 0)
			sb_puts(&b, "INSERT INTO blog_post (id, title, slug, body, author_id, status, views, rating, score, metadata, keywords, publish_at, created_at, updated_at) VALUES\n");
		sb_printf(&b, "(%d, ", i);
		sql_str(&b, p->title);
		sb_puts(&b, ", ");
		sql_str(&b, p->slug);
		sb_puts(&b, ", ");
		sql_str(&b, p->body);
		sb_printf(&b, ", %d, '%s', %d, ", p->author_id,
				  p->published ? "published" : "draft", p->views);
		if (p->rating2 < 0)
			sb_puts(&b, "NULL");
		else
			half_text(&b, p->rating2);
		sb_puts(&b, ", ");
		score_text(&b, p->score16);
		sb_puts(&b, dia == D_PG ? ", '{}', '{}', " : ", '{}', '[]', ");
		if (p->publish < 0)
			sb_puts(&b, "NULL");
		else
			ts_sql(&b, p->publish);
		sb_puts(&b, ", ");
		ts_sql(&b, p->created);
		sb_puts(&b, ", ");
		ts_sql(&b, p->created);
		sb_puts(&b, (i % FLUSH_EVERY == 0 || i == N_POST) ? ");\n" : "),\n");
	}
	for (i = 1; i <= n_ptag; i++)
	{
		if ((i - 1) % 500 == 0)
			sb_puts(&b, "INSERT INTO blog_post_tags (id, post_id, tag_id) VALUES\n");
		sb_printf(&b, "(%d, %d, %d)", i, ptag_post[i], ptag_tag[i]);
		sb_puts(&b, (i % 500 == 0 || i == n_ptag) ? ";\n" : ",\n");
	}
	for (i = 1; i <= N_COMMENT; i++)
	{
		comment_row *c = &comments[i];

		if ((i - 1) % FLUSH_EVERY == 0)
			sb_puts(&b, "INSERT INTO blog_comment (id, post_id, author_id, parent_id, body, is_approved, created_at) VALUES\n");
		sb_printf(&b, "(%d, %d, ", i, c->post_id);
		if (c->author_id)
			sb_printf(&b, "%d, ", c->author_id);
		else
			sb_puts(&b, "NULL, ");
		if (c->parent_id)
			sb_printf(&b, "%d, ", c->parent_id);
		else
			sb_puts(&b, "NULL, ");
		sql_str(&b, c->body);
		sb_printf(&b, ", %s, ", bool_sql(c->approved));
		ts_sql(&b, c->created);
		sb_puts(&b, (i % FLUSH_EVERY == 0 || i == N_COMMENT) ? ");\n" : "),\n");
	}
	if (dia == D_PG)
	{
		/* later inserts through viper must not collide with explicit ids */
		sb_puts(&b, "SELECT setval('blog_author_id_seq', (SELECT max(id) FROM blog_author));\n");
		sb_puts(&b, "SELECT setval('blog_post_id_seq', (SELECT max(id) FROM blog_post));\n");
		sb_puts(&b, "SELECT setval('blog_tag_id_seq', (SELECT max(id) FROM blog_tag));\n");
		sb_puts(&b, "SELECT setval('blog_post_tags_id_seq', (SELECT max(id) FROM blog_post_tags));\n");
		sb_puts(&b, "SELECT setval('blog_comment_id_seq', (SELECT max(id) FROM blog_comment));\n");
		sb_puts(&b, "ANALYZE;\n");
	}
	fputs(sb_str(&b), stdout);
	free(b.data);
}

/* ---- fields the specs use ------------------------------------------------ */

typedef enum
{
	T_INT,
	T_FLOAT,
	T_DEC,
	T_TEXT,
	T_BOOL,
	T_TS,
	T_DATE,
	T_FK
} ftype;

/* where a field's example values come from */
typedef enum
{
	S_AUTHOR_ID, S_AUTHOR_NAME, S_AUTHOR_EMAIL, S_AUTHOR_BIO, S_AUTHOR_WEB,
	S_AUTHOR_ACTIVE, S_AUTHOR_JOINED,
	S_POST_ID, S_POST_TITLE, S_POST_SLUG, S_POST_BODY, S_POST_STATUS,
	S_POST_VIEWS, S_POST_RATING, S_POST_SCORE, S_POST_PUBLISH, S_POST_CREATED,
	S_TAG_ID, S_TAG_NAME, S_TAG_SLUG, S_TAG_COLOR,
	S_COMMENT_ID, S_COMMENT_BODY, S_COMMENT_APPROVED, S_COMMENT_CREATED
} source;

typedef struct
{
	const char *path;			/* spec path */
	ftype		type;
	bool		nullable;		/* NULLs can appear (column or missing row) */
	const char *sql;			/* expression over alias t (both dialects) */
	source		src;
	bool		order;			/* usable in order_by */
	bool		value;			/* usable in values (text / integer) */
	const char *only_key;		/* usable in only: its JSON key */
} fref;

#define SUB_AUTHOR(col) "(SELECT a1." col " FROM blog_author a1 WHERE a1.id = t.author_id)"
#define SUB_POST(col) "(SELECT p1." col " FROM blog_post p1 WHERE p1.id = t.post_id)"
#define SUB_POST_AUTHOR(col) "(SELECT a2." col " FROM blog_post p2 JOIN blog_author a2 ON a2.id = p2.author_id WHERE p2.id = t.post_id)"
#define SUB_PARENT(col) "(SELECT c1." col " FROM blog_comment c1 WHERE c1.id = t.parent_id)"

static const fref post_fields[] = {
	{"id", T_INT, false, "t.id", S_POST_ID, true, true, NULL},
	{"title", T_TEXT, false, "t.title", S_POST_TITLE, true, true, "title"},
	{"slug", T_TEXT, false, "t.slug", S_POST_SLUG, true, true, "slug"},
	{"body", T_TEXT, false, "t.body", S_POST_BODY, false, true, "body"},
	{"author", T_FK, false, "t.author_id", S_AUTHOR_ID, false, false, "author_id"},
	{"author_id", T_FK, false, "t.author_id", S_AUTHOR_ID, true, true, NULL},
	{"author__id", T_FK, false, "t.author_id", S_AUTHOR_ID, false, false, NULL},
	{"status", T_TEXT, false, "t.status", S_POST_STATUS, true, true, "status"},
	{"views", T_INT, false, "t.views", S_POST_VIEWS, true, true, "views"},
	{"rating", T_DEC, true, "t.rating", S_POST_RATING, true, false, "rating"},
	{"score", T_FLOAT, false, "t.score", S_POST_SCORE, true, false, "score"},
	{"publish_at", T_TS, true, "t.publish_at", S_POST_PUBLISH, true, false, "publish_at"},
	{"created_at", T_TS, false, "t.created_at", S_POST_CREATED, true, false, "created_at"},
	{"author__name", T_TEXT, false, SUB_AUTHOR("name"), S_AUTHOR_NAME, true, true, NULL},
	{"author__email", T_TEXT, false, SUB_AUTHOR("email"), S_AUTHOR_EMAIL, true, true, NULL},
	{"author__is_active", T_BOOL, false, SUB_AUTHOR("is_active"), S_AUTHOR_ACTIVE, true, false, NULL},
	{"author__bio", T_TEXT, true, SUB_AUTHOR("bio"), S_AUTHOR_BIO, true, true, NULL},
	{"author__joined_on", T_DATE, false, SUB_AUTHOR("joined_on"), S_AUTHOR_JOINED, true, false, NULL},
};

static const fref comment_fields[] = {
	{"id", T_INT, false, "t.id", S_COMMENT_ID, true, true, NULL},
	{"body", T_TEXT, false, "t.body", S_COMMENT_BODY, true, true, "body"},
	{"is_approved", T_BOOL, false, "t.is_approved", S_COMMENT_APPROVED, true, false, "is_approved"},
	{"created_at", T_TS, false, "t.created_at", S_COMMENT_CREATED, true, false, "created_at"},
	{"post", T_FK, false, "t.post_id", S_POST_ID, false, false, "post_id"},
	{"post_id", T_FK, false, "t.post_id", S_POST_ID, true, true, NULL},
	{"author", T_FK, true, "t.author_id", S_AUTHOR_ID, false, false, "author_id"},
	{"author_id", T_FK, true, "t.author_id", S_AUTHOR_ID, true, true, NULL},
	{"parent", T_FK, true, "t.parent_id", S_COMMENT_ID, false, false, "parent_id"},
	{"post__title", T_TEXT, false, SUB_POST("title"), S_POST_TITLE, true, true, NULL},
	{"post__views", T_INT, false, SUB_POST("views"), S_POST_VIEWS, true, true, NULL},
	{"post__status", T_TEXT, false, SUB_POST("status"), S_POST_STATUS, true, true, NULL},
	{"post__rating", T_DEC, true, SUB_POST("rating"), S_POST_RATING, true, false, NULL},
	{"post__author__name", T_TEXT, false, SUB_POST_AUTHOR("name"), S_AUTHOR_NAME, true, true, NULL},
	{"post__author__is_active", T_BOOL, false, SUB_POST_AUTHOR("is_active"), S_AUTHOR_ACTIVE, true, false, NULL},
	{"author__name", T_TEXT, true, SUB_AUTHOR("name"), S_AUTHOR_NAME, true, true, NULL},
	{"author__email", T_TEXT, true, SUB_AUTHOR("email"), S_AUTHOR_EMAIL, true, true, NULL},
	{"parent__body", T_TEXT, true, SUB_PARENT("body"), S_COMMENT_BODY, true, true, NULL},
};

static const fref author_fields[] = {
	{"id", T_INT, false, "t.id", S_AUTHOR_ID, true, true, NULL},
	{"name", T_TEXT, false, "t.name", S_AUTHOR_NAME, true, true, "name"},
	{"email", T_TEXT, false, "t.email", S_AUTHOR_EMAIL, true, true, "email"},
	{"bio", T_TEXT, true, "t.bio", S_AUTHOR_BIO, true, true, "bio"},
	{"website", T_TEXT, true, "t.website", S_AUTHOR_WEB, true, true, "website"},
	{"is_active", T_BOOL, false, "t.is_active", S_AUTHOR_ACTIVE, true, false, "is_active"},
	{"joined_on", T_DATE, false, "t.joined_on", S_AUTHOR_JOINED, true, false, "joined_on"},
};

static const fref tag_fields[] = {
	{"id", T_INT, false, "t.id", S_TAG_ID, true, true, NULL},
	{"name", T_TEXT, false, "t.name", S_TAG_NAME, true, true, "name"},
	{"slug", T_TEXT, false, "t.slug", S_TAG_SLUG, true, true, "slug"},
	{"color", T_TEXT, false, "t.color", S_TAG_COLOR, true, true, "color"},
};

typedef struct
{
	const char *label;
	const char *table;
	const fref *fields;
	size_t		nfields;
	const char *default_order;	/* meta.ordering, as order_by text */
} model_def;

static const model_def models[] = {
	{"blog.Post", "blog_post", post_fields, NELEM(post_fields), "-created_at"},
	{"blog.Comment", "blog_comment", comment_fields, NELEM(comment_fields), "created_at"},
	{"blog.Author", "blog_author", author_fields, NELEM(author_fields), "name"},
	{"blog.Tag", "blog_tag", tag_fields, NELEM(tag_fields), "name"},
};

/* ---- example values ------------------------------------------------------ */

static const char *
text_value(source s)
{
	for (;;)
	{
		const char *v = NULL;

		switch (s)
		{
			case S_AUTHOR_NAME:
				v = authors[1 + rnd(N_AUTHOR)].name;
				break;
			case S_AUTHOR_EMAIL:
				v = authors[1 + rnd(N_AUTHOR)].email;
				break;
			case S_AUTHOR_BIO:
				v = authors[1 + rnd(N_AUTHOR)].bio;
				break;
			case S_AUTHOR_WEB:
				v = authors[1 + rnd(N_AUTHOR)].website;
				break;
			case S_POST_TITLE:
				v = posts[1 + rnd(N_POST)].title;
				break;
			case S_POST_SLUG:
				v = posts[1 + rnd(N_POST)].slug;
				break;
			case S_POST_BODY:
				v = posts[1 + rnd(N_POST)].body;
				break;
			case S_POST_STATUS:
				v = chance(50) ? "published" : "draft";
				break;
			case S_TAG_NAME:
				v = tags[1 + rnd(N_TAG)].name;
				break;
			case S_TAG_SLUG:
				v = tags[1 + rnd(N_TAG)].slug;
				break;
			case S_TAG_COLOR:
				v = tags[1 + rnd(N_TAG)].color;
				break;
			case S_COMMENT_BODY:
				v = comments[1 + rnd(N_COMMENT)].body;
				break;
			default:
				fprintf(stderr, "gen: no text source %d\n", (int) s);
				exit(2);
		}
		if (v)
			return v;			/* nullable sources: retry on NULL */
	}
}

/* an integer-ish value as text (ids, views) */
static int
int_value(source s)
{
	switch (s)
	{
		case S_AUTHOR_ID:
			return 1 + rnd(N_AUTHOR);
		case S_POST_ID:
			return 1 + rnd(N_POST);
		case S_TAG_ID:
			return 1 + rnd(N_TAG);
		case S_COMMENT_ID:
			return 1 + rnd(N_COMMENT);
		case S_POST_VIEWS:
			return chance(80) ? posts[1 + rnd(N_POST)].views : rnd(6000);
		default:
			fprintf(stderr, "gen: no int source %d\n", (int) s);
			exit(2);
	}
}

static int
ts_value(source s)
{
	switch (s)
	{
		case S_POST_PUBLISH:
			for (;;)
			{
				int			v = posts[1 + rnd(N_POST)].publish;

				if (v >= 0)
					return v;
			}
		case S_POST_CREATED:
			return posts[1 + rnd(N_POST)].created;
		case S_COMMENT_CREATED:
			return comments[1 + rnd(N_COMMENT)].created;
		default:
			fprintf(stderr, "gen: no timestamp source %d\n", (int) s);
			exit(2);
	}
}

/* a piece of s on UTF-8 character boundaries: prefix, suffix or middle */
static char *
utf8_piece(const char *s, int where)
{
	size_t		starts[512],
				n = 0,
				i,
				len = strlen(s);
	size_t		a,
				b;
	char	   *out;

	for (i = 0; i < len && n < NELEM(starts) - 1; i++)
		if (((unsigned char) s[i] & 0xC0) != 0x80)
			starts[n++] = i;
	starts[n] = len;
	if (n == 0)
		return xstrdup("");
	if (where == 0)				/* prefix */
	{
		a = 0;
		b = starts[1 + rnd((int) (n < 6 ? n : 6))];
	}
	else if (where == 1)		/* suffix */
	{
		a = starts[n - 1 - rnd((int) (n < 6 ? n : 6))];
		b = len;
	}
	else
	{
		size_t		k = (size_t) rnd((int) n),
					m = 1 + (size_t) rnd(4);

		if (k + m > n)
			m = n - k;
		a = starts[k];
		b = starts[k + m];
	}
	out = xmalloc(b - a + 1);
	memcpy(out, s + a, b - a);
	out[b - a] = '\0';
	return out;
}

/* flip the case of some ASCII letters (i-lookups) */
static char *
flip_case(const char *s)
{
	char	   *o = xstrdup(s);

	for (char *p = o; *p; p++)
	{
		if (*p >= 'a' && *p <= 'z' && chance(50))
			*p = (char) (*p - 'a' + 'A');
		else if (*p >= 'A' && *p <= 'Z' && chance(50))
			*p = (char) (*p - 'A' + 'a');
	}
	return o;
}

/* literal pieces that stress escaping: LIKE metacharacters and quotes */
static const char *needles[] = {
	"%", "_", "50%_off", "100%", "it's", "O'Reilly", "back\\slash", "a_b",
	"ß", "漢", "🎉", "ä", "Ä", "é", "SQL", "sql", "Py", "py", "x", " "
};

/* ---- conditions ------------------------------------------------------------ */

/* one rendered condition: JSON member text (key: value) and SQL */
typedef struct
{
	sbuf		key;			/* JSON key (already quoted) */
	sbuf		json;			/* JSON value */
	sbuf		sql;
} cond;

static void
cond_free(cond *c)
{
	free(c->key.data);
	free(c->json.data);
	free(c->sql.data);
	memset(c, 0, sizeof(*c));
}

/* safe regex patterns with SQLite hand equivalents (%s = expression) */
typedef struct
{
	const char *pattern;
	bool		icase;
	const char *sqlite_sql;
} regex_case;

static const regex_case regexes[] = {
	{"^[A-M]", false, "%s GLOB '[A-M]*'"},
	{"ß", false, "instr(%s, 'ß') > 0"},
	{"[0-9][0-9]$", false, "%s GLOB '*[0-9][0-9]'"},
	{"\\d\\d", false, "%s GLOB '*[0-9][0-9]*'"},
	{"o.*n", false, "%s GLOB '*o*n*'"},
	{"(ab|ta)", false, "(instr(%s, 'ab') > 0 OR instr(%s, 'ta') > 0)"},
	{"^[^aeiou]+$", false, "(%s <> '' AND NOT %s GLOB '*[aeiou]*')"},
	{"ä|ö", false, "(instr(%s, 'ä') > 0 OR instr(%s, 'ö') > 0)"},
	{"\\s", false, "(instr(%s, ' ') > 0 OR instr(%s, char(9)) > 0 OR instr(%s, char(10)) > 0)"},
	{"^py", true, "lower(%s) GLOB 'py*'"},
	{"sql$", true, "lower(%s) GLOB '*sql'"},
	{"data|query", true, "(instr(lower(%s), 'data') > 0 OR instr(lower(%s), 'query') > 0)"},
	{"e[a-z]+", false, "%s GLOB '*e[a-z]*'"},
};

static void
sqlite_regex(sbuf *out, const char *tmpl, const char *expr)
{
	for (const char *p = tmpl; *p; p++)
	{
		if (p[0] == '%' && p[1] == 's')
		{
			sb_puts(out, expr);
			p++;
		}
		else
			sb_putn(out, p, 1);
	}
}

static double
num_literal(sbuf *j, sbuf *s, const fref *f)
{
	sbuf		t = {0};
	double		key;

	switch (f->type)
	{
		case T_INT:
		case T_FK:
			sb_printf(&t, "%d", int_value(f->src));
			break;
		case T_DEC:
			half_text(&t, chance(80) && f->src == S_POST_RATING ? rnd(11) : rnd(12));
			break;
		case T_FLOAT:
			score_text(&t, rnd(17));
			break;
		default:
			fprintf(stderr, "gen: num_literal of %s\n", f->path);
			exit(2);
	}
	sb_puts(j, sb_str(&t));
	sb_puts(s, sb_str(&t));
	key = strtod(sb_str(&t), NULL);
	free(t.data);
	return key;
}

/* writes one value of the field's type; returns its order key */
static double
scalar(sbuf *j, sbuf *s, const fref *f)
{
	switch (f->type)
	{
		case T_TEXT:
			{
				const char *v = text_value(f->src);

				json_str(j, v);
				sql_str(s, v);
				return 0;
			}
		case T_BOOL:
			{
				bool		v = chance(50);

				sb_puts(j, v ? "true" : "false");
				sb_puts(s, bool_sql(v));
				return v;
			}
		case T_TS:
			{
				int			v = chance(70) ? ts_value(f->src) : rnd(300000);

				ts_json(j, v);
				ts_sql(s, v);
				return v;
			}
		case T_DATE:
			{
				char		d[32];
				int			v = chance(70) ? authors[1 + rnd(N_AUTHOR)].joined : rnd(730);

				date_text(d, sizeof(d), v);
				sb_printf(j, "\"%s\"", d);
				sb_printf(s, "'%s'", d);
				return v;
			}
		default:
			return num_literal(j, s, f);
	}
}

/*
 * A leaf: one field with one lookup. Writes key, JSON value and SQL; the
 * SQL is written over the field's expression (alias t, or the M2M join).
 */
static void
leaf(cond *c, const fref *f, const char *expr)
{
	int			r = rnd(100);
	sbuf	   *k = &c->key,
			   *j = &c->json,
			   *s = &c->sql;

	sb_puts(k, "\"");
	sb_puts(k, f->path);
	/* NULL tests on nullable fields */
	if (f->nullable && r < 12)
	{
		if (r < 4)
		{
			sb_puts(k, "\"");
			sb_puts(j, "null");
			sb_printf(s, "%s IS NULL", expr);
		}
		else
		{
			bool		v = chance(50);

			sb_puts(k, "__isnull\"");
			sb_puts(j, v ? "true" : "false");
			sb_printf(s, "%s IS %sNULL", expr, v ? "" : "NOT ");
		}
		return;
	}
	r = rnd(100);
	switch (f->type)
	{
		case T_TEXT:
			if (r < 14)
			{
				const char *v = text_value(f->src);

				sb_puts(k, chance(50) ? "\"" : "__exact\"");
				if (chance(15))
					v = pick(needles, NELEM(needles));
				json_str(j, v);
				sb_printf(s, "%s = ", expr);
				sql_str(s, v);
			}
			else if (r < 24)
			{
				char	   *v = flip_case(text_value(f->src));

				sb_puts(k, "__iexact\"");
				json_str(j, v);
				sb_printf(s, "lower(%s) = lower(", expr);
				sql_str(s, v);
				sb_puts(s, ")");
				free(v);
			}
			else if (r < 58)
			{
				/* contains / startswith / endswith, i-variants */
				static const char *ops[] = {"contains", "startswith", "endswith"};
				int			op = rnd(3);
				bool		ci = chance(40);
				char	   *v = chance(25) ? xstrdup(pick(needles, NELEM(needles)))
					: utf8_piece(text_value(f->src), op == 0 ? 2 : op == 1 ? 0 : 1);
				char	   *vv = ci ? flip_case(v) : xstrdup(v);
				sbuf		x = {0},
							p = {0};

				sb_printf(k, "__%s%s\"", ci ? "i" : "", ops[op]);
				json_str(j, vv);
				if (ci)
				{
					sb_printf(&x, "lower(%s)", expr);
					sb_puts(&p, "lower(");
					sql_str(&p, vv);
					sb_puts(&p, ")");
				}
				else
				{
					sb_puts(&x, expr);
					sql_str(&p, vv);
				}
				if (dia == D_PG)
				{
					if (op == 0)
						sb_printf(s, "strpos(%s, %s) > 0", sb_str(&x), sb_str(&p));
					else if (op == 1)
						sb_printf(s, "starts_with(%s, %s)", sb_str(&x), sb_str(&p));
					else
						sb_printf(s, "right(%s, length(%s)) = %s", sb_str(&x), sb_str(&p), sb_str(&p));
				}
				else
				{
					if (op == 0)
						sb_printf(s, "instr(%s, %s) > 0", sb_str(&x), sb_str(&p));
					else if (op == 1)
						sb_printf(s, "instr(%s, %s) = 1", sb_str(&x), sb_str(&p));
					else
						sb_printf(s, "(length(%s) >= length(%s) AND substr(%s, length(%s) - length(%s) + 1) = %s)",
								  sb_str(&x), sb_str(&p), sb_str(&x), sb_str(&x), sb_str(&p), sb_str(&p));
				}
				/* an empty needle matches every non-NULL row on both sides */
				free(x.data);
				free(p.data);
				free(v);
				free(vv);
			}
			else if (r < 70)
			{
				int			n = 1 + rnd(5);

				sb_puts(k, "__in\"");
				sb_puts(j, "[");
				sb_printf(s, "%s IN (", expr);
				for (int i = 0; i < n; i++)
				{
					const char *v = chance(85) ? text_value(f->src) : pick(needles, NELEM(needles));

					if (i)
					{
						sb_puts(j, ", ");
						sb_puts(s, ", ");
					}
					json_str(j, v);
					sql_str(s, v);
				}
				sb_puts(j, "]");
				sb_puts(s, ")");
			}
			else if (r < 82)
			{
				static const char *ops[] = {"gt", "gte", "lt", "lte"};
				static const char *sops[] = {">", ">=", "<", "<="};
				int			op = rnd(4);
				const char *v = text_value(f->src);

				sb_printf(k, "__%s\"", ops[op]);
				json_str(j, v);
				sb_printf(s, "%s %s ", expr, sops[op]);
				sql_str(s, v);
			}
			else
			{
				const regex_case *rc = &regexes[rnd(NELEM(regexes))];

				sb_printf(k, "__%s\"", rc->icase ? "iregex" : "regex");
				json_str(j, rc->pattern);
				if (dia == D_PG)
				{
					sb_printf(s, "%s %s ", expr, rc->icase ? "~*" : "~");
					sql_str(s, rc->pattern);
				}
				else
					sqlite_regex(s, rc->sqlite_sql, expr);
			}
			break;
		case T_BOOL:
			{
				bool		v = chance(50);

				sb_puts(k, chance(70) ? "\"" : "__exact\"");
				sb_puts(j, v ? "true" : "false");
				sb_printf(s, "%s = %s", expr, bool_sql(v));
				break;
			}
		case T_INT:
		case T_FLOAT:
		case T_DEC:
		case T_FK:
		case T_TS:
		case T_DATE:
			if (r < 20 && f->type != T_TS && f->type != T_DATE)
			{
				sb_puts(k, chance(60) ? "\"" : "__exact\"");
				sb_printf(s, "%s = ", expr);
				scalar(j, s, f);
			}
			else if (r < 35 && f->type != T_TS && f->type != T_DATE)
			{
				int			n = 1 + rnd(6);

				sb_puts(k, "__in\"");
				sb_puts(j, "[");
				sb_printf(s, "%s IN (", expr);
				for (int i = 0; i < n; i++)
				{
					if (i)
					{
						sb_puts(j, ", ");
						sb_puts(s, ", ");
					}
					scalar(j, s, f);
				}
				sb_puts(j, "]");
				sb_puts(s, ")");
			}
			else if (r < 50)
			{
				sbuf		j1 = {0},
							s1 = {0},
							j2 = {0},
							s2 = {0};

				double		k1 = scalar(&j1, &s1, f),
							k2 = scalar(&j2, &s2, f);
				bool		swap = k1 > k2 && chance(85);	/* some empty ranges */

				sb_puts(k, "__range\"");
				sb_printf(j, "[%s, %s]", sb_str(swap ? &j2 : &j1), sb_str(swap ? &j1 : &j2));
				sb_printf(s, "%s BETWEEN %s AND %s", expr, sb_str(swap ? &s2 : &s1),
						  sb_str(swap ? &s1 : &s2));
				free(j1.data);
				free(s1.data);
				free(j2.data);
				free(s2.data);
			}
			else
			{
				static const char *ops[] = {"gt", "gte", "lt", "lte"};
				static const char *sops[] = {">", ">=", "<", "<="};
				int			op = rnd(4);

				sb_printf(k, "__%s\"", ops[op]);
				sb_printf(s, "%s %s ", expr, sops[op]);
				scalar(j, s, f);
			}
			break;
	}
}

/* a filterable field of the model, chosen at random */
static const fref *
any_field(const model_def *m)
{
	return &m->fields[rnd((int) m->nfields)];
}

static void cond_node(const model_def *m, int depth, sbuf *json, sbuf *sql);

/* NOT with Django's NULL semantics: rows where the condition is not TRUE */
static void
negate(sbuf *sql, const char *inner)
{
	if (dia == D_PG)
		sb_printf(sql, "NOT coalesce(%s, false)", inner);
	else
		sb_printf(sql, "(%s) IS NOT 1", inner);
}

/*
 * A condition object: 1-3 members, each a field leaf or (below the depth
 * limit) a combinator; keys unique within the object.
 */
static void
cond_node(const model_def *m, int depth, sbuf *json, sbuf *sql)
{
	int			n = 1 + (chance(30) ? 1 : 0) + (chance(8) ? 1 : 0),
				i;
	char		used[8][64];
	int			nused = 0;
	bool		first = true;

	sb_puts(json, "{");
	sb_puts(sql, "(");
	for (i = 0; i < n; i++)
	{
		int			r = rnd(100);
		sbuf		mj = {0},
					ms = {0};
		const char *key = NULL;
		char		keybuf[64];
		bool		dup = false;

		if (depth < 3 && r < 22)
		{
			int			nc = 2 + (chance(30) ? 1 : 0);

			key = r < 15 ? "$or" : "$and";
			sb_puts(&mj, "[");
			sb_puts(&ms, "(");
			for (int c = 0; c < nc; c++)
			{
				if (c)
				{
					sb_puts(&mj, ", ");
					sb_puts(&ms, r < 15 ? " OR " : " AND ");
				}
				cond_node(m, depth + 1, &mj, &ms);
			}
			sb_puts(&mj, "]");
			sb_puts(&ms, ")");
		}
		else if (depth < 3 && r < 32)
		{
			sbuf		is = {0};

			key = "$not";
			cond_node(m, depth + 1, &mj, &is);
			negate(&ms, sb_str(&is));
			free(is.data);
		}
		else
		{
			const fref *f = any_field(m);
			cond		c = {0};

			leaf(&c, f, f->sql);
			snprintf(keybuf, sizeof(keybuf), "%s", sb_str(&c.key));
			key = keybuf;
			sb_puts(&mj, sb_str(&c.json));
			sb_puts(&ms, sb_str(&c.sql));
			cond_free(&c);
		}
		for (int u = 0; u < nused; u++)
			dup |= strcmp(used[u], key) == 0;
		if (!dup && nused < 8)
		{
			snprintf(used[nused++], sizeof(used[0]), "%s", key);
			if (!first)
			{
				sb_puts(json, ", ");
				sb_puts(sql, " AND ");
			}
			first = false;
			if (key[0] == '"')
				sb_puts(json, key);
			else
				sb_printf(json, "\"%s\"", key);
			sb_puts(json, ": ");
			sb_puts(json, sb_str(&mj));
			sb_puts(sql, sb_str(&ms));
		}
		free(mj.data);
		free(ms.data);
	}
	sb_puts(json, "}");
	sb_puts(sql, ")");
}

/* ---- specs --------------------------------------------------------------- */

typedef enum
{
	K_ROWS,
	K_ONLY,
	K_VALUES,
	K_COUNT,
	K_EXISTS
} kind;

static const char *kind_names[] = {"rows", "only", "values", "count", "exists"};

typedef struct
{
	int			n;
	kind		k;
	const model_def *m;
	sbuf		spec;			/* the QuerySpec JSON */
	sbuf		hand;			/* hand SQL producing "<n>|h|<sig>" lines */
	sbuf		vsel;			/* viper side: the signature expression */
} spec_t;

/* ORDER BY term with explicit NULL placement (SQLite spelled differently) */
static void
order_term(sbuf *o, const char *expr, bool desc)
{
	if (dia == D_PG)
		sb_printf(o, "%s %s", expr, desc ? "DESC NULLS FIRST" : "ASC NULLS LAST");
	else
		sb_printf(o, "(%s IS NULL) %s, %s %s", expr, desc ? "DESC" : "ASC",
				  expr, desc ? "DESC" : "ASC");
}

static const fref *
find_field(const model_def *m, const char *path)
{
	for (size_t i = 0; i < m->nfields; i++)
		if (strcmp(m->fields[i].path, path) == 0)
			return &m->fields[i];
	fprintf(stderr, "gen: %s has no field %s\n", m->label, path);
	exit(2);
}

/*
 * order_by: writes the JSON member (with leading ", " when given) and the
 * hand ORDER BY list, always ending with the pk unless it is present.
 * force_id: the values kind — viper appends no pk there, so the spec
 * names "id" itself.
 */
static void
ordering(const model_def *m, bool force_id, sbuf *json, sbuf *order)
{
	int			nt = 0,
				i;
	bool		has_id = false;
	const fref *chosen[4];
	bool		desc[4];

	if (chance(65) || force_id)
	{
		int			want = 1 + rnd(3);

		for (i = 0; i < 20 && nt < want; i++)
		{
			const fref *f = any_field(m);
			bool		dup = false;

			if (!f->order)
				continue;
			for (int q = 0; q < nt; q++)
				dup |= chosen[q] == f;
			if (dup)
				continue;
			chosen[nt] = f;
			desc[nt] = chance(40);
			nt++;
		}
		if (force_id)
		{
			bool		have = false;

			for (int q = 0; q < nt; q++)
				have |= strcmp(chosen[q]->path, "id") == 0;
			if (!have)
			{
				chosen[nt] = find_field(m, "id");
				desc[nt] = chance(30);
				nt++;
			}
		}
		sb_puts(json, ", \"order_by\": [");
		for (i = 0; i < nt; i++)
		{
			sb_printf(json, "%s\"%s%s\"", i ? ", " : "", desc[i] ? "-" : "", chosen[i]->path);
			if (i)
				sb_puts(order, ", ");
			order_term(order, chosen[i]->sql, desc[i]);
			has_id |= strcmp(chosen[i]->path, "id") == 0;
		}
		sb_puts(json, "]");
	}
	else
	{
		/* meta.ordering */
		const char *d = m->default_order;
		bool		ddesc = d[0] == '-';
		const fref *f = find_field(m, ddesc ? d + 1 : d);

		order_term(order, f->sql, ddesc);
	}
	if (!has_id)
	{
		sb_puts(order, ", ");
		order_term(order, "t.id", false);
	}
}

static void
limit_offset(sbuf *json, sbuf *tail, int lim_pct, int off_pct)
{
	int			lim = chance(lim_pct) ? (chance(4) ? 0 : 1 + rnd(60)) : -1;
	int			off = chance(off_pct) ? (chance(15) ? rnd(300) : rnd(30)) : -1;

	if (lim >= 0)
		sb_printf(json, ", \"limit\": %d", lim);
	if (off >= 0)
		sb_printf(json, ", \"offset\": %d", off);
	if (lim >= 0)
		sb_printf(tail, " LIMIT %d", lim);
	else if (off >= 0)
		sb_puts(tail, dia == D_PG ? " LIMIT ALL" : " LIMIT -1");
	if (off >= 0)
		sb_printf(tail, " OFFSET %d", off);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* the viper-side expression reading key k of the row JSON as text */
static void
row_key(sbuf *o, const char *k)
{
	if (dia == D_PG)
	{
		sb_puts(o, "(r ->> ");
		sql_str(o, k);
		sb_puts(o, ")");
	}
	else
	{
		sbuf		p = {0};

		sb_printf(&p, "$.\"%s\"", k);
		sb_puts(o, "CAST(json_extract(q.row, ");
		sql_str(o, sb_str(&p));
		sb_puts(o, ") AS TEXT)");
		free(p.data);
	}
}

static void
gen_spec(spec_t *sp, int n)
{
	const model_def *m;
	int			r = rnd(100);
	sbuf		where = {0},
				wsql = {0},
				order = {0},
				tail = {0},
				sig = {0};
	bool		has_where = chance(90);

	memset(sp, 0, sizeof(*sp));
	sp->n = n;
	m = &models[r < 50 ? 0 : r < 75 ? 1 : r < 90 ? 2 : 3];
	sp->m = m;
	r = rnd(100);
	sp->k = r < 58 ? K_ROWS : r < 66 ? K_ONLY : r < 78 ? K_VALUES : r < 93 ? K_COUNT : K_EXISTS;

	if (has_where)
		cond_node(m, 0, &where, &wsql);
	sb_puts(&sp->spec, "{");
	if (has_where)
	{
		sb_puts(&sp->spec, "\"where\": ");
		sb_puts(&sp->spec, sb_str(&where));
	}
	else
		sb_puts(&sp->spec, "\"where\": {}");

	switch (sp->k)
	{
		case K_ROWS:
		case K_ONLY:
		case K_VALUES:
			ordering(m, sp->k == K_VALUES, &sp->spec, &order);
			limit_offset(&sp->spec, &tail, 55, 25);
			if (sp->k == K_ROWS)
			{
				sb_puts(&sig, "t.id");
				row_key(&sp->vsel, "id");
			}
			else if (sp->k == K_ONLY)
			{
				const char *keys[8];
				int			nk = 0,
							want = 1 + rnd(3);

				keys[nk++] = "id";
				sb_puts(&sp->spec, ", \"only\": [");
				for (int i = 0; i < 20 && nk <= want; i++)
				{
					const fref *f = any_field(m);
					bool		dup = false;

					if (f->only_key == NULL)
						continue;
					for (int q = 0; q < nk; q++)
						dup |= strcmp(keys[q], f->only_key) == 0;
					if (dup)
						continue;
					sb_printf(&sp->spec, "%s\"%s\"", nk > 1 ? ", " : "", f->path);
					keys[nk++] = f->only_key;
				}
				sb_puts(&sp->spec, "]");
				qsort(keys, (size_t) nk, sizeof(keys[0]), cmp_str);
				sb_puts(&sig, "t.id || ';");
				for (int q = 0; q < nk; q++)
					sb_printf(&sig, "%s%s", q ? "," : "", keys[q]);
				sb_puts(&sig, "'");
				row_key(&sp->vsel, "id");
				if (dia == D_PG)
					sb_puts(&sp->vsel, " || ';' || (SELECT string_agg(k, ',' ORDER BY k) FROM json_object_keys(r) AS k)");
				else
					sb_puts(&sp->vsel, " || ';' || (SELECT group_concat(key, ',') FROM (SELECT key FROM json_each(q.row) ORDER BY key))");
			}
			else
			{
				const fref *vf[4];
				int			nv = 0,
							want = 1 + rnd(3);

				for (int i = 0; i < 20 && nv < want; i++)
				{
					const fref *f = any_field(m);
					bool		dup = false;

					if (!f->value)
						continue;
					for (int q = 0; q < nv; q++)
						dup |= vf[q] == f;
					if (!dup)
						vf[nv++] = f;
				}
				sb_puts(&sp->spec, ", \"values\": [");
				for (int q = 0; q < nv; q++)
				{
					sb_printf(&sp->spec, "%s\"%s\"", q ? ", " : "", vf[q]->path);
					if (q)
					{
						sb_puts(&sig, " || ';' || ");
						sb_puts(&sp->vsel, " || ';' || ");
					}
					sb_printf(&sig, "coalesce(CAST(%s AS TEXT), '∅')", vf[q]->sql);
					sb_puts(&sp->vsel, "coalesce(");
					row_key(&sp->vsel, vf[q]->path);
					sb_puts(&sp->vsel, ", '∅')");
				}
				sb_puts(&sp->spec, "]");
			}
			sb_printf(&sp->hand, "SELECT '%d|h|' || %s FROM %s t", n, sb_str(&sig), m->table);
			if (has_where)
				sb_printf(&sp->hand, " WHERE %s", sb_str(&wsql));
			sb_printf(&sp->hand, " ORDER BY %s%s;", sb_str(&order), sb_str(&tail));
			break;
		case K_COUNT:
			limit_offset(&sp->spec, &tail, 15, 15);
			sb_printf(&sp->hand, "SELECT '%d|h|' || count(*) FROM (SELECT t.id FROM %s t", n, m->table);
			if (has_where)
				sb_printf(&sp->hand, " WHERE %s", sb_str(&wsql));
			sb_printf(&sp->hand, "%s) AS s;", sb_str(&tail));
			break;
		case K_EXISTS:
			sb_printf(&sp->hand, "SELECT '%d|h|' || CASE WHEN EXISTS (SELECT 1 FROM %s t", n, m->table);
			if (has_where)
				sb_printf(&sp->hand, " WHERE %s", sb_str(&wsql));
			sb_puts(&sp->hand, ") THEN 1 ELSE 0 END;");
			break;
	}
	sb_puts(&sp->spec, "}");
	free(where.data);
	free(wsql.data);
	free(order.data);
	free(tail.data);
	free(sig.data);
}

/*
 * Relations that multiply rows (M2M tags, reverse FK comments/posts):
 * joins in the hand SQL, one leaf on the far model AND-ed with a leaf on
 * the queried one; rows repeat like Django unless "distinct".
 */
static void
gen_multi(spec_t *sp, int n)
{
	int			r = rnd(3);
	const model_def *m;
	const char *rel,
			   *far_from,
			   *link,
			   *join;
	const model_def *far;
	bool		distinct = chance(35);
	bool		count = chance(40);
	const fref *ff;
	cond		fc = {0},
				tc = {0};
	sbuf		fexpr = {0},
				order = {0},
				path = {0},
				from = {0};
	fref		pf;

	memset(sp, 0, sizeof(*sp));
	sp->n = n;
	if (r == 0)
	{
		m = &models[0];
		far = &models[3];
		rel = "tags";
		far_from = "blog_post_tags j JOIN blog_tag g ON g.id = j.tag_id";
		link = "j.post_id = t.id";
		join = "JOIN blog_post_tags j ON j.post_id = t.id JOIN blog_tag g ON g.id = j.tag_id";
	}
	else if (r == 1)
	{
		m = &models[0];
		far = &models[1];
		rel = "comments";
		far_from = "blog_comment g";
		link = "g.post_id = t.id";
		join = "JOIN blog_comment g ON g.post_id = t.id";
	}
	else
	{
		m = &models[2];
		far = &models[0];
		rel = "posts";
		far_from = "blog_post g";
		link = "g.author_id = t.id";
		join = "JOIN blog_post g ON g.author_id = t.id";
	}
	sp->m = m;
	sp->k = count ? K_COUNT : K_ROWS;
	/* the far leaf: a plain column of the far model */
	do
		ff = any_field(far);
	while (strncmp(ff->sql, "t.", 2) != 0 || ff->type == T_FK);
	pf = *ff;
	sb_printf(&path, "%s__%s", rel, ff->path);
	pf.path = sb_str(&path);
	sb_printf(&fexpr, "g.%s", ff->sql + 2);
	leaf(&fc, &pf, sb_str(&fexpr));
	/* a leaf on the queried model */
	{
		const fref *tf;

		do
			tf = any_field(m);
		while (strncmp(tf->sql, "t.", 2) != 0);
		leaf(&tc, tf, tf->sql);
	}
	sb_printf(&sp->spec, "{\"where\": {%s: %s, %s: %s}", sb_str(&fc.key), sb_str(&fc.json),
			  sb_str(&tc.key), sb_str(&tc.json));
	if (distinct)
		sb_puts(&sp->spec, ", \"distinct\": true");
	/* distinct: each row once — the relation becomes an EXISTS */
	if (distinct)
		sb_printf(&from, "FROM %s t WHERE EXISTS (SELECT 1 FROM %s WHERE %s AND %s) AND %s",
				  m->table, far_from, link, sb_str(&fc.sql), sb_str(&tc.sql));
	else
		sb_printf(&from, "FROM %s t %s WHERE %s AND %s", m->table,
				  join, sb_str(&fc.sql), sb_str(&tc.sql));
	if (count)
	{
		sb_puts(&sp->spec, "}");
		sb_printf(&sp->hand, "SELECT '%d|h|' || count(*) %s;", n, sb_str(&from));
	}
	else
	{
		ordering(m, false, &sp->spec, &order);
		sb_puts(&sp->spec, "}");
		sb_printf(&sp->hand, "SELECT '%d|h|' || t.id %s ORDER BY %s;", n, sb_str(&from), sb_str(&order));
		row_key(&sp->vsel, "id");
	}
	cond_free(&fc);
	cond_free(&tc);
	free(fexpr.data);
	free(order.data);
	free(path.data);
	free(from.data);
}

#define N_SPECS 340
#define N_MULTI 24

static spec_t specs[N_SPECS + N_MULTI];
static int	nspecs;

static void
make_specs(void)
{
	int			i;

	for (i = 0; i < N_SPECS; i++, nspecs++)
		gen_spec(&specs[nspecs], nspecs + 1);
	for (i = 0; i < N_MULTI; i++, nspecs++)
		gen_multi(&specs[nspecs], nspecs + 1);
}

/* the viper statement of a spec */
static void
viper_sql(sbuf *o, const spec_t *sp)
{
	sbuf		spec = {0};

	sql_str(&spec, sb_str(&sp->spec));
	if (dia == D_PG)
	{
		switch (sp->k)
		{
			case K_ROWS:
			case K_ONLY:
			case K_VALUES:
				sb_printf(o, "SELECT '%d|v|' || %s FROM viper.query('%s', %s) AS r;",
						  sp->n, sb_str(&sp->vsel), sp->m->label, sb_str(&spec));
				break;
			case K_COUNT:
				sb_printf(o, "SELECT '%d|v|' || viper.count('%s', %s);", sp->n, sp->m->label, sb_str(&spec));
				break;
			case K_EXISTS:
				sb_printf(o, "SELECT '%d|v|' || CASE WHEN viper.exists('%s', %s) THEN 1 ELSE 0 END;",
						  sp->n, sp->m->label, sb_str(&spec));
				break;
		}
	}
	else
	{
		switch (sp->k)
		{
			case K_ROWS:
			case K_ONLY:
			case K_VALUES:
				sb_printf(o, "SELECT '%d|v|' || %s FROM viper_query('%s', %s) AS q;",
						  sp->n, sb_str(&sp->vsel), sp->m->label, sb_str(&spec));
				break;
			case K_COUNT:
				sb_printf(o, "SELECT '%d|v|' || viper_count('%s', %s);", sp->n, sp->m->label, sb_str(&spec));
				break;
			case K_EXISTS:
				sb_printf(o, "SELECT '%d|v|' || CASE WHEN viper_exists('%s', %s) THEN 1 ELSE 0 END;",
						  sp->n, sp->m->label, sb_str(&spec));
				break;
		}
	}
	free(spec.data);
}

static void
emit_script(bool hand_only)
{
	sbuf		o = {0};

	for (int i = 0; i < nspecs; i++)
	{
		const spec_t *sp = &specs[i];

		sb_reset(&o);
		if (hand_only)
		{
			char	   *h = xstrdup(sb_str(&sp->hand));
			char		tag[32];
			char	   *p;

			/* relabel "<n>|h|" as "<n>|v|" so two hand scripts compare */
			snprintf(tag, sizeof(tag), "'%d|h|'", sp->n);
			p = strstr(h, tag);
			if (p)
				p[strlen(tag) - 3] = 'v';
			printf("SELECT '%d|m|v';\n%s\n", sp->n, h);
			free(h);
			continue;
		}
		viper_sql(&o, sp);
		printf("SELECT '%d|m|v';\n%s\n", sp->n, sb_str(&o));
		printf("SELECT '%d|m|h';\n%s\n", sp->n, sb_str(&sp->hand));
	}
	free(o.data);
}

static void
emit_specs(void)
{
	for (int i = 0; i < nspecs; i++)
	{
		const spec_t *sp = &specs[i];

		printf("%d\t%s\t%s\t%s\t%s\n", sp->n, kind_names[sp->k], sp->m->label,
			   sb_str(&sp->spec), sb_str(&sp->hand));
	}
}

int
main(int argc, char **argv)
{
	if (argc < 3 || (strcmp(argv[2], "pg") != 0 && strcmp(argv[2], "sqlite") != 0))
	{
		fprintf(stderr, "usage: gen seed|script|specs pg|sqlite [hand]\n");
		return 2;
	}
	dia = strcmp(argv[2], "pg") == 0 ? D_PG : D_SQLITE;
	make_data();
	if (strcmp(argv[1], "seed") == 0)
	{
		emit_seed();
		return 0;
	}
	make_specs();
	if (strcmp(argv[1], "script") == 0)
		emit_script(argc > 3 && strcmp(argv[3], "hand") == 0);
	else if (strcmp(argv[1], "specs") == 0)
		emit_specs();
	else
	{
		fprintf(stderr, "gen: unknown command %s\n", argv[1]);
		return 2;
	}
	return 0;
}
