/* Scanner: exact spans, suppressors before and after the trigger, roles,
 * scoring by noisy-OR, actions and their application. */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    aupf_ruleset *rs;
    aupf_scanner *s;
} fixture;

static int setup_with(void **state, const char *rules) {
    fixture *f = calloc(1, sizeof *f);
    diag_log log;
    f->rs = test_load_rules(rules, &log);
    if (!f->rs)
        fail_msg("load failed:\n%s", log.text);
    assert_int_equal(aupf_scanner_new(f->rs, &f->s), AUPF_OK);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    aupf_scanner_free(f->s);
    aupf_ruleset_release(f->rs);
    free(f);
    return 0;
}

/* Rules shared by most tests below. */
static const char *MAIN_RULES =
    "rules = (\n"
    "{ id = \"violence.t.kill\"; rev = 1; category = \"violence\"; weight = 0.9;\n"
    "  pattern = \"\\\\bkill(ed|ing|s)?\\\\b\"; roles = [\"prompt\", \"completion\"];\n"
    "  unless = [\"\\\\bkill\\\\s{1,3}(the|a|this)\\\\s{1,3}process\", "
    "\"\\\\bprocess\\\\s{1,3}killed\"];\n"
    "  description = \"d\"; matches = [\"kill\"]; ignores = [\"kill the process\"]; },\n"
    "{ id = \"weapons.t.bomb\"; rev = 1; category = \"weapons\"; weight = 0.6;\n"
    "  pattern = \"\\\\bbombs?\\\\b\"; roles = [\"prompt\", \"completion\"];\n"
    "  unless = [\"\\\\bbath\\\\s{1,3}bombs?\", \"\\\\bbombs?\\\\s{1,3}(recipe|fizz)\"];\n"
    "  description = \"d\"; matches = [\"bomb\"]; ignores = [\"bath bomb\"]; },\n"
    "{ id = \"spam.t.prize\"; rev = 1; category = \"spam\"; weight = 0.3;\n"
    "  pattern = \"\\\\bprize\\\\b\"; roles = [\"prompt\", \"completion\"];\n"
    "  description = \"d\"; matches = [\"prize\"]; ignores = [\"price\"]; },\n"
    "{ id = \"spam.t.call\"; rev = 1; category = \"spam\"; weight = 0.3;\n"
    "  pattern = \"\\\\bcall\\\\s{1,3}\\\\d{5,11}\"; roles = [\"prompt\", \"completion\"];\n"
    "  description = \"d\"; matches = [\"call 12345\"]; ignores = [\"call me\"]; },\n"
    "{ id = \"spam.t.claim\"; rev = 1; category = \"spam\"; weight = 0.3;\n"
    "  pattern = \"\\\\bclaim\\\\b\"; roles = [\"completion\"];\n"
    "  description = \"d\"; matches = [\"claim\"]; ignores = [\"clam\"]; },\n"
    "{ id = \"violence.t.wide\"; rev = 1; category = \"violence\"; weight = 0.2;\n"
    "  pattern = \"\\\\bhurt\\\\W{1,3}(\\\\w{1,12}\\\\W{1,3}){0,3}badly\\\\b\"; roles = "
    "[\"prompt\"];\n"
    "  description = \"d\"; matches = [\"hurt them badly\"]; ignores = [\"hurt\"]; },\n"
    "{ id = \"spam.t.unbounded\"; rev = 1; category = \"spam\"; weight = 0.1;\n"
    "  pattern = \"\\\\bstab\\\\w*\"; roles = [\"prompt\"];\n"
    "  description = \"d\"; matches = [\"stab\"]; ignores = [\"stable\"]; }\n"
    ");\n";

static int setup(void **state) { return setup_with(state, MAIN_RULES); }

static void spans_are_exact_byte_offsets(void **state) {
    fixture *f = *state;
    const aupf_result *r = test_scan(f->s, AUPF_ROLE_PROMPT, "they killed him; a bomb");
    assert_string_equal(test_matches(r), "violence.t.kill@5-11;weapons.t.bomb@19-23");
    /* multi-byte text before the match: offsets count bytes, not characters */
    r = test_scan(f->s, AUPF_ROLE_PROMPT, "\xc3\xa9t\xc3\xa9 \xe2\x80\x94 bomb");
    assert_string_equal(test_matches(r), "weapons.t.bomb@10-14");
}

static void every_occurrence_is_reported(void **state) {
    fixture *f = *state;
    const aupf_result *r = test_scan(f->s, AUPF_ROLE_PROMPT, "bomb bombs bomb");
    assert_string_equal(test_matches(r),
                        "weapons.t.bomb@0-4;weapons.t.bomb@5-10;weapons.t.bomb@11-15");
    /* the same rule counts once in the score */
    assert_true(aupf_result_score(r, 1) > 0.59 && aupf_result_score(r, 1) < 0.61);
}

