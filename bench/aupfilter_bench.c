/* aupfilter-bench: startup, block throughput (library, end to end, the
 * hs_scan and memory-read ceilings, the PCRE2-JIT and RE2::Set baselines),
 * streaming latency and state, threads, and rule-count scaling, on real
 * text. Every figure is the median of repeated runs with min and max;
 * ratios are taken run by run inside one invocation. */
#include "aupfilter.h"
#include "bench_block.h"
#include "bench_options.h"
#include "bench_patcost.h"
#include "bench_plot.h"
#include "bench_raw.h"
#include "bench_report.h"
#include "bench_scale.h"
#include "bench_stream.h"
#include "bench_util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_THREAD_STEPS BENCH_MAX_THREAD_STEPS
#define LATENCY_POINTS   1000

/* Startup: cold compile (no cache) and warm load from a cache filled once. */
static int measure_startup(const bench_options *o, const char *cache_dir, bench_progress *pg,
                           bench_report *rep, aupf_ruleset **out) {
    double *cold = calloc((size_t)o->runs, sizeof *cold);
    double *cold_cpu = calloc((size_t)o->runs, sizeof *cold_cpu);
    double *warm = calloc((size_t)o->runs, sizeof *warm);
    aupf_ruleset *rs = NULL;
    int st = cold && cold_cpu && warm ? AUPF_OK : AUPF_E_NOMEM;
    aupf_load_options cold_opts = {.no_cache = 1}, warm_opts = {.cache_dir = cache_dir};
    for (int r = 0; st == AUPF_OK && r < o->runs; r++) {
        bench_progress_note(pg, "startup: cold compile %d/%d", r + 1, o->runs);
        /* compilation runs on several threads: wall clock and their CPU */
        double t0 = bench_now_s(), c0 = bench_process_cpu_s();
        if ((st = aupf_ruleset_load(o->config, &cold_opts, NULL, NULL, &rs)) != AUPF_OK)
            break;
        cold[r] = (bench_now_s() - t0) * 1e3;
        cold_cpu[r] = (bench_process_cpu_s() - c0) * 1e3;
        aupf_ruleset_release(rs);
        if (r == 0 && (st = aupf_ruleset_load(o->config, &warm_opts, NULL, NULL, &rs)) == AUPF_OK)
            aupf_ruleset_release(rs); /* fills the cache */
        t0 = bench_clock_s(o->clock);
        if (st != AUPF_OK ||
            (st = aupf_ruleset_load(o->config, &warm_opts, NULL, NULL, &rs)) != AUPF_OK)
            break;
        warm[r] = (bench_clock_s(o->clock) - t0) * 1e3;
        if (!aupf_ruleset_from_cache(rs))
            fprintf(stderr, "aupfilter-bench: warm load did not use the cache\n");
        if (r + 1 < o->runs)
            aupf_ruleset_release(rs);
    }
    if (st == AUPF_OK) {
        rep->cold_ms = bench_summarize(cold, o->runs);
        rep->cold_cpu_ms = bench_summarize(cold_cpu, o->runs);
        rep->warm_ms = bench_summarize(warm, o->runs);
        *out = rs;
    }
    free(cold);
    free(cold_cpu);
    free(warm);
    return st;
}

static const size_t CHUNKS[BENCH_CHUNK_SIZES] = {4, 16, 64};

/* Hyperscan alone on the views, chunked as the stream writes were: what
 * the engine's own work adds is the difference. med, p99 and rate hold a
 * figure per run. */
static int measure_stream_hs(const bench_options *o, aupf_ruleset *rs, const bench_corpus *view,
                             size_t max_calls, bench_progress *pg, bench_report *rep, double *med,
                             double *p99, double *rate) {
    int st = 0;
    for (int k = 0; st == 0 && k <= BENCH_CHUNK_SIZES; k++) {
        size_t chunk = k < BENCH_CHUNK_SIZES ? CHUNKS[k] : SIZE_MAX;
        for (int r = 0; st == 0 && r < o->runs; r++) {
            bench_progress_note(pg, "streaming: Hyperscan alone, chunk %d/%d, run %d/%d", k + 1,
                                BENCH_CHUNK_SIZES + 1, r + 1, o->runs);
            st = bench_hs_stream_latency(rs, view, chunk, max_calls, &med[r], &p99[r], &rate[r]);
        }
        rep->hs_chunk_median_ns[k] = bench_summarize(med, o->runs);
        rep->hs_chunk_p99_ns[k] = bench_summarize(p99, o->runs);
        rep->hs_chunk_mbps[k] = bench_summarize(rate, o->runs);
    }
    rep->has_hs_chunks = st == 0;
    return st;
}

