/* Throughput of ama_consttime_memcmp (equal inputs, the slowest case for a
 * naive compare and the only case for a constant-time one). Prints GB/s.
 * Not a test: numbers on a shared machine vary. */
#define _POSIX_C_SOURCE 200809L
#include "ama/secure_memory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
    static const size_t sizes[] = {32, 256, 4096, 65536, 1 << 20};
    unsigned char *a = malloc(1 << 20), *b = malloc(1 << 20);
    if (!a || !b) return 1;
    for (size_t i = 0; i < (1u << 20); i++) a[i] = b[i] = (unsigned char)(i * 131u);
    volatile int sink = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        double best = 0;
        for (int rep = 0; rep < 5; rep++) {
            size_t iters = (size_t)(64u << 20) / n + 1;
            double t0 = now();
            for (size_t i = 0; i < iters; i++) sink += ama_consttime_memcmp(a, b, n);
            double dt = now() - t0;
            double gbs = (double)n * (double)iters / dt / 1e9;
            if (gbs > best) best = gbs;
        }
        printf("ama_consttime_memcmp %8zu bytes: %7.2f GB/s (%.1f ns/call)\n",
               n, best, (double)n / best);
    }
    (void)sink;
    free(a);
    free(b);
    return 0;
}
