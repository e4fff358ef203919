/* Applies a verdict's decisions to the scanned text: the redactions made
 * as matches were decided in end order, and at a block the text before
 * the blocking match followed by the block message (docs/streaming.md:
 * the same output a stream releases). */
#include "internal.h"

#include <string.h>

static int append(void *ctx, const char *p, size_t n) {
    aupf__vec *v = ctx;
    if (aupf__vec_reserve(v, v->count + n + 1) != AUPF_OK)
        return AUPF_E_NOMEM;
    memcpy((char *)v->data + v->count, p, n);
    v->count += n;
    ((char *)v->data)[v->count] = 0;
    return AUPF_OK;
}

const char *aupf__block_message(const aupf_ruleset *rs, const aupf__decider *d, const char *view,
                                size_t view_len) {
    if (!d->blocked || !rs->block_messages.count)
        return rs->block_message;
    size_t n = d->block_ve < view_len ? d->block_ve : view_len;
    const char *lang = aupf__guess_language_prefix(view, n);
    for (size_t i = 0; lang && i < rs->block_message_languages.count; i++)
        if (strcmp(rs->block_message_languages.items[i], lang) == 0)
            return rs->block_messages.items[i];
    return rs->block_message;
}

int aupf_apply(aupf_scanner *s, const aupf_result *r, const char *text, size_t len,
               const char **out, size_t *out_len) {
    if (!s || !r || !out || !out_len || (!text && len) || r != &s->result)
        return AUPF_E_ARG;
    aupf__vec *o = &s->output;
    o->count = 0;
    int st = append(o, "", 0);
    if (st == AUPF_OK && r->fallback) { /* no decisions: the policy's whole answer */
        if (r->fallback == AUPF_FAIL_CLOSED)
            st = append(o, s->rs->block_message, strlen(s->rs->block_message));
        else
            st = append(o, text ? text : "", len);
        if (st != AUPF_OK)
            return st;
        *out = o->data;
        *out_len = o->count;
        return AUPF_OK;
    }
    aupf__output ob = {0};
    aupf__output_sort(&s->decider, &ob);
    if (st == AUPF_OK)
        st = aupf__output_release(
            &ob, &s->decider, s->rs, text ? text : "", 0, len,
            aupf__block_message(s->rs, &s->decider, s->view.text, s->view.len), append, o);
    if (st != AUPF_OK)
        return st;
    *out = o->data;
    *out_len = o->count;
    return AUPF_OK;
}
