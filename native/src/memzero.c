/* Three-pass wipe that the compiler may not remove. */
#if !defined(_WIN32)
#  ifndef _DEFAULT_SOURCE
#    define _DEFAULT_SOURCE 1 /* explicit_bzero in glibc / musl */
#  endif
#endif
#define __STDC_WANT_LIB_EXT1__ 1 /* memset_s where the C library has it */

#include "ama/secure_memory.h"
#include "internal.h"

#include <string.h>
#if defined(_WIN32)
#  include <windows.h>
#endif

#if !defined(__GNUC__) && !defined(__clang__)
/* Without GNU inline asm: pass the pointer through a volatile function
 * pointer, which the optimiser cannot see through. */
static void ama_fence_noop_(void *p) { (void)p; }
static void (*volatile ama_fence_fn_)(void *) = ama_fence_noop_;
void ama_compiler_fence_(void *p);
void ama_compiler_fence_(void *p) { ama_fence_fn_(p); }
#endif

/* Pass 1 and 3: zeros, through the platform's non-elidable primitive. */
static void wipe_zero(void *p, size_t n)
{
#if defined(_WIN32)
    SecureZeroMemory(p, n);
#elif defined(AMA_HAVE_EXPLICIT_BZERO)
    explicit_bzero(p, n);
#elif defined(AMA_HAVE_MEMSET_S)
    (void)memset_s(p, n, 0, n);
#else
    volatile unsigned char *v = (volatile unsigned char *)p;
    while (n--) {
        *v++ = 0;
    }
#endif
    AMA_MEMORY_BARRIER(p);
}

/* Pass 2: 0xFF. */
static void wipe_ones(void *p, size_t n)
{
#if defined(AMA_HAVE_MEMSET_S) && !defined(_WIN32)
    (void)memset_s(p, n, 0xFF, n);
#else
    memset(p, 0xFF, n);
#endif
    /* The barrier claims the asm may read all memory via p, so the
     * 0xFF stores are observable and cannot be dropped as dead. */
    AMA_MEMORY_BARRIER(p);
}

void ama_secure_memzero(void *p, size_t n)
{
    if (p == NULL || n == 0) {
        return;
    }
    wipe_zero(p, n);
    wipe_ones(p, n);
    wipe_zero(p, n);
}
