#include "lcread.h"

const char *aupf__lc_file(const aupf__lcctx *c, const config_setting_t *s) {
    const char *f = s ? config_setting_source_file(s) : NULL;
    return f ? f : c->file;
}

int aupf__lc_line(const config_setting_t *s) { return s ? (int)config_setting_source_line(s) : 0; }

static const config_setting_t *member(const aupf__lcctx *c, const config_setting_t *group,
                                      const char *name, bool required) {
    const config_setting_t *s = config_setting_get_member(group, name);
    if (!s && required)
        aupf__report(c->diag, AUPF_DIAG_ERROR, aupf__lc_file(c, group), aupf__lc_line(group),
                     c->rule_id, "missing required setting '%s'", name);
    return s;
}

static int wrong_type(const aupf__lcctx *c, const config_setting_t *s, const char *name,
                      const char *want) {
    aupf__report(c->diag, AUPF_DIAG_ERROR, aupf__lc_file(c, s), aupf__lc_line(s), c->rule_id,
                 "'%s' must be %s", name, want);
    return -1;
}

int aupf__lc_string(const aupf__lcctx *c, const config_setting_t *group, const char *name,
                    bool required, const char **out) {
    const config_setting_t *s = member(c, group, name, required);
    if (!s)
        return 0;
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return wrong_type(c, s, name, "a string");
    *out = config_setting_get_string(s);
    return 1;
}

int aupf__lc_number(const aupf__lcctx *c, const config_setting_t *group, const char *name,
                    bool required, double *out) {
    const config_setting_t *s = member(c, group, name, required);
    if (!s)
        return 0;
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_FLOAT:
        *out = config_setting_get_float(s);
        return 1;
    case CONFIG_TYPE_INT:
        *out = config_setting_get_int(s);
        return 1;
    case CONFIG_TYPE_INT64:
        *out = (double)config_setting_get_int64(s);
        return 1;
    default:
        return wrong_type(c, s, name, "a number");
    }
}

int aupf__lc_int(const aupf__lcctx *c, const config_setting_t *group, const char *name,
                 bool required, int *out) {
    const config_setting_t *s = member(c, group, name, required);
    if (!s)
        return 0;
    if (config_setting_type(s) != CONFIG_TYPE_INT)
        return wrong_type(c, s, name, "an integer");
    *out = config_setting_get_int(s);
    return 1;
}

int aupf__lc_bool(const aupf__lcctx *c, const config_setting_t *group, const char *name,
                  bool *out) {
    const config_setting_t *s = member(c, group, name, false);
    if (!s)
        return 0;
    if (config_setting_type(s) != CONFIG_TYPE_BOOL)
        return wrong_type(c, s, name, "true or false");
    *out = config_setting_get_bool(s);
    return 1;
}

int aupf__lc_strlist(const aupf__lcctx *c, const config_setting_t *group, const char *name,
                     bool required, aupf__strlist *out) {
    const config_setting_t *s = member(c, group, name, required);
    if (!s)
        return 0;
    int t = config_setting_type(s);
    if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
        return wrong_type(c, s, name, "a list of strings, e.g. [\"a\", \"b\"]");
    int n = config_setting_length(s);
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING)
            return wrong_type(c, s, name, "a list of strings");
        if (aupf__strlist_push(out, config_setting_get_string(e)) != AUPF_OK) {
            aupf__report(c->diag, AUPF_DIAG_ERROR, NULL, 0, NULL, "out of memory");
            return -1;
        }
    }
    return 1;
}
