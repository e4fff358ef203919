/* fuzz_scan: the input is a text scanned with aupf_scan for both roles
 * against tests/fixtures/basic.conf (or $AUPF_FUZZ_CONFIG). Every match
 * span must lie in [0, len], be non-empty, and start and end on unit
 * boundaries of the original (fuzz_common.h); aupf_apply must succeed. */
#include "fuzz_common.h"

#include <string.h>

static aupf_ruleset *rs;
static aupf_scanner *scanner;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    rs = fuzz_load_ruleset();
    if (aupf_scanner_new(rs, &scanner) != AUPF_OK)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* an exact-size heap copy, so reads past the end are caught */
    char *text = malloc(size ? size : 1);
    memcpy(text, data, size);
    uint8_t *boundary = malloc(size + 1);
    fuzz_boundaries(data, size, boundary);
    static const aupf_role roles[] = {AUPF_ROLE_PROMPT, AUPF_ROLE_COMPLETION};
    for (int k = 0; k < 2; k++) {
        const aupf_result *r = NULL;
        int st = aupf_scan(scanner, roles[k], text, size, &r);
        FUZZ_CHECK(st == AUPF_OK && r, "aupf_scan: %s", aupf_strerror(st));
        size_t n = aupf_result_match_count(r);
        int flagged = 0;
        for (size_t i = 0; i < n; i++) {
            aupf_match m;
            FUZZ_CHECK(aupf_result_match(r, i, &m) == AUPF_OK, "match %zu", i);
            FUZZ_CHECK(m.start < m.end && m.end <= size, "%s span %zu-%zu of %zu", m.rule_id,
                       m.start, m.end, size);
            FUZZ_CHECK(boundary[m.start] && boundary[m.end], "%s span %zu-%zu not on boundaries",
                       m.rule_id, m.start, m.end);
            FUZZ_CHECK(m.category < aupf_ruleset_category_count(rs), "category %zu", m.category);
            flagged |= aupf_result_category_flagged(r, m.category);
        }
        FUZZ_CHECK(!flagged || aupf_result_flagged(r), "a flagged category, no flagged result");
        (void)aupf_result_script(r);
        (void)aupf_result_language(r);
        const char *out = NULL;
        size_t out_len = 0;
        st = aupf_apply(scanner, r, text, size, &out, &out_len);
        FUZZ_CHECK(st == AUPF_OK, "aupf_apply: %s", aupf_strerror(st));
        FUZZ_CHECK(out || out_len == 0, "apply gave NULL");
        if (aupf_result_action(r) <= AUPF_ACTION_ANNOTATE)
            FUZZ_CHECK(out_len == size && memcmp(out, text, size) == 0,
                       "allow/annotate changed the text");
    }
    free(boundary);
    free(text);
    return 0;
}
