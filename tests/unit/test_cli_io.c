/* The CLI under I/O faults and internal failures (docs/reliability.md):
 * EINTR and short reads/writes change nothing in the output; a reader that
 * closes the pipe ends the run with status 3 and whole lines; a slow
 * reader holds the CLI back instead of letting it buffer; a full disk
 * leaves whole lines (output) or no cache (compiled in memory); a scan
 * that fails inside gives the on_error fallback verdict. Faults come from
 * an LD_PRELOAD shim (io_shim.c) and resource limits. */
#define _DEFAULT_SOURCE /* FIONREAD */
#include "cli_run.h"
#include "helpers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG AUPF_TEST_FIXTURES "/basic.conf"

static const char *const JSONL_ARGS[] = {"--config", CONFIG, NULL};

/* n JSONL records: plain text, with a kill, a bomb or a prize now and then. */
static char *make_records(size_t n, size_t *len) {
    static const char *const texts[] = {
        "plain words about the weather and the garden, nothing else here",
        "I will kill him tomorrow",
        "a bomb in the car park and a second bomb",
        "you won a prize, call 0800123456 now",
        "caf\\u00e9 cr\\u00e8me, na\\u00efve \\ud83d\\ude00 text",
    };
    size_t cap = n * 128 + 1;
    char *s = malloc(cap);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(s + k, cap - k, "{\"id\":%zu,\"text\":\"%s\"}\n", i,
                              texts[(i * 7) % 5]);
    *len = k;
    return s;
}

static void run(const char *const *args, const char *const *env, const char *in, size_t len,
                size_t chunk, cli_result *r) {
    cli_job job = {.args = args, .env = env, .input = in, .input_len = len, .chunk = chunk};
    cli_run(&job, r);
}

