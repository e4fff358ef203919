/* Loader: every error names the file, the line and the rule and says what
 * is wrong; a valid pack loads. */
#include "helpers.h"
#include "rules_fixture.h"

#include <stdio.h>
#include <string.h>

#define GOOD(ID) RULE(ID, "violence", "\\\\bkill\\\\b", "0.5", "")

static void expect_error(const char *rules, const char *needle) {
    diag_log log;
    aupf_ruleset *rs = test_load_rules(rules, &log);
    if (rs) {
        aupf_ruleset_release(rs);
        fail_msg("expected failure with '%s'", needle);
    }
    if (!strstr(log.text, needle))
        fail_msg("expected '%s' in diagnostics:\n%s", needle, log.text);
}

static void valid_pack_loads(void **state) {
    (void)state;
    diag_log log;
    aupf_ruleset *rs = test_load_rules(
        "rules = (\n" GOOD("violence.a.b") ",\n" GOOD("violence.a.c") "\n);\n", &log);
    assert_non_null(rs);
    assert_int_equal(log.errors, 0);
    assert_int_equal(aupf_ruleset_rule_count(rs), 2);
    aupf_rule_info ri;
    assert_int_equal(aupf_ruleset_rule_info(rs, 1, &ri), AUPF_OK);
    assert_string_equal(ri.id, "violence.a.c");
    assert_int_equal(ri.line, 3);
    assert_non_null(strstr(ri.file, "test.rules"));
    aupf_ruleset_release(rs);
}

static void syntax_error_names_file_and_line(void **state) {
    (void)state;
    expect_error("rules = (\n" GOOD("violence.a.b") ",\n  { id = \"x\" \n);\n",
                 "test.rules:4: error:");
}

static void duplicate_id(void **state) {
    (void)state;
    expect_error("rules = (\n" GOOD("violence.a.b") ",\n" GOOD("violence.a.b") "\n);\n",
                 "test.rules:3: error: [violence.a.b] duplicate rule id");
}

/* Ids are found through a hash table that grows as packs load: a
 * duplicate far past its first growth is still found, and on its line. */
static void duplicate_id_among_many(void **state) {
    (void)state;
    enum { N = 700 };
    static char pack[N * 300];
    size_t o = (size_t)snprintf(pack, sizeof pack, "rules = (\n");
    char id[64];
    for (int i = 0; i <= N; i++) {
        snprintf(id, sizeof id, "violence.many.r%d", i == N ? 3 : i);
        o += (size_t)snprintf(pack + o, sizeof pack - o,
                              "{ id = \"%s\"; rev = 1; category = \"violence\"; pattern = "
                              "\"\\\\bkill\\\\b\"; weight = 0.5; roles = [\"prompt\"]; "
                              "description = \"t\"; matches = [\"kill\"]; ignores = "
                              "[\"k\"]; }%s\n",
                              id, i == N ? "" : ",");
    }
    snprintf(pack + o, sizeof pack - o, ");\n");
    expect_error(pack, "test.rules:702: error: [violence.many.r3] duplicate rule id");
    pack[o - 1] = '\0'; /* without the duplicate: the N rules load */
    char *last = strrchr(pack, '{');
    snprintf(last - 2, sizeof pack - (size_t)(last - 2 - pack), "\n);\n");
    diag_log log;
    aupf_ruleset *rs = test_load_rules(pack, &log);
    if (!rs)
        fail_msg("%s", log.text);
    assert_int_equal(aupf_ruleset_rule_count(rs), N);
    aupf_ruleset_release(rs);
}

static void undeclared_category(void **state) {
    (void)state;
    expect_error("rules = (\n" RULE("gore.a.b", "gore", "x", "0.5", "") "\n);\n",
                 "[gore.a.b] category 'gore' is not declared");
}

static void weight_out_of_range(void **state) {
    (void)state;
    expect_error("rules = (\n\n" RULE("violence.a.b", "violence", "x", "1.5", "") "\n);\n",
                 "test.rules:3: error: [violence.a.b] weight 1.5 is not in (0, 1]");
    expect_error("rules = (\n" RULE("violence.a.b", "violence", "x", "0", "") "\n);\n",
                 "weight 0 is not in (0, 1]");
}

static void bad_pattern_reports_hyperscan_message(void **state) {
    (void)state;
    expect_error("rules = (\n" GOOD("violence.a.ok") ",\n" RULE("violence.a.bad", "violence",
                                                                "(unclosed", "0.5", "") "\n);\n",
                 "test.rules:3: error: [violence.a.bad] pattern does not compile: Missing close "
                 "parenthesis");
    expect_error(
        "rules = (\n" RULE("violence.a.bad", "violence", "x", "0.5", "unless = [\"(a\"];") "\n);\n",
        "[violence.a.bad] unless pattern 1 does not compile");
    expect_error(
        "rules = (\n" RULE("violence.a.backref", "violence", "(a)\\\\1", "0.5", "") "\n);\n",
        "[violence.a.backref] pattern does not compile");
}

static void unbounded_patterns_only_where_nothing_is_held_back(void **state) {
    (void)state;
    /* violence blocks and weapons redacts in the test configuration */
    expect_error(
        "rules = (\n" RULE("violence.a.b", "violence", "kill\\\\s+him", "0.5", "") "\n);\n",
        "[violence.a.b] pattern has no maximum width: rules of redact and block");
    expect_error("rules = (\n" RULE("weapons.a.b", "weapons", "bomb", "0.5",
                                    "unless = [\"bath\\\\s*bomb\"];") "\n);\n",
                 "[weapons.a.b] unless pattern 1 has no maximum width");
    diag_log log;
    aupf_ruleset *rs = test_load_rules(
        "rules = (\n" RULE("spam.a.b", "spam", "win\\\\s+cash", "0.5", "") "\n);\n", &log);
    assert_non_null(rs); /* annotate: allowed, with a warning */
    assert_non_null(strstr(log.text, "warning: [spam.a.b] pattern has no maximum width"));
    aupf_ruleset_release(rs);
}

