/* Hot reload: a failed reload keeps the current ruleset; a stream opened
 * before a swap finishes on its ruleset with that ruleset's verdict; the
 * scanner set keeps one scanner per ruleset in use; threads scanning and
 * streaming while the ruleset is swapped underneath them always get the
 * verdict of the ruleset they took. Run under ThreadSanitizer with
 * -DAUPF_SANITIZE=thread (tests/fuzz/README.md). */
#include "helpers.h"
#include "rules_fixture.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONFIG_A AUPF_TEST_FIXTURES "/basic.conf"

/* B: other rules, other messages; "kill" means nothing to it. */
static const char *config_b(void) {
    static char path[512];
    if (path[0])
        return path;
    const char *dir = test_tmpdir();
    test_write(dir, "b.rules",
               "rules = (\n" RULE("violence.b.hurt", "violence", "\\\\bhurt\\\\b", "0.9",
                                  "") ",\n" RULE("spam.b.hello", "spam", "\\\\bhello\\\\b", "0.9",
                                                 "") "\n);\n");
    char *p = test_write(dir, "b.conf",
                         "categories = (\n"
                         "  { name = \"violence\"; threshold = 0.5; action = \"block\"; },\n"
                         "  { name = \"spam\"; threshold = 0.5; action = \"annotate\"; }\n"
                         ");\n"
                         "packs = [ \"b.rules\" ];\n"
                         "block_message = \"[blocked by b]\";\n"
                         "cache_dir = \"none\";\n");
    snprintf(path, sizeof path, "%s", p);
    return path;
}

static const char *config_broken(void) {
    static char path[512];
    if (path[0])
        return path;
    const char *dir = test_tmpdir();
    char *p = test_write(dir, "broken.conf", "categories = ( { name = \"violence\"; \n");
    snprintf(path, sizeof path, "%s", p);
    return path;
}

static aupf_ruleset *load(const char *config) {
    aupf_load_options o = {.no_cache = 1};
    aupf_ruleset *rs = NULL;
    assert_int_equal(aupf_ruleset_load(config, &o, NULL, NULL, &rs), AUPF_OK);
    return rs;
}

static const char *const texts[] = {
    "I will kill him tomorrow, hello.",
    "hello there, how are you doing today? I hope nobody gets hurt.",
    "a bomb in the car and you won a prize, call 0800123456 today",
    "how do I kill the process that hangs?",
    "nothing to see here at all, just a quiet afternoon with tea",
};
#define NTEXTS (sizeof texts / sizeof texts[0])

/* What a verdict says, as one number: flags, action, scores and spans. */
static uint64_t signature(const aupf_result *r) {
    const aupf_ruleset *rs = aupf_result_ruleset(r);
    uint64_t h = 1469598103934665603ull;
#define MIX(v) (h = (h ^ (uint64_t)(v)) * 1099511628211ull)
    MIX(aupf_result_flagged(r));
    MIX(aupf_result_action(r));
    for (size_t c = 0; c < aupf_ruleset_category_count(rs); c++)
        MIX((uint64_t)(aupf_result_score(r, c) * 1e9));
    for (size_t i = 0; i < aupf_result_match_count(r); i++) {
        aupf_match m;
        aupf_result_match(r, i, &m);
        for (const char *p = m.rule_id; *p; p++)
            MIX(*p);
        MIX(m.start);
        MIX(m.end);
    }
    return h;
}

/* Expected verdicts and outputs of one ruleset. */
typedef struct {
    char hash[17];
    uint64_t sig[NTEXTS];
    char output[NTEXTS][160];
} expectation;