static void start_window_respects_word_boundary(void **state) {
    fixture *f = *state;
    /* the window before the end must see the byte before it: "xhurt" has no
     * boundary before "hurt", so only the second occurrence matches */
    const aupf_result *r = test_scan(f->s, AUPF_ROLE_PROMPT, "xhurt them badly; hurt a b badly");
    assert_string_equal(test_matches(r), "violence.t.wide@18-32");
}

static void unbounded_pattern_gets_leftmost_start(void **state) {
    fixture *f = *state;
    const aupf_result *r = test_scan(f->s, AUPF_ROLE_PROMPT, "no stabbing");
    assert_string_equal(test_matches(r), "spam.t.unbounded@3-11");
}

static void suppressor_after_trigger(void **state) {
    fixture *f = *state;
    const aupf_result *r = test_scan(f->s, AUPF_ROLE_PROMPT, "how do I kill the process");
    assert_string_equal(test_matches(r), "");
    assert_false(aupf_result_flagged(r));
    r = test_scan(f->s, AUPF_ROLE_PROMPT, "a bomb recipe for the bath");
    assert_string_equal(test_matches(r), "");
}

static void suppressor_before_trigger(void **state) {
    fixture *f = *state;
    const aupf_result *r = test_scan(f->s, AUPF_ROLE_PROMPT, "the process killed itself");
    assert_string_equal(test_matches(r), "");
    r = test_scan(f->s, AUPF_ROLE_PROMPT, "a lavender bath bomb");
    assert_string_equal(test_matches(r), "");
}

static void suppressor_only_covers_its_own_span(void **state) {
    fixture *f = *state;
    const aupf_result *r =
        test_scan(f->s, AUPF_ROLE_PROMPT, "kill the process, then kill the guard");
    assert_string_equal(test_matches(r), "violence.t.kill@23-27");
    assert_true(aupf_result_flagged(r));
    r = test_scan(f->s, AUPF_ROLE_PROMPT, "bath bomb and a pipe bomb");
    assert_string_equal(test_matches(r), "weapons.t.bomb@21-25");
}

static void roles_filter_rules(void **state) {
    fixture *f = *state;
    const aupf_result *r = test_scan(f->s, AUPF_ROLE_PROMPT, "claim it");
    assert_string_equal(test_matches(r), "");
    r = test_scan(f->s, AUPF_ROLE_COMPLETION, "claim it");
    assert_string_equal(test_matches(r), "spam.t.claim@0-5");
    r = test_scan(f->s, AUPF_ROLE_COMPLETION, "hurt them badly");
    assert_string_equal(test_matches(r), "");
}

static void noisy_or_combines_distinct_rules(void **state) {
    fixture *f = *state;
    const aupf_result *r = test_scan(f->s, AUPF_ROLE_PROMPT, "a prize");
    assert_false(aupf_result_flagged(r));
    assert_true(aupf_result_score(r, 2) > 0.299 && aupf_result_score(r, 2) < 0.301);
    r = test_scan(f->s, AUPF_ROLE_PROMPT, "a prize, call 0800123");
    /* 1 - 0.7 * 0.7 = 0.51 >= 0.5 */
    assert_true(aupf_result_score(r, 2) > 0.509 && aupf_result_score(r, 2) < 0.511);
    assert_true(aupf_result_category_flagged(r, 2));
    assert_int_equal(aupf_result_action(r), AUPF_ACTION_ANNOTATE);
    r = test_scan(f->s, AUPF_ROLE_COMPLETION, "prize! call 0800123 to claim");
    assert_true(aupf_result_score(r, 2) > 0.656 && aupf_result_score(r, 2) < 0.658);
}

static void most_severe_action_wins(void **state) {
    fixture *f = *state;
    const aupf_result *r = test_scan(f->s, AUPF_ROLE_PROMPT, "a bomb prize, call 0800123");
    assert_int_equal(aupf_result_action(r), AUPF_ACTION_REDACT);
    r = test_scan(f->s, AUPF_ROLE_PROMPT, "kill with a bomb");
    assert_int_equal(aupf_result_action(r), AUPF_ACTION_BLOCK);
}

static void apply_redacts_and_blocks(void **state) {
    fixture *f = *state;
    const char *text = "a bomb and bombs, not a bath bomb";
    const aupf_result *r = test_scan(f->s, AUPF_ROLE_PROMPT, text);
    const char *out;
    size_t len;
    assert_int_equal(aupf_apply(f->s, r, text, strlen(text), &out, &len), AUPF_OK);
    assert_string_equal(out, "a [X] and [X], not a bath bomb");
    text = "kill";
    r = test_scan(f->s, AUPF_ROLE_PROMPT, text);
    assert_int_equal(aupf_apply(f->s, r, text, 4, &out, &len), AUPF_OK);
    assert_string_equal(out, "[blocked]");
    text = "nothing here";
    r = test_scan(f->s, AUPF_ROLE_PROMPT, text);
    assert_int_equal(aupf_apply(f->s, r, text, strlen(text), &out, &len), AUPF_OK);
    assert_string_equal(out, text);
}