static int measure_stream(const bench_options *o, aupf_ruleset *rs, const bench_corpus *c,
                          const bench_corpus *view, bench_progress *pg, bench_report *rep,
                          double **quantiles) {
    size_t max_calls = o->quick ? 20000 : 2000000;
    double *med = calloc((size_t)o->runs, sizeof *med), *p99 = calloc((size_t)o->runs, sizeof *p99);
    double *rate = calloc((size_t)o->runs, sizeof *rate);
    int st = med && p99 && rate ? 0 : -1;
    for (int k = 0; st == 0 && k < BENCH_CHUNK_SIZES; k++) {
        for (int r = 0; st == 0 && r < o->runs; r++) {
            bench_progress_note(pg, "streaming: %zu-byte chunks, run %d/%d", CHUNKS[k], r + 1,
                                o->runs);
            st = bench_chunk_latency(rs, c, CHUNKS[k], max_calls, &med[r], &p99[r], &rate[r],
                                     r == 0 ? quantiles[k] : NULL, LATENCY_POINTS);
        }
        rep->chunk[k] = CHUNKS[k];
        rep->chunk_median_ns[k] = bench_summarize(med, o->runs);
        rep->chunk_p99_ns[k] = bench_summarize(p99, o->runs);
        rep->chunk_mbps[k] = bench_summarize(rate, o->runs);
    }
    if (st == 0)
        st = measure_stream_hs(o, rs, view, max_calls, pg, rep, med, p99, rate);
    bench_progress_note(pg, "streaming: state of open streams");
    if (st == 0)
        st = bench_stream_memory(rs, c, o->quick ? 2000 : 100000, &rep->stream_state,
                                 &rep->stream_rss);
    free(med);
    free(p99);
    free(rate);
    return st;
}

static void measure_threads(const bench_options *o, aupf_ruleset *rs, const bench_corpus *c,
                            bench_progress *pg, bench_report *rep) {
    int steps[MAX_THREAD_STEPS], n = 0;
    for (int t = 1; t <= o->max_threads && n < MAX_THREAD_STEPS; t = t < 4 ? t + 1 : t * 2)
        steps[n++] = t;
    if (steps[n - 1] != o->max_threads && n < MAX_THREAD_STEPS)
        steps[n++] = o->max_threads;
    double *v = calloc((size_t)(n * o->runs), sizeof *v);
    double *cores = calloc((size_t)(n * o->runs), sizeof *cores);
    double *ratio = calloc((size_t)o->runs, sizeof *ratio);
    if (!v || !cores || !ratio) {
        free(v);
        free(cores);
        free(ratio);
        return;
    }
    bench_threads(rs, c, steps[n - 1], NULL); /* warm-up: every thread's first scans */
    for (int r = 0; r < o->runs; r++)
        for (int i = 0; i < n; i++) {
            bench_progress_note(pg, "threads: %d, run %d/%d", steps[i], r + 1, o->runs);
            v[i * o->runs + r] = bench_threads(rs, c, steps[i], &cores[i * o->runs + r]);
        }
    rep->thread_steps = (size_t)n;
    for (int i = 0; i < n; i++) {
        for (int r = 0; r < o->runs; r++)
            ratio[r] = v[i * o->runs + r] / v[r]; /* against 1 thread in the same run */
        rep->threads[i] = steps[i];
        rep->thread_speedup[i] = bench_summarize(ratio, o->runs);
        rep->thread_mbps[i] = bench_summarize(v + i * o->runs, o->runs);
        rep->thread_cores[i] = bench_summarize(cores + i * o->runs, o->runs);
    }
    free(v);
    free(cores);
    free(ratio);
}

static void make_plots(const char *out, const bench_report *rep, double **quantiles);

/* The configured rules first, measured the same way, then each size;
 * rows are printed and saved as they come (the large sizes compile for
 * a long time). */
