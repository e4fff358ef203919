/* Applies a verdict's action to the scanned text. */
#include "internal.h"

#include <string.h>

static int append(aupf__vec *v, const char *p, size_t n) {
    if (aupf__vec_reserve(v, v->count + n + 1) != AUPF_OK)
        return AUPF_E_NOMEM;
    memcpy((char *)v->data + v->count, p, n);
    v->count += n;
    ((char *)v->data)[v->count] = 0;
    return AUPF_OK;
}

int aupf_apply(aupf_scanner *s, const aupf_result *r, const char *text, size_t len,
               const char **out, size_t *out_len) {
    if (!s || !r || !out || !out_len || (!text && len) || r != &s->result)
        return AUPF_E_ARG;
    const aupf_ruleset *rs = s->rs;
    aupf__vec *o = &s->output;
    o->count = 0;
    int st = AUPF_OK;
    if (r->action == AUPF_ACTION_BLOCK) {
        st = append(o, rs->block_message, strlen(rs->block_message));
    } else if (r->action == AUPF_ACTION_REDACT) {
        /* matches are sorted by start: replace the union of the spans of
         * categories whose action is redact */
        size_t pos = 0;
        for (size_t i = 0; i < r->match_count && st == AUPF_OK; i++) {
            const aupf_match *m = &r->matches[i];
            if (!r->flagged[m->category] ||
                rs->categories[m->category].action != AUPF_ACTION_REDACT)
                continue;
            if (m->end <= pos)
                continue;
            if (m->start >= pos) {
                st = append(o, text + pos, m->start - pos);
                if (st == AUPF_OK)
                    st = append(o, rs->redact_with, strlen(rs->redact_with));
            }
            pos = m->end;
        }
        if (st == AUPF_OK)
            st = append(o, text + pos, len - pos);
    } else {
        st = append(o, text ? text : "", len);
    }
    if (st != AUPF_OK)
        return st;
    *out = o->data;
    *out_len = o->count;
    return AUPF_OK;
}
