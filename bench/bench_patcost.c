/* Per-expression scan cost (bench_patcost.h). */
#include "bench_patcost.h"

#include "bench_raw.h"

#include <hs/hs.h>
#include <stdlib.h>

static int count(unsigned id, unsigned long long from, unsigned long long to, unsigned fl,
                 void *ctx) {
    (void)id;
    (void)from;
    (void)to;
    (void)fl;
    ++*(size_t *)ctx;
    return 0;
}

static int costlier(const void *a, const void *b) {
    double x = ((const bench_pattern_cost *)a)->seconds.median;
    double y = ((const bench_pattern_cost *)b)->seconds.median;
    return (x < y) - (x > y);
}

/* One expression alone: compile, `runs` passes. Returns 0 or -1. */
static int measure(const bench_pattern *p, const bench_corpus *view, int runs, bench_clock clock,
                   double *t, bench_pattern_cost *out) {
    hs_database_t *db = NULL;
    hs_compile_error_t *err = NULL;
    hs_scratch_t *scratch = NULL;
    if (hs_compile(p->expr, p->flags, HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS) {
        hs_free_compile_error(err);
        return -1;
    }
    int st = hs_alloc_scratch(db, &scratch) == HS_SUCCESS ? 0 : -1;
    for (int r = 0; st == 0 && r < runs; r++) {
        size_t m = 0;
        double t0 = bench_clock_s(clock);
        for (size_t i = 0; st == 0 && i < view->count; i++)
            if (hs_scan(db, view->text[i], (unsigned)view->len[i], 0, scratch, count, &m) !=
                HS_SUCCESS)
                st = -1;
        t[r] = bench_clock_s(clock) - t0;
        out->matches = m;
    }
    if (st == 0)
        out->seconds = bench_summarize(t, runs);
    hs_free_scratch(scratch);
    hs_free_database(db);
    return st;
}

size_t bench_pattern_costs(const aupf_ruleset *rs, const bench_corpus *view, int runs,
                           bench_clock clock, bench_progress *pg, bench_pattern_cost *out, size_t n,
                           double *total_s) {
    size_t np = bench_patterns(rs, NULL, 0);
    bench_pattern *p = calloc(np ? np : 1, sizeof *p);
    bench_pattern_cost *all = calloc(np ? np : 1, sizeof *all);
    double *t = calloc((size_t)runs, sizeof *t);
    size_t filled = 0;
    *total_s = 0;
    if (p && all && t) {
        bench_patterns(rs, p, np);
        size_t k = 0;
        for (size_t i = 0; i < np; i++) {
            bench_progress_note(pg, "patterns: %zu of %zu alone", i + 1, np);
            all[k].pattern = i;
            if (measure(&p[i], view, runs, clock, t, &all[k]) == 0)
                *total_s += all[k++].seconds.median;
        }
        qsort(all, k, sizeof *all, costlier);
        for (; filled < n && filled < k; filled++)
            out[filled] = all[filled];
    }
    free(p);
    free(all);
    free(t);
    return filled;
}
