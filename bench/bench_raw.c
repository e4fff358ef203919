/* Library internals for the bench: see bench_raw.h. */
#include "bench_raw.h"

#include "internal.h"

#include <stdlib.h>
#include <string.h>

_Static_assert(BENCH_FLAG_CASELESS == HS_FLAG_CASELESS && BENCH_FLAG_DOTALL == HS_FLAG_DOTALL &&
                   BENCH_FLAG_MULTILINE == HS_FLAG_MULTILINE && BENCH_FLAG_UTF8 == HS_FLAG_UTF8 &&
                   BENCH_FLAG_UCP == HS_FLAG_UCP,
               "bench flags mirror Hyperscan's");

int bench_pattern_at(const aupf_ruleset *rs, size_t i, bench_pattern *out) {
    if (i >= rs->pattern_count)
        return -1;
    const aupf__pattern *p = &rs->patterns[i];
    *out = (bench_pattern){.expr = p->expression,
                           .flags = p->hs_flags,
                           .rule = p->rule,
                           .trigger = p->unless_index == AUPF__NO_UNLESS,
                           .roles = rs->rules[p->rule].roles};
    return 0;
}

size_t bench_patterns(const aupf_ruleset *rs, bench_pattern *out, size_t cap) {
    for (size_t i = 0; i < rs->pattern_count && i < cap; i++)
        bench_pattern_at(rs, i, &out[i]);
    return rs->pattern_count;
}

unsigned bench_rule_flags(const aupf_ruleset *rs, size_t rule) {
    return rule < rs->rule_count ? rs->rules[rule].hs_flags : 0;
}

const char *bench_rule_unless(const aupf_ruleset *rs, size_t rule, size_t u) {
    if (rule >= rs->rule_count || u >= rs->rules[rule].unless.count)
        return NULL;
    return rs->rules[rule].unless.items[u];
}

const char *bench_hs_version(void) { return hs_version(); }

size_t bench_db_bytes(const aupf_ruleset *rs) {
    size_t n = 0, m = 0;
    const hs_database_t *other = aupf__other_database((aupf_ruleset *)rs);
    if (hs_database_size(rs->db, &n) != HS_SUCCESS ||
        (other && hs_database_size(other, &m) != HS_SUCCESS))
        return 0;
    return n + m;
}

int bench_normalize_corpus(const bench_corpus *in, bench_corpus *out) {
    aupf__normalizer *n = aupf__normalizer_new();
    if (!n)
        return -1;
    *out = (bench_corpus){0};
    out->text = calloc(in->count ? in->count : 1, sizeof *out->text);
    out->len = calloc(in->count ? in->count : 1, sizeof *out->len);
    int st = out->text && out->len ? 0 : -1;
    for (size_t i = 0; st == 0 && i < in->count; i++) {
        aupf__view v;
        if (aupf__normalize(n, in->text[i], in->len[i], &v) != 0 ||
            !(out->text[i] = malloc(v.len + 1))) {
            st = -1;
            break;
        }
        memcpy(out->text[i], v.text, v.len);
        out->text[i][v.len] = 0;
        out->len[i] = v.len;
        out->bytes += v.len;
        out->count++;
    }
    aupf__normalizer_free(n);
    return st;
}

static int count_match(unsigned id, unsigned long long from, unsigned long long to, unsigned fl,
                       void *ctx) {
    (void)id;
    (void)from;
    (void)to;
    (void)fl;
    ++*(size_t *)ctx;
    return 0;
}

bench_hs_scratch *bench_hs_scratch_new(const aupf_ruleset *rs) {
    hs_scratch_t *scratch = NULL;
    const hs_database_t *other = aupf__other_database((aupf_ruleset *)rs);
    if (hs_alloc_scratch(rs->db, &scratch) != HS_SUCCESS ||
        (other && hs_alloc_scratch(other, &scratch) != HS_SUCCESS)) {
        hs_free_scratch(scratch);
        return NULL;
    }
    return scratch;
}

void bench_hs_scratch_free(bench_hs_scratch *scratch) { hs_free_scratch(scratch); }

