/* Reads a rule pack (libconfig) into rules, validating every field. */
#include "lcread.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const known_fields[] = {"id",      "rev",    "category",    "pattern", "weight",
                                           "flags",   "roles",  "description", "unless",  "matches",
                                           "ignores", "shadow", NULL};

static bool valid_id(const char *id) {
    int segments = 1;
    bool empty = true;
    for (const char *p = id; *p; p++) {
        if (*p == '.') {
            if (empty)
                return false;
            segments++;
            empty = true;
        } else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_') {
            empty = false;
        } else {
            return false;
        }
    }
    return !empty && segments >= 2;
}

static bool has_non_ascii(const char *s) {
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return true;
    return false;
}

/* A pack file's text and where each of its lines starts, so that a rule's
 * source line is found without walking the file from the top (which made
 * loading quadratic in the pack's length). */
typedef struct {
    const char *text;
    const char **line; /* line[k]: the start of line k + 1 */
    size_t lines;
} pack_source;

static void index_lines(pack_source *ps, const char *text) {
    *ps = (pack_source){.text = text};
    if (!text)
        return;
    size_t n = 1;
    for (const char *p = text; (p = strchr(p, '\n')); p++)
        n++;
    if (!(ps->line = malloc(n * sizeof *ps->line)))
        return; /* the escape check then walks the text */
    ps->line[ps->lines++] = text;
    for (const char *p = text; (p = strchr(p, '\n')); p++)
        ps->line[ps->lines++] = p + 1;
}

