/* PCRE2-JIT baseline: the rules one at a time, as a tuned guardrail loop
 * does it: JIT-compiled once, one match block and one JIT stack reused,
 * the first match of each trigger only (enough to flag), unless patterns
 * only for a rule that matched. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "bench_pcre2.h"

#include <pcre2.h>
#include <stdlib.h>

typedef struct {
    pcre2_code *code;
    size_t rule;
    size_t first_unless, unless_count; /* into the unless array */
} trigger;

struct bench_pcre2 {
    trigger *triggers;
    size_t count;
    pcre2_code **unless;
    size_t unless_count;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *stack;
};

static pcre2_code *compile(const bench_pattern *p) {
    uint32_t opts = 0;
    if (p->flags & BENCH_FLAG_CASELESS)
        opts |= PCRE2_CASELESS;
    if (p->flags & BENCH_FLAG_DOTALL)
        opts |= PCRE2_DOTALL;
    if (p->flags & BENCH_FLAG_MULTILINE)
        opts |= PCRE2_MULTILINE;
    if (p->flags & BENCH_FLAG_UTF8)
        opts |= PCRE2_UTF;
    if (p->flags & BENCH_FLAG_UCP)
        opts |= PCRE2_UCP;
    int err;
    PCRE2_SIZE off;
    pcre2_code *code =
        pcre2_compile((PCRE2_SPTR)p->expr, PCRE2_ZERO_TERMINATED, opts, &err, &off, NULL);
    if (code && pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) != 0) {
        pcre2_code_free(code); /* a baseline without JIT would not be the baseline */
        code = NULL;
    }
    return code;
}

bench_pcre2 *bench_pcre2_new(const bench_pattern *p, size_t n, unsigned role, size_t *skipped) {
    bench_pcre2 *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->triggers = calloc(n ? n : 1, sizeof *b->triggers);
    b->unless = calloc(n ? n : 1, sizeof *b->unless);
    b->md = pcre2_match_data_create(1, NULL); /* a match is all we need */
    b->mctx = pcre2_match_context_create(NULL);
    b->stack = pcre2_jit_stack_create(32 * 1024, 4 * 1024 * 1024, NULL);
    if (!b->triggers || !b->unless || !b->md || !b->mctx || !b->stack) {
        bench_pcre2_free(b);
        return NULL;
    }
    pcre2_jit_stack_assign(b->mctx, NULL, b->stack);
    *skipped = 0;
    /* unless patterns follow their trigger in database order */
    for (size_t i = 0; i < n; i++) {
        if (!(p[i].roles & role))
            continue;
        pcre2_code *code = compile(&p[i]);
        if (!code) {
            ++*skipped;
            continue;
        }
        if (p[i].trigger) {
            b->triggers[b->count++] = (trigger){code, p[i].rule, b->unless_count, 0};
        } else if (b->count && b->triggers[b->count - 1].rule == p[i].rule) {
            b->unless[b->unless_count++] = code;
            b->triggers[b->count - 1].unless_count++;
        } else {
            pcre2_code_free(code); /* its trigger was skipped */
        }
    }
    return b;
}

size_t bench_pcre2_rules(const bench_pcre2 *b) { return b->count; }

int bench_pcre2_run(bench_pcre2 *b, const bench_corpus *c, uint64_t *hash, size_t *errors) {
    size_t failed = 0;
    for (size_t d = 0; d < c->count; d++) {
        PCRE2_SPTR text = (PCRE2_SPTR)c->text[d];
        size_t len = c->len[d];
        uint64_t h = 0;
        for (size_t t = 0; t < b->count; t++) {
            const trigger *tr = &b->triggers[t];
            int rc = pcre2_jit_match(tr->code, text, len, 0, 0, b->md, b->mctx);
            if (rc == PCRE2_ERROR_NOMATCH)
                continue;
            if (rc < 0) {
                failed++;
                continue;
            }
            h += bench_rule_mix(tr->rule);
            for (size_t u = 0; u < tr->unless_count; u++)
                if (pcre2_jit_match(b->unless[tr->first_unless + u], text, len, 0, 0, b->md,
                                    b->mctx) >= 0)
                    break;
        }
        if (hash)
            hash[d] = h;
    }
    *errors = failed;
    return 0;
}

void bench_pcre2_free(bench_pcre2 *b) {
    if (!b)
        return;
    for (size_t i = 0; b->triggers && i < b->count; i++)
        pcre2_code_free(b->triggers[i].code);
    for (size_t i = 0; b->unless && i < b->unless_count; i++)
        pcre2_code_free(b->unless[i]);
    free(b->triggers);
    free(b->unless);
    pcre2_match_data_free(b->md);
    pcre2_match_context_free(b->mctx);
    pcre2_jit_stack_free(b->stack);
    free(b);
}
