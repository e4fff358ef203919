/* Streams: the same normalization, matching and decisions as a block scan,
 * fed chunk by chunk (docs/streaming.md).
 *
 *   raw bytes ─► pieces cut where normalization cannot depend on what
 *   follows ─► view bytes ─► Hyperscan stream ─► hits ─► decided once the
 *   view is decision_delay past their end ─► released once no undecided
 *   match can reach them (holdback), redactions applied.
 *
 * The stream keeps bounded tails: raw bytes not yet released, the view
 * bytes that start recovery and the release map still need, and the hits
 * that can still suppress or dominate an undecided match. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct {    /* 16 bytes: a stream may hold a hundred of these */
    uint32_t start; /* view offsets (a stream's view stays under 4 GiB); */
    uint32_t end;   /* start is NO_START until recovered */
    uint32_t pattern;
    uint32_t decided;
} stream_hit;

#define NO_START UINT32_MAX

struct aupf_stream {
    aupf_ruleset *rs;
    aupf_role role;
    aupf__hs_state hs;
    int closed;
    int failed;    /* out of memory inside a callback */
    int stopped;   /* a sink returned non-zero (its code is not ours) */
    int fallback;  /* 0, or the on_error policy followed after a failure */
    int error;     /* that failure */
    aupf__vec raw; /* char: original bytes [raw_base, raw_base + count) */
    size_t raw_base;
    size_t pending_from; /* the next piece starts here */
    size_t last_forced;  /* last forced cut */
    size_t anchor;       /* last cut, safe or forced */
    size_t scan_pos;     /* next offset to test for a cut */
    size_t piece_end;    /* the last cut found and not yet normalized up to */
    aupf__vec vtext;     /* char: view bytes [view_base, view_len) */
    aupf__vec vstart;    /* uint16_t: where each view byte's original span starts,
                          * less start_base (see push_starts) */
    size_t start_base;
    aupf__vec vspan; /* uint8_t: its length (a span lies within one piece: under
                      * 128 bytes) | SPAN_EVASIVE when it came from an evasion */
    size_t view_base, view_len;
    aupf__vec prefix;                    /* char: the first AUPF__LANGUAGE_PREFIX view bytes */
    uint32_t signals[AUPF_SIGNAL_COUNT]; /* evasion signals so far */
    uint32_t letters[AUPF_SCRIPT_SLOTS]; /* letters per script so far */
    aupf__vec hits;                      /* stream_hit, in end order */
    size_t undecided_from;               /* hits before this index are decided or suppressors */
    aupf__vec decided;                   /* aupf__dmatch, in decision order */
    aupf__decider *decider;              /* made at the first decision: most streams never decide */
    aupf__output out;
};

#define SPAN_EVASIVE 0x80u

static void vec_init(aupf__vec *v, size_t elem) { *v = (aupf__vec){.elem_size = elem}; }

int aupf_stream_open(aupf_ruleset *rs, aupf_role role, aupf_stream **out) {
    if (!rs || !out || (role != AUPF_ROLE_PROMPT && role != AUPF_ROLE_COMPLETION))
        return AUPF_E_ARG;
    aupf_stream *st = calloc(1, sizeof *st);
    if (!st)
        return AUPF_E_NOMEM;
    st->rs = aupf_ruleset_retain(rs);
    st->role = role;
    vec_init(&st->raw, 1);
    vec_init(&st->vtext, 1);
    vec_init(&st->vstart, sizeof(uint16_t));
    vec_init(&st->vspan, 1);
    vec_init(&st->prefix, 1);
    vec_init(&st->hits, sizeof(stream_hit));
    vec_init(&st->decided, sizeof(aupf__dmatch));
    if (!aupf__stream_database(rs) || aupf__hs_state_open(&st->hs, rs) != AUPF_OK) {
        aupf_stream_free(st);
        return AUPF_E_NOMEM;
    }
    *out = st;
    return AUPF_OK;
}

void aupf_stream_free(aupf_stream *st) {
    if (!st)
        return;
    aupf__hs_state_free(&st->hs);
    aupf__vec_free(&st->raw);
    aupf__vec_free(&st->vtext);
    aupf__vec_free(&st->vstart);
    aupf__vec_free(&st->vspan);
    aupf__vec_free(&st->prefix);
    aupf__vec_free(&st->hits);
    aupf__vec_free(&st->decided);
    if (st->decider) {
        aupf__decider_free(st->decider);
        free(st->decider);
    }
    aupf_ruleset_release(st->rs);
    free(st);
}

