/* Internal types shared by the library's source files. Not installed. */
#ifndef AUPF_INTERNAL_H
#define AUPF_INTERNAL_H

#include "aupfilter.h"

#include "../../i18n/language.h"
#include "../../i18n/normalize.h"
#include "../../i18n/utf8.h"

#include <hs/hs.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define AUPF__UNBOUNDED UINT32_MAX
#define AUPF__NO_UNLESS UINT32_MAX

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
    double evasion_boost; /* added (noisy-OR) when a match was obfuscated */
    char *code;           /* Llama Guard style code ("S1") */
    bool shadow;          /* report what it would do, do nothing */
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
    bool shadow; /* matches are reported but add nothing to the score */
    aupf__strlist unless;
    aupf__strlist matches;
    aupf__strlist ignores;
    uint32_t first_pattern; /* index of the trigger in the pattern table;
                               its unless patterns follow it */
    uint32_t unless_width;  /* the widest of its unless patterns: 0 when it has
                               none, AUPF__UNBOUNDED when one is unbounded */
    uint32_t unless_group;  /* the suppressor database holding its unless
                               patterns (one per pack file) */
} aupf__rule;

/* A rule's trigger or one of its suppressors. */
typedef struct {
    uint32_t rule;
    uint32_t unless_index;  /* AUPF__NO_UNLESS for the trigger */
    uint32_t max_width;     /* AUPF__UNBOUNDED when unbounded */
    uint32_t expr;          /* its entry in the table of distinct expressions */
    const char *expression; /* what Hyperscan compiles */
    char *owned;            /* expression when rewritten for the view */
    unsigned hs_flags;
} aupf__pattern;

/* A serialized database inside the mapped cache file. */
typedef struct {
    const unsigned char *bytes;
    size_t len; /* 0: none */
    uint64_t sum;
} aupf__blob;

/* One distinct expression (with its flags): what Hyperscan compiles, once,
 * however many patterns share it (suppressors such as "in a game" or a
 * refusal recur across many rules). Its patterns are
 * expr_members[first_member .. first_member + member_count), in pattern
 * order. */
typedef struct {
    const char *expression;
    unsigned hs_flags;
    uint32_t max_width;
    uint32_t first_member;
    uint32_t member_count;
    bool triggers; /* some member is a trigger */
    bool ascii;    /* may match a view made only of ASCII bytes */
} aupf__expr;

struct aupf_ruleset {
    atomic_long refs;
    aupf__category *categories;
    size_t category_count;
    aupf__rule *rules;
    size_t rule_count;
    /* While packs load: rule ids, open addressing, rule index + 1 per slot
     * (0 empty), so that finding a duplicate id costs the same for the
     * ten-thousandth rule as for the first. */
    uint32_t *id_slots;
    size_t id_slot_count; /* a power of two, or 0 */
    aupf__pattern *patterns;
    size_t pattern_count;
    aupf__expr *exprs;
    size_t expr_count;
    uint32_t *expr_members;
    /* Hyperscan ids are expression indices. A block scan runs db, and runs
     * a suppressor database only when a rule with suppressors fired: benign
     * text, the bulk of the traffic, never pays for suppressors. */
    hs_database_t *db; /* triggers (less other_db); reports match ends only */
    /* The suppressors, one database per pack file that has any: a text
     * that fires a rule looks for the suppressors of that rule's pack
     * only, not for every pack's (most are context words, dear to scan). */
    hs_database_t **unless_dbs;
    size_t unless_group_count;
    hs_database_t *stream_db; /* triggers and suppressors, streaming mode */
    /* The triggers that cannot match an ASCII view (ascii_reach.c), split
     * out of db so that ASCII views, the bulk of the traffic, do not pay
     * for them; scanned after db for other views. NULL when none. */
    hs_database_t *other_db;
    hs_database_t **som_dbs;      /* one per expression, leftmost start of match;
                                     for one too large for that, its anchored
                                     form with one character of context */
    hs_database_t **anchored_dbs; /* NULL, or the anchored form without context */
    /* From the cache: per expression, [2x] its start database and [2x+1]
     * its anchored form, deserialized into som_dbs/anchored_dbs on first
     * use (start_db.c). NULL when compiled here: every database is built. */
    aupf__blob *start_blobs;
    aupf__blob *unless_blobs;           /* per suppressor group, from the cache */
    aupf__blob stream_blob, other_blob; /* from the cache, until first use */
    const unsigned char *cache_map;
    size_t cache_map_len;
    hs_scratch_t *scratch_prototype;
    char *block_message;
    aupf__strlist block_message_languages; /* parallel lists: language code, message */
    aupf__strlist block_messages;
    char *redact_with;
    char *cache_dir; /* NULL when caching is off */
    char hash[17];
    uint64_t db_key;
    int from_cache;
    double build_ms;
    int normalize;       /* 0: rules see the text as it is */
    int compact_streams; /* streams keep their Hyperscan state compressed */
    aupf_fail_policy on_error;
    /* Widest bounded pattern (view bytes), and widest of the redact and
     * block categories: a stream decides a match once the view is its
     * class's width + 1 past its end, and releases text holdback =
     * 2 * release_width + 2 bytes behind the view (docs/streaming.md). */
    uint32_t max_width;
    uint32_t release_width;
    uint32_t holdback;
    /* Some suppressor has no maximum width: streams scan the suppressors
     * with the triggers. Otherwise the streaming database holds triggers
     * only, and a stream looks for a rule's suppressors around a trigger
     * when it decides it (stream.c), which costs a stream's every write
     * far less. */
    bool stream_unless;
};

