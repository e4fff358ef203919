/* Loads configuration and packs into an immutable, reference-counted
 * ruleset; compiles it or takes it from the cache. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void ruleset_free(aupf_ruleset *rs) {
    for (size_t i = 0; i < rs->category_count; i++) {
        free(rs->categories[i].name);
        free(rs->categories[i].description);
        free(rs->categories[i].code);
    }
    free(rs->categories);
    free(rs->id_slots);
    for (size_t i = 0; i < rs->rule_count; i++) {
        aupf__rule *r = &rs->rules[i];
        free(r->id);
        free(r->pattern);
        free(r->description);
        free(r->file);
        aupf__strlist_free(&r->unless);
        aupf__strlist_free(&r->matches);
        aupf__strlist_free(&r->ignores);
    }
    free(rs->rules);
    for (size_t i = 0; i < rs->expr_count; i++) {
        if (rs->som_dbs)
            hs_free_database(rs->som_dbs[i]);
        if (rs->anchored_dbs)
            hs_free_database(rs->anchored_dbs[i]);
    }
    free(rs->som_dbs);
    free(rs->anchored_dbs);
    free(rs->start_blobs);
    aupf__cache_unmap(rs);
    for (size_t i = 0; rs->patterns && i < rs->pattern_count; i++)
        free(rs->patterns[i].owned);
    free(rs->patterns);
    free(rs->exprs);
    free(rs->expr_members);
    hs_free_database(rs->db);
    for (size_t g = 0; rs->unless_dbs && g < rs->unless_group_count; g++)
        hs_free_database(rs->unless_dbs[g]);
    free(rs->unless_dbs);
    free(rs->unless_blobs);
    hs_free_database(rs->stream_db);
    hs_free_database(rs->other_db);
    hs_free_scratch(rs->scratch_prototype);
    free(rs->block_message);
    aupf__strlist_free(&rs->block_message_languages);
    aupf__strlist_free(&rs->block_messages);
    free(rs->redact_with);
    free(rs->cache_dir);
    free(rs);
}

static void compute_hash(aupf_ruleset *rs) {
    aupf__hasher h;
    aupf__hash_init(&h);
    for (size_t i = 0; i < rs->category_count; i++) {
        const aupf__category *c = &rs->categories[i];
        aupf__hash_str(&h, c->name);
        aupf__hash_u64(&h, (uint64_t)(c->threshold * 1e9));
        aupf__hash_u64(&h, c->action);
        aupf__hash_u64(&h, c->shadow);
        aupf__hash_u64(&h, (uint64_t)(c->evasion_boost * 1e9));
    }
    for (size_t i = 0; i < rs->rule_count; i++) {
        const aupf__rule *r = &rs->rules[i];
        aupf__hash_str(&h, r->id);
        aupf__hash_u64(&h, (uint64_t)r->rev);
        aupf__hash_u64(&h, r->category);
        aupf__hash_str(&h, r->pattern);
        aupf__hash_u64(&h, r->hs_flags);
        aupf__hash_u64(&h, (uint64_t)(r->weight * 1e9));
        aupf__hash_u64(&h, r->roles);
        aupf__hash_u64(&h, r->shadow);
        for (size_t u = 0; u < r->unless.count; u++)
            aupf__hash_str(&h, r->unless.items[u]);
    }
    aupf__hash_u64(&h, (uint64_t)rs->normalize);
    aupf__hash_str(&h, rs->block_message);
    for (size_t i = 0; i < rs->block_messages.count; i++) {
        aupf__hash_str(&h, rs->block_message_languages.items[i]);
        aupf__hash_str(&h, rs->block_messages.items[i]);
    }
    aupf__hash_str(&h, rs->redact_with);
    if (rs->on_error != AUPF_FAIL_CLOSED) /* the default leaves the hash as it was */
        aupf__hash_u64(&h, (uint64_t)rs->on_error);
    snprintf(rs->hash, sizeof rs->hash, "%016llx", (unsigned long long)aupf__hash_final(&h));
}

/* Cache directory: the caller's option, else the configuration's, else
 * $AUPFILTER_CACHE_DIR, $XDG_CACHE_HOME/aupfilter, ~/.cache/aupfilter.
 * NULL when caching is off. */
static char *choose_cache_dir(const aupf_load_options *o, const char *configured) {
    const char *dir = (o && o->cache_dir) ? o->cache_dir : configured;
    if (o && o->no_cache)
        return NULL;
    if (!dir)
        dir = getenv("AUPFILTER_CACHE_DIR");
    if (dir)
        return (strcmp(dir, "none") == 0 || !dir[0]) ? NULL : aupf__strdup(dir);
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    const char *base = (xdg && xdg[0]) ? xdg : home;
    if (!base || !base[0])
        return NULL;
    size_t n = strlen(base) + 32;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s%s/aupfilter", base, (xdg && xdg[0]) ? "" : "/.cache");
    return p;
}