size_t aupf_stream_settled(const aupf_stream *st) { return st ? st->out.released : 0; }

aupf_ruleset *aupf_stream_ruleset(const aupf_stream *st) { return st ? st->rs : NULL; }

size_t aupf_ruleset_holdback(const aupf_ruleset *rs) { return rs ? rs->holdback : 0; }

size_t aupf_stream_memory(const aupf_stream *st) {
    size_t bytes =
        sizeof *st + aupf__hs_state_bytes(&st->hs, st->rs) + st->raw.capacity + st->vtext.capacity +
        st->vstart.capacity * sizeof(uint16_t) + st->vspan.capacity + st->prefix.capacity +
        st->hits.capacity * sizeof(stream_hit) + st->decided.capacity * sizeof(aupf__dmatch);
    if (st->decider)
        bytes += sizeof *st->decider + st->decider->redactions.capacity * sizeof(aupf__interval) +
                 st->rs->category_count * (sizeof(double) + 3) + st->rs->rule_count / 8 + 1;
    return bytes;
}

/* The decider's arrays, allocated when the stream first decides a match. */
static int decider_ready(aupf_stream *st) {
    if (st->decider)
        return AUPF_OK;
    aupf__decider *d = malloc(sizeof *d);
    if (!d || aupf__decider_init(d, st->rs) != AUPF_OK) {
        free(d);
        return AUPF_E_NOMEM;
    }
    st->decider = d;
    return AUPF_OK;
}

/* ---- view tail ----------------------------------------------------------- */

static const char *raw_at(const aupf_stream *st, size_t off) {
    static const char empty[1] = "";
    return st->raw.data ? (const char *)st->raw.data + (off - st->raw_base) : empty;
}

/* The original offset where view byte v (view_base <= v < view_len) starts. */
static size_t start_at(const aupf_stream *st, size_t v) {
    return st->start_base + ((const uint16_t *)st->vstart.data)[v - st->view_base];
}

/* Appends view starts (non-decreasing) as 16-bit offsets from start_base,
 * moving the base up to the first one kept when a start lies too far
 * from it. The starts kept span the view tail and at most one slice of a
 * write (WRITE_SLICE), so they always fit. */
static int push_starts(aupf_stream *st, const uint32_t *vs, size_t n) {
    if (!n)
        return AUPF_OK;
    if (aupf__vec_reserve(&st->vstart, st->vstart.count + n) != AUPF_OK)
        return AUPF_E_NOMEM;
    uint16_t *d = st->vstart.data;
    if (st->vstart.count == 0)
        st->start_base = vs[0];
    if (vs[n - 1] - st->start_base > UINT16_MAX) {
        size_t shift = d[0];
        for (size_t i = 0; i < st->vstart.count; i++)
            d[i] = (uint16_t)(d[i] - shift);
        st->start_base += shift;
        if (vs[n - 1] - st->start_base > UINT16_MAX)
            return AUPF_E_SCAN;
    }
    for (size_t i = 0; i < n; i++)
        d[st->vstart.count + i] = (uint16_t)(vs[i] - st->start_base);
    st->vstart.count += n;
    return AUPF_OK;
}

static int append_bytes(aupf__vec *v, const void *p, size_t n) {
    if (aupf__vec_reserve(v, v->count + n) != AUPF_OK)
        return AUPF_E_NOMEM;
    memcpy((char *)v->data + v->count * v->elem_size, p, n * v->elem_size);
    v->count += n;
    return AUPF_OK;
}

/* Whether pattern pi already has a hit ending at to. Hyperscan reports
 * matches in end order, but a match that ends at the end of the data can
 * be reported twice: by the last hs_scan_stream and again by
 * hs_close_stream. A block scan sees it once, so the stream keeps one. */
static int hit_known(const aupf_stream *st, uint32_t pi, size_t to) {
    const stream_hit *h = st->hits.data;
    for (size_t k = st->hits.count; k-- > 0 && h[k].end >= to;)
        if (h[k].end == to && h[k].pattern == pi)
            return 1;
    return 0;
}

/* Whether the stream keeps hits of pattern pi: its rule applies to the
 * stream's role, and it is a trigger, or a suppressor scanned with the
 * triggers (rs->stream_unless). */
