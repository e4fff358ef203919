/* Buffered stdout that flushes before the input blocks and reports a
 * closed pipe instead of dying of SIGPIPE. Output made of lines is written
 * so that a failure never leaves half a line behind where that can be
 * helped: into a pipe in pieces of whole lines of at most PIPE_BUF bytes
 * (which a pipe takes whole or not at all), and a regular file is cut back
 * to its last whole line when a write fails (a full disk). */
#ifndef AUPF_CLI_OUTPUT_H
#define AUPF_CLI_OUTPUT_H

#include "json_out.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    int fd;
    outbuf buf;
    bool lines;  /* the output is lines: keep writes to whole lines */
    bool failed; /* a write failed (EPIPE, ENOSPC ...): stop */
    /* found out on the first flush */
    bool known, pipe, file;
    size_t partial; /* bytes written since the last newline */
} output;

/* Writes everything buffered; false when the write failed (said once on
 * stderr). */
bool output_flush(output *o);
/* Flushes when the buffer holds more than a threshold. */
bool output_maybe_flush(output *o);
void output_wait_hook(void *ctx); /* line_wait_fn */

#endif
