/* A thread's scanners, one per ruleset in use: after a hot reload the
 * thread's old streams finish with a scanner of their ruleset while new
 * requests use the new one. Usually one or two entries. */
#include "internal.h"

#include <stdlib.h>

struct aupf_scanner_set {
    aupf_scanner **scanners;
    size_t count, capacity;
};

int aupf_scanner_set_new(aupf_scanner_set **out) {
    if (!out)
        return AUPF_E_ARG;
    *out = calloc(1, sizeof **out);
    return *out ? AUPF_OK : AUPF_E_NOMEM;
}

void aupf_scanner_set_free(aupf_scanner_set *set) {
    if (!set)
        return;
    for (size_t i = 0; i < set->count; i++)
        aupf_scanner_free(set->scanners[i]);
    free(set->scanners);
    free(set);
}

size_t aupf_scanner_set_count(const aupf_scanner_set *set) { return set ? set->count : 0; }

/* Nothing but this scanner holds its ruleset: no stream or caller can ask
 * for it again, so the scanner can go. */
static int orphaned(const aupf_scanner *s) {
    return atomic_load_explicit(&s->rs->refs, memory_order_acquire) == 1;
}

int aupf_scanner_set_get(aupf_scanner_set *set, aupf_ruleset *rs, aupf_scanner **out) {
    if (!set || !rs || !out)
        return AUPF_E_ARG;
    aupf_scanner *found = NULL;
    for (size_t i = 0; i < set->count;) {
        aupf_scanner *s = set->scanners[i];
        if (s->rs == rs) {
            found = s;
        } else if (orphaned(s)) {
            aupf_scanner_free(s);
            set->scanners[i] = set->scanners[--set->count];
            continue;
        }
        i++;
    }
    if (!found) {
        if (set->count == set->capacity) {
            size_t cap = set->capacity ? set->capacity * 2 : 2;
            aupf_scanner **p = realloc(set->scanners, cap * sizeof *p);
            if (!p)
                return AUPF_E_NOMEM;
            set->scanners = p;
            set->capacity = cap;
        }
        int st = aupf_scanner_new(rs, &found);
        if (st != AUPF_OK)
            return st;
        set->scanners[set->count++] = found;
    }
    *out = found;
    return AUPF_OK;
}

aupf_ruleset *aupf_scanner_ruleset(const aupf_scanner *s) { return s ? s->rs : NULL; }

const aupf_ruleset *aupf_result_ruleset(const aupf_result *r) { return r ? r->rs : NULL; }
