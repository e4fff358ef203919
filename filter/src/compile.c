/* Compiles every rule's trigger and suppressors into ONE Hyperscan database
 * that reports match ends, plus one small start-of-match database per
 * pattern used to recover starts in a short window before each end (SOM on
 * the whole set costs an order of magnitude in throughput). */
#include "internal.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
static int compile_anchored(aupf_ruleset *rs, size_t i, char *why, size_t why_size) {
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
        hs_free_database(rs->som_dbs[i]); /* NULL-safe: free what half succeeded */
        rs->som_dbs[i] = NULL;
        snprintf(why, why_size, "%s", err->message);
        hs_free_compile_error(err);
        st = AUPF_E_COMPILE;
    }
    free(with_ctx);
    free(bare);
    return st;
}

/* Compilation runs as independent tasks on a few threads: the big block
 * database, the big streaming database, and one start database per
 * pattern. Each task writes only its own slot; diagnostics are reported
 * after the join, in pattern order. */
typedef struct {
    aupf_ruleset *rs;
    const char **exprs;
    unsigned *flags, *ids;
    size_t tasks;
    atomic_size_t next;
    int *status;      /* per task */
    char (*why)[512]; /* per task */
    int big_error_expression[2];
} compile_job;

static void run_task(compile_job *j, size_t t) {
    aupf_ruleset *rs = j->rs;
    size_t n = rs->pattern_count;
    hs_compile_error_t *err = NULL;
    if (t < 2) { /* the two big databases */
        hs_database_t **db = t == 0 ? &rs->db : &rs->stream_db;
        if (hs_compile_multi(j->exprs, j->flags, j->ids, (unsigned)n,
                             t == 0 ? HS_MODE_BLOCK : HS_MODE_STREAM, NULL, db,
                             &err) != HS_SUCCESS) {
            snprintf(j->why[t], sizeof j->why[t], "%s", err->message);
            j->big_error_expression[t] = err->expression;
            hs_free_compile_error(err);
            j->status[t] = AUPF_E_COMPILE;
        }
        return;
    }
    size_t i = t - 2;
    const aupf__pattern *p = &rs->patterns[i];
    if (hs_compile(p->expression, p->hs_flags | HS_FLAG_SOM_LEFTMOST, HS_MODE_BLOCK, NULL,
                   &rs->som_dbs[i], &err) == HS_SUCCESS)
        return;
    /* too large for start-of-match tracking: find starts by trying
     * anchored matches instead (scanner.c) */
    hs_free_compile_error(err);
    j->status[t] = compile_anchored(rs, i, j->why[t], sizeof j->why[t]);
}

static void *worker(void *arg) {
    compile_job *j = arg;
    size_t t;
    while ((t = atomic_fetch_add(&j->next, 1)) < j->tasks)
        run_task(j, t);
    return NULL;
}

int aupf__compile(aupf_ruleset *rs, aupf__diag *d) {
    size_t n = rs->pattern_count;
    compile_job j = {.rs = rs, .tasks = n + 2, .big_error_expression = {-1, -1}};
    atomic_init(&j.next, 0);
    j.exprs = calloc(n, sizeof *j.exprs);
    j.flags = calloc(n, sizeof *j.flags);
    j.ids = calloc(n, sizeof *j.ids);
    j.status = calloc(n + 2, sizeof *j.status);
    j.why = calloc(n + 2, sizeof *j.why);
    rs->som_dbs = calloc(n, sizeof *rs->som_dbs);
    rs->anchored_dbs = calloc(n, sizeof *rs->anchored_dbs);
    int status = AUPF_OK;
    if (!j.exprs || !j.flags || !j.ids || !j.status || !j.why || !rs->som_dbs ||
        !rs->anchored_dbs) {
        status = AUPF_E_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        aupf__pattern *p = &rs->patterns[i];
        j.exprs[i] = p->expression;
        j.flags[i] = p->hs_flags;
        j.ids[i] = (unsigned)i;
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
    }
    if (status != AUPF_OK)
        goto out;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    size_t threads = ncpu < 1 ? 1 : ncpu > 16 ? 16 : (size_t)ncpu;
    if (threads > j.tasks)
        threads = j.tasks;
    pthread_t tid[16];
    size_t started = 0;
    for (; started + 1 < threads; started++)
        if (pthread_create(&tid[started], NULL, worker, &j) != 0)
            break;
    worker(&j); /* this thread works too */
    for (size_t k = 0; k < started; k++)
        pthread_join(tid[k], NULL);
    for (size_t t = 2; t < j.tasks; t++) {
        if (j.status[t] == AUPF_E_NOMEM)
            status = AUPF_E_NOMEM;
        else if (j.status[t] != AUPF_OK) {
            char msg[700];
            snprintf(msg, sizeof msg,
                     "Hyperscan says \"%s\" for its start-of-match and anchored forms; split it "
                     "into simpler rules or narrow its bounded repeats",
                     j.why[t]);
            report_pattern(rs, d, t - 2, AUPF_DIAG_ERROR, "cannot be located exactly", msg);
            if (status == AUPF_OK)
                status = AUPF_E_COMPILE;
        }
    }
    for (size_t t = 0; t < 2; t++)
        if (j.status[t] != AUPF_OK) {
            if (j.big_error_expression[t] >= 0)
                report_pattern(rs, d, (size_t)j.big_error_expression[t], AUPF_DIAG_ERROR,
                               "does not compile", j.why[t]);
            else
                aupf__report(d, AUPF_DIAG_ERROR, NULL, 0, NULL, "rule database: %s", j.why[t]);
            if (status == AUPF_OK)
                status = AUPF_E_COMPILE;
        }
out:
    free(j.exprs);
    free(j.flags);
    free(j.ids);
    free(j.status);
    free(j.why);
    return status;
}

int aupf__check_widths(aupf_ruleset *rs, aupf__diag *d) {
    int status = AUPF_OK;
    rs->max_width = rs->release_width = 0;
    for (size_t i = 0; i < rs->pattern_count; i++) {
        const aupf__pattern *p = &rs->patterns[i];
        const aupf__rule *r = &rs->rules[p->rule];
        if (p->max_width != AUPF__UNBOUNDED) {
            if (p->max_width > rs->max_width)
                rs->max_width = p->max_width;
            /* only what can change the text holds the text back */
            if (rs->categories[r->category].action >= AUPF_ACTION_REDACT &&
                p->max_width > rs->release_width)
                rs->release_width = p->max_width;
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
    rs->holdback = 2 * rs->release_width + 2;
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
