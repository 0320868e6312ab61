/* Page locking plus (on Linux) exclusion from core dumps. */
#if !defined(_WIN32)
#  ifndef _DEFAULT_SOURCE
#    define _DEFAULT_SOURCE 1 /* MADV_DONTDUMP, getpagesize on glibc */
#  endif
#endif

#include "ama/secure_memory.h"
#include "internal.h"

#if defined(_WIN32)
#  include <windows.h>
#else
#  include <errno.h>
#  include <sys/mman.h>
#  include <unistd.h>
#endif

#if defined(_MSC_VER) && !defined(__clang__)
#  define AMA_THREAD_LOCAL __declspec(thread)
#else
#  define AMA_THREAD_LOCAL _Thread_local
#endif

static AMA_THREAD_LOCAL int ama_tls_os_error;

int ama_last_os_error(void)
{
    return ama_tls_os_error;
}

/* Common argument checks. Returns AMA_OK when the OS call should be made,
 * and writes 1 to *noop for an empty range. */
static int check_range(const void *p, size_t n, int *noop)
{
    *noop = 0;
    if (n == 0) {
        *noop = 1;
        return AMA_OK;
    }
    if (p == NULL) {
        return AMA_ERR_NULL_POINTER;
    }
    if ((uintptr_t)p > UINTPTR_MAX - (uintptr_t)(n - 1)) {
        return AMA_ERR_INVALID_RANGE;
    }
    return AMA_OK;
}

#if defined(_WIN32)

int ama_secure_mlock(void *p, size_t n)
{
    int noop;
    int rc = check_range(p, n, &noop);
    ama_tls_os_error = 0;
    if (rc != AMA_OK || noop) {
        return rc;
    }
    if (!VirtualLock(p, n)) {
        ama_tls_os_error = (int)GetLastError();
        return AMA_ERR_LOCK_FAILED;
    }
    return AMA_OK;
}

int ama_secure_munlock(void *p, size_t n)
{
    int noop;
    int rc = check_range(p, n, &noop);
    ama_tls_os_error = 0;
    if (rc != AMA_OK || noop) {
        return rc;
    }
    if (!VirtualUnlock(p, n)) {
        ama_tls_os_error = (int)GetLastError();
        return AMA_ERR_UNLOCK_FAILED;
    }
    return AMA_OK;
}

#else /* POSIX */

#if defined(MADV_DONTDUMP) && defined(MADV_DODUMP)
#  define AMA_ADV_EXCLUDE MADV_DONTDUMP
#  define AMA_ADV_INCLUDE MADV_DODUMP
#elif defined(MADV_NOCORE) && defined(MADV_CORE) /* FreeBSD */
#  define AMA_ADV_EXCLUDE MADV_NOCORE
#  define AMA_ADV_INCLUDE MADV_CORE
#endif

#if defined(AMA_ADV_EXCLUDE)
/* Apply advice to the pages that lie wholly inside [p, p+n): round the
 * start up and the end down to page boundaries. A page that is only
 * partly ours is never touched. Returns 0 or an errno value. */
static int advise_inner_pages(void *p, size_t n, int advice)
{
    long ps = sysconf(_SC_PAGESIZE);
    if (ps <= 0) {
        return 0; /* unknown page size: nothing we can safely advise */
    }
    uintptr_t mask = (uintptr_t)ps - 1;
    uintptr_t begin = (uintptr_t)p;
    uintptr_t last = begin + (uintptr_t)(n - 1); /* checked not to wrap */

    /* First whole page: the page holding `begin` if it starts there,
     * else the next one. */
    uintptr_t first = (begin + mask) & ~mask;
    if (first < begin) {
        return 0; /* wrapped: no whole page */
    }
    /* Start of the last whole page: the page holding `last` if the range
     * runs to its final byte, else the page before it. */
    uintptr_t last_page = last & ~mask;
    if ((last & mask) != mask) {
        if (last_page == 0) {
            return 0;
        }
        last_page -= (uintptr_t)ps;
    }
    if (last_page < first) {
        return 0; /* no page lies wholly inside the range */
    }
    size_t len = (size_t)(last_page - first) + (size_t)ps;
    if (madvise((void *)first, len, advice) != 0) {
        return errno;
    }
    return 0;
}
#endif

/* Lock and unlock differ only in the OS call, the advice and the error they report. */
static int change_lock(void *p, size_t n, int (*os_call)(const void *, size_t), int advice, int failure)
{
    int noop;
    int rc = check_range(p, n, &noop);
    ama_tls_os_error = 0;
    (void)advice;
    if (rc != AMA_OK || noop) {
        return rc;
    }
#if defined(AMA_NO_MLOCK)
    (void)os_call;
    (void)failure;
    ama_tls_os_error = ENOSYS;
    return AMA_ERR_UNSUPPORTED;
#else
    if (os_call(p, n) != 0) {
        int e = errno;
        ama_tls_os_error = e;
        return (e == ENOSYS) ? AMA_ERR_UNSUPPORTED : failure;
    }
#if defined(AMA_ADV_EXCLUDE)
    int e = advise_inner_pages(p, n, advice);
    if (e != 0) {
        ama_tls_os_error = e;
        return AMA_ERR_ADVISE_FAILED; /* the lock change itself stays in effect */
    }
#endif
    return AMA_OK;
#endif
}

#if !defined(AMA_ADV_EXCLUDE)
#define AMA_ADV_EXCLUDE_OR_0 0
#define AMA_ADV_INCLUDE_OR_0 0
#else
#define AMA_ADV_EXCLUDE_OR_0 AMA_ADV_EXCLUDE
#define AMA_ADV_INCLUDE_OR_0 AMA_ADV_INCLUDE
#endif

int ama_secure_mlock(void *p, size_t n)
{
    return change_lock(p, n, mlock, AMA_ADV_EXCLUDE_OR_0, AMA_ERR_LOCK_FAILED);
}

int ama_secure_munlock(void *p, size_t n)
{
    return change_lock(p, n, munlock, AMA_ADV_INCLUDE_OR_0, AMA_ERR_UNLOCK_FAILED);
}

#endif
