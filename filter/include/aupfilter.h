/*
 * aupfilter — acceptable-use-policy filter for LLM prompts and completions.
 *
 * One public header. Handles and their threading rules:
 *
 *   aupf_ruleset  immutable compiled rules; shared by every thread;
 *                 reference-counted (retain/release).
 *   aupf_scanner  one per thread; owns the Hyperscan scratch and buffers.
 *   aupf_result   the verdict of one scan; owned by the scanner that produced
 *                 it and valid until that scanner's next scan.
 *
 * Every function that can fail returns an aupf_status: 0 is success,
 * negative values are errors (see aupf_strerror). The library never exits.
 */
#ifndef AUPFILTER_H
#define AUPFILTER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(AUPF_BUILDING_LIBRARY) && defined(__GNUC__)
#define AUPF_API __attribute__((visibility("default")))
#else
#define AUPF_API
#endif

#define AUPF_VERSION_MAJOR 0
#define AUPF_VERSION_MINOR 1
#define AUPF_VERSION_PATCH 0

/* Status codes: X(name, value, message). Values are only ever appended. */
#define AUPF_STATUS_LIST(X)                                                                        \
    X(AUPF_OK, 0, "success")                                                                       \
    X(AUPF_E_NOMEM, -1, "out of memory")                                                           \
    X(AUPF_E_ARG, -2, "invalid argument")                                                          \
    X(AUPF_E_IO, -3, "cannot read file")                                                           \
    X(AUPF_E_CONFIG, -4, "invalid configuration")                                                  \
    X(AUPF_E_RULE, -5, "invalid rule")                                                             \
    X(AUPF_E_COMPILE, -6, "pattern does not compile")                                              \
    X(AUPF_E_SCAN, -7, "scan failed")                                                              \
    X(AUPF_E_UTF8, -8, "text is not valid UTF-8")                                                  \
    X(AUPF_E_CACHE, -9, "compiled-rules cache unusable")                                           \
    X(AUPF_E_TOO_LARGE, -10, "input larger than the configured limit")

typedef enum {
#define AUPF_STATUS_ENUM(name, value, message) name = value,
    AUPF_STATUS_LIST(AUPF_STATUS_ENUM)
#undef AUPF_STATUS_ENUM
} aupf_status;

/* A short message for a status; never NULL. */
AUPF_API const char *aupf_strerror(int status);
/* The status's symbolic name ("AUPF_E_RULE"); never NULL. */
AUPF_API const char *aupf_status_name(int status);
/* "MAJOR.MINOR.PATCH" of the library. */
AUPF_API const char *aupf_version(void);

typedef enum { AUPF_ROLE_PROMPT = 1, AUPF_ROLE_COMPLETION = 2 } aupf_role;

/* Actions, in increasing severity. */
typedef enum {
    AUPF_ACTION_ALLOW = 0,
    AUPF_ACTION_ANNOTATE = 1,
    AUPF_ACTION_REDACT = 2,
    AUPF_ACTION_BLOCK = 3
} aupf_action;

AUPF_API const char *aupf_action_name(aupf_action action);
AUPF_API const char *aupf_role_name(aupf_role role);

/* 1 when text[0..len) is valid UTF-8; else 0 and *bad_offset (if not NULL)
 * receives the offset of the first invalid byte. */
AUPF_API int aupf_utf8_valid(const char *text, size_t len, size_t *bad_offset);

typedef enum { AUPF_DIAG_WARNING = 1, AUPF_DIAG_ERROR = 2 } aupf_severity;

/* Loading diagnostics: file and line where known (else NULL / 0), rule id
 * where the problem belongs to a rule (else NULL). */
typedef void (*aupf_diag_fn)(void *ctx, aupf_severity severity, const char *file, int line,
                             const char *rule_id, const char *message);

/* ---- ruleset ---------------------------------------------------------- */

typedef struct aupf_ruleset aupf_ruleset;

/* Load options: zero-initialise, then set what you need. */
typedef struct {
    /* Ignore the compiled-rules cache: always compile, never write it. */
    int no_cache;
    /* Overrides the configuration's cache directory when not NULL. */
    const char *cache_dir;
    /* Match the text as it is, without normalization (for measurements);
     * invalid UTF-8 then fails the scan with AUPF_E_UTF8. */
    int no_normalize;
} aupf_load_options;

/* Loads the configuration at config_path, its rule packs, and compiles them
 * (or loads the compiled database from the cache). Diagnostics go to diag,
 * which may be NULL. options may be NULL. */
