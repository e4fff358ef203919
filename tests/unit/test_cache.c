/* Compiled-database cache: a warm start loads it; stale, corrupt,
 * truncated or unwritable caches are rebuilt or skipped, never trusted. */
#include "helpers.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *RULES_A =
    "rules = ( { id = \"violence.c.kill\"; rev = 1; category = \"violence\"; weight = 0.9;\n"
    "  pattern = \"\\\\bkill\\\\b\"; roles = [\"prompt\"]; unless = [\"kill\\\\s{1,3}time\"];\n"
    "  description = \"d\"; matches = [\"kill\"]; ignores = [\"kill time\"]; } );\n";
static const char *RULES_B =
    "rules = ( { id = \"violence.c.kill\"; rev = 1; category = \"violence\"; weight = 0.9;\n"
    "  pattern = \"\\\\bmurder\\\\b\"; roles = [\"prompt\"];\n"
    "  description = \"d\"; matches = [\"murder\"]; ignores = [\"mirror\"]; } );\n";

typedef struct {
    char dir[64];
    char cache[256];
    char conf[512];
} env;

static void write_env(env *e, const char *rules) {
    test_write(e->dir, "c.rules", rules);
    char content[1024];
    snprintf(content, sizeof content,
             "categories = ( { name = \"violence\"; } );\npacks = [\"c.rules\"];\n"
             "cache_dir = \"%s\";\n",
             e->cache);
    snprintf(e->conf, sizeof e->conf, "%s", test_write(e->dir, "c.conf", content));
}

static void make_env(env *e, const char *rules) {
    snprintf(e->dir, sizeof e->dir, "%s", test_tmpdir());
    snprintf(e->cache, sizeof e->cache, "%s/cache", e->dir);
    write_env(e, rules);
}

static aupf_ruleset *load(const env *e, diag_log *log) {
    aupf_ruleset *rs = NULL;
    memset(log, 0, sizeof *log);
    assert_int_equal(aupf_ruleset_load(e->conf, NULL, diag_capture, log, &rs), AUPF_OK);
    return rs;
}

/* Path of the only cache file, or "" when there is none. */
static const char *cache_file(const env *e) {
    static char path[1024];
    path[0] = 0;
    DIR *d = opendir(e->cache);
    if (!d)
        return path;
    struct dirent *de;
    int n = 0;
    while ((de = readdir(d)))
        if (strstr(de->d_name, ".aupfdb")) {
            snprintf(path, sizeof path, "%s/%s", e->cache, de->d_name);
            n++;
        }
    closedir(d);
    assert_true(n <= 1);
    return path;
}

/* Damages the byte at offset (fseek's whence) of a cache file. */
static void flip_byte(FILE *f, long offset, int whence) {
    assert_int_equal(fseek(f, offset, whence), 0);
    long at = ftell(f);
    int c = fgetc(f);
    assert_true(c != EOF);
    fseek(f, at, SEEK_SET);
    fputc(c ^ 0x5a, f);
}

static void assert_verdict(aupf_ruleset *rs, const char *text, const char *expected) {
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(rs, &s), AUPF_OK);
    const aupf_result *r = test_scan(s, AUPF_ROLE_PROMPT, text);
    assert_string_equal(test_matches(r), expected);
    aupf_scanner_free(s);
}

static void warm_start_loads_the_cache(void **state) {
    (void)state;
    env e;
    make_env(&e, RULES_A);
    diag_log log;
    aupf_ruleset *cold = load(&e, &log);
    assert_false(aupf_ruleset_from_cache(cold));
    assert_int_equal(log.warnings, 0);
    assert_true(cache_file(&e)[0] != 0);
    aupf_ruleset *warm = load(&e, &log);
    assert_true(aupf_ruleset_from_cache(warm));
    assert_int_equal(log.warnings, 0);
    assert_string_equal(aupf_ruleset_hash(cold), aupf_ruleset_hash(warm));
    assert_verdict(cold, "kill time, then kill", "violence.c.kill@16-20");
    assert_verdict(warm, "kill time, then kill", "violence.c.kill@16-20");
    aupf_rule_info a, b;
    aupf_ruleset_rule_info(cold, 0, &a);
    aupf_ruleset_rule_info(warm, 0, &b);
    assert_int_equal(a.max_width, b.max_width);
    aupf_ruleset_release(cold);
    aupf_ruleset_release(warm);
}

static void changed_rules_do_not_use_the_old_cache(void **state) {
    (void)state;
    env e;
    make_env(&e, RULES_A);
    diag_log log;
    aupf_ruleset_release(load(&e, &log));
    write_env(&e, RULES_B);
    aupf_ruleset *rs = load(&e, &log);
    assert_false(aupf_ruleset_from_cache(rs));
    assert_verdict(rs, "kill or murder", "violence.c.kill@8-14");
    aupf_ruleset_release(rs);
}

static void corrupt_cache_is_rebuilt(void **state) {
    (void)state;
    env e;
    make_env(&e, RULES_A);
    diag_log log;
    aupf_ruleset_release(load(&e, &log));
    const char *path = cache_file(&e);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    flip_byte(f, 200, SEEK_SET);
    fclose(f);
    aupf_ruleset *rs = load(&e, &log);
    assert_false(aupf_ruleset_from_cache(rs));
    assert_non_null(strstr(log.text, "ignoring compiled-rules cache (damaged database)"));
    assert_verdict(rs, "kill", "violence.c.kill@0-4");
    aupf_ruleset_release(rs);
    /* the rebuilt cache is good again */
    rs = load(&e, &log);
    assert_true(aupf_ruleset_from_cache(rs));
    aupf_ruleset_release(rs);
}

