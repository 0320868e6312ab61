/* Error paths of ama_secure_mlock / ama_secure_munlock by fault injection.
 *
 * This executable defines mlock, munlock and madvise itself. The shared
 * library resolves those names through the dynamic linker, which finds the
 * executable's definitions first, so every OS call the library makes comes
 * here: we can make it fail with any errno and record its arguments. The
 * real work is done with raw system calls. */
#define _GNU_SOURCE 1
#include "ama/secure_memory.h"
#include "check.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* (built with -fvisibility=hidden: the overrides are marked default so
 * they land in the dynamic symbol table.) */
static int fail_mlock, fail_munlock, fail_madvise; /* errno to inject, 0 = none */
static int n_mlock, n_munlock, n_madvise;
static uintptr_t last_adv_addr;
static size_t last_adv_len;
static int last_adv_advice;

__attribute__((visibility("default"))) int mlock(const void *addr, size_t len)
{
    n_mlock++;
    if (fail_mlock) { errno = fail_mlock; return -1; }
    return (int)syscall(SYS_mlock, addr, len);
}

__attribute__((visibility("default"))) int munlock(const void *addr, size_t len)
{
    n_munlock++;
    if (fail_munlock) { errno = fail_munlock; return -1; }
    return (int)syscall(SYS_munlock, addr, len);
}

__attribute__((visibility("default"))) int madvise(void *addr, size_t len, int advice)
{
    n_madvise++;
    last_adv_addr = (uintptr_t)addr;
    last_adv_len = len;
    last_adv_advice = advice;
    if (fail_madvise) { errno = fail_madvise; return -1; }
    return (int)syscall(SYS_madvise, addr, len, advice);
}

static void reset(void)
{
    fail_mlock = fail_munlock = fail_madvise = 0;
    n_mlock = n_munlock = n_madvise = 0;
    last_adv_addr = 0;
    last_adv_len = 0;
    last_adv_advice = -1;
}

static int thread_err = -1;
static void *other_thread(void *arg)
{
    (void)arg;
    thread_err = ama_last_os_error(); /* fresh thread: 0 */
    return NULL;
}

int main(void)
{
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    unsigned char *m = mmap(NULL, 16 * page, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    if (m == MAP_FAILED) return check_report("test_lock_faults");
    memset(m, 7, 16 * page);

    /* Interposition works at all (else the rest proves nothing). */
    reset();
    CHECK_EQ_INT(ama_secure_mlock(m, page), AMA_OK);
    CHECK_EQ_INT(n_mlock, 1);
    CHECK_EQ_INT(n_madvise, 1);
    CHECK_EQ_INT(ama_secure_munlock(m, page), AMA_OK);
    CHECK_EQ_INT(n_munlock, 1);

    /* Argument errors make no OS call at all. */
    reset();
    CHECK_EQ_INT(ama_secure_mlock(NULL, 5), AMA_ERR_NULL_POINTER);
    CHECK_EQ_INT(ama_secure_mlock(m, 0), AMA_OK);
    CHECK_EQ_INT(ama_secure_munlock(m, 0), AMA_OK);
    CHECK_EQ_INT(n_mlock + n_munlock + n_madvise, 0);

    /* mlock failures: status, errno kept, madvise not attempted. */
    static const int lock_errs[] = {ENOMEM, EPERM, EAGAIN, EINVAL};
    for (size_t i = 0; i < sizeof lock_errs / sizeof lock_errs[0]; i++) {
        reset();
        fail_mlock = lock_errs[i];
        CHECK_EQ_INT(ama_secure_mlock(m, 2 * page), AMA_ERR_LOCK_FAILED);
        CHECK_EQ_INT(ama_last_os_error(), lock_errs[i]);
        CHECK_EQ_INT(n_madvise, 0);
    }
    reset();
    fail_mlock = ENOSYS;
    CHECK_EQ_INT(ama_secure_mlock(m, 2 * page), AMA_ERR_UNSUPPORTED);
    CHECK_EQ_INT(ama_last_os_error(), ENOSYS);

    /* munlock failures. */
    reset();
    fail_munlock = ENOMEM;
    CHECK_EQ_INT(ama_secure_munlock(m, 2 * page), AMA_ERR_UNLOCK_FAILED);
    CHECK_EQ_INT(ama_last_os_error(), ENOMEM);
    CHECK_EQ_INT(n_madvise, 0);
    reset();
    fail_munlock = ENOSYS;
    CHECK_EQ_INT(ama_secure_munlock(m, 2 * page), AMA_ERR_UNSUPPORTED);
    CHECK_EQ_INT(ama_last_os_error(), ENOSYS);

    /* The OS error is per thread. */
    reset();
    fail_mlock = EPERM;
    CHECK_EQ_INT(ama_secure_mlock(m, page), AMA_ERR_LOCK_FAILED);
    pthread_t t;
    CHECK_EQ_INT(pthread_create(&t, NULL, other_thread, NULL), 0);
    pthread_join(t, NULL);
    CHECK_EQ_INT(thread_err, 0);
    CHECK_EQ_INT(ama_last_os_error(), EPERM);

#if defined(__linux__)
    /* madvise failure after a successful lock: ADVISE_FAILED, errno kept,
     * and the range really is locked (documented). */
    reset();
    fail_madvise = EINVAL;
    CHECK_EQ_INT(ama_secure_mlock(m, 2 * page), AMA_ERR_ADVISE_FAILED);
    CHECK_EQ_INT(ama_last_os_error(), EINVAL);
    CHECK_EQ_INT(n_mlock, 1);
    CHECK_EQ_INT(last_adv_advice, MADV_DONTDUMP);
    unsigned char vec[2] = {0, 0};
    CHECK_EQ_INT(mincore(m, 2 * page, vec), 0); /* resident after mlock */
    CHECK(vec[0] & 1);
    /* madvise failure after a successful unlock. */
    reset();
    fail_madvise = ENOMEM;
    CHECK_EQ_INT(ama_secure_munlock(m, 2 * page), AMA_ERR_ADVISE_FAILED);
    CHECK_EQ_INT(ama_last_os_error(), ENOMEM);
    CHECK_EQ_INT(n_munlock, 1);
    CHECK_EQ_INT(last_adv_advice, MADV_DODUMP);

    /* The advised range is exactly the whole pages inside [p, p+n), for
     * many offsets and lengths; no madvise when there is none. */
    long long bad = 0, cases = 0;
    for (size_t off = 0; off < 3 * page; off += (off % page < 3 || off % page > page - 4) ? 1 : 509) {
        for (size_t len = 1; off + len <= 12 * page;
             len += (len % page < 3 || len % page > page - 4) ? 1 : 1021) {
            uintptr_t b = (uintptr_t)m + off, e = b + len;
            uintptr_t first = (b + page - 1) / page * page;
            uintptr_t end = e / page * page;
            for (int which = 0; which < 2; which++) {
                reset();
                int rc = which ? ama_secure_munlock((void *)b, len)
                               : ama_secure_mlock((void *)b, len);
                cases++;
                if (rc != AMA_OK) { bad++; continue; }
                if (end > first) {
                    bad += n_madvise != 1 || last_adv_addr != first ||
                           last_adv_len != end - first ||
                           last_adv_advice != (which ? MADV_DODUMP : MADV_DONTDUMP);
                } else {
                    bad += n_madvise != 0;
                }
            }
        }
    }
    printf("advised-range cases: %lld, wrong: %lld\n", cases, bad);
    CHECK_EQ_INT(bad, 0);
#endif
    reset();
    munmap(m, 16 * page);
    return check_report("test_lock_faults");
}