/* A pattern hit: [start, end) with the pattern index. */
typedef struct {
    uint32_t pattern;
    size_t start;
    size_t end;
} aupf__span;

/* A decided match: its view span (where rules matched) and the match in
 * the original text. */
typedef struct {
    size_t vs, ve;
    aupf_match m;
} aupf__dmatch;

/* [a, b) of the original text replaced by redact_with. */
typedef struct {
    size_t a, b;
} aupf__interval;

/* Scores, flags and actions taken as matches are decided in end order: the
 * one meaning of actions shared by block scans and streams
 * (docs/streaming.md). The arrays belong to the owner. */
typedef struct {
    double *miss;                  /* per category: product of (1 - weight) */
    unsigned char *flagged;        /* per category */
    unsigned char *boosted;        /* per category: evasion boost applied */
    unsigned char *shadow_flagged; /* per shadow category: would be flagged */
    unsigned char *rule_bits;      /* one bit per rule: already counted */
    aupf__vec redactions;          /* aupf__interval, in decision order */
    int blocked;
    size_t block_at; /* original offset where the output is cut */
    size_t block_ve; /* view end of the blocking match */
} aupf__decider;

int aupf__decider_init(aupf__decider *d, const aupf_ruleset *rs);
void aupf__decider_reset(aupf__decider *d, const aupf_ruleset *rs);
void aupf__decider_free(aupf__decider *d);
/* Takes decided[i] (all earlier entries decided before it). Returns 1 when
 * the match made a category flagged (0 otherwise), or a negative status. */
int aupf__decide(aupf__decider *d, const aupf_ruleset *rs, const aupf__dmatch *decided, size_t i);

/* Writes the output of a decided text: the original with redactions,
 * cut at the block point with the block message appended. emit() gets
 * successive pieces. Used whole by aupf_apply; a stream calls
 * aupf__output_release with growing limits. */
typedef struct {
    size_t released;   /* original bytes consumed so far */
    size_t skip_until; /* inside a redaction until this offset */
    size_t next;       /* index into the sorted redactions */
    int done;
} aupf__output;

typedef int (*aupf__emit_fn)(void *ctx, const char *bytes, size_t len);
/* Sorts the redactions not yet reached (those before `released` are never
 * added). */
void aupf__output_sort(aupf__decider *d, aupf__output *o);
/* The block message in the language of the view before the blocking
 * match (view holds at least its first min(AUPF__LANGUAGE_PREFIX, block_ve)
 * bytes). */
const char *aupf__block_message(const aupf_ruleset *rs, const aupf__decider *d, const char *view,
                                size_t view_len);
