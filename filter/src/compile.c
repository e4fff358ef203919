/* Compiles every rule's trigger into ONE Hyperscan database that reports
 * match ends (less the triggers that cannot match ASCII text, when some
 * can: those go to a database of their own, which ASCII views skip, so a
 * Chinese pack costs English text nothing; ascii_reach.c); the suppressors
 * into another, scanned only when a rule that has suppressors fired; the
 * triggers again into the streaming database (with the suppressors too
 * when one of them has no maximum width: stream.c);
 * plus one small start-of-match database per expression, used to recover
 * starts in a short window before each end (SOM on the whole set costs an
 * order of magnitude in throughput). Identical expressions are compiled
 * once. */
#include "internal.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    const char *expression;
    unsigned hs_flags;
    uint32_t pattern;
} expr_key;

/* By expression and flags, then by pattern index. */
static int cmp_expr_key(const void *a, const void *b) {
    const expr_key *x = a, *y = b;
    int c = strcmp(x->expression, y->expression);
    if (c)
        return c;
    if (x->hs_flags != y->hs_flags)
        return x->hs_flags < y->hs_flags ? -1 : 1;
    return (x->pattern > y->pattern) - (x->pattern < y->pattern);
}

/* The table of distinct expressions, numbered in the order of their first
 * pattern so that the numbers do not depend on the sort. */
static int exprs_build(aupf_ruleset *rs) {
    size_t n = rs->pattern_count;
    aupf__pattern *p = rs->patterns;
    expr_key *keys = malloc((n ? n : 1) * sizeof *keys);
    uint32_t *number = malloc((n ? n : 1) * sizeof *number);
    uint32_t *members = malloc((n ? n : 1) * sizeof *members);
    aupf__expr *e = calloc(n ? n : 1, sizeof *e);
    int status = AUPF_E_NOMEM;
    if (!keys || !number || !members || !e)
        goto out;
    for (size_t i = 0; i < n; i++)
        keys[i] = (expr_key){p[i].expression, p[i].hs_flags, (uint32_t)i};
    qsort(keys, n, sizeof *keys, cmp_expr_key);
    /* number[i]: for the first pattern of each group, the group's number */
    for (size_t i = 0; i < n; i++)
        number[i] = UINT32_MAX;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(keys[i - 1].expression, keys[i].expression) != 0 ||
            keys[i - 1].hs_flags != keys[i].hs_flags)
            number[keys[i].pattern] = 0;
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (number[i] != UINT32_MAX)
            number[i] = (uint32_t)count++;
    for (size_t i = 0, first = 0; i < n; i++) {
        if (number[keys[i].pattern] != UINT32_MAX)
            first = keys[i].pattern;
        p[keys[i].pattern].expr = number[first];
    }
    /* members grouped by expression, each group in pattern order */
    for (size_t i = 0; i < n; i++)
        e[p[i].expr].member_count++;
    for (size_t x = 0, at = 0; x < count; x++) {
        e[x].first_member = (uint32_t)at;
        at += e[x].member_count;
        e[x].member_count = 0;
    }
    for (size_t i = 0; i < n; i++) {
        aupf__expr *x = &e[p[i].expr];
        members[x->first_member + x->member_count++] = (uint32_t)i;
        x->expression = p[i].expression;
        x->hs_flags = p[i].hs_flags;
        x->max_width = AUPF__UNBOUNDED;
        x->ascii = aupf__may_match_ascii(x->expression, x->hs_flags);
        if (p[i].unless_index == AUPF__NO_UNLESS)
            x->triggers = true;
    }
    rs->exprs = e;
    rs->expr_count = count;
    rs->expr_members = members;
    e = NULL;
    members = NULL;
    status = AUPF_OK;
out:
    free(keys);
    free(number);
    free(members);
    free(e);
    return status;
}

/* One suppressor group per pack file that has rules with suppressors, in
 * order of first appearance. */
