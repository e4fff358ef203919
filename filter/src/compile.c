/* Compiles every rule's trigger and suppressors into ONE Hyperscan database
 * that reports match ends, plus one small start-of-match database per
 * pattern used to recover starts in a short window before each end (SOM on
 * the whole set costs an order of magnitude in throughput). */
#include "internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int aupf__patterns_build(aupf_ruleset *rs) {
    size_t n = 0;
    for (size_t i = 0; i < rs->rule_count; i++)
        n += 1 + rs->rules[i].unless.count;
    aupf__pattern *p = calloc(n ? n : 1, sizeof *p);
    if (!p)
        return AUPF_E_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < rs->rule_count; i++) {
        aupf__rule *r = &rs->rules[i];
        r->first_pattern = (uint32_t)k;
        p[k++] = (aupf__pattern){.rule = (uint32_t)i,
                                 .unless_index = AUPF__NO_UNLESS,
                                 .max_width = AUPF__UNBOUNDED,
                                 .expression = r->pattern,
                                 .hs_flags = r->hs_flags};
        for (size_t u = 0; u < r->unless.count; u++)
            p[k++] = (aupf__pattern){.rule = (uint32_t)i,
                                     .unless_index = (uint32_t)u,
                                     .max_width = AUPF__UNBOUNDED,
                                     .expression = r->unless.items[u],
                                     .hs_flags = r->hs_flags};
    }
    rs->patterns = p;
    rs->pattern_count = n;
    if (rs->normalize) /* the view collapses repeated letters: see pattern_rewrite.c */
        for (size_t i = 0; i < n; i++) {
            if (!(p[i].owned = aupf__pattern_for_view(p[i].expression)))
                return AUPF_E_NOMEM;
            p[i].expression = p[i].owned;
        }
    return AUPF_OK;
}

static void report_pattern(const aupf_ruleset *rs, aupf__diag *d, size_t pi, aupf_severity sev,
                           const char *what, const char *why) {
    const aupf__pattern *p = &rs->patterns[pi];
    const aupf__rule *r = &rs->rules[p->rule];
    if (p->unless_index == AUPF__NO_UNLESS)
        aupf__report(d, sev, r->file, r->line, r->id, "pattern %s: %s", what, why);
    else
        aupf__report(d, sev, r->file, r->line, r->id, "unless pattern %u %s: %s",
                     p->unless_index + 1, what, why);
}

/* The anchored pair for pattern i: "\A(?s:.)(?:P)" (one character of left
 * context, for starts after the first byte) and "\A(?:P)" (a start at the
 * beginning of the text). */
static int compile_anchored(aupf_ruleset *rs, size_t i) {
    const aupf__pattern *p = &rs->patterns[i];
    size_t n = strlen(p->expression) + 16;
    char *with_ctx = malloc(n), *bare = malloc(n);
    if (!with_ctx || !bare) {
        free(with_ctx);
        free(bare);
        return AUPF_E_NOMEM;
    }
    snprintf(with_ctx, n, "\\A(?s:.)(?:%s)", p->expression);
    snprintf(bare, n, "\\A(?:%s)", p->expression);
    hs_compile_error_t *err = NULL;
    int st = AUPF_OK;
    if (hs_compile(with_ctx, p->hs_flags, HS_MODE_BLOCK, NULL, &rs->som_dbs[i], &err) !=
            HS_SUCCESS ||
        hs_compile(bare, p->hs_flags, HS_MODE_BLOCK, NULL, &rs->anchored_dbs[i], &err) !=
            HS_SUCCESS) {
        hs_free_compile_error(err);
        st = AUPF_E_COMPILE;
    }
    free(with_ctx);
    free(bare);
    return st;
}

