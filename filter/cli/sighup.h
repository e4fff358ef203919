/* Reloading the configuration on SIGHUP in the filtering modes.
 *
 * The signal handler only sets a flag. The main loop calls
 * sighup_poll() between records and whenever a read is interrupted; it
 * starts a background thread that compiles the configuration again while
 * records go on being filtered with the current ruleset. The new ruleset is
 * taken between records (sighup_take), so records are never dropped or
 * reordered: each is judged whole by one ruleset, and the verdict carries
 * its hash. A failed reload says why on stderr and changes nothing. */
#ifndef AUPF_CLI_SIGHUP_H
#define AUPF_CLI_SIGHUP_H

#include "cli.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>

typedef struct {
    aupf_reloader *reloader;
    const cli_common *common;
    const char *config_path;
    aupf_load_options options;
    pthread_t thread;
    bool running;       /* a thread was started and not yet joined */
    bool again;         /* SIGHUP came during a reload: run once more after it */
    atomic_bool done;   /* the thread has finished */
    unsigned long seen; /* the reloader's generation of the caller's ruleset */
} sighup_reload;

/* Installs the SIGHUP handler (without SA_RESTART, so it interrupts a
 * wait for input) and starts from rs; false when out of memory. */
bool sighup_init(sighup_reload *r, aupf_ruleset *rs, const cli_common *c, bool no_cache);
/* read(2) from fd that starts a reload when SIGHUP arrives while it waits
 * (at once, or within a second when the signal lands just before the
 * wait); for a line_reader (src is a sighup_source). */
typedef struct {
    int fd;
    sighup_reload *reload;
} sighup_source;
ssize_t sighup_read(void *src, char *buf, size_t n);
/* Starts a reload when SIGHUP arrived; collects a finished one. */
void sighup_poll(sighup_reload *r);
/* When a newer ruleset is current: replaces *rs and *scanner with it and a
 * new scanner (freeing the old ones) and returns true. On failure to make
 * the scanner, keeps the old pair and says so on stderr. */
bool sighup_take(sighup_reload *r, aupf_ruleset **rs, aupf_scanner **scanner);
/* Waits for a reload in progress, then frees the reloader. */
void sighup_end(sighup_reload *r);

/* Ignores SIGHUP (the modes that filter one stream per run). */
void sighup_ignore(void);

#endif
