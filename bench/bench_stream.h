#ifndef AUPF_BENCH_STREAM_H
#define AUPF_BENCH_STREAM_H

#include "aupfilter.h"
#include "bench_util.h"

#include <stddef.h>

/* Per-call latency of aupf_stream_write with chunks of `chunk` bytes, at
 * most max_calls calls. quantiles (may be NULL) gets nq latencies at evenly
 * spaced quantiles 0..1, for the distribution. */
int bench_chunk_latency(aupf_ruleset *rs, const bench_corpus *c, size_t chunk, size_t max_calls,
                        double *median_ns, double *p99_ns, double *mbps, double *quantiles,
                        size_t nq);
/* nstreams open at once, each fed a document: the library's own count of
 * state per stream and the resident memory each adds. */
int bench_stream_memory(aupf_ruleset *rs, const bench_corpus *c, size_t nstreams,
                        double *state_bytes, double *rss_bytes_per_stream);
/* Block-scan MB/s with `threads` threads sharing the ruleset; *cores (may
 * be NULL) gets the CPU time the process got per second of the run, which
 * tells a busy machine from a lack of scaling. */
double bench_threads(aupf_ruleset *rs, const bench_corpus *c, int threads, double *cores);

#endif
