/* A minimal program that uses an installed libaupfilter through its public
 * header only: it loads the rules once, scans each text in one block, then
 * filters the same text as a stream fed in small chunks (as a model server
 * does from its token callback), and prints both verdicts.
 *
 *   consumer [-c CONFIG] TEXT...
 *
 * CONFIG defaults to the configuration installed with the library (the build
 * passes it as AUPF_CONFIG). Exit status: 0 when every text was judged and
 * the stream agreed with the block scan, 1 otherwise, 2 on bad arguments or
 * rules. */
#include <aupfilter.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef AUPF_CONFIG
#define AUPF_CONFIG "aupfilter.conf"
#endif

/* Bytes a stream released, collected by the sink. */
typedef struct {
    char *data;
    size_t len, cap;
    size_t events;
} released;

static int on_release(void *ctx, const char *bytes, size_t len, const aupf_event *event) {
    released *r = ctx;
    if (event) {
        r->events++;
        return 0;
    }
    if (r->len + len + 1 > r->cap) {
        size_t cap = (r->len + len + 1) * 2;
        char *p = realloc(r->data, cap);
        if (!p)
            return 1; /* stops the call; it returns 1 */
        r->data = p;
        r->cap = cap;
    }
    memcpy(r->data + r->len, bytes, len);
    r->len += len;
    r->data[r->len] = 0;
    return 0;
}

static void on_diag(void *ctx, aupf_severity severity, const char *file, int line,
                    const char *rule_id, const char *message) {
    (void)ctx;
    fprintf(stderr, "%s:%d: %s: %s%s%s\n", file ? file : "aupfilter", line,
            severity == AUPF_DIAG_ERROR ? "error" : "warning", rule_id ? rule_id : "",
            rule_id ? ": " : "", message);
}

/* "flagged action=block categories=violence rules=id@start-end,..." */
static void print_verdict(const aupf_ruleset *rs, const aupf_result *r) {
    printf("%s action=%s categories=", aupf_result_flagged(r) ? "flagged" : "not-flagged",
           aupf_action_name(aupf_result_action(r)));
    const char *sep = "";
    for (size_t c = 0; c < aupf_ruleset_category_count(rs); c++)
        if (aupf_result_category_flagged(r, c)) {
            printf("%s%s", sep, aupf_category_name(rs, c));
            sep = ",";
        }
    printf(" rules=");
    sep = "";
    for (size_t i = 0; i < aupf_result_match_count(r); i++) {
        aupf_match m;
        if (aupf_result_match(r, i, &m) == AUPF_OK) {
            printf("%s%s@%zu-%zu", sep, m.rule_id, m.start, m.end);
            sep = ",";
        }
    }
    putchar('\n');
}

/* Scans text in one block, then as a stream; 0 when both agree. */
static int judge(aupf_ruleset *rs, aupf_scanner *s, size_t n, const char *text) {
    size_t len = strlen(text);
    const aupf_result *r;
    int st = aupf_scan(s, AUPF_ROLE_COMPLETION, text, len, &r);
    if (st != AUPF_OK) {
        printf("text %zu: error %s\n", n, aupf_strerror(st));
        return 1;
    }
    printf("text %zu: scan: ", n);
    print_verdict(rs, r);
    int flagged = aupf_result_flagged(r);
    aupf_action action = aupf_result_action(r);
    const char *applied;
    size_t applied_len;
    if ((st = aupf_apply(s, r, text, len, &applied, &applied_len)) != AUPF_OK) {
        printf("text %zu: error %s\n", n, aupf_strerror(st));
        return 1;
    }
    char *expected = malloc(applied_len + 1); /* the next scan reuses the scanner's buffers */
    if (!expected)
        return 1;
    memcpy(expected, applied, applied_len);
    expected[applied_len] = 0;

    /* The stream: 4-byte chunks stand in for tokens. */
    released out = {0};
    aupf_stream *stream;
    st = aupf_stream_open(rs, AUPF_ROLE_COMPLETION, &stream);
    for (size_t off = 0; st == AUPF_OK && off < len; off += 4)
        st = aupf_stream_write(stream, s, text + off, len - off < 4 ? len - off : 4, on_release,
                               &out);
    if (st == AUPF_OK)
        st = aupf_stream_close(stream, s, on_release, &out, &r);
    aupf_stream_free(stream);
    int agree = 0;
    if (st != AUPF_OK) {
        printf("text %zu: stream error %s\n", n, st > 0 ? "in the sink" : aupf_strerror(st));
    } else {
        printf("text %zu: stream: ", n);
        print_verdict(rs, r);
        agree = aupf_result_flagged(r) == flagged && aupf_result_action(r) == action &&
                out.len == applied_len && memcmp(out.data ? out.data : "", expected, out.len) == 0;
        printf("text %zu: output: \"%s\" (%zu events; stream %s block)\n", n,
               out.data ? out.data : "", out.events, agree ? "equals" : "DIFFERS FROM");
    }
    free(out.data);
    free(expected);
    return agree ? 0 : 1;
}

int main(int argc, char **argv) {
    const char *config = AUPF_CONFIG;
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "-c") == 0) {
        config = argv[2];
        first = 3;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: %s [-c CONFIG] TEXT...\n", argv[0]);
        return 2;
    }
    /* Compiled against one version, running with another: same major only. */
    if (atoi(aupf_version()) != AUPF_VERSION_MAJOR) {
        fprintf(stderr, "libaupfilter %s does not match aupfilter.h %d.x\n", aupf_version(),
                AUPF_VERSION_MAJOR);
        return 2;
    }
    aupf_ruleset *rs; /* once per process, shared by every thread */
    int st = aupf_ruleset_load(config, NULL, on_diag, NULL, &rs);
    if (st != AUPF_OK) {
        fprintf(stderr, "cannot load %s: %s (%s)\n", config, aupf_strerror(st),
                aupf_status_name(st));
        return 2;
    }
    aupf_scanner *s; /* one per thread */
    if ((st = aupf_scanner_new(rs, &s)) != AUPF_OK) {
        fprintf(stderr, "cannot create a scanner: %s\n", aupf_strerror(st));
        aupf_ruleset_release(rs);
        return 2;
    }
    printf("libaupfilter %s, %zu rules in %zu categories\n", aupf_version(),
           aupf_ruleset_rule_count(rs), aupf_ruleset_category_count(rs));
    int status = 0;
    for (int i = first; i < argc; i++)
        status |= judge(rs, s, (size_t)(i - first + 1), argv[i]);
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
    return status;
}
