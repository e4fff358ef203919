/* Decisions in end order: every match is taken when the view has passed
 * its end by the decision delay; scores accumulate by noisy-OR, a category
 * is flagged when its score crosses its threshold, and the action of a
 * flagged category applies from that match on. Redactions reach back only
 * to matches that start in text not yet released under the stream rule
 * (the view behind the deciding match's end by the maximum width), so a
 * block scan and a stream produce the same output byte for byte. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

int aupf__decider_init(aupf__decider *d, const aupf_ruleset *rs) {
    size_t nc = rs->category_count ? rs->category_count : 1;
    *d = (aupf__decider){0};
    d->miss = calloc(nc, sizeof *d->miss);
    d->flagged = calloc(nc, 1);
    d->boosted = calloc(nc, 1);
    d->shadow_flagged = calloc(nc, 1);
    d->rule_bits = calloc(rs->rule_count / 8 + 1, 1);
    d->redactions.elem_size = sizeof(aupf__interval);
    if (!d->miss || !d->flagged || !d->boosted || !d->shadow_flagged || !d->rule_bits) {
        aupf__decider_free(d);
        return AUPF_E_NOMEM;
    }
    aupf__decider_reset(d, rs);
    return AUPF_OK;
}

void aupf__decider_reset(aupf__decider *d, const aupf_ruleset *rs) {
    for (size_t c = 0; c < rs->category_count; c++) {
        d->miss[c] = 1.0;
        d->flagged[c] = d->boosted[c] = d->shadow_flagged[c] = 0;
    }
    memset(d->rule_bits, 0, rs->rule_count / 8 + 1);
    d->redactions.count = 0;
    d->blocked = 0;
    d->block_at = d->block_ve = 0;
}

void aupf__decider_free(aupf__decider *d) {
    free(d->miss);
    free(d->flagged);
    free(d->boosted);
    free(d->shadow_flagged);
    free(d->rule_bits);
    aupf__vec_free(&d->redactions);
}

static int redact(aupf__decider *d, const aupf_match *m) {
    aupf__interval *iv = aupf__vec_push(&d->redactions);
    if (!iv)
        return AUPF_E_NOMEM;
    *iv = (aupf__interval){m->start, m->end};
    return AUPF_OK;
}

int aupf__decide(aupf__decider *d, const aupf_ruleset *rs, const aupf__dmatch *decided, size_t i) {
    const aupf__dmatch *dm = &decided[i];
    size_t c = dm->m.category, rule = dm->m.rule;
    const aupf__category *cat = &rs->categories[c];
    if (rs->rules[rule].shadow)
        return 0; /* reported, counted nowhere */
    if (!(d->rule_bits[rule / 8] & (1u << (rule % 8)))) {
        d->rule_bits[rule / 8] |= (unsigned char)(1u << (rule % 8));
        d->miss[c] *= 1.0 - rs->rules[rule].weight;
    }
    if (dm->m.evasive && !d->boosted[c]) { /* an obfuscated match is evidence of its own */
        d->boosted[c] = 1;
        d->miss[c] *= 1.0 - cat->evasion_boost;
    }
    if (cat->shadow) { /* what would have happened, and nothing else */
        if (1.0 - d->miss[c] + 1e-9 >= cat->threshold)
            d->shadow_flagged[c] = 1;
        return 0;
    }
    int newly = 0;
    /* a small tolerance so that weight 0.5 meets threshold 0.5 */
    if (!d->flagged[c] && 1.0 - d->miss[c] + 1e-9 >= cat->threshold) {
        d->flagged[c] = 1;
        newly = 1;
    }
    if (!d->flagged[c] || d->blocked)
        return newly;
    if (cat->action == AUPF_ACTION_BLOCK) {
        d->blocked = 1;
        d->block_at = dm->m.start;
        d->block_ve = dm->ve;
    } else if (cat->action == AUPF_ACTION_REDACT) {
        if (!newly)
            return redact(d, &dm->m) < 0 ? AUPF_E_NOMEM : 0;
        /* the category has just been flagged: redact its earlier matches
         * whose text cannot have been released yet */
        size_t frontier = dm->ve > rs->release_width ? dm->ve - rs->release_width : 0;
        for (size_t k = 0; k <= i; k++)
            if (decided[k].m.category == c && decided[k].vs >= frontier &&
                redact(d, &decided[k].m) != AUPF_OK)
                return AUPF_E_NOMEM;
    }
    return newly;
}

static int cmp_interval(const void *a, const void *b) {
    const aupf__interval *x = a, *y = b;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return (x->b > y->b) - (x->b < y->b);
}

void aupf__output_sort(aupf__decider *d, aupf__output *o) {
    aupf__interval *iv = d->redactions.data;
    if (d->redactions.count > o->next + 1)
        aupf__sort(iv + o->next, d->redactions.count - o->next, sizeof *iv, cmp_interval);
}

/* Emits the original text [released, limit) with redactions (overlapping
 * ones merged into one marker); at the block point, the block message and
 * nothing after it. text holds the original from offset text_base. */
int aupf__output_release(aupf__output *o, const aupf__decider *d, const aupf_ruleset *rs,
                         const char *text, size_t text_base, size_t limit, const char *block_msg,
                         aupf__emit_fn emit, void *ctx) {
    const aupf__interval *iv = d->redactions.data;
    size_t n = d->redactions.count;
    if (o->done)
        return AUPF_OK;
    if (d->blocked && limit >= d->block_at)
        limit = d->block_at;
    while (o->released < limit) {
        if (o->skip_until > o->released) { /* inside a redaction */
            size_t to = o->skip_until < limit ? o->skip_until : limit;
            /* a later redaction overlapping this one extends it */
            while (o->next < n && iv[o->next].a < o->skip_until) {
                if (iv[o->next].b > o->skip_until)
                    o->skip_until = iv[o->next].b;
                o->next++;
            }
            o->released = to;
            continue;
        }
        while (o->next < n && iv[o->next].b <= o->released)
            o->next++; /* empty or already passed */
        size_t to = limit;
        if (o->next < n && iv[o->next].a < to)
            to = iv[o->next].a > o->released ? iv[o->next].a : o->released;
        if (to > o->released) {
            int st = emit(ctx, text + (o->released - text_base), to - o->released);
            if (st)
                return st;
            o->released = to;
        }
        if (o->next < n && iv[o->next].a <= o->released && o->released < limit) {
            int st = emit(ctx, rs->redact_with, strlen(rs->redact_with));
            if (st)
                return st;
            o->skip_until = iv[o->next].b;
            o->next++;
        }
    }
    if (d->blocked && o->released >= d->block_at) {
        o->done = 1;
        return emit(ctx, block_msg, strlen(block_msg));
    }
    return AUPF_OK;
}