static int unless_groups_assign(aupf_ruleset *rs) {
    uint32_t *first_rule = calloc(rs->rule_count ? rs->rule_count : 1, sizeof *first_rule);
    if (!first_rule)
        return AUPF_E_NOMEM;
    uint32_t groups = 0;
    for (size_t i = 0; i < rs->rule_count; i++) {
        aupf__rule *r = &rs->rules[i];
        r->unless_group = 0;
        if (!r->unless.count)
            continue;
        uint32_t g = 0;
        while (g < groups && strcmp(rs->rules[first_rule[g]].file, r->file) != 0)
            g++;
        if (g == groups)
            first_rule[groups++] = (uint32_t)i;
        r->unless_group = g;
    }
    free(first_rule);
    rs->unless_group_count = groups;
    return AUPF_OK;
}

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
    if (unless_groups_assign(rs) != AUPF_OK)
        return AUPF_E_NOMEM;
    if (rs->normalize) /* the view collapses repeated letters: see pattern_rewrite.c */
        for (size_t i = 0; i < n; i++) {
            if (!(p[i].owned = aupf__pattern_for_view(p[i].expression)))
                return AUPF_E_NOMEM;
            p[i].expression = p[i].owned;
        }
    return exprs_build(rs);
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

/* The anchored pair for expression x: "\A(?s:.)(?:P)" (one character of
 * left context, for starts after the first byte) and "\A(?:P)" (a start at
 * the beginning of the text). */
static int compile_anchored(aupf_ruleset *rs, size_t x, char *why, size_t why_size) {
    const aupf__expr *e = &rs->exprs[x];
    size_t n = strlen(e->expression) + 16;
    char *with_ctx = malloc(n), *bare = malloc(n);
    if (!with_ctx || !bare) {
        free(with_ctx);
        free(bare);
        return AUPF_E_NOMEM;
    }
    snprintf(with_ctx, n, "\\A(?s:.)(?:%s)", e->expression);
    snprintf(bare, n, "\\A(?:%s)", e->expression);
    hs_compile_error_t *err = NULL;
    int st = AUPF_OK;
    if (hs_compile(with_ctx, e->hs_flags, HS_MODE_BLOCK, NULL, &rs->som_dbs[x], &err) !=
            HS_SUCCESS ||
        hs_compile(bare, e->hs_flags, HS_MODE_BLOCK, NULL, &rs->anchored_dbs[x], &err) !=
            HS_SUCCESS) {
        hs_free_database(rs->som_dbs[x]); /* NULL-safe: free what half succeeded */
        rs->som_dbs[x] = NULL;
        snprintf(why, why_size, "%s", err->message);
        hs_free_compile_error(err);
        st = AUPF_E_COMPILE;
    }
    free(with_ctx);
    free(bare);
    return st;
}

/* One of the big databases (aupf__db_kind): the expressions it holds,
 * with their numbers as Hyperscan ids. */
#define BIG_COUNT AUPF__DB_COUNT

typedef struct {
    const char **exprs;
    unsigned *flags, *ids;
    size_t count;
} big_set;

/* Compilation runs as independent tasks on a few threads: the big
 * databases and one start database per expression. Each task writes only
 * its own slot; diagnostics are reported after the join, in order. */
typedef struct {
    aupf_ruleset *rs;
    big_set big[BIG_COUNT];
    size_t tasks;
    atomic_size_t next;
    int *status;      /* per task */
    char (*why)[512]; /* per task */
    int big_error_expression[BIG_COUNT];
} compile_job;

static void run_task(compile_job *j, size_t t) {
    aupf_ruleset *rs = j->rs;
    hs_compile_error_t *err = NULL;
    if (t < BIG_COUNT) {
        const big_set *b = &j->big[t];
        hs_database_t **db = t == AUPF__DB_TRIGGERS ? &rs->db
                             : t == AUPF__DB_STREAM ? &rs->stream_db
                                                    : &rs->other_db;
        if (b->count == 0)
            return; /* no trigger split out */
        if (hs_compile_multi(b->exprs, b->flags, b->ids, (unsigned)b->count,
                             t == AUPF__DB_STREAM ? HS_MODE_STREAM : HS_MODE_BLOCK, NULL, db,
                             &err) != HS_SUCCESS) {
            snprintf(j->why[t], sizeof j->why[t], "%s", err->message);
            j->big_error_expression[t] = err->expression >= 0 ? (int)b->ids[err->expression] : -1;
            hs_free_compile_error(err);
            j->status[t] = AUPF_E_COMPILE;
        }
        return;
    }
    if (t < BIG_COUNT + rs->unless_group_count) {
        uint32_t g = (uint32_t)(t - BIG_COUNT);
        if (!(rs->unless_dbs[g] = aupf__build_unless_database(rs, g)))
            j->status[t] = AUPF_E_COMPILE;
        return;
    }
    size_t x = t - BIG_COUNT - rs->unless_group_count;
    const aupf__expr *e = &rs->exprs[x];
    if (hs_compile(e->expression, e->hs_flags | HS_FLAG_SOM_LEFTMOST, HS_MODE_BLOCK, NULL,
                   &rs->som_dbs[x], &err) == HS_SUCCESS)
        return;
    /* too large for start-of-match tracking: find starts by trying
     * anchored matches instead (scanner.c) */
    hs_free_compile_error(err);
    j->status[t] = compile_anchored(rs, x, j->why[t], sizeof j->why[t]);
}

