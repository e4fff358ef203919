/* Shared pieces of the aupfilter command line. The CLI uses only the public
 * header of the library. */
#ifndef AUPF_CLI_H
#define AUPF_CLI_H

#include "aupfilter.h"

#include <stdbool.h>
#include <stddef.h>

/* Exit statuses (documented in docs/cli.md). */
enum {
    EXIT_OK = 0,
    EXIT_RECORD_ERRORS = 1, /* some records got an error line; check failures */
    EXIT_USAGE = 2,         /* bad arguments, configuration or rules */
    EXIT_IO = 3             /* input unreadable or output closed */
};

typedef struct {
    const char *config; /* NULL: the default configuration */
    bool no_cache;
    bool quiet; /* no warnings on stderr */
} cli_common;

/* The configuration to use: --config, $AUPFILTER_CONFIG, the source tree
 * (for a binary in the build tree) or the installed one. */
const char *cli_config_path(const cli_common *c);

/* Loads the ruleset, printing diagnostics as file:line: severity: message.
 * Returns NULL (after printing why) on failure. */
aupf_ruleset *cli_load(const cli_common *c, bool no_cache);

/* Prints a loading diagnostic (aupf_diag_fn; ctx is the cli_common). */
void cli_print_diag(void *ctx, aupf_severity sev, const char *file, int line, const char *rule_id,
                    const char *message);

/* Parses --config, --no-cache and --quiet at argv[*i]; true when taken. */
bool cli_common_option(cli_common *c, int argc, char **argv, int *i);

int cmd_filter(int argc, char **argv);
/* --input stream: see stream_cmd.c */
int cli_run_stream(aupf_ruleset *rs, aupf_scanner *s, aupf_role role, const char *verdict_path);
/* --input sse: see sse_cmd.c */
int cli_run_sse(aupf_ruleset *rs, aupf_scanner *s, aupf_role role, const char *verdict_path);
int cmd_eval(int argc, char **argv);
int cmd_rules(int argc, char **argv);

#endif
