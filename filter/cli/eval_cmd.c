/* aupfilter eval: precision, recall, F1 and benign false-positive rate on
 * labelled JSONL ({"text","label","category","role"?}, .gz read too). */
#include "cli.h"
#include "line_reader.h"
#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct {
    size_t harmful, hit, any; /* harmful records of the category */
    size_t benign_flagged;    /* benign records flagged with it */
} cat_stats;

typedef struct {
    aupf_ruleset *rs;
    aupf_scanner *scanner;
    record *rec;
    cat_stats *cats;
    size_t benign, benign_flagged, skipped, errors;
    bool explain;
} eval;

static ssize_t gz_source(void *src, char *buf, size_t n) {
    if (n > (1u << 30))
        n = 1u << 30;
    return gzread((gzFile)src, buf, (unsigned)n);
}

static size_t category_index(const aupf_ruleset *rs, const char *name) {
    for (size_t c = 0; name && c < aupf_ruleset_category_count(rs); c++)
        if (strcmp(aupf_category_name(rs, c), name) == 0)
            return c;
    return SIZE_MAX;
}

static void explain(const eval *e, const char *what, const char *file, size_t line,
                    const aupf_result *r, const char *text, size_t len) {
    printf("%s %s:%zu", what, file, line);
    for (size_t i = 0; i < aupf_result_match_count(r); i++) {
        aupf_match m;
        aupf_result_match(r, i, &m);
        printf(" %s", m.rule_id);
    }
    printf("\n    %.*s\n", (int)(len > 200 ? 200 : len), text);
    (void)e;
}

static void score_record(eval *e, const char *file, size_t line) {
    const char *label = record_string(e->rec, "label");
    const char *category = record_string(e->rec, "category");
    size_t len;
    const char *text = record_text(e->rec, &len);
    const char *role = record_role(e->rec);
    aupf_role rl = (role ? strcmp(role, "completion") == 0 : strstr(file, "completion") != NULL)
                       ? AUPF_ROLE_COMPLETION
                       : AUPF_ROLE_PROMPT;
    size_t c = category_index(e->rs, category);
    bool benign = label && strcmp(label, "benign") == 0;
    bool harmful = label && strcmp(label, "harmful") == 0 && c != SIZE_MAX;
    if (!benign && !harmful) {
        e->skipped++; /* context records (src: categories) */
        return;
    }
    const aupf_result *r;
    if (aupf_scan(e->scanner, rl, text, len, &r) != AUPF_OK) {
        e->errors++;
        return;
    }
    if (benign) {
        e->benign++;
        if (aupf_result_flagged(r)) {
            e->benign_flagged++;
            for (size_t k = 0; k < aupf_ruleset_category_count(e->rs); k++)
                e->cats[k].benign_flagged += (size_t)aupf_result_category_flagged(r, k);
            if (e->explain)
                explain(e, "FALSE-ALARM", file, line, r, text, len);
        }
        return;
    }
    cat_stats *s = &e->cats[c];
    s->harmful++;
    s->hit += (size_t)aupf_result_category_flagged(r, c);
    s->any += (size_t)aupf_result_flagged(r);
    if (e->explain && !aupf_result_category_flagged(r, c))
        explain(e, "MISS", file, line, r, text, len);
}

static int eval_file(eval *e, const char *path) {
    gzFile gz = gzopen(path, "rb");
    if (!gz) {
        fprintf(stderr, "aupfilter: cannot open %s\n", path);
        return -1;
    }
    line_reader lr;
    line_reader_init(&lr, gz_source, gz, 64u << 20);
    const char *line, *err;
    size_t len, number = 0;
    line_status ls;
    while ((ls = line_reader_next(&lr, true, &line, &len)) != LINE_EOF && ls != LINE_ERROR) {
        number++;
        if (ls == LINE_TOO_LONG || !record_parse(e->rec, line, len, &err)) {
            if (len > 0)
                e->errors++;
            continue;
        }
        if (!record_dev_overlap(e->rec))
            score_record(e, path, number);
    }
    line_reader_free(&lr);
    gzclose(gz);
    if (ls == LINE_ERROR)
        fprintf(stderr, "aupfilter: error reading %s\n", path);
    return ls == LINE_ERROR ? -1 : 0;
}

static double ratio(size_t a, size_t b) { return b ? (double)a / (double)b : 0.0; }

static void report(const eval *e) {
    printf("%-16s %8s %8s %10s %8s %15s\n", "category", "harmful", "recall", "precision", "F1",
           "benign-flagged");
    for (size_t c = 0; c < aupf_ruleset_category_count(e->rs); c++) {
        const cat_stats *s = &e->cats[c];
        double rec = ratio(s->hit, s->harmful), prec = ratio(s->hit, s->hit + s->benign_flagged);
        double f1 = rec + prec > 0 ? 2 * rec * prec / (rec + prec) : 0.0;
        printf("%-16s %8zu %8.3f %10.3f %8.3f %15zu\n", aupf_category_name(e->rs, c), s->harmful,
               rec, prec, f1, s->benign_flagged);
    }
    printf("benign records %zu, flagged %zu, false-positive rate %.4f\n", e->benign,
           e->benign_flagged, ratio(e->benign_flagged, e->benign));
    printf("context records skipped %zu, unreadable records %zu\n", e->skipped, e->errors);
}

int cmd_eval(int argc, char **argv) {
    cli_common common = {0};
    eval e = {0};
    int first_file = argc;
    for (int i = 1; i < argc; i++) {
        if (cli_common_option(&common, argc, argv, &i))
            continue;
        if (strcmp(argv[i], "--explain") == 0) {
            e.explain = true;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "aupfilter eval: bad argument '%s'\n", argv[i]);
            return EXIT_USAGE;
        } else if (first_file == argc) {
            first_file = i;
        }
    }
    if (first_file == argc) {
        fprintf(stderr, "usage: aupfilter eval [--config FILE] [--explain] FILE...\n");
        return EXIT_USAGE;
    }
    if (!(e.rs = cli_load(&common, false)))
        return EXIT_USAGE;
    int status = EXIT_OK;
    e.cats = calloc(aupf_ruleset_category_count(e.rs), sizeof *e.cats);
    e.rec = record_new();
    if (!e.cats || !e.rec || aupf_scanner_new(e.rs, &e.scanner) != AUPF_OK) {
        fprintf(stderr, "aupfilter: out of memory\n");
        status = EXIT_IO;
    } else {
        for (int i = first_file; i < argc; i++) {
            if (argv[i][0] == '-') {
                if (strcmp(argv[i], "--config") == 0)
                    i++;
                continue;
            }
            if (eval_file(&e, argv[i]) != 0)
                status = EXIT_IO;
        }
        report(&e);
        if (status == EXIT_OK && e.errors)
            status = EXIT_RECORD_ERRORS;
    }
    aupf_scanner_free(e.scanner);
    record_free(e.rec);
    free(e.cats);
    aupf_ruleset_release(e.rs);
    return status;
}
