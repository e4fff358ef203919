#define _DEFAULT_SOURCE /* wait4 */
#include "cli_run.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static void child_exec(const char *const *args, const char *const *env) {
    const char *argv[64];
    int n = 0;
    argv[n++] = AUPF_TEST_CLI;
    for (int i = 0; args[i] && n < 63; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    for (int i = 0; env && env[i]; i++)
        putenv((char *)env[i]);
    /* an LD_PRELOAD shim before a dynamic sanitizer runtime */
    const char *asan = getenv("ASAN_OPTIONS");
    char opts[1024];
    snprintf(opts, sizeof opts, "%s%sverify_asan_link_order=0", asan ? asan : "",
             asan && *asan ? ":" : "");
    setenv("ASAN_OPTIONS", opts, 1);
    execv(AUPF_TEST_CLI, (char *const *)argv);
    _exit(127);
}

pid_t cli_start(const char *const *args, const char *const *env, const char *in_path, int *in,
                int *out, const char *err_path) {
    int a[2], b[2];
    if (pipe(a) || pipe(b))
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in_path ? open(in_path, O_RDONLY) : a[0], 0);
        dup2(b[1], 1);
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (e >= 0)
            dup2(e, 2);
        close(a[0]);
        close(a[1]);
        close(b[0]);
        close(b[1]);
        child_exec(args, env);
    }
    close(a[0]);
    close(b[1]);
    if (in_path)
        close(a[1]);
    *in = in_path ? -1 : a[1];
    *out = b[0];
    return pid;
}

int cli_wait(pid_t pid, long *max_rss_kb) {
    int status = 0;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
        ;
    if (max_rss_kb)
        *max_rss_kb = ru.ru_maxrss;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

typedef struct {
    int fd;
    const char *data;
    size_t len, chunk;
} feeder;

static void *feed(void *p) {
    feeder *f = p;
    size_t off = 0;
    while (off < f->len) {
        size_t n = f->len - off;
        if (f->chunk && n > f->chunk)
            n = f->chunk;
        ssize_t w = write(f->fd, f->data + off, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break; /* the child stopped reading */
        off += (size_t)w;
    }
    close(f->fd);
    return NULL;
}

static void read_file(const char *path, char *buf, size_t cap) {
    buf[0] = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = 0;
    fclose(f);
}

void cli_run(const cli_job *job, cli_result *r) {
    signal(SIGPIPE, SIG_IGN);
    memset(r, 0, sizeof *r);
    char err_path[] = "/tmp/aupf-cli-err-XXXXXX";
    int efd = mkstemp(err_path);
    close(efd);
    int a[2], b[2] = {-1, -1};
    if (pipe(a) || (!job->out_file && pipe(b))) {
        r->status = -1;
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(a[0], 0);
        int o = job->out_file ? open(job->out_file, O_WRONLY | O_CREAT | O_TRUNC, 0644) : b[1];
        dup2(o, 1);
        int e = open(err_path, O_WRONLY | O_TRUNC);
        dup2(e, 2);
        close(a[1]);
        if (!job->out_file)
            close(b[0]);
        if (job->fsize_limit > 0) {
            signal(SIGXFSZ, SIG_IGN); /* kept across exec: writes fail with EFBIG */
            struct rlimit rl = {(rlim_t)job->fsize_limit, (rlim_t)job->fsize_limit};
            setrlimit(RLIMIT_FSIZE, &rl);
        }
        child_exec(job->args, job->env);
    }
    close(a[0]);
    if (!job->out_file)
        close(b[1]);
    feeder f = {a[1], job->input, job->input_len, job->chunk};
    pthread_t t;
    pthread_create(&t, NULL, feed, &f);
    size_t cap = 1 << 16;
    r->out = malloc(cap + 1);
    while (!job->out_file) {
        if (cap - r->out_len < (1 << 15)) {
            cap *= 2;
            r->out = realloc(r->out, cap + 1);
        }
        ssize_t n = read(b[0], r->out + r->out_len, cap - r->out_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        r->out_len += (size_t)n;
    }
    r->out[r->out_len] = 0;
    if (!job->out_file)
        close(b[0]);
    pthread_join(t, NULL);
    r->status = cli_wait(pid, &r->max_rss_kb);
    read_file(err_path, r->err, sizeof r->err);
    unlink(err_path);
}

void cli_result_free(cli_result *r) {
    free(r->out);
    r->out = NULL;
}

size_t count_lines(const char *s, size_t n) {
    size_t k = 0;
    for (const char *p = s; (p = memchr(p, '\n', n - (size_t)(p - s))) != NULL; p++)
        k++;
    return k;
}