AUPF_API int aupf_ruleset_load(const char *config_path, const aupf_load_options *options,
                               aupf_diag_fn diag, void *diag_ctx, aupf_ruleset **out);
AUPF_API aupf_ruleset *aupf_ruleset_retain(aupf_ruleset *rs);
AUPF_API void aupf_ruleset_release(aupf_ruleset *rs);

/* 16 hex digits identifying the rules, their settings and the categories. */
AUPF_API const char *aupf_ruleset_hash(const aupf_ruleset *rs);
/* 1 when the database came from the cache, 0 when it was compiled. */
AUPF_API int aupf_ruleset_from_cache(const aupf_ruleset *rs);
/* Wall-clock milliseconds spent compiling or loading the database. */
AUPF_API double aupf_ruleset_build_ms(const aupf_ruleset *rs);
AUPF_API const char *aupf_ruleset_block_message(const aupf_ruleset *rs);

/* What a scan does when it fails inside (out of memory, a Hyperscan
 * error): the configuration's `on_error` (docs/reliability.md). */
typedef enum {
    AUPF_FAIL_CLOSED = 1, /* "fail_closed" (default): the text is blocked */
    AUPF_FAIL_OPEN = 2    /* "fail_open": the text passes unchanged */
} aupf_fail_policy;
AUPF_API aupf_fail_policy aupf_ruleset_on_error(const aupf_ruleset *rs);

AUPF_API size_t aupf_ruleset_category_count(const aupf_ruleset *rs);
AUPF_API const char *aupf_category_name(const aupf_ruleset *rs, size_t category);
AUPF_API double aupf_category_threshold(const aupf_ruleset *rs, size_t category);
AUPF_API aupf_action aupf_category_action(const aupf_ruleset *rs, size_t category);
/* The category's code for Llama Guard style output ("S1"; the
 * configuration's llamaguard_code, else S<position>). */
AUPF_API const char *aupf_category_code(const aupf_ruleset *rs, size_t category);

typedef struct {
    const char *id;
    int rev;
    size_t category;
    const char *pattern;
    double weight;
    unsigned roles; /* bit set of aupf_role */
    const char *description;
    const char *file;
    int line;
    size_t unless_count;
    /* Longest match in bytes; UINT32_MAX when unbounded. */
    uint32_t max_width;
} aupf_rule_info;

AUPF_API size_t aupf_ruleset_rule_count(const aupf_ruleset *rs);
AUPF_API int aupf_ruleset_rule_info(const aupf_ruleset *rs, size_t rule, aupf_rule_info *out);

/* ---- scanner and result ----------------------------------------------- */

typedef struct aupf_scanner aupf_scanner;
typedef struct aupf_result aupf_result;

AUPF_API int aupf_scanner_new(aupf_ruleset *rs, aupf_scanner **out);
AUPF_API void aupf_scanner_free(aupf_scanner *s);

/* Scans text (UTF-8, may contain NUL bytes) in one block. The text is
 * normalized first (docs/normalization.md); spans are reported in bytes of
 * the original text. Bytes that are not UTF-8 are read as U+FFFD and
 * counted as the invalid_utf8 signal. The result is owned by the scanner
 * and valid until its next scan. An internal failure (out of memory, a
 * Hyperscan error) does not fail the call: the result is the ruleset's
 * on_error fallback verdict (aupf_result_fallback). */
AUPF_API int aupf_scan(aupf_scanner *s, aupf_role role, const char *text, size_t len,
                       const aupf_result **out);

typedef struct {
    size_t rule; /* index for aupf_ruleset_rule_info */
    const char *rule_id;
    size_t category; /* index for aupf_category_name */
    size_t start;    /* byte offsets into the caller's original text: [start, end) */
    size_t end;
    int evasive; /* 1 when the matched text was obfuscated (leet, look-alikes ...) */
    int shadow;  /* 1 when its rule or category is in shadow mode: reported only */
} aupf_match;

AUPF_API int aupf_result_flagged(const aupf_result *r);
/* 0 for a verdict reached by scanning. AUPF_FAIL_CLOSED or AUPF_FAIL_OPEN
 * when the scan failed inside and the verdict is the on_error fallback:
 * fail closed is flagged with action block and no categories or matches,
 * fail open is an empty allow verdict. */