/* The shim's count of one kind of fault from its line on stderr. */
static long injected(const cli_result *r, const char *kind) {
    const char *p = strstr(r->err, "io_shim:");
    char key[32];
    snprintf(key, sizeof key, " %s=", kind);
    p = p ? strstr(p, key) : NULL;
    return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static void same_output_under(const char *const *env, size_t chunk, const char *kind) {
    size_t len;
    char *in = make_records(3000, &len);
    cli_result ref, got;
    run(JSONL_ARGS, NULL, in, len, 0, &ref);
    assert_int_equal(ref.status, 0);
    assert_int_equal(count_lines(ref.out, ref.out_len), 3000);
    run(JSONL_ARGS, env, in, len, chunk, &got);
    assert_true(injected(&got, kind) > 0); /* the faults did happen */
    assert_int_equal(got.status, 0);
    assert_int_equal(got.out_len, ref.out_len);
    assert_memory_equal(got.out, ref.out, ref.out_len);
    cli_result_free(&ref);
    cli_result_free(&got);
    free(in);
}

static void eintr_on_reads_and_writes(void **state) {
    (void)state;
    const char *env[] = {"LD_PRELOAD=" AUPF_TEST_SHIM, "AUPF_SHIM_EINTR=1", NULL};
    same_output_under(env, 0, "eintr");
}

static void signal_timer_interrupts_blocking_calls(void **state) {
    (void)state;
    /* input in small pieces, so the CLI blocks on reads while the timer fires */
    const char *env[] = {"LD_PRELOAD=" AUPF_TEST_SHIM, "AUPF_SHIM_TIMER_US=200", NULL};
    same_output_under(env, 512, "alarms");
}

static void short_reads_and_writes(void **state) {
    (void)state;
    const char *env[] = {"LD_PRELOAD=" AUPF_TEST_SHIM, "AUPF_SHIM_SHORT=7", NULL};
    same_output_under(env, 0, "short");
}

static char *tmp_file_with(const char *data, size_t len) {
    static char path[64];
    strcpy(path, "/tmp/aupf-cli-in-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

static void reader_closing_the_pipe_ends_cleanly(void **state) {
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    size_t len;
    char *in = make_records(50000, &len); /* megabytes of verdicts: more than a pipe holds */
    cli_result ref;
    run(JSONL_ARGS, NULL, in, len, 0, &ref);
    char err[] = "/tmp/aupf-cli-err-XXXXXX";
    close(mkstemp(err));
    int to, from;
    /* the input from a file, so the CLI never waits for it */
    char *path = tmp_file_with(in, len);
    pid_t pid = cli_start(JSONL_ARGS, NULL, path, &to, &from, err);
    ssize_t n;
    /* read some of the output, then everything the pipe holds at one
     * moment: the CLI writes whole lines of at most PIPE_BUF bytes, so
     * what was read ends at a line end */
    size_t got = 0, cap = 1 << 20;
    char *out = malloc(cap);
    while (count_lines(out, got) < 200) {
        n = read(from, out + got, 1000);
        assert_true(n > 0);
        got += (size_t)n;
    }
    int held = 0;
    assert_int_equal(ioctl(from, FIONREAD, &held), 0);
    while (held > 0) {
        n = read(from, out + got, (size_t)held);
        assert_true(n > 0);
        got += (size_t)n;
        held -= (int)n;
    }
    close(from);
    int status = cli_wait(pid, NULL);
    unlink(path);
    assert_int_equal(status, 3); /* EPIPE: a clean exit, not death by SIGPIPE */
    assert_true(got > 0 && out[got - 1] == '\n');
    assert_true(got < ref.out_len);
    assert_memory_equal(out, ref.out, got); /* a prefix, in order */
    char msg[512] = "";
    FILE *f = fopen(err, "r");
    assert_non_null(f);
    msg[fread(msg, 1, sizeof msg - 1, f)] = 0;
    fclose(f);
    unlink(err);
    assert_non_null(strstr(msg, "aupfilter: output closed by the reader"));
    free(out);
    free(in);
    cli_result_free(&ref);
}

/* Writes as much of data as the child takes before it stops reading for
 * `idle_ms`; returns the bytes taken. */
static size_t push_until_blocked(int fd, const char *data, size_t len, int idle_ms) {
    size_t off = 0;
    fcntl(fd, F_SETFL, O_NONBLOCK);
    while (off < len) {
        struct pollfd p = {fd, POLLOUT, 0};
        if (poll(&p, 1, idle_ms) <= 0)
            break; /* the child has not read for idle_ms */
        ssize_t w = write(fd, data + off, len - off < 65536 ? len - off : 65536);
        if (w > 0)
            off += (size_t)w;
        else if (w < 0 && errno != EAGAIN && errno != EINTR)
            break;
    }
    return off;
}

static long rss_kb(pid_t pid) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

static void slow_reader_gets_backpressure(void **state) {
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    size_t len;
    size_t records = 200000;
    char *in = make_records(records, &len); /* about 12 MB in, 40 MB of verdicts out */
    char err[] = "/tmp/aupf-cli-err-XXXXXX";
    close(mkstemp(err));
    int to, from;
    pid_t pid = cli_start(JSONL_ARGS, NULL, NULL, &to, &from, err);
    long rss_before = -1;
    /* nobody reads the verdicts: once the output pipe is full the CLI
     * stops reading, and the input it took stays small */
    size_t taken = push_until_blocked(to, in, len, 1000);
    rss_before = rss_kb(pid);
    assert_true(taken < len / 4);
    assert_true(taken < (size_t)4 << 20);
    /* now read: everything comes out, in order */
    fcntl(from, F_SETFL, O_NONBLOCK);
    size_t lines = 0, off = taken;
    char buf[65536];
    int open_in = 1;
    for (;;) {
        struct pollfd p[2] = {{from, POLLIN, 0}, {open_in ? to : -1, POLLOUT, 0}};
        if (poll(p, 2, 10000) <= 0)
            break;
        if (p[1].revents & (POLLOUT | POLLERR)) {
            ssize_t w = write(to, in + off, len - off < 65536 ? len - off : 65536);
            if (w > 0)
                off += (size_t)w;
            if (off == len) {
                close(to);
                open_in = 0;
            }
        }
        if (p[0].revents & (POLLIN | POLLHUP)) {
            ssize_t n = read(from, buf, sizeof buf);
            if (n == 0)
                break;
            if (n > 0)
                lines += count_lines(buf, (size_t)n);
        }
    }
    close(from);
    if (open_in)
        close(to);
    long peak;
    assert_int_equal(cli_wait(pid, &peak), 0);
    assert_int_equal(lines, records);
    /* held back, the CLI did not grow: its peak is that of a small run */
    assert_true(rss_before > 0);
    print_message("backpressure: %zu of %zu input bytes taken while blocked, RSS %ld kB then, "
                  "peak %ld kB\n",
                  taken, len, rss_before, peak);
    unlink(err);
    free(in);
}

static void full_output_disk_keeps_whole_lines(void **state) {
    (void)state;
    size_t len;
    char *in = make_records(5000, &len);
    cli_result ref, got;
    run(JSONL_ARGS, NULL, in, len, 0, &ref);
    char out[] = "/tmp/aupf-cli-out-XXXXXX";
    close(mkstemp(out));
    /* a file size limit stands for a full disk: writes past it fail (EFBIG) */
    cli_job job = {
        .args = JSONL_ARGS, .input = in, .input_len = len, .fsize_limit = 100000, .out_file = out};
    cli_run(&job, &got);
    assert_int_equal(got.status, 3);
    assert_non_null(strstr(got.err, "aupfilter: cannot write output"));
    struct stat st;
    assert_int_equal(stat(out, &st), 0);
    size_t size = (size_t)st.st_size;
    assert_true(size > 0 && size <= 100000);
    char *data = malloc(size);
    int fd = open(out, O_RDONLY);
    assert_int_equal(read(fd, data, size), (ssize_t)size);
    close(fd);
    assert_int_equal(data[size - 1], '\n'); /* cut back to the last whole line */
    assert_memory_equal(data, ref.out, size);
    free(data);
    unlink(out);
    cli_result_free(&ref);
    cli_result_free(&got);
    free(in);
}

static size_t files_in(const char *dir) {
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)))
        n += de->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

/* basic.conf with its pack named by absolute path and `setting` in place
 * of its cache_dir line. */
static const char *config_with(const char *setting) {
    char text[4096], out[8192];
    FILE *f = fopen(CONFIG, "r");
    assert_non_null(f);
    text[fread(text, 1, sizeof text - 1, f)] = 0;
    fclose(f);
    const char *pack = strstr(text, "\"basic.rules\"");
    const char *cache = strstr(text, "cache_dir = \"none\";");
    assert_true(pack && cache && pack < cache);
    snprintf(out, sizeof out, "%.*s\"%s/basic.rules\"%.*s%s%s", (int)(pack - text), text,
             AUPF_TEST_FIXTURES, (int)(cache - pack - 13), pack + 13, setting,
             cache + strlen("cache_dir = \"none\";"));
    static char path[512];
    snprintf(path, sizeof path, "%s", test_write(test_tmpdir(), "test.conf", out));
    return path;
}

static void cache_on_a_full_disk_falls_back_to_memory(void **state) {
    (void)state;
    char cache[600], extra[700];
    snprintf(cache, sizeof cache, "%s/cache", test_tmpdir());
    snprintf(extra, sizeof extra, "cache_dir = \"%s\";", cache);
    const char *conf = config_with(extra);
    const char *args[] = {"--config", conf, NULL};
    size_t len;
    char *in = make_records(100, &len);
    cli_result ref, got;
    run(JSONL_ARGS, NULL, in, len, 0, &ref);
    /* the compiled database is larger than the disk has room for */
    cli_job job = {.args = args, .input = in, .input_len = len, .fsize_limit = 1024};
    cli_run(&job, &got);
    assert_int_equal(got.status, 0);
    assert_non_null(strstr(got.err, "cannot write cache"));
    assert_int_equal(files_in(cache), 0); /* no partial file left behind */
    assert_int_equal(got.out_len, ref.out_len);
    assert_memory_equal(got.out, ref.out, ref.out_len);
    cli_result_free(&got);
    /* a cache directory that cannot be made: a warning, and the same verdicts */
    const char *conf2 = config_with("cache_dir = \"/dev/null/cache\";");
    const char *args2[] = {"--config", conf2, NULL};
    cli_job job2 = {.args = args2, .input = in, .input_len = len};
    cli_run(&job2, &got);
    assert_int_equal(got.status, 0);
    assert_non_null(strstr(got.err, "cannot create cache directory"));
    assert_memory_equal(got.out, ref.out, ref.out_len);
    cli_result_free(&got);
    cli_result_free(&ref);
    free(in);
}

/* ---- internal failures: the on_error policy ------------------------------ */

static size_t occurrences(const char *s, const char *sub) {
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, sub)) != NULL; p++)
        n++;
    return n;
}