/* The start databases stay serialized until a match needs one: damage
 * there is found late, and that one database is rebuilt from its
 * expression, so the verdict is still exact. */
static void damaged_lazy_database_is_rebuilt_when_used(void **state) {
    (void)state;
    env e;
    make_env(&e, RULES_A);
    diag_log log;
    aupf_ruleset_release(load(&e, &log));
    const char *path = cache_file(&e);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    flip_byte(f, -20, SEEK_END); /* inside the last start database (the suppressor's) */
    fclose(f);
    aupf_ruleset *rs = load(&e, &log);
    assert_true(aupf_ruleset_from_cache(rs));
    assert_verdict(rs, "kill time, then kill", "violence.c.kill@16-20");
    aupf_ruleset_release(rs);
}

static uint64_t read_u64(FILE *f) {
    unsigned char b[8];
    assert_int_equal(fread(b, 1, 8, f), 8);
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

/* The same for a pack's suppressor database: damage found when a rule of
 * the pack first fires, that database rebuilt, the suppressor still
 * counted. The file: magic, format, key, Hyperscan's version, the widths,
 * the trigger database, then the suppressor groups. */
static void damaged_suppressor_database_is_rebuilt_when_used(void **state) {
    (void)state;
    env e;
    make_env(&e, RULES_A);
    diag_log log;
    aupf_ruleset_release(load(&e, &log));
    FILE *f = fopen(cache_file(&e), "r+b");
    assert_non_null(f);
    fseek(f, 24, SEEK_SET);
    fseek(f, (long)read_u64(f), SEEK_CUR);     /* the version string */
    fseek(f, 8 * (long)read_u64(f), SEEK_CUR); /* the widths */
    uint64_t trigger_len = read_u64(f);
    fseek(f, 8 + (long)trigger_len, SEEK_CUR); /* its checksum and bytes */
    assert_int_equal(read_u64(f), 1);          /* one pack with suppressors */
    uint64_t len = read_u64(f);
    flip_byte(f, 8 + (long)len / 2, SEEK_CUR); /* the middle of its bytes */
    fclose(f);
    aupf_ruleset *rs = load(&e, &log);
    assert_true(aupf_ruleset_from_cache(rs));
    assert_verdict(rs, "kill time, then kill", "violence.c.kill@16-20");
    assert_verdict(rs, "kill time", "");
    aupf_ruleset_release(rs);
}

static void truncated_cache_is_rebuilt(void **state) {
    (void)state;
    env e;
    make_env(&e, RULES_A);
    diag_log log;
    aupf_ruleset_release(load(&e, &log));
    const char *path = cache_file(&e);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(truncate(path, st.st_size / 2), 0);
    aupf_ruleset *rs = load(&e, &log);
    assert_false(aupf_ruleset_from_cache(rs));
    assert_non_null(strstr(log.text, "ignoring compiled-rules cache"));
    aupf_ruleset_release(rs);
}

static void stale_cache_under_the_right_name_is_rejected(void **state) {
    (void)state;
    env a, b;
    make_env(&a, RULES_A);
    make_env(&b, RULES_B);
    diag_log log;
    aupf_ruleset_release(load(&a, &log));
    aupf_ruleset_release(load(&b, &log));
    char from[1024], to[1024];
    snprintf(from, sizeof from, "%s", cache_file(&b));
    snprintf(to, sizeof to, "%s", cache_file(&a));
    /* rules B's valid file placed where rules A's cache belongs */
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    int c;
    while ((c = fgetc(in)) != EOF)
        fputc(c, out);
    fclose(in);
    fclose(out);
    aupf_ruleset *rs = load(&a, &log);
    assert_false(aupf_ruleset_from_cache(rs));
    assert_non_null(strstr(log.text, "built from other rules"));
    assert_verdict(rs, "murder and kill", "violence.c.kill@11-15");
    aupf_ruleset_release(rs);
}

static void unwritable_cache_dir_still_loads(void **state) {
    (void)state;
    env e;
    make_env(&e, RULES_A);
    /* the cache "directory" is a regular file */
    snprintf(e.cache, sizeof e.cache, "%s", test_write(e.dir, "not-a-dir", "x"));
    write_env(&e, RULES_A);
    diag_log log;
    aupf_ruleset *rs = load(&e, &log);
    assert_false(aupf_ruleset_from_cache(rs));
    assert_non_null(strstr(log.text, "cannot create cache directory"));
    assert_verdict(rs, "kill", "violence.c.kill@0-4");
    aupf_ruleset_release(rs);
}

static void no_cache_option_skips_the_cache(void **state) {
    (void)state;
    env e;
    make_env(&e, RULES_A);
    aupf_load_options o = {.no_cache = 1};
    aupf_ruleset *rs = NULL;
    assert_int_equal(aupf_ruleset_load(e.conf, &o, NULL, NULL, &rs), AUPF_OK);
    assert_string_equal(cache_file(&e), "");
    aupf_ruleset_release(rs);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(warm_start_loads_the_cache),
        cmocka_unit_test(changed_rules_do_not_use_the_old_cache),
        cmocka_unit_test(corrupt_cache_is_rebuilt),
        cmocka_unit_test(damaged_lazy_database_is_rebuilt_when_used),
        cmocka_unit_test(damaged_suppressor_database_is_rebuilt_when_used),
        cmocka_unit_test(truncated_cache_is_rebuilt),
        cmocka_unit_test(stale_cache_under_the_right_name_is_rejected),
        cmocka_unit_test(unwritable_cache_dir_still_loads),
        cmocka_unit_test(no_cache_option_skips_the_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
