/* Hot reload: the current ruleset behind a short lock, replaced in one step
 * once a new one has loaded. Holders of the old ruleset keep it through its
 * reference count. */
#include "internal.h"

#include <pthread.h>
#include <stdlib.h>

struct aupf_reloader {
    pthread_mutex_t lock;        /* guards current */
    pthread_mutex_t reload_lock; /* one reload at a time */
    aupf_ruleset *current;
    atomic_ulong generation;
};

int aupf_reloader_new(aupf_ruleset *initial, aupf_reloader **out) {
    if (!initial || !out)
        return AUPF_E_ARG;
    *out = NULL;
    aupf_reloader *r = calloc(1, sizeof *r);
    if (!r)
        return AUPF_E_NOMEM;
    if (pthread_mutex_init(&r->lock, NULL) != 0) {
        free(r);
        return AUPF_E_NOMEM;
    }
    if (pthread_mutex_init(&r->reload_lock, NULL) != 0) {
        pthread_mutex_destroy(&r->lock);
        free(r);
        return AUPF_E_NOMEM;
    }
    r->current = aupf_ruleset_retain(initial);
    atomic_init(&r->generation, 0);
    *out = r;
    return AUPF_OK;
}

void aupf_reloader_free(aupf_reloader *r) {
    if (!r)
        return;
    aupf_ruleset_release(r->current);
    pthread_mutex_destroy(&r->reload_lock);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

aupf_ruleset *aupf_reloader_current(aupf_reloader *r) {
    if (!r)
        return NULL;
    /* The lock keeps the swap from releasing the ruleset between reading
     * the pointer and taking the reference. */
    pthread_mutex_lock(&r->lock);
    aupf_ruleset *rs = aupf_ruleset_retain(r->current);
    pthread_mutex_unlock(&r->lock);
    return rs;
}

unsigned long aupf_reloader_generation(const aupf_reloader *r) {
    return r ? atomic_load_explicit(&((aupf_reloader *)r)->generation, memory_order_acquire) : 0;
}

/* Installs rs (whose reference the reloader takes over); the old one is
 * released outside the lock, so freeing it never delays readers. */
static void swap_in(aupf_reloader *r, aupf_ruleset *rs) {
    pthread_mutex_lock(&r->lock);
    aupf_ruleset *old = r->current;
    r->current = rs;
    atomic_fetch_add_explicit(&r->generation, 1, memory_order_release);
    pthread_mutex_unlock(&r->lock);
    aupf_ruleset_release(old);
}

int aupf_reloader_set(aupf_reloader *r, aupf_ruleset *rs) {
    if (!r || !rs)
        return AUPF_E_ARG;
    swap_in(r, aupf_ruleset_retain(rs));
    return AUPF_OK;
}

int aupf_reloader_reload(aupf_reloader *r, const char *config_path,
                         const aupf_load_options *options, aupf_diag_fn diag, void *diag_ctx) {
    if (!r || !config_path)
        return AUPF_E_ARG;
    pthread_mutex_lock(&r->reload_lock);
    aupf_ruleset *rs = NULL;
    int st = aupf_ruleset_load(config_path, options, diag, diag_ctx, &rs);
    if (st == AUPF_OK)
        swap_in(r, rs);
    pthread_mutex_unlock(&r->reload_lock);
    return st;
}
