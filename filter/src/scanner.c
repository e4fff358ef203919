/* Block scanning: one pass of the trigger database collects match ends; a
 * second pass, of the suppressor database, runs only when a rule that has
 * suppressors fired; starts are recovered in a short window before each
 * end; suppressors are decided on spans after the scan, so they work before
 * or after the trigger; rules are scored per category by noisy-OR. */
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
    s->grouped.elem_size = sizeof(aupf__span);
    s->pattern_slots = calloc(rs->pattern_count + 1, sizeof *s->pattern_slots);
    s->rule_fired = calloc(rs->rule_count ? rs->rule_count : 1, sizeof *s->rule_fired);
    s->start_ready = calloc(2 * (rs->expr_count ? rs->expr_count : 1), 1);
    size_t ng = rs->unless_group_count ? rs->unless_group_count : 1;
    s->unless_ready = calloc(ng, 1);
    s->group_fired = calloc(ng, sizeof *s->group_fired);
    s->matches.elem_size = sizeof(aupf_match);
    s->decided.elem_size = sizeof(aupf__dmatch);
    s->prefix_max.elem_size = sizeof(size_t);
    s->unless_windows.elem_size = sizeof(aupf__span);
    s->output.elem_size = 1;
    size_t nc = rs->category_count ? rs->category_count : 1;
    s->result.scores = calloc(nc, sizeof *s->result.scores);
    s->result.flagged = calloc(nc, 1);
    s->result.shadow_flagged = calloc(nc, 1);
    s->normalizer = aupf__normalizer_new();
    s->result.rs = rs;
    if (aupf__decider_init(&s->decider, rs) != AUPF_OK || !s->result.scores || !s->pattern_slots ||
        !s->rule_fired || !s->unless_ready || !s->group_fired || !s->result.shadow_flagged ||
        !s->result.flagged || !s->normalizer ||
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
    if (s->work_stream)
        hs_close_stream(s->work_stream, NULL, NULL, NULL);
    hs_free_scratch(s->scratch);
    aupf__vec_free(&s->hits);
    aupf__vec_free(&s->matches);
    aupf__vec_free(&s->output);
    free(s->result.scores);
    free(s->result.flagged);
    free(s->result.shadow_flagged);
    aupf__vec_free(&s->decided);
    aupf__vec_free(&s->grouped);
    free(s->pattern_slots);
    free(s->rule_fired);
    free(s->start_ready);
    free(s->unless_ready);
    free(s->group_fired);
    aupf__vec_free(&s->prefix_max);
    aupf__vec_free(&s->unless_windows);
    aupf__decider_free(&s->decider);
    aupf__normalizer_free(s->normalizer);
    aupf_ruleset_release(s->rs);
    free(s);
}

int aupf__push_hit(aupf_scanner *s, uint32_t pattern, size_t to) {
    aupf__span *h = aupf__vec_push(&s->hits);
    if (!h) {
        s->scan_failed = 1;
        return 1;
    }
    *h = (aupf__span){pattern, 0, to};
    return 0;
}

