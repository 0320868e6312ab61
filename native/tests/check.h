/* Minimal assertion helpers for the plain-C tests. */
#ifndef AMA_TEST_CHECK_H
#define AMA_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                          \
    do {                                                                     \
        check_count++;                                                       \
        if (!(cond)) {                                                       \
            check_failures++;                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                  \
        }                                                                    \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                   \
    do {                                                                     \
        long long va_ = (long long)(a), vb_ = (long long)(b);                \
        check_count++;                                                       \
        if (va_ != vb_) {                                                    \
            check_failures++;                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld vs %lld)\n",\
                    __FILE__, __LINE__, #a, #b, va_, vb_);                   \
        }                                                                    \
    } while (0)

static inline int check_report(const char *name)
{
    if (check_failures) {
        fprintf(stderr, "%s: %d of %d checks FAILED\n", name, check_failures,
                check_count);
        return EXIT_FAILURE;
    }
    printf("%s: all %d checks passed\n", name, check_count);
    return EXIT_SUCCESS;
}

/* Small deterministic PRNG (xorshift64*) for test data. */
static unsigned long long test_rng_state = 0x9E3779B97F4A7C15ull;
static inline unsigned char test_rand_byte(void)
{
    test_rng_state ^= test_rng_state >> 12;
    test_rng_state ^= test_rng_state << 25;
    test_rng_state ^= test_rng_state >> 27;
    return (unsigned char)((test_rng_state * 2685821657736338717ull) >> 56);
}

#endif
