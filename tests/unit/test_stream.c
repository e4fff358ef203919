/* Streams equal block scans: for random texts (evasions, other scripts,
 * invalid bytes) and random chunkings down to single bytes, the released
 * output equals aupf_apply's and the final verdict equals aupf_scan's. */
#include "helpers.h"
#include "internal.h"
#include "stream_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 88172645463325252ull;
static uint32_t next_rand(void) { return test_rand(&rng); }

static size_t one_byte(void *ctx) {
    (void)ctx;
    return 1;
}

static size_t random_size(void *ctx) {
    size_t max = *(size_t *)ctx;
    return 1 + next_rand() % max;
}

static const char *FRAG[] = {"kill",
                             "kill the process",
                             "bomb",
                             "bombs",
                             "bath bomb",
                             "the bomb was a flop",
                             "b0mb",
                             "b o m b",
                             "b\xd0\xbemb",
                             "k\xe2\x80\x8bi\xe2\x80\x8bll",
                             "booomb",
                             "won a prize",
                             "call 08001234",
                             "here is how to hurt",
                             "gun",
                             "ammo",
                             "\xff",
                             "\xe2\x82",
                             "\xcc\x81",
                             "\xd0\xb1\xd0\xbe\xd0\xbc\xd0\xb1\xd0\xb0",
                             "\xe7\x82\xb8\xe5\xbc\xb9",
                             "\xef\xbd\x82\xef\xbd\x8f\xef\xbd\x8d\xef\xbd\x82",
                             " ",
                             " ",
                             " ",
                             ", ",
                             "\n",
                             "word",
                             "another",
                             "x",
                             "a",
                             "longwordwithoutspacesforawhileandthensomemoretext",
                             "12",
                             "\xe2\x80\x8b\xe2\x80\x8b\xe2\x80\x8b\xe2\x80\x8b\xe2\x80\x8b\xe2\x80"
                             "\x8b\xe2\x80\x8b\xe2\x80\x8b"
                             "\xe2\x80\x8b\xe2\x80\x8b\xe2\x80\x8b\xe2\x80\x8b\xe2\x80\x8b\xe2\x80"
                             "\x8b\xe2\x80\x8b\xe2\x80\x8b"
                             "\xe2\x80\x8b\xe2\x80\x8b"};

/* Weak rules in a redacting category: redactions reach back to earlier
 * matches only while their text is held back. */
static const char *WEAK =
    "rules = (\n"
    "{ id = \"weapons.t.gun\"; rev = 1; category = \"weapons\"; weight = 0.3;\n"
    "  pattern = \"\\\\bgun\\\\b\"; roles = [\"prompt\", \"completion\"];\n"
    "  description = \"d\"; matches = [\"gun\"]; ignores = [\"glue\"]; },\n"
    "{ id = \"weapons.t.ammo\"; rev = 1; category = \"weapons\"; weight = 0.3;\n"
    "  pattern = \"\\\\bammo\\\\b\"; roles = [\"prompt\", \"completion\"];\n"
    "  description = \"d\"; matches = [\"ammo\"]; ignores = [\"ammonia\"]; },\n"
    "{ id = \"weapons.t.bomb\"; rev = 1; category = \"weapons\"; weight = 0.6;\n"
    "  pattern = \"\\\\bbombs?\\\\b\"; roles = [\"prompt\", \"completion\"];\n"
    "  unless = [\"\\\\bbath\\\\s{1,3}bombs?\", "
    "\"\\\\bbomb\\\\s{1,3}was\\\\s{1,3}a\\\\s{1,3}flop\"];\n"
    "  description = \"d\"; matches = [\"bomb\"]; ignores = [\"bath bomb\"]; },\n"
    "{ id = \"violence.t.kill\"; rev = 1; category = \"violence\"; weight = 0.9;\n"
    "  pattern = \"\\\\bkill\\\\b\"; roles = [\"prompt\"];\n"
    "  unless = [\"\\\\bkill\\\\s{1,3}the\\\\s{1,3}process\"];\n"
    "  description = \"d\"; matches = [\"kill\"]; ignores = [\"kill the process\"]; },\n"
    "{ id = \"spam.t.prize\"; rev = 1; category = \"spam\"; weight = 0.3;\n"
    "  pattern = \"\\\\bprize\\\\b\"; roles = [\"prompt\", \"completion\"];\n"
    "  description = \"d\"; matches = [\"prize\"]; ignores = [\"price\"]; }\n"
    ");\n";