static const char *line_start(const pack_source *ps, int line) {
    if (!ps->text || line <= 0)
        return NULL;
    if (ps->line)
        return (size_t)line <= ps->lines ? ps->line[line - 1] : NULL;
    const char *p = ps->text;
    for (int l = 1; l < line && p; l++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return p;
}

/* libconfig rewrites \\ \" \n \t \r \f \xNN and passes other escapes through,
 * so "\b" and "\\b" both reach Hyperscan as \b. The convention is to always
 * double the backslash; warn on a single one in the raw source line. */
static void check_escapes(const aupf__lcctx *c, const pack_source *source, int line,
                          const char *field) {
    const char *p = line_start(source, line);
    if (!p)
        return;
    bool in_string = false;
    for (; *p && *p != '\n'; p++) {
        if (*p == '"') {
            in_string = !in_string;
        } else if (in_string && *p == '\\') {
            if (p[1] == '\\' || p[1] == '"') {
                p++;
                continue;
            }
            aupf__report(c->diag, AUPF_DIAG_WARNING, c->file, line, c->rule_id,
                         "single backslash '\\%c' in %s: libconfig may rewrite it; write "
                         "'\\\\%c'",
                         p[1] ? p[1] : ' ', field, p[1] ? p[1] : ' ');
            return;
        }
    }
}

static unsigned parse_flags(const aupf__lcctx *c, const config_setting_t *g,
                            const aupf__strlist *flags, bool *ok) {
    unsigned f = HS_FLAG_CASELESS;
    for (size_t i = 0; i < flags->count; i++) {
        const char *n = flags->items[i];
        if (strcmp(n, "case_sensitive") == 0)
            f &= ~(unsigned)HS_FLAG_CASELESS;
        else if (strcmp(n, "dotall") == 0)
            f |= HS_FLAG_DOTALL;
        else if (strcmp(n, "multiline") == 0)
            f |= HS_FLAG_MULTILINE;
        else if (strcmp(n, "utf8") == 0)
            f |= HS_FLAG_UTF8;
        else if (strcmp(n, "ucp") == 0)
            f |= HS_FLAG_UTF8 | HS_FLAG_UCP;
        else {
            aupf__report(
                c->diag, AUPF_DIAG_ERROR, aupf__lc_file(c, g), aupf__lc_line(g), c->rule_id,
                "unknown flag '%s' (known: case_sensitive, dotall, multiline, utf8, ucp)", n);
            *ok = false;
        }
    }
    return f;
}

static unsigned parse_roles(const aupf__lcctx *c, const config_setting_t *g,
                            const aupf__strlist *roles, bool *ok) {
    unsigned r = 0;
    for (size_t i = 0; i < roles->count; i++) {
        if (strcmp(roles->items[i], "prompt") == 0)
            r |= AUPF_ROLE_PROMPT;
        else if (strcmp(roles->items[i], "completion") == 0)
            r |= AUPF_ROLE_COMPLETION;
        else {
            aupf__report(c->diag, AUPF_DIAG_ERROR, aupf__lc_file(c, g), aupf__lc_line(g),
                         c->rule_id, "unknown role '%s' (known: prompt, completion)",
                         roles->items[i]);
            *ok = false;
        }
    }
    if (roles->count == 0) {
        aupf__report(c->diag, AUPF_DIAG_ERROR, aupf__lc_file(c, g), aupf__lc_line(g), c->rule_id,
                     "'roles' is empty: give prompt, completion or both");
        *ok = false;
    }
    return r;
}

static void rule_free(aupf__rule *r) {
    free(r->id);
    free(r->pattern);
    free(r->description);
    free(r->file);
    aupf__strlist_free(&r->unless);
    aupf__strlist_free(&r->matches);
    aupf__strlist_free(&r->ignores);
}

static size_t find_category(const aupf_ruleset *rs, const char *name) {
    for (size_t i = 0; i < rs->category_count; i++)
        if (strcmp(rs->categories[i].name, name) == 0)
            return i;
    return SIZE_MAX;
}

static size_t id_slot(const char *id, size_t slot_count) {
    aupf__hasher h;
    aupf__hash_init(&h);
    aupf__hash_str(&h, id);
    return (size_t)aupf__hash_final(&h) & (slot_count - 1);
}

static bool id_taken(const aupf_ruleset *rs, const char *id) {
    for (size_t k = rs->id_slot_count ? id_slot(id, rs->id_slot_count) : 0;
         rs->id_slot_count && rs->id_slots[k]; k = (k + 1) & (rs->id_slot_count - 1))
        if (strcmp(rs->rules[rs->id_slots[k] - 1].id, id) == 0)
            return true;
    return false;
}

static void id_slot_put(uint32_t *slots, size_t slot_count, const char *id, uint32_t rule) {
    size_t k = id_slot(id, slot_count);
    while (slots[k])
        k = (k + 1) & (slot_count - 1);
    slots[k] = rule + 1;
}

/* Adds the last rule's id, keeping the table at most half full. */
static int id_index_add(aupf_ruleset *rs) {
    if (2 * rs->rule_count > rs->id_slot_count) {
        size_t n = rs->id_slot_count ? 2 * rs->id_slot_count : 256;
        uint32_t *slots = calloc(n, sizeof *slots);
        if (!slots)
            return -1;
        for (size_t i = 0; i + 1 < rs->rule_count; i++)
            id_slot_put(slots, n, rs->rules[i].id, (uint32_t)i);
        free(rs->id_slots);
        rs->id_slots = slots;
        rs->id_slot_count = n;
    }
    id_slot_put(rs->id_slots, rs->id_slot_count, rs->rules[rs->rule_count - 1].id,
                (uint32_t)(rs->rule_count - 1));
    return 0;
}

/* Reads one rule group; returns 1 when valid (appended), 0 when invalid
 * (reported), -1 on out of memory. */
static int read_rule(aupf_ruleset *rs, aupf__lcctx *c, const config_setting_t *g,
                     const pack_source *source) {
    aupf__rule r = {0};
    const char *s;
    bool ok = true;
    int line = aupf__lc_line(g);
    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        aupf__report(c->diag, AUPF_DIAG_ERROR, c->file, line, NULL,
                     "each rule must be a group { id = ...; }");
        return 0;
    }
    c->rule_id = NULL;
    if (aupf__lc_string(c, g, "id", true, &s) != 1)
        return 0;
    if (!(r.id = aupf__strdup(s)))
        return -1;
    c->rule_id = r.id;
    if (!valid_id(r.id)) {
        aupf__report(c->diag, AUPF_DIAG_ERROR, c->file, line, r.id,
                     "id must be dotted lower-case segments of a-z, 0-9 and _ (e.g. "
                     "weapons.explosives.build_request)");
        ok = false;
    } else if (id_taken(rs, r.id)) {
        aupf__report(c->diag, AUPF_DIAG_ERROR, c->file, line, r.id, "duplicate rule id");
        ok = false;
    }
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(m);
        bool known = false;
        for (const char *const *k = known_fields; *k; k++)
            known = known || strcmp(*k, name) == 0;
        if (!known)
            aupf__report(c->diag, AUPF_DIAG_WARNING, c->file, aupf__lc_line(m), r.id,
                         "unknown setting '%s' is ignored", name);
    }
    if (aupf__lc_int(c, g, "rev", true, &r.rev) == 1 && r.rev < 1) {
        aupf__report(c->diag, AUPF_DIAG_ERROR, c->file, line, r.id, "rev must be >= 1");
        ok = false;
    } else if (r.rev < 1) {
        ok = false;
    }
    if (aupf__lc_string(c, g, "category", true, &s) == 1) {
        r.category = find_category(rs, s);
        if (r.category == SIZE_MAX) {
            aupf__report(c->diag, AUPF_DIAG_ERROR, c->file,
                         aupf__lc_line(config_setting_get_member(g, "category")), r.id,
                         "category '%s' is not declared in the configuration", s);
            ok = false;
        }
    } else {
        ok = false;
    }
    if (aupf__lc_string(c, g, "pattern", true, &s) == 1) {
        if (!s[0]) {
            aupf__report(c->diag, AUPF_DIAG_ERROR, c->file, line, r.id, "pattern is empty");
            ok = false;
        }
        if (!(r.pattern = aupf__strdup(s)))
            goto oom;
        check_escapes(c, source, aupf__lc_line(config_setting_get_member(g, "pattern")), "pattern");
    } else {
        ok = false;
    }
    if (aupf__lc_number(c, g, "weight", true, &r.weight) == 1) {
        if (!(r.weight > 0.0 && r.weight <= 1.0)) {
            aupf__report(c->diag, AUPF_DIAG_ERROR, c->file,
                         aupf__lc_line(config_setting_get_member(g, "weight")), r.id,
                         "weight %g is not in (0, 1]", r.weight);
            ok = false;
        }
    } else {
        ok = false;
    }
    aupf__strlist list = {0};
    if (aupf__lc_strlist(c, g, "flags", false, &list) < 0)
        ok = false;
    r.hs_flags = parse_flags(c, g, &list, &ok);
    if (r.pattern && has_non_ascii(r.pattern))
        r.hs_flags |= HS_FLAG_UTF8;
    aupf__strlist_free(&list);
    if (aupf__lc_strlist(c, g, "roles", true, &list) == 1)
        r.roles = parse_roles(c, g, &list, &ok);
    else
        ok = false;
    aupf__strlist_free(&list);
    if (aupf__lc_string(c, g, "description", true, &s) == 1) {
        if (!(r.description = aupf__strdup(s)))
            goto oom;
    } else {
        ok = false;
    }
    if (aupf__lc_bool(c, g, "shadow", &r.shadow) < 0)
        ok = false;
    if (aupf__lc_strlist(c, g, "unless", false, &r.unless) < 0)
        ok = false;
    const config_setting_t *unless = config_setting_get_member(g, "unless");
    for (size_t i = 0; i < r.unless.count; i++) {
        if (!r.unless.items[i][0]) {
            aupf__report(c->diag, AUPF_DIAG_ERROR, c->file, aupf__lc_line(unless), r.id,
                         "unless pattern %zu is empty", i + 1);
            ok = false;
        }
        if (has_non_ascii(r.unless.items[i]))
            r.hs_flags |= HS_FLAG_UTF8;
    }
    if (unless)
        check_escapes(c, source, aupf__lc_line(unless), "unless");
    if (aupf__lc_strlist(c, g, "matches", true, &r.matches) == 1 && r.matches.count == 0) {
        aupf__report(c->diag, AUPF_DIAG_ERROR, c->file, line, r.id,
                     "'matches' must give at least one example");
        ok = false;
    }
    if (aupf__lc_strlist(c, g, "ignores", false, &r.ignores) == 0 || r.ignores.count == 0)
        aupf__report(c->diag, AUPF_DIAG_WARNING, c->file, line, r.id,
                     "no 'ignores' examples: give the look-alikes this rule must pass");
    if (!ok) {
        rule_free(&r);
        return 0;
    }
    if (!(r.file = aupf__strdup(c->file)))
        goto oom;
    r.line = line;
    aupf__rule *rules = realloc(rs->rules, (rs->rule_count + 1) * sizeof *rules);
    if (!rules)
        goto oom;
    rs->rules = rules;
    rules[rs->rule_count++] = r;
    return id_index_add(rs) == 0 ? 1 : -1;
