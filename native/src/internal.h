/* Internal helpers shared by the library sources. Not installed. */
#ifndef AMA_INTERNAL_H
#define AMA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#  define AMA_HIDDEN __attribute__((visibility("hidden")))
/* Tell the compiler that the memory behind p may be read or written by
 * code it cannot see, so stores before this point must really happen. */
#  define AMA_MEMORY_BARRIER(p) __asm__ __volatile__("" : : "r"(p) : "memory")
/* Make the compiler forget what it knows about the value of v. */
#  define AMA_OPAQUE(v) __asm__ __volatile__("" : "+r"(v))
#else
#  define AMA_HIDDEN
void ama_compiler_fence_(void *p);
#  define AMA_MEMORY_BARRIER(p) ama_compiler_fence_(p)
#  define AMA_OPAQUE(v) ((void)0)
#endif

/* Constant-time "number of differing bits is non-zero" kernels.
 * Return 0 when equal, non-zero otherwise. Hidden; exposed to the
 * white-box tests through the static build. */
AMA_HIDDEN uint64_t ama_ct_diff_generic(const unsigned char *x,
                                        const unsigned char *y, size_t n);
#if defined(__x86_64__) || defined(__i386__)
#  if defined(__GNUC__) || defined(__clang__)
#    define AMA_HAVE_AVX2_KERNEL 1
#    define AMA_HAVE_AVX512_KERNEL 1
AMA_HIDDEN uint64_t ama_ct_diff_avx2(const unsigned char *x,
                                     const unsigned char *y, size_t n);
AMA_HIDDEN uint64_t ama_ct_diff_avx512(const unsigned char *x,
                                       const unsigned char *y, size_t n);
AMA_HIDDEN int ama_cpu_has_avx2(void);
/* AVX-512 Foundation and Byte/Word, with the OS saving the zmm and mask
 * registers (the compiler's CPU probe checks XCR0 for that). */
AMA_HIDDEN int ama_cpu_has_avx512bw(void);
#  endif
#endif

/* Which kernel ama_consttime_memcmp runs on this machine (probed once). */
enum ama_ct_kernel {
    AMA_CT_KERNEL_GENERIC = 1,
    AMA_CT_KERNEL_AVX2 = 2,
    AMA_CT_KERNEL_AVX512 = 3
};
AMA_HIDDEN int ama_ct_kernel(void);
AMA_HIDDEN const char *ama_ct_kernel_name(int kernel);

#endif
