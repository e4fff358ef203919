/* Compiled-database cache. One file per key (a hash of every pattern, its
 * flags, the file format and the Hyperscan version), written to a temporary
 * file, fsynced and renamed into place. A missing, stale or corrupt file
 * means compiling again with a warning, never a failure.
 *
 * Loading maps the file and deserializes only the trigger database; the
 * others stay in the mapping until first use (lazy_db.c), so a warm start
 * reads little. Every database carries its own checksum, checked when it is
 * deserialized. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_MAGIC  "AUPFDB\r\n"
#define CACHE_FORMAT 10u

uint64_t aupf__cache_key(const aupf_ruleset *rs) {
    aupf__hasher h;
    aupf__hash_init(&h);
    aupf__hash_u64(&h, CACHE_FORMAT);
    aupf__hash_str(&h, hs_version());
    /* Databases are compiled for this host's instruction set: a cache
     * carried to a host without it (a shared home, an image built
     * elsewhere) must miss, not fail every scan with HS_DB_PLATFORM_ERROR. */
    hs_platform_info_t host;
    if (hs_populate_platform(&host) == HS_SUCCESS) {
        aupf__hash_u64(&h, host.tune);
        aupf__hash_u64(&h, host.cpu_features);
    }
    aupf__hash_u64(&h, rs->pattern_count);
    for (size_t i = 0; i < rs->pattern_count; i++) {
        aupf__hash_str(&h, rs->patterns[i].expression);
        aupf__hash_u64(&h, rs->patterns[i].hs_flags);
        if (rs->patterns[i].unless_index != AUPF__NO_UNLESS) /* which database holds it */
            aupf__hash_u64(&h, rs->rules[rs->patterns[i].rule].unless_group);
    }
    return aupf__hash_final(&h);
}

static char *cache_path(const aupf_ruleset *rs, const char *suffix) {
    size_t n = strlen(rs->cache_dir) + 64;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%016llx.aupfdb%s", rs->cache_dir, (unsigned long long)rs->db_key,
                 suffix);
    return p;
}

/* ---- writing ----------------------------------------------------------- */

typedef struct {
    char *data;
    size_t len, cap;
    bool failed;
} buf;

static void put(buf *b, const void *p, size_t n) {
    if (b->failed)
        return;
    if (b->len + n > b->cap) {
        size_t cap = (b->len + n) * 2;
        char *d = realloc(b->data, cap);
        if (!d) {
            b->failed = true;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put_u64(buf *b, uint64_t v) {
    unsigned char x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (unsigned char)(v >> (8 * i));
    put(b, x, 8);
}

static void put_db(buf *b, const hs_database_t *db) {
    char *bytes = NULL;
    size_t len = 0;
    if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS) {
        b->failed = true;
        return;
    }
    put_u64(b, len);
    put_u64(b, aupf__checksum(bytes, len));
    put(b, bytes, len);
    free(bytes);
}

static int mkdirs(const char *dir) {
    char *p = aupf__strdup(dir);
    if (!p)
        return -1;
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            if (mkdir(p, 0755) != 0 && errno != EEXIST) {
                free(p);
                return -1;
            }
            *s = '/';
        }
    int r = (mkdir(p, 0755) == 0 || errno == EEXIST) ? 0 : -1;
    struct stat st;
    if (r == 0 && (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))) {
        errno = ENOTDIR;
        r = -1;
    }
    free(p);
    return r;
}

