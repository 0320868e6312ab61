/*
 * libFuzzer target for the AMA native backend (build with -DAMA_FUZZ=ON
 * and CC=clang-14; runs under AddressSanitizer and UBSan).
 *
 * Input layout: byte 0 = mode, byte 1 = split/offset selector, rest = data.
 * Checks:
 *  - ama_consttime_memcmp(a, b, n) is 0 exactly when memcmp says equal,
 *    and is always 0 or 1; symmetric; a buffer equals itself;
 *  - ama_secure_memzero leaves exactly the requested range all zero and
 *    touches nothing outside it.
 * Buffers are heap copies of exactly n bytes so ASan sees any overread.
 */
#include "ama/secure_memory.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                  \
    do {                                                                  \
        if (!(cond)) {                                                    \
            fprintf(stderr, "fuzz check failed: %s (line %d)\n", #cond,   \
                    __LINE__);                                            \
            abort();                                                      \
        }                                                                 \
    } while (0)

static unsigned char *dup_exact(const uint8_t *p, size_t n)
{
    unsigned char *d = malloc(n ? n : 1);
    FUZZ_CHECK(d != NULL);
    if (n) memcpy(d, p, n);
    return d;
}

static void check_compare(const uint8_t *a_src, const uint8_t *b_src, size_t n)
{
    unsigned char *a = dup_exact(a_src, n), *b = dup_exact(b_src, n);
    int want = memcmp(a, b, n) != 0;
    int got = ama_consttime_memcmp(a, b, n);
    FUZZ_CHECK(got == 0 || got == 1);
    FUZZ_CHECK(got == want);
    FUZZ_CHECK(ama_consttime_memcmp(b, a, n) == got);
    FUZZ_CHECK(ama_consttime_memcmp(a, a, n) == 0);
    free(a);
    free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        FUZZ_CHECK(ama_consttime_memcmp(NULL, NULL, 0) == 0);
        ama_secure_memzero(NULL, 0);
        return 0;
    }
    uint8_t mode = data[0];
    uint8_t sel = data[1];
    data += 2;
    size -= 2;

    /* 1. Two independent halves (mostly unequal). */
    size_t half = size / 2;
    check_compare(data, data + half, half);

    /* 2. A copy with at most one byte flipped: equality and the "one
     *    difference anywhere" cases are both common. */
    if (size > 0) {
        unsigned char *b = dup_exact(data, size);
        if (mode & 1) {
            size_t pos = ((size_t)sel * 257u + mode) % size;
            uint8_t flip = (uint8_t)(mode | 1u); /* never zero */
            b[pos] ^= flip;
        }
        check_compare(data, b, size);
        free(b);
    }

    /* 3. Sub-ranges at odd offsets (unaligned kernels and tails). */
    size_t off = sel % 33u;
    if (off < size) {
        size_t n = size - off;
        check_compare(data + off, data + off, n);
        if (n > 1) check_compare(data + off, data + off + 1, n - 1);
    }

    /* 4. memzero of [off, off+len) inside an exact-size heap copy. */
    if (size > 0) {
        unsigned char *z = dup_exact(data, size);
        size_t start = ((size_t)sel * 7u) % size;
        size_t len = ((size_t)mode * 13u) % (size - start + 1);
        ama_secure_memzero(z + start, len);
        for (size_t i = 0; i < size; i++) {
            if (i >= start && i < start + len) {
                FUZZ_CHECK(z[i] == 0);
            } else {
                FUZZ_CHECK(z[i] == data[i]);
            }
        }
        /* whole buffer: all zeros, and equal to a zero buffer */
        ama_secure_memzero(z, size);
        unsigned char *zero = calloc(size, 1);
        FUZZ_CHECK(zero != NULL);
        FUZZ_CHECK(ama_consttime_memcmp(z, zero, size) == 0);
        for (size_t i = 0; i < size; i++) FUZZ_CHECK(z[i] == 0);
        free(zero);
        free(z);
    }
    return 0;
}