static const char *const SCAN_FAILS[] = {"LD_PRELOAD=" AUPF_TEST_SHIM,
                                         "AUPF_SHIM_SCAN_FAIL=zqxfail", NULL};

static void scan_failure_fails_closed(void **state) {
    (void)state;
    const char *in = "{\"id\":1,\"text\":\"a bomb\"}\n"
                     "{\"id\":2,\"text\":\"zqxfail and nothing bad\"}\n"
                     "{\"id\":3,\"text\":\"kill\"}\n";
    cli_result r;
    run(JSONL_ARGS, SCAN_FAILS, in, strlen(in), 0, &r);
    assert_int_equal(r.status, 1);
    assert_int_equal(count_lines(r.out, r.out_len), 3);
    char *l2 = strstr(r.out, "{\"id\":2,");
    assert_non_null(l2);
    assert_non_null(strstr(l2, "\"flagged\":true,\"categories\":[]"));
    assert_non_null(strstr(l2, "\"action\":\"block\",\"fallback\":\"fail_closed\","
                               "\"reason\":\"scan failed\""));
    assert_non_null(
        strstr(r.out, "{\"id\":1,\"line\":1,\"flagged\":true,\"categories\":[\"weapons\"]"));
    assert_non_null(
        strstr(r.out, "{\"id\":3,\"line\":3,\"flagged\":true,\"categories\":[\"violence\"]"));
    assert_int_equal(occurrences(r.out, "\"fallback\""), 1); /* record 2 only */
    assert_non_null(
        strstr(r.err, "aupfilter: record 2: scan failed; verdict by on_error = fail_closed"));
    cli_result_free(&r);

    /* --apply on lines: the block message in the record's place */
    const char *args[] = {"--config", CONFIG, "--input", "lines", "--apply", NULL};
    const char *lines = "a bomb\nzqxfail and nothing bad\nplain\n";
    run(args, SCAN_FAILS, lines, strlen(lines), 0, &r);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "a [X]\n[blocked]\nplain\n");
    cli_result_free(&r);
}