int bench_hs_scan(const aupf_ruleset *rs, bench_hs_scratch *scratch, const bench_corpus *c,
                  size_t *matches) {
    const hs_database_t *other = aupf__other_database((aupf_ruleset *)rs);
    if (!scratch)
        return -1;
    size_t n = 0;
    int ok = 1;
    for (size_t i = 0; i < c->count; i++) {
        ok &= hs_scan(rs->db, c->text[i], (unsigned)c->len[i], 0, scratch, count_match, &n) ==
              HS_SUCCESS;
        /* as the library does: the split-out triggers for text that is not ASCII */
        if (other && !aupf__is_ascii(c->text[i], c->len[i]))
            ok &= hs_scan(other, c->text[i], (unsigned)c->len[i], 0, scratch, count_match, &n) ==
                  HS_SUCCESS;
    }
    *matches = n;
    return ok ? 0 : -1;
}

int bench_hs_stream_latency(aupf_ruleset *rs, const bench_corpus *view, size_t chunk,
                            size_t max_calls, double *median_ns, double *p99_ns, double *mbps) {
    const hs_database_t *db = aupf__stream_database(rs);
    hs_scratch_t *scratch = NULL;
    double *t = malloc((max_calls ? max_calls : 1) * sizeof *t);
    int ok = db && t && hs_alloc_scratch(db, &scratch) == HS_SUCCESS;
    size_t calls = 0, bytes = 0, n = 0;
    double total = 0;
    for (size_t d = 0; ok && d < view->count && calls < max_calls; d++) {
        hs_stream_t *st = NULL;
        ok = hs_open_stream(db, 0, &st) == HS_SUCCESS;
        for (size_t off = 0; ok && off < view->len[d] && calls < max_calls;) {
            size_t len = view->len[d] - off < chunk ? view->len[d] - off : chunk;
            double t0 = bench_now_s();
            ok = hs_scan_stream(st, view->text[d] + off, (unsigned)len, 0, scratch, count_match,
                                &n) == HS_SUCCESS;
            t[calls] = (bench_now_s() - t0) * 1e9;
            total += t[calls++];
            bytes += len;
            off += len;
        }
        if (st)
            hs_close_stream(st, scratch, count_match, &n);
    }
    if (ok) {
        bench_latency_quantiles(t, calls, median_ns, p99_ns);
        *mbps = total > 0 ? (double)bytes / total * 1e3 : 0;
    }
    hs_free_scratch(scratch);
    free(t);
    return ok ? 0 : -1;
}

typedef struct {
    const aupf_ruleset *rs;
    unsigned role;
    size_t *last_doc; /* per rule: 1 + the last document counted */
    size_t doc;
    uint64_t hash;
} rule_hash_ctx;

/* Hyperscan ids are distinct expressions: each one counts for every
 * trigger pattern that shares it, as the library's own callback does. */
static int hash_match(unsigned id, unsigned long long from, unsigned long long to, unsigned fl,
                      void *ctx) {
    (void)from;
    (void)to;
    (void)fl;
    rule_hash_ctx *h = ctx;
    const aupf__expr *e = &h->rs->exprs[id];
    for (uint32_t k = 0; k < e->member_count; k++) {
        const aupf__pattern *p = &h->rs->patterns[h->rs->expr_members[e->first_member + k]];
        if (p->unless_index != AUPF__NO_UNLESS || !(h->rs->rules[p->rule].roles & h->role) ||
            h->last_doc[p->rule] == h->doc + 1)
            continue;
        h->last_doc[p->rule] = h->doc + 1;
        h->hash += bench_rule_mix(p->rule);
    }
    return 0;
}

int bench_hs_rule_hashes(const aupf_ruleset *rs, const bench_corpus *c, unsigned role,
                         uint64_t *hash) {
    hs_scratch_t *scratch = NULL;
    rule_hash_ctx h = {rs, role, calloc(rs->rule_count, sizeof(size_t)), 0, 0};
    const hs_database_t *other = aupf__other_database((aupf_ruleset *)rs);
    if (!h.last_doc || hs_alloc_scratch(rs->db, &scratch) != HS_SUCCESS ||
        (other && hs_alloc_scratch(other, &scratch) != HS_SUCCESS)) {
        free(h.last_doc);
        hs_free_scratch(scratch);
        return -1;
    }
    int st = 0;
    for (h.doc = 0; h.doc < c->count; h.doc++) {
        h.hash = 0;
        if (hs_scan(rs->db, c->text[h.doc], (unsigned)c->len[h.doc], 0, scratch, hash_match, &h) !=
                HS_SUCCESS ||
            (other && hs_scan(other, c->text[h.doc], (unsigned)c->len[h.doc], 0, scratch,
                              hash_match, &h) != HS_SUCCESS))
            st = -1;
        hash[h.doc] = h.hash;
    }
    hs_free_scratch(scratch);
    free(h.last_doc);
    return st;
}