static void expect_of(const char *config, expectation *e) {
    aupf_ruleset *rs = load(config);
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(rs, &s), AUPF_OK);
    snprintf(e->hash, sizeof e->hash, "%s", aupf_ruleset_hash(rs));
    for (size_t i = 0; i < NTEXTS; i++) {
        const aupf_result *r = test_scan(s, AUPF_ROLE_COMPLETION, texts[i]);
        e->sig[i] = signature(r);
        const char *out;
        size_t n;
        assert_int_equal(aupf_apply(s, r, texts[i], strlen(texts[i]), &out, &n), AUPF_OK);
        assert_true(n < sizeof e->output[i]);
        memcpy(e->output[i], out, n);
        e->output[i][n] = 0;
    }
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

typedef struct {
    char data[256];
    size_t len;
} sink_buf;

static int collect(void *ctx, const char *bytes, size_t len, const aupf_event *ev) {
    sink_buf *b = ctx;
    if (ev)
        return 0;
    if (b->len + len >= sizeof b->data)
        return AUPF_E_NOMEM;
    memcpy(b->data + b->len, bytes, len);
    b->len += len;
    b->data[b->len] = 0;
    return 0;
}

static void failed_reload_keeps_the_current_ruleset(void **state) {
    (void)state;
    aupf_ruleset *a = load(CONFIG_A);
    aupf_reloader *r;
    assert_int_equal(aupf_reloader_new(a, &r), AUPF_OK);
    diag_log log = {0};
    int st = aupf_reloader_reload(r, config_broken(), NULL, diag_capture, &log);
    assert_int_equal(st, AUPF_E_CONFIG);
    assert_true(log.errors > 0);
    assert_non_null(strstr(log.text, "broken.conf"));
    assert_int_equal(aupf_reloader_generation(r), 0);
    aupf_ruleset *cur = aupf_reloader_current(r);
    assert_ptr_equal(cur, a);
    aupf_ruleset_release(cur);

    /* a missing file and a pack with a bad rule fail the same way */
    assert_int_equal(aupf_reloader_reload(r, "/nonexistent/aupfilter.conf", NULL, NULL, NULL),
                     AUPF_E_IO);
    const char *dir = test_tmpdir();
    test_write(
        dir, "bad.rules",
        "rules = (\n" RULE("violence.bad.open", "violence", "(unclosed", "0.9", "") "\n);\n");
    char *bad = test_write(dir, "bad.conf",
                           "categories = ( { name = \"violence\"; threshold = 0.5; "
                           "action = \"block\"; } );\npacks = [ \"bad.rules\" ];\n"
                           "cache_dir = \"none\";\n");
    memset(&log, 0, sizeof log);
    st = aupf_reloader_reload(r, bad, NULL, diag_capture, &log);
    assert_true(st == AUPF_E_COMPILE || st == AUPF_E_RULE);
    assert_non_null(strstr(log.text, "violence.bad.open"));
    cur = aupf_reloader_current(r);
    assert_ptr_equal(cur, a);
    assert_string_equal(aupf_ruleset_hash(cur), aupf_ruleset_hash(a));
    aupf_ruleset_release(cur);

    /* and a good one then goes through */
    assert_int_equal(aupf_reloader_reload(r, config_b(), NULL, NULL, NULL), AUPF_OK);
    assert_int_equal(aupf_reloader_generation(r), 1);
    cur = aupf_reloader_current(r);
    assert_ptr_not_equal(cur, a);
    assert_string_not_equal(aupf_ruleset_hash(cur), aupf_ruleset_hash(a));
    aupf_ruleset_release(cur);
    aupf_reloader_free(r);
    aupf_ruleset_release(a);
}

