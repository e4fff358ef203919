/* aupfilter-bench's command line. */
#ifndef AUPF_BENCH_OPTIONS_H
#define AUPF_BENCH_OPTIONS_H

#include "bench_report.h"
#include "bench_util.h"

enum {
    S_STARTUP = BENCH_SECTION_STARTUP,
    S_BLOCK = BENCH_SECTION_BLOCK,
    S_STREAM = BENCH_SECTION_STREAM,
    S_THREADS = BENCH_SECTION_THREADS,
    S_SCALING = BENCH_SECTION_SCALING,
    S_PATTERNS = BENCH_SECTION_PATTERNS,
    S_ALL = 31 /* patterns only on request */
};

typedef struct {
    const char *config, *corpus, *out_dir, *json, *cli;
    int runs, quick, max_threads, sections;
    bench_clock clock;
    size_t max_docs, scale[BENCH_MAX_SCALE], nscale;
} bench_options;

void bench_usage(void);
/* Returns 0, or -1 on a bad argument. */
int bench_parse_options(int argc, char **argv, bench_options *o);

#endif