static bool wanted(const aupf_stream *st, uint32_t pi) {
    const aupf_ruleset *rs = st->rs;
    const aupf__pattern *p = &rs->patterns[pi];
    return (rs->rules[p->rule].roles & (unsigned)st->role) &&
           (p->unless_index == AUPF__NO_UNLESS || rs->stream_unless);
}

/* An expression matched: a hit for each of its patterns (triggers, and
 * suppressors when they are scanned with them: a suppressor may come
 * before its trigger). */
static int on_stream_hit(unsigned id, unsigned long long from, unsigned long long to,
                         unsigned flags, void *ctx) {
    (void)from;
    (void)flags;
    aupf_stream *st = ctx;
    const aupf_ruleset *rs = st->rs;
    const aupf__expr *e = &rs->exprs[id];
    const uint32_t *members = rs->expr_members + e->first_member;
    /* An expression's patterns for this role are pushed together, so a
     * duplicate report is known by its first one: one look per report,
     * not one per pattern (a shared suppressor has dozens of patterns). */
    uint32_t k = 0;
    while (k < e->member_count && !wanted(st, members[k]))
        k++;
    if (k == e->member_count || hit_known(st, members[k], (size_t)to))
        return 0;
    if (aupf__vec_reserve(&st->hits, st->hits.count + e->member_count - k) != AUPF_OK) {
        st->failed = 1;
        return 1;
    }
    stream_hit *h = (stream_hit *)st->hits.data + st->hits.count;
    for (; k < e->member_count; k++) {
        uint32_t pi = members[k];
        if (wanted(st, pi))
            *h++ =
                (stream_hit){.start = NO_START, .end = (uint32_t)to, .pattern = pi, .decided = 0};
    }
    st->hits.count = (size_t)(h - (stream_hit *)st->hits.data);
    return 0;
}

/* Normalizes raw [pending_from, end), appends the view and scans it. */
static int take_piece(aupf_stream *st, aupf_scanner *s, size_t end) {
    if (end <= st->pending_from)
        return AUPF_OK;
    size_t n = end - st->pending_from;
    const char *text;
    size_t vlen;
    const uint32_t *vs, *ve;
    const uint8_t *ev;
    uint32_t *idmap = NULL;
    if (st->rs->normalize) {
        aupf__normalizer_reset(s->normalizer);
        aupf__view acc; /* the counts travel in a view: the stream keeps only them */
        memcpy(acc.signals, st->signals, sizeof acc.signals);
        memcpy(acc.letters, st->letters, sizeof acc.letters);
        int rc = aupf__normalize_append(s->normalizer, raw_at(st, st->pending_from), n,
                                        st->pending_from, &acc);
        if (rc != AUPF_OK)
            return rc;
        memcpy(st->signals, acc.signals, sizeof st->signals);
        memcpy(st->letters, acc.letters, sizeof st->letters);
        aupf__view v;
        aupf__normalizer_output(s->normalizer, &v);
        text = v.text;
        vlen = v.len;
        vs = v.start;
        ve = v.end;
        ev = v.evasive;
    } else { /* measurement mode: the text as it is */
        text = raw_at(st, st->pending_from);
        vlen = n;
        idmap = malloc(2 * n * sizeof *idmap + n + 1);
        if (!idmap)
            return AUPF_E_NOMEM;
        for (size_t i = 0; i < n; i++) {
            idmap[i] = (uint32_t)(st->pending_from + i);
            idmap[n + i] = (uint32_t)(st->pending_from + i + 1);
        }
        memset(idmap + 2 * n, 0, n);
        vs = idmap;
        ve = idmap + n;
        ev = (const uint8_t *)(idmap + 2 * n);
    }
    size_t to_prefix = AUPF__LANGUAGE_PREFIX - st->prefix.count;
    if (to_prefix > vlen)
        to_prefix = vlen;
    /* hits keep 32-bit view offsets */
    int rc = st->view_len + vlen >= NO_START ? AUPF_E_TOO_LARGE : push_starts(st, vs, vlen);
    if (rc == AUPF_OK && (append_bytes(&st->vtext, text, vlen) ||
                          aupf__vec_reserve(&st->vspan, st->vspan.count + vlen) ||
                          append_bytes(&st->prefix, text, to_prefix)))
        rc = AUPF_E_NOMEM;
    uint8_t *span = (uint8_t *)st->vspan.data + st->vspan.count;
    for (size_t i = 0; rc == AUPF_OK && i < vlen; i++) {
        if (ve[i] - vs[i] >= SPAN_EVASIVE) /* a piece is AUPF__MAX_PIECE bytes and a code point */
            rc = AUPF_E_SCAN;
        span[i] = (uint8_t)((ve[i] - vs[i]) | (ev[i] ? SPAN_EVASIVE : 0));
    }
    if (rc == AUPF_OK)
        st->vspan.count += vlen;
    if (rc == AUPF_OK && vlen) {
        hs_stream_t *live = aupf__hs_state_acquire(&st->hs, s);
        if (!live || hs_scan_stream(live, text, (unsigned)vlen, 0, s->scratch, on_stream_hit, st) !=
                         HS_SUCCESS)
            rc = st->failed ? AUPF_E_NOMEM : AUPF_E_SCAN;
    }
    free(idmap);
    st->view_len += vlen;
    st->pending_from = end;
    return rc;
}