static void *worker(void *arg) {
    compile_job *j = arg;
    size_t t;
    while ((t = atomic_fetch_add(&j->next, 1)) < j->tasks)
        run_task(j, t);
    return NULL;
}

static int big_sets_build(compile_job *j) {
    const aupf_ruleset *rs = j->rs;
    size_t n = rs->expr_count;
    for (size_t b = 0; b < BIG_COUNT; b++) {
        big_set *s = &j->big[b];
        s->exprs = calloc(n ? n : 1, sizeof *s->exprs);
        s->flags = calloc(n ? n : 1, sizeof *s->flags);
        s->ids = calloc(n ? n : 1, sizeof *s->ids);
        if (!s->exprs || !s->flags || !s->ids)
            return AUPF_E_NOMEM;
        for (size_t x = 0; x < n; x++) {
            const aupf__expr *e = &rs->exprs[x];
            if ((b == AUPF__DB_TRIGGERS && !e->triggers) ||
                (b == AUPF__DB_STREAM && !e->triggers && !rs->stream_unless) ||
                (b == AUPF__DB_OTHER && !(e->triggers && !e->ascii)))
                continue;
            s->exprs[s->count] = e->expression;
            s->flags[s->count] = e->hs_flags;
            s->ids[s->count++] = (unsigned)x;
        }
    }
    /* the split, when it leaves triggers on both sides */
    big_set *all = &j->big[AUPF__DB_TRIGGERS], *other = &j->big[AUPF__DB_OTHER];
    if (other->count == all->count)
        other->count = 0;
    size_t kept = 0;
    for (size_t i = 0; other->count && i < all->count; i++)
        if (rs->exprs[all->ids[i]].ascii) {
            all->exprs[kept] = all->exprs[i];
            all->flags[kept] = all->flags[i];
            all->ids[kept++] = all->ids[i];
        }
    if (other->count)
        all->count = kept;
    return AUPF_OK;
}

/* Rebuilds one database from the expressions, for a cached one found
 * damaged when first used (lazy_db.c). NULL when it cannot be built. */
hs_database_t *aupf__build_database(const aupf_ruleset *rs, aupf__db_kind which) {
    compile_job j = {.rs = (aupf_ruleset *)rs};
    hs_database_t *db = NULL;
    if (big_sets_build(&j) == AUPF_OK && j.big[which].count) {
        hs_compile_error_t *err = NULL;
        if (hs_compile_multi(j.big[which].exprs, j.big[which].flags, j.big[which].ids,
                             (unsigned)j.big[which].count,
                             which == AUPF__DB_STREAM ? HS_MODE_STREAM : HS_MODE_BLOCK, NULL, &db,
                             &err) != HS_SUCCESS) {
            hs_free_compile_error(err);
            db = NULL;
        }
    }
    for (size_t b = 0; b < BIG_COUNT; b++) {
        free(j.big[b].exprs);
        free(j.big[b].flags);
        free(j.big[b].ids);
    }
    return db;
}

