/* The triggers split out of the trigger database because they cannot
 * match ASCII text (ascii_reach.c), which ASCII views skip: which ones
 * they are, and that skipping them changes no verdict on the development
 * data. */
#include "dev_data.h"
#include "helpers.h"
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <unicode/uchar.h>

static bool ascii(const char *expression) {
    return aupf__may_match_ascii(expression, HS_FLAG_UTF8);
}
static bool ascii_caseless(const char *expression) {
    return aupf__may_match_ascii(expression, HS_FLAG_UTF8 | HS_FLAG_CASELESS);
}

static void literals_and_sequences(void **state) {
    (void)state;
    assert_true(ascii("\\bkill\\s{1,2}you\\b"));
    assert_false(ascii("убить"));
    assert_false(ascii("\\bkill\\s+убить")); /* a required non-ASCII piece */
    assert_true(ascii("kill(\\s+убить)?"));  /* an optional one */
    assert_true(ascii("kill(?:\\s+убить)*"));
    assert_true(ascii("kill(?:\\s+убить){0,3}"));
    assert_false(ascii("kill(?:\\s+убить){1,3}"));
    assert_false(ascii("kill(?:\\s+убить)+?"));
    assert_false(ascii("kill(?:\\s+убить){,3}")); /* not a quantifier: the group is required */
    assert_false(ascii("杀了?他"));
    assert_true(ascii(""));
}

static void alternations_and_groups(void **state) {
    (void)state;
    assert_true(ascii("(?:убить|kill)"));
    assert_false(ascii("(?:убить|зарезать)"));
    assert_false(ascii("(убить|(?:за|по)резать)\\s"));
    assert_true(ascii("(убить|(?:за|by)резать)?\\s"));
    assert_true(ascii("(?<name>kill)"));
    assert_false(ascii("(?P<name>убить)x"));
    assert_true(ascii("(?=убить)")); /* assertions consume nothing */
    assert_true(ascii("(?#комментарий)kill"));
    assert_true(ascii("x(?x) убить # comment")); /* not followed: unsure */
    assert_true(ascii("убить)|kill"));           /* unbalanced: unsure */
}

static void classes_and_escapes(void **state) {
    (void)state;
    assert_false(ascii("[\\x{4e00}-\\x{9fff}]{2}"));
    assert_true(ascii("[\\x{4e00}-\\x{9fff}a]"));
    assert_true(ascii("[^\\x{4e00}-\\x{9fff}]"));
    assert_false(ascii("[ая]"));
    assert_true(ascii("[]я]"));
    assert_true(ascii("[[:alpha:]я]"));
    assert_true(ascii("[\\wя]"));
    assert_true(ascii("\\p{Han}")); /* properties: assumed to hold ASCII */
    assert_false(ascii("\\x{0627}"));
    assert_false(ascii("\\xe2\\x80\\x99"));
    assert_true(ascii("(?:\\xe2\\x80\\x99|')s"));
    assert_true(ascii("\\.\\-\\?\\n\\t"));
    assert_true(ascii("\\Qубить\\E")); /* quoting: unsure */
    assert_true(ascii("\\b\\B\\A\\z\\s\\S\\d\\D\\w\\W"));
    assert_true(ascii("...^$"));
}

static void caseless_folds(void **state) {
    (void)state;
    assert_false(ascii("\\x{17F}"));
    assert_true(ascii_caseless("\\x{17F}")); /* long s folds to s */
    assert_true(ascii_caseless("ſ"));
    assert_true(ascii_caseless("\\x{212A}")); /* Kelvin sign folds to k */
    assert_true(ascii_caseless("[\\x{2100}-\\x{2130}]"));
    assert_false(ascii_caseless("[\\x{2130}-\\x{2140}]"));
    assert_true(ascii("(?i)İ"));   /* inline caseless */
    assert_true(ascii("(?i:x)ı")); /* kept for the rest: only widens */
    assert_false(ascii("(?-i)ı"));
    assert_false(ascii_caseless("Я"));
}

/* The fold list is every code point whose simple case mappings reach
 * ASCII, as ICU knows them. */
