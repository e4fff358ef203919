/* Buffered stdout that flushes before the input blocks and reports a
 * closed pipe instead of dying of SIGPIPE. */
#ifndef AUPF_CLI_OUTPUT_H
#define AUPF_CLI_OUTPUT_H

#include "json_out.h"

#include <stdbool.h>

typedef struct {
    int fd;
    outbuf buf;
    bool failed; /* a write failed (EPIPE, ENOSPC ...): stop */
} output;

/* Writes everything buffered; false when the write failed. */
bool output_flush(output *o);
/* Flushes when the buffer holds more than a threshold. */
bool output_maybe_flush(output *o);
void output_wait_hook(void *ctx); /* line_wait_fn */

#endif