int aupf_ruleset_load(const char *config_path, const aupf_load_options *options, aupf_diag_fn diag,
                      void *diag_ctx, aupf_ruleset **out) {
    if (!config_path || !out)
        return AUPF_E_ARG;
    *out = NULL;
    aupf__diag d = {diag, diag_ctx, 0};
    aupf_ruleset *rs = calloc(1, sizeof *rs);
    if (!rs)
        return AUPF_E_NOMEM;
    atomic_init(&rs->refs, 1);
    rs->normalize = !(options && options->no_normalize);
    rs->on_error = AUPF_FAIL_CLOSED;
    aupf__config_extra extra = {0};
    int status = aupf__config_load(rs, config_path, &extra, &d);
    if (status == AUPF_OK) {
        for (size_t i = 0; i < extra.packs.count; i++) {
            int st = aupf__pack_load(rs, extra.packs.items[i], &d);
            if (st == AUPF_E_NOMEM) {
                status = st;
                break;
            }
            if (st != AUPF_OK && status == AUPF_OK)
                status = st;
        }
        if (status == AUPF_OK && rs->rule_count == 0) {
            aupf__report(&d, AUPF_DIAG_ERROR, config_path, 0, NULL, "the packs hold no rules");
            status = AUPF_E_RULE;
        }
    }
    if (status == AUPF_OK)
        status = aupf__patterns_build(rs);
    if (status == AUPF_OK) {
        compute_hash(rs);
        rs->db_key = aupf__cache_key(rs);
        rs->cache_dir = choose_cache_dir(options, extra.cache_dir);
        double t0 = aupf__now_ms();
        if (rs->cache_dir && aupf__cache_load(rs, &d) == AUPF_OK) {
            rs->from_cache = 1;
        } else {
            status = aupf__compile(rs, &d);
            if (status == AUPF_OK && rs->cache_dir)
                aupf__cache_store(rs, &d);
        }
        if (status == AUPF_OK)
            status = aupf__check_widths(rs, &d);
        if (status == AUPF_OK)
            status = aupf__scratch_prepare(rs);
        rs->build_ms = aupf__now_ms() - t0;
    }
    aupf__config_extra_free(&extra);
    if (status != AUPF_OK) {
        ruleset_free(rs);
        return status;
    }
    *out = rs;
    return AUPF_OK;
}

aupf_ruleset *aupf_ruleset_retain(aupf_ruleset *rs) {
    if (rs)
        atomic_fetch_add_explicit(&rs->refs, 1, memory_order_relaxed);
    return rs;
}

void aupf_ruleset_release(aupf_ruleset *rs) {
    if (rs && atomic_fetch_sub_explicit(&rs->refs, 1, memory_order_acq_rel) == 1)
        ruleset_free(rs);
}

const char *aupf_ruleset_hash(const aupf_ruleset *rs) { return rs->hash; }
int aupf_ruleset_from_cache(const aupf_ruleset *rs) { return rs->from_cache; }
double aupf_ruleset_build_ms(const aupf_ruleset *rs) { return rs->build_ms; }
const char *aupf_ruleset_block_message(const aupf_ruleset *rs) { return rs->block_message; }
aupf_fail_policy aupf_ruleset_on_error(const aupf_ruleset *rs) { return rs->on_error; }
size_t aupf_ruleset_category_count(const aupf_ruleset *rs) { return rs->category_count; }
size_t aupf_ruleset_rule_count(const aupf_ruleset *rs) { return rs->rule_count; }

const char *aupf_category_name(const aupf_ruleset *rs, size_t category) {
    return category < rs->category_count ? rs->categories[category].name : NULL;
}

double aupf_category_threshold(const aupf_ruleset *rs, size_t category) {
    return category < rs->category_count ? rs->categories[category].threshold : 0.0;
}

const char *aupf_category_code(const aupf_ruleset *rs, size_t category) {
    return category < rs->category_count ? rs->categories[category].code : NULL;
}

aupf_action aupf_category_action(const aupf_ruleset *rs, size_t category) {
    return category < rs->category_count ? rs->categories[category].action : AUPF_ACTION_ALLOW;
}

int aupf_ruleset_rule_info(const aupf_ruleset *rs, size_t rule, aupf_rule_info *out) {
    if (!rs || !out || rule >= rs->rule_count)
        return AUPF_E_ARG;
    const aupf__rule *r = &rs->rules[rule];
    *out = (aupf_rule_info){.id = r->id,
                            .rev = r->rev,
                            .category = r->category,
                            .pattern = r->pattern,
                            .weight = r->weight,
                            .roles = r->roles,
                            .description = r->description,
                            .file = r->file,
                            .line = r->line,
                            .unless_count = r->unless.count,
                            .max_width = rs->patterns[r->first_pattern].max_width};
    return AUPF_OK;
}
