/* Runs every rule's own `matches` and `ignores` examples. */
#include "internal.h"

#include <string.h>

static int rule_matches(aupf_scanner *s, size_t rule, const char *text, int *matched) {
    const aupf__rule *r = &s->rs->rules[rule];
    aupf_role role = (r->roles & AUPF_ROLE_PROMPT) ? AUPF_ROLE_PROMPT : AUPF_ROLE_COMPLETION;
    const aupf_result *res;
    int st = aupf_scan(s, role, text, strlen(text), &res);
    if (st != AUPF_OK)
        return st;
    *matched = 0;
    for (size_t i = 0; i < res->match_count; i++)
        if (res->matches[i].rule == rule)
            *matched = 1;
    return AUPF_OK;
}

long aupf_ruleset_check_examples(aupf_ruleset *rs, aupf_scanner *s, aupf_example_fn on_failure,
                                 void *ctx, size_t *examples_run) {
    if (!rs || !s || s->rs != rs)
        return AUPF_E_ARG;
    long failures = 0;
    size_t run = 0;
    for (size_t i = 0; i < rs->rule_count; i++) {
        const aupf__rule *r = &rs->rules[i];
        for (int kind = 0; kind < 2; kind++) {
            const aupf__strlist *l = kind == 0 ? &r->matches : &r->ignores;
            for (size_t e = 0; e < l->count; e++) {
                int matched = 0;
                int st = rule_matches(s, i, l->items[e], &matched);
                run++;
                if (st == AUPF_E_NOMEM)
                    return st;
                if (st != AUPF_OK || matched != (kind == 0)) {
                    failures++;
                    if (on_failure)
                        on_failure(ctx, i, kind == 0 ? "matches" : "ignores", l->items[e]);
                }
            }
        }
    }
    if (examples_run)
        *examples_run = run;
    return failures;
}