/* Finds cuts in the raw bytes read so far (the same forced cuts as
 * aupf__next_forced_cut) and takes the pieces up to the last one. */
static int take_pieces(aupf_stream *st, aupf_scanner *s, int final) {
    size_t avail = st->raw_base + st->raw.count;
    const char *t = raw_at(st, st->raw_base);
    size_t n = avail - st->raw_base;
    size_t p = st->scan_pos > st->anchor ? st->scan_pos : st->anchor + 1;
    for (; p < avail; p++) {
        if (avail - p < 4 && !final)
            break; /* a cut test may read the next code point */
        /* the raw tail keeps AUPF__CUT_LOOKBACK bytes before every piece,
         * so the test sees what aupf__next_forced_cut sees */
        size_t from = st->last_forced > st->raw_base ? st->last_forced - st->raw_base : 0;
        if (p > st->raw_base && aupf__cut_may_follow((unsigned char)t[p - st->raw_base - 1]) &&
            aupf__safe_cut(t, n, from, p - st->raw_base)) {
            st->anchor = st->piece_end = p;
        } else if (p - st->anchor >= AUPF__MAX_PIECE) {
            size_t f = st->raw_base +
                       aupf__forced_cut_at(t, n, st->anchor - st->raw_base, p - st->raw_base);
            int rc = take_piece(st, s, f);
            if (rc != AUPF_OK)
                return rc;
            st->last_forced = st->anchor = st->piece_end = f;
            p = f;
        }
    }
    st->scan_pos = p;
    return take_piece(st, s, st->piece_end);
}

/* ---- decisions ----------------------------------------------------------- */

static size_t hit_start(aupf_stream *st, aupf_scanner *s, stream_hit *h) {
    if (h->start == NO_START)
        h->start = (uint32_t)aupf__recover_start(s, h->pattern, st->vtext.data, st->view_base,
                                                 st->vtext.count, h->end);
    return h->start;
}

/* Suppressor matches of one rule ending after the trigger's start, found
 * by a block scan of the suppressor database over a window of the view. */
typedef struct {
    const aupf_stream *st;
    aupf_scanner *s;
    uint32_t rule;
    size_t ws, after;
} window_query;

static int on_window_unless(unsigned id, unsigned long long from, unsigned long long to,
                            unsigned flags, void *ctx) {
    (void)from;
    (void)flags;
    window_query *q = ctx;
    const aupf_ruleset *rs = q->st->rs;
    const aupf__expr *e = &rs->exprs[id];
    size_t end = q->ws + (size_t)to;
    if (end <= q->after)
        return 0;
    for (uint32_t k = 0; k < e->member_count; k++) {
        uint32_t pi = rs->expr_members[e->first_member + k];
        const aupf__pattern *p = &rs->patterns[pi];
        if (p->rule != q->rule || p->unless_index == AUPF__NO_UNLESS)
            continue;
        aupf__span *c = aupf__vec_push(&q->s->hits);
        if (!c)
            return 1;
        *c = (aupf__span){pi, 0, end};
    }
    return 0;
}

/* Whether a suppressor of trigger t's rule overlaps [ts, t->end): 1, 0, or
 * a negative status. No suppressor is wider than the rule's class width,
 * so one that overlaps lies within that width of the trigger, and the view
 * already reaches that far past it when the trigger is decided. One more
 * byte on each side gives assertions their context; a match that starts on
 * the byte before would be wider than the widest suppressor. */
