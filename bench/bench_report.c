/* Printing and JSON for aupfilter-bench (bench_report.h). */
#include "bench_report.h"

#include "bench_raw.h"

#include <jansson.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static void machine(char *out, size_t n) {
    char model[256] = "unknown CPU", line[512];
    long mem_kib = 0;
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0) {
            char *p = strchr(line, ':');
            if (p) {
                snprintf(model, sizeof model, "%s", p + 2);
                model[strcspn(model, "\n")] = 0;
            }
            break;
        }
    if (f)
        fclose(f);
    f = fopen("/proc/meminfo", "r");
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "MemTotal: %ld kB", &mem_kib) == 1)
            break;
    if (f)
        fclose(f);
    struct utsname u;
    if (uname(&u) != 0)
        strcpy(u.release, "?");
    snprintf(out, n, "%s, %ld cores online, %.1f GiB, Linux %s, Hyperscan %s", model,
             sysconf(_SC_NPROCESSORS_ONLN), (double)mem_kib / 1048576.0, u.release,
             bench_hs_version());
}

static void row(FILE *out, const char *name, bench_stats s, const char *unit) {
    fprintf(out, "%-46s %11.3f %11.3f %11.3f  %s\n", name, s.median, s.min, s.max, unit);
}

static void header(FILE *out, const char *what) {
    fprintf(out, "\n%-46s %11s %11s %11s\n", what, "median", "min", "max");
}

void bench_report_print_header(FILE *out, const bench_report *r) {
    char m[512];
    machine(m, sizeof m);
    fprintf(out, "aupfilter-bench%s: %s\n",
            r->quick ? " --quick (smoke run, not a measurement)" : "", m);
    fprintf(out, "ruleset %s: %zu rules, %zu Hyperscan patterns, block database %zu bytes (%s)\n",
            r->ruleset, r->rules, r->patterns, r->db_bytes, r->config);
    fprintf(out, "corpus %s: %zu documents, %.2f MB text, %.2f MB normalized; %d runs\n", r->corpus,
            r->documents, (double)r->bytes / 1e6, (double)r->view_bytes / 1e6, r->runs);
    fprintf(out, "clock: %s\n",
            r->clock == BENCH_CLOCK_CPU
                ? "CPU time of the measuring thread (of the child for the command line); "
                  "threads, streaming and compiles: wall clock"
                : "wall clock");
    fflush(out);
}

static void print_startup(FILE *out, const bench_report *r) {
    header(out, "startup");
    row(out, "cold compile (wall clock)", r->cold_ms, "ms");
    row(out, "cold compile (CPU, every thread)", r->cold_cpu_ms, "ms");
    row(out, "warm cache load", r->warm_ms, "ms");
}