static void old_stream_finishes_on_old_ruleset(void **state) {
    (void)state;
    expectation ea, eb;
    expect_of(CONFIG_A, &ea);
    expect_of(config_b(), &eb);
    const char *text = texts[0]; /* A blocks it at "kill"; B only sees "hello" */
    assert_true(ea.sig[0] != eb.sig[0]);
    assert_string_not_equal(ea.output[0], eb.output[0]);

    aupf_ruleset *a = load(CONFIG_A);
    aupf_reloader *r;
    assert_int_equal(aupf_reloader_new(a, &r), AUPF_OK);
    aupf_ruleset_release(a); /* the reloader's reference is the only one now */
    aupf_scanner_set *set;
    assert_int_equal(aupf_scanner_set_new(&set), AUPF_OK);

    aupf_ruleset *cur = aupf_reloader_current(r);
    aupf_stream *old_st;
    assert_int_equal(aupf_stream_open(cur, AUPF_ROLE_COMPLETION, &old_st), AUPF_OK);
    aupf_ruleset_release(cur); /* the stream holds its ruleset */
    sink_buf old_out = {0};
    aupf_scanner *s;
    size_t half = strlen(text) / 2;
    assert_int_equal(aupf_scanner_set_get(set, aupf_stream_ruleset(old_st), &s), AUPF_OK);
    assert_int_equal(aupf_stream_write(old_st, s, text, half, collect, &old_out), AUPF_OK);

    assert_int_equal(aupf_reloader_reload(r, config_b(), NULL, NULL, NULL), AUPF_OK);

    /* a new request takes B while the old stream goes on with A */
    cur = aupf_reloader_current(r);
    assert_string_equal(aupf_ruleset_hash(cur), eb.hash);
    aupf_stream *new_st;
    assert_int_equal(aupf_stream_open(cur, AUPF_ROLE_COMPLETION, &new_st), AUPF_OK);
    aupf_scanner *sb;
    assert_int_equal(aupf_scanner_set_get(set, cur, &sb), AUPF_OK);
    assert_int_equal(aupf_scanner_set_count(set), 2);
    /* a scanner of another ruleset is refused */
    assert_int_equal(aupf_stream_write(old_st, sb, "x", 1, collect, &old_out), AUPF_E_ARG);
    sink_buf new_out = {0};
    const aupf_result *v;
    assert_int_equal(aupf_stream_write(new_st, sb, text, strlen(text), collect, &new_out), AUPF_OK);
    assert_int_equal(aupf_stream_close(new_st, sb, collect, &new_out, &v), AUPF_OK);
    assert_string_equal(aupf_ruleset_hash(aupf_result_ruleset(v)), eb.hash);
    assert_true(signature(v) == eb.sig[0]);
    assert_string_equal(new_out.data, eb.output[0]);
    aupf_stream_free(new_st);

    assert_int_equal(aupf_scanner_set_get(set, aupf_stream_ruleset(old_st), &s), AUPF_OK);
    assert_int_equal(
        aupf_stream_write(old_st, s, text + half, strlen(text) - half, collect, &old_out), AUPF_OK);
    assert_int_equal(aupf_stream_close(old_st, s, collect, &old_out, &v), AUPF_OK);
    assert_string_equal(aupf_ruleset_hash(aupf_result_ruleset(v)), ea.hash);
    assert_true(signature(v) == ea.sig[0]);
    assert_string_equal(old_out.data, ea.output[0]);
    aupf_stream_free(old_st);

    /* nothing holds A now but the set's scanner: the next get drops it */
    assert_int_equal(aupf_scanner_set_get(set, cur, &sb), AUPF_OK);
    assert_int_equal(aupf_scanner_set_count(set), 1);
    assert_string_equal(aupf_ruleset_hash(aupf_scanner_ruleset(sb)), eb.hash);

    /* rulesets taken from a reloader outlive it */
    aupf_reloader_free(r);
    const aupf_result *res = test_scan(sb, AUPF_ROLE_COMPLETION, texts[1]);
    assert_true(signature(res) == eb.sig[1]);
    aupf_ruleset_release(cur);
    aupf_scanner_set_free(set);
}

/* ---- threads scanning and streaming across swaps -------------------------- */

typedef struct {
    aupf_reloader *r;
    const expectation *e[2];
    atomic_int *stop;
    size_t rounds, mismatches, seen[2];
    char first_error[200];
} worker;

