/* fuzz_loader: the input is a rule pack (and optionally a configuration)
 * written into a temporary directory and loaded with aupf_ruleset_load
 * (no cache). Errors are expected; crashes, leaks and sanitizer reports are
 * not.
 *
 * Input: RULES, or CONFIG "\n====\n" RULES. Without a CONFIG part a fixed
 * configuration (three categories, one per action) lists the pack. */
#include "aupfilter.h"

#include <libconfig.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];
static char conf_path[128], rules_path[128];

static const char FIXED_CONF[] =
    "categories = (\n"
    "  { name = \"violence\"; threshold = 0.5; action = \"block\"; },\n"
    "  { name = \"weapons\"; threshold = 0.5; action = \"redact\"; evasion_boost = 0.5; },\n"
    "  { name = \"spam\"; threshold = 0.6; action = \"annotate\"; },\n"
    "  { name = \"other\"; threshold = 0.6; action = \"allow\"; }\n"
    ");\n"
    "packs = [ \"fuzz.rules\" ];\n"
    "block_message = \"[blocked]\";\n"
    "redact_with = \"[X]\";\n";

static void cleanup(void) {
    unlink(conf_path);
    unlink(rules_path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    strcpy(dir, "/tmp/aupf-fuzz-loader-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(conf_path, sizeof conf_path, "%s/fuzz.conf", dir);
    snprintf(rules_path, sizeof rules_path, "%s/fuzz.rules", dir);
    atexit(cleanup);
    return 0;
}

static void write_file(const char *path, const void *p, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (n && fwrite(p, 1, n, f) != n)
        abort();
    fclose(f);
}

static const void *find(const uint8_t *p, size_t n, const char *needle) {
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(p + i, needle, k) == 0)
            return p + i;
    return NULL;
}

/* A fuzzed configuration must not send the loader outside the temporary
 * directory (/dev/zero as a pack would only measure the fuzzer's patience):
 * every pack is a plain file name there. */
static int config_stays_home(const char *text) {
    config_t cfg;
    config_init(&cfg);
    config_set_include_dir(&cfg, dir);
    int ok = config_read_string(&cfg, text) == CONFIG_TRUE;
    if (ok) {
        const config_setting_t *packs = config_lookup(&cfg, "packs");
        for (int i = 0; packs && i < config_setting_length(packs); i++) {
            const char *s = config_setting_get_string_elem(packs, i);
            if (s && (strchr(s, '/') || s[0] == '.' || s[0] == '~'))
                ok = 0;
        }
    }
    config_destroy(&cfg);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* no file inclusion at all, and no text the loader would read as a
     * path outside the directory */
    if (find(data, size, "@include"))
        return 0;
    const uint8_t *sep = find(data, size, "\n====\n");
    const uint8_t *rules = data;
    size_t rules_len = size;
    if (sep) {
        size_t conf_len = (size_t)(sep - data);
        if (memchr(data, 0, conf_len))
            return 0;
        char *conf = malloc(conf_len + 1);
        memcpy(conf, data, conf_len);
        conf[conf_len] = 0;
        int home = config_stays_home(conf);
        if (home)
            write_file(conf_path, conf, conf_len);
        free(conf);
        if (!home)
            return 0;
        rules = sep + 6;
        rules_len = size - conf_len - 6;
    } else {
        write_file(conf_path, FIXED_CONF, sizeof FIXED_CONF - 1);
    }
    write_file(rules_path, rules, rules_len);

    aupf_load_options o = {.no_cache = 1};
    aupf_ruleset *rs = NULL;
    int st = aupf_ruleset_load(conf_path, &o, NULL, NULL, &rs);
    if (st == AUPF_OK) {
        if (!rs)
            abort();
        /* a loaded ruleset must answer its accessors and scan */
        (void)aupf_ruleset_hash(rs);
        (void)aupf_ruleset_holdback(rs);
        for (size_t i = 0; i < aupf_ruleset_rule_count(rs); i++) {
            aupf_rule_info info;
            if (aupf_ruleset_rule_info(rs, i, &info) != AUPF_OK || !info.id || !info.pattern)
                abort();
        }
        aupf_scanner *s = NULL;
        if (aupf_scanner_new(rs, &s) == AUPF_OK) {
            size_t run = 0;
            (void)aupf_ruleset_check_examples(rs, s, NULL, NULL, &run);
            aupf_scanner_free(s);
        }
        aupf_ruleset_release(rs);
    } else if (st >= 0) {
        abort(); /* a failure is a negative status */
    }
    return 0;
}