static void print_block(FILE *out, const bench_report *r) {
    header(out, "block scan, one core (MB/s of text)");
    row(out, "memory read of the same buffers", r->mem, "MB/s");
    row(out, "raw hs_scan, block database, normalized text", r->hs, "MB/s");
    row(out, "aupf_scan (library, normalization on)", r->scan, "MB/s");
    row(out, "aupf_scan, normalization off", r->scan_raw, "MB/s");
    if (r->has_e2e) {
        row(out, "end to end: aupfilter JSONL, startup excluded", r->e2e_net, "MB/s");
        row(out, "end to end: aupfilter JSONL, with startup", r->e2e, "MB/s");
    }
    if (r->has_re2)
        row(out, "RE2::Set, normalized text", r->re2, "MB/s");
    if (r->has_pcre2)
        row(out, "PCRE2-JIT, one regex at a time", r->pcre2, "MB/s");

    header(out, "ratios (each run's own, then median)");
    row(out, "aupf_scan / raw hs_scan", r->scan_vs_hs, "x");
    if (r->has_e2e)
        row(out, "end to end / raw hs_scan", r->e2e_vs_hs, "x");
    if (r->has_pcre2) {
        row(out, "aupf_scan / PCRE2-JIT", r->scan_vs_pcre2, "x");
        if (r->has_e2e)
            row(out, "end to end / PCRE2-JIT", r->e2e_vs_pcre2, "x");
    }
    if (r->has_re2) {
        row(out, "aupf_scan / RE2::Set", r->scan_vs_re2, "x");
        if (r->has_e2e)
            row(out, "end to end / RE2::Set", r->e2e_vs_re2, "x");
    }
    fprintf(out, "documents/s (aupf_scan) %.0f; flagged %zu of %zu; hs_scan callbacks %zu\n",
            r->scan.median * 1e6 / ((double)r->bytes / (double)r->documents), r->flagged,
            r->documents, r->hs_matches);
    fprintf(out, "rules matched (prompt role): Hyperscan in %zu documents\n", r->hs_hit_docs);
    if (r->has_pcre2)
        fprintf(out,
                "  PCRE2: %zu triggers, %zu patterns skipped, %zu match errors, %zu documents "
                "differ from Hyperscan\n",
                r->pcre2_rules, r->pcre2_skipped, r->pcre2_errors, r->pcre2_disagree);
    else
        fprintf(out, "  PCRE2: not built (libpcre2-dev missing at configure time)\n");
    if (r->has_re2)
        fprintf(out,
                "  RE2::Set: %zu triggers, %zu patterns skipped, %zu set errors, %zu documents "
                "differ from Hyperscan\n",
                r->re2_rules, r->re2_skipped, r->re2_errors, r->re2_disagree);
    else
        fprintf(out, "  RE2::Set: not built (libre2-dev or a C++ compiler missing)\n");
}

static void print_stream(FILE *out, const bench_report *r) {
    fprintf(out, "\nstreaming (holdback %zu bytes)\n%-46s %11s %11s %11s\n", r->holdback,
            "aupf_stream_write", "median ns", "p99 ns", "MB/s");
    for (int k = 0; k < BENCH_CHUNK_SIZES; k++) {
        char name[64];
        snprintf(name, sizeof name, "%zu-byte chunks (min-max of runs)", r->chunk[k]);
        fprintf(out, "%-46s %11.0f %11.0f %11.1f\n", name, r->chunk_median_ns[k].median,
                r->chunk_p99_ns[k].median, r->chunk_mbps[k].median);
        fprintf(out, "%-46s %5.0f-%-5.0f %5.0f-%-5.0f %5.1f-%-5.1f\n", "",
                r->chunk_median_ns[k].min, r->chunk_median_ns[k].max, r->chunk_p99_ns[k].min,
                r->chunk_p99_ns[k].max, r->chunk_mbps[k].min, r->chunk_mbps[k].max);
    }
    for (int k = 0; r->has_hs_chunks && k <= BENCH_CHUNK_SIZES; k++) {
        char name[64];
        if (k == 0)
            fprintf(out, "Hyperscan alone (streaming database, views)\n");
        if (k < BENCH_CHUNK_SIZES)
            snprintf(name, sizeof name, "  %zu-byte calls", r->chunk[k]);
        else
            snprintf(name, sizeof name, "  one call per document");
        fprintf(out, "%-46s %11.0f %11.0f %11.1f\n", name, r->hs_chunk_median_ns[k].median,
                r->hs_chunk_p99_ns[k].median, r->hs_chunk_mbps[k].median);
    }
    fprintf(out,
            "stream state %.0f bytes (library count), %.0f bytes resident each; %.0f streams/GiB\n",
            r->stream_state, r->stream_rss, r->stream_rss > 0 ? 1073741824.0 / r->stream_rss : 0);
}

static void print_threads(FILE *out, const bench_report *r) {
    fprintf(out, "\n%-10s %11s %11s %11s %11s %11s %11s %11s\n", "threads", "MB/s", "min", "max",
            "speed-up", "min", "max", "cores got");
    for (size_t i = 0; i < r->thread_steps; i++)
        fprintf(out, "%-10d %11.1f %11.1f %11.1f %11.2f %11.2f %11.2f %11.2f\n", r->threads[i],
                r->thread_mbps[i].median, r->thread_mbps[i].min, r->thread_mbps[i].max,
                r->thread_speedup[i].median, r->thread_speedup[i].min, r->thread_speedup[i].max,
                r->thread_cores[i].median);
    fprintf(out, "(cores got: CPU time the process received per second of the run; below the\n"
                 " thread count, other work on the machine took the rest)\n");
}

