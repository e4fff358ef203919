#include "helpers.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void diag_capture(void *ctx, aupf_severity sev, const char *file, int line, const char *rule_id,
                  const char *message) {
    diag_log *l = ctx;
    size_t n = strlen(l->text);
    char where[600];
    if (line > 0)
        snprintf(where, sizeof where, "%s:%d", file ? file : "-", line);
    else
        snprintf(where, sizeof where, "%s", file ? file : "-");
    snprintf(l->text + n, sizeof l->text - n, "%s: %s: [%s] %s\n", where,
             sev == AUPF_DIAG_ERROR ? "error" : "warning", rule_id ? rule_id : "-", message);
    if (sev == AUPF_DIAG_ERROR)
        l->errors++;
    else
        l->warnings++;
}

static char made[64][64];
static int made_count;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_tmpdirs(void) {
    for (int i = 0; i < made_count; i++)
        nftw(made[i], remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

const char *test_tmpdir(void) {
    static char dir[64];
    strcpy(dir, "/tmp/aupf-test-XXXXXX");
    if (!mkdtemp(dir))
        fail_msg("mkdtemp failed");
    if (made_count == 0)
        atexit(remove_tmpdirs);
    if (made_count < 64)
        strcpy(made[made_count++], dir);
    return dir;
}

char *test_write(const char *dir, const char *name, const char *content) {
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 512, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
    return p;
}

aupf_ruleset *test_load_rules(const char *rules, diag_log *log) {
    const char *dir = test_tmpdir();
    test_write(dir, "test.rules", rules);
    char *conf = test_write(dir, "test.conf",
                            "categories = (\n"
                            "  { name = \"violence\"; threshold = 0.5; action = \"block\"; },\n"
                            "  { name = \"weapons\"; threshold = 0.5; action = \"redact\"; },\n"
                            "  { name = \"spam\"; threshold = 0.5; action = \"annotate\"; }\n"
                            ");\n"
                            "packs = [ \"test.rules\" ];\n"
                            "block_message = \"[blocked]\";\n"
                            "redact_with = \"[X]\";\n");
    aupf_load_options o = {.no_cache = 1};
    aupf_ruleset *rs = NULL;
    memset(log, 0, sizeof *log);
    if (aupf_ruleset_load(conf, &o, diag_capture, log, &rs) != AUPF_OK)
        return NULL;
    return rs;
}

const aupf_result *test_scan(aupf_scanner *s, aupf_role role, const char *text) {
    const aupf_result *r = NULL;
    assert_int_equal(aupf_scan(s, role, text, strlen(text), &r), AUPF_OK);
    assert_non_null(r);
    return r;
}

const char *test_matches(const aupf_result *r) {
    static char buf[4096];
    buf[0] = 0;
    for (size_t i = 0; i < aupf_result_match_count(r); i++) {
        aupf_match m;
        aupf_result_match(r, i, &m);
        size_t n = strlen(buf);
        snprintf(buf + n, sizeof buf - n, "%s%s@%zu-%zu", i ? ";" : "", m.rule_id, m.start, m.end);
    }
    return buf;
}

uint32_t test_rand(uint64_t *state) {
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return (uint32_t)x;
}

size_t test_random_text(uint64_t *state, const char *const *frags, size_t nfrags, size_t max_parts,
                        char *buf, size_t cap) {
    size_t n = 0, parts = 1 + test_rand(state) % max_parts;
    for (size_t i = 0; i < parts; i++) {
        const char *f = frags[test_rand(state) % nfrags];
        size_t l = strlen(f);
        if (n + l + 1 >= cap)
            break;
        memcpy(buf + n, f, l);
        n += l;
        if (test_rand(state) % 2)
            buf[n++] = ' ';
    }
    buf[n] = 0;
    return n;
}
