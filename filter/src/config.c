/* Reads the configuration: categories, packs, messages, cache directory. */
#include "lcread.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_action(const char *s, aupf_action *out) {
    static const aupf_action all[] = {AUPF_ACTION_ALLOW, AUPF_ACTION_ANNOTATE, AUPF_ACTION_REDACT,
                                      AUPF_ACTION_BLOCK};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(s, aupf_action_name(all[i])) == 0) {
            *out = all[i];
            return 1;
        }
    return 0;
}

static bool valid_name(const char *s) {
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/* Directory part of path, with a trailing slash ("" when none). */
static char *dir_of(const char *path) {
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path + 1) : 0;
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, path, n);
        d[n] = 0;
    }
    return d;
}

static char *join(const char *dir, const char *rel) {
    if (rel[0] == '/')
        return aupf__strdup(rel);
    size_t a = strlen(dir), b = strlen(rel);
    char *p = malloc(a + b + 1);
    if (p) {
        memcpy(p, dir, a);
        memcpy(p + a, rel, b + 1);
    }
    return p;
}

/* A pack entry is a file or a glob pattern for a language folder's packs;
 * a pattern that matches nothing is a warning (a language may ship no pack
 * for a category). Matches load in sorted order. */
static int add_packs(aupf__config_extra *extra, const char *path, const char *config,
                     aupf__diag *d) {
    if (!strpbrk(path, "*?["))
        return aupf__strlist_push(&extra->packs, path);
    glob_t g;
    int r = glob(path, 0, NULL, &g);
    if (r == GLOB_NOMATCH) {
        aupf__report(d, AUPF_DIAG_WARNING, config, 0, NULL, "no rule pack matches '%s'", path);
        return AUPF_OK;
    }
    int st = r == 0 ? AUPF_OK : AUPF_E_IO;
    for (size_t i = 0; st == AUPF_OK && i < g.gl_pathc; i++) /* sorted: stable order */
        st = aupf__strlist_push(&extra->packs, g.gl_pathv[i]);
    globfree(&g);
    return st;
}

static int read_category(aupf_ruleset *rs, const aupf__lcctx *c, const config_setting_t *g) {
    const char *name = NULL, *action = "annotate", *desc = "";
    double threshold = 0.5, boost = 0.0;
    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        aupf__report(c->diag, AUPF_DIAG_ERROR, aupf__lc_file(c, g), aupf__lc_line(g), NULL,
                     "each category must be a group { name = ...; }");
        return 0;
    }
    if (aupf__lc_string(c, g, "name", true, &name) != 1)
        return 0;
    if (!valid_name(name)) {
        aupf__report(c->diag, AUPF_DIAG_ERROR, aupf__lc_file(c, g), aupf__lc_line(g), NULL,
                     "category name '%s' must use only a-z, 0-9 and _", name);
        return 0;
    }
    for (size_t i = 0; i < rs->category_count; i++)
        if (strcmp(rs->categories[i].name, name) == 0) {
            aupf__report(c->diag, AUPF_DIAG_ERROR, aupf__lc_file(c, g), aupf__lc_line(g), NULL,
                         "category '%s' declared twice", name);
            return 0;
        }
    aupf__lc_number(c, g, "threshold", false, &threshold);
    aupf__lc_string(c, g, "action", false, &action);
    aupf__lc_string(c, g, "description", false, &desc);
    aupf__lc_number(c, g, "evasion_boost", false, &boost);
    const char *code = NULL;
    aupf__lc_string(c, g, "llamaguard_code", false, &code);
    bool shadow = false;
    aupf__lc_bool(c, g, "shadow", &shadow);
    if (!(boost >= 0.0 && boost < 1.0)) {
        aupf__report(c->diag, AUPF_DIAG_ERROR, aupf__lc_file(c, g), aupf__lc_line(g), NULL,
                     "category '%s': evasion_boost %g is not in [0, 1)", name, boost);
        return 0;
    }
    aupf_action act;
    if (!parse_action(action, &act)) {
        aupf__report(c->diag, AUPF_DIAG_ERROR, aupf__lc_file(c, g), aupf__lc_line(g), NULL,
                     "category '%s': action '%s' is not one of allow, annotate, redact, block",
                     name, action);
        return 0;
    }
    if (!(threshold > 0.0 && threshold <= 1.0)) {
        aupf__report(c->diag, AUPF_DIAG_ERROR, aupf__lc_file(c, g), aupf__lc_line(g), NULL,
                     "category '%s': threshold %g is not in (0, 1]", name, threshold);
        return 0;
    }
    aupf__category *cats =
        realloc(rs->categories, (rs->category_count + 1) * sizeof *rs->categories);
    if (!cats)
        return -1;
    rs->categories = cats;
    aupf__category *cat = &cats[rs->category_count];
    cat->name = aupf__strdup(name);
    cat->description = aupf__strdup(desc);
    cat->threshold = threshold;
    cat->action = act;
    cat->evasion_boost = boost;
    cat->shadow = shadow;
    char fallback[24];
    snprintf(fallback, sizeof fallback, "S%zu", rs->category_count + 1);
    cat->code = aupf__strdup(code ? code : fallback);
    rs->category_count++;
    return (cat->name && cat->description && cat->code) ? 1 : -1;
}

