/* Stream = block on the development data: every record of
 * ../shared/data/dev, with the shipped ruleset, streamed in random chunks
 * (every tenth record byte by byte) gives the block scan's output and
 * verdict. Prints the records that differ and their count per file.
 * AUPF_STREAM_DEV_CONFIG names another configuration (the staged packs).
 * Skipped (77) when the data is not beside the project. */
#include "dev_data.h"
#include "helpers.h"
#include "stream_check.h"

#include <stdio.h>
#include <stdlib.h>

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static size_t random_size(void *ctx) {
    (void)ctx;
    return 1 + (size_t)(test_rand(&rng) % 64);
}
static size_t one_byte(void *ctx) {
    (void)ctx;
    return 1;
}

typedef struct {
    aupf_ruleset *rs;
    aupf_scanner *s;
} stream_ctx;

static bool record_streams_equal_block(void *ctx, const char *file, size_t index, aupf_role role,
                                       const char *text, size_t len) {
    stream_ctx *c = ctx;
    const char *why =
        stream_check(c->rs, c->s, role, text, len, index % 10 ? random_size : one_byte, NULL);
    if (why)
        printf("%s record %zu: %s\n", file, index + 1, why);
    return why == NULL;
}

static void dev_data_streams_equal_blocks(void **state) {
    (void)state;
    aupf_load_options o = {.cache_dir = AUPF_TEST_CACHE};
    aupf_ruleset *rs = NULL;
    diag_log log = {0};
    const char *config = getenv("AUPF_STREAM_DEV_CONFIG");
    if (!config || !*config)
        config = AUPF_TEST_CONFIG;
    if (aupf_ruleset_load(config, &o, diag_capture, &log, &rs) != AUPF_OK)
        fail_msg("cannot load the shipped ruleset:\n%s", log.text);
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(rs, &s), AUPF_OK);
    stream_ctx c = {rs, s};
    size_t differing = 0;
    size_t records = dev_data_each(AUPF_TEST_DEV_DATA, record_streams_equal_block, &c, &differing);
    printf("stream = block on %zu records, %zu differing (%s)\n", records, differing, config);
    assert_true(records > 1000);
    assert_int_equal(differing, 0);
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

int main(void) {
    if (!dev_data_present(AUPF_TEST_DEV_DATA)) {
        printf("skipped: no development data at %s\n", AUPF_TEST_DEV_DATA);
        return 77;
    }
    const struct CMUnitTest tests[] = {cmocka_unit_test(dev_data_streams_equal_blocks)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
