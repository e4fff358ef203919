/* The CLI as a child process (bench_e2e.h). */
#include "bench_e2e.h"

#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

size_t bench_e2e_write_jsonl(const bench_corpus *c, const char *path) {
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    size_t bytes = 0;
    int ok = 1;
    for (size_t i = 0; ok && i < c->count; i++) {
        json_t *o = json_pack("{s:s%}", "text", c->text[i], c->len[i]);
        char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
        ok = line && fprintf(f, "%s\n", line) > 0;
        bytes += line ? strlen(line) + 1 : 0;
        free(line);
        json_decref(o);
    }
    if (fclose(f) != 0 || !ok)
        return 0;
    return bytes;
}

static double cpu_s(const struct rusage *ru) {
    return (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) +
           (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e6;
}

double bench_e2e_run(const char *cli, const char *config, const char *cache_dir, const char *input,
                     bench_clock clock) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, input ? input : "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    char *argv[] = {(char *)cli, "--config", (char *)config, "--quiet", "--input", "jsonl", NULL};
    /* the child's environment: ours, with the bench's cache directory if any */
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 2, sizeof *env);
    char var[4200];
    snprintf(var, sizeof var, "AUPFILTER_CACHE_DIR=%s", cache_dir ? cache_dir : "");
    double dt = -1;
    if (env) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (!cache_dir || strncmp(environ[i], "AUPFILTER_CACHE_DIR=", 20) != 0)
                env[k++] = environ[i];
        if (cache_dir)
            env[k++] = var;
        pid_t pid;
        double t0 = bench_now_s();
        struct rusage before, after;
        getrusage(RUSAGE_CHILDREN, &before); /* children waited for so far */
        if (posix_spawn(&pid, cli, &fa, NULL, argv, env) == 0) {
            int status;
            if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) <= 1 &&
                getrusage(RUSAGE_CHILDREN, &after) == 0)
                dt =
                    clock == BENCH_CLOCK_WALL ? bench_now_s() - t0 : cpu_s(&after) - cpu_s(&before);
        }
        free(env);
    }
    posix_spawn_file_actions_destroy(&fa);
    return dt;
}
