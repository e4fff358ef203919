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

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(sorts_like_qsort)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
