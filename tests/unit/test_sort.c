/* The allocation-free sort used on the scan path. */
#include "helpers.h"
#include "internal.h"

#include <stdlib.h>

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void sorts_like_qsort(void **state) {
    (void)state;
    unsigned seed = 7;
    for (size_t n = 0; n < 300; n += 7) {
        int a[300], b[300];
        for (size_t i = 0; i < n; i++)
            a[i] = b[i] = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 50;
        aupf__sort(a, n, sizeof a[0], cmp_int);
        qsort(b, n, sizeof b[0], cmp_int);
        assert_memory_equal(a, b, n * sizeof a[0]);
    }
}

static size_t comparisons;
static int cmp_int_counted(const void *a, const void *b) {
    comparisons++;
    return cmp_int(a, b);
}

/* Inputs with few descents that are far from sorted (two sorted runs one
 * after the other, or interleaved blocks, as suppressor lists of several
 * patterns are) must not take quadratic work: n log n comparisons at most. */
static void few_descents_stay_n_log_n(void **state) {
    (void)state;
    enum { N = 1 << 16 };
    static int a[N], b[N];
    for (int shape = 0; shape < 3; shape++) {
        for (int i = 0; i < N; i++) {
            if (shape == 0) /* two runs: evens, then odds */
                a[i] = i < N / 2 ? 2 * i : 2 * (i - N / 2) + 1;
            else if (shape == 1) /* one element far from its place */
                a[i] = i == 0 ? N : i;
            else /* four runs, each of every fourth number */
                a[i] = 4 * (i % (N / 4)) + i / (N / 4);
            b[i] = a[i];
        }
        comparisons = 0;
        aupf__sort(a, N, sizeof a[0], cmp_int_counted);
        qsort(b, N, sizeof b[0], cmp_int);
        assert_memory_equal(a, b, sizeof a);
        if (comparisons > (size_t)40 * N) /* log2(N) = 16; heapsort needs about 2 n log n */
            fail_msg("shape %d: %zu comparisons for %d elements", shape, comparisons, (int)N);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(sorts_like_qsort),
                                       cmocka_unit_test(few_descents_stay_n_log_n)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
