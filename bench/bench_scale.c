/* Synthetic rulesets for the scaling measurement (bench_scale.h). */
#include "bench_scale.h"

#include "bench_raw.h"

#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rules per pack file: the loader's escape check reads a pack from its top
 * for every rule, so many small packs load faster than one large one. */
#define RULES_PER_PACK 500

/* A distinct pronounceable word for k: three consonant-vowel syllables,
 * then more as k grows; never a doubled letter (the view folds runs). */
static void anchor_word(size_t k, char *out) {
    static const char cons[] = "bdfgklmnprstvz", vow[] = "aeiou";
    size_t n = 0;
    for (int syl = 0; syl < 3 || k > 0; syl++) {
        out[n++] = cons[k % 14];
        k /= 14;
        out[n++] = vow[k % 5];
        k /= 5;
    }
    out[n] = 0;
}

static config_setting_t *add_string(config_setting_t *g, const char *name, const char *v) {
    config_setting_t *s = config_setting_add(g, name, CONFIG_TYPE_STRING);
    if (s)
        config_setting_set_string(s, v);
    return s;
}

static int add_flags(config_setting_t *g, unsigned flags) {
    config_setting_t *f = config_setting_add(g, "flags", CONFIG_TYPE_ARRAY);
    if (!f)
        return -1;
    if (!(flags & BENCH_FLAG_CASELESS))
        config_setting_set_string_elem(f, -1, "case_sensitive");
    if (flags & BENCH_FLAG_DOTALL)
        config_setting_set_string_elem(f, -1, "dotall");
    if (flags & BENCH_FLAG_MULTILINE)
        config_setting_set_string_elem(f, -1, "multiline");
    if (flags & BENCH_FLAG_UCP)
        config_setting_set_string_elem(f, -1, "ucp");
    else if (flags & BENCH_FLAG_UTF8)
        config_setting_set_string_elem(f, -1, "utf8");
    return 0;
}

static int add_rule(config_setting_t *list, const aupf_ruleset *base, size_t k) {
    size_t n = aupf_ruleset_rule_count(base);
    aupf_rule_info ri;
    if (aupf_ruleset_rule_info(base, k % n, &ri) != AUPF_OK)
        return -1;
    char word[32], id[64];
    anchor_word(k, word);
    snprintf(id, sizeof id, "synthetic.r%zu", k);
    size_t plen = strlen(ri.pattern) + 64;
    char *pattern = malloc(plen), *example = malloc(64);
    if (!pattern || !example) {
        free(pattern);
        free(example);
        return -1;
    }
    snprintf(pattern, plen, "\\b%s\\s{1,2}(?:%s)", word, ri.pattern);
    snprintf(example, 64, "%s ...", word);
    config_setting_t *g = config_setting_add(list, NULL, CONFIG_TYPE_GROUP);
    config_setting_t *rev = g ? config_setting_add(g, "rev", CONFIG_TYPE_INT) : NULL;
    config_setting_t *w = rev ? config_setting_add(g, "weight", CONFIG_TYPE_FLOAT) : NULL;
    config_setting_t *roles = w ? config_setting_add(g, "roles", CONFIG_TYPE_ARRAY) : NULL;
    config_setting_t *ex = roles ? config_setting_add(g, "matches", CONFIG_TYPE_ARRAY) : NULL;
    int st = -1;
    if (ex && add_string(g, "id", id) &&
        add_string(g, "category", aupf_category_name(base, ri.category)) &&
        add_string(g, "pattern", pattern) &&
        add_string(g, "description", "Synthetic: a shipped rule behind a distinct anchor word.") &&
        add_flags(g, bench_rule_flags(base, k % n)) == 0) {
        config_setting_set_int(rev, 1);
        config_setting_set_float(w, ri.weight);
        if (ri.roles & AUPF_ROLE_PROMPT)
            config_setting_set_string_elem(roles, -1, "prompt");
        if (ri.roles & AUPF_ROLE_COMPLETION)
            config_setting_set_string_elem(roles, -1, "completion");
        config_setting_set_string_elem(ex, -1, example);
        st = 0;
    }
    free(pattern);
    free(example);
    return st;
}

static int write_pack(const aupf_ruleset *base, size_t first, size_t count, const char *path) {
    config_t cfg;
    config_init(&cfg);
    config_setting_t *root = config_root_setting(&cfg);
    config_setting_t *rules = config_setting_add(root, "rules", CONFIG_TYPE_LIST);
    int st = rules ? 0 : -1;
    for (size_t k = first; st == 0 && k < first + count; k++)
        st = add_rule(rules, base, k);
    if (st == 0 && !config_write_file(&cfg, path))
        st = -1;
    config_destroy(&cfg);
    return st;
}