/* A trigger expression matched: a hit for each rule it triggers. */
static int on_end(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                  void *ctx) {
    (void)from;
    (void)flags;
    aupf_scanner *s = ctx;
    const aupf_ruleset *rs = s->rs;
    const aupf__expr *e = &rs->exprs[id];
    for (uint32_t k = 0; k < e->member_count; k++) {
        uint32_t pi = rs->expr_members[e->first_member + k];
        const aupf__pattern *p = &rs->patterns[pi];
        const aupf__rule *r = &rs->rules[p->rule];
        if (p->unless_index != AUPF__NO_UNLESS || !(r->roles & (unsigned)s->role))
            continue;
        if (r->unless.count) {
            s->rule_fired[p->rule] = s->scan_stamp;
            s->group_fired[r->unless_group] = s->scan_stamp;
            s->needs_unless = 1;
        }
        if (aupf__push_hit(s, pi, (size_t)to))
            return 1;
    }
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
 * byte after the end gives a trailing assertion its right context.
 * buf holds view bytes [base, base + n); offsets are absolute. */
/* Is there a match of anchored database db over buf[ws..we) (absolute
 * offsets) that ends at end? */
static int anchored_match(aupf_scanner *s, const hs_database_t *db, const char *buf, size_t base,
                          size_t ws, size_t we, size_t end) {
    som_query q = {end - ws, 0, 0};
    hs_error_t e = hs_scan(db, buf + (ws - base), (unsigned)(we - ws), 0, s->scratch, on_start, &q);
    return (e == HS_SUCCESS || e == HS_SCAN_TERMINATED) && q.found;
}

/* For patterns too large for start-of-match tracking: the leftmost start
 * is the first candidate from which the anchored pattern, given one
 * character of left context, matches up to end. */
static size_t anchored_start(aupf_scanner *s, uint32_t pi, const char *buf, size_t base, size_t n,
                             size_t end) {
    const aupf__pattern *p = &s->rs->patterns[pi];
    size_t lo = base;
    if (p->max_width != AUPF__UNBOUNDED && end > (size_t)p->max_width + base)
        lo = end - p->max_width;
    size_t we = base + aupf__utf8_ceil(buf, n, (end < base + n ? end + 1 : base + n) - base);
    for (size_t c = lo; c < end; c++) {
        if (c > base && (((unsigned char)buf[c - base]) & 0xC0) == 0x80)
            continue; /* not a code point boundary */
        if (c == 0 || c == base) {
            if (anchored_match(s, aupf__start_db(s, s->rs->patterns[pi].expr, 1), buf, base, c, we,
                               end))
                return c;
        } else {
            size_t ctx = base + aupf__utf8_floor(buf, n, c - 1 - base);
            if (anchored_match(s, aupf__start_db(s, s->rs->patterns[pi].expr, 0), buf, base, ctx,
                               we, end))
                return c;
        }
    }
    return lo;
}

size_t aupf__recover_start(aupf_scanner *s, uint32_t pi, const char *buf, size_t base, size_t n,
                           size_t end) {
    const aupf__pattern *p = &s->rs->patterns[pi];
    if (aupf__has_anchored(s->rs, s->rs->patterns[pi].expr))
        return anchored_start(s, pi, buf, base, n, end);
    size_t ws = base;
    if (p->max_width != AUPF__UNBOUNDED && end > (size_t)p->max_width + 1 + base)
        ws = end - p->max_width - 1;
    ws = base + aupf__utf8_floor(buf, n, ws - base);
    size_t we = end < base + n ? end + 1 : base + n;
    we = base + aupf__utf8_ceil(buf, n, we - base);
    som_query q = {end - ws, 0, 0};
    /* first the database: loading it may replace the scanner's scratch */
    const hs_database_t *db = aupf__start_db(s, s->rs->patterns[pi].expr, 0);
    hs_error_t e = hs_scan(db, buf + (ws - base), (unsigned)(we - ws), 0, s->scratch, on_start, &q);
    if ((e != HS_SUCCESS && e != HS_SCAN_TERMINATED) || !q.found)
        return ws; /* only for an unbounded pattern clipped by a stream */
    return ws + (size_t)q.start;
}

/* Starts for hits g[0..n) of one pattern, in end order, over the view:
 * hits whose start windows overlap share one scan of the start database
 * (a window that starts earlier only adds context: no match is longer than
 * the pattern's width). */
typedef struct {
    aupf__span *g;
    size_t n, k, ws;
    size_t base;     /* anchored: where the scan begins */
    size_t assigned; /* anchored: hits given a start */
} cluster_query;

static int on_cluster_start(unsigned id, unsigned long long from, unsigned long long to,
                            unsigned flags, void *ctx) {
    (void)id;
    (void)flags;
    cluster_query *q = ctx;
    size_t end = q->ws + (size_t)to;
    while (q->k < q->n && q->g[q->k].end < end)
        q->k++;
    if (q->k < q->n && q->g[q->k].end == end && q->g[q->k].start == SIZE_MAX)
        q->g[q->k].start = q->ws + (size_t)from;
    return q->k >= q->n; /* past the last hit: stop */
}

/* A match of the anchored form from candidate start q->ws: the hits that
 * end where it ends and have no start yet start there. The hits are in end
 * order and those before q->k all have a start. */
static int on_cluster_anchored(unsigned id, unsigned long long from, unsigned long long to,
                               unsigned flags, void *ctx) {
    (void)id;
    (void)from;
    (void)flags;
    cluster_query *q = ctx;
    size_t end = q->base + (size_t)to, lo = q->k, hi = q->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (q->g[mid].end < end)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < q->n && q->g[lo].end == end; lo++)
        if (q->g[lo].start == SIZE_MAX) {
            q->g[lo].start = q->ws;
            q->assigned++;
        }
    return q->assigned >= q->n;
}

