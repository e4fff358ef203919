/* Stream = block on the development data: every record of
 * ../shared/data/dev, with the shipped ruleset, streamed in random chunks
 * (every tenth record byte by byte) gives the block scan's output and
 * verdict. Prints the records that differ and their count per file.
 * AUPF_STREAM_DEV_CONFIG names another configuration (the staged packs).
 * Skipped (77) when the data is not beside the project. */
#include "helpers.h"
#include "stream_check.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static size_t random_size(void *ctx) {
    (void)ctx;
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return 1 + (size_t)(rng % 64);
}
static size_t one_byte(void *ctx) {
    (void)ctx;
    return 1;
}

static size_t check_file(aupf_ruleset *rs, aupf_scanner *s, const char *path, const char *name,
                         size_t *differing) {
    gzFile f = gzopen(path, "rb");
    assert_non_null(f);
    aupf_role role = strstr(name, "completion") ? AUPF_ROLE_COMPLETION : AUPF_ROLE_PROMPT;
    static char line[1 << 20];
    size_t n = 0, bad = 0;
    while (gzgets(f, line, sizeof line)) {
        json_t *o = json_loads(line, JSON_ALLOW_NUL, NULL);
        json_t *t = o ? json_object_get(o, "text") : NULL;
        if (json_is_string(t)) {
            const char *why = stream_check(rs, s, role, json_string_value(t), json_string_length(t),
                                           n % 10 ? random_size : one_byte, NULL);
            if (why) {
                printf("%s record %zu: %s\n", name, n + 1, why);
                bad++;
            }
            n++;
        }
        json_decref(o);
    }
    gzclose(f);
    printf("%-40s %7zu records %5zu differing\n", name, n, bad);
    *differing += bad;
    return n;
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
    DIR *d = opendir(AUPF_TEST_DEV_DATA);
    assert_non_null(d);
    struct dirent *de;
    size_t records = 0, differing = 0;
    char path[1024];
    while ((de = readdir(d)))
        if (strstr(de->d_name, ".jsonl")) {
            snprintf(path, sizeof path, "%s/%s", AUPF_TEST_DEV_DATA, de->d_name);
            records += check_file(rs, s, path, de->d_name, &differing);
        }
    closedir(d);
    printf("stream = block on %zu records, %zu differing (%s)\n", records, differing, config);
    assert_true(records > 1000);
    assert_int_equal(differing, 0);
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

int main(void) {
    DIR *d = opendir(AUPF_TEST_DEV_DATA);
    if (!d) {
        printf("skipped: no development data at %s\n", AUPF_TEST_DEV_DATA);
        return 77;
    }
    closedir(d);
    const struct CMUnitTest tests[] = {cmocka_unit_test(dev_data_streams_equal_blocks)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
