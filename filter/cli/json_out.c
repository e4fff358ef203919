#include "json_out.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void out_reset(outbuf *o) { o->len = 0; }

void out_free(outbuf *o) {
    free(o->data);
    *o = (outbuf){0};
}

static bool reserve(outbuf *o, size_t extra) {
    if (o->failed)
        return false;
    if (o->len + extra <= o->cap)
        return true;
    size_t cap = o->cap ? o->cap : 4096;
    while (cap < o->len + extra)
        cap *= 2;
    char *d = realloc(o->data, cap);
    if (!d) {
        o->failed = true;
        return false;
    }
    o->data = d;
    o->cap = cap;
    return true;
}

void out_bytes(outbuf *o, const char *p, size_t n) {
    if (n && reserve(o, n)) { /* (nothing to copy: data may still be NULL) */
        memcpy(o->data + o->len, p, n);
        o->len += n;
    }
}

void out_str(outbuf *o, const char *s) { out_bytes(o, s, strlen(s)); }

void out_char(outbuf *o, char c) {
    if (reserve(o, 1))
        o->data[o->len++] = c;
}

void out_size(outbuf *o, size_t v) {
    char b[24];
    size_t n = sizeof b;
    do /* digits from the right: printf's cost shows in every verdict */
        b[--n] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    out_bytes(o, b + n, sizeof b - n);
}

void out_double(outbuf *o, double v) {
    /* Most scores are exactly 0 (benign text) or 1; they print as "%.6g"
     * prints them without its cost. */
    if (v == 0.0 && !signbit(v)) {
        out_char(o, '0');
        return;
    }
    if (v == 1.0) {
        out_char(o, '1');
        return;
    }
    char b[32];
    int n = snprintf(b, sizeof b, "%.6g", v);
    out_bytes(o, b, (size_t)n);
}

void out_json_string(outbuf *o, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    if (!reserve(o, n + 2))
        return;
    out_char(o, '"');
    size_t run = 0; /* copy unescaped runs in one go */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out_bytes(o, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"':
            out_str(o, "\\\"");
            break;
        case '\\':
            out_str(o, "\\\\");
            break;
        case '\n':
            out_str(o, "\\n");
            break;
        case '\r':
            out_str(o, "\\r");
            break;
        case '\t':
            out_str(o, "\\t");
            break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            out_bytes(o, u, 6);
        }
        }
    }
    out_bytes(o, s + run, n - run);
    out_char(o, '"');
}