static int suppressed_in_window(const aupf_stream *st, aupf_scanner *s, const stream_hit *t,
                                size_t ts) {
    const aupf_ruleset *rs = st->rs;
    uint32_t rule = rs->patterns[t->pattern].rule;
    size_t wu = rs->rules[rule].unless_width;
    const char *view = st->vtext.data;
    size_t n = st->vtext.count, base = st->view_base;
    size_t ws = ts > base + wu + 1 ? ts - wu - 1 : base;
    size_t we = t->end + wu + 1 < base + n ? t->end + wu + 1 : base + n;
    ws = base + aupf__utf8_floor(view, n, ws - base);
    we = base + aupf__utf8_ceil(view, n, we - base);
    /* first the database: loading it may replace the scanner's scratch */
    const hs_database_t *db = aupf__unless_db(s, rs->rules[rule].unless_group);
    if (!db)
        return AUPF_E_SCAN;
    s->hits.count = 0;
    window_query q = {st, s, rule, ws, ts};
    hs_error_t e =
        hs_scan(db, view + (ws - base), (unsigned)(we - ws), 0, s->scratch, on_window_unless, &q);
    if (e != HS_SUCCESS)
        return e == HS_SCAN_TERMINATED ? AUPF_E_NOMEM : AUPF_E_SCAN;
    const aupf__span *c = s->hits.data;
    for (size_t i = 0; i < s->hits.count; i++)
        if (aupf__recover_start(s, c[i].pattern, view, base, n, c[i].end) < t->end)
            return 1;
    return 0;
}

/* The rules of aupf_scan: dominated by a longer match of the same pattern
 * with the same start, or overlapped by a suppressor of the same rule.
 * 1, 0, or a negative status. */
static int survives(aupf_stream *st, aupf_scanner *s, stream_hit *t) {
    const aupf_ruleset *rs = st->rs;
    const aupf__rule *r = &rs->rules[rs->patterns[t->pattern].rule];
    stream_hit *h = st->hits.data;
    size_t ts = hit_start(st, s, t);
    for (size_t k = 0; k < st->hits.count; k++) {
        stream_hit *o = &h[k];
        if (o == t)
            continue;
        if (o->pattern == t->pattern) {
            if (o->end > t->end && hit_start(st, s, o) == ts)
                return 0;
        } else if (o->pattern > r->first_pattern &&
                   o->pattern <= r->first_pattern + r->unless.count) {
            if (o->end > ts && hit_start(st, s, o) < t->end)
                return 0;
        }
    }
    if (rs->stream_unless || !r->unless.count)
        return 1;
    int suppressed = suppressed_in_window(st, s, t, ts);
    return suppressed < 0 ? suppressed : !suppressed;
}

static void view_map(const aupf_stream *st, size_t vs, size_t ve, aupf_match *m) {
    const uint8_t *span = st->vspan.data;
    m->start = start_at(st, vs);
    m->end = start_at(st, ve - 1) + (span[ve - 1 - st->view_base] & ~SPAN_EVASIVE);
    m->evasive = 0;
    for (size_t i = vs; i < ve; i++)
        m->evasive |= (span[i - st->view_base] & SPAN_EVASIVE) != 0;
}

/* Every call of the caller's sink goes through here, so that a code the
 * sink returns is never mistaken for a failure of ours. */
static int call_sink(aupf_stream *st, aupf_sink_fn sink, void *ctx, const char *bytes, size_t len,
                     const aupf_event *e) {
    int rc = sink ? sink(ctx, bytes, len, e) : 0;
    if (rc)
        st->stopped = 1;
    return rc;
}

static int emit_event(aupf_stream *st, aupf_sink_fn sink, void *ctx, aupf_event_kind kind,
                      const aupf_match *m, size_t settled) {
    aupf_event e = {kind, *m, m->category, settled};
    return call_sink(st, sink, ctx, NULL, 0, &e);
}

/* Decides, in end order, the triggers that ended at or before their class's
 * clock: clock_act for categories that redact or block, clock_all for the
 * others (which never hold text back). */
