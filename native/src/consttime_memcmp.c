/*
 * Constant-time comparison.
 *
 * The kernel is a plain XOR/OR accumulation that the compiler vectorises
 * (this file is built with -O3). The work is cut into fixed-size chunks;
 * after each chunk the accumulator goes through an empty asm statement so
 * the compiler can never prove it has reached a final value and cannot
 * turn the loop into an early exit. Loop bounds depend on n only.
 *
 * On x86 a second copy of the same kernel is compiled for AVX2 and picked
 * once at run time from CPUID (a property of the machine, not the data).
 */
#include "ama/secure_memory.h"
#include "internal.h"

#define AMA_CT_CHUNK 512u

#if defined(__GNUC__) || defined(__clang__)
#  define AMA_ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#  define AMA_ALWAYS_INLINE static inline
#endif

AMA_ALWAYS_INLINE uint64_t ct_diff_body(const unsigned char *x,
                                        const unsigned char *y, size_t n)
{
    uint64_t acc = 0;
    while (n >= AMA_CT_CHUNK) {
        unsigned char c = 0;
        for (size_t i = 0; i < AMA_CT_CHUNK; i++) {
            c |= (unsigned char)(x[i] ^ y[i]);
        }
        acc |= c;
        AMA_OPAQUE(acc);
        x += AMA_CT_CHUNK;
        y += AMA_CT_CHUNK;
        n -= AMA_CT_CHUNK;
    }
    unsigned char c = 0;
    for (size_t i = 0; i < n; i++) {
        c |= (unsigned char)(x[i] ^ y[i]);
    }
    acc |= c;
    AMA_OPAQUE(acc);
    return acc;
}

uint64_t ama_ct_diff_generic(const unsigned char *x, const unsigned char *y,
                             size_t n)
{
    return ct_diff_body(x, y, n);
}

#if defined(AMA_HAVE_AVX2_KERNEL)
__attribute__((target("avx2")))
uint64_t ama_ct_diff_avx2(const unsigned char *x, const unsigned char *y,
                          size_t n)
{
    return ct_diff_body(x, y, n);
}

int ama_cpu_has_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? 1 : 0;
}

/* 0 = not yet probed, 1 = generic, 2 = AVX2. Races are harmless: every
 * thread computes the same value; the atomic keeps them well defined. */
static int ama_ct_level;
#endif

int ama_consttime_memcmp(const void *a, const void *b, size_t n)
{
    if (n == 0) {
        return 0;
    }
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;
    uint64_t d;
#if defined(AMA_HAVE_AVX2_KERNEL)
    int level = __atomic_load_n(&ama_ct_level, __ATOMIC_RELAXED);
    if (level == 0) {
        level = ama_cpu_has_avx2() ? 2 : 1;
        __atomic_store_n(&ama_ct_level, level, __ATOMIC_RELAXED);
    }
    d = (level == 2) ? ama_ct_diff_avx2(x, y, n) : ama_ct_diff_generic(x, y, n);
#else
    d = ama_ct_diff_generic(x, y, n);
#endif
    /* Branch-free: (d | -d) has its top bit set iff d != 0. */
    return (int)(((d | (0u - d)) >> 63) & 1u);
}