/* The suppressors of one group's rules, each distinct expression once. */
hs_database_t *aupf__build_unless_database(const aupf_ruleset *rs, uint32_t group) {
    size_t n = 0;
    for (size_t i = 0; i < rs->pattern_count; i++)
        n += rs->patterns[i].unless_index != AUPF__NO_UNLESS;
    const char **exprs = calloc(n ? n : 1, sizeof *exprs);
    unsigned *flags = calloc(n ? n : 1, sizeof *flags), *ids = calloc(n ? n : 1, sizeof *ids);
    unsigned char *taken = calloc(rs->expr_count ? rs->expr_count : 1, 1);
    hs_database_t *db = NULL;
    size_t count = 0;
    if (exprs && flags && ids && taken) {
        for (size_t i = 0; i < rs->pattern_count; i++) {
            const aupf__pattern *p = &rs->patterns[i];
            if (p->unless_index == AUPF__NO_UNLESS || rs->rules[p->rule].unless_group != group ||
                taken[p->expr])
                continue;
            taken[p->expr] = 1;
            exprs[count] = rs->exprs[p->expr].expression;
            flags[count] = rs->exprs[p->expr].hs_flags;
            ids[count++] = p->expr;
        }
        hs_compile_error_t *err = NULL;
        if (count && hs_compile_multi(exprs, flags, ids, (unsigned)count, HS_MODE_BLOCK, NULL, &db,
                                      &err) != HS_SUCCESS) {
            hs_free_compile_error(err); /* every expression compiled alone already */
            db = NULL;
        }
    }
    free(exprs);
    free(flags);
    free(ids);
    free(taken);
    return db;
}

