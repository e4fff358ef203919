/* Large hostile inputs through the CLI (label "large": seconds, not
 * milliseconds): a 200 MB single line is scanned as a stream with memory
 * bounded by the record limit, ten million tiny lines all come out in
 * order, and records over the limit get the verdicts they get whole. */
#include "cli_run.h"
#include "helpers.h"

#include <errno.h>
#include <glob.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONFIG AUPF_TEST_FIXTURES "/basic.conf"

/* Writes a generated input into a pipe from a thread, so that no test
 * holds hundreds of megabytes. */
typedef struct {
    int fd;
    void (*make)(int fd, void *arg);
    void *arg;
} producer;

static void *produce(void *p) {
    producer *pr = p;
    pr->make(pr->fd, pr->arg);
    close(pr->fd);
    return NULL;
}

static int write_all(int fd, const char *s, size_t n) {
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Runs the CLI on a generated input; out_cb sees the output as it comes. */
static int run_generated(const char *const *args, void (*make)(int, void *), void *arg,
                         void (*out_cb)(const char *, size_t, void *), void *out_arg,
                         long *max_rss_kb) {
    signal(SIGPIPE, SIG_IGN);
    char err[] = "/tmp/aupf-cli-err-XXXXXX";
    close(mkstemp(err));
    int to, from;
    pid_t pid = cli_start(args, NULL, NULL, &to, &from, err);
    assert_true(pid > 0);
    producer pr = {to, make, arg};
    pthread_t t;
    pthread_create(&t, NULL, produce, &pr);
    static char buf[1 << 16];
    ssize_t n;
    while ((n = read(from, buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        assert_true(n > 0);
        out_cb(buf, (size_t)n, out_arg);
    }
    close(from);
    pthread_join(t, NULL);
    int status = cli_wait(pid, max_rss_kb);
    unlink(err);
    return status;
}

typedef struct {
    char *data;
    size_t len, cap;
    size_t total; /* bytes seen, kept or not */
} sink;

/* Keeps the first cap bytes and the last cap bytes seen. */
static void keep(const char *p, size_t n, void *arg) {
    sink *s = arg;
    s->total += n;
    if (n >= s->cap) {
        memcpy(s->data, p + n - s->cap, s->cap);
        s->len = s->cap;
        return;
    }
    if (s->len + n > s->cap) {
        size_t drop = s->len + n - s->cap;
        memmove(s->data, s->data + drop, s->len - drop);
        s->len -= drop;
    }
    memcpy(s->data + s->len, p, n);
    s->len += n;
}

#define BIG (200u << 20)

static const char WORDS[] = "the quick brown fox jumps over the lazy dog and keeps on running ";
#define CHUNK_LEN ((1u << 16) - (1u << 16) % (sizeof WORDS - 1))
#define NCHUNKS   ((BIG + CHUNK_LEN - 1) / CHUNK_LEN)

/* One record (JSONL, or a line when arg is not NULL) whose text is 200 MB
 * of words (NCHUNKS * CHUNK_LEN bytes) and a bomb at the very end. */
static void make_big_record(int fd, void *arg) {
    int lines = arg != NULL;
    static char chunk[CHUNK_LEN];
    for (size_t i = 0; i < CHUNK_LEN; i += sizeof WORDS - 1)
        memcpy(chunk + i, WORDS, sizeof WORDS - 1);
    if (!lines && write_all(fd, "{\"id\":\"big\",\"text\":\"", 20))
        return;
    for (size_t i = 0; i < NCHUNKS; i++)
        if (write_all(fd, chunk, CHUNK_LEN))
            return;
    const char *end = lines ? "a bomb at the end\n" : "a bomb at the end\"}\n";
    write_all(fd, end, strlen(end));
}

static void line_of_200_mb_in_bounded_memory(void **state) {
    (void)state;
    const char *args[] = {"--config", CONFIG, NULL};
    sink s = {.data = malloc(4097), .cap = 4096};
    long rss;
    int status = run_generated(args, make_big_record, NULL, keep, &s, &rss);
    assert_int_equal(status, 0);
    s.data[s.len] = 0;
    assert_int_equal(count_lines(s.data, s.len), 1);
    assert_non_null(strstr(s.data, "{\"id\":\"big\",\"line\":1,\"flagged\":true,"
                                   "\"categories\":[\"weapons\"]"));
    /* the match is where the bomb is: 200 MB and some in */
    const char *m = strstr(s.data, "\"rule\":\"weapons.test.bomb\"");
    assert_non_null(m);
    unsigned long start = strtoul(strstr(m, "\"start\":") + 8, NULL, 10);
    assert_int_equal(start, NCHUNKS * CHUNK_LEN + 2);
    /* read in pieces and scanned as a stream: the 16 MiB record limit, not
     * the record, bounds the memory */
    print_message("200 MB JSONL record: peak RSS %ld kB\n", rss);
    assert_true(rss < 128 * 1024);
    free(s.data);
}

static void line_of_200_mb_applied_as_it_comes(void **state) {
    (void)state;
    const char *args[] = {"--config", CONFIG, "--input", "lines", "--apply", NULL};
    sink s = {.data = malloc(4097), .cap = 4096};
    long rss;
    int status = run_generated(args, make_big_record, "lines", keep, &s, &rss);
    assert_int_equal(status, 0);
    s.data[s.len] = 0;
    /* the whole text came out, with the bomb redacted at its end */
    assert_int_equal(s.total, NCHUNKS * CHUNK_LEN + strlen("a [X] at the end\n"));
    assert_non_null(strstr(s.data, "running a [X] at the end\n"));
    print_message("200 MB line with --apply: peak RSS %ld kB\n", rss);
    assert_true(rss < 128 * 1024);
    free(s.data);
}

#define TINY 10000000u

/* Ten million tiny lines: every 1000th is "kill", the others one letter. */
static void make_tiny_lines(int fd, void *arg) {
    (void)arg;
    static char buf[1 << 16];
    size_t n = 0;
    for (size_t i = 1; i <= TINY; i++) {
        const char *s = i % 1000 == 0 ? "kill\n" : "a\n";
        size_t k = strlen(s);
        if (n + k > sizeof buf) {
            if (write_all(fd, buf, n))
                return;
            n = 0;
        }
        memcpy(buf + n, s, k);
        n += k;
    }
    write_all(fd, buf, n);
}

typedef struct {
    char partial[4096];
    size_t plen;
    size_t lines, flagged, out_of_place;
} line_check;

static void check_line(line_check *c, const char *line, size_t n) {
    (void)n;
    c->lines++;
    /* {"id":null,"line":N,"flagged":B */
    const char *p = strstr(line, "\"line\":");
    unsigned long number = p ? strtoul(p + 7, NULL, 10) : 0;
    int flagged = strstr(line, "\"flagged\":true") != NULL;
    c->flagged += flagged;
    if (number != c->lines || flagged != (number % 1000 == 0))
        c->out_of_place++;
}

static void check_lines(const char *p, size_t n, void *arg) {
    line_check *c = arg;
    while (n) {
        const char *nl = memchr(p, '\n', n);
        size_t k = nl ? (size_t)(nl - p) + 1 : n;
        assert_true(c->plen + k < sizeof c->partial);
        memcpy(c->partial + c->plen, p, k);
        c->plen += k;
        if (nl) {
            c->partial[c->plen - 1] = 0;
            check_line(c, c->partial, c->plen - 1);
            c->plen = 0;
        }
        p += k;
        n -= k;
    }
}

static void ten_million_tiny_lines_in_order(void **state) {
    (void)state;
    const char *args[] = {"--config", CONFIG, "--input", "lines", NULL};
    line_check c = {0};
    long rss;
    int status = run_generated(args, make_tiny_lines, NULL, check_lines, &c, &rss);
    assert_int_equal(status, 0);
    assert_int_equal(c.plen, 0);
    assert_int_equal(c.lines, TINY);          /* none dropped */
    assert_int_equal(c.flagged, TINY / 1000); /* every kill found ... */
    assert_int_equal(c.out_of_place, 0);      /* ... where it was, in order */
    print_message("10M lines: peak RSS %ld kB\n", rss);
}

/* An SSE event of 20 data lines of 1 MiB and no blank line, then an
 * ordinary event. */
static void make_endless_event(int fd, void *arg) {
    (void)arg;
    static char line[(1 << 20) + 8];
    memcpy(line, "data: ", 6);
    memset(line + 6, 'x', 1 << 20);
    line[(1 << 20) + 6] = '\n';
    for (int i = 0; i < 20; i++)
        if (write_all(fd, line, (1 << 20) + 7))
            return;
    const char *rest = "\ndata: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                       "\"delta\":{\"content\":\"a bomb\"},\"finish_reason\":\"stop\"}]}\n\n";
    write_all(fd, rest, strlen(rest));
}

static void endless_sse_event_is_dropped(void **state) {
    (void)state;
    const char *args[] = {"--config", CONFIG, "--input", "sse", NULL};
    sink s = {.data = malloc(4097), .cap = 4096};
    long rss;
    int status = run_generated(args, make_endless_event, NULL, keep, &s, &rss);
    s.data[s.len] = 0;
    assert_int_equal(status, 1); /* counted as an event not filtered */
    assert_string_equal(s.data, "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{"
                                "\"index\":0,\"delta\":{\"content\":\"a [X]\"},\"finish_reason\":"
                                "\"stop\"}]}\n\n");
    print_message("20 MiB SSE event: peak RSS %ld kB\n", rss);
    assert_true(rss < 128 * 1024);
    free(s.data);
}

/* Every record of the development data, whole and as streams (a limit of
 * one byte streams them all): the same verdict lines. */
static void over_the_limit_equals_whole_on_dev_data(void **state) {
    (void)state;
    glob_t g;
    if (glob(AUPF_TEST_DEV_DATA "/*.jsonl", 0, NULL, &g) != 0) {
        print_message("no development data in %s: skipped\n", AUPF_TEST_DEV_DATA);
        skip();
    }
    size_t cap = 1 << 20, len = 0;
    char *in = malloc(cap);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        FILE *f = fopen(g.gl_pathv[i], "rb");
        size_t n;
        while (f && (n = fread(in + len, 1, cap - len, f)) > 0) {
            len += n;
            if (len == cap)
                in = realloc(in, cap *= 2);
        }
        if (f)
            fclose(f);
    }
    globfree(&g);
    const char *whole_args[] = {"--config", AUPF_TEST_CONFIG, "--quiet", NULL};
    const char *stream_args[] = {"--config", AUPF_TEST_CONFIG, "--quiet", "--max-bytes", "1", NULL};
    cli_result whole, streamed;
    const char *env[] = {"AUPFILTER_CACHE_DIR=" AUPF_TEST_CACHE, NULL};
    cli_job job = {.args = whole_args, .env = env, .input = in, .input_len = len};
    cli_run(&job, &whole);
    job.args = stream_args;
    cli_run(&job, &streamed);
    assert_int_equal(whole.status, streamed.status);
    assert_true(count_lines(whole.out, whole.out_len) > 40000);
    assert_int_equal(whole.out_len, streamed.out_len);
    assert_memory_equal(whole.out, streamed.out, whole.out_len);
    cli_result_free(&whole);
    cli_result_free(&streamed);
    free(in);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(line_of_200_mb_in_bounded_memory),
        cmocka_unit_test(line_of_200_mb_applied_as_it_comes),
        cmocka_unit_test(ten_million_tiny_lines_in_order),
        cmocka_unit_test(endless_sse_event_is_dropped),
        cmocka_unit_test(over_the_limit_equals_whole_on_dev_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
