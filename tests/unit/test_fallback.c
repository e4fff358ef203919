/* The on_error policy: an internal failure inside a scan or a stream gives
 * the configured fallback verdict (fail closed: block; fail open: pass),
 * marked as such, instead of an error. Failures are injected by wrapping
 * Hyperscan's scan calls and the allocator at link time. */
#include "helpers.h"
#include "stream_check.h"

#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

hs_error_t __real_hs_scan(const hs_database_t *db, const char *data, unsigned length,
                          unsigned flags, hs_scratch_t *scratch, match_event_handler on_event,
                          void *context);
hs_error_t __real_hs_scan_stream(hs_stream_t *id, const char *data, unsigned length, unsigned flags,
                                 hs_scratch_t *scratch, match_event_handler on_event,
                                 void *context);
void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);

static int fail_scans;       /* hs_scan and hs_scan_stream fail while set */
static size_t fail_alloc_at; /* allocations of this size or more fail (0: none) */

hs_error_t __wrap_hs_scan(const hs_database_t *db, const char *data, unsigned length,
                          unsigned flags, hs_scratch_t *scratch, match_event_handler on_event,
                          void *context) {
    if (fail_scans)
        return HS_SCRATCH_IN_USE;
    return __real_hs_scan(db, data, length, flags, scratch, on_event, context);
}

/* While set, hs_scan_stream reports every match twice, as Hyperscan can
 * report a match that ends at the end of the data once from the scan and
 * again when the stream is closed. */
static int double_reports;
static match_event_handler doubled_handler;

static int report_twice(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                        void *ctx) {
    int rc = doubled_handler(id, from, to, flags, ctx);
    return rc ? rc : doubled_handler(id, from, to, flags, ctx);
}

hs_error_t __wrap_hs_scan_stream(hs_stream_t *id, const char *data, unsigned length, unsigned flags,
                                 hs_scratch_t *scratch, match_event_handler on_event,
                                 void *context) {
    if (fail_scans)
        return HS_SCRATCH_IN_USE;
    if (double_reports && on_event) {
        doubled_handler = on_event;
        return __real_hs_scan_stream(id, data, length, flags, scratch, report_twice, context);
    }
    return __real_hs_scan_stream(id, data, length, flags, scratch, on_event, context);
}

void *__wrap_malloc(size_t n) {
    return fail_alloc_at && n >= fail_alloc_at ? NULL : __real_malloc(n);
}
void *__wrap_realloc(void *p, size_t n) {
    return fail_alloc_at && n >= fail_alloc_at ? NULL : __real_realloc(p, n);
}

static aupf_ruleset *load(const char *on_error, diag_log *log) {
    const char *dir = test_tmpdir();
    char conf[1024];
    snprintf(
        conf, sizeof conf,
        "categories = (\n"
        "  { name = \"violence\"; threshold = 0.5; action = \"block\"; },\n"
        "  { name = \"weapons\"; threshold = 0.5; action = \"redact\"; evasion_boost = 0.5; },\n"
        "  { name = \"spam\"; threshold = 0.6; action = \"annotate\"; }\n"
        ");\n"
        "packs = [ \"%s/basic.rules\" ];\n"
        "block_message = \"[blocked]\";\n"
        "redact_with = \"[X]\";\n"
        "%s%s%s",
        AUPF_TEST_FIXTURES, on_error ? "on_error = \"" : "", on_error ? on_error : "",
        on_error ? "\";\n" : "");
    char *path = test_write(dir, "test.conf", conf);
    aupf_load_options o = {.no_cache = 1};
    aupf_ruleset *rs = NULL;
    memset(log, 0, sizeof *log);
    if (aupf_ruleset_load(path, &o, diag_capture, log, &rs) != AUPF_OK)
        return NULL;
    return rs;
}

static void default_policy_is_fail_closed(void **state) {
    (void)state;
    diag_log log;
    aupf_ruleset *rs = load(NULL, &log);
    assert_non_null(rs);
    assert_int_equal(aupf_ruleset_on_error(rs), AUPF_FAIL_CLOSED);
    aupf_ruleset_release(rs);
}