void bench_report_print_scale_head(FILE *out) {
    fprintf(out, "\nscaling (synthetic rules: configured rules behind distinct anchor words)\n");
    fprintf(out, "%-8s %11s %11s %12s %22s %22s %8s\n", "rules", "compile s", "(CPU s)", "db bytes",
            "hs_scan MB/s (min-max)", "aupf_scan MB/s", "flagged");
    fflush(out);
}

void bench_report_print_scale_row(FILE *out, const bench_scale_row *s, const char *note) {
    char compile[32] = "n/a", cpu[32] = "n/a";
    if (s->compile_ms >= 0) {
        snprintf(compile, sizeof compile, "%.1f", s->compile_ms / 1e3);
        snprintf(cpu, sizeof cpu, "%.1f", s->compile_cpu_ms / 1e3);
    }
    fprintf(out, "%-8zu %11s %11s %12zu %8.1f (%5.1f-%5.1f) %8.1f (%5.1f-%5.1f) %8zu %s\n",
            s->rules, compile, cpu, s->db_bytes, s->hs_mbps.median, s->hs_mbps.min, s->hs_mbps.max,
            s->scan_mbps.median, s->scan_mbps.min, s->scan_mbps.max, s->flagged, note);
    fflush(out);
}

static void print_patterns(FILE *out, const bench_report *r) {
    double mb = (double)r->bytes / 1e6;
    fprintf(out,
            "\ncostliest expressions, each compiled alone and scanned over the normalized text\n"
            "(every expression alone: %.0f ms per pass in all)\n%-9s %10s %12s  %s\n",
            r->patterns_total_s * 1e3, "ms/pass", "MB/s alone", "callbacks",
            "rule (pattern) expression");
    for (size_t i = 0; i < r->ntop; i++)
        fprintf(out, "%9.1f %10.1f %12zu  %s (%s) %.70s\n", r->top[i].seconds.median * 1e3,
                r->top[i].seconds.median > 0 ? mb / r->top[i].seconds.median : 0, r->top[i].matches,
                r->top_rule[i], r->top_trigger[i] ? "trigger" : "unless", r->top_expr[i]);
    if (r->has_distinct) {
        const bench_distinct *d = &r->distinct;
        fprintf(
            out,
            "\n%zu expressions, %zu distinct; hs_scan over the normalized text (median of runs):\n"
            "  every expression (the ruleset's database)  %9.1f MB/s, %zu callbacks\n"
            "  each distinct expression once              %9.1f MB/s, %zu callbacks\n",
            d->expressions, d->distinct, d->all_s.median > 0 ? mb / d->all_s.median : 0,
            d->all_matches, d->distinct_s.median > 0 ? mb / d->distinct_s.median : 0,
            d->distinct_matches);
    }
}

void bench_report_print_section(FILE *out, const bench_report *r, int section) {
    if (section == BENCH_SECTION_STARTUP)
        print_startup(out, r);
    else if (section == BENCH_SECTION_BLOCK)
        print_block(out, r);
    else if (section == BENCH_SECTION_STREAM)
        print_stream(out, r);
    else if (section == BENCH_SECTION_THREADS)
        print_threads(out, r);
    else if (section == BENCH_SECTION_PATTERNS)
        print_patterns(out, r);
    fflush(out);
}

static json_t *stats(bench_stats s) {
    return json_pack("{s:f,s:f,s:f}", "median", s.median, "min", s.min, "max", s.max);
}

