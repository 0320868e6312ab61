/* White-box test of the compare kernels (static build): every kernel the
 * CPU can run (generic, AVX2, AVX-512) agrees with the generic one and
 * with memcmp, whatever the dispatcher would pick; none reads outside its
 * range; and the dispatcher picks the best kernel the CPU supports.
 * A deliberately broken kernel is run through the same checks as a
 * negative control: they must catch it. */
#define _DEFAULT_SOURCE
#include "ama/secure_memory.h"
#include "internal.h"
#include "check.h"

#include <string.h>

#if defined(__unix__) || defined(__APPLE__)
#  include <sys/mman.h>
#  include <unistd.h>
#  define HAVE_GUARD_PAGES 1
#endif

#define MAX_N 9000
#define SLACK 128 /* room for offsets and for bytes just outside the range */

typedef uint64_t (*kernel_fn)(const unsigned char *, const unsigned char *, size_t);

static unsigned char a[MAX_N + 2 * SLACK], b[MAX_N + 2 * SLACK];

static int kernel_equal(kernel_fn k, const unsigned char *x, const unsigned char *y, size_t n)
{
    return k(x, y, n) == 0;
}

static size_t rand_below(size_t bound)
{
    size_t r = 0;
    for (int i = 0; i < 4; i++) r = (r << 8) | test_rand_byte();
    return r % bound;
}

/* Lengths: every one up to 300, then the edges of 32- and 64-byte vectors
 * and of 512-byte chunks (one under, on, one over), then a coarse sweep
 * with a step (61) that is no multiple of any vector width. */
static size_t next_length(size_t n)
{
    if (n < 300) return n + 1;
    if (n < 4200) {
        size_t m = n + 1;
        while (m % 32 != 31 && m % 32 != 0 && m % 32 != 1) m++;
        return m;
    }
    return n + 61;
}

/* Offsets of the two ranges inside a and b: differently misaligned. */
static size_t offset_a(size_t n) { return SLACK / 2 + (n * 7) % 64; }
static size_t offset_b(size_t n) { return SLACK / 2 + (n * 13 + 5) % 64; }

/* The one-bit positions tried for length n: all of them up to 300 bytes,
 * else both ends, the vector and chunk edges, the middle and random ones. */
static size_t positions(size_t n, size_t *out)
{
    size_t count = 0;
    if (n <= 300) {
        for (size_t p = 0; p < n; p++) out[count++] = p;
        return count;
    }
    static const size_t from_start[] = {0, 1, 31, 32, 33, 63, 64, 65, 127, 128, 255, 256, 511, 512, 513};
    for (size_t i = 0; i < sizeof from_start / sizeof from_start[0]; i++) {
        if (from_start[i] < n) out[count++] = from_start[i];
        if (from_start[i] < n) out[count++] = n - 1 - from_start[i];
    }
    out[count++] = n / 2;
    size_t whole_chunks = (n / 512) * 512;
    if (whole_chunks > 0) out[count++] = whole_chunks - 1; /* end of the last whole chunk */
    if (whole_chunks < n) out[count++] = whole_chunks;     /* first byte after it */
    for (int i = 0; i < 16; i++) out[count++] = rand_below(n);
    return count;
}

/* Runs every check on kernel k; returns how many answers were wrong. */
static long long wrong_answers(kernel_fn k)
{
    static size_t pos[300 + 64];
    long long wrong = 0;
    for (size_t n = 0; n <= MAX_N; n = next_length(n)) {
        size_t oa = offset_a(n), ob = offset_b(n);
        const unsigned char *x = a + oa;
        unsigned char *y = b + ob;

        /* Random inputs, independent: same verdict as generic and memcmp. */
        for (size_t i = 0; i < sizeof a; i++) a[i] = test_rand_byte();
        for (size_t i = 0; i < sizeof b; i++) b[i] = test_rand_byte();
        int want = memcmp(x, y, n) == 0;
        wrong += kernel_equal(k, x, y, n) != want;
        wrong += kernel_equal(ama_ct_diff_generic, x, y, n) != want;

        /* Equal ranges with different bytes on both sides of them. */
        memcpy(y, x, n);
        wrong += !kernel_equal(k, x, y, n);
        wrong += !kernel_equal(k, y, x, n);

        /* One flipped bit at many positions: a random bit, and all eight
         * at the two ends. */
        size_t count = positions(n, pos);
        for (size_t i = 0; i < count; i++) {
            size_t p = pos[i];
            int all_bits = (p == 0 || p == n - 1);
            for (int bit = 0; bit < 8; bit++) {
                unsigned char mask = (unsigned char)(1u << (all_bits ? bit : (int)(test_rand_byte() % 8)));
                y[p] ^= mask;
                wrong += kernel_equal(k, x, y, n);
                wrong += kernel_equal(k, y, x, n);
                wrong += kernel_equal(k, x, y, n) != kernel_equal(ama_ct_diff_generic, x, y, n);
                y[p] ^= mask;
                if (!all_bits) break;
            }
        }
        wrong += !kernel_equal(k, x, y, n); /* all flips undone */
    }
    return wrong;
}

