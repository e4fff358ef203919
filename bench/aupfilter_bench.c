/* aupfilter-bench: startup, block throughput (library, end to end, the
 * hs_scan and memory-read ceilings, the PCRE2-JIT and RE2::Set baselines),
 * streaming latency and state, threads, and rule-count scaling, on real
 * text. Every figure is the median of repeated runs with min and max;
 * ratios are taken run by run inside one invocation. */
#include "aupfilter.h"
#include "bench_e2e.h"
#include "bench_patcost.h"
#include "bench_pcre2.h"
#include "bench_plot.h"
#include "bench_raw.h"
#include "bench_re2.h"
#include "bench_report.h"
#include "bench_scale.h"
#include "bench_stream.h"
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SCALE        BENCH_MAX_SCALE
#define MAX_THREAD_STEPS BENCH_MAX_THREAD_STEPS
#define LATENCY_POINTS   1000

enum {
    S_STARTUP = BENCH_SECTION_STARTUP,
    S_BLOCK = BENCH_SECTION_BLOCK,
    S_STREAM = BENCH_SECTION_STREAM,
    S_THREADS = BENCH_SECTION_THREADS,
    S_SCALING = BENCH_SECTION_SCALING,
    S_PATTERNS = BENCH_SECTION_PATTERNS,
    S_ALL = 31 /* patterns only on request */
};
static const char *const SECTION_NAMES[] = {"startup", "block",   "stream",
                                            "threads", "scaling", "patterns"};

typedef struct {
    const char *config, *corpus, *out_dir, *json, *cli;
    int runs, quick, max_threads, sections;
    bench_clock clock;
    size_t max_docs, scale[MAX_SCALE], nscale;
} options;

static void usage(void) {
    fprintf(stderr,
            "usage: aupfilter-bench [--config FILE] [--corpus JSONL] [--runs N] [--out DIR]\n"
            "                       [--json FILE] [--max-docs N] [--scale N,N,...|none]\n"
            "                       [--threads N] [--cli PATH] [--only SECTION,...]\n"
            "                       [--clock cpu|wall] [--quick]\n"
            "sections: startup, block, stream, threads, scaling (default: these), and\n"
            "patterns (each expression alone, the costliest first)\n");
}

static int parse_sections(const char *s, options *o) {
    o->sections = 0;
    while (*s) {
        size_t n = strcspn(s, ",");
        int found = 0;
        for (int i = 0; i < 6; i++)
            if (strlen(SECTION_NAMES[i]) == n && strncmp(s, SECTION_NAMES[i], n) == 0)
                o->sections |= 1 << i, found = 1;
        if (!found)
            return -1;
        s += n + (s[n] == ',');
    }
    return o->sections ? 0 : -1;
}

static int parse_scale(const char *s, options *o) {
    o->nscale = 0;
    if (strcmp(s, "none") == 0)
        return 0;
    while (*s && o->nscale < MAX_SCALE) {
        char *end;
        unsigned long long v = strtoull(s, &end, 10);
        if (end == s || v == 0)
            return -1;
        o->scale[o->nscale++] = (size_t)v;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return -1;
    }
    return 0;
}

static int parse_options(int argc, char **argv, options *o) {
    *o = (options){.config = AUPF_SOURCE_CONFIG,
                   .corpus = AUPF_DEFAULT_CORPUS,
                   .out_dir = AUPF_DEFAULT_OUT,
                   .cli = AUPF_CLI,
                   .runs = 5,
                   .sections = S_ALL,
                   .max_threads = (int)sysconf(_SC_NPROCESSORS_ONLN),
                   .scale = {1000, 5000, 20000},
                   .nscale = 3};
    int runs_given = 0, scale_given = 0, docs_given = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--quick") == 0) {
            o->quick = 1;
            continue;
        }
        if (!v)
            return -1;
        i++;
        if (strcmp(a, "--config") == 0)
            o->config = v;
        else if (strcmp(a, "--corpus") == 0)
            o->corpus = v;
        else if (strcmp(a, "--out") == 0)
            o->out_dir = v;
        else if (strcmp(a, "--json") == 0)
            o->json = v;
        else if (strcmp(a, "--cli") == 0)
            o->cli = v;
        else if (strcmp(a, "--runs") == 0)
            runs_given = 1, o->runs = atoi(v);
        else if (strcmp(a, "--max-docs") == 0)
            docs_given = 1, o->max_docs = (size_t)strtoull(v, NULL, 10);
        else if (strcmp(a, "--only") == 0) {
            if (parse_sections(v, o) != 0)
                return -1;
        } else if (strcmp(a, "--clock") == 0) {
            if (strcmp(v, "cpu") != 0 && strcmp(v, "wall") != 0)
                return -1;
            o->clock = strcmp(v, "cpu") == 0 ? BENCH_CLOCK_CPU : BENCH_CLOCK_WALL;
        } else if (strcmp(a, "--threads") == 0)
            o->max_threads = atoi(v);
        else if (strcmp(a, "--scale") == 0) {
            scale_given = 1;
            if (parse_scale(v, o) != 0)
                return -1;
        } else
            return -1;
    }
    if (o->quick) { /* every part once, briefly: a smoke run, not a measurement */
        if (!runs_given)
            o->runs = 1;
        if (!docs_given)
            o->max_docs = 500;
        if (!scale_given) {
            o->scale[0] = 20;
            o->scale[1] = 60;
            o->nscale = 2;
        }
        if (o->max_threads > 2)
            o->max_threads = 2;
    }
    if (o->runs < 1 || o->runs > 1000 || o->max_threads < 1 || o->max_threads > 256)
        return -1;
    return 0;
}

