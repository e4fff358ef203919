/* One ruleset shared by N threads, one scanner each: every verdict equals
 * the single-threaded one. Uses the shipped ruleset on the development
 * data when it is beside the project, else the test fixture on generated
 * text. Run under ThreadSanitizer with -DAUPF_SANITIZE=thread. */
#include "helpers.h"

#include <dirent.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define MAX_DOCS 20000
#define THREADS  4

typedef struct {
    char *text[MAX_DOCS];
    size_t len[MAX_DOCS];
    uint64_t expect[MAX_DOCS];
    size_t n;
} corpus;

static uint64_t signature(const aupf_ruleset *rs, const aupf_result *r) {
    uint64_t h = 1469598103934665603ull;
#define MIX(v) (h = (h ^ (uint64_t)(v)) * 1099511628211ull)
    MIX(aupf_result_flagged(r));
    MIX(aupf_result_action(r));
    for (size_t c = 0; c < aupf_ruleset_category_count(rs); c++)
        MIX((uint64_t)(aupf_result_score(r, c) * 1e9));
    for (size_t i = 0; i < aupf_result_match_count(r); i++) {
        aupf_match m;
        aupf_result_match(r, i, &m);
        MIX(m.rule);
        MIX(m.start);
        MIX(m.end);
    }
    return h;
}

static void add(corpus *c, const char *t, size_t n) {
    if (c->n >= MAX_DOCS)
        return;
    c->text[c->n] = malloc(n + 1);
    memcpy(c->text[c->n], t, n);
    c->text[c->n][n] = 0;
    c->len[c->n++] = n;
}

static void load_dev(corpus *c) {
    DIR *d = opendir(AUPF_TEST_DEV_DATA);
    if (!d)
        return;
    struct dirent *de;
    static char line[1 << 20], path[1024];
    while ((de = readdir(d)) && c->n < MAX_DOCS) {
        if (!strstr(de->d_name, ".jsonl"))
            continue;
        snprintf(path, sizeof path, "%s/%s", AUPF_TEST_DEV_DATA, de->d_name);
        gzFile f = gzopen(path, "rb");
        for (int k = 0; f && k < 2500 && gzgets(f, line, sizeof line); k++) {
            json_t *o = json_loads(line, JSON_ALLOW_NUL, NULL);
            json_t *t = o ? json_object_get(o, "text") : NULL;
            if (json_is_string(t))
                add(c, json_string_value(t), json_string_length(t));
            json_decref(o);
        }
        if (f)
            gzclose(f);
    }
    closedir(d);
}

typedef struct {
    aupf_ruleset *rs;
    corpus *c;
    size_t first;
    size_t mismatches;
} worker;

static void *work(void *arg) {
    worker *w = arg;
    aupf_scanner *s;
    if (aupf_scanner_new(w->rs, &s) != AUPF_OK)
        return NULL;
    for (int round = 0; round < 2; round++)
        for (size_t i = w->first; i < w->c->n; i += THREADS) {
            const aupf_result *r;
            if (aupf_scan(s, AUPF_ROLE_PROMPT, w->c->text[i], w->c->len[i], &r) != AUPF_OK ||
                signature(w->rs, r) != w->c->expect[i])
                w->mismatches++;
        }
    aupf_scanner_free(s);
    return NULL;
}

static void threads_agree_with_one_thread(void **state) {
    (void)state;
    static corpus c;
    load_dev(&c);
    const char *config = c.n ? AUPF_TEST_CONFIG : AUPF_TEST_FIXTURES "/basic.conf";
    for (size_t i = 0; c.n < 2000; i++) {
        char t[128];
        snprintf(t, sizeof t, "doc %zu: a bomb, kill the process, b0mb, you won a prize", i);
        add(&c, t, strlen(t));
    }
    aupf_load_options o = {.cache_dir = AUPF_TEST_CACHE};
    aupf_ruleset *rs = NULL;
    assert_int_equal(aupf_ruleset_load(config, &o, NULL, NULL, &rs), AUPF_OK);
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(rs, &s), AUPF_OK);
    for (size_t i = 0; i < c.n; i++) {
        const aupf_result *r;
        assert_int_equal(aupf_scan(s, AUPF_ROLE_PROMPT, c.text[i], c.len[i], &r), AUPF_OK);
        c.expect[i] = signature(rs, r);
    }
    aupf_scanner_free(s);
    pthread_t tid[THREADS];
    worker w[THREADS];
    for (int t = 0; t < THREADS; t++) {
        w[t] = (worker){rs, &c, (size_t)t, 0};
        assert_int_equal(pthread_create(&tid[t], NULL, work, &w[t]), 0);
    }
    size_t bad = 0;
    for (int t = 0; t < THREADS; t++) {
        pthread_join(tid[t], NULL);
        bad += w[t].mismatches;
    }
    printf("%zu documents, %d threads, %zu mismatches\n", c.n, THREADS, bad);
    assert_int_equal(bad, 0);
    aupf_ruleset_release(rs);
    for (size_t i = 0; i < c.n; i++)
        free(c.text[i]);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(threads_agree_with_one_thread)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