static void measure_scaling(const bench_options *o, aupf_ruleset *rs, const bench_corpus *c,
                            const bench_corpus *view, const char *tmp, bench_progress *pg,
                            bench_report *rep, const char *json, double **quantiles) {
    bench_report_print_scale_head(stdout);
    bench_scale_row *base = &rep->scale_base;
    /* its compile time is known when startup was measured (otherwise the
     * ruleset may have come from the cache) */
    base->compile_ms = (rep->done & S_STARTUP) ? rep->cold_ms.median : -1;
    base->compile_cpu_ms = (rep->done & S_STARTUP) ? rep->cold_cpu_ms.median : -1;
    if (bench_scale_measure_ruleset(rs, c, view, o->runs, o->clock, pg, base) != AUPF_OK)
        return;
    bench_progress_clear(pg);
    bench_report_print_scale_row(stdout, base, "(configured)");
    rep->done |= S_SCALING;
    for (size_t i = 0; i < o->nscale; i++) {
        char dir[4200], cmd[4300];
        snprintf(dir, sizeof dir, "%s/scale-%zu", tmp, o->scale[i]);
        bench_scale_row *row = &rep->scale[rep->nscale];
        *row = (bench_scale_row){.rules = o->scale[i]};
        bench_progress_note(pg, "scaling: writing and compiling %zu rules", o->scale[i]);
        int st = mkdir(dir, 0700) == 0 ? bench_scale_write(o->config, rs, o->scale[i], dir) : -1;
        if (st == 0)
            st = bench_scale_measure(dir, c, view, o->runs, o->clock, pg, row);
        bench_progress_clear(pg);
        if (st == 0) {
            rep->nscale++;
            bench_report_print_scale_row(stdout, row, "");
            bench_report_json(rep, json);
            make_plots(o->out_dir, rep, quantiles);
        } else {
            fprintf(stderr, "aupfilter-bench: scaling to %zu rules failed (%s)\n", o->scale[i],
                    st < 0 && st >= -10 ? aupf_strerror(st) : "cannot write the packs");
        }
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "aupfilter-bench: could not remove %s\n", dir);
    }
}

static void make_plots(const char *out, const bench_report *rep, double **quantiles) {
    static int warned;
    if (!bench_plot_available()) {
        if (!warned++)
            fprintf(stderr, "aupfilter-bench: gnuplot not found; no charts\n");
        return;
    }
    int bad = 0;
    if (rep->done & BENCH_SECTION_SCALING)
        bad |= bench_plot_scaling(out, rep->scale, rep->nscale, &rep->scale_base);
    if (rep->done & BENCH_SECTION_THREADS) {
        int threads[MAX_THREAD_STEPS];
        for (size_t i = 0; i < rep->thread_steps; i++)
            threads[i] = rep->threads[i];
        bad |= bench_plot_threads(out, threads, rep->thread_mbps, rep->thread_steps);
    }
    if (rep->done & BENCH_SECTION_STREAM) {
        const double *q[BENCH_CHUNK_SIZES] = {quantiles[0], quantiles[1], quantiles[2]};
        bad |= bench_plot_latency(out, rep->chunk, q, BENCH_CHUNK_SIZES, LATENCY_POINTS);
    }
    if (bad)
        fprintf(stderr, "aupfilter-bench: some charts could not be drawn in %s\n", out);
}

/* After each section: its table, the JSON so far, the charts so far. */
static void section_done(const bench_options *o, bench_report *rep, int section, const char *json,
                         double **quantiles, bench_progress *pg) {
    bench_progress_clear(pg);
    rep->done |= section;
    bench_report_print_section(stdout, rep, section);
    if (bench_report_json(rep, json) != 0)
        fprintf(stderr, "aupfilter-bench: cannot write %s\n", json);
    make_plots(o->out_dir, rep, quantiles);
}