int aupf__compile(aupf_ruleset *rs, aupf__diag *d) {
    size_t n = rs->pattern_count;
    const char **exprs = calloc(n, sizeof *exprs);
    unsigned *flags = calloc(n, sizeof *flags);
    unsigned *ids = calloc(n, sizeof *ids);
    rs->som_dbs = calloc(n, sizeof *rs->som_dbs);
    rs->anchored_dbs = calloc(n, sizeof *rs->anchored_dbs);
    int status = AUPF_OK;
    if (!exprs || !flags || !ids || !rs->som_dbs || !rs->anchored_dbs) {
        status = AUPF_E_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        aupf__pattern *p = &rs->patterns[i];
        exprs[i] = p->expression;
        flags[i] = p->hs_flags;
        ids[i] = (unsigned)i;
        hs_expr_info_t *info = NULL;
        hs_compile_error_t *err = NULL;
        if (hs_expression_info(p->expression, p->hs_flags, &info, &err) != HS_SUCCESS) {
            report_pattern(rs, d, i, AUPF_DIAG_ERROR, "does not compile", err->message);
            hs_free_compile_error(err);
            status = AUPF_E_COMPILE;
            continue;
        }
        p->max_width = info->max_width == UINT_MAX ? AUPF__UNBOUNDED : info->max_width;
        free(info);
        if (p->max_width == AUPF__UNBOUNDED &&
            rs->categories[rs->rules[p->rule].category].action < AUPF_ACTION_REDACT)
            report_pattern(rs, d, i, AUPF_DIAG_WARNING, "has no maximum width",
                           "in a stream its match starts are clipped to the held-back text; "
                           "bound its repeats");
        if (hs_compile(p->expression, p->hs_flags | HS_FLAG_SOM_LEFTMOST, HS_MODE_BLOCK, NULL,
                       &rs->som_dbs[i], &err) != HS_SUCCESS) {
            /* too large for start-of-match tracking: find starts by trying
             * anchored matches instead (scanner.c) */
            hs_free_compile_error(err);
            int st = compile_anchored(rs, i);
            if (st == AUPF_E_NOMEM) {
                status = st;
                goto out;
            }
            if (st != AUPF_OK) {
                report_pattern(rs, d, i, AUPF_DIAG_ERROR, "cannot report match starts",
                               "neither start-of-match nor anchored compilation succeeds");
                status = AUPF_E_COMPILE;
            }
        }
    }
    if (status != AUPF_OK)
        goto out;
    hs_compile_error_t *err = NULL;
    if (hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL, &rs->db, &err) !=
            HS_SUCCESS ||
        hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_STREAM, NULL, &rs->stream_db,
                         &err) != HS_SUCCESS) {
        if (err->expression >= 0)
            report_pattern(rs, d, (size_t)err->expression, AUPF_DIAG_ERROR, "does not compile",
                           err->message);
        else
            aupf__report(d, AUPF_DIAG_ERROR, NULL, 0, NULL, "rule database: %s", err->message);
        hs_free_compile_error(err);
        status = AUPF_E_COMPILE;
    }
out:
    free(exprs);
    free(flags);
    free(ids);
    return status;
}

int aupf__check_widths(aupf_ruleset *rs, aupf__diag *d) {
    int status = AUPF_OK;
    rs->max_width = 0;
    for (size_t i = 0; i < rs->pattern_count; i++) {
        const aupf__pattern *p = &rs->patterns[i];
        const aupf__rule *r = &rs->rules[p->rule];
        if (p->max_width != AUPF__UNBOUNDED) {
            if (p->max_width > rs->max_width)
                rs->max_width = p->max_width;
            continue;
        }
        /* a stream can redact or block only what it can still hold back */
        if (rs->categories[r->category].action >= AUPF_ACTION_REDACT) {
            report_pattern(rs, d, i, AUPF_DIAG_ERROR, "has no maximum width",
                           "rules of redact and block categories must bound every repeat "
                           "(e.g. \\s{1,3} instead of \\s+)");
            status = AUPF_E_RULE;
        }
    }
    rs->decision_delay = rs->max_width + 1;
    rs->holdback = rs->decision_delay + rs->max_width + 1;
    return status;
}

int aupf__scratch_prepare(aupf_ruleset *rs) {
    if (hs_alloc_scratch(rs->db, &rs->scratch_prototype) != HS_SUCCESS ||
        hs_alloc_scratch(rs->stream_db, &rs->scratch_prototype) != HS_SUCCESS)
        return AUPF_E_NOMEM;
    for (size_t i = 0; i < rs->pattern_count; i++)
        if (hs_alloc_scratch(rs->som_dbs[i], &rs->scratch_prototype) != HS_SUCCESS ||
            (rs->anchored_dbs[i] &&
             hs_alloc_scratch(rs->anchored_dbs[i], &rs->scratch_prototype) != HS_SUCCESS))
            return AUPF_E_NOMEM;
    return AUPF_OK;
}