int aupf__config_load(aupf_ruleset *rs, const char *path, aupf__config_extra *extra,
                      aupf__diag *d) {
    config_t cfg;
    config_init(&cfg);
    char *dir = dir_of(path);
    if (!dir) {
        config_destroy(&cfg);
        return AUPF_E_NOMEM;
    }
    config_set_include_dir(&cfg, dir[0] ? dir : ".");
    int status = AUPF_OK;
    if (!config_read_file(&cfg, path)) {
        if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO) {
            aupf__report(d, AUPF_DIAG_ERROR, path, 0, NULL, "cannot read configuration file");
            status = AUPF_E_IO;
        } else {
            aupf__report(d, AUPF_DIAG_ERROR,
                         config_error_file(&cfg) ? config_error_file(&cfg) : path,
                         config_error_line(&cfg), NULL, "%s", config_error_text(&cfg));
            status = AUPF_E_CONFIG;
        }
        goto out;
    }
    aupf__lcctx c = {d, path, NULL};
    const config_setting_t *root = config_root_setting(&cfg);
    size_t errors_before = d->errors;

    const config_setting_t *cats = config_setting_get_member(root, "categories");
    if (!cats || config_setting_type(cats) != CONFIG_TYPE_LIST ||
        config_setting_length(cats) == 0) {
        aupf__report(d, AUPF_DIAG_ERROR, path, cats ? aupf__lc_line(cats) : 0, NULL,
                     "'categories' must be a non-empty list ( { name = ...; }, ... )");
    } else {
        for (int i = 0; i < config_setting_length(cats); i++)
            if (read_category(rs, &c, config_setting_get_elem(cats, (unsigned)i)) < 0) {
                status = AUPF_E_NOMEM;
                goto out;
            }
    }

    aupf__strlist packs = {0};
    if (aupf__lc_strlist(&c, root, "packs", true, &packs) == 1 && packs.count == 0)
        aupf__report(d, AUPF_DIAG_ERROR, path,
                     aupf__lc_line(config_setting_get_member(root, "packs")), NULL,
                     "'packs' lists no rule pack");
    for (size_t i = 0; i < packs.count; i++) {
        char *full = join(dir, packs.items[i]);
        int st = full ? add_packs(extra, full, path, d) : AUPF_E_NOMEM;
        free(full);
        if (st != AUPF_OK) {
            aupf__strlist_free(&packs);
            status = st;
            goto out;
        }
    }
    aupf__strlist_free(&packs);

    const char *s = "This content was blocked by the acceptable-use policy.";
    aupf__lc_string(&c, root, "block_message", false, &s);
    rs->block_message = aupf__strdup(s);
    const config_setting_t *msgs = config_setting_get_member(root, "block_messages");
    if (msgs && config_setting_type(msgs) != CONFIG_TYPE_GROUP) {
        aupf__report(d, AUPF_DIAG_ERROR, path, aupf__lc_line(msgs), NULL,
                     "'block_messages' must be a group { es = \"...\"; fr = \"...\"; }");
    } else if (msgs) {
        for (int i = 0; i < config_setting_length(msgs); i++) {
            const config_setting_t *m = config_setting_get_elem(msgs, (unsigned)i);
            if (config_setting_type(m) != CONFIG_TYPE_STRING) {
                aupf__report(d, AUPF_DIAG_ERROR, path, aupf__lc_line(m), NULL,
                             "block message '%s' must be a string", config_setting_name(m));
                continue;
            }
            if (aupf__strlist_push(&rs->block_message_languages, config_setting_name(m)) ||
                aupf__strlist_push(&rs->block_messages, config_setting_get_string(m))) {
                status = AUPF_E_NOMEM;
                goto out;
            }
        }
    }
    s = "fail_closed";
    if (aupf__lc_string(&c, root, "on_error", false, &s) == 1) {
        if (strcmp(s, "fail_closed") == 0)
            rs->on_error = AUPF_FAIL_CLOSED;
        else if (strcmp(s, "fail_open") == 0)
            rs->on_error = AUPF_FAIL_OPEN;
        else
            aupf__report(d, AUPF_DIAG_ERROR, path,
                         aupf__lc_line(config_setting_get_member(root, "on_error")), NULL,
                         "'on_error' must be \"fail_closed\" or \"fail_open\", not '%s'", s);
    }
    bool compact = false; /* streams: smaller state, a little slower (stream_state.c) */
    aupf__lc_bool(&c, root, "compact_streams", &compact);
    rs->compact_streams = compact;
    s = "[redacted]";
    aupf__lc_string(&c, root, "redact_with", false, &s);
    rs->redact_with = aupf__strdup(s);
    s = NULL;
    if (aupf__lc_string(&c, root, "cache_dir", false, &s) == 1) {
        /* "" means the default location; "none" turns caching off. */
        extra->cache_dir = s[0] == 0                ? NULL
                           : strcmp(s, "none") == 0 ? aupf__strdup("none")
                                                    : join(dir, s);
        if (s[0] && !extra->cache_dir)
            status = AUPF_E_NOMEM;
    }
    if (!rs->block_message || !rs->redact_with)
        status = AUPF_E_NOMEM;
    else if (d->errors > errors_before)
        status = AUPF_E_CONFIG;
out:
    free(dir);
    config_destroy(&cfg);
    return status;
}

void aupf__config_extra_free(aupf__config_extra *extra) {
    aupf__strlist_free(&extra->packs);
    free(extra->cache_dir);
    extra->cache_dir = NULL;
}
