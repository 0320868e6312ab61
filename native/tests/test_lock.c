/* ama_secure_mlock / ama_secure_munlock against the real kernel.
 * On Linux the effect is read back from /proc/self/smaps: a locked page
 * sits in a VMA with VmFlags "lo" and a non-zero "Locked:" size; a page
 * excluded from core dumps has VmFlags "dd". */
#define _DEFAULT_SOURCE 1
#include "ama/secure_memory.h"
#include "check.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static size_t page;

struct page_state {
    int found;
    int lo;          /* VmFlags has "lo" */
    int dd;          /* VmFlags has "dd" */
    long locked_kb;  /* Locked: */
};

static int has_flag(const char *flags, const char *f)
{
    /* flags are two-letter words separated by spaces */
    for (const char *s = flags; *s; ) {
        while (*s == ' ' || *s == '\t') s++;
        if (s[0] && s[1] && s[0] == f[0] && s[1] == f[1] &&
            (s[2] == ' ' || s[2] == '\n' || s[2] == '\0')) {
            return 1;
        }
        while (*s && *s != ' ') s++;
    }
    return 0;
}

#if defined(__linux__)
static struct page_state query(const void *addr)
{
    struct page_state st = {0, 0, 0, 0};
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f) {
        perror("/proc/self/smaps");
        return st;
    }
    char line[512];
    int inside = 0;
    uintptr_t a = (uintptr_t)addr;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        char dash;
        if (sscanf(line, "%lx%c%lx ", &lo, &dash, &hi) == 3 && dash == '-') {
            if (inside) break; /* finished the VMA we wanted */
            inside = (a >= lo && a < hi);
            continue;
        }
        if (!inside) continue;
        st.found = 1;
        if (strncmp(line, "Locked:", 7) == 0) {
            st.locked_kb = strtol(line + 7, NULL, 10);
        } else if (strncmp(line, "VmFlags:", 8) == 0) {
            st.lo = has_flag(line + 8, "lo");
            st.dd = has_flag(line + 8, "dd");
        }
    }
    fclose(f);
    return st;
}

/* Expect page i of `base` to be locked/dd as given. */
static void expect_page(const char *what, unsigned char *base, size_t i,
                        int locked, int dd)
{
    struct page_state st = query(base + i * page);
    CHECK(st.found);
    if (st.lo != locked || (st.locked_kb > 0) != locked || st.dd != dd) {
        fprintf(stderr, "  %s: page %zu: lo=%d Locked=%ldkB dd=%d, "
                "wanted locked=%d dd=%d\n", what, i, st.lo, st.locked_kb,
                st.dd, locked, dd);
    }
    CHECK_EQ_INT(st.lo, locked);
    CHECK_EQ_INT(st.locked_kb > 0, locked);
    CHECK_EQ_INT(st.dd, dd);
}

/* Lock [off, off+len) of a fresh 8-page mapping and compare every page
 * with the expectation strings ('L' locked, 'D' locked+dd, '.' neither). */