static void unknown_policy_is_a_configuration_error(void **state) {
    (void)state;
    diag_log log;
    assert_null(load("maybe", &log));
    assert_non_null(strstr(log.text, "'on_error' must be \"fail_closed\" or \"fail_open\""));
}

static void scan_failure_fails_closed(void **state) {
    (void)state;
    diag_log log;
    aupf_ruleset *rs = load("fail_closed", &log);
    assert_non_null(rs);
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(rs, &s), AUPF_OK);
    const char *text = "a perfectly harmless sentence";
    const aupf_result *r;
    fail_scans = 1;
    assert_int_equal(aupf_scan(s, AUPF_ROLE_PROMPT, text, strlen(text), &r), AUPF_OK);
    fail_scans = 0;
    assert_int_equal(aupf_result_fallback(r), AUPF_FAIL_CLOSED);
    assert_int_equal(aupf_result_error(r), AUPF_E_SCAN);
    assert_true(aupf_result_flagged(r));
    assert_int_equal(aupf_result_action(r), AUPF_ACTION_BLOCK);
    assert_int_equal(aupf_result_match_count(r), 0);
    for (size_t c = 0; c < aupf_ruleset_category_count(rs); c++)
        assert_false(aupf_result_category_flagged(r, c));
    const char *out;
    size_t len;
    assert_int_equal(aupf_apply(s, r, text, strlen(text), &out, &len), AUPF_OK);
    assert_string_equal(out, "[blocked]");
    /* the next scan is an ordinary one again */
    r = test_scan(s, AUPF_ROLE_PROMPT, "a bomb");
    assert_int_equal(aupf_result_fallback(r), 0);
    assert_int_equal(aupf_result_error(r), AUPF_OK);
    assert_string_equal(test_matches(r), "weapons.test.bomb@2-6");
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

static void scan_failure_fails_open(void **state) {
    (void)state;
    diag_log log;
    aupf_ruleset *rs = load("fail_open", &log);
    assert_non_null(rs);
    assert_int_equal(aupf_ruleset_on_error(rs), AUPF_FAIL_OPEN);
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(rs, &s), AUPF_OK);
    const char *text = "I will kill him with a bomb";
    const aupf_result *r;
    fail_scans = 1;
    assert_int_equal(aupf_scan(s, AUPF_ROLE_PROMPT, text, strlen(text), &r), AUPF_OK);
    fail_scans = 0;
    assert_int_equal(aupf_result_fallback(r), AUPF_FAIL_OPEN);
    assert_int_equal(aupf_result_error(r), AUPF_E_SCAN);
    assert_false(aupf_result_flagged(r));
    assert_int_equal(aupf_result_action(r), AUPF_ACTION_ALLOW);
    const char *out;
    size_t len;
    assert_int_equal(aupf_apply(s, r, text, strlen(text), &out, &len), AUPF_OK);
    assert_string_equal(out, text);
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

static void allocation_failure_falls_back(void **state) {
    (void)state;
    diag_log log;
    aupf_ruleset *rs = load(NULL, &log);
    assert_non_null(rs);
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(rs, &s), AUPF_OK);
    size_t n = 4u << 20;
    char *text = malloc(n + 1);
    assert_non_null(text);
    memset(text, 'a', n);
    memcpy(text + n - 6, " bomb!", 6);
    const aupf_result *r;
    fail_alloc_at = 1u << 20; /* the scanner's buffers must grow for this text */
    int st = aupf_scan(s, AUPF_ROLE_PROMPT, text, n, &r);
    fail_alloc_at = 0;
    assert_int_equal(st, AUPF_OK);
    assert_int_equal(aupf_result_fallback(r), AUPF_FAIL_CLOSED);
    assert_int_equal(aupf_result_error(r), AUPF_E_NOMEM);
    assert_int_equal(aupf_result_action(r), AUPF_ACTION_BLOCK);
    /* with memory again, the same text scans */
    assert_int_equal(aupf_scan(s, AUPF_ROLE_PROMPT, text, n, &r), AUPF_OK);
    assert_int_equal(aupf_result_fallback(r), 0);
    assert_int_equal(aupf_result_match_count(r), 1);
    free(text);
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

