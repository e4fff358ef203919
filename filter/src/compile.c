/* Compiles every rule's trigger and suppressors into ONE Hyperscan database
 * that reports match ends, plus one small start-of-match database per
 * pattern used to recover starts in a short window before each end (SOM on
 * the whole set costs an order of magnitude in throughput). */
#include "internal.h"

#include <limits.h>
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
        p[k++] =
            (aupf__pattern){(uint32_t)i, AUPF__NO_UNLESS, AUPF__UNBOUNDED, r->pattern, r->hs_flags};
        for (size_t u = 0; u < r->unless.count; u++)
            p[k++] = (aupf__pattern){(uint32_t)i, (uint32_t)u, AUPF__UNBOUNDED, r->unless.items[u],
                                     r->hs_flags};
    }
    rs->patterns = p;
    rs->pattern_count = n;
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

int aupf__compile(aupf_ruleset *rs, aupf__diag *d) {
    size_t n = rs->pattern_count;
    const char **exprs = calloc(n, sizeof *exprs);
    unsigned *flags = calloc(n, sizeof *flags);
    unsigned *ids = calloc(n, sizeof *ids);
    rs->som_dbs = calloc(n, sizeof *rs->som_dbs);
    int status = AUPF_OK;
    if (!exprs || !flags || !ids || !rs->som_dbs) {
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
        if (p->max_width == AUPF__UNBOUNDED && p->unless_index == AUPF__NO_UNLESS)
            report_pattern(rs, d, i, AUPF_DIAG_WARNING, "has no maximum width",
                           "it cannot redact or block in a stream; bound its repeats");
        if (hs_compile(p->expression, p->hs_flags | HS_FLAG_SOM_LEFTMOST, HS_MODE_BLOCK, NULL,
                       &rs->som_dbs[i], &err) != HS_SUCCESS) {
            report_pattern(rs, d, i, AUPF_DIAG_ERROR, "cannot report match starts", err->message);
            hs_free_compile_error(err);
            status = AUPF_E_COMPILE;
        }
    }
    if (status != AUPF_OK)
        goto out;
    hs_compile_error_t *err = NULL;
    if (hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL, &rs->db, &err) !=
        HS_SUCCESS) {
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

int aupf__scratch_prepare(aupf_ruleset *rs) {
    if (hs_alloc_scratch(rs->db, &rs->scratch_prototype) != HS_SUCCESS)
        return AUPF_E_NOMEM;
    for (size_t i = 0; i < rs->pattern_count; i++)
        if (hs_alloc_scratch(rs->som_dbs[i], &rs->scratch_prototype) != HS_SUCCESS)
            return AUPF_E_NOMEM;
    return AUPF_OK;
}
