/* A stream's Hyperscan state, kept whole or compressed between writes.
 *
 * Whole, each stream owns an hs_stream_t (hs_stream_size bytes: 3.8 KB for
 * the shipped packs, most of it engines that are idle at any moment).
 * Compressed (`compact_streams = true`), a stream keeps only what
 * hs_compress_stream writes (about 0.4-0.5 KB for the shipped packs) and
 * each write expands it into its scanner's one working stream, scans, and
 * compresses it back: about a microsecond more per write for a tenth of
 * the state (docs/streaming.md). The scanner is per thread, so its working
 * stream is never used by two writes at once. */
#include "internal.h"

#include <stdlib.h>

int aupf__hs_state_open(aupf__hs_state *h, aupf_ruleset *rs) {
    *h = (aupf__hs_state){.compact = rs->compact_streams};
    if (h->compact)
        return AUPF_OK; /* no bytes yet: a fresh state */
    return hs_open_stream(aupf__stream_database(rs), 0, &h->live) == HS_SUCCESS ? AUPF_OK
                                                                                : AUPF_E_NOMEM;
}

void aupf__hs_state_free(aupf__hs_state *h) {
    if (!h->compact && h->live)
        hs_close_stream(h->live, NULL, NULL, NULL);
    free(h->packed);
    *h = (aupf__hs_state){0};
}

/* The scanner's working stream, opened on its first compact write. */
static hs_stream_t *working_stream(aupf_scanner *s) {
    if (!s->work_stream &&
        hs_open_stream(aupf__stream_database(s->rs), 0, &s->work_stream) != HS_SUCCESS)
        s->work_stream = NULL;
    return s->work_stream;
}

hs_stream_t *aupf__hs_state_acquire(aupf__hs_state *h, aupf_scanner *s) {
    if (!h->compact || h->live)
        return h->live;
    hs_stream_t *w = working_stream(s);
    if (!w)
        return NULL;
    /* no scratch and no callback: the working stream's previous owner
     * reported its matches when it was compressed back */
    hs_error_t e = h->packed_len
                       ? hs_reset_and_expand_stream(w, h->packed, h->packed_len, NULL, NULL, NULL)
                       : hs_reset_stream(w, 0, NULL, NULL, NULL);
    return (h->live = e == HS_SUCCESS ? w : NULL);
}

int aupf__hs_state_settle(aupf__hs_state *h) {
    if (!h->compact || !h->live)
        return AUPF_OK;
    size_t used = 0;
    hs_error_t e = hs_compress_stream(h->live, h->packed, h->packed_cap, &used);
    if (e == HS_INSUFFICIENT_SPACE) {     /* grows a few times per stream */
        size_t cap = used + used / 8 + 8; /* the size moves a little from write to write */
        char *p = realloc(h->packed, cap);
        if (!p)
            return AUPF_E_NOMEM;
        h->packed = p;
        h->packed_cap = cap;
        e = hs_compress_stream(h->live, h->packed, h->packed_cap, &used);
    }
    h->live = NULL;
    if (e != HS_SUCCESS)
        return AUPF_E_SCAN;
    h->packed_len = used;
    return AUPF_OK;
}

int aupf__hs_state_end(aupf__hs_state *h, aupf_scanner *s, match_event_handler on_match,
                       void *ctx) {
    hs_stream_t *live = aupf__hs_state_acquire(h, s);
    if (!live)
        return AUPF_E_SCAN;
    hs_error_t e = h->compact ? hs_reset_stream(live, 0, s->scratch, on_match, ctx)
                              : hs_close_stream(live, s->scratch, on_match, ctx);
    h->live = NULL; /* closed, or the working stream handed back */
    h->packed_len = 0;
    return e == HS_SUCCESS ? AUPF_OK : AUPF_E_SCAN;
}

size_t aupf__hs_state_bytes(const aupf__hs_state *h, const aupf_ruleset *rs) {
    if (h->compact)
        return h->packed_cap;
    size_t bytes = 0;
    if (h->live)
        hs_stream_size(aupf__stream_database((aupf_ruleset *)rs), &bytes);
    return bytes;
}