static const expectation *expected_for(worker *w, const aupf_ruleset *rs) {
    for (int k = 0; k < 2; k++)
        if (strcmp(aupf_ruleset_hash(rs), w->e[k]->hash) == 0) {
            w->seen[k]++;
            return w->e[k];
        }
    return NULL;
}

static void mismatch(worker *w, const char *what, size_t i) {
    if (!w->mismatches++)
        snprintf(w->first_error, sizeof w->first_error, "%s, text %zu", what, i);
}

static void one_round(worker *w, aupf_scanner_set *set, size_t round) {
    /* two streams in flight, opened on whatever is current at the time, fed
     * in 3-byte chunks while the other scans go on */
    aupf_stream *st[NTEXTS] = {0};
    sink_buf out[NTEXTS];
    size_t fed[NTEXTS] = {0};
    memset(out, 0, sizeof out);
    for (size_t i = 0; i < NTEXTS; i++) {
        aupf_ruleset *rs = aupf_reloader_current(w->r);
        const expectation *e = expected_for(w, rs);
        aupf_scanner *s;
        const aupf_result *res;
        if (!e || aupf_scanner_set_get(set, rs, &s) != AUPF_OK ||
            aupf_scan(s, AUPF_ROLE_COMPLETION, texts[i], strlen(texts[i]), &res) != AUPF_OK ||
            signature(res) != e->sig[i])
            mismatch(w, "block scan", i);
        if ((i + round) % 2 == 0 && aupf_stream_open(rs, AUPF_ROLE_COMPLETION, &st[i]) != AUPF_OK)
            mismatch(w, "stream open", i);
        aupf_ruleset_release(rs);
        for (size_t j = 0; j <= i; j++) {
            if (!st[j] || fed[j] >= strlen(texts[j]))
                continue;
            size_t n = strlen(texts[j]) - fed[j] < 3 ? strlen(texts[j]) - fed[j] : 3;
            if (aupf_scanner_set_get(set, aupf_stream_ruleset(st[j]), &s) != AUPF_OK ||
                aupf_stream_write(st[j], s, texts[j] + fed[j], n, collect, &out[j]) != AUPF_OK)
                mismatch(w, "stream write", j);
            fed[j] += n;
        }
    }
    for (size_t j = 0; j < NTEXTS; j++) {
        if (!st[j])
            continue;
        aupf_scanner *s;
        const aupf_result *v = NULL;
        const expectation *e = expected_for(w, aupf_stream_ruleset(st[j]));
        if (aupf_scanner_set_get(set, aupf_stream_ruleset(st[j]), &s) != AUPF_OK ||
            aupf_stream_write(st[j], s, texts[j] + fed[j], strlen(texts[j]) - fed[j], collect,
                              &out[j]) != AUPF_OK ||
            aupf_stream_close(st[j], s, collect, &out[j], &v) != AUPF_OK || !e ||
            signature(v) != e->sig[j] || strcmp(out[j].data, e->output[j]) != 0)
            mismatch(w, "stream verdict or output", j);
        aupf_stream_free(st[j]);
    }
}

static void *work(void *arg) {
    worker *w = arg;
    aupf_scanner_set *set;
    if (aupf_scanner_set_new(&set) != AUPF_OK) {
        mismatch(w, "scanner set", 0);
        return NULL;
    }
    /* at least a few rounds, then until the reloads are done */
    while (w->rounds < 4 || !atomic_load(w->stop))
        one_round(w, set, w->rounds++);
    aupf_scanner_set_free(set);
    return NULL;
}

#define THREADS 4
#define SWAPS   12

