/* The development records beside the project (../shared/data/dev): every
 * "text" of every .jsonl and .jsonl.gz file, in directory order. */
#ifndef AUPF_TEST_DEV_DATA_H
#define AUPF_TEST_DEV_DATA_H

#include "aupfilter.h"

#include <stdbool.h>
#include <stddef.h>

/* Called per record: file is the file's name, index counts from 0 within
 * the file, role is completion for files named so and prompt otherwise.
 * Returns whether the record passed the check. */
typedef bool (*dev_record_fn)(void *ctx, const char *file, size_t index, aupf_role role,
                              const char *text, size_t len);

/* The shipped configuration (AUPF_TEST_CONFIG), loaded through the test
 * cache; fails the test when it does not load. */
aupf_ruleset *dev_shipped_ruleset(void);

/* Whether the directory exists (tests skip without it). */
bool dev_data_present(const char *dir);

/* Runs fn over every record; prints each file's record and failure counts.
 * Returns the number of records; *failed counts the records fn failed. */
size_t dev_data_each(const char *dir, dev_record_fn fn, void *ctx, size_t *failed);

#endif