hs_database_t *aupf__build_start_database(const aupf_ruleset *rs, uint32_t x, int anchored) {
    const aupf__expr *e = &rs->exprs[x];
    hs_compile_error_t *err = NULL;
    hs_database_t *db = NULL;
    if (!aupf__has_anchored(rs, x)) {
        if (hs_compile(e->expression, e->hs_flags | HS_FLAG_SOM_LEFTMOST, HS_MODE_BLOCK, NULL, &db,
                       &err) != HS_SUCCESS) {
            hs_free_compile_error(err);
            db = NULL;
        }
        return db;
    }
    size_t n = strlen(e->expression) + 16;
    char *form = malloc(n);
    if (!form)
        return NULL;
    snprintf(form, n, anchored ? "\\A(?:%s)" : "\\A(?s:.)(?:%s)", e->expression);
    if (hs_compile(form, e->hs_flags, HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS) {
        hs_free_compile_error(err);
        db = NULL;
    }
    free(form);
    return db;
}

static const char *unless_group_file(const aupf_ruleset *rs, uint32_t group) {
    for (size_t i = 0; i < rs->rule_count; i++)
        if (rs->rules[i].unless.count && rs->rules[i].unless_group == group)
            return rs->rules[i].file;
    return "a pack";
}

/* Widths from Hyperscan's expression info, per expression and per pattern. */
static int measure_widths(aupf_ruleset *rs, aupf__diag *d) {
    int status = AUPF_OK;
    for (size_t x = 0; x < rs->expr_count; x++) {
        aupf__expr *e = &rs->exprs[x];
        hs_expr_info_t *info = NULL;
        hs_compile_error_t *err = NULL;
        if (hs_expression_info(e->expression, e->hs_flags, &info, &err) != HS_SUCCESS) {
            report_pattern(rs, d, rs->expr_members[e->first_member], AUPF_DIAG_ERROR,
                           "does not compile", err->message);
            hs_free_compile_error(err);
            status = AUPF_E_COMPILE;
            continue;
        }
        e->max_width = info->max_width == UINT_MAX ? AUPF__UNBOUNDED : info->max_width;
        free(info);
    }
    aupf__widths_to_patterns(rs);
    for (size_t i = 0; status == AUPF_OK && i < rs->pattern_count; i++) {
        const aupf__pattern *p = &rs->patterns[i];
        if (p->max_width == AUPF__UNBOUNDED &&
            rs->categories[rs->rules[p->rule].category].action < AUPF_ACTION_REDACT)
            report_pattern(rs, d, i, AUPF_DIAG_WARNING, "has no maximum width",
                           "in a stream its match starts are clipped to the held-back text; "
                           "bound its repeats");
    }
    return status;
}

void aupf__widths_to_patterns(aupf_ruleset *rs) {
    rs->stream_unless = false;
    for (size_t i = 0; i < rs->pattern_count; i++) {
        aupf__pattern *p = &rs->patterns[i];
        p->max_width = rs->exprs[p->expr].max_width;
        if (p->unless_index != AUPF__NO_UNLESS && p->max_width == AUPF__UNBOUNDED)
            rs->stream_unless = true;
    }
    for (size_t r = 0; r < rs->rule_count; r++) {
        aupf__rule *rule = &rs->rules[r];
        rule->unless_width = 0; /* AUPF__UNBOUNDED is the largest width */
        for (size_t u = 1; u <= rule->unless.count; u++)
            if (rs->patterns[rule->first_pattern + u].max_width > rule->unless_width)
                rule->unless_width = rs->patterns[rule->first_pattern + u].max_width;
    }
}

int aupf__compile(aupf_ruleset *rs, aupf__diag *d) {
    size_t n = rs->expr_count;
    size_t groups = rs->unless_group_count;
    compile_job j = {
        .rs = rs, .tasks = BIG_COUNT + groups + n, .big_error_expression = {-1, -1, -1}};
    atomic_init(&j.next, 0);
    j.status = calloc(j.tasks, sizeof *j.status);
    j.why = calloc(j.tasks, sizeof *j.why);
    rs->som_dbs = calloc(n ? n : 1, sizeof *rs->som_dbs);
    rs->anchored_dbs = calloc(n ? n : 1, sizeof *rs->anchored_dbs);
    rs->unless_dbs = calloc(groups ? groups : 1, sizeof *rs->unless_dbs);
    int status = AUPF_OK;
    if (!j.status || !j.why || !rs->som_dbs || !rs->anchored_dbs || !rs->unless_dbs) {
        status = AUPF_E_NOMEM;
        goto out;
    }
    status = measure_widths(rs, d); /* the streaming database depends on them */
    if (status != AUPF_OK)
        goto out;
    if (big_sets_build(&j) != AUPF_OK) {
        status = AUPF_E_NOMEM;
        goto out;
    }
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
    for (size_t t = BIG_COUNT; t < BIG_COUNT + groups; t++)
        if (j.status[t] != AUPF_OK) {
            aupf__report(d, AUPF_DIAG_ERROR, NULL, 0, NULL,
                         "the suppressor database of %s does not compile",
                         unless_group_file(rs, (uint32_t)(t - BIG_COUNT)));
            status = AUPF_E_COMPILE;
        }
    for (size_t t = BIG_COUNT + groups; t < j.tasks; t++) {
        if (j.status[t] == AUPF_E_NOMEM)
            status = AUPF_E_NOMEM;
        else if (j.status[t] != AUPF_OK) {
            char msg[700];
            snprintf(msg, sizeof msg,
                     "Hyperscan says \"%s\" for its start-of-match and anchored forms; split it "
                     "into simpler rules or narrow its bounded repeats",
                     j.why[t]);
            const aupf__expr *e = &rs->exprs[t - BIG_COUNT - groups];
            report_pattern(rs, d, rs->expr_members[e->first_member], AUPF_DIAG_ERROR,
                           "cannot be located exactly", msg);
            if (status == AUPF_OK)
                status = AUPF_E_COMPILE;
        }
    }
    for (size_t t = 0; t < BIG_COUNT; t++)
        if (j.status[t] != AUPF_OK) {
            int x = j.big_error_expression[t];
            if (x >= 0)
                report_pattern(rs, d, rs->expr_members[rs->exprs[x].first_member], AUPF_DIAG_ERROR,
                               "does not compile", j.why[t]);
            else
                aupf__report(d, AUPF_DIAG_ERROR, NULL, 0, NULL, "rule database: %s", j.why[t]);
            if (status == AUPF_OK)
                status = AUPF_E_COMPILE;
        }
out:
    for (size_t b = 0; b < BIG_COUNT; b++) {
        free(j.big[b].exprs);
        free(j.big[b].flags);
        free(j.big[b].ids);
    }
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

/* The prototype fits the trigger database only: a scanner grows its own
 * scratch for the others on first use (lazy_db.c). */
int aupf__scratch_prepare(aupf_ruleset *rs) {
    return hs_alloc_scratch(rs->db, &rs->scratch_prototype) == HS_SUCCESS ? AUPF_OK : AUPF_E_NOMEM;
}
