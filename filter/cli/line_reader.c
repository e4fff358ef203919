#include "line_reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

ssize_t line_source_fd(void *src, char *buf, size_t n) {
    int fd = *(int *)src;
    for (;;) {
        ssize_t r = read(fd, buf, n);
        if (r < 0 && errno == EINTR)
            continue;
        return r;
    }
}

void line_reader_init(line_reader *r, line_source_fn read, void *src, size_t max) {
    *r = (line_reader){.read = read, .src = src, .max = max};
}

void line_reader_free(line_reader *r) {
    free(r->buf);
    r->buf = NULL;
}

/* Appends at least one chunk of input; false at end of input or error. */
static bool fill(line_reader *r) {
    if (r->eof)
        return false;
    if (r->start > 0) { /* compact */
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    if (r->cap - r->end < CHUNK) {
        size_t cap = r->cap ? r->cap * 2 : 4 * CHUNK;
        if (cap < r->end + CHUNK)
            cap = r->end + CHUNK;
        char *b = realloc(r->buf, cap + 1);
        if (!b) {
            r->error = ENOMEM;
            r->eof = true;
            return false;
        }
        r->buf = b;
        r->cap = cap;
    }
    if (r->wait)
        r->wait(r->wait_ctx);
    ssize_t n = r->read(r->src, r->buf + r->end, r->cap - r->end);
    if (n < 0)
        r->error = errno ? errno : EIO;
    if (n <= 0) {
        r->eof = true;
        return false;
    }
    r->end += (size_t)n;
    return true;
}

/* Hands out what is held of a record over max but its last byte (a '\r'
 * that may turn out to precede the newline). */
static line_status first_piece(line_reader *r, bool whole, size_t held, const char **piece,
                               size_t *len) {
    size_t n = held - 1;
    *piece = r->buf + r->start;
    *len = n;
    r->start += n;
    r->whole = whole;
    return LINE_LONG;
}

line_status line_reader_piece(line_reader *r, bool strip_cr, const char **piece, size_t *len) {
    for (;;) {
        char *base = r->buf + r->start;
        size_t avail = r->end - r->start;
        char *nl = (!r->whole && avail) ? memchr(base, '\n', avail) : NULL;
        if (nl || r->eof) {
            if (r->error && !nl)
                return LINE_ERROR;
            size_t n = nl ? (size_t)(nl - base) : avail;
            r->start += nl ? n + 1 : n;
            if (strip_cr && n > 0 && base[n - 1] == '\r')
                n--;
            *piece = base;
            *len = n;
            return LINE_OK;
        }
        if (avail > 1 && avail >= CHUNK) {
            *piece = base;
            *len = avail - 1;
            r->start += avail - 1;
            return LINE_PIECE;
        }
        if (!fill(r) && r->error)
            return LINE_ERROR;
    }
}

line_status line_reader_next(line_reader *r, bool strip_cr, const char **line, size_t *len) {
    size_t scanned = 0, skipped = 0;
    for (;;) {
        char *base = r->buf ? r->buf + r->start : NULL; /* NULL before the first read */
        size_t avail = r->end - r->start;
        char *nl = avail > scanned ? memchr(base + scanned, '\n', avail - scanned) : NULL;
        if (nl || (r->eof && avail > 0) || (r->eof && skipped)) {
            size_t n = nl ? (size_t)(nl - base) : avail;
            if (!skipped && n > r->max && r->pieces)
                return first_piece(r, false, n, line, len);
            r->start += nl ? n + 1 : n;
            if (skipped || n > r->max) {
                *line = NULL;
                *len = skipped + n;
                return LINE_TOO_LONG;
            }
            if (strip_cr && n > 0 && base[n - 1] == '\r')
                n--;
            base[n] = 0; /* the buffer has room: the newline or the spare byte */
            *line = base;
            *len = n;
            return LINE_OK;
        }
        scanned = avail;
        if (avail > r->max && r->pieces && !skipped)
            return first_piece(r, false, avail, line, len);
        if (avail > r->max) { /* too long: drop what we hold, keep skipping */
            skipped += avail;
            r->start = r->end;
            scanned = 0;
        }
        if (!fill(r)) {
            if (r->error)
                return LINE_ERROR;
            if (r->end == r->start && !skipped)
                return LINE_EOF;
        }
    }
}

line_status line_reader_all(line_reader *r, const char **text, size_t *len) {
    size_t skipped = 0;
    for (;;) {
        bool more = fill(r);
        if (r->end - r->start > r->max && r->pieces && !r->error)
            return first_piece(r, true, r->end - r->start, text, len);
        if (!more)
            break;
        if (r->end - r->start > r->max) {
            skipped += r->end - r->start;
            r->start = r->end;
        }
    }
    if (r->error)
        return LINE_ERROR;
    size_t n = r->end - r->start;
    if (skipped) {
        *text = NULL;
        *len = skipped + n;
        r->start = r->end;
        return LINE_TOO_LONG;
    }
    if (!r->buf) { /* empty input */
        *text = "";
        *len = 0;
        return LINE_OK;
    }
    r->buf[r->end] = 0;
    *text = r->buf + r->start;
    *len = n;
    r->start = r->end;
    return LINE_OK;
}