AUPF_API int aupf_result_fallback(const aupf_result *r);
/* The status of the failure behind a fallback verdict (AUPF_OK when none). */
AUPF_API int aupf_result_error(const aupf_result *r);
/* The most severe action of the flagged categories (ALLOW when none). */
AUPF_API aupf_action aupf_result_action(const aupf_result *r);
AUPF_API double aupf_result_score(const aupf_result *r, size_t category);
AUPF_API int aupf_result_category_flagged(const aupf_result *r, size_t category);
/* For a category in shadow mode: 1 when it would have been flagged (it is
 * never flagged and never acts). */
AUPF_API int aupf_result_category_shadow_flagged(const aupf_result *r, size_t category);
AUPF_API size_t aupf_result_match_count(const aupf_result *r);

/* Evasion signals found while normalizing the text (mixed scripts,
 * invisible characters, spaced letters, fullwidth forms, tag characters,
 * leet, repeated letters, invalid UTF-8): how many of each. */
AUPF_API size_t aupf_signal_count(void);
AUPF_API const char *aupf_signal_name(size_t signal);
AUPF_API unsigned aupf_result_signal(const aupf_result *r, size_t signal);

/* ISO 15924 code of the script most letters are written in ("Latn",
 * "Cyrl", "Hani" ...; "Zyyy" without letters). */
AUPF_API const char *aupf_result_script(const aupf_result *r);
/* A guess at the language ("en", "es", "ja" ...) from the script and, for
 * Latin, frequent words; NULL when unsure. Reads the scanned text: call it
 * while that text is still alive. */
AUPF_API const char *aupf_result_language(const aupf_result *r);
AUPF_API int aupf_result_match(const aupf_result *r, size_t i, aupf_match *out);

/* Applies the verdict's action to the text it was produced from: block gives
 * the block message (in the text's language when the configuration has
 * one), redact replaces the matched spans of redacting
 * categories, allow and annotate give the text unchanged (a fail-closed
 * fallback verdict gives the block message, a fail-open one the text). The
 * output is owned by the scanner and valid until its next scan or apply. */
AUPF_API int aupf_apply(aupf_scanner *s, const aupf_result *r, const char *text, size_t len,
                        const char **out, size_t *out_len);

/* ---- streams ------------------------------------------------------------ */

/* A stream filters one completion (or prompt) as it arrives in chunks of
 * any size. It releases a byte only when no later match can start at or
 * before it (the holdback), with redactions already applied; a block
 * releases the text before the blocking match and the block message, then
 * nothing more. The released bytes, concatenated, equal aupf_apply's output
 * on the whole text, and the final verdict equals aupf_scan's. A stream
 * holds no scratch: each call borrows the calling thread's scanner, so a
 * stream may move between threads between calls. */
typedef struct aupf_stream aupf_stream;

typedef enum {
    AUPF_EVENT_MATCH = 1,   /* a match was decided */
    AUPF_EVENT_FLAGGED = 2, /* `category` became flagged by `match` */
    AUPF_EVENT_BLOCKED = 3, /* `match` blocked the stream; the block message follows */
    AUPF_EVENT_FALLBACK = 4 /* the stream failed inside and follows the ruleset's on_error
                               from here on (`match` is zeroed; `category` holds the
                               policy): fail closed releases the block message and
                               nothing more, fail open releases the rest unfiltered */
} aupf_event_kind;

typedef struct {
    aupf_event_kind kind;
    aupf_match match;
    size_t category;
    size_t settled; /* original bytes released before this event */
} aupf_event;

/* Receives released bytes (event NULL) or an event (bytes NULL, len 0).
 * A non-zero return stops the call, which returns it. */
typedef int (*aupf_sink_fn)(void *ctx, const char *bytes, size_t len, const aupf_event *event);

AUPF_API int aupf_stream_open(aupf_ruleset *rs, aupf_role role, aupf_stream **out);
AUPF_API int aupf_stream_write(aupf_stream *st, aupf_scanner *s, const char *chunk, size_t len,
                               aupf_sink_fn sink, void *ctx);
/* Ends the stream: releases what is held back and gives the final verdict,
 * owned by the scanner (valid until its next scan). An internal failure in
 * a write or here does not fail the call (AUPF_EVENT_FALLBACK); the final
 * verdict is then the on_error fallback (aupf_result_fallback). */
AUPF_API int aupf_stream_close(aupf_stream *st, aupf_scanner *s, aupf_sink_fn sink, void *ctx,
                               const aupf_result **out);
AUPF_API void aupf_stream_free(aupf_stream *st);
/* Original bytes released so far. */
AUPF_API size_t aupf_stream_settled(const aupf_stream *st);
/* Bytes of state the stream holds now (buffers and Hyperscan's). */
AUPF_API size_t aupf_stream_memory(const aupf_stream *st);
/* Holdback of the ruleset in normalized bytes: a stream releases text this
 * far behind what it has read (plus at most one unfinished word). */