static void recover_cluster(aupf_scanner *s, uint32_t pi, aupf__span *g, size_t n) {
    const aupf__pattern *p = &s->rs->patterns[pi];
    const char *buf = s->view.text;
    size_t len = s->view.len;
    for (size_t i = 0; i < n; i++)
        g[i].start = SIZE_MAX;
    size_t w = p->max_width == AUPF__UNBOUNDED ? len : p->max_width;
    size_t first = g[0].end, last = g[n - 1].end;
    size_t we = aupf__utf8_ceil(buf, len, last < len ? last + 1 : len);
    if (!aupf__has_anchored(s->rs, s->rs->patterns[pi].expr)) {
        size_t ws = aupf__utf8_floor(buf, len, first > w + 1 ? first - w - 1 : 0);
        cluster_query q = {g, n, 0, ws, 0, 0};
        /* first the database: loading it may replace the scanner's scratch */
        const hs_database_t *db = aupf__start_db(s, s->rs->patterns[pi].expr, 0);
        hs_scan(db, buf + ws, (unsigned)(we - ws), 0, s->scratch, on_cluster_start, &q);
    } else {
        /* candidates from the earliest possible start, leftmost first;
         * each within the width of the first hit still without a start,
         * each scan no longer than the widest match from it, so that a
         * text dense with hits costs a bounded scan per candidate */
        cluster_query q = {g, n, 0, 0, 0, 0};
        for (size_t c = first > w ? first - w : 0; c < last && q.k < n; c++) {
            size_t earliest = g[q.k].end > w ? g[q.k].end - w : 0;
            if (c < earliest)
                c = earliest;
            if (c > 0 && (((unsigned char)buf[c]) & 0xC0) == 0x80)
                continue;
            q.ws = c;
            /* one character of left context for the unanchored form, one
             * byte of right context past the widest match */
            size_t scan_from = c == 0 ? 0 : aupf__utf8_floor(buf, len, c - 1);
            size_t scan_to = len - c > w + 1 ? aupf__utf8_ceil(buf, len, c + w + 1) : len;
            if (scan_to > we)
                scan_to = we;
            q.base = scan_from;
            const hs_database_t *db = c == 0 ? aupf__start_db(s, s->rs->patterns[pi].expr, 1)
                                             : aupf__start_db(s, s->rs->patterns[pi].expr, 0);
            hs_scan(db, buf + scan_from, (unsigned)(scan_to - scan_from), 0, s->scratch,
                    on_cluster_anchored, &q);
            while (q.k < n && g[q.k].start != SIZE_MAX)
                q.k++;
        }
    }
    for (size_t i = 0; i < n; i++) /* cannot happen for a consistent database */
        if (g[i].start == SIZE_MAX)
            g[i].start = g[i].end > w ? g[i].end - w : 0;
}

/* Starts for all hits of one rule (grouped by pattern, each in end order),
 * one cluster of overlapping windows at a time. */
static void recover_starts(aupf_scanner *s, aupf__span *g, size_t n) {
    for (size_t i = 0; i < n;) {
        const aupf__pattern *p = &s->rs->patterns[g[i].pattern];
        size_t w = p->max_width == AUPF__UNBOUNDED ? s->view.len : p->max_width;
        size_t j = i + 1;
        while (j < n && g[j].pattern == g[i].pattern && g[j].end <= g[j - 1].end + w + 2)
            j++;
        recover_cluster(s, g[i].pattern, g + i, j - i);
        i = j;
    }
}

