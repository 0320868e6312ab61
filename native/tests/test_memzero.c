#include "ama/secure_memory.h"
#include "check.h"

#include <string.h>

#define GUARD 64

static unsigned char area[GUARD + 70000 + GUARD];

static void one(size_t offset, size_t n)
{
    for (size_t i = 0; i < sizeof area; i++) {
        area[i] = test_rand_byte() | 1u; /* never zero */
    }
    unsigned char before_lo = area[GUARD + offset - 1];
    unsigned char before_hi = area[GUARD + offset + n];
    ama_secure_memzero(area + GUARD + offset, n);
    size_t nonzero = 0;
    for (size_t i = 0; i < n; i++) {
        nonzero += area[GUARD + offset + i] != 0;
    }
    CHECK_EQ_INT(nonzero, 0);
    /* Nothing outside the range is written. */
    CHECK_EQ_INT(area[GUARD + offset - 1], before_lo);
    CHECK_EQ_INT(area[GUARD + offset + n], before_hi);
    size_t outside_zero = 0;
    for (size_t i = 0; i < GUARD + offset; i++) {
        outside_zero += area[i] == 0;
    }
    for (size_t i = GUARD + offset + n; i < sizeof area; i++) {
        outside_zero += area[i] == 0;
    }
    CHECK_EQ_INT(outside_zero, 0);
}

int main(void)
{
    /* NULL with length 0 (and a real pointer with length 0) are no-ops. */
    ama_secure_memzero(NULL, 0);
    unsigned char x = 0xAB;
    ama_secure_memzero(&x, 0);
    CHECK_EQ_INT(x, 0xAB);
    ama_secure_memzero(&x, 1);
    CHECK_EQ_INT(x, 0);

    static const size_t sizes[] = {1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64,
                                   65, 255, 256, 4095, 4096, 4097, 65536, 69999};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (size_t off = 0; off < 8; off++) { /* every alignment mod 8 */
            if (off + sizes[s] + GUARD * 2 <= sizeof area) {
                one(off + 1, sizes[s]);
            }
        }
    }

    /* A range that is already all 0xFF or all 0x00 ends all zero too. */
    unsigned char ff[333];
    memset(ff, 0xFF, sizeof ff);
    ama_secure_memzero(ff, sizeof ff);
    size_t bad = 0;
    for (size_t i = 0; i < sizeof ff; i++) bad += ff[i] != 0;
    CHECK_EQ_INT(bad, 0);
    ama_secure_memzero(ff, sizeof ff);
    bad = 0;
    for (size_t i = 0; i < sizeof ff; i++) bad += ff[i] != 0;
    CHECK_EQ_INT(bad, 0);

    return check_report("test_memzero");
}