int main(int argc, char **argv) {
    bench_options o;
    if (bench_parse_options(argc, argv, &o) != 0) {
        bench_usage();
        return 2;
    }
    bench_progress pg;
    bench_progress_init(&pg);
    bench_corpus c = {0}, view = {0};
    if (bench_corpus_load(o.corpus, o.max_docs, &c) != 0 || c.count == 0) {
        fprintf(stderr, "aupfilter-bench: cannot read corpus %s\n", o.corpus);
        return 2;
    }
    if (bench_normalize_corpus(&c, &view) != 0) {
        fprintf(stderr, "aupfilter-bench: cannot normalize the corpus\n");
        return 3;
    }
    if (mkdir(o.out_dir, 0755) != 0 && access(o.out_dir, W_OK) != 0) {
        fprintf(stderr, "aupfilter-bench: cannot write to %s\n", o.out_dir);
        return 2;
    }
    char tmp[] = "/tmp/aupf-bench-XXXXXX", cache_dir[64];
    if (!mkdtemp(tmp))
        return 3;
    snprintf(cache_dir, sizeof cache_dir, "%s/cache", tmp);
    mkdir(cache_dir, 0700);

    bench_report rep = {.config = o.config,
                        .corpus = o.corpus,
                        .documents = c.count,
                        .bytes = c.bytes,
                        .view_bytes = view.bytes,
                        .runs = o.runs,
                        .quick = o.quick,
                        .clock = o.clock};
    double *quantiles[BENCH_CHUNK_SIZES];
    for (int k = 0; k < BENCH_CHUNK_SIZES; k++)
        quantiles[k] = calloc(LATENCY_POINTS, sizeof(double));
    /* startup measures need a cache of their own; otherwise the configured
     * cache (and the command line's) saves a compile */
    const char *cache = (o.sections & S_STARTUP) ? cache_dir : NULL;
    aupf_ruleset *rs = NULL;
    int st;
    if (o.sections & S_STARTUP) {
        st = measure_startup(&o, cache_dir, &pg, &rep, &rs);
    } else {
        aupf_load_options opts = {.cache_dir = NULL};
        bench_progress_note(&pg, "loading %s", o.config);
        st = aupf_ruleset_load(o.config, &opts, NULL, NULL, &rs);
    }
    if (st != AUPF_OK) {
        bench_progress_clear(&pg);
        fprintf(stderr, "aupfilter-bench: cannot load %s: %s\n", o.config, aupf_strerror(st));
        return 2;
    }
    rep.rules = aupf_ruleset_rule_count(rs);
    rep.ruleset = aupf_ruleset_hash(rs);
    rep.patterns = bench_patterns(rs, NULL, 0);
    rep.db_bytes = bench_db_bytes(rs);
    rep.holdback = aupf_ruleset_holdback(rs);
    char json[4200];
    if (o.json)
        snprintf(json, sizeof json, "%s", o.json);
    else
        snprintf(json, sizeof json, "%s/bench.json", o.out_dir);
    bench_progress_clear(&pg);
    bench_report_print_header(stdout, &rep);
    if (o.sections & S_STARTUP)
        section_done(&o, &rep, S_STARTUP, json, quantiles, &pg);
    int failed = 0;
    if (o.sections & S_BLOCK) {
        failed |= bench_measure_block(&o, rs, &c, &view, cache, tmp, &pg, &rep) != 0;
        section_done(&o, &rep, S_BLOCK, json, quantiles, &pg);
    }
    if (o.sections & S_STREAM) {
        failed |= measure_stream(&o, rs, &c, &view, &pg, &rep, quantiles) != 0;
        section_done(&o, &rep, S_STREAM, json, quantiles, &pg);
    }
    if (o.sections & S_THREADS) {
        measure_threads(&o, rs, &c, &pg, &rep);
        section_done(&o, &rep, S_THREADS, json, quantiles, &pg);
    }
    if (o.sections & S_PATTERNS) {
        rep.ntop = bench_pattern_costs(rs, &view, o.runs, o.clock, &pg, rep.top, BENCH_TOP_PATTERNS,
                                       &rep.patterns_total_s);
        for (size_t i = 0; i < rep.ntop; i++) {
            bench_pattern p;
            aupf_rule_info ri;
            bench_pattern_at(rs, rep.top[i].pattern, &p);
            aupf_ruleset_rule_info(rs, p.rule, &ri);
            rep.top_rule[i] = ri.id;
            rep.top_expr[i] = p.expr;
            rep.top_trigger[i] = p.trigger;
        }
        rep.has_distinct =
            bench_distinct_expressions(rs, &view, o.runs, o.clock, &pg, &rep.distinct) == 0;
        section_done(&o, &rep, S_PATTERNS, json, quantiles, &pg);
    }
    if (o.sections & S_SCALING)
        measure_scaling(&o, rs, &c, &view, tmp, &pg, &rep, json, quantiles);
    bench_progress_clear(&pg);
    if (bench_report_json(&rep, json) != 0) {
        fprintf(stderr, "aupfilter-bench: cannot write %s\n", json);
        failed = 1;
    }
    printf("\nresults: %s (JSON), charts in %s\n", json, o.out_dir);

    aupf_ruleset_release(rs);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "aupfilter-bench: could not remove %s\n", tmp);
    for (int k = 0; k < BENCH_CHUNK_SIZES; k++)
        free(quantiles[k]);
    bench_corpus_free(&c);
    bench_corpus_free(&view);
    return failed ? 1 : 0;
}