static int decide_until(aupf_stream *st, aupf_scanner *s, size_t clock_act, size_t clock_all,
                        aupf_sink_fn sink, void *ctx) {
    const aupf_ruleset *rs = st->rs;
    size_t first = st->decided.count;
    stream_hit *h = st->hits.data;
    /* Hits are in end order: nothing past the later clock is due, and
     * nothing before undecided_from is left to decide. Suppressor hits
     * (many: a trailing window reports every end) are not walked again. */
    size_t latest = clock_act > clock_all ? clock_act : clock_all;
    size_t k = st->undecided_from, waiting = SIZE_MAX;
    for (; k < st->hits.count && h[k].end <= latest; k++) {
        stream_hit *t = &h[k];
        const aupf__rule *r = &rs->rules[rs->patterns[t->pattern].rule];
        if (t->decided || t->pattern != r->first_pattern)
            continue;
        size_t clock =
            rs->categories[r->category].action >= AUPF_ACTION_REDACT ? clock_act : clock_all;
        if (t->end > clock) {
            if (waiting == SIZE_MAX)
                waiting = k;
            continue;
        }
        t->decided = 1;
        int alive = survives(st, s, t);
        if (alive < 0)
            return alive;
        if (!alive)
            continue;
        aupf__dmatch *dm = aupf__vec_push(&st->decided);
        if (!dm)
            return AUPF_E_NOMEM;
        uint32_t rule = rs->patterns[t->pattern].rule;
        int shadow = r->shadow || rs->categories[r->category].shadow;
        *dm = (aupf__dmatch){t->start, t->end,
                             (aupf_match){rule, r->id, r->category, 0, 0, 0, shadow}};
        view_map(st, t->start, t->end, &dm->m);
    }
    st->undecided_from = waiting < k ? waiting : k;
    aupf__dmatch *d = st->decided.data;
    if (st->decided.count - first > 1)
        aupf__sort(d + first, st->decided.count - first, sizeof *d, aupf__cmp_decided);
    for (size_t i = first; i < st->decided.count; i++) {
        if (decider_ready(st) != AUPF_OK)
            return AUPF_E_NOMEM;
        int was_blocked = st->decider->blocked;
        int newly = aupf__decide(st->decider, rs, d, i);
        if (newly < 0)
            return newly;
        int rc = emit_event(st, sink, ctx, AUPF_EVENT_MATCH, &d[i].m, st->out.released);
        if (!rc && newly)
            rc = emit_event(st, sink, ctx, AUPF_EVENT_FLAGGED, &d[i].m, st->out.released);
        if (!rc && !was_blocked && st->decider->blocked)
            rc = emit_event(st, sink, ctx, AUPF_EVENT_BLOCKED, &d[i].m, st->out.released);
        if (rc)
            return rc;
    }
    return AUPF_OK;
}

/* ---- release ------------------------------------------------------------- */

typedef struct {
    aupf_stream *st;
    aupf_sink_fn sink;
    void *ctx;
} sink_ref;

static int emit_bytes(void *ctx, const char *bytes, size_t len) {
    sink_ref *r = ctx;
    return len ? call_sink(r->st, r->sink, r->ctx, bytes, len, NULL) : 0;
}

static int release(aupf_stream *st, size_t limit, aupf_sink_fn sink, void *ctx) {
    static const aupf__decider nothing_decided; /* no redaction, no block */
    sink_ref ref = {st, sink, ctx};
    const aupf__decider *d = st->decider ? st->decider : &nothing_decided;
    if (st->decider)
        aupf__output_sort(st->decider, &st->out);
    return aupf__output_release(&st->out, d, st->rs, st->raw.data, st->raw_base, limit,
                                aupf__block_message(st->rs, d, st->prefix.data, st->prefix.count),
                                emit_bytes, &ref);
}

/* Drops what no later step reads: released raw bytes (keeping
 * AUPF__CUT_LOOKBACK before the next piece for the cut test), view bytes behind the release
 * frontier by more than a start window, and hits that can no longer matter. */
