/* White-box test: both compare kernels (generic and AVX2) agree with
 * memcmp, whatever the CPU dispatcher would pick. */
#include "ama/secure_memory.h"
#include "internal.h"
#include "check.h"

#include <string.h>

static unsigned char a[9000], b[9000];

typedef uint64_t (*kernel_fn)(const unsigned char *, const unsigned char *, size_t);

static void run(const char *name, kernel_fn k)
{
    long long wrong = 0;
    for (size_t i = 0; i < sizeof a; i++) a[i] = test_rand_byte();
    for (size_t n = 0; n <= sizeof a - 8; n += (n < 1200 ? 1 : 61)) {
        size_t off = n % 8;
        memcpy(b, a + off, n);
        wrong += k(a + off, b, n) != 0;
        if (n == 0) continue;
        size_t positions[3] = {0, n / 2, n - 1};
        for (int p = 0; p < 3; p++) {
            for (int bit = 0; bit < 8; bit++) {
                b[positions[p]] ^= (unsigned char)(1u << bit);
                wrong += k(a + off, b, n) == 0;
                b[positions[p]] ^= (unsigned char)(1u << bit);
            }
        }
    }
    printf("%s kernel: %lld wrong answers\n", name, wrong);
    CHECK_EQ_INT(wrong, 0);
}

int main(void)
{
    run("generic", ama_ct_diff_generic);
#if defined(AMA_HAVE_AVX2_KERNEL)
    if (ama_cpu_has_avx2()) {
        run("avx2", ama_ct_diff_avx2);
    } else {
        printf("avx2 kernel: CPU lacks AVX2, not run\n");
    }
#endif
    return check_report("test_memcmp_kernels");
}
