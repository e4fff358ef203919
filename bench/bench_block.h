/* The block section: one core, the library, the command line end to end,
 * the hs_scan and memory-read ceilings and the PCRE2-JIT and RE2::Set
 * baselines on the same documents, interleaved run by run. */
#ifndef AUPF_BENCH_BLOCK_H
#define AUPF_BENCH_BLOCK_H

#include "aupfilter.h"
#include "bench_options.h"
#include "bench_report.h"
#include "bench_util.h"

/* cache_dir: where the command line and the unnormalized ruleset find
 * their compiled rules (NULL: the configured cache); tmp: a folder for the
 * corpus as JSONL. Returns 0, or -1. */
int bench_measure_block(const bench_options *o, aupf_ruleset *rs, const bench_corpus *c,
                        const bench_corpus *view, const char *cache_dir, const char *tmp,
                        bench_progress *pg, bench_report *rep);

#endif
