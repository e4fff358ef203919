/* The SSE filter of --input sse (sse_cmd.c) on any line reader and
 * output, for the CLI and for the fuzz target. */
#ifndef AUPF_CLI_SSE_H
#define AUPF_CLI_SSE_H

#include "aupfilter.h"
#include "line_reader.h"
#include "output.h"

#include <stdio.h>

/* Longest line, and longest event, the filter takes (bytes). */
#define SSE_MAX_LINE (16u << 20)

/* Filters the event stream lr gives into out (whose buffer the caller
 * frees); final verdicts go to verdicts when not NULL. Returns an exit
 * status (cli.h). */
int sse_filter(aupf_ruleset *rs, aupf_scanner *s, aupf_role role, FILE *verdicts, line_reader *lr,
               output *out);

#endif
