/* Runs build/aupfilter as a child for the CLI's fault and load tests:
 * standard input fed from memory by a thread, standard output collected,
 * standard error kept in a file. */
#ifndef AUPF_TEST_CLI_RUN_H
#define AUPF_TEST_CLI_RUN_H

#include <stddef.h>
#include <sys/types.h>

typedef struct {
    const char *const *args; /* after the program name; NULL-terminated */
    const char *const *env;  /* "NAME=value" to add; NULL-terminated, may be NULL */
    const char *input;       /* standard input */
    size_t input_len;
    size_t chunk;         /* write standard input in pieces of this size (0: all at once) */
    long fsize_limit;     /* > 0: RLIMIT_FSIZE of the child (SIGXFSZ ignored) */
    const char *out_file; /* standard output to this file instead of a pipe */
} cli_job;

typedef struct {
    int status; /* exit status, or 128 + signal */
    char *out;  /* standard output (malloc'd, NUL-terminated) */
    size_t out_len;
    char err[8192]; /* the start of standard error */
    long max_rss_kb;
} cli_result;

/* Runs the job to its end. */
void cli_run(const cli_job *job, cli_result *r);
void cli_result_free(cli_result *r);

/* Starts the CLI with a pipe on standard output (*out, the parent's end)
 * and standard input from in_path, or when that is NULL from a pipe (*in);
 * stderr goes to err_path. Nothing feeds it. */
pid_t cli_start(const char *const *args, const char *const *env, const char *in_path, int *in,
                int *out, const char *err_path);
/* Waits for the child: exit status (or 128 + signal) and its peak RSS. */
int cli_wait(pid_t pid, long *max_rss_kb);

/* Number of lines in s[0..n). */
size_t count_lines(const char *s, size_t n);

#endif
