/* Block scanning: one pass of the big database collects match ends; starts
 * are recovered in a short window before each end; suppressors are decided
 * on spans after the scan, so they work before or after the trigger; rules
 * are scored per category by noisy-OR. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

int aupf_scanner_new(aupf_ruleset *rs, aupf_scanner **out) {
    if (!rs || !out)
        return AUPF_E_ARG;
    aupf_scanner *s = calloc(1, sizeof *s);
    if (!s)
        return AUPF_E_NOMEM;
    s->rs = aupf_ruleset_retain(rs);
    s->hits.elem_size = sizeof(aupf__span);
    s->matches.elem_size = sizeof(aupf_match);
    s->output.elem_size = 1;
    size_t nc = rs->category_count ? rs->category_count : 1;
    s->miss_product = calloc(nc, sizeof *s->miss_product);
    s->result.scores = calloc(nc, sizeof *s->result.scores);
    s->result.flagged = calloc(nc, 1);
    s->rule_seen = calloc(rs->rule_count ? rs->rule_count : 1, 1);
    s->result.rs = rs;
    if (!s->miss_product || !s->result.scores || !s->result.flagged || !s->rule_seen ||
        hs_clone_scratch(rs->scratch_prototype, &s->scratch) != HS_SUCCESS) {
        aupf_scanner_free(s);
        return AUPF_E_NOMEM;
    }
    *out = s;
    return AUPF_OK;
}

void aupf_scanner_free(aupf_scanner *s) {
    if (!s)
        return;
    hs_free_scratch(s->scratch);
    aupf__vec_free(&s->hits);
    aupf__vec_free(&s->matches);
    aupf__vec_free(&s->output);
    free(s->miss_product);
    free(s->result.scores);
    free(s->result.flagged);
    free(s->rule_seen);
    aupf_ruleset_release(s->rs);
    free(s);
}

static int on_end(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                  void *ctx) {
    (void)from;
    (void)flags;
    aupf_scanner *s = ctx;
    const aupf__pattern *p = &s->rs->patterns[id];
    if (!(s->rs->rules[p->rule].roles & (unsigned)s->role))
        return 0;
    aupf__span *h = aupf__vec_push(&s->hits);
    if (!h) {
        s->scan_failed = 1;
        return 1;
    }
    *h = (aupf__span){id, 0, (size_t)to};
    return 0;
}

typedef struct {
    unsigned long long want_end;
    unsigned long long start;
    int found;
} som_query;

static int on_start(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                    void *ctx) {
    (void)id;
    (void)flags;
    som_query *q = ctx;
    if (to == q->want_end) {
        q->start = from;
        q->found = 1;
    }
    return to >= q->want_end; /* ends arrive in order: stop once past */
}

/* Leftmost start of the match of pattern pi that ends at end. No match is
 * longer than the pattern's max width w, so the window starts w+1 bytes
 * before the end: the extra byte gives \b its real left context, and a
 * match starting on that byte would be longer than w, so none is false. One
 * byte after the end gives a trailing assertion its right context. */
static size_t recover_start(aupf_scanner *s, uint32_t pi, const char *text, size_t len,
                            size_t end) {
    const aupf__pattern *p = &s->rs->patterns[pi];
    size_t ws = 0;
    if (p->max_width != AUPF__UNBOUNDED && end > (size_t)p->max_width + 1)
        ws = end - p->max_width - 1;
    ws = aupf__utf8_floor(text, len, ws);
    size_t we = aupf__utf8_ceil(text, len, end < len ? end + 1 : len);
    som_query q = {end - ws, 0, 0};
    hs_error_t e =
        hs_scan(s->rs->som_dbs[pi], text + ws, (unsigned)(we - ws), 0, s->scratch, on_start, &q);
    if ((e != HS_SUCCESS && e != HS_SCAN_TERMINATED) || !q.found)
        return ws; /* cannot happen for a consistent database; widest span */
    return ws + (size_t)q.start;
}

static int cmp_pattern_start(const void *a, const void *b) {
    const aupf__span *x = a, *y = b;
    if (x->pattern != y->pattern)
        return x->pattern < y->pattern ? -1 : 1;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (x->end > y->end) - (x->end < y->end);
}

static int cmp_start(const void *a, const void *b) {
    const aupf__span *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (x->end > y->end) - (x->end < y->end);
}

static int cmp_match(const void *a, const void *b) {
    const aupf_match *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return (x->rule > y->rule) - (x->rule < y->rule);
}

/* Sorts spans by pattern then start and merges overlapping spans of the
 * same pattern (a pattern such as `bombs?` reports several ends). Returns
 * the new count. */
static size_t merge_spans(aupf__span *sp, size_t n) {
    if (n < 2)
        return n;
    qsort(sp, n, sizeof *sp, cmp_pattern_start);
    size_t w = 0;
    for (size_t i = 1; i < n; i++) {
        if (sp[i].pattern == sp[w].pattern && sp[i].start < sp[w].end) {
            if (sp[i].end > sp[w].end)
                sp[w].end = sp[i].end;
        } else {
            sp[++w] = sp[i];
        }
    }
    return w + 1;
}