static void caller_errors_stay_errors(void **state) {
    (void)state;
    diag_log log;
    aupf_ruleset *rs = load(NULL, &log);
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(rs, &s), AUPF_OK);
    const aupf_result *r;
    assert_int_equal(aupf_scan(s, (aupf_role)7, "x", 1, &r), AUPF_E_ARG);
    assert_int_equal(aupf_scan(s, AUPF_ROLE_PROMPT, NULL, 3, &r), AUPF_E_ARG);
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

/* ---- streams ------------------------------------------------------------- */

typedef struct {
    char out[8192];
    size_t len;
    int fallback_events;
    size_t fallback_policy;
    int stop_with; /* non-zero: the sink returns this on its first bytes */
} sink_log;

static int sink(void *ctx, const char *bytes, size_t len, const aupf_event *ev) {
    sink_log *l = ctx;
    if (ev) {
        if (ev->kind == AUPF_EVENT_FALLBACK) {
            l->fallback_events++;
            l->fallback_policy = ev->category;
        }
        return 0;
    }
    if (l->stop_with)
        return l->stop_with;
    assert_true(l->len + len < sizeof l->out);
    memcpy(l->out + l->len, bytes, len);
    l->len += len;
    l->out[l->len] = 0;
    return 0;
}

/* Streams chunks[] and fails the scans of chunk number fail_at. */
static const aupf_result *stream_with_failure(aupf_ruleset *rs, aupf_scanner *s,
                                              const char *const *chunks, size_t n, size_t fail_at,
                                              sink_log *l) {
    aupf_stream *st;
    assert_int_equal(aupf_stream_open(rs, AUPF_ROLE_COMPLETION, &st), AUPF_OK);
    for (size_t i = 0; i < n; i++) {
        fail_scans = i == fail_at;
        assert_int_equal(aupf_stream_write(st, s, chunks[i], strlen(chunks[i]), sink, l), AUPF_OK);
        fail_scans = 0;
    }
    const aupf_result *r;
    assert_int_equal(aupf_stream_close(st, s, sink, l, &r), AUPF_OK);
    aupf_stream_free(st);
    return r;
}

static const char *const CHUNKS[] = {
    "plain words pass through here and keep on going for a while, ",
    "more plain words that are long enough to be released early on, ",
    "and then the scan fails somewhere in this third chunk of text, ",
    "after which a bomb and a kill come along that nobody scans.",
};

/* A match reported twice by Hyperscan (same pattern, same end) is one
 * match: the stream's verdict and output stay the block scan's. */
static size_t whole_text(void *ctx) {
    (void)ctx;
    return 1 << 20;
}

static void duplicate_reports_count_once(void **state) {
    (void)state;
    diag_log log;
    aupf_ruleset *rs = load(NULL, &log);
    assert_non_null(rs);
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(rs, &s), AUPF_OK);
    static const char *const texts[] = {"a bomb", "where is the bomb and the gun", "kill",
                                        "b0mb then gun then ammo", "bath bomb"};
    double_reports = 1;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        const char *why =
            stream_check(rs, s, AUPF_ROLE_COMPLETION, texts[i], strlen(texts[i]), whole_text, NULL);
        if (why) {
            double_reports = 0;
            fail_msg("%s\n  text: \"%s\"", why, texts[i]);
        }
    }
    double_reports = 0;
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