static void scan_failure_fails_open(void **state) {
    (void)state;
    const char *conf = config_with("on_error = \"fail_open\";");
    const char *args[] = {"--config", conf, NULL};
    const char *in = "{\"id\":1,\"text\":\"zqxfail and kill\"}\n{\"id\":2,\"text\":\"kill\"}\n";
    cli_result r;
    run(args, SCAN_FAILS, in, strlen(in), 0, &r);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "{\"id\":1,\"line\":1,\"flagged\":false,\"categories\":[]"));
    assert_non_null(strstr(r.out, "\"action\":\"allow\",\"fallback\":\"fail_open\","
                                  "\"reason\":\"scan failed\""));
    assert_non_null(strstr(r.out, "{\"id\":2,\"line\":2,\"flagged\":true"));
    assert_non_null(strstr(r.err, "verdict by on_error = fail_open"));
    cli_result_free(&r);
    const char *args2[] = {"--config", conf, "--input", "lines", "--apply", NULL};
    const char *lines = "zqxfail and kill\nkill\n";
    run(args2, SCAN_FAILS, lines, strlen(lines), 0, &r);
    assert_string_equal(r.out, "zqxfail and kill\n[blocked]\n");
    cli_result_free(&r);
}

static void stream_and_sse_failures_fail_closed(void **state) {
    (void)state;
    const char *args[] = {"--config", CONFIG, "--input", "stream", "--role", "completion", NULL};
    const char *text = "plain words pass through here and keep on going for a while, "
                       "then zqxfail, and a bomb that is not redacted but never shown";
    cli_result r;
    run(args, SCAN_FAILS, text, strlen(text), 0, &r);
    assert_int_equal(r.status, 1);
    size_t msg = strlen("[blocked]");
    assert_true(r.out_len >= msg);
    assert_string_equal(r.out + r.out_len - msg, "[blocked]");
    assert_null(strstr(r.out, "bomb"));
    assert_non_null(strstr(r.err, "on_error = fail_closed"));
    cli_result_free(&r);

    const char *sse_args[] = {"--config", CONFIG, "--input", "sse", NULL};
    const char *sse =
        "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
        "\"delta\":{\"content\":\"fine words and zqxfail\"},\"finish_reason\":null}]}\n\n"
        "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
        "\"delta\":{\"content\":\" then a bomb\"},\"finish_reason\":null}]}\n\n"
        "data: [DONE]\n\n";
    run(sse_args, SCAN_FAILS, sse, strlen(sse), 0, &r);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "\"finish_reason\":\"content_filter\""));
    assert_non_null(strstr(r.out, "[blocked]"));
    assert_null(strstr(r.out, "bomb"));
    assert_non_null(strstr(r.out, "data: [DONE]\n\n"));
    cli_result_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(eintr_on_reads_and_writes),
        cmocka_unit_test(signal_timer_interrupts_blocking_calls),
        cmocka_unit_test(short_reads_and_writes),
        cmocka_unit_test(reader_closing_the_pipe_ends_cleanly),
        cmocka_unit_test(slow_reader_gets_backpressure),
        cmocka_unit_test(full_output_disk_keeps_whole_lines),
        cmocka_unit_test(cache_on_a_full_disk_falls_back_to_memory),
        cmocka_unit_test(scan_failure_fails_closed),
        cmocka_unit_test(scan_failure_fails_open),
        cmocka_unit_test(stream_and_sse_failures_fail_closed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
