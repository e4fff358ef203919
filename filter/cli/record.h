/* One JSONL input record: the fields aupfilter reads, others ignored. */
#ifndef AUPF_CLI_RECORD_H
#define AUPF_CLI_RECORD_H

#include "json_out.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct record record;

record *record_new(void);
void record_free(record *r);

/* Parses one line. On failure returns false and sets *error to a message
 * (valid until the next call); the id is still available when the line was
 * an object that carried one. */
bool record_parse(record *r, const char *line, size_t len, const char **error);

const char *record_text(const record *r, size_t *len);
/* "prompt", "completion" or NULL when absent. */
const char *record_role(const record *r);
/* Writes the record's id as JSON (null when absent). */
void record_write_id(const record *r, outbuf *o);
/* Any other string field ("label", "category"); NULL when absent. */
const char *record_string(const record *r, const char *field);
/* true when meta.dev_overlap is true. */
bool record_dev_overlap(const record *r);

#endif