oom:
    rule_free(&r);
    return -1;
}

static char *read_whole(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[65536];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char *b = realloc(buf, cap);
            if (!b) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = b;
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(f);
    if (!buf)
        buf = calloc(1, 1);
    else
        buf[len] = 0;
    return buf;
}

int aupf__pack_load(aupf_ruleset *rs, const char *path, aupf__diag *d) {
    config_t cfg;
    config_init(&cfg);
    int status = AUPF_OK;
    if (!config_read_file(&cfg, path)) {
        if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO) {
            aupf__report(d, AUPF_DIAG_ERROR, path, 0, NULL, "cannot read rule pack");
            status = AUPF_E_IO;
        } else {
            aupf__report(d, AUPF_DIAG_ERROR,
                         config_error_file(&cfg) ? config_error_file(&cfg) : path,
                         config_error_line(&cfg), NULL, "%s", config_error_text(&cfg));
            status = AUPF_E_RULE;
        }
        config_destroy(&cfg);
        return status;
    }
    char *text = read_whole(path);
    pack_source source;
    index_lines(&source, text);
    aupf__lcctx c = {d, path, NULL};
    const config_setting_t *rules = config_lookup(&cfg, "rules");
    if (!rules || config_setting_type(rules) != CONFIG_TYPE_LIST) {
        aupf__report(d, AUPF_DIAG_ERROR, path, rules ? aupf__lc_line(rules) : 0, NULL,
                     "a pack must define 'rules = ( { ... }, ... );'");
        status = AUPF_E_RULE;
    } else {
        for (int i = 0; i < config_setting_length(rules); i++) {
            int r = read_rule(rs, &c, config_setting_get_elem(rules, (unsigned)i), &source);
            if (r < 0) {
                status = AUPF_E_NOMEM;
                break;
            }
            if (r == 0)
                status = AUPF_E_RULE;
        }
    }
    free(source.line);
    free(text);
    config_destroy(&cfg);
    return status;
}
