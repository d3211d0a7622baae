/*
 * vc_alloc.c — allocator indirection and the growable buffer (vc_buf) that
 * core uses to build quoted identifiers, escaped text and, later, SQL.
 */
#include "vc_alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *
libc_malloc(size_t size, void *ud)
{
	(void) ud;
	return malloc(size ? size : 1);
}

static void
libc_free(void *ptr, void *ud)
{
	(void) ud;
	free(ptr);
}

const vc_alloc vc_alloc_libc = {libc_malloc, libc_free, NULL};

void *
vc_malloc(const vc_alloc *a, size_t size)
{
	return a->malloc_fn(size, a->ud);
}

void
vc_free(const vc_alloc *a, void *ptr)
{
	if (ptr != NULL)
		a->free_fn(ptr, a->ud);
}

char *
vc_strndup(const vc_alloc *a, const char *s, size_t len)
{
	char	   *p = vc_malloc(a, len + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void
vc_buf_init(vc_buf *b, const vc_alloc *a)
{
	b->alloc = a;
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}

/* Make room for extra more bytes plus the terminating NUL. */
static int
buf_reserve(vc_buf *b, size_t extra)
{
	size_t		need;
	size_t		cap;
	char	   *p;

	if (b->failed)
		return 0;
	if (extra > (size_t) -1 / 2 - b->len)
	{
		b->failed = 1;
		return 0;
	}
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 1;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	p = vc_malloc(b->alloc, cap);
	if (p == NULL)
	{
		b->failed = 1;
		return 0;
	}
	if (b->data != NULL)
	{
		memcpy(p, b->data, b->len);
		vc_free(b->alloc, b->data);
	}
	b->data = p;
	b->cap = cap;
	return 1;
}

void
vc_buf_append(vc_buf *b, const char *s, size_t len)
{
	if (!buf_reserve(b, len))
		return;
	memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
vc_buf_puts(vc_buf *b, const char *s)
{
	vc_buf_append(b, s, strlen(s));
}

void
vc_buf_putc(vc_buf *b, char c)
{
	vc_buf_append(b, &c, 1);
}

void
vc_buf_printf(vc_buf *b, const char *fmt,...)
{
	va_list		ap;
	int			n;
	char		small[128];

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
	{
		b->failed = 1;
		return;
	}
	if ((size_t) n < sizeof(small))
	{
		vc_buf_append(b, small, (size_t) n);
		return;
	}
	if (!buf_reserve(b, (size_t) n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t) n;
}

vc_code
vc_buf_finish(vc_buf *b, char **out, size_t *outlen, vc_error *err)
{
	*out = NULL;
	if (outlen)
		*outlen = 0;
	/* an empty result is "" not NULL (a fresh allocation holds no NUL yet) */
	if (!b->failed && b->data == NULL && buf_reserve(b, 0))
		b->data[0] = '\0';
	if (b->failed)
	{
		vc_buf_reset(b);
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	}
	*out = b->data;
	if (outlen)
		*outlen = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return VC_OK;
}

void
vc_buf_reset(vc_buf *b)
{
	vc_free(b->alloc, b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}
