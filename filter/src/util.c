#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char *aupf__strdup(const char *s) {
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void aupf__strlist_free(aupf__strlist *l) {
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

int aupf__strlist_push(aupf__strlist *l, const char *s) {
    char **items = realloc(l->items, (l->count + 1) * sizeof *items);
    if (!items)
        return AUPF_E_NOMEM;
    l->items = items;
    if (!(items[l->count] = aupf__strdup(s)))
        return AUPF_E_NOMEM;
    l->count++;
    return AUPF_OK;
}

double aupf__now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void aupf__report(aupf__diag *d, aupf_severity sev, const char *file, int line, const char *rule_id,
                  const char *fmt, ...) {
    if (sev == AUPF_DIAG_ERROR)
        d->errors++;
    if (!d->fn)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    d->fn(d->ctx, sev, file, line, rule_id, msg);
}

int aupf__vec_reserve(aupf__vec *v, size_t n) {
    if (n <= v->capacity)
        return AUPF_OK;
    /* small first: a stream keeps several vectors, most of them short */
    size_t cap = v->capacity ? v->capacity : v->elem_size < 16 ? 64 / v->elem_size : 4;
    while (cap < n)
        cap *= 2;
    void *d = realloc(v->data, cap * v->elem_size);
    if (!d)
        return AUPF_E_NOMEM;
    v->data = d;
    v->capacity = cap;
    return AUPF_OK;
}

void *aupf__vec_push(aupf__vec *v) {
    if (v->count == v->capacity && aupf__vec_reserve(v, v->count + 1) != AUPF_OK)
        return NULL;
    return (char *)v->data + v->elem_size * v->count++;
}

void aupf__vec_free(aupf__vec *v) {
    free(v->data);
    v->data = NULL;
    v->count = v->capacity = 0;
}
