/* Helpers shared by the fuzz targets (header only). */
#ifndef AUPF_FUZZ_COMMON_H
#define AUPF_FUZZ_COMMON_H

#include "aupfilter.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz check failed: %s: ", #cond);                                     \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Length of the unit starting at t[i] as the normalizer reads the original:
 * a valid UTF-8 sequence (RFC 3629: no overlongs, no surrogates,
 * <= U+10FFFF) is one unit, every other byte is a unit of its own. Written
 * independently of i18n/utf8.c on purpose. */
static inline size_t fuzz_unit_len(const uint8_t *t, size_t len, size_t i) {
    uint8_t c = t[i];
    size_t n;
    uint8_t lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else
        return 1;
    if (n > len - i)
        return 1;
    if (t[i + 1] < lo || t[i + 1] > hi)
        return 1;
    for (size_t k = 2; k < n; k++)
        if ((t[i + k] & 0xC0) != 0x80)
            return 1;
    return n;
}

/* boundary[i] = 1 when offset i (0..len) is a unit boundary. */
static inline void fuzz_boundaries(const uint8_t *t, size_t len, uint8_t *boundary) {
    for (size_t i = 0; i <= len; i++)
        boundary[i] = 0;
    for (size_t i = 0; i < len; i += fuzz_unit_len(t, len, i))
        boundary[i] = 1;
    boundary[len] = 1;
}

/* Loads a configuration once: $AUPF_FUZZ_CONFIG or the test fixture. */
static inline aupf_ruleset *fuzz_load_ruleset(void) {
    const char *path = getenv("AUPF_FUZZ_CONFIG");
    if (!path || !*path)
        path = AUPF_FUZZ_FIXTURES "/basic.conf";
    aupf_load_options o = {.no_cache = 1};
    aupf_ruleset *rs = NULL;
    int st = aupf_ruleset_load(path, &o, NULL, NULL, &rs);
    if (st != AUPF_OK) {
        fprintf(stderr, "cannot load %s: %s\n", path, aupf_strerror(st));
        abort();
    }
    return rs;
}

#endif
