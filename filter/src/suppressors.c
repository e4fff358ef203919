/* The suppressor pass of a block scan. A suppressor counts only for its
 * own rule, so only the suppressor databases of the groups (pack files)
 * whose rules fired are scanned: a chat message that fires one rule scans
 * one pack's suppressors, not every pack's. A suppressor counts only where
 * it overlaps a match of its rule's trigger, and both have a maximum
 * width, so it is looked for only in a window around each trigger end that
 * fired: a long text with a few trigger hits scans a few hundred bytes of
 * suppressors instead of all of it. Verdicts are those of a scan of the
 * whole text with every suppressor:
 *
 * - A suppressor [us, ue) of width <= wu overlapping a trigger [ts, te) of
 *   width <= wt has te - wt - wu < us and ue < te + wu, so it lies inside
 *   [te - wt - wu - MARGIN, te + wu + MARGIN) with a byte to spare on each
 *   side: its assertions (\b, ^, $) see the same bytes as in the whole
 *   text, and Hyperscan reports its end.
 * - A match that exists only because a window cuts the text (\A, $ or \b at
 *   a window's edge) touches that edge, and a match touching an edge cannot
 *   reach any trigger whose window lies inside, by the same widths. */
#include "internal.h"

/* The widths alone keep an overlapping suppressor a byte inside each
 * edge; the margin is spare room, and keeps a $ that matches before a
 * window's final newline (a byte short of the edge) off every trigger. */
#define WINDOW_MARGIN 2
/* Windows closer than this are scanned as one: a call costs more. */
#define WINDOW_JOIN_GAP 64

/* A suppressor expression matched: a hit for each rule of the group being
 * scanned that fired (a rule of another group that shares the expression
 * gets its hit from its own group's scan). */
static int on_unless(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                     void *ctx) {
    (void)from;
    (void)flags;
    aupf_scanner *s = ctx;
    const aupf_ruleset *rs = s->rs;
    const aupf__expr *e = &rs->exprs[id];
    for (uint32_t k = 0; k < e->member_count; k++) {
        uint32_t pi = rs->expr_members[e->first_member + k];
        const aupf__pattern *p = &rs->patterns[pi];
        if (p->unless_index == AUPF__NO_UNLESS || s->rule_fired[p->rule] != s->scan_stamp ||
            rs->rules[p->rule].unless_group != s->unless_group)
            continue;
        if (aupf__push_hit(s, pi, s->unless_base + (size_t)to))
            return 1;
    }
    return 0;
}

static hs_error_t scan_window(aupf_scanner *s, const hs_database_t *udb, const char *text,
                              size_t from, size_t to) {
    s->unless_base = from;
    return hs_scan(udb, text + from, (unsigned)(to - from), 0, s->scratch, on_unless, s);
}

/* The windows around the trigger hits h[0..n) of the group being scanned,
 * in s->unless_windows. 0 when the whole text is to be scanned: a window
 * would hold it, or some width is unbounded. */
static int collect_windows(aupf_scanner *s, const aupf__span *h, size_t n, const char *text,
                           size_t len) {
    const aupf_ruleset *rs = s->rs;
    s->unless_windows.count = 0;
    for (size_t i = 0; i < n; i++) {
        const aupf__pattern *p = &rs->patterns[h[i].pattern];
        if (!rs->rules[p->rule].unless.count || rs->rules[p->rule].unless_group != s->unless_group)
            continue;
        uint32_t wu = rs->rules[p->rule].unless_width;
        if (wu == AUPF__UNBOUNDED || p->max_width == AUPF__UNBOUNDED)
            return 0;
        size_t back = (size_t)p->max_width + wu + WINDOW_MARGIN, ahead = (size_t)wu + WINDOW_MARGIN;
        size_t end = h[i].end;
        if (end <= back && len - end <= ahead)
            return 0; /* a short text: one window holds it all */
        aupf__span *w = aupf__vec_push(&s->unless_windows);
        if (!w) {
            s->scan_failed = 1;
            return 0;
        }
        /* whole characters: a UTF-8 database must not start inside one */
        w->start = aupf__utf8_floor(text, len, end > back ? end - back : 0);
        w->end = aupf__utf8_ceil(text, len, len - end > ahead ? end + ahead : len);
    }
    return 1;
}

static hs_error_t scan_group(aupf_scanner *s, const hs_database_t *udb, size_t trigger_hits,
                             const char *text, size_t len) {
    /* the hits vector may move as suppressor hits are pushed: windows are
     * collected before the first scan */
    if (s->whole_text_unless || !collect_windows(s, s->hits.data, trigger_hits, text, len))
        return s->scan_failed ? HS_SUCCESS : scan_window(s, udb, text, 0, len);
    aupf__span *w = s->unless_windows.data;
    size_t n = s->unless_windows.count;
    if (n > 1)
        aupf__sort(w, n, sizeof *w, aupf__cmp_span_start);
    for (size_t i = 0; i < n;) {
        size_t from = w[i].start, to = w[i].end, j = i + 1;
        for (; j < n && w[j].start <= to + WINDOW_JOIN_GAP; j++)
            if (w[j].end > to)
                to = w[j].end;
        hs_error_t e = scan_window(s, udb, text, from, to);
        if (e != HS_SUCCESS || s->scan_failed)
            return e;
        i = j;
    }
    return HS_SUCCESS;
}

hs_error_t aupf__scan_suppressors(aupf_scanner *s, const char *text, size_t len) {
    const aupf_ruleset *rs = s->rs;
    size_t trigger_hits = s->hits.count; /* suppressor hits follow them */
    for (uint32_t g = 0; g < rs->unless_group_count; g++) {
        if (s->group_fired[g] != s->scan_stamp)
            continue;
        const hs_database_t *udb = aupf__unless_db(s, g);
        if (!udb)
            return HS_INVALID;
        s->unless_group = g;
        hs_error_t e = scan_group(s, udb, trigger_hits, text, len);
        if (e != HS_SUCCESS || s->scan_failed)
            return e;
    }
    return HS_SUCCESS;
}