int aupf__cache_store(const aupf_ruleset *rs, aupf__diag *d) {
    buf b = {0};
    put(&b, CACHE_MAGIC, 8);
    put_u64(&b, CACHE_FORMAT);
    put_u64(&b, rs->db_key);
    const char *v = hs_version();
    put_u64(&b, strlen(v));
    put(&b, v, strlen(v));
    put_u64(&b, rs->expr_count);
    for (size_t i = 0; i < rs->expr_count; i++)
        put_u64(&b, rs->exprs[i].max_width);
    put_db(&b, rs->db);
    put_u64(&b, rs->unless_group_count);
    for (size_t g = 0; g < rs->unless_group_count; g++)
        put_db(&b, rs->unless_dbs[g]);
    put_db(&b, rs->stream_db);
    put_u64(&b, rs->other_db != NULL);
    if (rs->other_db)
        put_db(&b, rs->other_db);
    for (size_t i = 0; i < rs->expr_count; i++) {
        put_u64(&b, rs->anchored_dbs[i] != NULL);
        put_db(&b, rs->som_dbs[i]);
        if (rs->anchored_dbs[i])
            put_db(&b, rs->anchored_dbs[i]);
    }

    int status = AUPF_E_CACHE;
    char *path = cache_path(rs, ""), *tmp = NULL;
    if (b.failed || !path)
        goto out;
    size_t tn = strlen(path) + 32;
    if (!(tmp = malloc(tn)))
        goto out;
    snprintf(tmp, tn, "%s.%ld.tmp", path, (long)getpid());
    if (mkdirs(rs->cache_dir) != 0) {
        aupf__report(d, AUPF_DIAG_WARNING, rs->cache_dir, 0, NULL,
                     "cannot create cache directory (%s); compiled rules are not cached",
                     strerror(errno));
        goto out;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        aupf__report(d, AUPF_DIAG_WARNING, tmp, 0, NULL,
                     "cannot write cache (%s); compiled rules are not cached", strerror(errno));
        goto out;
    }
    size_t off = 0;
    while (off < b.len) {
        ssize_t w = write(fd, b.data + off, b.len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    bool ok = off == b.len && fsync(fd) == 0;
    ok = (close(fd) == 0) && ok;
    if (ok && rename(tmp, path) == 0) {
        status = AUPF_OK;
    } else {
        aupf__report(d, AUPF_DIAG_WARNING, path, 0, NULL,
                     "cannot write cache (%s); compiled rules are not cached", strerror(errno));
        unlink(tmp);
    }
out:
    free(b.data);
    free(path);
    free(tmp);
    return status;
}

/* ---- reading ----------------------------------------------------------- */

typedef struct {
    const unsigned char *p;
    size_t len, off;
    bool bad;
} reader;

static uint64_t get_u64(reader *r) {
    if (r->bad || r->len - r->off < 8) {
        r->bad = true;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)r->p[r->off + (size_t)i] << (8 * i);
    r->off += 8;
    return v;
}

static const void *get_bytes(reader *r, uint64_t n) {
    if (r->bad || r->len - r->off < n) {
        r->bad = true;
        return NULL;
    }
    const void *p = r->p + r->off;
    r->off += (size_t)n;
    return p;
}

/* A serialized database in the mapping: length, checksum, bytes. */
static aupf__blob get_blob(reader *r) {
    uint64_t n = get_u64(r), sum = get_u64(r);
    const unsigned char *bytes = get_bytes(r, n);
    if (!bytes || n == 0) {
        r->bad = true;
        return (aupf__blob){0};
    }
    return (aupf__blob){bytes, (size_t)n, sum};
}

hs_database_t *aupf__blob_database(const aupf__blob *b) {
    hs_database_t *db = NULL;
    if (!b->len || aupf__checksum(b->bytes, b->len) != b->sum ||
        hs_deserialize_database((const char *)b->bytes, b->len, &db) != HS_SUCCESS)
        return NULL;
    return db;
}

static hs_database_t *get_db(reader *r) {
    aupf__blob b = get_blob(r);
    hs_database_t *db = r->bad ? NULL : aupf__blob_database(&b);
    if (!db)
        r->bad = true;
    return db;
}

static const unsigned char *map_file(const char *path, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    void *p = MAP_FAILED;
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
        *len = (size_t)st.st_size;
        p = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
    }
    close(fd);
    return p == MAP_FAILED ? NULL : p;
}

static void unload(aupf_ruleset *rs) {
    for (size_t i = 0; i < rs->expr_count; i++) {
        if (rs->som_dbs)
            hs_free_database(rs->som_dbs[i]);
        if (rs->anchored_dbs)
            hs_free_database(rs->anchored_dbs[i]);
    }
    free(rs->som_dbs);
    free(rs->anchored_dbs);
    free(rs->start_blobs);
    rs->som_dbs = rs->anchored_dbs = NULL;
    rs->start_blobs = NULL;
    rs->stream_blob = rs->other_blob = (aupf__blob){0};
    for (size_t g = 0; rs->unless_dbs && g < rs->unless_group_count; g++)
        hs_free_database(rs->unless_dbs[g]);
    free(rs->unless_dbs);
    free(rs->unless_blobs);
    rs->unless_dbs = NULL;
    rs->unless_blobs = NULL;
    hs_free_database(rs->db);
    hs_free_database(rs->stream_db);
    hs_free_database(rs->other_db);
    rs->db = rs->stream_db = rs->other_db = NULL;
}

void aupf__cache_unmap(aupf_ruleset *rs) {
    if (rs->cache_map)
        munmap((void *)rs->cache_map, rs->cache_map_len);
    rs->cache_map = NULL;
    rs->cache_map_len = 0;
}

int aupf__cache_load(aupf_ruleset *rs, aupf__diag *d) {
    char *path = cache_path(rs, "");
    if (!path)
        return AUPF_E_NOMEM;
    size_t len = 0;
    const unsigned char *data = map_file(path, &len);
    if (!data) {
        free(path);
        return AUPF_E_CACHE; /* no cache yet: not worth a warning */
    }
    reader r = {data, len, 0, false};
    const char *why = NULL;
    const void *magic = get_bytes(&r, 8);
    if (!magic || memcmp(magic, CACHE_MAGIC, 8) != 0 || get_u64(&r) != CACHE_FORMAT) {
        why = "unknown format";
        goto bad;
    }
    if (get_u64(&r) != rs->db_key) {
        why = "built from other rules";
        goto bad;
    }
    uint64_t vn = get_u64(&r);
    const char *v = get_bytes(&r, vn);
    if (!v || vn != strlen(hs_version()) || memcmp(v, hs_version(), vn) != 0) {
        why = "built by another Hyperscan version";
        goto bad;
    }
    if (get_u64(&r) != rs->expr_count) {
        why = "expression count differs";
        goto bad;
    }
    for (size_t i = 0; i < rs->expr_count; i++)
        rs->exprs[i].max_width = (uint32_t)get_u64(&r);
    aupf__widths_to_patterns(rs);
    size_t n = rs->expr_count ? rs->expr_count : 1;
    rs->som_dbs = calloc(n, sizeof *rs->som_dbs);
    rs->anchored_dbs = calloc(n, sizeof *rs->anchored_dbs);
    rs->start_blobs = calloc(2 * n, sizeof *rs->start_blobs);
    size_t groups = rs->unless_group_count ? rs->unless_group_count : 1;
    rs->unless_dbs = calloc(groups, sizeof *rs->unless_dbs);
    rs->unless_blobs = calloc(groups, sizeof *rs->unless_blobs);
    if (!rs->som_dbs || !rs->anchored_dbs || !rs->start_blobs || !rs->unless_dbs ||
        !rs->unless_blobs) {
        why = "out of memory";
        goto bad;
    }
    rs->db = get_db(&r);
    if (get_u64(&r) != rs->unless_group_count) { /* the key covers the groups */
        why = "damaged database";
        goto bad;
    }
    for (size_t g = 0; g < rs->unless_group_count && !r.bad; g++)
        rs->unless_blobs[g] = get_blob(&r);
    rs->stream_blob = get_blob(&r);
    if (get_u64(&r))
        rs->other_blob = get_blob(&r);
    for (size_t i = 0; i < rs->expr_count && !r.bad; i++) {
        uint64_t anchored = get_u64(&r);
        rs->start_blobs[2 * i] = get_blob(&r);
        if (anchored)
            rs->start_blobs[2 * i + 1] = get_blob(&r);
    }
    if (r.bad || r.off != r.len) {
        why = "damaged database";
        goto bad;
    }
    rs->cache_map = data;
    rs->cache_map_len = len;
    free(path);
    return AUPF_OK;
bad:
    aupf__report(d, AUPF_DIAG_WARNING, path, 0, NULL, "ignoring compiled-rules cache (%s)", why);
    unload(rs);
    munmap((void *)data, len);
    free(path);
    return AUPF_E_CACHE;
}