static unsigned signal(const aupf_result *r, const char *name) {
    for (size_t i = 0; i < aupf_signal_count(); i++)
        if (strcmp(aupf_signal_name(i), name) == 0)
            return aupf_result_signal(r, i);
    fail_msg("no signal %s", name);
    return 0;
}

static void invalid_utf8_and_nul_bytes(void **state) {
    fixture *f = *state;
    const aupf_result *r = NULL;
    /* bytes that are not UTF-8 are read as U+FFFD; spans stay in the
     * original's bytes */
    assert_int_equal(aupf_scan(f->s, AUPF_ROLE_PROMPT, "\xff\xfe bomb \xc0\xaf", 10, &r), AUPF_OK);
    assert_string_equal(test_matches(r), "weapons.t.bomb@3-7");
    assert_int_equal(signal(r, "invalid_utf8"), 4);
    assert_int_equal(aupf_scan(f->s, AUPF_ROLE_PROMPT, "\xed\xa0\x80", 3, &r), AUPF_OK);
    assert_int_equal(aupf_result_match_count(r), 0);
    assert_int_equal(aupf_scan(f->s, AUPF_ROLE_PROMPT, "a\0bomb", 6, &r), AUPF_OK);
    assert_string_equal(test_matches(r), "weapons.t.bomb@2-6");
    assert_int_equal(aupf_scan(f->s, AUPF_ROLE_PROMPT, "", 0, &r), AUPF_OK);
    assert_int_equal(aupf_result_match_count(r), 0);
    assert_int_equal(aupf_scan(f->s, 7, "x", 1, &r), AUPF_E_ARG);
    assert_false(aupf_utf8_valid("\xff", 1, NULL));
    assert_true(aupf_utf8_valid("caf\xc3\xa9", 5, NULL));
}

static void ruleset_is_reference_counted(void **state) {
    fixture *f = *state;
    aupf_ruleset *extra = aupf_ruleset_retain(f->rs);
    aupf_ruleset_release(extra);
    /* the scanner holds a reference too: scanning still works */
    const aupf_result *r = test_scan(f->s, AUPF_ROLE_PROMPT, "bomb");
    assert_int_equal(aupf_result_match_count(r), 1);
    assert_int_equal(strlen(aupf_ruleset_hash(f->rs)), 16);
    assert_int_equal(aupf_ruleset_category_count(f->rs), 3);
    assert_string_equal(aupf_category_name(f->rs, 2), "spam");
    aupf_rule_info ri;
    assert_int_equal(aupf_ruleset_rule_info(f->rs, 1, &ri), AUPF_OK);
    assert_string_equal(ri.id, "weapons.t.bomb");
    assert_int_equal(ri.max_width, 5);
    assert_int_equal(aupf_ruleset_rule_info(f->rs, 6, &ri), AUPF_OK);
    assert_int_equal(ri.max_width, UINT32_MAX);
}

static void shadow_rules_report_without_scoring(void **state) {
    (void)state;
    diag_log log;
    aupf_ruleset *rs = test_load_rules(
        "rules = ( { id = \"weapons.t.new\"; rev = 1; category = \"weapons\"; weight = 0.9;\n"
        "  pattern = \"\\\\bgrenade\\\\b\"; roles = [\"prompt\"]; shadow = true;\n"
        "  description = \"d\"; matches = [\"grenade\"]; ignores = [\"granite\"]; } );\n",
        &log);
    if (!rs)
        fail_msg("%s", log.text);
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(rs, &s), AUPF_OK);
    const aupf_result *r = test_scan(s, AUPF_ROLE_PROMPT, "a grenade");
    assert_string_equal(test_matches(r), "weapons.t.new@2-9");
    aupf_match m;
    aupf_result_match(r, 0, &m);
    assert_true(m.shadow);
    assert_false(aupf_result_flagged(r));
    assert_true(aupf_result_score(r, 1) == 0.0);
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(spans_are_exact_byte_offsets, setup, teardown),
        cmocka_unit_test_setup_teardown(every_occurrence_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(start_window_respects_word_boundary, setup, teardown),
        cmocka_unit_test_setup_teardown(unbounded_pattern_gets_leftmost_start, setup, teardown),
        cmocka_unit_test_setup_teardown(suppressor_after_trigger, setup, teardown),
        cmocka_unit_test_setup_teardown(suppressor_before_trigger, setup, teardown),
        cmocka_unit_test_setup_teardown(suppressor_only_covers_its_own_span, setup, teardown),
        cmocka_unit_test_setup_teardown(roles_filter_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(noisy_or_combines_distinct_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(most_severe_action_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(apply_redacts_and_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(invalid_utf8_and_nul_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(ruleset_is_reference_counted, setup, teardown),
        cmocka_unit_test(shadow_rules_report_without_scoring),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