static void trim(aupf_stream *st, size_t clock) {
    size_t w = st->rs->max_width;
    size_t keep_raw = st->out.released;
    if (st->pending_from >= AUPF__CUT_LOOKBACK && st->pending_from - AUPF__CUT_LOOKBACK < keep_raw)
        keep_raw = st->pending_from - AUPF__CUT_LOOKBACK;
    else if (st->pending_from < AUPF__CUT_LOOKBACK)
        keep_raw = 0;
    if (keep_raw > st->raw_base) {
        size_t drop = keep_raw - st->raw_base;
        memmove(st->raw.data, (char *)st->raw.data + drop, st->raw.count - drop);
        st->raw.count -= drop;
        st->raw_base = keep_raw;
    }
    size_t keep_view = clock > 2 * w + 8 ? clock - 2 * w - 8 : 0;
    if (keep_view > st->view_base) {
        size_t drop = keep_view - st->view_base;
        aupf__vec *vs[] = {&st->vtext, &st->vstart, &st->vspan};
        for (size_t i = 0; i < 3; i++) {
            memmove(vs[i]->data, (char *)vs[i]->data + drop * vs[i]->elem_size,
                    (vs[i]->count - drop) * vs[i]->elem_size);
            vs[i]->count -= drop;
        }
        st->view_base = keep_view;
    }
    /* an undecided trigger ends after clock and starts after clock - w: a
     * hit ending before that can neither suppress nor dominate it */
    stream_hit *h = st->hits.data;
    size_t dropped = 0; /* hits are in end order: the dropped ones are a prefix */
    while (dropped < st->hits.count && h[dropped].end + w <= clock)
        dropped++;
    if (dropped) {
        memmove(h, h + dropped, (st->hits.count - dropped) * sizeof *h);
        st->hits.count -= dropped;
        st->undecided_from = st->undecided_from > dropped ? st->undecided_from - dropped : 0;
    }
    /* give back what a burst of hits grew (a shared suppressor reports
     * dozens of patterns at once) once they are gone */
    if (st->hits.count == 0 && st->hits.capacity * sizeof *h > 1024)
        aupf__vec_free(&st->hits);
}

static int advance(aupf_stream *st, aupf_scanner *s, aupf_sink_fn sink, void *ctx) {
    size_t wa = st->rs->release_width, w = st->rs->max_width;
    size_t clock_act = st->view_len > wa + 1 ? st->view_len - wa - 1 : 0;
    size_t clock_all = st->view_len > w + 1 ? st->view_len - w - 1 : 0;
    int rc = decide_until(st, s, clock_act, clock_all, sink, ctx);
    if (rc != AUPF_OK)
        return rc;
    /* no undecided match that can change the text starts before
     * clock_act - wa */
    if (clock_act > wa) {
        size_t f = clock_act - wa;
        size_t limit = start_at(st, f);
        rc = release(st, limit, sink, ctx);
        if (rc != AUPF_OK)
            return rc;
    }
    trim(st, clock_all);
    return AUPF_OK;
}

/* ---- failure policy ------------------------------------------------------ */

/* Bytes written after a failure: passed on under fail open, dropped under
 * fail closed (or after a block that was already released). */
static int fallback_write(aupf_stream *st, const char *chunk, size_t len, aupf_sink_fn sink,
                          void *ctx) {
    if (st->fallback != AUPF_FAIL_OPEN || st->out.done || !len)
        return AUPF_OK;
    st->out.released += len;
    return call_sink(st, sink, ctx, chunk, len, NULL);
}

/* An internal failure: from here on the stream follows on_error. Fail
 * closed releases the block message (unless a block already released it);
 * fail open releases what it holds back, without its pending redactions. */
static int fall_back(aupf_stream *st, int status, aupf_sink_fn sink, void *ctx) {
    st->fallback = st->rs->on_error;
    st->error = status;
    aupf_event e = {
        .kind = AUPF_EVENT_FALLBACK, .category = (size_t)st->fallback, .settled = st->out.released};
    int rc = call_sink(st, sink, ctx, NULL, 0, &e);
    if (rc || st->out.done)
        return rc;
    if (st->fallback == AUPF_FAIL_CLOSED) {
        st->out.done = 1;
        return call_sink(st, sink, ctx, st->rs->block_message, strlen(st->rs->block_message), NULL);
    }
    size_t from = st->out.released > st->out.skip_until ? st->out.released : st->out.skip_until;
    size_t end = st->raw_base + st->raw.count;
    if (from < end) {
        rc = call_sink(st, sink, ctx, raw_at(st, from), end - from, NULL);
        st->out.released = end;
    }
    return rc;
}

