/* Internal types shared by the library's source files. Not installed. */
#ifndef AUPF_INTERNAL_H
#define AUPF_INTERNAL_H

#include "aupfilter.h"

#include <hs/hs.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define AUPF__UNBOUNDED UINT32_MAX
#define AUPF__NO_UNLESS UINT32_MAX

/* Diagnostics sink with an error counter, passed through loading. */
typedef struct {
    aupf_diag_fn fn;
    void *ctx;
    size_t errors;
} aupf__diag;

void aupf__report(aupf__diag *d, aupf_severity sev, const char *file, int line, const char *rule_id,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));

typedef struct {
    char *name;
    char *description;
    double threshold;
    aupf_action action;
} aupf__category;

typedef struct {
    char **items;
    size_t count;
} aupf__strlist;

typedef struct {
    char *id;
    int rev;
    size_t category;
    char *pattern;
    unsigned hs_flags; /* Hyperscan flags derived from the rule's `flags` */
    double weight;
    unsigned roles;
    char *description;
    char *file;
    int line;
    aupf__strlist unless;
    aupf__strlist matches;
    aupf__strlist ignores;
    uint32_t first_pattern; /* index of the trigger in the pattern table;
                               its unless patterns follow it */
} aupf__rule;

/* One Hyperscan expression: a rule's trigger or one of its suppressors. */
typedef struct {
    uint32_t rule;
    uint32_t unless_index; /* AUPF__NO_UNLESS for the trigger */
    uint32_t max_width;    /* AUPF__UNBOUNDED when unbounded */
    const char *expression;
    unsigned hs_flags;
} aupf__pattern;

struct aupf_ruleset {
    atomic_long refs;
    aupf__category *categories;
    size_t category_count;
    aupf__rule *rules;
    size_t rule_count;
    aupf__pattern *patterns;
    size_t pattern_count;
    hs_database_t *db;       /* every pattern; reports match ends only */
    hs_database_t **som_dbs; /* one per pattern, leftmost start of match */
    hs_scratch_t *scratch_prototype;
    char *block_message;
    char *redact_with;
    char *cache_dir; /* NULL when caching is off */
    char hash[17];
    uint64_t db_key;
    int from_cache;
    double build_ms;
};

/* A pattern hit: [start, end) with the pattern index. */
typedef struct {
    uint32_t pattern;
    size_t start;
    size_t end;
} aupf__span;

struct aupf_result {
    const aupf_ruleset *rs;
    double *scores;         /* per category */
    unsigned char *flagged; /* per category */
    int any_flagged;
    aupf_action action;
    aupf_match *matches;
    size_t match_count;
};

/* Growable array owned by a scanner: grows, never shrinks, so steady-state
 * scans do not allocate. */
typedef struct {
    void *data;
    size_t count;
    size_t capacity;
    size_t elem_size;
} aupf__vec;

int aupf__vec_reserve(aupf__vec *v, size_t n);
void *aupf__vec_push(aupf__vec *v); /* NULL when out of memory */
void aupf__vec_free(aupf__vec *v);

struct aupf_scanner {
    aupf_ruleset *rs;
    hs_scratch_t *scratch;
    aupf_role role;
    int scan_failed;
    aupf__vec hits;       /* aupf__span: ends from the big database, then starts */
    aupf__vec matches;    /* aupf_match */
    double *miss_product; /* per category: product of (1 - weight) */
    unsigned char *rule_seen;
    aupf__vec output; /* char, for aupf_apply */
    aupf_result result;
};

/* config.c: reads the configuration file. */
typedef struct {
    aupf__strlist packs; /* absolute or config-relative paths, resolved */
    char *cache_dir;     /* NULL: default location; "" or "none": off */
} aupf__config_extra;

int aupf__config_load(aupf_ruleset *rs, const char *path, aupf__config_extra *extra, aupf__diag *d);
void aupf__config_extra_free(aupf__config_extra *extra);

/* pack.c: reads one rule pack and appends its rules. */
int aupf__pack_load(aupf_ruleset *rs, const char *path, aupf__diag *d);

/* compile.c: builds the pattern table, measures widths, compiles. */
int aupf__patterns_build(aupf_ruleset *rs);
int aupf__compile(aupf_ruleset *rs, aupf__diag *d);
int aupf__scratch_prepare(aupf_ruleset *rs);

/* cache.c: serialized databases on disk. */
uint64_t aupf__cache_key(const aupf_ruleset *rs);
int aupf__cache_load(aupf_ruleset *rs, aupf__diag *d);
int aupf__cache_store(const aupf_ruleset *rs, aupf__diag *d);

/* hash.c */
typedef struct {
    uint64_t h;
} aupf__hasher;
void aupf__hash_init(aupf__hasher *hs);
void aupf__hash_bytes(aupf__hasher *hs, const void *p, size_t n);
void aupf__hash_str(aupf__hasher *hs, const char *s); /* includes length */
void aupf__hash_u64(aupf__hasher *hs, uint64_t v);
uint64_t aupf__hash_final(const aupf__hasher *hs);

/* util.c */
char *aupf__strdup(const char *s);
void aupf__strlist_free(aupf__strlist *l);
int aupf__strlist_push(aupf__strlist *l, const char *s);
double aupf__now_ms(void);

/* i18n: UTF-8 validation. */
#include "../../i18n/utf8.h"

#endif