static json_t *json_block(const bench_report *r) {
    json_t *b = json_object();
    json_object_set_new(b, "memread", stats(r->mem));
    json_object_set_new(b, "hs_scan", stats(r->hs));
    json_object_set_new(b, "aupf_scan", stats(r->scan));
    json_object_set_new(b, "aupf_scan_no_normalization", stats(r->scan_raw));
    if (r->has_e2e) {
        json_object_set_new(b, "end_to_end", stats(r->e2e_net));
        json_object_set_new(b, "end_to_end_with_startup", stats(r->e2e));
    }
    if (r->has_re2)
        json_object_set_new(b, "re2_set", stats(r->re2));
    if (r->has_pcre2)
        json_object_set_new(b, "pcre2_jit", stats(r->pcre2));
    json_t *q = json_object();
    json_object_set_new(q, "aupf_scan_vs_hs_scan", stats(r->scan_vs_hs));
    if (r->has_e2e)
        json_object_set_new(q, "end_to_end_vs_hs_scan", stats(r->e2e_vs_hs));
    if (r->has_pcre2) {
        json_object_set_new(q, "aupf_scan_vs_pcre2_jit", stats(r->scan_vs_pcre2));
        if (r->has_e2e)
            json_object_set_new(q, "end_to_end_vs_pcre2_jit", stats(r->e2e_vs_pcre2));
    }
    if (r->has_re2) {
        json_object_set_new(q, "aupf_scan_vs_re2_set", stats(r->scan_vs_re2));
        if (r->has_e2e)
            json_object_set_new(q, "end_to_end_vs_re2_set", stats(r->e2e_vs_re2));
    }
    return json_pack("{s:o,s:o,s:I,s:I,s:{s:b,s:I,s:I,s:I,s:I},s:{s:b,s:I,s:I,s:I,s:I},s:I}",
                     "mbps", b, "ratios", q, "flagged", (json_int_t)r->flagged, "hs_callbacks",
                     (json_int_t)r->hs_matches, "pcre2", "built", r->has_pcre2, "triggers",
                     (json_int_t)r->pcre2_rules, "skipped", (json_int_t)r->pcre2_skipped, "errors",
                     (json_int_t)r->pcre2_errors, "documents_differing",
                     (json_int_t)r->pcre2_disagree, "re2_set", "built", r->has_re2, "triggers",
                     (json_int_t)r->re2_rules, "skipped", (json_int_t)r->re2_skipped, "errors",
                     (json_int_t)r->re2_errors, "documents_differing", (json_int_t)r->re2_disagree,
                     "hyperscan_documents_matched", (json_int_t)r->hs_hit_docs);
}

static json_t *json_stream(const bench_report *r) {
    json_t *st = json_array();
    for (int k = 0; k < BENCH_CHUNK_SIZES; k++)
        json_array_append_new(st, json_pack("{s:I,s:o,s:o,s:o}", "chunk", (json_int_t)r->chunk[k],
                                            "median_ns", stats(r->chunk_median_ns[k]), "p99_ns",
                                            stats(r->chunk_p99_ns[k]), "mbps",
                                            stats(r->chunk_mbps[k])));
    json_t *hs = json_array();
    for (int k = 0; r->has_hs_chunks && k <= BENCH_CHUNK_SIZES; k++)
        json_array_append_new(hs, json_pack("{s:I,s:o,s:o,s:o}", "chunk",
                                            (json_int_t)(k < BENCH_CHUNK_SIZES ? r->chunk[k] : 0),
                                            "median_ns", stats(r->hs_chunk_median_ns[k]), "p99_ns",
                                            stats(r->hs_chunk_p99_ns[k]), "mbps",
                                            stats(r->hs_chunk_mbps[k])));
    /* hyperscan_alone: chunk 0 is one call per document */
    return json_pack("{s:I,s:o,s:o,s:f,s:f}", "holdback", (json_int_t)r->holdback, "chunks", st,
                     "hyperscan_alone", hs, "state_bytes", r->stream_state,
                     "resident_bytes_per_stream", r->stream_rss);
}

static json_t *json_threads(const bench_report *r) {
    json_t *th = json_array();
    for (size_t i = 0; i < r->thread_steps; i++)
        json_array_append_new(th, json_pack("{s:i,s:o,s:o,s:o}", "threads", r->threads[i], "mbps",
                                            stats(r->thread_mbps[i]), "speedup",
                                            stats(r->thread_speedup[i]), "cores",
                                            stats(r->thread_cores[i])));
    return th;
}

