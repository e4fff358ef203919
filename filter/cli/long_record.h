/* Records over --max-bytes: read in pieces and scanned as a stream, so
 * memory stays bounded whatever their size; the verdict is the one a
 * block scan of the whole record gives (docs/streaming.md). */
#ifndef AUPF_CLI_LONG_RECORD_H
#define AUPF_CLI_LONG_RECORD_H

#include "aupfilter.h"
#include "json_out.h"
#include "line_reader.h"
#include "output.h"

#include <stdbool.h>

typedef struct long_record long_record;

long_record *long_record_new(void);
void long_record_free(long_record *l);

typedef struct {
    aupf_ruleset *rs;
    aupf_scanner *s;
    aupf_role role; /* for records that do not carry one */
    bool jsonl;     /* a JSONL record: its "text" is scanned */
    bool strip_cr;  /* a line: a '\r' before its newline is not part of it */
    output *apply;  /* not NULL: the released text goes here */
} long_record_opts;

typedef enum {
    LONG_VERDICT, /* *result is the verdict */
    LONG_ERROR,   /* the record gets an error line: *error */
    LONG_INPUT,   /* the input failed */
    LONG_OUTPUT   /* the output failed */
} long_status;

/* Reads the rest of the record whose first piece line_reader_next (or
 * line_reader_all) gave as LINE_LONG, and scans it. *total receives its
 * length in bytes. */
long_status long_record_run(long_record *l, const long_record_opts *o, line_reader *lr,
                            const char *piece, size_t len, const aupf_result **result,
                            const char **error, size_t *total);

/* The last JSONL record's id as JSON ("null" when it had none). */
void long_record_write_id(const long_record *l, outbuf *o);

#endif
