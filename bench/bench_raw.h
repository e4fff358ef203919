/* What the engine compiles and scans, for the baselines and ceilings:
 * every Hyperscan expression of a ruleset as compiled (rewritten for the
 * normalized view), the normalized view of a corpus, and a raw hs_scan of
 * the ruleset's block databases (as the library scans them). These
 * read library internals (as the tests do); the public API gives rule
 * patterns only as written. */
#ifndef AUPF_BENCH_RAW_H
#define AUPF_BENCH_RAW_H

#include "aupfilter.h"
#include "bench_util.h"

#include <stdint.h>

/* Hyperscan flags as the library uses them (hs.h values). */
enum {
    BENCH_FLAG_CASELESS = 1,
    BENCH_FLAG_DOTALL = 2,
    BENCH_FLAG_MULTILINE = 4,
    BENCH_FLAG_UTF8 = 32,
    BENCH_FLAG_UCP = 64
};

typedef struct {
    const char *expr; /* as compiled: rewritten for the view when normalizing */
    unsigned flags;   /* BENCH_FLAG_* */
    size_t rule;
    int trigger; /* 1: the rule's pattern; 0: one of its unless patterns */
    unsigned roles;
} bench_pattern;

#ifdef __cplusplus
extern "C" {
#endif

/* The ruleset's expressions in database order; owned by the ruleset. */
size_t bench_patterns(const aupf_ruleset *rs, bench_pattern *out, size_t cap);
/* Expression i in database order; 0, or -1 when out of range. */
int bench_pattern_at(const aupf_ruleset *rs, size_t i, bench_pattern *out);
/* The flags of rule i as the packs set them. */
unsigned bench_rule_flags(const aupf_ruleset *rs, size_t rule);
/* The rule's unless patterns as written. */
const char *bench_rule_unless(const aupf_ruleset *rs, size_t rule, size_t u);
/* Hyperscan's version string. */
const char *bench_hs_version(void);
/* Bytes of the trigger databases. */
size_t bench_db_bytes(const aupf_ruleset *rs);

/* The normalized view of every document (copies, owned by out). */
int bench_normalize_corpus(const bench_corpus *in, bench_corpus *out);

/* Hyperscan scratch fitting a ruleset's trigger databases, made once per
 * ruleset so that a pass does not pay for it (the library's scanner
 * keeps its own too). NULL when it cannot be made. */
typedef struct hs_scratch bench_hs_scratch;
bench_hs_scratch *bench_hs_scratch_new(const aupf_ruleset *rs);
void bench_hs_scratch_free(bench_hs_scratch *scratch);

/* One pass of hs_scan over every document with the ruleset's trigger
 * database, and the triggers split out for text that is not ASCII over the
 * documents that are not (as the library does), with a callback that only
 * counts. Returns 0, or -1 on error;
 * *matches gets the number of callbacks. */
int bench_hs_scan(const aupf_ruleset *rs, bench_hs_scratch *scratch, const bench_corpus *c,
                  size_t *matches);
/* Hyperscan alone on the ruleset's streaming database, called as a stream
 * write calls it: every view streamed in `chunk`-byte hs_scan_stream calls
 * (SIZE_MAX: the whole view in one call), with a callback that only counts,
 * at most max_calls calls. Gives the median and 99th percentile ns of a call
 * and MB/s of view over the calls' time. Returns 0, or -1 on error. */
int bench_hs_stream_latency(aupf_ruleset *rs, const bench_corpus *view, size_t chunk,
                            size_t max_calls, double *median_ns, double *p99_ns, double *mbps);
/* Per document, an order-free hash of the rules for `role` whose trigger
 * matched (to compare the baselines with the engine). */
int bench_hs_rule_hashes(const aupf_ruleset *rs, const bench_corpus *c, unsigned role,
                         uint64_t *hash);

/* Order-free combination used by every engine's rule hashes. */
static inline uint64_t bench_rule_mix(size_t rule) {
    uint64_t x = (uint64_t)rule + 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

#ifdef __cplusplus
}
#endif
#endif