/* One slice of a write: normalize, scan, decide, release, trim. */
static int write_slice(aupf_stream *st, aupf_scanner *s, const char *chunk, size_t len,
                       aupf_sink_fn sink, void *ctx) {
    if (st->fallback)
        return fallback_write(st, chunk, len, sink, ctx);
    s->start_failed = 0;
    int rc = len ? append_bytes(&st->raw, chunk, len) : AUPF_OK;
    int kept = rc == AUPF_OK;
    if (rc == AUPF_OK && !aupf__stream_db(s))
        rc = AUPF_E_SCAN;
    if (rc == AUPF_OK)
        rc = take_pieces(st, s, 0);
    if (rc == AUPF_OK)
        rc = advance(st, s, sink, ctx);
    /* always: a compact state must leave the scanner's working stream */
    int settled = aupf__hs_state_settle(&st->hs);
    if (rc == AUPF_OK)
        rc = settled;
    if (rc == AUPF_OK && s->start_failed)
        rc = AUPF_E_SCAN; /* a database could not be loaded from the cache */
    if (aupf__internal_failure(rc) && !st->stopped) {
        rc = fall_back(st, rc, sink, ctx);
        if (rc == AUPF_OK && !kept)
            rc = fallback_write(st, chunk, len, sink, ctx);
    }
    return rc;
}

/* A long write is taken in slices, as if it came in chunks of this size
 * (a stream's output and verdict do not depend on the chunking): what a
 * stream holds between slices stays bounded however much one write brings. */
#define WRITE_SLICE 4096

int aupf_stream_write(aupf_stream *st, aupf_scanner *s, const char *chunk, size_t len,
                      aupf_sink_fn sink, void *ctx) {
    if (!st || !s || s->rs != st->rs || (!chunk && len) || st->closed)
        return AUPF_E_ARG;
    if (!st->fallback && st->raw_base + st->raw.count + len > UINT32_MAX)
        return AUPF_E_TOO_LARGE; /* offsets in the view map are 32-bit */
    size_t off = 0;
    do {
        size_t n = len - off < WRITE_SLICE ? len - off : WRITE_SLICE;
        int rc = write_slice(st, s, chunk ? chunk + off : chunk, n, sink, ctx);
        if (rc != AUPF_OK)
            return rc;
        off += n;
    } while (off < len);
    return AUPF_OK;
}

int aupf_stream_close(aupf_stream *st, aupf_scanner *s, aupf_sink_fn sink, void *ctx,
                      const aupf_result **out) {
    if (!st || !s || s->rs != st->rs || !out || st->closed)
        return AUPF_E_ARG;
    *out = NULL;
    st->closed = 1;
    s->start_failed = 0;
    int rc = AUPF_OK;
    if (!st->fallback) {
        if (!aupf__stream_db(s))
            rc = AUPF_E_SCAN;
        if (rc == AUPF_OK)
            rc = take_pieces(st, s, 1);
        if (rc == AUPF_OK)
            rc = take_piece(st, s, st->raw_base + st->raw.count);
        if (rc == AUPF_OK) {
            rc = aupf__hs_state_end(&st->hs, s, on_stream_hit, st);
            if (st->failed)
                rc = AUPF_E_NOMEM;
        }
        if (rc == AUPF_OK)
            rc = decide_until(st, s, SIZE_MAX, SIZE_MAX, sink, ctx);
        if (rc == AUPF_OK)
            rc = release(st, st->raw_base + st->raw.count, sink, ctx);
        if (rc == AUPF_OK && s->start_failed)
            rc = AUPF_E_SCAN;
        if (rc == AUPF_OK && aupf__vec_reserve(&s->matches, st->decided.count) != AUPF_OK)
            rc = AUPF_E_NOMEM;
        if (aupf__internal_failure(rc) && !st->stopped)
            rc = fall_back(st, rc, sink, ctx);
    }
    if (rc != AUPF_OK)
        return rc;
    if (st->fallback) {
        *out = aupf__fallback_result(s, st->error);
        return AUPF_OK;
    }
    /* the final verdict, as aupf_scan gives it */
    aupf__vec *m = &s->matches;
    const aupf__dmatch *d = st->decided.data;
    for (size_t i = 0; i < st->decided.count; i++)
        ((aupf_match *)m->data)[i] = d[i].m;
    m->count = st->decided.count;
    if (decider_ready(st) != AUPF_OK)
        return AUPF_E_NOMEM;
    aupf__fill_result(&s->result, st->rs, st->decider, m);
    memcpy(s->result.signals, st->signals, sizeof s->result.signals);
    s->result.script = aupf__dominant_script(st->letters, &s->result.has_kana);
    if (st->prefix.count)
        memcpy(s->lang_prefix, st->prefix.data, st->prefix.count);
    s->view = (aupf__view){.text = s->lang_prefix, .len = st->prefix.count, .identity = true};
    s->result.view = &s->view;
    s->result.language_known = 0;
    *out = &s->result;
    return AUPF_OK;
}
