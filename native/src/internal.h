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
AMA_HIDDEN uint64_t ama_ct_diff_avx2(const unsigned char *x,
                                     const unsigned char *y, size_t n);
AMA_HIDDEN int ama_cpu_has_avx2(void);
#  endif
#endif

#endif