static int cmp_pattern_start(const void *a, const void *b) {
    const aupf__span *x = a, *y = b;
    if (x->pattern != y->pattern)
        return x->pattern < y->pattern ? -1 : 1;
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

int aupf__cmp_decided(const void *a, const void *b) {
    const aupf__dmatch *x = a, *y = b;
    if (x->ve != y->ve)
        return x->ve < y->ve ? -1 : 1;
    if (x->vs != y->vs)
        return x->vs < y->vs ? -1 : 1;
    return (x->m.rule > y->m.rule) - (x->m.rule < y->m.rule);
}

int aupf__push_decided(aupf__vec *decided, const aupf_ruleset *rs, const aupf__view *view,
                       size_t rule, size_t vs, size_t ve) {
    const aupf__rule *r = &rs->rules[rule];
    aupf__dmatch *dm = aupf__vec_push(decided);
    if (!dm)
        return AUPF_E_NOMEM;
    size_t os, oe;
    aupf__view_map(view, vs, ve, &os, &oe);
    int shadow = r->shadow || rs->categories[r->category].shadow;
    *dm = (aupf__dmatch){
        vs, ve,
        (aupf_match){rule, r->id, r->category, os, oe, aupf__view_evasive(view, vs, ve), shadow}};
    return AUPF_OK;
}

/* One rule's hits g[0..n), sorted by pattern then end. A trigger match
 * survives unless another match of the trigger has the same start and a
 * later end (it is part of that longer match), or a suppressor match
 * overlaps it. Starts are recovered only when the trigger fired. */
static int resolve_rule(aupf_scanner *s, aupf__span *g, size_t n) {
    const aupf_ruleset *rs = s->rs;
    uint32_t rule = rs->patterns[g[0].pattern].rule;
    const aupf__rule *r = &rs->rules[rule];
    if (g[0].pattern != r->first_pattern)
        return AUPF_OK; /* only suppressors fired */
    /* Hyperscan reports a match whose trailing assertion needs the next
     * byte a little late, so a pattern's ends are nearly, not strictly, in
     * order: put them in order (cheap on nearly sorted input) */
    aupf__sort(g, n, sizeof *g, cmp_pattern_start);
    recover_starts(s, g, n);
    aupf__sort(g, n, sizeof *g, cmp_pattern_start);
    size_t nt = 0;
    while (nt < n && g[nt].pattern == r->first_pattern)
        nt++;
    /* suppressors: sorted by start within each pattern; merge them into one
     * list sorted by start with a running maximum of ends */
    aupf__span *u = g + nt;
    size_t nu = n - nt;
    if (nu > 1)
        aupf__sort(u, nu, sizeof *u, aupf__cmp_span_start);
    if (aupf__vec_reserve(&s->prefix_max, nu) != AUPF_OK)
        return AUPF_E_NOMEM;
    size_t *pmax = s->prefix_max.data;
    for (size_t k = 0; k < nu; k++)
        pmax[k] = (k && pmax[k - 1] > u[k].end) ? pmax[k - 1] : u[k].end;
    for (size_t i = 0; i < nt; i++) {
        if (i + 1 < nt && g[i + 1].start == g[i].start)
            continue; /* dominated by the longer match with the same start */
        /* suppressors starting before the trigger's end: the first lo of them */
        size_t lo = 0, hi = nu;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (u[mid].start < g[i].end)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo > 0 && pmax[lo - 1] > g[i].start)
            continue; /* suppressed */
        int st = aupf__push_decided(&s->decided, rs, &s->view, rule, g[i].start, g[i].end);
        if (st != AUPF_OK)
            return st;
    }
    return AUPF_OK;
}

/* Groups hits by pattern, keeping each pattern's hits in end order (the
 * order Hyperscan reports them in): a counting sort, linear in the hits. */
static int group_hits(aupf_scanner *s) {
    size_t n = s->hits.count, np = s->rs->pattern_count;
    if (n < 2)
        return AUPF_OK;
    if (aupf__vec_reserve(&s->grouped, n) != AUPF_OK)
        return AUPF_E_NOMEM;
    size_t *at = s->pattern_slots;
    memset(at, 0, (np + 1) * sizeof *at);
    const aupf__span *h = s->hits.data;
    for (size_t i = 0; i < n; i++)
        at[h[i].pattern + 1]++;
    for (size_t p = 0; p < np; p++)
        at[p + 1] += at[p];
    aupf__span *out = s->grouped.data;
    for (size_t i = 0; i < n; i++)
        out[at[h[i].pattern]++] = h[i];
    /* swap buffers: hits now holds the grouped order */
    aupf__vec t = s->hits;
    s->hits = s->grouped;
    s->hits.count = n;
    s->grouped = t;
    return AUPF_OK;
}

static int resolve(aupf_scanner *s) {
    int st = group_hits(s);
    if (st != AUPF_OK)
        return st;
    aupf__span *sp = s->hits.data;
    size_t n = s->hits.count;
    for (size_t i = 0; i < n;) {
        uint32_t rule = s->rs->patterns[sp[i].pattern].rule;
        size_t k = i + 1;
        while (k < n && s->rs->patterns[sp[k].pattern].rule == rule)
            k++;
        st = resolve_rule(s, sp + i, k - i);
        if (st != AUPF_OK)
            return st;
        i = k;
    }
    return AUPF_OK;
}