/* The configuration: the source's categories and messages, the synthetic
 * packs, no cache. */
static int write_config(const char *config, size_t packs, const char *dir) {
    config_t cfg;
    config_init(&cfg);
    if (!config_read_file(&cfg, config)) {
        config_destroy(&cfg);
        return -1;
    }
    config_setting_t *root = config_root_setting(&cfg);
    config_setting_remove(root, "packs");
    config_setting_remove(root, "cache_dir");
    config_setting_t *list = config_setting_add(root, "packs", CONFIG_TYPE_ARRAY);
    int st = list && add_string(root, "cache_dir", "none") ? 0 : -1;
    for (size_t i = 0; st == 0 && i < packs; i++) {
        char name[64];
        snprintf(name, sizeof name, "synthetic-%04zu.rules", i);
        st = config_setting_set_string_elem(list, -1, name) ? 0 : -1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/aupfilter.conf", dir);
    if (st == 0 && !config_write_file(&cfg, path))
        st = -1;
    config_destroy(&cfg);
    return st;
}

int bench_scale_write(const char *config, const aupf_ruleset *base, size_t rules, const char *dir) {
    size_t packs = (rules + RULES_PER_PACK - 1) / RULES_PER_PACK;
    for (size_t i = 0; i < packs; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/synthetic-%04zu.rules", dir, i);
        size_t first = i * RULES_PER_PACK;
        size_t count = rules - first < RULES_PER_PACK ? rules - first : RULES_PER_PACK;
        if (write_pack(base, first, count, path) != 0)
            return -1;
    }
    return write_config(config, packs, dir);
}

int bench_scale_measure_ruleset(aupf_ruleset *rs, const bench_corpus *c, const bench_corpus *view,
                                int runs, bench_clock clock, bench_progress *pg,
                                bench_scale_row *row) {
    row->rules = aupf_ruleset_rule_count(rs);
    row->db_bytes = bench_db_bytes(rs);
    aupf_scanner *s;
    int st = aupf_scanner_new(rs, &s);
    if (st != AUPF_OK)
        return st;
    double *hs = calloc((size_t)runs, sizeof *hs), *scan = calloc((size_t)runs, sizeof *scan);
    bench_hs_scratch *scratch = bench_hs_scratch_new(rs);
    st = hs && scan && scratch ? AUPF_OK : AUPF_E_NOMEM;
    for (int r = 0; st == AUPF_OK && r < runs; r++) {
        bench_progress_note(pg, "scaling: %zu rules, run %d/%d", row->rules, r + 1, runs);
        size_t matches;
        double t0 = bench_clock_s(clock);
        if (bench_hs_scan(rs, scratch, view, &matches) != 0) {
            st = AUPF_E_SCAN;
            break;
        }
        /* MB/s of the original text, as for aupf_scan */
        hs[r] = (double)c->bytes / (bench_clock_s(clock) - t0) / 1e6;
        row->flagged = 0;
        t0 = bench_clock_s(clock);
        for (size_t i = 0; i < c->count; i++) {
            const aupf_result *res;
            if (aupf_scan(s, AUPF_ROLE_PROMPT, c->text[i], c->len[i], &res) == AUPF_OK)
                row->flagged += (size_t)aupf_result_flagged(res);
        }
        scan[r] = (double)c->bytes / (bench_clock_s(clock) - t0) / 1e6;
    }
    if (st == AUPF_OK) {
        row->hs_mbps = bench_summarize(hs, runs);
        row->scan_mbps = bench_summarize(scan, runs);
    }
    free(hs);
    free(scan);
    bench_hs_scratch_free(scratch);
    aupf_scanner_free(s);
    return st;
}

int bench_scale_measure(const char *dir, const bench_corpus *c, const bench_corpus *view, int runs,
                        bench_clock clock, bench_progress *pg, bench_scale_row *row) {
    char path[4096];
    snprintf(path, sizeof path, "%s/aupfilter.conf", dir);
    aupf_ruleset *rs;
    aupf_load_options opts = {.no_cache = 1};
    double t0 = bench_now_s(), c0 = bench_process_cpu_s();
    int st = aupf_ruleset_load(path, &opts, NULL, NULL, &rs);
    if (st != AUPF_OK)
        return st;
    row->compile_ms = (bench_now_s() - t0) * 1e3;
    row->compile_cpu_ms = (bench_process_cpu_s() - c0) * 1e3;
    st = bench_scale_measure_ruleset(rs, c, view, runs, clock, pg, row);
    aupf_ruleset_release(rs);
    return st;
}