static void scenario(const char *what, size_t off, size_t len,
                     const char *expect_locked)
{
    const size_t pages = 8;
    unsigned char *m = mmap(NULL, pages * page, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    if (m == MAP_FAILED) return;
    memset(m, 0x11, pages * page); /* populate */

    CHECK_EQ_INT(ama_secure_mlock(m + off, len), AMA_OK);
    CHECK_EQ_INT(ama_last_os_error(), 0);
    for (size_t i = 0; i < pages; i++) {
        char e = expect_locked[i];
        expect_page(what, m, i, e != '.', e == 'D');
    }
    /* The data is untouched. */
    size_t changed = 0;
    for (size_t i = 0; i < pages * page; i++) changed += m[i] != 0x11;
    CHECK_EQ_INT(changed, 0);

    CHECK_EQ_INT(ama_secure_munlock(m + off, len), AMA_OK);
    CHECK_EQ_INT(ama_last_os_error(), 0);
    for (size_t i = 0; i < pages; i++) {
        expect_page(what, m, i, 0, 0);
    }
    munmap(m, pages * page);
}
#endif

int main(void)
{
    page = (size_t)sysconf(_SC_PAGESIZE);

    /* Argument errors: no OS call, OS error 0. */
    CHECK_EQ_INT(ama_secure_mlock(NULL, 0), AMA_OK);
    CHECK_EQ_INT(ama_last_os_error(), 0);
    CHECK_EQ_INT(ama_secure_munlock(NULL, 0), AMA_OK);
    CHECK_EQ_INT(ama_secure_mlock(NULL, 1), AMA_ERR_NULL_POINTER);
    CHECK_EQ_INT(ama_last_os_error(), 0);
    CHECK_EQ_INT(ama_secure_munlock(NULL, 16), AMA_ERR_NULL_POINTER);
    CHECK_EQ_INT(ama_last_os_error(), 0);
    void *top = (void *)(UINTPTR_MAX - 10);
    CHECK_EQ_INT(ama_secure_mlock(top, 100), AMA_ERR_INVALID_RANGE);
    CHECK_EQ_INT(ama_secure_munlock(top, 100), AMA_ERR_INVALID_RANGE);
    CHECK_EQ_INT(ama_secure_mlock(top, SIZE_MAX), AMA_ERR_INVALID_RANGE);

    /* Unmapped memory: the kernel refuses with ENOMEM. */
    unsigned char *hole = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(hole != MAP_FAILED);
    munmap(hole, 4 * page);
    CHECK_EQ_INT(ama_secure_mlock(hole, 2 * page), AMA_ERR_LOCK_FAILED);
    CHECK_EQ_INT(ama_last_os_error(), ENOMEM);
    CHECK_EQ_INT(ama_secure_munlock(hole + 10, page), AMA_ERR_UNLOCK_FAILED);
    CHECK_EQ_INT(ama_last_os_error(), ENOMEM);
    /* A success resets the thread's OS error. */
    unsigned char small[64];
    CHECK_EQ_INT(ama_secure_mlock(small, sizeof small), AMA_OK);
    CHECK_EQ_INT(ama_last_os_error(), 0);
    CHECK_EQ_INT(ama_secure_munlock(small, sizeof small), AMA_OK);
    /* Unlocking what was never locked is fine. */
    CHECK_EQ_INT(ama_secure_munlock(small, sizeof small), AMA_OK);

#if defined(__linux__)
    /* One letter a page; 8 pages; P = page size. */
    /* aligned, exactly pages 1..2 */
    scenario("aligned 2 pages", page, 2 * page, ".DD.....");
    /* unaligned start and end: 1..3 locked, only page 2 is wholly inside */
    scenario("unaligned 3-page span", page + 100, 2 * page, ".LDL....");
    /* inside one page, unaligned: locked, never dd */
    scenario("inside one page", 3 * page + 7, 100, "...L....");
    /* crossing one page boundary: two partial pages, none whole */
    scenario("crossing a boundary", 2 * page - 10, 20, ".LL.....");
    /* starts on a boundary, ends mid-page */
    scenario("aligned start, ragged end", 4 * page, page + 1, "....DL..");
    /* ragged start, ends on a boundary */
    scenario("ragged start, aligned end", 4 * page + 1, 2 * page - 1, "....LD..");
    /* one whole page, exactly */
    scenario("one page", 5 * page, page, ".....D..");
    /* whole mapping */
    scenario("whole mapping", 0, 8 * page, "DDDDDDDD");
    /* a single byte, last byte of a page */
    scenario("last byte of a page", 7 * page - 1, 1, "......L.");

    /* Locking twice and unlocking once leaves it unlocked (no nesting);
     * a page shared with a neighbour's lock is never marked dd. */
    {
        unsigned char *m = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(m != MAP_FAILED);
        memset(m, 1, 4 * page);
        CHECK_EQ_INT(ama_secure_mlock(m + page, 100), AMA_OK);
        CHECK_EQ_INT(ama_secure_mlock(m + page + 200, 100), AMA_OK);
        expect_page("two buffers in one page", m, 1, 1, 0);
        CHECK_EQ_INT(ama_secure_munlock(m + page, 100), AMA_OK);
        expect_page("two buffers in one page, one unlocked", m, 1, 0, 0);
        munmap(m, 4 * page);
    }
#else
    printf("not Linux: smaps checks skipped\n");
#endif
    return check_report("test_lock");
}
