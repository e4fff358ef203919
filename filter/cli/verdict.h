/* Formats verdicts: native JSON lines (the CLI contract) and a readable
 * text form. */
#ifndef AUPF_CLI_VERDICT_H
#define AUPF_CLI_VERDICT_H

#include "aupfilter.h"
#include "json_out.h"
#include "record.h"

typedef enum { FORMAT_JSON, FORMAT_TEXT, FORMAT_OPENAI, FORMAT_LLAMAGUARD } verdict_format;

typedef struct {
    const record *rec;   /* NULL outside jsonl mode */
    const char *id_json; /* the id as JSON when there is no rec (NULL: null) */
    size_t id_len;
    size_t number;    /* 1-based record number */
    const char *text; /* NULL for a record scanned as a stream */
    size_t len;
    const char *output; /* text after actions, or NULL */
    size_t output_len;
} verdict_input;

void verdict_write(outbuf *o, verdict_format f, const aupf_ruleset *rs, const aupf_result *r,
                   const verdict_input *in);
void verdict_write_error(outbuf *o, verdict_format f, const verdict_input *in, const char *error);

#endif
