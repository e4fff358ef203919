/* In-place heapsort: glibc's qsort may allocate a merge buffer, and a scan
 * must not allocate in the steady state. Not stable; callers compare on
 * every field that matters. */
#include "internal.h"

static void swap_bytes(unsigned char *a, unsigned char *b, size_t size) {
    while (size--) {
        unsigned char t = *a;
        *a++ = *b;
        *b++ = t;
    }
}

static void sift_down(unsigned char *base, size_t root, size_t n, size_t size,
                      int (*cmp)(const void *, const void *)) {
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && cmp(base + child * size, base + (child + 1) * size) < 0)
            child++;
        if (cmp(base + root * size, base + child * size) >= 0)
            return;
        swap_bytes(base + root * size, base + child * size, size);
        root = child;
    }
}

/* Insertion sort while it stays cheap: false when it gave up after
 * `moves` swaps, leaving a permutation of the input. A few descents do not
 * make an array nearly sorted (two sorted runs, one after the other, have
 * one), so the work is bounded, not the descents counted. */
static bool insertion_sort(unsigned char *base, size_t n, size_t size,
                           int (*cmp)(const void *, const void *), size_t moves) {
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && cmp(base + (j - 1) * size, base + j * size) > 0; j--) {
            if (moves-- == 0)
                return false;
            swap_bytes(base + (j - 1) * size, base + j * size, size);
        }
    return true;
}

void aupf__sort(void *data, size_t n, size_t size, int (*cmp)(const void *, const void *)) {
    unsigned char *base = data;
    if (n < 2)
        return;
    size_t inversions = 0;
    for (size_t i = 1; i < n && inversions < 8; i++)
        inversions += cmp(base + (i - 1) * size, base + i * size) > 0;
    if (inversions == 0)
        return; /* hits usually arrive in order */
    /* short or nearly sorted: insertion sort, within a budget linear in n */
    if ((n <= 16 || inversions < 8) && insertion_sort(base, n, size, cmp, n <= 16 ? n * n : 8 * n))
        return;
    for (size_t i = n / 2; i-- > 0;)
        sift_down(base, i, n, size, cmp);
    for (size_t end = n - 1; end > 0; end--) {
        swap_bytes(base, base + end * size, size);
        sift_down(base, 0, end, size, cmp);
    }
}

int aupf__cmp_span_start(const void *a, const void *b) {
    const aupf__span *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (x->end > y->end) - (x->end < y->end);
}
