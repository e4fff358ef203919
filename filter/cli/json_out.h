/* A growable output buffer with JSON string escaping. */
#ifndef AUPF_CLI_JSON_OUT_H
#define AUPF_CLI_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *data;
    size_t len, cap;
    bool failed; /* out of memory: the buffer stops growing */
} outbuf;

void out_reset(outbuf *o);
void out_free(outbuf *o);
void out_bytes(outbuf *o, const char *p, size_t n);
void out_str(outbuf *o, const char *s);
void out_char(outbuf *o, char c);
void out_size(outbuf *o, size_t v);
void out_double(outbuf *o, double v);
/* Writes a quoted, escaped JSON string for UTF-8 text of length n. */
void out_json_string(outbuf *o, const char *s, size_t n);

#endif
