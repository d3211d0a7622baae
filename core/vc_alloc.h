/*
 * vc_alloc.h — the allocator every core function that allocates is handed,
 * and a growable byte buffer built on it.
 *
 * Core never calls malloc directly: the PostgreSQL host passes palloc (memory
 * dies with the current memory context), the SQLite host sqlite3_malloc64,
 * and the C tests an allocator that can be told to fail at the Nth call
 * (allocation-failure injection). jansson's global allocator is never
 * changed, because the SQLite extension and libviper can share a process.
 */
#ifndef VC_ALLOC_H
#define VC_ALLOC_H

#include <stddef.h>

#include "vc_error.h"

typedef struct vc_alloc
{
	void	   *(*malloc_fn) (size_t size, void *ud);	/* NULL on failure */
	void		(*free_fn) (void *ptr, void *ud);	/* accepts NULL */
	void	   *ud;
} vc_alloc;

/* An allocator over the C library's malloc/free (tests, client). */
extern const vc_alloc vc_alloc_libc;

void	   *vc_malloc(const vc_alloc *a, size_t size);
void		vc_free(const vc_alloc *a, void *ptr);

/* Copy len bytes and NUL-terminate; NULL when allocation fails. */
char	   *vc_strndup(const vc_alloc *a, const char *s, size_t len);

/*
 * Growable NUL-terminated byte buffer. After any failed append the buffer
 * is marked failed, later appends are no-ops and vc_buf_finish reports
 * VC_ERR_OUT_OF_MEMORY, so callers check once at the end.
 */
typedef struct vc_buf
{
	const vc_alloc *alloc;
	char	   *data;
	size_t		len;
	size_t		cap;
	int			failed;
} vc_buf;

void		vc_buf_init(vc_buf *b, const vc_alloc *a);
void		vc_buf_append(vc_buf *b, const char *s, size_t len);
void		vc_buf_puts(vc_buf *b, const char *s);
void		vc_buf_putc(vc_buf *b, char c);
void		vc_buf_printf(vc_buf *b, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));

/*
 * Hand the buffer's text to the caller (*out, owned by the caller, freed
 * with the buffer's allocator) and reset the buffer. On an earlier
 * allocation failure *out is NULL and err says VC_ERR_OUT_OF_MEMORY.
 */
vc_code		vc_buf_finish(vc_buf *b, char **out, size_t *outlen, vc_error *err);

/* Release the buffer's memory without handing it out. */
void		vc_buf_reset(vc_buf *b);

#endif
