/* aupf_pattern_widths: lists every trigger and unless pattern whose maximum
 * width (Hyperscan's, of the pattern as the ruleset compiles it: rewritten
 * for the normalized view, with the rule's flags) exceeds a limit, and the
 * ruleset's holdback. `rules list` shows trigger widths only; the holdback
 * also counts the unless patterns of redact and block categories.
 *
 *   aupf_pattern_widths [CONFIG [LIMIT]]   (defaults: patterns/aupfilter.conf 63)
 *
 * Columns: width, "R" when the category redacts or blocks (the pattern
 * counts for the holdback), rule id, trigger or unless N, pattern. */
#include <stdio.h>
#include <stdlib.h>

#include "aupfilter.h"
#include "internal.h"

int main(int argc, char **argv) {
    const char *conf = argc > 1 ? argv[1] : "patterns/aupfilter.conf";
    long limit = argc > 2 ? strtol(argv[2], NULL, 10) : 63;
    aupf_ruleset *rs = NULL;
    if (aupf_ruleset_load(conf, NULL, NULL, NULL, &rs) != AUPF_OK) {
        fprintf(stderr, "aupf_pattern_widths: %s does not load (see aupfilter rules check)\n",
                conf);
        return 2;
    }
    size_t over = 0;
    for (size_t i = 0; i < rs->pattern_count; i++) {
        const aupf__pattern *p = &rs->patterns[i];
        const aupf__rule *r = &rs->rules[p->rule];
        if (p->max_width != AUPF__UNBOUNDED && (long)p->max_width <= limit)
            continue;
        over++;
        if (p->max_width == AUPF__UNBOUNDED)
            printf("unbounded");
        else
            printf("%u", p->max_width);
        printf("\t%s\t%s\t", rs->categories[r->category].action >= AUPF_ACTION_REDACT ? "R" : "-",
               r->id);
        if (p->unless_index == AUPF__NO_UNLESS)
            printf("trigger");
        else
            printf("unless %u", p->unless_index + 1);
        printf("\t%s\n", p->expression);
    }
    printf("# %zu patterns wider than %ld; widest redact/block pattern %u bytes, holdback %u\n",
           over, limit, rs->release_width, rs->holdback);
    aupf_ruleset_release(rs);
    return 0;
}
