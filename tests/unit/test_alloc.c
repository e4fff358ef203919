/* A steady-state scan allocates nothing: malloc, calloc and realloc are
 * wrapped at link time and counted while scanning texts the scanner has
 * already seen the size of. */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
static int counting;
static long allocations;

void *__wrap_malloc(size_t n) {
    allocations += counting;
    return __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t m) {
    allocations += counting;
    return __real_calloc(n, m);
}
void *__wrap_realloc(void *p, size_t n) {
    allocations += counting;
    return __real_realloc(p, n);
}

static void steady_state_scans_do_not_allocate(void **state) {
    (void)state;
    aupf_load_options o = {.no_cache = 1};
    aupf_ruleset *rs = NULL;
    assert_int_equal(aupf_ruleset_load(AUPF_TEST_FIXTURES "/basic.conf", &o, NULL, NULL, &rs),
                     AUPF_OK);
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(rs, &s), AUPF_OK);
    const char *texts[] = {
        "I will kill him with a bomb, bombs and more bombs; you won a prize, call 0800123456",
        "kill the process, then kill time, a bath bomb, the bomb was a flop",
        "nothing to see here",
    };
    char big[4096] = "";
    for (int i = 0; i < 40; i++)
        strcat(big, "a bomb, kill, won a prize ");
    const aupf_result *r;
    const char *out;
    size_t len;
    /* round 0 is the warm-up: buffers grow to their working size */
    for (int round = 0; round < 101; round++) {
        counting = round > 0;
        for (size_t i = 0; i < 3; i++) {
            assert_int_equal(aupf_scan(s, AUPF_ROLE_PROMPT, texts[i], strlen(texts[i]), &r),
                             AUPF_OK);
            assert_int_equal(aupf_apply(s, r, texts[i], strlen(texts[i]), &out, &len), AUPF_OK);
        }
        assert_int_equal(aupf_scan(s, AUPF_ROLE_COMPLETION, big, strlen(big), &r), AUPF_OK);
        assert_true(aupf_result_match_count(r) > 100);
    }
    counting = 0;
    assert_int_equal(allocations, 0);
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

/* With hot reload a thread finds its scanner through a scanner set and the
 * current ruleset through the reloader: neither allocates once the
 * scanner exists. */
static void scanner_set_lookups_do_not_allocate(void **state) {
    (void)state;
    aupf_load_options o = {.no_cache = 1};
    aupf_ruleset *rs = NULL;
    assert_int_equal(aupf_ruleset_load(AUPF_TEST_FIXTURES "/basic.conf", &o, NULL, NULL, &rs),
                     AUPF_OK);
    aupf_reloader *rl;
    assert_int_equal(aupf_reloader_new(rs, &rl), AUPF_OK);
    aupf_scanner_set *set;
    assert_int_equal(aupf_scanner_set_new(&set), AUPF_OK);
    const char *text = "I will kill him with a bomb";
    const aupf_result *r;
    for (int round = 0; round < 101; round++) {
        counting = round > 0;
        aupf_ruleset *cur = aupf_reloader_current(rl);
        aupf_scanner *s;
        assert_int_equal(aupf_scanner_set_get(set, cur, &s), AUPF_OK);
        assert_int_equal(aupf_scan(s, AUPF_ROLE_PROMPT, text, strlen(text), &r), AUPF_OK);
        assert_true(aupf_reloader_generation(rl) == 0);
        aupf_ruleset_release(cur);
    }
    counting = 0;
    assert_int_equal(allocations, 0);
    assert_int_equal(aupf_scanner_set_count(set), 1);
    aupf_scanner_set_free(set);
    aupf_reloader_free(rl);
    aupf_ruleset_release(rs);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(steady_state_scans_do_not_allocate),
                                       cmocka_unit_test(scanner_set_lookups_do_not_allocate)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
