/* Suppressors are looked for only in windows around the trigger hits
 * (suppressors.c). The verdicts must be those of a scan of the whole
 * text: on texts built so that windows cut words, lines and characters
 * near suppressors, and on the development data, record by record and
 * joined into long texts where the windows are a small part. */
#include "dev_data.h"
#include "helpers.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The verdict of s over text, as "flagged matches", with the suppressors
 * looked for in windows or in the whole text. */
static void verdict(aupf_scanner *s, aupf_role role, const char *text, size_t len, bool whole,
                    char *out, size_t cap) {
    const aupf_result *r;
    s->whole_text_unless = whole;
    assert_int_equal(aupf_scan(s, role, text, len, &r), AUPF_OK);
    snprintf(out, cap, "%d %s", r->any_flagged, test_matches(r));
    s->whole_text_unless = false;
}

static bool same_verdicts(aupf_scanner *s, aupf_role role, const char *text, size_t len,
                          const char *what) {
    static char windows[65536], whole[65536];
    verdict(s, role, text, len, false, windows, sizeof windows);
    verdict(s, role, text, len, true, whole, sizeof whole);
    if (strcmp(windows, whole) == 0)
        return true;
    printf("%s: windows \"%.300s\", whole text \"%.300s\"\n", what, windows, whole);
    return false;
}

/* A trigger whose suppressors reach far before and after it, one anchored
 * at the end of the text, one at a line start, one after a word boundary. */
static const char *RULES =
    "rules = (\n"
    "{ id = \"violence.t.kill\"; rev = 1; category = \"violence\"; weight = 0.9;\n"
    "  pattern = \"\\\\bkill\\\\s{1,3}(him|her|them)\\\\b\"; roles = [\"prompt\"];\n"
    "  unless = [\"\\\\bin\\\\s{1,3}the\\\\s{1,3}game\\\\W{1,40}kill\", "
    "\"them\\\\W{1,40}said\\\\s{1,3}the\\\\s{1,3}boss$\", "
    "\"(?m)^quote:[^\\\\n]{0,40}kill\", \"\\\\bnpc\\\\s{1,3}kill\"];\n"
    "  description = \"d\"; matches = [\"kill him\"]; ignores = [\"in the game, kill him\"]; }\n"
    ");\n";

#define SPACES39 "                                       "

/* A scanner of RULES; the ruleset in *rs, to release after the scanner. */
static aupf_scanner *rules_scanner(aupf_ruleset **rs) {
    diag_log log = {0};
    *rs = test_load_rules(RULES, &log);
    if (!*rs)
        fail_msg("%s", log.text);
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(*rs, &s), AUPF_OK);
    return s;
}

typedef struct {
    const char *text;    /* each @ stands for 599 bytes of padding */
    const char *matches; /* the verdict's matches with windows and whole */
} windowed_case;

