/* LD_PRELOAD library for the CLI's fault tests (test_cli_io.c): injects
 * faults into the process it is loaded into, chosen by environment:
 *
 *   AUPF_SHIM_EINTR=1        every other read(0)/write(1) fails with EINTR
 *   AUPF_SHIM_TIMER_US=N     a SIGALRM handler (without SA_RESTART) and an
 *                            interval timer firing every N microseconds
 *   AUPF_SHIM_SHORT=N        read(0)/write(1) move at most N bytes per call
 *   AUPF_SHIM_SCAN_FAIL=S    hs_scan/hs_scan_stream fail (HS_SCRATCH_IN_USE)
 *                            on data that contains the string S
 *
 * Only standard input and output are touched, so the loader and the
 * diagnostics work as usual. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <hs/hs.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

typedef ssize_t (*io_fn)(int, void *, size_t);
typedef hs_error_t (*scan_fn)(const hs_database_t *, const char *, unsigned, unsigned,
                              hs_scratch_t *, match_event_handler, void *);
typedef hs_error_t (*scan_stream_fn)(hs_stream_t *, const char *, unsigned, unsigned,
                                     hs_scratch_t *, match_event_handler, void *);

static int eintr_every_other;
static size_t short_io;
static const char *scan_fail;
static volatile sig_atomic_t alarms;
static long eintrs, shortened, scan_failures; /* faults injected, said at exit */

static void on_alarm(int sig) {
    (void)sig;
    alarms++;
}

__attribute__((constructor)) static void shim_init(void) {
    const char *e = getenv("AUPF_SHIM_EINTR");
    eintr_every_other = e && *e == '1';
    e = getenv("AUPF_SHIM_SHORT");
    short_io = e ? strtoul(e, NULL, 10) : 0;
    e = getenv("AUPF_SHIM_SCAN_FAIL");
    scan_fail = e && *e ? e : NULL;
    e = getenv("AUPF_SHIM_TIMER_US");
    if (e && *e) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_alarm; /* no SA_RESTART: blocking calls fail with EINTR */
        sigaction(SIGALRM, &sa, NULL);
        long us = strtol(e, NULL, 10);
        struct itimerval it = {{0, us}, {0, us}};
        setitimer(ITIMER_REAL, &it, NULL);
    }
}

/* What was injected, so that a test can tell its faults happened. */
__attribute__((destructor)) static void shim_report(void) {
    char line[160];
    int n =
        snprintf(line, sizeof line, "io_shim: alarms=%ld eintr=%ld short=%ld scan_failures=%ld\n",
                 (long)alarms, eintrs, shortened, scan_failures);
    if (n > 0)
        (void)!syscall(SYS_write, 2, line, (size_t)n);
}

static int interrupt_now(void) {
    static int calls;
    if (eintr_every_other && calls++ % 2 == 0) {
        eintrs++;
        return 1;
    }
    return 0;
}

ssize_t read(int fd, void *buf, size_t n) {
    static io_fn real;
    if (!real)
        real = (io_fn)dlsym(RTLD_NEXT, "read");
    if (fd == 0 && interrupt_now()) {
        errno = EINTR;
        return -1;
    }
    if (fd == 0 && short_io && n > short_io) {
        n = short_io;
        shortened++;
    }
    return real(fd, buf, n);
}

ssize_t write(int fd, const void *buf, size_t n) {
    static ssize_t (*real)(int, const void *, size_t);
    if (!real)
        real = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    if (fd == 1 && interrupt_now()) {
        errno = EINTR;
        return -1;
    }
    if (fd == 1 && short_io && n > short_io) {
        n = short_io;
        shortened++;
    }
    return real(fd, buf, n);
}

static int poisoned(const char *data, unsigned len) {
    size_t k = scan_fail ? strlen(scan_fail) : 0;
    for (size_t i = 0; k && i + k <= len; i++)
        if (memcmp(data + i, scan_fail, k) == 0) {
            scan_failures++;
            return 1;
        }
    return 0;
}

hs_error_t hs_scan(const hs_database_t *db, const char *data, unsigned length, unsigned flags,
                   hs_scratch_t *scratch, match_event_handler on_event, void *context) {
    static scan_fn real;
    if (!real)
        real = (scan_fn)dlsym(RTLD_NEXT, "hs_scan");
    if (poisoned(data, length))
        return HS_SCRATCH_IN_USE;
    return real(db, data, length, flags, scratch, on_event, context);
}

hs_error_t hs_scan_stream(hs_stream_t *id, const char *data, unsigned length, unsigned flags,
                          hs_scratch_t *scratch, match_event_handler on_event, void *context) {
    static scan_stream_fn real;
    if (!real)
        real = (scan_stream_fn)dlsym(RTLD_NEXT, "hs_scan_stream");
    if (poisoned(data, length))
        return HS_SCRATCH_IN_USE;
    return real(id, data, length, flags, scratch, on_event, context);
}
