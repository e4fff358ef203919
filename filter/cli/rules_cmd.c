/* aupfilter rules check | list */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static void on_failure(void *ctx, size_t rule, const char *kind, const char *example) {
    aupf_ruleset *rs = ctx;
    aupf_rule_info ri;
    aupf_ruleset_rule_info(rs, rule, &ri);
    fprintf(stderr, "%s:%d: error: rule %s: example in '%s' %s: \"%s\"\n", ri.file, ri.line, ri.id,
            kind, strcmp(kind, "matches") == 0 ? "does not match" : "matches", example);
}

static int check(const cli_common *c) {
    aupf_ruleset *rs = cli_load(c, true); /* compile afresh: every diagnostic */
    if (!rs)
        return EXIT_USAGE;
    aupf_scanner *s;
    if (aupf_scanner_new(rs, &s) != AUPF_OK) {
        aupf_ruleset_release(rs);
        return EXIT_IO;
    }
    size_t run = 0;
    long failures = aupf_ruleset_check_examples(rs, s, on_failure, rs, &run);
    printf("%zu rules, %zu examples, %ld failing; compiled in %.0f ms; ruleset %s\n",
           aupf_ruleset_rule_count(rs), run, failures < 0 ? 0 : failures, aupf_ruleset_build_ms(rs),
           aupf_ruleset_hash(rs));
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
    return failures == 0 ? EXIT_OK : EXIT_RECORD_ERRORS;
}

static void roles_text(unsigned roles, char *buf, size_t n) {
    snprintf(buf, n, "%s%s%s", (roles & AUPF_ROLE_PROMPT) ? "prompt" : "",
             (roles & AUPF_ROLE_PROMPT) && (roles & AUPF_ROLE_COMPLETION) ? "," : "",
             (roles & AUPF_ROLE_COMPLETION) ? "completion" : "");
}

static int list(const cli_common *c) {
    aupf_ruleset *rs = cli_load(c, false);
    if (!rs)
        return EXIT_USAGE;
    size_t n = aupf_ruleset_rule_count(rs);
    printf("# ruleset %s: %zu rules in %zu categories\n", aupf_ruleset_hash(rs), n,
           aupf_ruleset_category_count(rs));
    printf("# stream holdback H = %zu bytes of normalized text, plus at most one unfinished "
           "word\n",
           aupf_ruleset_holdback(rs));
    for (size_t k = 0; k < aupf_ruleset_category_count(rs); k++)
        printf("# category %-16s threshold %.2f action %s\n", aupf_category_name(rs, k),
               aupf_category_threshold(rs, k), aupf_action_name(aupf_category_action(rs, k)));
    printf("%-52s %-15s %6s %-18s %6s  %s\n", "id", "category", "weight", "roles", "width",
           "description");
    for (size_t i = 0; i < n; i++) {
        aupf_rule_info ri;
        aupf_ruleset_rule_info(rs, i, &ri);
        char roles[32], width[16];
        roles_text(ri.roles, roles, sizeof roles);
        if (ri.max_width == UINT32_MAX)
            snprintf(width, sizeof width, "inf");
        else
            snprintf(width, sizeof width, "%u", ri.max_width);
        printf("%-52s %-15s %6.2f %-18s %6s  %s\n", ri.id, aupf_category_name(rs, ri.category),
               ri.weight, roles, width, ri.description);
    }
    aupf_ruleset_release(rs);
    return EXIT_OK;
}

int cmd_rules(int argc, char **argv) {
    cli_common common = {0};
    const char *sub = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_common_option(&common, argc, argv, &i))
            continue;
        if (!sub && argv[i][0] != '-') {
            sub = argv[i];
        } else {
            fprintf(stderr, "aupfilter rules: bad argument '%s'\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (sub && strcmp(sub, "check") == 0)
        return check(&common);
    if (sub && strcmp(sub, "list") == 0)
        return list(&common);
    fprintf(stderr, "usage: aupfilter rules check|list [--config FILE]\n");
    return EXIT_USAGE;
}