AUPF_API size_t aupf_ruleset_holdback(const aupf_ruleset *rs);

/* ---- hot reload ----------------------------------------------------------- */

/* The ruleset a process serves with, replaceable while it runs
 * (docs/integration.md). aupf_reloader_reload compiles a new ruleset, on
 * any thread, while the others keep scanning; when it is ready it replaces
 * the current one in one step. Whoever took the old one (a scanner, a
 * stream, a reference from aupf_reloader_current) keeps it until they
 * release it: a stream opened before the swap finishes on the old rules and
 * gives the old verdict. A failed load leaves the current ruleset in place.
 * Every function may be called from any thread. */
typedef struct aupf_reloader aupf_reloader;

/* Starts with `initial` as the current ruleset (the reloader takes its own
 * reference; the caller keeps theirs). */
AUPF_API int aupf_reloader_new(aupf_ruleset *initial, aupf_reloader **out);
/* Drops the reloader's reference; rulesets taken from it stay valid. */
AUPF_API void aupf_reloader_free(aupf_reloader *r);
/* The current ruleset with a reference for the caller: release it when
 * done. Takes a short lock: call it once per request, not per token. */
AUPF_API aupf_ruleset *aupf_reloader_current(aupf_reloader *r);
/* How many times the current ruleset was replaced (0 at first). A lock-free
 * read: compare it with the value seen last to learn of a swap cheaply. */
AUPF_API unsigned long aupf_reloader_generation(const aupf_reloader *r);
/* Loads config_path as aupf_ruleset_load does and, when it loads, makes it
 * current. On failure returns the load's status, reports why through diag,
 * and the current ruleset stays. Reloads run one at a time; the current
 * ruleset remains available to other threads while one compiles. */
AUPF_API int aupf_reloader_reload(aupf_reloader *r, const char *config_path,
                                  const aupf_load_options *options, aupf_diag_fn diag,
                                  void *diag_ctx);
/* Makes rs current (the reloader takes its own reference). */
AUPF_API int aupf_reloader_set(aupf_reloader *r, aupf_ruleset *rs);

/* The ruleset a stream was opened on (no new reference): write and close
 * it with a scanner of that ruleset. */
AUPF_API aupf_ruleset *aupf_stream_ruleset(const aupf_stream *st);
/* The ruleset a scanner scans with, and the one a verdict came from (no
 * new reference), e.g. for aupf_ruleset_hash. */
AUPF_API aupf_ruleset *aupf_scanner_ruleset(const aupf_scanner *s);
AUPF_API const aupf_ruleset *aupf_result_ruleset(const aupf_result *r);

/* A thread's scanners, one per ruleset in use. Scanners and streams belong
 * to one ruleset; after a swap a thread scans new requests with the new
 * ruleset while its streams opened before finish on the old one, so it
 * needs a scanner for each. aupf_scanner_set_get gives the set's scanner
 * for rs, making it on first use (the only allocation), and frees the
 * scanners of rulesets that nothing outside the set holds any more. The
 * scanner stays valid while the caller holds rs (directly or through a
 * stream opened on it). One set per thread; a set is not shared. */
typedef struct aupf_scanner_set aupf_scanner_set;

AUPF_API int aupf_scanner_set_new(aupf_scanner_set **out);
AUPF_API void aupf_scanner_set_free(aupf_scanner_set *set);
AUPF_API int aupf_scanner_set_get(aupf_scanner_set *set, aupf_ruleset *rs, aupf_scanner **out);
/* How many scanners the set holds now. */
AUPF_API size_t aupf_scanner_set_count(const aupf_scanner_set *set);

/* ---- rule examples ---------------------------------------------------- */

/* Called for each failing example: kind is "matches" or "ignores". */
typedef void (*aupf_example_fn)(void *ctx, size_t rule, const char *kind, const char *example);

/* Runs every rule's own examples: each `matches` text must produce a match
 * of that rule and each `ignores` text must not. Returns the number of
 * failing examples (0 when all pass) or a negative status. */
AUPF_API long aupf_ruleset_check_examples(aupf_ruleset *rs, aupf_scanner *s,
                                          aupf_example_fn on_failure, void *ctx,
                                          size_t *examples_run);

#ifdef __cplusplus
}
#endif
#endif /* AUPFILTER_H */
