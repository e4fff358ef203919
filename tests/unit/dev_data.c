#include "dev_data.h"
#include "helpers.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

aupf_ruleset *dev_shipped_ruleset(void) {
    aupf_load_options o = {.cache_dir = AUPF_TEST_CACHE};
    aupf_ruleset *rs = NULL;
    diag_log log = {0};
    if (aupf_ruleset_load(AUPF_TEST_CONFIG, &o, diag_capture, &log, &rs) != AUPF_OK)
        fail_msg("cannot load the shipped ruleset:\n%s", log.text);
    return rs;
}

bool dev_data_present(const char *dir) {
    DIR *d = opendir(dir);
    if (d)
        closedir(d);
    return d != NULL;
}

static size_t each_in_file(const char *path, const char *name, dev_record_fn fn, void *ctx,
                           size_t *failed) {
    gzFile f = gzopen(path, "rb");
    if (!f) {
        printf("%s: cannot open\n", path);
        (*failed)++;
        return 0;
    }
    aupf_role role = strstr(name, "completion") ? AUPF_ROLE_COMPLETION : AUPF_ROLE_PROMPT;
    size_t cap = 1 << 20, n = 0, bad = 0;
    char *line = malloc(cap);
    while (line && gzgets(f, line, (int)cap)) {
        json_t *o = json_loads(line, JSON_ALLOW_NUL, NULL);
        json_t *t = o ? json_object_get(o, "text") : NULL;
        if (json_is_string(t)) {
            if (!fn(ctx, name, n, role, json_string_value(t), json_string_length(t)))
                bad++;
            n++;
        }
        json_decref(o);
    }
    free(line);
    gzclose(f);
    printf("%-40s %7zu records %5zu failing\n", name, n, bad);
    *failed += bad;
    return n;
}

size_t dev_data_each(const char *dir, dev_record_fn fn, void *ctx, size_t *failed) {
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *de;
    size_t records = 0;
    char path[1024];
    while ((de = readdir(d)))
        if (strstr(de->d_name, ".jsonl")) {
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            records += each_in_file(path, de->d_name, fn, ctx, failed);
        }
    closedir(d);
    return records;
}
