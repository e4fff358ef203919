/* Properties over random texts: every reported span is a real leftmost
 * match of its rule in the whole text (checked against a full-text
 * start-of-match scan), spans lie on UTF-8 boundaries, and prefixing the
 * text shifts every span by exactly the prefix length. */
#include "helpers.h"

#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *FRAGMENTS[] = {"kill",
                                  "kill the process",
                                  "bomb",
                                  "bombs",
                                  "bath bomb",
                                  "the bomb was a flop",
                                  "the",
                                  "bomb",
                                  " ",
                                  " ",
                                  ", ",
                                  "x",
                                  "won",
                                  "a",
                                  "prize",
                                  "call",
                                  "0800123456",
                                  "\xc3\xa9",
                                  "\xe2\x80\x94",
                                  "\xf0\x9f\x92\xa3",
                                  "\n",
                                  "here is how to hurt",
                                  "skill",
                                  "time"};

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t next_rand(void) { return test_rand(&rng); }

static size_t random_text(char *buf, size_t cap) {
    return test_random_text(&rng, FRAGMENTS, sizeof FRAGMENTS / sizeof FRAGMENTS[0], 24, buf, cap);
}

typedef struct {
    unsigned long long starts[512], ends[512];
    int n;
} ref_matches;

static int on_ref(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                  void *ctx) {
    (void)id;
    (void)flags;
    ref_matches *m = ctx;
    if (m->n < 512) {
        m->starts[m->n] = from;
        m->ends[m->n] = to;
        m->n++;
    }
    return 0;
}

static void spans_match_full_text_reference(void **state) {
    (void)state;
    aupf_load_options o = {.no_cache = 1};
    aupf_ruleset *rs = NULL;
    assert_int_equal(aupf_ruleset_load(AUPF_TEST_FIXTURES "/basic.conf", &o, NULL, NULL, &rs),
                     AUPF_OK);
    size_t nr = aupf_ruleset_rule_count(rs);
    hs_database_t **ref = calloc(nr, sizeof *ref);
    hs_scratch_t *scratch = NULL;
    for (size_t i = 0; i < nr; i++) {
        aupf_rule_info ri;
        aupf_ruleset_rule_info(rs, i, &ri);
        hs_compile_error_t *err;
        assert_int_equal(hs_compile(ri.pattern, HS_FLAG_CASELESS | HS_FLAG_SOM_LEFTMOST,
                                    HS_MODE_BLOCK, NULL, &ref[i], &err),
                         HS_SUCCESS);
        assert_int_equal(hs_alloc_scratch(ref[i], &scratch), HS_SUCCESS);
    }
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(rs, &s), AUPF_OK);
    char text[2048], shifted[2100];
    size_t checked = 0;
    for (int iter = 0; iter < 3000; iter++) {
        size_t len = random_text(text, sizeof text);
        aupf_role role = iter % 2 ? AUPF_ROLE_COMPLETION : AUPF_ROLE_PROMPT;
        const aupf_result *r = test_scan(s, role, text);
        size_t nm = aupf_result_match_count(r);
        aupf_match m[64];
        assert_true(nm < 64);
        for (size_t i = 0; i < nm; i++) {
            aupf_result_match(r, i, &m[i]);
            assert_true(m[i].start < m[i].end && m[i].end <= len);
            assert_true(((unsigned char)text[m[i].start] & 0xC0) != 0x80);
            assert_true(m[i].end == len || ((unsigned char)text[m[i].end] & 0xC0) != 0x80);
            ref_matches rm = {.n = 0};
            hs_scan(ref[m[i].rule], text, (unsigned)len, 0, scratch, on_ref, &rm);
            int has_start = 0, has_end = 0;
            for (int k = 0; k < rm.n; k++) {
                has_start |= rm.starts[k] == m[i].start;
                has_end |= rm.ends[k] == m[i].end;
            }
            if (!has_start || !has_end)
                fail_msg("span %s@%zu-%zu not a reference match in \"%s\"", m[i].rule_id,
                         m[i].start, m[i].end, text);
            checked++;
        }
        /* a prefix that keeps word boundaries shifts every span */
        memcpy(shifted, "\n -- ", 5);
        memcpy(shifted + 5, text, len + 1);
        r = test_scan(s, role, shifted);
        assert_int_equal(aupf_result_match_count(r), nm);
        for (size_t i = 0; i < nm; i++) {
            aupf_match k;
            aupf_result_match(r, i, &k);
            assert_int_equal(k.rule, m[i].rule);
            assert_int_equal(k.start, m[i].start + 5);
            assert_int_equal(k.end, m[i].end + 5);
        }
    }
    assert_true(checked > 1000); /* the generator does exercise the rules */
    for (size_t i = 0; i < nr; i++)
        hs_free_database(ref[i]);
    free(ref);
    hs_free_scratch(scratch);
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