/* Keeps the triggers of one rule that no suppressor span overlaps. trig and
 * unl are sorted by start; merged triggers are disjoint, so their ends
 * increase too and one sweep decides each. */
static int keep_unsuppressed(aupf_scanner *s, const aupf__rule *r, size_t rule,
                             const aupf__span *trig, size_t nt, aupf__span *unl, size_t nu) {
    if (nu > 1)
        qsort(unl, nu, sizeof *unl, cmp_start);
    size_t j = 0, max_end = 0;
    for (size_t i = 0; i < nt; i++) {
        while (j < nu && unl[j].start < trig[i].end) {
            if (unl[j].end > max_end)
                max_end = unl[j].end;
            j++;
        }
        if (max_end > trig[i].start)
            continue; /* suppressed */
        aupf_match *m = aupf__vec_push(&s->matches);
        if (!m)
            return AUPF_E_NOMEM;
        *m = (aupf_match){rule, r->id, r->category, trig[i].start, trig[i].end};
        if (!s->rule_seen[rule]) {
            s->rule_seen[rule] = 1;
            s->miss_product[r->category] *= 1.0 - r->weight;
        }
    }
    return AUPF_OK;
}

/* Decides one rule from its hits g[0..n) (sorted by pattern, then end).
 * Starts are recovered only when the trigger fired at all. */
static int decide_rule(aupf_scanner *s, const char *text, size_t len, aupf__span *g, size_t n) {
    uint32_t rule = s->rs->patterns[g[0].pattern].rule;
    const aupf__rule *r = &s->rs->rules[rule];
    if (g[0].pattern != r->first_pattern)
        return AUPF_OK; /* only suppressors fired */
    for (size_t i = 0; i < n; i++)
        g[i].start = recover_start(s, g[i].pattern, text, len, g[i].end);
    n = merge_spans(g, n);
    size_t nt = 0;
    while (nt < n && g[nt].pattern == r->first_pattern)
        nt++;
    return keep_unsuppressed(s, r, rule, g, nt, g + nt, n - nt);
}

static int decide(aupf_scanner *s, const char *text, size_t len) {
    aupf__span *sp = s->hits.data;
    size_t n = s->hits.count;
    if (n > 1)
        qsort(sp, n, sizeof *sp, cmp_pattern_start);
    for (size_t i = 0; i < n;) {
        uint32_t rule = s->rs->patterns[sp[i].pattern].rule;
        size_t k = i + 1;
        while (k < n && s->rs->patterns[sp[k].pattern].rule == rule)
            k++;
        int st = decide_rule(s, text, len, sp + i, k - i);
        if (st != AUPF_OK)
            return st;
        i = k;
    }
    return AUPF_OK;
}

static void score(aupf_scanner *s) {
    const aupf_ruleset *rs = s->rs;
    aupf_result *res = &s->result;
    res->any_flagged = 0;
    res->action = AUPF_ACTION_ALLOW;
    for (size_t c = 0; c < rs->category_count; c++) {
        double sc = 1.0 - s->miss_product[c];
        res->scores[c] = sc;
        /* a small tolerance so that weight 0.5 meets threshold 0.5 */
        res->flagged[c] = sc > 0.0 && sc + 1e-9 >= rs->categories[c].threshold;
        if (res->flagged[c]) {
            res->any_flagged = 1;
            if (rs->categories[c].action > res->action)
                res->action = rs->categories[c].action;
        }
    }
    aupf_match *m = s->matches.data;
    if (s->matches.count > 1)
        qsort(m, s->matches.count, sizeof *m, cmp_match);
    for (size_t i = 0; i < s->matches.count; i++)
        s->rule_seen[m[i].rule] = 0;
    res->matches = m;
    res->match_count = s->matches.count;
}

int aupf_scan(aupf_scanner *s, aupf_role role, const char *text, size_t len,
              const aupf_result **out) {
    if (!s || !out || (!text && len) || (role != AUPF_ROLE_PROMPT && role != AUPF_ROLE_COMPLETION))
        return AUPF_E_ARG;
    *out = NULL;
    if (len > UINT32_MAX)
        return AUPF_E_TOO_LARGE; /* Hyperscan's block length is 32-bit */
    if (!text)
        text = "";
    if (!aupf__utf8_valid(text, len, NULL))
        return AUPF_E_UTF8;
    const aupf_ruleset *rs = s->rs;
    s->role = role;
    s->scan_failed = 0;
    s->hits.count = s->matches.count = 0;
    for (size_t c = 0; c < rs->category_count; c++)
        s->miss_product[c] = 1.0;
    hs_error_t e = hs_scan(rs->db, text, (unsigned)len, 0, s->scratch, on_end, s);
    if (e != HS_SUCCESS || s->scan_failed)
        return s->scan_failed ? AUPF_E_NOMEM : AUPF_E_SCAN;
    int st = decide(s, text, len);
    if (st != AUPF_OK)
        return st;
    score(s);
    *out = &s->result;
    return AUPF_OK;
}