static void stream_failure_fails_closed(void **state) {
    (void)state;
    diag_log log;
    aupf_ruleset *rs = load(NULL, &log);
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(rs, &s), AUPF_OK);
    sink_log l = {0};
    const aupf_result *r = stream_with_failure(rs, s, CHUNKS, 4, 2, &l);
    assert_int_equal(l.fallback_events, 1);
    assert_int_equal(l.fallback_policy, AUPF_FAIL_CLOSED);
    assert_int_equal(aupf_result_fallback(r), AUPF_FAIL_CLOSED);
    assert_int_equal(aupf_result_error(r), AUPF_E_SCAN);
    assert_int_equal(aupf_result_action(r), AUPF_ACTION_BLOCK);
    /* what was released before the failure is a prefix of the text, then
     * the block message, then nothing */
    size_t msg = strlen("[blocked]");
    assert_true(l.len > msg);
    assert_string_equal(l.out + l.len - msg, "[blocked]");
    assert_int_equal(strncmp(l.out, CHUNKS[0],
                             l.len - msg < strlen(CHUNKS[0]) ? l.len - msg : strlen(CHUNKS[0])),
                     0);
    assert_null(strstr(l.out, "bomb"));
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

static void stream_failure_fails_open(void **state) {
    (void)state;
    diag_log log;
    aupf_ruleset *rs = load("fail_open", &log);
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(rs, &s), AUPF_OK);
    sink_log l = {0};
    const aupf_result *r = stream_with_failure(rs, s, CHUNKS, 4, 2, &l);
    assert_int_equal(l.fallback_events, 1);
    assert_int_equal(l.fallback_policy, AUPF_FAIL_OPEN);
    assert_int_equal(aupf_result_fallback(r), AUPF_FAIL_OPEN);
    assert_int_equal(aupf_result_action(r), AUPF_ACTION_ALLOW);
    /* every byte passes, in order, none twice */
    char whole[1024] = "";
    for (size_t i = 0; i < 4; i++)
        strcat(whole, CHUNKS[i]);
    assert_string_equal(l.out, whole);
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

static void stream_failure_at_close_falls_back(void **state) {
    (void)state;
    diag_log log;
    aupf_ruleset *rs = load(NULL, &log);
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(rs, &s), AUPF_OK);
    aupf_stream *st;
    sink_log l = {0};
    assert_int_equal(aupf_stream_open(rs, AUPF_ROLE_COMPLETION, &st), AUPF_OK);
    /* one unfinished word: the stream scans it only at close */
    assert_int_equal(aupf_stream_write(st, s, "unfinished", 10, sink, &l), AUPF_OK);
    const aupf_result *r;
    fail_scans = 1;
    assert_int_equal(aupf_stream_close(st, s, sink, &l, &r), AUPF_OK);
    fail_scans = 0;
    assert_int_equal(aupf_result_fallback(r), AUPF_FAIL_CLOSED);
    assert_string_equal(l.out, "[blocked]");
    aupf_stream_free(st);
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

static void sink_codes_are_not_failures(void **state) {
    (void)state;
    diag_log log;
    aupf_ruleset *rs = load(NULL, &log);
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(rs, &s), AUPF_OK);
    aupf_stream *st;
    assert_int_equal(aupf_stream_open(rs, AUPF_ROLE_COMPLETION, &st), AUPF_OK);
    /* a sink that stops with the value of AUPF_E_NOMEM: its code comes back
     * as it is and the stream does not fall back */
    sink_log l = {.stop_with = AUPF_E_NOMEM};
    int rc = AUPF_OK;
    for (size_t i = 0; i < 4 && rc == AUPF_OK; i++)
        rc = aupf_stream_write(st, s, CHUNKS[i], strlen(CHUNKS[i]), sink, &l);
    assert_int_equal(rc, AUPF_E_NOMEM);
    assert_int_equal(l.fallback_events, 0);
    aupf_stream_free(st);
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_policy_is_fail_closed),
        cmocka_unit_test(unknown_policy_is_a_configuration_error),
        cmocka_unit_test(scan_failure_fails_closed),
        cmocka_unit_test(scan_failure_fails_open),
        cmocka_unit_test(allocation_failure_falls_back),
        cmocka_unit_test(caller_errors_stay_errors),
        cmocka_unit_test(duplicate_reports_count_once),
        cmocka_unit_test(stream_failure_fails_closed),
        cmocka_unit_test(stream_failure_fails_open),
        cmocka_unit_test(stream_failure_at_close_falls_back),
        cmocka_unit_test(sink_codes_are_not_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
