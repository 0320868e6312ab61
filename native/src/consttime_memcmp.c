/*
 * Constant-time comparison.
 *
 * The kernel is a plain XOR/OR accumulation that the compiler vectorises
 * (this file is built with -O3). The work is cut into fixed-size chunks;
 * after each chunk the accumulator goes through an empty asm statement so
 * the compiler can never prove it has reached a final value and cannot
 * turn the loop into an early exit. Loop bounds depend on n only.
 *
 * On x86 a second copy of the same kernel is compiled for AVX2, and a third
 * kernel is written with AVX-512 intrinsics rather than left to the
 * auto-vectoriser: the same code from gcc and clang, a per-chunk reduction
 * of one vptestmq instead of a byte-wise horizontal OR, and the tail bytes
 * in one masked load instead of a byte loop. The best kernel the CPU
 * supports is picked once at run time from CPUID (a property of the
 * machine, not the data).
 */
#include "ama/secure_memory.h"
#include "internal.h"

#if defined(AMA_HAVE_AVX512_KERNEL)
#  include <immintrin.h>
#endif

#define AMA_CT_CHUNK 512u

#if defined(__GNUC__) || defined(__clang__)
#  define AMA_ALWAYS_INLINE static inline __attribute__((always_inline))
#  define AMA_NOINLINE __attribute__((noinline))
#else
#  define AMA_ALWAYS_INLINE static inline
#  define AMA_NOINLINE
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

/* Not inlined into the dispatcher: inlined, its register pressure made
 * every call save four registers, whichever kernel ran. */
AMA_NOINLINE
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
#endif

#if defined(AMA_HAVE_AVX512_KERNEL)
#define AMA_AVX512 __attribute__((target("avx512f,avx512bw")))
#define AMA_ZMM_BYTES 64u

/* acc | (a ^ b) as one vpternlogq: 0xF6 is the truth table of
 * A | (B ^ C) over the operand columns A = 0xF0, B = 0xCC, C = 0xAA. */
AMA_AVX512 AMA_ALWAYS_INLINE __m512i or_xor(__m512i acc, __m512i a, __m512i b)
{
    return _mm512_ternarylogic_epi64(acc, a, b, 0xF6);
}

/* Any bit set anywhere in v, as a value (kmov of vptestmq), not a branch. */
AMA_AVX512 AMA_ALWAYS_INLINE uint64_t any_bit(__m512i v)
{
    return (uint64_t)_mm512_test_epi64_mask(v, v);
}

AMA_AVX512
uint64_t ama_ct_diff_avx512(const unsigned char *x, const unsigned char *y,
                            size_t n)
{
    uint64_t acc = 0;
    while (n >= AMA_CT_CHUNK) {
        /* Two accumulators so consecutive ternlogs do not wait on each other. */
        __m512i v0 = _mm512_setzero_si512();
        __m512i v1 = _mm512_setzero_si512();
        for (size_t i = 0; i < AMA_CT_CHUNK; i += 2 * AMA_ZMM_BYTES) {
            v0 = or_xor(v0, _mm512_loadu_si512(x + i), _mm512_loadu_si512(y + i));
            v1 = or_xor(v1, _mm512_loadu_si512(x + i + AMA_ZMM_BYTES),
                        _mm512_loadu_si512(y + i + AMA_ZMM_BYTES));
        }
        acc |= any_bit(_mm512_or_si512(v0, v1));
        AMA_OPAQUE(acc);
        x += AMA_CT_CHUNK;
        y += AMA_CT_CHUNK;
        n -= AMA_CT_CHUNK;
    }
    __m512i v = _mm512_setzero_si512();
    while (n >= AMA_ZMM_BYTES) {
        v = or_xor(v, _mm512_loadu_si512(x), _mm512_loadu_si512(y));
        x += AMA_ZMM_BYTES;
        y += AMA_ZMM_BYTES;
        n -= AMA_ZMM_BYTES;
    }
    /* The last n < 64 bytes: a masked load reads only the low n lanes (the
     * others become zero and cannot fault), so there is no byte loop and no
     * read past the end. n < 64, so the shift is defined. */
    __mmask64 tail = ((__mmask64)1 << n) - 1;
    v = or_xor(v, _mm512_maskz_loadu_epi8(tail, x), _mm512_maskz_loadu_epi8(tail, y));
    acc |= any_bit(v);
    AMA_OPAQUE(acc);
    return acc;
}

int ama_cpu_has_avx512bw(void)
{
    __builtin_cpu_init();
    return (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) ? 1 : 0;
}
#endif

/* Cold, runs once: kept out of line so the dispatcher saves no registers. */
AMA_NOINLINE static int probe_kernel(void)
{
#if defined(AMA_HAVE_AVX512_KERNEL)
    if (ama_cpu_has_avx512bw()) {
        return AMA_CT_KERNEL_AVX512;
    }
#endif
#if defined(AMA_HAVE_AVX2_KERNEL)
    if (ama_cpu_has_avx2()) {
        return AMA_CT_KERNEL_AVX2;
    }
#endif
    return AMA_CT_KERNEL_GENERIC;
}

/* 0 = not yet probed. Races are harmless: every thread computes the same
 * value; the atomic keeps them well defined. */
static int ama_ct_selected;

int ama_ct_kernel(void)
{
#if defined(__GNUC__) || defined(__clang__)
    int k = __atomic_load_n(&ama_ct_selected, __ATOMIC_RELAXED);
    if (k == 0) {
        k = probe_kernel();
        __atomic_store_n(&ama_ct_selected, k, __ATOMIC_RELAXED);
    }
    return k;
#else
    (void)ama_ct_selected;
    return probe_kernel();
#endif
}

const char *ama_ct_kernel_name(int kernel)
{
    switch (kernel) {
    case AMA_CT_KERNEL_GENERIC: return "generic";
    case AMA_CT_KERNEL_AVX2: return "avx2";
    case AMA_CT_KERNEL_AVX512: return "avx512";
    default: return "unknown";
    }
}

static uint64_t ct_diff(const unsigned char *x, const unsigned char *y, size_t n)
{
    switch (ama_ct_kernel()) {
#if defined(AMA_HAVE_AVX512_KERNEL)
    case AMA_CT_KERNEL_AVX512: return ama_ct_diff_avx512(x, y, n);
#endif
#if defined(AMA_HAVE_AVX2_KERNEL)
    case AMA_CT_KERNEL_AVX2: return ama_ct_diff_avx2(x, y, n);
#endif
    default: return ama_ct_diff_generic(x, y, n);
    }
}

int ama_consttime_memcmp(const void *a, const void *b, size_t n)
{
    if (n == 0) {
        return 0;
    }
    uint64_t d = ct_diff((const unsigned char *)a, (const unsigned char *)b, n);
    /* Branch-free: (d | -d) has its top bit set iff d != 0. */
    return (int)(((d | (0u - d)) >> 63) & 1u);
}