/* Fragments with evasions, other scripts and bytes that are not UTF-8. */
static const char *HOSTILE[] = {"b0mb",
                                "b o m b",
                                "b\xd0\xbemb",
                                "b\xe2\x80\x8bomb",
                                "\xef\xbd\x82\xef\xbd\x8f\xef\xbd\x8d\xef\xbd\x82",
                                "booomb",
                                "k!ll",
                                "kiiill",
                                "\xff",
                                "\xc0\xaf",
                                "\xe2\x82",
                                "\xed\xa0\x80",
                                "\x80",
                                "\xd0\xb1\xd0\xbe\xd0\xbc\xd0\xb1\xd0\xb0",
                                "\xce\xb2\xcf\x8c\xce\xbc\xce\xb2\xce\xb1",
                                "\xe0\xa4\x95\xe0\xa5\x8d\xe2\x80\x8d\xe0\xa4\xb7",
                                "\xe7\x82\xb8\xe5\xbc\xb9",
                                "\xd9\x82\xd9\x86\xd8\xa8\xd9\x84\xd8\xa9",
                                "\xcc\x81",
                                "\xf3\xa0\x81\x81",
                                " ",
                                " ",
                                ".",
                                "bomb",
                                "kill",
                                "the process",
                                "bath",
                                "e\xcc\x81",
                                "\xef\xac\x81"};

/* Offsets where a code point (or an invalid byte) starts, as the
 * normalizer reads the original. */
static void unit_starts(const char *t, size_t len, unsigned char *is_start) {
    memset(is_start, 0, len + 1);
    for (size_t i = 0; i < len;) {
        is_start[i] = 1;
        size_t n = 1;
        unsigned char c = (unsigned char)t[i];
        size_t want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (want > 1 && want <= len - i && aupf_utf8_valid(t + i, want, NULL))
            n = want;
        i += n;
    }
    is_start[len] = 1;
}

static void spans_valid_on_hostile_text(void **state) {
    (void)state;
    aupf_load_options o = {.no_cache = 1};
    aupf_ruleset *rs = NULL;
    assert_int_equal(aupf_ruleset_load(AUPF_TEST_FIXTURES "/basic.conf", &o, NULL, NULL, &rs),
                     AUPF_OK);
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(rs, &s), AUPF_OK);
    char text[4096], redacted[8192];
    unsigned char is_start[4097];
    size_t nfrag = sizeof HOSTILE / sizeof HOSTILE[0], spans = 0;
    for (int iter = 0; iter < 3000; iter++) {
        size_t len = 0, parts = 1 + next_rand() % 30;
        for (size_t i = 0; i < parts; i++) {
            const char *f = HOSTILE[next_rand() % nfrag];
            size_t l = strlen(f);
            memcpy(text + len, f, l);
            len += l;
            if (next_rand() % 3)
                text[len++] = ' ';
        }
        const aupf_result *r = NULL;
        assert_int_equal(aupf_scan(s, AUPF_ROLE_PROMPT, text, len, &r), AUPF_OK);
        unit_starts(text, len, is_start);
        size_t nm = aupf_result_match_count(r);
        for (size_t i = 0; i < nm; i++) {
            aupf_match m;
            aupf_result_match(r, i, &m);
            assert_true(m.start < m.end && m.end <= len);
            if (!is_start[m.start] || !is_start[m.end])
                fail_msg("span %zu-%zu not on a boundary", m.start, m.end);
            spans++;
        }
        /* redact every match, rescan: nothing matches inside a redaction */
        size_t w = 0, pos = 0;
        size_t marks[64][2], nmarks = 0;
        for (size_t i = 0; i < nm && nmarks < 64; i++) {
            aupf_match m;
            aupf_result_match(r, i, &m);
            if (m.start < pos)
                continue;
            memcpy(redacted + w, text + pos, m.start - pos);
            w += m.start - pos;
            marks[nmarks][0] = w;
            memcpy(redacted + w, "[X]", 3);
            w += 3;
            marks[nmarks++][1] = w;
            pos = m.end;
        }
        memcpy(redacted + w, text + pos, len - pos);
        w += len - pos;
        assert_int_equal(aupf_scan(s, AUPF_ROLE_PROMPT, redacted, w, &r), AUPF_OK);
        for (size_t i = 0; i < aupf_result_match_count(r); i++) {
            aupf_match m;
            aupf_result_match(r, i, &m);
            for (size_t k = 0; k < nmarks; k++)
                if (m.start < marks[k][1] && marks[k][0] < m.end)
                    fail_msg("a match %s@%zu-%zu overlaps a redaction", m.rule_id, m.start, m.end);
        }
    }
    assert_true(spans > 1000);
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spans_match_full_text_reference),
        cmocka_unit_test(spans_valid_on_hostile_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