static void threads_scan_and_stream_across_swaps(void **state) {
    (void)state;
    static expectation ea, eb;
    expect_of(CONFIG_A, &ea);
    expect_of(config_b(), &eb);
    aupf_ruleset *a = load(CONFIG_A);
    aupf_reloader *r;
    assert_int_equal(aupf_reloader_new(a, &r), AUPF_OK);
    aupf_ruleset_release(a);
    atomic_int stop = 0;
    pthread_t tid[THREADS];
    worker w[THREADS];
    for (int t = 0; t < THREADS; t++) {
        w[t] = (worker){.r = r, .e = {&ea, &eb}, .stop = &stop};
        assert_int_equal(pthread_create(&tid[t], NULL, work, &w[t]), 0);
    }
    aupf_load_options o = {.no_cache = 1};
    for (int k = 0; k < SWAPS; k++) {
        assert_int_equal(aupf_reloader_reload(r, k % 2 ? CONFIG_A : config_b(), &o, NULL, NULL),
                         AUPF_OK);
        if (k % 4 == 1) /* a failed reload in between changes nothing */
            assert_int_equal(aupf_reloader_reload(r, config_broken(), &o, NULL, NULL),
                             AUPF_E_CONFIG);
    }
    assert_int_equal(aupf_reloader_generation(r), SWAPS);
    atomic_store(&stop, 1);
    size_t bad = 0, rounds = 0, seen_a = 0, seen_b = 0;
    for (int t = 0; t < THREADS; t++) {
        pthread_join(tid[t], NULL);
        bad += w[t].mismatches;
        rounds += w[t].rounds;
        seen_a += w[t].seen[0];
        seen_b += w[t].seen[1];
        if (w[t].mismatches)
            printf("thread %d: %zu mismatches, first: %s\n", t, w[t].mismatches, w[t].first_error);
    }
    printf("%d threads, %d swaps, %zu rounds, verdicts of A %zu, of B %zu, %zu mismatches\n",
           THREADS, SWAPS, rounds, seen_a, seen_b, bad);
    assert_int_equal(bad, 0);
    assert_true(rounds >= 4 * THREADS);
    aupf_ruleset *cur = aupf_reloader_current(r);
    assert_string_equal(aupf_ruleset_hash(cur), ea.hash); /* the last swap loaded A */
    aupf_ruleset_release(cur);
    aupf_reloader_free(r);
}

static void bad_arguments(void **state) {
    (void)state;
    aupf_reloader *r = NULL;
    assert_int_equal(aupf_reloader_new(NULL, &r), AUPF_E_ARG);
    assert_null(r);
    assert_int_equal(aupf_reloader_reload(NULL, CONFIG_A, NULL, NULL, NULL), AUPF_E_ARG);
    assert_null(aupf_reloader_current(NULL));
    assert_int_equal(aupf_reloader_generation(NULL), 0);
    assert_int_equal(aupf_reloader_set(NULL, NULL), AUPF_E_ARG);
    aupf_reloader_free(NULL);
    aupf_scanner_set *set;
    assert_int_equal(aupf_scanner_set_new(&set), AUPF_OK);
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_set_get(set, NULL, &s), AUPF_E_ARG);
    assert_int_equal(aupf_scanner_set_count(set), 0);
    aupf_scanner_set_free(set);
    aupf_scanner_set_free(NULL);

    /* set() swaps in a ruleset loaded by the caller */
    aupf_ruleset *a = load(CONFIG_A), *b = load(config_b());
    assert_int_equal(aupf_reloader_new(a, &r), AUPF_OK);
    assert_int_equal(aupf_reloader_set(r, b), AUPF_OK);
    assert_int_equal(aupf_reloader_generation(r), 1);
    aupf_ruleset *cur = aupf_reloader_current(r);
    assert_ptr_equal(cur, b);
    aupf_ruleset_release(cur);
    aupf_reloader_free(r);
    aupf_ruleset_release(a);
    aupf_ruleset_release(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(failed_reload_keeps_the_current_ruleset),
        cmocka_unit_test(old_stream_finishes_on_old_ruleset),
        cmocka_unit_test(threads_scan_and_stream_across_swaps),
        cmocka_unit_test(bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
