/* Test helpers: temporary rule files, captured diagnostics. */
#ifndef AUPF_TEST_HELPERS_H
#define AUPF_TEST_HELPERS_H

#include "aupfilter.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the three headers above first */
#include <cmocka.h>

typedef struct {
    char text[16384]; /* every diagnostic as "file:line: severity: [rule] message\n" */
    int errors, warnings;
} diag_log;

void diag_capture(void *ctx, aupf_severity sev, const char *file, int line, const char *rule_id,
                  const char *message);

/* A fresh temporary directory (removed at exit by the OS tmp cleaner). */
const char *test_tmpdir(void);
/* Writes dir/name and returns its path (static storage, one per call). */
char *test_write(const char *dir, const char *name, const char *content);

/* Writes a config declaring violence, weapons and spam (thresholds 0.5,
 * actions block, redact, annotate) with one pack holding `rules`, loads it
 * without cache and returns the ruleset (NULL on failure, log filled). */
aupf_ruleset *test_load_rules(const char *rules, diag_log *log);

/* Scans and returns the result (asserting success). */
const aupf_result *test_scan(aupf_scanner *s, aupf_role role, const char *text);

/* "rule@start-end;..." of a result, for compact assertions. */
const char *test_matches(const aupf_result *r);

/* xorshift64: reproducible pseudo-random numbers for property tests. */
uint32_t test_rand(uint64_t *state);
/* Joins 1 to max_parts random fragments, each followed by a space or not,
 * into buf (NUL-terminated, stopping before cap); returns the length. */
size_t test_random_text(uint64_t *state, const char *const *frags, size_t nfrags, size_t max_parts,
                        char *buf, size_t cap);

#endif
