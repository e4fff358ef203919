/* Second reference: RE2::Set, every trigger in one set, one pass. */
#ifndef AUPF_BENCH_RE2_H
#define AUPF_BENCH_RE2_H

#include "bench_raw.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bench_re2 bench_re2;

/* Builds the sets for the patterns of rules for `role`: one set per
 * encoding (Latin-1 for byte patterns, UTF-8 for UTF-8 ones), flags inline.
 * Patterns RE2 rejects are left out and counted in *skipped. NULL when
 * nothing compiles or out of memory. */
bench_re2 *bench_re2_new(const bench_pattern *p, size_t n, unsigned role, size_t *skipped);
size_t bench_re2_rules(const bench_re2 *b);
/* One pass: the sets over each document, then a matched rule's unless
 * patterns one at a time. *errors counts set matches that failed (the DFA
 * ran out of memory). Returns 0, or -1 when there is no baseline. */
int bench_re2_run(bench_re2 *b, const bench_corpus *c, uint64_t *hash, size_t *errors);
void bench_re2_free(bench_re2 *b);

#ifdef __cplusplus
}
#endif
#endif