/* Up to 60 fragments, some followed by a space. */
static size_t random_text(char *buf, size_t cap) {
    return test_random_text(&rng, FRAG, sizeof FRAG / sizeof FRAG[0], 60, buf, cap);
}

/* A test fixture configuration, compiled afresh. */
static aupf_ruleset *load_fixture(const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", AUPF_TEST_FIXTURES, name);
    aupf_load_options o = {.no_cache = 1};
    aupf_ruleset *rs = NULL;
    assert_int_equal(aupf_ruleset_load(path, &o, NULL, NULL, &rs), AUPF_OK);
    return rs;
}

static void run_random(aupf_ruleset *rs, int iterations) {
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(rs, &s), AUPF_OK);
    char text[4096];
    for (int iter = 0; iter < iterations; iter++) {
        size_t len = random_text(text, sizeof text);
        aupf_role role = iter % 3 ? AUPF_ROLE_PROMPT : AUPF_ROLE_COMPLETION;
        size_t max = 1 + next_rand() % 40;
        const char *why = stream_check(rs, s, role, text, len, random_size, &max);
        if (!why && iter % 4 == 0)
            why = stream_check(rs, s, role, text, len, one_byte, NULL);
        if (why)
            fail_msg("%s\n  text: \"%.*s\"", why, (int)len, text);
    }
    aupf_scanner_free(s);
}

static void random_texts_fixture(void **state) {
    (void)state;
    aupf_ruleset *rs = load_fixture("basic.conf");
    run_random(rs, 2000);
    aupf_ruleset_release(rs);
}

static void random_texts_compact(void **state) {
    (void)state;
    aupf_ruleset *rs = load_fixture("compact.conf");
    run_random(rs, 1000);
    aupf_ruleset_release(rs);
}

typedef struct {
    char text[2048], out[8192], want[8192], want_matches[4096];
    size_t len, fed;
    int want_flagged;
    aupf_stream *st;
} interleaved;

static int sink_append(void *ctx, const char *bytes, size_t len, const aupf_event *ev) {
    if (!ev) {
        char *o = ctx;
        size_t n = strlen(o);
        memcpy(o + n, bytes, len);
        o[n + len] = 0;
    }
    return 0;
}

/* Compact streams take turns in their scanner's one working stream: many
 * open at once, written in random order and random chunks, each still
 * gives its own block scan's output and verdict. */
static void compact_streams_interleave(void **state) {
    (void)state;
    aupf_ruleset *rs = load_fixture("compact.conf");
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(rs, &s), AUPF_OK);
    enum { N = 8 };
    static interleaved v[N];
    for (int round = 0; round < 50; round++) {
        for (size_t i = 0; i < N; i++) {
            interleaved *x = &v[i];
            x->len = random_text(x->text, sizeof x->text);
            x->fed = 0;
            x->out[0] = 0;
            aupf_role role = i % 2 ? AUPF_ROLE_PROMPT : AUPF_ROLE_COMPLETION;
            const aupf_result *r;
            const char *applied;
            size_t applied_len;
            assert_int_equal(aupf_scan(s, role, x->text, x->len, &r), AUPF_OK);
            assert_int_equal(aupf_apply(s, r, x->text, x->len, &applied, &applied_len), AUPF_OK);
            memcpy(x->want, applied, applied_len);
            x->want[applied_len] = 0;
            x->want_flagged = aupf_result_flagged(r);
            snprintf(x->want_matches, sizeof x->want_matches, "%s", test_matches(r));
            assert_int_equal(aupf_stream_open(rs, role, &x->st), AUPF_OK);
        }
        for (size_t open = N; open;) {
            interleaved *x = &v[next_rand() % N];
            if (!x->st)
                continue;
            size_t n = 1 + next_rand() % 24;
            if (n > x->len - x->fed)
                n = x->len - x->fed;
            assert_int_equal(aupf_stream_write(x->st, s, x->text + x->fed, n, sink_append, x->out),
                             AUPF_OK);
            x->fed += n;
            if (x->fed < x->len)
                continue;
            const aupf_result *r;
            assert_int_equal(aupf_stream_close(x->st, s, sink_append, x->out, &r), AUPF_OK);
            if (strcmp(x->out, x->want) != 0 || aupf_result_flagged(r) != x->want_flagged ||
                strcmp(test_matches(r), x->want_matches) != 0)
                fail_msg("text \"%.*s\"\n  stream: %s [%s]\n  block:  %s [%s]", (int)x->len,
                         x->text, x->out, test_matches(r), x->want, x->want_matches);
            aupf_stream_free(x->st);
            x->st = NULL;
            open--;
        }
    }
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

