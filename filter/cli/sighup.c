#include "sighup.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The one piece of state a signal handler may touch. */
static volatile sig_atomic_t hup_pending;

static void on_hup(int sig) {
    (void)sig;
    hup_pending = 1;
}

void sighup_ignore(void) { signal(SIGHUP, SIG_IGN); }

bool sighup_init(sighup_reload *r, aupf_ruleset *rs, const cli_common *c, bool no_cache) {
    *r = (sighup_reload){.common = c,
                         .config_path = cli_config_path(c),
                         .options = {.no_cache = no_cache || c->no_cache}};
    atomic_init(&r->done, false);
    if (aupf_reloader_new(rs, &r->reloader) != AUPF_OK)
        return false;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_hup;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a waiting poll or read returns EINTR */
    sigaction(SIGHUP, &sa, NULL);
    return true;
}

ssize_t sighup_read(void *src, char *buf, size_t n) {
    sighup_source *s = src;
    for (;;) {
        sighup_poll(s->reload);
        /* a SIGHUP interrupts the wait; one that lands between the poll
         * above and the wait is seen at the next timeout */
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        int k = poll(&p, 1, 1000);
        if (k == 0 || (k < 0 && errno == EINTR))
            continue;
        ssize_t got = read(s->fd, buf, n);
        if (got < 0 && errno == EINTR)
            continue;
        return got;
    }
}

static void *reload_thread(void *arg) {
    sighup_reload *r = arg;
    aupf_ruleset *old = aupf_reloader_current(r->reloader);
    int st = aupf_reloader_reload(r->reloader, r->config_path, &r->options, cli_print_diag,
                                  (void *)r->common);
    if (st == AUPF_OK) {
        aupf_ruleset *now = aupf_reloader_current(r->reloader);
        fprintf(stderr, "aupfilter: reloaded %s: ruleset %s -> %s (%s in %.0f ms)\n",
                r->config_path, aupf_ruleset_hash(old), aupf_ruleset_hash(now),
                aupf_ruleset_from_cache(now) ? "cache loaded" : "compiled",
                aupf_ruleset_build_ms(now));
        aupf_ruleset_release(now);
    } else {
        fprintf(stderr, "aupfilter: reload of %s failed: %s; still filtering with ruleset %s\n",
                r->config_path, aupf_strerror(st), aupf_ruleset_hash(old));
    }
    aupf_ruleset_release(old);
    atomic_store(&r->done, true);
    return NULL;
}

static void start(sighup_reload *r) {
    /* the next SIGHUP should interrupt the main thread's wait, so the
     * reload thread (and the compiler's threads) do not take it */
    sigset_t hup, saved;
    sigemptyset(&hup);
    sigaddset(&hup, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &hup, &saved);
    atomic_store(&r->done, false);
    r->running = pthread_create(&r->thread, NULL, reload_thread, r) == 0;
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (!r->running)
        fprintf(stderr, "aupfilter: cannot start a reload: no thread\n");
}

void sighup_poll(sighup_reload *r) {
    if (r->running && atomic_load(&r->done)) {
        pthread_join(r->thread, NULL);
        r->running = false;
    }
    if (hup_pending) {
        hup_pending = 0;
        if (r->running)
            r->again = true; /* the file may have changed after that reload read it */
        else
            start(r);
    } else if (r->again && !r->running) {
        r->again = false;
        start(r);
    }
}

bool sighup_take(sighup_reload *r, aupf_ruleset **rs, aupf_scanner **scanner) {
    unsigned long gen = aupf_reloader_generation(r->reloader);
    if (gen == r->seen)
        return false;
    r->seen = gen;
    aupf_ruleset *now = aupf_reloader_current(r->reloader);
    aupf_scanner *s;
    if (aupf_scanner_new(now, &s) != AUPF_OK) {
        fprintf(stderr,
                "aupfilter: out of memory for the reloaded ruleset %s; still filtering "
                "with ruleset %s\n",
                aupf_ruleset_hash(now), aupf_ruleset_hash(*rs));
        aupf_ruleset_release(now);
        return false;
    }
    aupf_scanner_free(*scanner);
    aupf_ruleset_release(*rs);
    *rs = now;
    *scanner = s;
    return true;
}

void sighup_end(sighup_reload *r) {
    if (r->running)
        pthread_join(r->thread, NULL);
    r->running = false;
    aupf_reloader_free(r->reloader);
    r->reloader = NULL;
}