static void fold_list_matches_icu(void **state) {
    (void)state;
    for (UChar32 c = 0x80; c <= 0x10FFFF; c++) {
        bool reaches = u_tolower(c) < 0x80 || u_toupper(c) < 0x80 || u_totitle(c) < 0x80 ||
                       u_foldCase(c, U_FOLD_CASE_DEFAULT) < 0x80 ||
                       u_foldCase(c, U_FOLD_CASE_EXCLUDE_SPECIAL_I) < 0x80;
        if (reaches != aupf__folds_to_ascii((uint32_t)c))
            fail_msg("U+%04X: ICU says %s", (unsigned)c, reaches ? "reaches ASCII" : "does not");
    }
}

/* The shipped packs: a good share of the triggers (the Cyrillic, CJK,
 * Arabic and Devanagari ones) is split out, and no trigger written in
 * ASCII. */
static void shipped_packs_split(void **state) {
    (void)state;
    aupf_ruleset *rs = dev_shipped_ruleset();
    size_t triggers = 0, left_out = 0;
    for (size_t x = 0; x < rs->expr_count; x++) {
        const aupf__expr *e = &rs->exprs[x];
        if (!e->triggers)
            continue;
        triggers++;
        /* only a non-ASCII character or a \\x escape makes a trigger
         * unable to match ASCII */
        bool plain = strstr(e->expression, "\\x") == NULL;
        for (const char *p = e->expression; *p; p++)
            plain = plain && (unsigned char)*p < 0x80;
        if (plain && !e->ascii)
            fail_msg("an ASCII-only trigger left out: %s", e->expression);
        left_out += !e->ascii;
    }
    printf("ASCII views scan %zu of %zu trigger expressions\n", triggers - left_out, triggers);
    assert_true(left_out > triggers / 4);
    assert_true(rs->other_db || rs->other_blob.len);
    aupf_ruleset_release(rs);
}

typedef struct {
    aupf_scanner *s;
    size_t ascii_views;
} verdict_ctx;

static bool same_verdict_both_databases(void *ctx, const char *file, size_t index, aupf_role role,
                                        const char *text, size_t len) {
    verdict_ctx *c = ctx;
    const aupf_result *r;
    char with_ascii[4096];
    c->s->every_trigger = false;
    assert_int_equal(aupf_scan(c->s, role, text, len, &r), AUPF_OK);
    snprintf(with_ascii, sizeof with_ascii, "%d %s", r->any_flagged, test_matches(r));
    c->ascii_views += c->s->view.ascii;
    c->s->every_trigger = true;
    assert_int_equal(aupf_scan(c->s, role, text, len, &r), AUPF_OK);
    char every[4096];
    snprintf(every, sizeof every, "%d %s", r->any_flagged, test_matches(r));
    if (strcmp(with_ascii, every) == 0)
        return true;
    printf("%s record %zu: skipping the split-out triggers \"%s\", every trigger \"%s\"\n", file,
           index + 1, with_ascii, every);
    return false;
}

static void dev_data_same_verdicts(void **state) {
    (void)state;
    if (!dev_data_present(AUPF_TEST_DEV_DATA))
        skip();
    aupf_ruleset *rs = dev_shipped_ruleset();
    verdict_ctx c = {0};
    assert_int_equal(aupf_scanner_new(rs, &c.s), AUPF_OK);
    size_t differing = 0;
    size_t records = dev_data_each(AUPF_TEST_DEV_DATA, same_verdict_both_databases, &c, &differing);
    printf("%zu records, %zu with an ASCII view, %zu differing\n", records, c.ascii_views,
           differing);
    assert_true(c.ascii_views > 1000);
    assert_int_equal(differing, 0);
    aupf_scanner_free(c.s);
    aupf_ruleset_release(rs);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(literals_and_sequences), cmocka_unit_test(alternations_and_groups),
        cmocka_unit_test(classes_and_escapes),    cmocka_unit_test(caseless_folds),
        cmocka_unit_test(fold_list_matches_icu),  cmocka_unit_test(shipped_packs_split),
        cmocka_unit_test(dev_data_same_verdicts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
