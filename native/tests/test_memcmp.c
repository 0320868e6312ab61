/* Black-box tests of ama_consttime_memcmp through the shared library. */
#include "ama/secure_memory.h"
#include "check.h"

#include <stdint.h>
#include <string.h>

static unsigned char a[70000 + 64], b[70000 + 64];

int main(void)
{
    CHECK_EQ_INT(ama_consttime_memcmp(NULL, NULL, 0), 0);
    CHECK_EQ_INT(ama_consttime_memcmp(a, NULL, 0), 0);
    CHECK_EQ_INT(ama_consttime_memcmp(NULL, b, 0), 0);

    for (size_t i = 0; i < sizeof a; i++) {
        a[i] = b[i] = test_rand_byte();
    }
    CHECK_EQ_INT(ama_consttime_memcmp(a, a, sizeof a), 0); /* same pointer */

    /* Every length up to 300 (covers vector widths, chunk edges), several
     * alignments: equal, then one flipped bit at every byte and bit. */
    long long wrong = 0, calls = 0;
    for (size_t n = 1; n <= 300; n++) {
        for (size_t oa = 0; oa < 4; oa++) {
            size_t ob = (oa * 3 + n) % 5;
            memcpy(b + ob, a + oa, n);
            calls++;
            wrong += ama_consttime_memcmp(a + oa, b + ob, n) != 0;
            for (size_t pos = 0; pos < n; pos++) {
                for (int bit = 0; bit < 8; bit++) {
                    b[ob + pos] ^= (unsigned char)(1u << bit);
                    calls++;
                    wrong += ama_consttime_memcmp(a + oa, b + ob, n) != 1;
                    /* and symmetric */
                    wrong += ama_consttime_memcmp(b + ob, a + oa, n) != 1;
                    b[ob + pos] ^= (unsigned char)(1u << bit);
                }
            }
            /* bytes just outside the range are ignored */
            b[ob + n] ^= 0x5A;
            if (ob > 0) b[ob - 1] ^= 0x5A;
            wrong += ama_consttime_memcmp(a + oa, b + ob, n) != 0;
        }
    }
    CHECK_EQ_INT(wrong, 0);
    printf("checked %lld small comparisons\n", calls);

    /* Large sizes: every byte position of chunk edges, first, last,
     * all bits, plus a sample of interior positions. */
    static const size_t big[] = {511, 512, 513, 1023, 1024, 1025, 4096, 65536,
                                 65537, 70000};
    wrong = 0;
    for (size_t k = 0; k < sizeof big / sizeof big[0]; k++) {
        size_t n = big[k];
        memcpy(b, a, n);
        wrong += ama_consttime_memcmp(a, b, n) != 0;
        for (size_t pos = 0; pos < n; pos += (pos < 1100 || pos + 600 > n) ? 1 : 97) {
            for (int bit = 0; bit < 8; bit++) {
                b[pos] ^= (unsigned char)(1u << bit);
                wrong += ama_consttime_memcmp(a, b, n) != 1;
                b[pos] ^= (unsigned char)(1u << bit);
            }
        }
        /* all bytes differ */
        for (size_t i = 0; i < n; i++) b[i] = (unsigned char)~a[i];
        wrong += ama_consttime_memcmp(a, b, n) != 1;
    }
    CHECK_EQ_INT(wrong, 0);

    /* Results are exactly 0 or 1, never another non-zero value. */
    memset(a, 0, 64);
    memset(b, 0xFF, 64);
    CHECK_EQ_INT(ama_consttime_memcmp(a, b, 64), 1);
    return check_report("test_memcmp");
}
