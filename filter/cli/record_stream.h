/* A JSONL record too large to hold (over --max-bytes), parsed as it
 * arrives: the top-level "text" string is decoded and handed on in pieces;
 * "id" and "role" are kept (they must be small); everything else is
 * checked and skipped. The rules are record.c's: one JSON object, "text" a
 * string, "role" "prompt" or "completion" (or null), "id" echoed as given,
 * and "text" and "role" at most once. Memory: a fixed nesting stack and
 * the small fields, whatever the record's size. */
#ifndef AUPF_CLI_RECORD_STREAM_H
#define AUPF_CLI_RECORD_STREAM_H

#include "json_out.h"

#include <stdbool.h>
#include <stddef.h>

/* Decoded bytes of the "text" string, in order. */
typedef void (*record_text_fn)(void *ctx, const char *bytes, size_t len);

typedef struct record_stream record_stream;

record_stream *record_stream_new(void);
void record_stream_free(record_stream *r);

/* Starts a record. */
void record_stream_begin(record_stream *r, record_text_fn on_text, void *ctx);
/* Feeds the next piece of the line. After an error the rest is ignored. */
void record_stream_feed(record_stream *r, const char *p, size_t n);
/* Ends the line: true when the record is good; else *error says why
 * (valid until the next record). */
bool record_stream_end(record_stream *r, const char **error);

/* "prompt", "completion" or NULL (absent so far, or not yet valid). */
const char *record_stream_role(const record_stream *r);
/* Writes the record's id as JSON (null when absent or unusable). */
void record_stream_write_id(const record_stream *r, outbuf *o);

#endif
