/* The CLI's stream and SSE modes with a slow writer: output for early
 * chunks appears before later chunks are written, and events split across
 * writes come out whole. Runs build/aupfilter through pipes. */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    pid_t pid;
    int in, out;
    char got[65536];
    size_t len;
} child;

static void start(child *c, const char *mode, const char *role) {
    int a[2], b[2];
    assert_int_equal(pipe(a), 0);
    assert_int_equal(pipe(b), 0);
    c->pid = fork();
    assert_true(c->pid >= 0);
    if (c->pid == 0) {
        dup2(a[0], 0);
        dup2(b[1], 1);
        close(a[1]);
        close(b[0]);
        execl(AUPF_TEST_CLI, AUPF_TEST_CLI, "--config", AUPF_TEST_FIXTURES "/basic.conf", "--input",
              mode, "--role", role, (char *)NULL);
        _exit(127);
    }
    close(a[0]);
    close(b[1]);
    c->in = a[1];
    c->out = b[0];
    c->len = 0;
    fcntl(c->out, F_SETFL, O_NONBLOCK);
}

/* Reads what the child wrote within ms milliseconds. */
static void drain(child *c, int ms) {
    struct pollfd p = {c->out, POLLIN, 0};
    while (poll(&p, 1, ms) > 0) {
        ssize_t n = read(c->out, c->got + c->len, sizeof c->got - 1 - c->len);
        if (n <= 0)
            break;
        c->len += (size_t)n;
        ms = 20;
    }
    c->got[c->len] = 0;
}

/* Drains until `done` holds, for at most about 10 s: a slow start (a
 * sanitizer build on a loaded machine) only delays the output. */
static void drain_until(child *c, int (*done)(const child *, const void *), const void *arg) {
    for (int i = 0; i < 50 && !done(c, arg); i++)
        drain(c, 200);
}

static int holds_back_at_most(const child *c, const void *arg) {
    size_t fed = *(const size_t *)arg;
    return c->len > 0 && fed - c->len < 128 + 30;
}

static int has_text(const child *c, const void *arg) { return strstr(c->got, arg) != NULL; }

static int finish(child *c) {
    close(c->in);
    int status = 0;
    for (int i = 0; i < 200; i++) {
        drain(c, 20);
        if (waitpid(c->pid, &status, WNOHANG) == c->pid)
            break;
    }
    drain(c, 10);
    close(c->out);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void write_all(int fd, const char *s) {
    size_t n = strlen(s);
    while (n) {
        ssize_t w = write(fd, s, n);
        assert_true(w > 0);
        s += w;
        n -= (size_t)w;
    }
}

static void slow_writer_sees_early_output(void **state) {
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    child c;
    start(&c, "stream", "completion");
    const char *word = "plain words pass through here ";
    size_t fed = 0;
    for (int i = 0; i < 12; i++) {
        write_all(c.in, word);
        fed += strlen(word);
        drain(&c, 150);
    }
    /* the early text is out while the writer is still writing */
    drain_until(&c, holds_back_at_most, &fed);
    assert_true(c.len > 0);
    assert_true(fed - c.len < 128 + strlen(word));
    write_all(c.in, "and a bomb at the end");
    assert_int_equal(finish(&c), 0);
    assert_non_null(strstr(c.got, "and a [X] at the end"));
    assert_int_equal(strncmp(c.got, word, strlen(word)), 0);
}

static void sse_events_split_across_writes(void **state) {
    (void)state;
    child c;
    start(&c, "sse", "completion");
    const char *ev =
        "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
        "\"delta\":{\"content\":\"a bomb here and many more words to come\"},"
        "\"finish_reason\":null}]}\n\n";
    size_t half = strlen(ev) / 2;
    char first[512];
    memcpy(first, ev, half);
    first[half] = 0;
    write_all(c.in, first);
    drain(&c, 100);
    assert_int_equal(c.len, 0); /* half an event: nothing yet */
    write_all(c.in, ev + half);
    drain_until(&c, has_text, "\"object\":\"chat.completion.chunk\"");
    assert_non_null(strstr(c.got, "\"object\":\"chat.completion.chunk\""));
    write_all(c.in, "data: [DONE]\n\n");
    assert_int_equal(finish(&c), 0);
    assert_non_null(strstr(c.got, "a [X] here and many more words to come"));
    assert_non_null(strstr(c.got, "data: [DONE]\n\n"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(slow_writer_sees_early_output),
        cmocka_unit_test(sse_events_split_across_writes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