static void random_texts_weak_redactions(void **state) {
    (void)state;
    diag_log log;
    aupf_ruleset *rs = test_load_rules(WEAK, &log);
    if (!rs)
        fail_msg("%s", log.text);
    run_random(rs, 2000);
    aupf_ruleset_release(rs);
}

/* A suppressor without a maximum width (allowed in an annotating
 * category) keeps every suppressor in the streaming database; the others
 * above look for suppressors around a trigger when it is decided. Both
 * give the block scan's verdicts. */
static const char *WIDE_UNLESS =
    "rules = (\n"
    "{ id = \"spam.t.prize\"; rev = 1; category = \"spam\"; weight = 0.6;\n"
    "  pattern = \"\\\\bprize\\\\b\"; roles = [\"prompt\", \"completion\"];\n"
    "  unless = [\"\\\\bwon\\\\s+a\\\\s+prize\"];\n"
    "  description = \"d\"; matches = [\"prize\"]; ignores = [\"won a prize\"]; },\n"
    "{ id = \"weapons.t.bomb\"; rev = 1; category = \"weapons\"; weight = 0.6;\n"
    "  pattern = \"\\\\bbombs?\\\\b\"; roles = [\"prompt\", \"completion\"];\n"
    "  unless = [\"\\\\bbath\\\\s{1,3}bombs?\", "
    "\"\\\\bbomb\\\\s{1,3}was\\\\s{1,3}a\\\\s{1,3}flop\"];\n"
    "  description = \"d\"; matches = [\"bomb\"]; ignores = [\"bath bomb\"]; }\n"
    ");\n";

static void random_texts_unbounded_suppressor(void **state) {
    (void)state;
    diag_log log;
    aupf_ruleset *rs = test_load_rules(WIDE_UNLESS, &log);
    if (!rs)
        fail_msg("%s", log.text);
    assert_true(rs->stream_unless);
    run_random(rs, 2000);
    aupf_ruleset_release(rs);
    rs = test_load_rules(WEAK, &log);
    assert_non_null(rs);
    assert_false(rs->stream_unless);
    aupf_ruleset_release(rs);
}

/* End-anchored patterns: Hyperscan may report a match that ends at the
 * end of the data both from the last hs_scan_stream and again from
 * hs_close_stream; the stream must count it once, as the block scan does. */
static const char *ANCHORED =
    "rules = (\n"
    "{ id = \"spam.t.end\"; rev = 1; category = \"spam\"; weight = 0.3;\n"
    "  pattern = \"\\\\bprize$\"; roles = [\"prompt\", \"completion\"];\n"
    "  description = \"d\"; matches = [\"a prize\"]; ignores = [\"a prize!\"]; },\n"
    "{ id = \"spam.t.endz\"; rev = 1; category = \"spam\"; weight = 0.3;\n"
    "  pattern = \"\\\\bwinner\\\\z\"; roles = [\"prompt\", \"completion\"];\n"
    "  description = \"d\"; matches = [\"the winner\"]; ignores = [\"winners\"]; },\n"
    "{ id = \"weapons.t.bomb_end\"; rev = 1; category = \"weapons\"; weight = 0.3;\n"
    "  pattern = \"\\\\bbombs?\\\\s{0,3}$\"; roles = [\"prompt\", \"completion\"];\n"
    "  description = \"d\"; matches = [\"a bomb\"]; ignores = [\"a bomb here\"]; }\n"
    ");\n";

static void end_anchored_matches_count_once(void **state) {
    (void)state;
    diag_log log;
    aupf_ruleset *rs = test_load_rules(ANCHORED, &log);
    if (!rs)
        fail_msg("%s", log.text);
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(rs, &s), AUPF_OK);
    static const char *const texts[] = {
        "you won a prize",  "prize",     "and the winner",    "a bomb", "a bomb  ",
        "b\xe2\x80\x8bomb", "a prize\n", "a bomb and a prize"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        size_t len = strlen(texts[i]);
        const aupf_result *r = test_scan(s, AUPF_ROLE_PROMPT, texts[i]);
        size_t block = aupf_result_match_count(r);
        for (size_t max = 1; max <= len; max++) {
            const char *why =
                stream_check(rs, s, AUPF_ROLE_PROMPT, texts[i], len, random_size, &max);
            if (why)
                fail_msg("%s\n  text: \"%s\" (chunks up to %zu)", why, texts[i], max);
        }
        /* one stream, the whole text in one write: one match, not two */
        aupf_stream *st;
        assert_int_equal(aupf_stream_open(rs, AUPF_ROLE_PROMPT, &st), AUPF_OK);
        assert_int_equal(aupf_stream_write(st, s, texts[i], len, NULL, NULL), AUPF_OK);
        const aupf_result *v;
        assert_int_equal(aupf_stream_close(st, s, NULL, NULL, &v), AUPF_OK);
        assert_int_equal(aupf_result_match_count(v), block);
        aupf_stream_free(st);
    }
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