void aupf__fill_result(aupf_result *res, const aupf_ruleset *rs, const aupf__decider *d,
                       aupf__vec *matches) {
    res->any_flagged = 0;
    res->action = AUPF_ACTION_ALLOW;
    res->fallback = 0;
    res->error = AUPF_OK;
    for (size_t c = 0; c < rs->category_count; c++) {
        res->scores[c] = 1.0 - d->miss[c];
        res->flagged[c] = d->flagged[c];
        res->shadow_flagged[c] = d->shadow_flagged[c];
        if (d->flagged[c]) {
            res->any_flagged = 1;
            if (rs->categories[c].action > res->action)
                res->action = rs->categories[c].action;
        }
    }
    aupf_match *m = matches->data;
    if (matches->count > 1)
        aupf__sort(m, matches->count, sizeof *m, cmp_match);
    res->matches = m;
    res->match_count = matches->count;
}

/* Decides the resolved matches in end order and fills the result. */
static int decide_all(aupf_scanner *s) {
    aupf__dmatch *dm = s->decided.data;
    size_t n = s->decided.count;
    if (n > 1)
        aupf__sort(dm, n, sizeof *dm, aupf__cmp_decided);
    aupf__decider_reset(&s->decider, s->rs);
    if (aupf__vec_reserve(&s->matches, n) != AUPF_OK)
        return AUPF_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (aupf__decide(&s->decider, s->rs, dm, i) < 0)
            return AUPF_E_NOMEM;
        ((aupf_match *)s->matches.data)[i] = dm[i].m;
    }
    s->matches.count = n;
    aupf__fill_result(&s->result, s->rs, &s->decider, &s->matches);
    return AUPF_OK;
}

static int scan_block(aupf_scanner *s, aupf_role role, const char *text, size_t len) {
    const aupf_ruleset *rs = s->rs;
    int st = AUPF_OK;
    if (rs->normalize) {
        st = aupf__normalize(s->normalizer, text, len, &s->view);
        if (st != AUPF_OK)
            return st;
    } else {
        if (!aupf__utf8_valid(text, len, NULL))
            return AUPF_E_UTF8;
        s->view = (aupf__view){.text = text, .len = len, .identity = true};
    }
    memcpy(s->result.signals, s->view.signals, sizeof s->result.signals);
    s->result.script = aupf__dominant_script(s->view.letters, &s->result.has_kana);
    s->result.view = &s->view;
    s->result.language_known = 0;
    text = s->view.text;
    len = s->view.len;
    s->role = role;
    s->scan_failed = 0;
    s->start_failed = 0;
    s->hits.count = s->matches.count = s->decided.count = 0;
    s->needs_unless = 0;
    if (++s->scan_stamp == 0) { /* wrapped: forget every old stamp */
        memset(s->rule_fired, 0, rs->rule_count * sizeof *s->rule_fired);
        memset(s->group_fired, 0, rs->unless_group_count * sizeof *s->group_fired);
        s->scan_stamp = 1;
    }
    hs_error_t e = hs_scan(rs->db, text, (unsigned)len, 0, s->scratch, on_end, s);
    /* the triggers that need other bytes than ASCII: not for an ASCII view */
    if (e == HS_SUCCESS && !s->scan_failed && (!s->view.ascii || s->every_trigger) &&
        (rs->other_db || rs->other_blob.len)) {
        const hs_database_t *odb = aupf__other_db(s);
        e = odb ? hs_scan(odb, text, (unsigned)len, 0, s->scratch, on_end, s) : HS_INVALID;
    }
    if (e == HS_SUCCESS && !s->scan_failed && s->needs_unless)
        e = aupf__scan_suppressors(s, text, len);
    if (e != HS_SUCCESS || s->scan_failed)
        return s->scan_failed ? AUPF_E_NOMEM : AUPF_E_SCAN;
    st = resolve(s);
    if (st == AUPF_OK && s->start_failed)
        st = AUPF_E_SCAN; /* a damaged start database in the cache file */
    if (st == AUPF_OK)
        st = decide_all(s);
    return st;
}

int aupf_scan(aupf_scanner *s, aupf_role role, const char *text, size_t len,
              const aupf_result **out) {
    if (!s || !out || (!text && len) || (role != AUPF_ROLE_PROMPT && role != AUPF_ROLE_COMPLETION))
        return AUPF_E_ARG;
    *out = NULL;
    if (len > UINT32_MAX)
        return AUPF_E_TOO_LARGE; /* Hyperscan's block length is 32-bit */
    int st = scan_block(s, role, text ? text : "", len);
    if (aupf__internal_failure(st)) { /* the configured fallback, not an error */
        *out = aupf__fallback_result(s, st);
        return AUPF_OK;
    }
    if (st != AUPF_OK)
        return st;
    *out = &s->result;
    return AUPF_OK;
}