#if defined(HAVE_GUARD_PAGES)
/* Ranges that end right before (or start right after) an inaccessible
 * page: a kernel that reads one byte too many crashes the test. */
static long long guard_page_wrong_answers(kernel_fn k)
{
    long page = sysconf(_SC_PAGESIZE);
    unsigned char *m = mmap(NULL, (size_t)page * 5, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    if (m == MAP_FAILED) return 1;
    /* layout: guard | page x | guard | page y | guard */
    unsigned char *px = m + page, *py = m + 3 * page;
    CHECK(mprotect(m, (size_t)page, PROT_NONE) == 0);
    CHECK(mprotect(m + 2 * page, (size_t)page, PROT_NONE) == 0);
    CHECK(mprotect(m + 4 * page, (size_t)page, PROT_NONE) == 0);
    for (long i = 0; i < page; i++) px[i] = py[i] = (unsigned char)(i * 31u);
    long long wrong = 0;
    for (size_t n = 0; n <= 1100 && n <= (size_t)page; n++) {
        /* ranges ending at the end of their page */
        const unsigned char *xe = px + page - n, *ye = py + page - n;
        wrong += !kernel_equal(k, xe, ye, n);
        /* ranges starting at the start of their page */
        wrong += !kernel_equal(k, px, py, n);
    }
    munmap(m, (size_t)page * 5);
    return wrong;
}
#endif

static void check_kernel(const char *name, kernel_fn k)
{
    long long wrong = wrong_answers(k);
#if defined(HAVE_GUARD_PAGES)
    wrong += guard_page_wrong_answers(k);
#endif
    printf("%s kernel: %lld wrong answers\n", name, wrong);
    CHECK_EQ_INT(wrong, 0);
}

/* Negative control: a kernel that ignores the last byte of the range. */
static kernel_fn control_base;
static uint64_t kernel_missing_last_byte(const unsigned char *x, const unsigned char *y, size_t n)
{
    return control_base(x, y, n == 0 ? 0 : n - 1);
}

static int expected_kernel(void)
{
#if defined(AMA_HAVE_AVX512_KERNEL)
    if (ama_cpu_has_avx512bw()) return AMA_CT_KERNEL_AVX512;
#endif
#if defined(AMA_HAVE_AVX2_KERNEL)
    if (ama_cpu_has_avx2()) return AMA_CT_KERNEL_AVX2;
#endif
    return AMA_CT_KERNEL_GENERIC;
}

int main(void)
{
    kernel_fn best = ama_ct_diff_generic;
    check_kernel("generic", ama_ct_diff_generic);
#if defined(AMA_HAVE_AVX2_KERNEL)
    if (ama_cpu_has_avx2()) {
        check_kernel("avx2", ama_ct_diff_avx2);
        best = ama_ct_diff_avx2;
    } else {
        printf("avx2 kernel: CPU lacks AVX2, not run\n");
    }
#else
    printf("avx2 kernel: not built on this target\n");
#endif
#if defined(AMA_HAVE_AVX512_KERNEL)
    if (ama_cpu_has_avx512bw()) {
        check_kernel("avx512", ama_ct_diff_avx512);
        best = ama_ct_diff_avx512;
    } else {
        printf("avx512 kernel: CPU lacks AVX-512 F+BW (or the OS does not save zmm), not run\n");
    }
#else
    printf("avx512 kernel: not built on this target\n");
#endif

    control_base = best;
    long long control_wrong = wrong_answers(kernel_missing_last_byte);
    printf("negative control (kernel ignoring the last byte): %lld wrong answers\n", control_wrong);
    CHECK(control_wrong > 0);

    int picked = ama_ct_kernel();
    printf("dispatcher picks: %s\n", ama_ct_kernel_name(picked));
    CHECK_EQ_INT(picked, expected_kernel());

    return check_report("test_memcmp_kernels");
}