int aupf__output_release(aupf__output *o, const aupf__decider *d, const aupf_ruleset *rs,
                         const char *text, size_t text_base, size_t limit, const char *block_msg,
                         aupf__emit_fn emit, void *ctx);

struct aupf_result {
    const aupf_ruleset *rs;
    double *scores;                /* per category */
    unsigned char *flagged;        /* per category */
    unsigned char *shadow_flagged; /* per category in shadow mode */
    int any_flagged;
    aupf_action action;
    aupf_match *matches;
    size_t match_count;
    uint32_t signals[AUPF_SIGNAL_COUNT];
    int script, has_kana;
    const aupf__view *view; /* the scanner's view, for the language guess */
    const char *language;
    int language_known;
    int fallback; /* 0, or the aupf_fail_policy that gave this verdict */
    int error;    /* the internal failure behind a fallback */
};

struct aupf_scanner {
    aupf_ruleset *rs;
    hs_scratch_t *scratch;
    aupf_role role;
    int scan_failed;
    aupf__vec hits;        /* aupf__span: ends from the big database, then starts */
    aupf__vec matches;     /* aupf_match */
    aupf__vec decided;     /* aupf__dmatch */
    aupf__vec grouped;     /* aupf__span: the other buffer of group_hits */
    size_t *pattern_slots; /* per pattern + 1: counting sort */
    uint32_t *rule_fired;  /* per rule: scan_stamp when its trigger hit in this scan */
    uint32_t scan_stamp;
    int needs_unless;           /* a rule with suppressors fired: run its group's */
    uint32_t *group_fired;      /* per suppressor group: scan_stamp when one of its rules fired */
    uint32_t unless_group;      /* the suppressor group being scanned */
    unsigned char *start_ready; /* per expression x 2: scratch fits that start database */
    unsigned char stream_ready, other_ready;
    unsigned char *unless_ready; /* per suppressor group: scratch fits its database */
    bool every_trigger;          /* tests: scan ASCII views with other_db too */
    bool whole_text_unless;      /* tests: look for suppressors in the whole text */
    int start_failed;            /* a database could not be loaded from the cache */
    aupf__vec prefix_max;        /* size_t, for suppression */
    aupf__vec unless_windows;    /* aupf__span: where suppressors are looked for */
    size_t unless_base;          /* the offset of the window being scanned */
    aupf__decider decider;
    aupf__normalizer *normalizer;
    hs_stream_t *work_stream; /* compact streams expand into this one */
    aupf__view view;
    aupf__vec output;                        /* char, for aupf_apply */
    char lang_prefix[AUPF__LANGUAGE_PREFIX]; /* a closed stream's view start */
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
/* lazy_db.c: databases loaded on first use and fitted to the scanner's
 * scratch; NULL when there is none, or on failure (then s->start_failed is
 * set). The start-of-match database of expression x (anchored: its
 * anchored form), the suppressor and the streaming database. */
const hs_database_t *aupf__start_db(aupf_scanner *s, uint32_t x, int anchored);
const hs_database_t *aupf__unless_db(aupf_scanner *s, uint32_t group);
const hs_database_t *aupf__stream_db(aupf_scanner *s);
/* The triggers that only text with other bytes than ASCII can match. */
const hs_database_t *aupf__other_db(aupf_scanner *s);

/* stream_state.c: a stream's Hyperscan state, whole or compressed between
 * writes. acquire gives the live state to scan (NULL on failure); settle
 * ends a write (compresses); end reports the end-of-data matches and
 * leaves the state empty. */
typedef struct {
    int compact;
    hs_stream_t *live; /* owned when whole; the scanner's while acquired */
    char *packed;
    size_t packed_len, packed_cap;
} aupf__hs_state;

int aupf__hs_state_open(aupf__hs_state *h, aupf_ruleset *rs);
void aupf__hs_state_free(aupf__hs_state *h);
hs_stream_t *aupf__hs_state_acquire(aupf__hs_state *h, aupf_scanner *s);
int aupf__hs_state_settle(aupf__hs_state *h);
int aupf__hs_state_end(aupf__hs_state *h, aupf_scanner *s, match_event_handler on_match, void *ctx);
size_t aupf__hs_state_bytes(const aupf__hs_state *h, const aupf_ruleset *rs);
/* The big databases. */
typedef enum { AUPF__DB_TRIGGERS, AUPF__DB_STREAM, AUPF__DB_OTHER, AUPF__DB_COUNT } aupf__db_kind;
/* compile.c: a database rebuilt from its expressions (a cached one was
 * damaged): one of the big ones, or a start database. */
hs_database_t *aupf__build_database(const aupf_ruleset *rs, aupf__db_kind kind);
hs_database_t *aupf__build_start_database(const aupf_ruleset *rs, uint32_t x, int anchored);
hs_database_t *aupf__build_unless_database(const aupf_ruleset *rs, uint32_t group);
/* The streaming database without a scanner (opening a stream). */
hs_database_t *aupf__stream_database(aupf_ruleset *rs);
/* The same without a scanner (the bench); NULL when there are none. */
hs_database_t *aupf__other_database(aupf_ruleset *rs);
bool aupf__has_anchored(const aupf_ruleset *rs, uint32_t x);
/* cache.c: a blob checked and deserialized; NULL when damaged. */
hs_database_t *aupf__blob_database(const aupf__blob *b);
void aupf__cache_unmap(aupf_ruleset *rs);
/* Copies each expression's maximum width to its patterns, and the widest
 * suppressor of each rule to the rule. */
void aupf__widths_to_patterns(aupf_ruleset *rs);
/* Maximum widths, decision delay and holdback; rejects unbounded patterns
 * in redact and block categories. */
int aupf__check_widths(aupf_ruleset *rs, aupf__diag *d);

/* ascii_reach.c: false only when the expression cannot match any text
 * made of ASCII bytes alone; true when unsure. */
bool aupf__may_match_ascii(const char *expression, unsigned hs_flags);
/* The code points outside ASCII whose simple case mappings reach ASCII. */
bool aupf__folds_to_ascii(uint32_t cp);

/* pattern_rewrite.c: a rule pattern adapted to the normalized view;
 * malloc'd, NULL when out of memory. */
char *aupf__pattern_for_view(const char *pattern);

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
uint64_t aupf__checksum(const void *p, size_t n); /* large buffers, native word order */

/* scanner.c, shared with streams */
size_t aupf__recover_start(aupf_scanner *s, uint32_t pi, const char *buf, size_t base, size_t n,
                           size_t end);
int aupf__cmp_decided(const void *a, const void *b);
int aupf__cmp_span_start(const void *a, const void *b);
int aupf__push_decided(aupf__vec *decided, const aupf_ruleset *rs, const aupf__view *view,
                       size_t rule, size_t vs, size_t ve);
void aupf__fill_result(aupf_result *res, const aupf_ruleset *rs, const aupf__decider *d,
                       aupf__vec *matches);
/* A hit of pattern `pattern` ending at `to`; 1 (and scan_failed set) when
 * out of memory, which stops the Hyperscan scan. */
int aupf__push_hit(aupf_scanner *s, uint32_t pattern, size_t to);

/* suppressors.c: the suppressor pass of a block scan: for each suppressor
 * group with a rule that fired, its database in windows around that
 * group's trigger hits (those already in s->hits). */
hs_error_t aupf__scan_suppressors(aupf_scanner *s, const char *text, size_t len);
/* True for the statuses on_error covers: failures inside a scan, not the
 * caller's arguments or input. */
bool aupf__internal_failure(int status);
/* Makes the scanner's result the ruleset's on_error verdict for a failure
 * with `status` (allocates nothing). */
const aupf_result *aupf__fallback_result(aupf_scanner *s, int status);

/* sort.c: in-place, allocation-free */
void aupf__sort(void *data, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* util.c */
char *aupf__strdup(const char *s);
void aupf__strlist_free(aupf__strlist *l);
int aupf__strlist_push(aupf__strlist *l, const char *s);
double aupf__now_ms(void);

#endif
