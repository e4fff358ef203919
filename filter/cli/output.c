#include "output.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Length of the longest prefix of p[0..n) that ends a line, 0 when none. */
static size_t whole_lines(const char *p, size_t n) {
    while (n > 0 && p[n - 1] != '\n')
        n--;
    return n;
}

static void fail(output *o, int err) {
    o->failed = true;
    if (o->lines && o->file && o->partial) { /* drop the half line we wrote */
        off_t at = lseek(o->fd, 0, SEEK_CUR);
        if (at >= (off_t)o->partial && ftruncate(o->fd, at - (off_t)o->partial) == 0)
            o->partial = 0;
    }
    if (err == EPIPE)
        fprintf(stderr, "aupfilter: output closed by the reader\n");
    else
        fprintf(stderr, "aupfilter: cannot write output: %s\n", strerror(err));
}

bool output_flush(output *o) {
    if (!o->known) {
        struct stat st;
        if (fstat(o->fd, &st) == 0) {
            o->pipe = S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
            o->file = S_ISREG(st.st_mode);
        }
        o->known = true;
    }
    size_t off = 0;
    while (!o->failed && off < o->buf.len) {
        const char *p = o->buf.data + off;
        size_t n = o->buf.len - off;
        if (o->lines && o->pipe && n > PIPE_BUF) {
            size_t k = whole_lines(p, PIPE_BUF);
            if (k) /* else one line longer than PIPE_BUF: it goes as it can */
                n = k;
        }
        ssize_t w = write(o->fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            fail(o, w < 0 ? errno : EIO);
            break;
        }
        size_t k = whole_lines(p, (size_t)w);
        o->partial = k ? (size_t)w - k : o->partial + (size_t)w;
        off += (size_t)w;
    }
    out_reset(&o->buf);
    return !o->failed;
}

bool output_maybe_flush(output *o) { return o->buf.len < 64 * 1024 || output_flush(o); }

void output_wait_hook(void *ctx) { output_flush(ctx); }
