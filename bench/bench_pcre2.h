/* The baseline most guardrails use: PCRE2 with JIT, one regex at a time. */
#ifndef AUPF_BENCH_PCRE2_H
#define AUPF_BENCH_PCRE2_H

#include "bench_raw.h"

typedef struct bench_pcre2 bench_pcre2;

/* Compiles the patterns of rules for `role` (caseless etc. as the rule's
 * Hyperscan flags say) and JIT-compiles them. Patterns PCRE2 rejects are
 * left out and counted in *skipped; NULL when out of memory. */
bench_pcre2 *bench_pcre2_new(const bench_pattern *p, size_t n, unsigned role, size_t *skipped);
/* Triggers compiled (rules checked per document). */
size_t bench_pcre2_rules(const bench_pcre2 *b);
/* One pass over the corpus: every trigger searched in every document, a
 * matched rule's unless patterns searched after it. hash (may be NULL)
 * gets each document's matched rules (bench_rule_mix), *errors the match
 * calls that failed (limits). Returns 0, or -1 when there is no baseline. */
int bench_pcre2_run(bench_pcre2 *b, const bench_corpus *c, uint64_t *hash, size_t *errors);
void bench_pcre2_free(bench_pcre2 *b);

#endif