static void missing_fields_and_bad_values(void **state) {
    (void)state;
    expect_error("rules = ( { id = \"violence.a.b\"; rev = 1; category = \"violence\"; weight = "
                 "0.5; roles = [\"prompt\"]; description = \"d\"; matches = [\"x\"]; } );\n",
                 "[violence.a.b] missing required setting 'pattern'");
    expect_error("rules = (\n" RULE("Violence.A", "violence", "x", "0.5", "") "\n);\n",
                 "id must be dotted lower-case");
    expect_error("rules = ( { id = \"violence.a.b\"; rev = 1; category = \"violence\"; pattern = "
                 "\"x\"; weight = 0.5; roles = [\"user\"]; description = \"d\"; matches = "
                 "[\"x\"]; } );\n",
                 "unknown role 'user'");
    expect_error(
        "rules = (\n" RULE("violence.a.b", "violence", "x", "0.5", "flags = [\"fast\"];") "\n);\n",
        "unknown flag 'fast'");
    expect_error("rules = ( { id = \"violence.a.b\"; rev = 0; category = \"violence\"; pattern = "
                 "\"x\"; weight = 0.5; roles = [\"prompt\"]; description = \"d\"; matches = "
                 "[\"x\"]; } );\n",
                 "rev must be >= 1");
    expect_error("rules = ( { id = \"violence.a.b\"; rev = 1; category = \"violence\"; pattern = "
                 "\"x\"; weight = 0.5; roles = [\"prompt\"]; description = \"d\"; matches = []; "
                 "} );\n",
                 "'matches' must give at least one example");
}

static void warnings_do_not_fail(void **state) {
    (void)state;
    diag_log log;
    /* a single backslash in the source and an unknown setting: warnings */
    aupf_ruleset *rs = test_load_rules(
        "rules = ( { id = \"violence.a.b\"; rev = 1; category = \"violence\"; pattern = "
        "\"\\bkill\"; weight = 0.5; roles = [\"prompt\"]; description = \"d\"; matches = "
        "[\"kill\"]; ignores = [\"skill\"]; colour = \"red\"; } );\n",
        &log);
    assert_non_null(rs);
    assert_non_null(strstr(log.text, "single backslash '\\b'"));
    assert_non_null(strstr(log.text, "unknown setting 'colour' is ignored"));
    aupf_ruleset_release(rs);
}

static void config_errors(void **state) {
    (void)state;
    const char *dir = test_tmpdir();
    test_write(dir, "p.rules", "rules = ();\n");
    const char *cases[][2] = {
        {"packs = [\"p.rules\"];\n", "'categories' must be a non-empty list"},
        {"categories = ( { name = \"a\"; action = \"explode\"; } );\npacks = [\"p.rules\"];\n",
         "action 'explode' is not one of"},
        {"categories = ( { name = \"a\"; threshold = 2.0; } );\npacks = [\"p.rules\"];\n",
         "threshold 2 is not in (0, 1]"},
        {"categories = ( { name = \"a\"; }, { name = \"a\"; } );\npacks = [\"p.rules\"];\n",
         "category 'a' declared twice"},
        {"categories = ( { name = \"a\"; } );\npacks = [\"missing.rules\"];\n",
         "missing.rules: error: [-] cannot read rule pack"},
        {"categories = ( { name = \"a\"; } );\npacks = [\"p.rules\"];\n",
         "the packs hold no rules"},
        {"categories = ( { name = \"a\"; } );\npacks = [ \"p.rules\" ;\n", "conf:2: error:"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *conf = test_write(dir, "x.conf", cases[i][0]);
        diag_log log = {0};
        aupf_ruleset *rs = NULL;
        aupf_load_options o = {.no_cache = 1};
        assert_int_not_equal(aupf_ruleset_load(conf, &o, diag_capture, &log, &rs), AUPF_OK);
        assert_null(rs);
        if (!strstr(log.text, cases[i][1]))
            fail_msg("case %zu: expected '%s' in:\n%s", i, cases[i][1], log.text);
    }
    aupf_ruleset *rs = NULL;
    assert_int_equal(aupf_ruleset_load("/nonexistent/a.conf", NULL, NULL, NULL, &rs), AUPF_E_IO);
}

static void status_strings(void **state) {
    (void)state;
    assert_string_equal(aupf_strerror(AUPF_OK), "success");
    assert_string_equal(aupf_status_name(AUPF_E_UTF8), "AUPF_E_UTF8");
    assert_string_equal(aupf_strerror(-999), "unknown status");
    assert_string_equal(aupf_action_name(AUPF_ACTION_REDACT), "redact");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_pack_loads),
        cmocka_unit_test(syntax_error_names_file_and_line),
        cmocka_unit_test(duplicate_id),
        cmocka_unit_test(duplicate_id_among_many),
        cmocka_unit_test(undeclared_category),
        cmocka_unit_test(weight_out_of_range),
        cmocka_unit_test(bad_pattern_reports_hyperscan_message),
        cmocka_unit_test(missing_fields_and_bad_values),
        cmocka_unit_test(unbounded_patterns_only_where_nothing_is_held_back),
        cmocka_unit_test(warnings_do_not_fail),
        cmocka_unit_test(config_errors),
        cmocka_unit_test(status_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
