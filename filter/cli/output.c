#include "output.h"

#include <errno.h>
#include <unistd.h>

bool output_flush(output *o) {
    size_t off = 0;
    while (!o->failed && off < o->buf.len) {
        ssize_t w = write(o->fd, o->buf.data + off, o->buf.len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            o->failed = true;
        else
            off += (size_t)w;
    }
    out_reset(&o->buf);
    return !o->failed;
}

bool output_maybe_flush(output *o) { return o->buf.len < 64 * 1024 || output_flush(o); }

void output_wait_hook(void *ctx) { output_flush(ctx); }