static int sink_text(void *ctx, const char *bytes, size_t len, const aupf_event *ev) {
    if (!ev) {
        char *o = ctx;
        strncat(o, bytes, len);
    }
    return 0;
}

static void release_lags_by_at_most_the_holdback(void **state) {
    (void)state;
    aupf_ruleset *rs = load_fixture("basic.conf");
    aupf_scanner *s;
    aupf_scanner_new(rs, &s);
    aupf_stream *st;
    assert_int_equal(aupf_stream_open(rs, AUPF_ROLE_COMPLETION, &st), AUPF_OK);
    size_t h = aupf_ruleset_holdback(rs);
    assert_true(h > 0 && h < 128);
    char out[8192] = "";
    const char *word = "plain words go by ";
    size_t fed = 0;
    for (int i = 0; i < 100; i++) {
        assert_int_equal(aupf_stream_write(st, s, word, strlen(word), sink_text, out), AUPF_OK);
        fed += strlen(word);
        /* held back: the holdback plus at most one unfinished word */
        assert_true(fed - aupf_stream_settled(st) <= h + strlen(word));
        assert_int_equal(strlen(out), aupf_stream_settled(st));
    }
    assert_true(aupf_stream_memory(st) < 64 * 1024);
    const aupf_result *r;
    assert_int_equal(aupf_stream_close(st, s, sink_text, out, &r), AUPF_OK);
    assert_int_equal(strlen(out), fed);
    aupf_stream_free(st);
    /* a block releases the text before the match, then the message */
    assert_int_equal(aupf_stream_open(rs, AUPF_ROLE_PROMPT, &st), AUPF_OK);
    out[0] = 0;
    const char *t = "first some harmless words, then I will kill him and say much more after";
    for (size_t i = 0; t[i]; i++)
        assert_int_equal(aupf_stream_write(st, s, t + i, 1, sink_text, out), AUPF_OK);
    assert_int_equal(aupf_stream_close(st, s, sink_text, out, &r), AUPF_OK);
    assert_string_equal(out, "first some harmless words, then I will [blocked]");
    assert_true(aupf_result_flagged(r));
    aupf_stream_free(st);
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

/* One write of a megabyte holds no more afterwards than many small ones:
 * the stream takes long writes in slices. (Decided matches are kept for
 * the verdict, so the text has none.) */
static void long_write_keeps_state_bounded(void **state) {
    (void)state;
    aupf_ruleset *rs = load_fixture("basic.conf");
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(rs, &s), AUPF_OK);
    size_t len = 1 << 20;
    char *text = malloc(len);
    assert_non_null(text);
    const char *words = "plain words go by and nothing happens ";
    for (size_t i = 0; i < len; i++)
        text[i] = words[i % strlen(words)];
    aupf_stream *st;
    assert_int_equal(aupf_stream_open(rs, AUPF_ROLE_COMPLETION, &st), AUPF_OK);
    assert_int_equal(aupf_stream_write(st, s, text, len, NULL, NULL), AUPF_OK);
    assert_true(aupf_stream_memory(st) < 64 * 1024);
    assert_true(aupf_stream_settled(st) + 4096 >= len);
    const aupf_result *r;
    assert_int_equal(aupf_stream_close(st, s, NULL, NULL, &r), AUPF_OK);
    assert_false(aupf_result_flagged(r));
    aupf_stream_free(st);
    free(text);
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_texts_fixture),
        cmocka_unit_test(random_texts_weak_redactions),
        cmocka_unit_test(random_texts_unbounded_suppressor),
        cmocka_unit_test(random_texts_compact),
        cmocka_unit_test(compact_streams_interleave),
        cmocka_unit_test(long_write_keeps_state_bounded),
        cmocka_unit_test(release_lags_by_at_most_the_holdback),
        cmocka_unit_test(end_anchored_matches_count_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