static json_t *json_scale_row(const bench_scale_row *s) {
    return json_pack("{s:I,s:f,s:f,s:I,s:o,s:o,s:I}", "rules", (json_int_t)s->rules, "compile_ms",
                     s->compile_ms, "compile_cpu_ms", s->compile_cpu_ms, "db_bytes",
                     (json_int_t)s->db_bytes, "hs_scan_mbps", stats(s->hs_mbps), "aupf_scan_mbps",
                     stats(s->scan_mbps), "flagged", (json_int_t)s->flagged);
}

static json_t *json_scaling(const bench_report *r) {
    json_t *sc = json_array();
    for (size_t i = 0; i < r->nscale; i++)
        json_array_append_new(sc, json_scale_row(&r->scale[i]));
    return json_pack("{s:o,s:o}", "configured", json_scale_row(&r->scale_base), "synthetic", sc);
}

static json_t *json_patterns(const bench_report *r) {
    json_t *a = json_array();
    for (size_t i = 0; i < r->ntop; i++)
        json_array_append_new(a, json_pack("{s:s,s:b,s:s,s:o,s:I}", "rule", r->top_rule[i],
                                           "trigger", r->top_trigger[i], "expression",
                                           r->top_expr[i], "seconds", stats(r->top[i].seconds),
                                           "callbacks", (json_int_t)r->top[i].matches));
    json_t *o =
        json_pack("{s:f,s:o}", "every_expression_alone_s", r->patterns_total_s, "costliest", a);
    if (r->has_distinct)
        json_object_set_new(o, "distinct",
                            json_pack("{s:I,s:I,s:o,s:I,s:o,s:I}", "expressions",
                                      (json_int_t)r->distinct.expressions, "distinct",
                                      (json_int_t)r->distinct.distinct, "all_s",
                                      stats(r->distinct.all_s), "all_callbacks",
                                      (json_int_t)r->distinct.all_matches, "distinct_s",
                                      stats(r->distinct.distinct_s), "distinct_callbacks",
                                      (json_int_t)r->distinct.distinct_matches));
    return o;
}

int bench_report_json(const bench_report *r, const char *path) {
    char m[512];
    machine(m, sizeof m);
    json_t *o = json_pack("{s:s,s:b,s:s,s:s,s:I,s:I,s:I,s:s,s:I,s:I,s:I,s:i}", "machine", m,
                          "quick", r->quick, "config", r->config, "ruleset", r->ruleset, "rules",
                          (json_int_t)r->rules, "patterns", (json_int_t)r->patterns, "db_bytes",
                          (json_int_t)r->db_bytes, "corpus", r->corpus, "documents",
                          (json_int_t)r->documents, "bytes", (json_int_t)r->bytes, "jsonl_bytes",
                          (json_int_t)r->jsonl_bytes, "runs", r->runs);
    if (o)
        json_object_set_new(o, "clock", json_string(r->clock == BENCH_CLOCK_CPU ? "cpu" : "wall"));
    if (!o)
        return -1;
    if (r->done & BENCH_SECTION_STARTUP)
        json_object_set_new(o, "startup_ms",
                            json_pack("{s:o,s:o,s:o}", "cold", stats(r->cold_ms), "cold_cpu",
                                      stats(r->cold_cpu_ms), "warm", stats(r->warm_ms)));
    if (r->done & BENCH_SECTION_BLOCK)
        json_object_set_new(o, "block", json_block(r));
    if (r->done & BENCH_SECTION_STREAM)
        json_object_set_new(o, "streaming", json_stream(r));
    if (r->done & BENCH_SECTION_THREADS)
        json_object_set_new(o, "threads", json_threads(r));
    if (r->done & BENCH_SECTION_SCALING)
        json_object_set_new(o, "scaling", json_scaling(r));
    if (r->done & BENCH_SECTION_PATTERNS)
        json_object_set_new(o, "patterns", json_patterns(r));
    int rc = json_dump_file(o, path, JSON_INDENT(2)) == 0 ? 0 : -1;
    json_decref(o);
    return rc;
}
