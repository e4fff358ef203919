/* Per-expression scan cost (bench_patcost.h). */
#include "bench_patcost.h"

#include "bench_raw.h"

#include <hs/hs.h>
#include <stdlib.h>
#include <string.h>

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

/* `runs` passes of db over the view. */
static int time_db(const hs_database_t *db, const bench_corpus *view, int runs, bench_clock clock,
                   bench_stats *s, size_t *matches) {
    hs_scratch_t *scratch = NULL;
    double *t = calloc((size_t)runs, sizeof *t);
    int st = t && hs_alloc_scratch(db, &scratch) == HS_SUCCESS ? 0 : -1;
    for (int r = -1; st == 0 && r < runs; r++) { /* run -1 warms up */
        size_t m = 0;
        double t0 = bench_clock_s(clock);
        for (size_t i = 0; st == 0 && i < view->count; i++)
            if (hs_scan(db, view->text[i], (unsigned)view->len[i], 0, scratch, count, &m) !=
                HS_SUCCESS)
                st = -1;
        if (r >= 0)
            t[r] = bench_clock_s(clock) - t0;
        *matches = m;
    }
    if (st == 0)
        *s = bench_summarize(t, runs);
    hs_free_scratch(scratch);
    free(t);
    return st;
}

static int compile_set(const bench_pattern *p, size_t n, hs_database_t **db) {
    const char **expr = calloc(n ? n : 1, sizeof *expr);
    unsigned *flags = calloc(n ? n : 1, sizeof *flags), *ids = calloc(n ? n : 1, sizeof *ids);
    hs_compile_error_t *err = NULL;
    int st = expr && flags && ids ? 0 : -1;
    for (size_t i = 0; st == 0 && i < n; i++) {
        expr[i] = p[i].expr;
        flags[i] = p[i].flags;
        ids[i] = (unsigned)i;
    }
    if (st == 0 && hs_compile_multi(expr, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL, db, &err) !=
                       HS_SUCCESS) {
        hs_free_compile_error(err);
        st = -1;
    }
    free(expr);
    free(flags);
    free(ids);
    return st;
}

int bench_distinct_expressions(const aupf_ruleset *rs, const bench_corpus *view, int runs,
                               bench_clock clock, bench_progress *pg, bench_distinct *out) {
    size_t np = bench_patterns(rs, NULL, 0), nd = 0;
    bench_pattern *p = calloc(np ? np : 1, sizeof *p), *d = calloc(np ? np : 1, sizeof *d);
    hs_database_t *all = NULL, *distinct = NULL;
    int st = p && d ? 0 : -1;
    if (st == 0) {
        bench_patterns(rs, p, np);
        for (size_t i = 0; i < np; i++) { /* quadratic, but a ruleset has few */
            size_t j = 0;
            while (j < nd && !(d[j].flags == p[i].flags && strcmp(d[j].expr, p[i].expr) == 0))
                j++;
            if (j == nd)
                d[nd++] = p[i];
        }
        *out = (bench_distinct){.expressions = np, .distinct = nd};
        bench_progress_note(pg, "patterns: compiling all %zu and the %zu distinct expressions", np,
                            nd);
        st = compile_set(p, np, &all) == 0 && compile_set(d, nd, &distinct) == 0 ? 0 : -1;
    }
    if (st == 0) {
        bench_progress_note(pg, "patterns: scanning with each database");
        st = time_db(all, view, runs, clock, &out->all_s, &out->all_matches) == 0 &&
                     time_db(distinct, view, runs, clock, &out->distinct_s,
                             &out->distinct_matches) == 0
                 ? 0
                 : -1;
    }
    hs_free_database(all);
    hs_free_database(distinct);
    free(p);
    free(d);
    return st;
}
