/* fuzz_normalize: the i18n normalizer on the input. The view's maps must
 * be monotone (start and end never decrease), lie in [0, len] with
 * start < end, and fall on unit boundaries of the original; and the view of
 * the whole must equal the views of its pieces, cut at every safe cut and
 * every forced cut, appended (as in tests/unit/test_normalize.c,
 * pieces_concatenate_to_the_whole). */
#include "fuzz_common.h"
#include "i18n/normalize.h"

#include <string.h>

static aupf__normalizer *whole, *parts;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    whole = aupf__normalizer_new();
    parts = aupf__normalizer_new();
    if (!whole || !parts)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size ? size : 1);
    memcpy(text, data, size);
    uint8_t *boundary = malloc(size + 1);
    fuzz_boundaries(data, size, boundary);

    aupf__view a;
    int st = aupf__normalize(whole, text, size, &a);
    FUZZ_CHECK(st == 0, "aupf__normalize: %d", st);
    if (a.identity) {
        FUZZ_CHECK(a.len == size && memcmp(a.text, text, size) == 0, "identity view differs");
    } else {
        size_t ps = 0, pe = 0;
        for (size_t i = 0; i < a.len; i++) {
            size_t s = a.start[i], e = a.end[i];
            FUZZ_CHECK(s < e && e <= size, "view byte %zu maps to %zu-%zu of %zu", i, s, e, size);
            FUZZ_CHECK(s >= ps && e >= pe, "view byte %zu maps to %zu-%zu after %zu-%zu", i, s, e,
                       ps, pe);
            FUZZ_CHECK(boundary[s] && boundary[e], "view byte %zu maps to %zu-%zu, not units", i, s,
                       e);
            ps = s;
            pe = e;
        }
    }

    /* the same text normalized in pieces */
    aupf__view b;
    memset(&b, 0, sizeof b);
    aupf__normalizer_reset(parts);
    size_t from = 0, last_forced = 0, forced = aupf__next_forced_cut(text, size, 0);
    FUZZ_CHECK(forced <= size, "forced cut %zu", forced);
    for (size_t p = 1; p <= size; p++) {
        if (p == size || p == forced || aupf__safe_cut(text, size, last_forced, p)) {
            st = aupf__normalize_append(parts, text + from, p - from, from, &b);
            FUZZ_CHECK(st == 0, "aupf__normalize_append: %d", st);
            if (p == forced) {
                last_forced = p;
                forced = aupf__next_forced_cut(text, size, p);
                FUZZ_CHECK((forced > p && forced <= size) || forced == size,
                           "forced cut %zu after %zu", forced, p);
            }
            from = p;
        }
    }
    aupf__normalizer_output(parts, &b);
    size_t d = 0;
    while (d < a.len && d < b.len && a.text[d] == b.text[d])
        d++;
    FUZZ_CHECK(a.len == b.len && d == a.len, "views differ at %zu (lengths %zu, %zu)", d, a.len,
               b.len);
    for (size_t i = 0; i < a.len; i++) {
        size_t s1, e1, s2, e2;
        aupf__view_map(&a, i, i + 1, &s1, &e1);
        aupf__view_map(&b, i, i + 1, &s2, &e2);
        FUZZ_CHECK(s1 == s2 && e1 == e2, "view byte %zu maps to %zu-%zu whole, %zu-%zu pieces", i,
                   s1, e1, s2, e2);
        FUZZ_CHECK(aupf__view_evasive(&a, i, i + 1) == aupf__view_evasive(&b, i, i + 1),
                   "view byte %zu evasive differs", i);
    }
    FUZZ_CHECK(memcmp(a.signals, b.signals, sizeof a.signals) == 0, "signals differ");
    FUZZ_CHECK(memcmp(a.letters, b.letters, sizeof a.letters) == 0, "letter counts differ");
    free(boundary);
    free(text);
    return 0;
}
