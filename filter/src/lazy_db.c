/* Databases on demand. A ruleset taken from the cache deserializes only
 * the trigger database at load; the database of triggers split out for
 * text that is not ASCII, the suppressor and streaming databases and
 * the per-expression start databases (most of the bytes) stay serialized in
 * the mapped file until first use: a block-only process never loads the
 * streaming database, and most expressions never match in a given process.
 * The first user deserializes a database and publishes it with a
 * compare-and-swap (one that loses the race frees its copy); each scanner
 * then grows its own scratch to fit, once per database. */
#include "internal.h"

/* A damaged cached database is rebuilt from its expressions: a corrupt
 * cache costs a compile, never a wrong or failed scan. */
typedef struct {
    const aupf_ruleset *rs;
    int big;      /* an aupf__db_kind; -1 a start database, -2 a suppressor group's */
    int anchored; /* a start database: its anchored form */
    uint32_t x;
} rebuild;

static hs_database_t *published(hs_database_t **slot, const aupf__blob *blob, rebuild r) {
    hs_database_t *db = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (db || !blob || !blob->len)
        return db;
    hs_database_t *mine = aupf__blob_database(blob);
    if (!mine)
        mine = r.big >= 0    ? aupf__build_database(r.rs, (aupf__db_kind)r.big)
               : r.big == -1 ? aupf__build_start_database(r.rs, r.x, r.anchored)
                             : aupf__build_unless_database(r.rs, r.x);
    if (!mine)
        return NULL;
    hs_database_t *expected = NULL;
    if (__atomic_compare_exchange_n(slot, &expected, mine, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        return mine;
    hs_free_database(mine); /* published by another thread first */
    return expected;
}

/* db, with the scanner's scratch grown to fit it once (*ready). */
static const hs_database_t *fitted(aupf_scanner *s, hs_database_t *db, unsigned char *ready) {
    if (db && !*ready) {
        if (hs_alloc_scratch(db, &s->scratch) != HS_SUCCESS)
            db = NULL;
        else
            *ready = 1;
    }
    if (!db)
        s->start_failed = 1;
    return db;
}

bool aupf__has_anchored(const aupf_ruleset *rs, uint32_t x) {
    return rs->start_blobs ? rs->start_blobs[2 * (size_t)x + 1].len != 0
                           : rs->anchored_dbs[x] != NULL;
}

const hs_database_t *aupf__start_db(aupf_scanner *s, uint32_t x, int anchored) {
    aupf_ruleset *rs = s->rs;
    if (anchored && !aupf__has_anchored(rs, x))
        return NULL;
    size_t k = 2 * (size_t)x + (anchored != 0);
    hs_database_t *db = published(anchored ? &rs->anchored_dbs[x] : &rs->som_dbs[x],
                                  rs->start_blobs ? &rs->start_blobs[k] : NULL,
                                  (rebuild){rs, -1, anchored != 0, x});
    return fitted(s, db, &s->start_ready[k]);
}

hs_database_t *aupf__stream_database(aupf_ruleset *rs) {
    return published(&rs->stream_db, &rs->stream_blob, (rebuild){rs, AUPF__DB_STREAM, 0, 0});
}

const hs_database_t *aupf__stream_db(aupf_scanner *s) {
    return fitted(s, aupf__stream_database(s->rs), &s->stream_ready);
}

const hs_database_t *aupf__unless_db(aupf_scanner *s, uint32_t group) {
    aupf_ruleset *rs = s->rs;
    return fitted(s,
                  published(&rs->unless_dbs[group],
                            rs->unless_blobs ? &rs->unless_blobs[group] : NULL,
                            (rebuild){rs, -2, 0, group}),
                  &s->unless_ready[group]);
}

hs_database_t *aupf__other_database(aupf_ruleset *rs) {
    return published(&rs->other_db, &rs->other_blob, (rebuild){rs, AUPF__DB_OTHER, 0, 0});
}

const hs_database_t *aupf__other_db(aupf_scanner *s) {
    return fitted(s, aupf__other_database(s->rs), &s->other_ready);
}
