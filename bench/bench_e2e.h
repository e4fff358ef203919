/* End to end: the aupfilter command over a JSONL file, JSONL in, verdict
 * lines out (to /dev/null). */
#ifndef AUPF_BENCH_E2E_H
#define AUPF_BENCH_E2E_H

#include "bench_util.h"

/* Writes the corpus as JSONL ({"text": ...} per line); returns its bytes,
 * or 0 on error. */
size_t bench_e2e_write_jsonl(const bench_corpus *c, const char *path);
/* Runs `cli --config config --quiet --input jsonl < input > /dev/null` with
 * AUPFILTER_CACHE_DIR=cache_dir (NULL: the environment as it is). Returns
 * the child's CPU seconds (user + system) for BENCH_CLOCK_CPU, else wall
 * seconds from spawn to exit; a negative value when it could not run or
 * exited with 2 or more (1 only says some records got an error line).
 * input NULL: empty input. */
double bench_e2e_run(const char *cli, const char *config, const char *cache_dir, const char *input,
                     bench_clock clock);

#endif