/* Startup: cold compile (no cache) and warm load from a cache filled once. */
static int measure_startup(const options *o, const char *cache_dir, bench_progress *pg,
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

static double scan_pass(aupf_scanner *s, const bench_corpus *c, bench_clock k, size_t *flagged) {
    size_t f = 0;
    double t0 = bench_clock_s(k);
    for (size_t i = 0; i < c->count; i++) {
        const aupf_result *res;
        if (aupf_scan(s, AUPF_ROLE_PROMPT, c->text[i], c->len[i], &res) == AUPF_OK)
            f += (size_t)aupf_result_flagged(res);
    }
    double dt = bench_clock_s(k) - t0;
    if (flagged)
        *flagged = f;
    return dt;
}

static double memory_pass(const bench_corpus *c, bench_clock clk) {
    unsigned long acc = 0;
    double t0 = bench_clock_s(clk);
    for (size_t i = 0; i < c->count; i++)
        for (size_t k = 0; k < c->len[i]; k++)
            acc += (unsigned char)c->text[i][k];
    volatile unsigned long sink = acc; /* keeps the loop */
    (void)sink;
    return bench_clock_s(clk) - t0;
}

/* Documents whose matched-rule set differs from Hyperscan's. */
static size_t disagreements(const uint64_t *a, const uint64_t *hs, size_t n) {
    size_t d = 0;
    for (size_t i = 0; i < n; i++)
        d += a[i] != hs[i];
    return d;
}

static double mbps(size_t bytes, double seconds) {
    return seconds > 0 ? (double)bytes / seconds / 1e6 : 0;
}

typedef int (*pass_fn)(void *ctx);

/* Seconds of one pass, or -1 when it failed. */
static double timed(bench_clock k, pass_fn fn, void *ctx) {
    double t0 = bench_clock_s(k);
    return fn(ctx) == 0 ? bench_clock_s(k) - t0 : -1.0;
}

typedef struct {
    const aupf_ruleset *rs;
    const bench_corpus *view;
    bench_pcre2 *pc;
    bench_re2 *re;
    uint64_t *hash;
    size_t count; /* callbacks or errors */
} pass_ctx;

static int hs_pass(void *p) {
    pass_ctx *x = p;
    return bench_hs_scan(x->rs, x->view, &x->count);
}
static int pcre2_pass(void *p) {
    pass_ctx *x = p;
    return bench_pcre2_run(x->pc, x->view, x->hash, &x->count);
}
static int re2_pass(void *p) {
    pass_ctx *x = p;
    return bench_re2_run(x->re, x->view, x->hash, &x->count);
}

/* Block throughput on one core: every measure once per run, interleaved,
 * and the ratios of each run. MB/s are of the documents' own text; hs_scan
 * and the baselines scan their normalized view (the same text for 96% of
 * the chat corpus), so every ratio is a ratio of times. */
static int measure_block(const options *o, aupf_ruleset *rs, const bench_corpus *c,
                         const bench_corpus *view, const char *cache_dir, const char *tmp,
                         bench_progress *pg, bench_report *rep) {
    aupf_scanner *s = NULL, *s_raw = NULL;
    aupf_ruleset *rs_raw = NULL;
    aupf_load_options raw_opts = {.cache_dir = cache_dir, .no_normalize = 1};
    bench_progress_note(pg, "block: loading the ruleset without normalization");
    if (aupf_scanner_new(rs, &s) != AUPF_OK ||
        aupf_ruleset_load(o->config, &raw_opts, NULL, NULL, &rs_raw) != AUPF_OK ||
        aupf_scanner_new(rs_raw, &s_raw) != AUPF_OK)
        return -1;
    size_t npat = bench_patterns(rs, NULL, 0);
    bench_pattern *pats = calloc(npat ? npat : 1, sizeof *pats);
    uint64_t *h_hs = calloc(view->count + 1, sizeof *h_hs);
    uint64_t *h_pc = calloc(view->count + 1, sizeof *h_pc);
    uint64_t *h_re = calloc(view->count + 1, sizeof *h_re);
    if (!pats || !h_hs || !h_pc || !h_re)
        return -1;
    bench_patterns(rs, pats, npat);
    bench_progress_note(pg, "block: compiling the PCRE2 and RE2 baselines");
    bench_pcre2 *pc = bench_pcre2_new(pats, npat, AUPF_ROLE_PROMPT, &rep->pcre2_skipped);
    bench_re2 *re = bench_re2_new(pats, npat, AUPF_ROLE_PROMPT, &rep->re2_skipped);
    rep->pcre2_rules = pc ? bench_pcre2_rules(pc) : 0;
    rep->re2_rules = re ? bench_re2_rules(re) : 0;
    bench_hs_rule_hashes(rs, view, AUPF_ROLE_PROMPT, h_hs);
    char jsonl[4200];
    snprintf(jsonl, sizeof jsonl, "%s/corpus.jsonl", tmp);
    rep->jsonl_bytes = o->cli && o->cli[0] ? bench_e2e_write_jsonl(c, jsonl) : 0;

    enum { MEM, HS, SCAN, RAW, E2E, E2E_NET, RE2, PCRE2, NM };
    enum { R_SCAN_HS, R_E2E_HS, R_SCAN_PC, R_E2E_PC, R_SCAN_RE, R_E2E_RE, NR };
    int runs = o->runs;
    double *v[NM], *ratio[NR];
    for (int m = 0; m < NM; m++)
        v[m] = calloc((size_t)runs, sizeof(double));
    for (int k = 0; k < NR; k++)
        ratio[k] = calloc((size_t)runs, sizeof(double));
    size_t failed_pc = 0, failed_re = 0, e2e_ok = rep->jsonl_bytes > 0;
    bench_clock ck = o->clock;
    scan_pass(s, c, ck, NULL); /* warm-up: first-touch page faults, caches */
    for (int r = 0; r < runs; r++) {
        bench_progress_note(pg, "block run %d/%d: memory read, hs_scan, aupf_scan", r + 1, runs);
        pass_ctx hs = {.rs = rs, .view = view};
        v[MEM][r] = mbps(c->bytes, memory_pass(c, ck));
        v[HS][r] = mbps(c->bytes, timed(ck, hs_pass, &hs));
        rep->hs_matches = hs.count;
        v[SCAN][r] = mbps(c->bytes, scan_pass(s, c, ck, &rep->flagged));
        v[RAW][r] = mbps(c->bytes, scan_pass(s_raw, c, ck, NULL));
        if (e2e_ok) {
            bench_progress_note(pg, "block run %d/%d: end to end (%s)", r + 1, runs, o->cli);
            double empty = bench_e2e_run(o->cli, o->config, cache_dir, NULL, ck);
            double full = bench_e2e_run(o->cli, o->config, cache_dir, jsonl, ck);
            e2e_ok = empty > 0 && full > 0;
            v[E2E][r] = mbps(c->bytes, full);
            v[E2E_NET][r] = mbps(c->bytes, full > empty ? full - empty : 0);
        }
        if (re) {
            bench_progress_note(pg, "block run %d/%d: RE2::Set", r + 1, runs);
            pass_ctx x = {.view = view, .re = re, .hash = h_re};
            v[RE2][r] = mbps(c->bytes, timed(ck, re2_pass, &x));
            failed_re += x.count;
        }
        if (pc) {
            bench_progress_note(pg, "block run %d/%d: PCRE2-JIT loop", r + 1, runs);
            pass_ctx x = {.view = view, .pc = pc, .hash = h_pc};
            v[PCRE2][r] = mbps(c->bytes, timed(ck, pcre2_pass, &x));
            failed_pc += x.count;
        }
        ratio[R_SCAN_HS][r] = v[SCAN][r] / v[HS][r];
        ratio[R_E2E_HS][r] = v[E2E_NET][r] / v[HS][r];
        ratio[R_SCAN_PC][r] = v[PCRE2][r] > 0 ? v[SCAN][r] / v[PCRE2][r] : 0;
        ratio[R_E2E_PC][r] = v[PCRE2][r] > 0 ? v[E2E_NET][r] / v[PCRE2][r] : 0;
        ratio[R_SCAN_RE][r] = v[RE2][r] > 0 ? v[SCAN][r] / v[RE2][r] : 0;
        ratio[R_E2E_RE][r] = v[RE2][r] > 0 ? v[E2E_NET][r] / v[RE2][r] : 0;
    }
    rep->mem = bench_summarize(v[MEM], runs);
    rep->hs = bench_summarize(v[HS], runs);
    rep->scan = bench_summarize(v[SCAN], runs);
    rep->scan_raw = bench_summarize(v[RAW], runs);
    rep->has_e2e = e2e_ok;
    rep->e2e = bench_summarize(v[E2E], runs);
    rep->e2e_net = bench_summarize(v[E2E_NET], runs);
    rep->has_re2 = re != NULL;
    rep->re2 = bench_summarize(v[RE2], runs);
    rep->has_pcre2 = pc != NULL;
    rep->pcre2 = bench_summarize(v[PCRE2], runs);
    rep->scan_vs_hs = bench_summarize(ratio[R_SCAN_HS], runs);
    rep->e2e_vs_hs = bench_summarize(ratio[R_E2E_HS], runs);
    rep->scan_vs_pcre2 = bench_summarize(ratio[R_SCAN_PC], runs);
    rep->e2e_vs_pcre2 = bench_summarize(ratio[R_E2E_PC], runs);
    rep->scan_vs_re2 = bench_summarize(ratio[R_SCAN_RE], runs);
    rep->e2e_vs_re2 = bench_summarize(ratio[R_E2E_RE], runs);
    rep->pcre2_errors = failed_pc;
    rep->re2_errors = failed_re;
    rep->pcre2_disagree = pc ? disagreements(h_pc, h_hs, view->count) : 0;
    rep->re2_disagree = re ? disagreements(h_re, h_hs, view->count) : 0;
    for (size_t i = 0; i < view->count; i++)
        rep->hs_hit_docs += h_hs[i] != 0;
    for (int m = 0; m < NM; m++)
        free(v[m]);
    for (int k = 0; k < NR; k++)
        free(ratio[k]);
    bench_pcre2_free(pc);
    bench_re2_free(re);
    free(pats);
    free(h_hs);
    free(h_pc);
    free(h_re);
    aupf_scanner_free(s);
    aupf_scanner_free(s_raw);
    aupf_ruleset_release(rs_raw);
    return 0;
}

static const size_t CHUNKS[BENCH_CHUNK_SIZES] = {4, 16, 64};

static int measure_stream(const options *o, aupf_ruleset *rs, const bench_corpus *c,
                          bench_progress *pg, bench_report *rep, double **quantiles) {
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
    bench_progress_note(pg, "streaming: state of open streams");
    if (st == 0)
        st = bench_stream_memory(rs, c, o->quick ? 2000 : 100000, &rep->stream_state,
                                 &rep->stream_rss);
    free(med);
    free(p99);
    free(rate);
    return st;
}

static void measure_threads(const options *o, aupf_ruleset *rs, const bench_corpus *c,
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
static void measure_scaling(const options *o, aupf_ruleset *rs, const bench_corpus *c,
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
static void section_done(const options *o, bench_report *rep, int section, const char *json,
                         double **quantiles, bench_progress *pg) {
    bench_progress_clear(pg);
    rep->done |= section;
    bench_report_print_section(stdout, rep, section);
    if (bench_report_json(rep, json) != 0)
        fprintf(stderr, "aupfilter-bench: cannot write %s\n", json);
    make_plots(o->out_dir, rep, quantiles);
}

int main(int argc, char **argv) {
    options o;
    if (parse_options(argc, argv, &o) != 0) {
        usage();
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
        failed |= measure_block(&o, rs, &c, &view, cache, tmp, &pg, &rep) != 0;
        section_done(&o, &rep, S_BLOCK, json, quantiles, &pg);
    }
    if (o.sections & S_STREAM) {
        failed |= measure_stream(&o, rs, &c, &pg, &rep, quantiles) != 0;
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