static void cases_near_window_edges(void **state) {
    (void)state;
    aupf_ruleset *rs;
    aupf_scanner *s = rules_scanner(&rs);
    char pad[600];
    memset(pad, 'x', sizeof pad - 1);
    pad[sizeof pad - 1] = '\0';
    static char text[4096];
    const windowed_case cases[] = {
        /* suppressed from before and from after, far into a long text */
        {"@ in the game,                      kill him @", ""},
        {"@ kill them, said the boss", ""},
        /* both at their widest: 40 non-word bytes, then three spaces */
        {"@ in the game," SPACES39 "kill   them @", ""},
        {"@ kill them, @ said the boss", "violence.t.kill@600-609"},
        {"@ kill them, said the boss\n@", "violence.t.kill@600-609"},
        /* "npc" only as a whole word */
        {"@ xnpc kill him", "violence.t.kill@605-613"},
        {"@ npc kill him", ""},
        /* at a line start, and the same words mid-line */
        {"@\nquote: kill her", ""},
        {"@ quote: kill her", "violence.t.kill@607-615"},
        /* multi-byte characters around the trigger */
        {"@ \xc3\xa9\xc3\xa9 kill him \xe2\x80\x94 @", "violence.t.kill@605-613"},
        /* two triggers far apart, one suppressed */
        {"in the game, kill him @ kill her", "violence.t.kill@622-630"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t len = 0;
        for (const char *t = cases[i].text; *t; t++)
            if (*t == '@') {
                memcpy(text + len, pad, sizeof pad - 1);
                len += sizeof pad - 1;
            } else
                text[len++] = *t;
        text[len] = '\0';
        char got[4096];
        verdict(s, AUPF_ROLE_PROMPT, text, strlen(text), false, got, sizeof got);
        if (strcmp(got + 2, cases[i].matches) != 0)
            fail_msg("case %zu: \"%s\", expected \"%s\"", i, got, cases[i].matches);
        assert_true(same_verdicts(s, AUPF_ROLE_PROMPT, text, strlen(text), cases[i].text));
    }
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

/* Windows at every offset: the trigger and its suppressors behind and
 * ahead of text made of their pieces (words, line ends, multi-byte
 * characters), so that window edges fall inside every kind of token. */
static void windows_at_every_offset(void **state) {
    (void)state;
    aupf_ruleset *rs;
    aupf_scanner *s = rules_scanner(&rs);
    const char *noise = "npc game, them, said the boss\nquote: x\xc3\xa9 in the game, xnpc ";
    const char *cores[] = {"kill him",
                           "npc kill her",
                           "in the game, kill them",
                           "kill them, said the boss",
                           "\nquote: kill him",
                           "kill him \xe2\x80\x94 kill her, said the boss"};
    static char text[2048], what[64];
    size_t nn = strlen(noise), checked = 0;
    for (size_t c = 0; c < sizeof cores / sizeof *cores; c++)
        for (size_t before = 0; before < 3 * nn; before++)
            for (size_t after = 0; after < 2 * nn; after += 7) {
                size_t len = 0;
                for (size_t i = 0; i < before; i++)
                    text[len++] = noise[(nn - before % nn + i) % nn];
                memcpy(text + len, cores[c], strlen(cores[c]));
                len += strlen(cores[c]);
                for (size_t i = 0; i < after; i++)
                    text[len++] = noise[i % nn];
                if (!aupf_utf8_valid(text, len, NULL))
                    continue; /* the noise cut inside a character */
                snprintf(what, sizeof what, "core %zu, %zu before, %zu after", c, before, after);
                assert_true(same_verdicts(s, AUPF_ROLE_PROMPT, text, len, what));
                checked++;
            }
    printf("%zu texts\n", checked);
    assert_true(checked > 3000);
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

typedef struct {
    aupf_scanner *s;
    char *joined; /* records of one file joined, until long enough */
    size_t len, cap, records, long_texts;
    aupf_role role;
    bool failed;
} dev_ctx;

#define JOINED_LEN 8192

static void check_joined(dev_ctx *c) {
    if (!c->len)
        return;
    if (!same_verdicts(c->s, c->role, c->joined, c->len, "joined records"))
        c->failed = true;
    c->long_texts++;
    c->len = 0;
}

static bool each_record(void *ctx, const char *file, size_t index, aupf_role role, const char *text,
                        size_t len) {
    dev_ctx *c = ctx;
    char what[256];
    snprintf(what, sizeof what, "%s record %zu", file, index + 1);
    bool ok = same_verdicts(c->s, role, text, len, what);
    if (index == 0 || role != c->role)
        check_joined(c);
    c->role = role;
    if (c->len + len + 1 > c->cap) {
        check_joined(c);
        if (len + 1 > c->cap)
            return ok;
    }
    memcpy(c->joined + c->len, text, len);
    c->len += len;
    c->joined[c->len++] = '\n';
    if (c->len >= JOINED_LEN)
        check_joined(c);
    return ok;
}

static void dev_data_same_verdicts(void **state) {
    (void)state;
    if (!dev_data_present(AUPF_TEST_DEV_DATA))
        skip();
    aupf_ruleset *rs = dev_shipped_ruleset();
    dev_ctx c = {.cap = 4 * JOINED_LEN};
    c.joined = malloc(c.cap);
    assert_non_null(c.joined);
    assert_int_equal(aupf_scanner_new(rs, &c.s), AUPF_OK);
    size_t differing = 0;
    c.records = dev_data_each(AUPF_TEST_DEV_DATA, each_record, &c, &differing);
    check_joined(&c);
    printf("%zu records, %zu differing; %zu joined texts of about %d bytes%s\n", c.records,
           differing, c.long_texts, JOINED_LEN, c.failed ? ", some differing" : "");
    assert_int_equal(differing, 0);
    assert_false(c.failed);
    assert_true(c.long_texts > 100);
    aupf_scanner_free(c.s);
    free(c.joined);
    aupf_ruleset_release(rs);
}

/* Each pack file's suppressors form a database of their own, scanned only
 * when one of that pack's rules fired; an expression two packs share is in
 * both, and each scan suppresses its own pack's rules only. */
static const char *PACK_A =
    "rules = (\n"
    "{ id = \"violence.a.kill\"; rev = 1; category = \"violence\"; weight = 0.9;\n"
    "  pattern = \"\\\\bkill\\\\s{1,3}(him|her)\\\\b\"; roles = [\"prompt\"];\n"
    "  unless = [\"\\\\bgame:[^.]{0,30}\"];\n"
    "  description = \"d\"; matches = [\"kill him\"]; ignores = [\"game: kill him\"]; }\n"
    ");\n";
static const char *PACK_B =
    "rules = (\n"
    "{ id = \"weapons.b.gun\"; rev = 1; category = \"weapons\"; weight = 0.9;\n"
    "  pattern = \"\\\\bbuy\\\\s{1,3}a\\\\s{1,3}gun\\\\b\"; roles = [\"prompt\"];\n"
    "  unless = [\"\\\\bgame:[^.]{0,30}\", \"\\\\bgun\\\\s{1,3}emoji\"];\n"
    "  description = \"d\"; matches = [\"buy a gun\"]; ignores = [\"buy a gun emoji\"]; }\n"
    ");\n";

static void suppressor_groups_per_pack(void **state) {
    (void)state;
    const char *dir = test_tmpdir();
    test_write(dir, "a.rules", PACK_A);
    test_write(dir, "b.rules", PACK_B);
    const char *conf =
        test_write(dir, "ab.conf",
                   "categories = (\n"
                   "  { name = \"violence\"; threshold = 0.5; action = \"block\"; },\n"
                   "  { name = \"weapons\"; threshold = 0.5; action = \"redact\"; }\n"
                   ");\n"
                   "packs = [ \"a.rules\", \"b.rules\" ];\n");
    aupf_load_options o = {.no_cache = 1};
    diag_log log = {0};
    aupf_ruleset *rs = NULL;
    if (aupf_ruleset_load(conf, &o, diag_capture, &log, &rs) != AUPF_OK)
        fail_msg("%s", log.text);
    assert_int_equal(rs->unless_group_count, 2);
    assert_int_not_equal(rs->rules[0].unless_group, rs->rules[1].unless_group);
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(rs, &s), AUPF_OK);
    const struct {
        const char *text, *matches;
    } cases[] = {
        {"game: kill him and buy a gun", ""},                 /* both groups, both suppressed */
        {"kill him. game: buy a gun", "violence.a.kill@0-8"}, /* shared, overlaps one */
        {"buy a gun. game: kill him", "weapons.b.gun@0-9"},
        {"game: kill him", ""},                                 /* one group fired */
        {"buy a gun emoji, kill her", "violence.a.kill@17-25"}, /* b's own suppressor */
        {"kill her, buy a gun", "violence.a.kill@0-8;weapons.b.gun@10-19"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const aupf_result *r = test_scan(s, AUPF_ROLE_PROMPT, cases[i].text);
        if (strcmp(test_matches(r), cases[i].matches) != 0)
            fail_msg("\"%s\": got \"%s\", want \"%s\"", cases[i].text, test_matches(r),
                     cases[i].matches);
        assert_true(same_verdicts(s, AUPF_ROLE_PROMPT, cases[i].text, strlen(cases[i].text),
                                  cases[i].text));
    }
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cases_near_window_edges),
        cmocka_unit_test(suppressor_groups_per_pack),
        cmocka_unit_test(windows_at_every_offset),
        cmocka_unit_test(dev_data_same_verdicts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
