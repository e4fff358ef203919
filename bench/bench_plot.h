/* PNG charts with gnuplot: the data (.dat) and script (.gp) are written to
 * the output folder and gnuplot renders them there. */
#ifndef AUPF_BENCH_PLOT_H
#define AUPF_BENCH_PLOT_H

#include "bench_scale.h"
#include "bench_util.h"

/* 1 when gnuplot can be run. */
int bench_plot_available(void);

/* Each returns 0 when the PNG was written, -1 otherwise. */
/* MB/s vs rules: raw hs_scan and aupf_scan of the synthetic rulesets, and
 * the configured ruleset as its own points (base; may be NULL). */
int bench_plot_scaling(const char *dir, const bench_scale_row *rows, size_t n,
                       const bench_scale_row *base);
/* MB/s vs threads with min/max bars and the linear ideal. */
int bench_plot_threads(const char *dir, const int *threads, const bench_stats *mbps, size_t n);
/* Distribution of per-call stream latency: for each chunk size, nq
 * latencies (ns) at evenly spaced quantiles 0..1. */
int bench_plot_latency(const char *dir, const size_t *chunks, const double *const *quantiles,
                       size_t k, size_t nq);

#endif
