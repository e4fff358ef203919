/* A push parser for one JSON object that may be any size: a byte-driven
 * state machine with a fast path for plain string bytes. Nesting is
 * tracked in a fixed bit stack (MAX_DEPTH levels). */
#include "record_stream.h"

#include "aupfilter.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH (1 << 20)   /* a bit each: 128 KiB */
#define MAX_ID    (64 * 1024) /* an id is echoed into every verdict line */
#define MAX_SHORT 16          /* keys and roles we look for are shorter */

typedef enum { F_NONE, F_TEXT, F_ID, F_ROLE } field;

typedef enum {
    S_VALUE,          /* a value */
    S_VALUE_OR_CLOSE, /* after '[' */
    S_KEY_OR_CLOSE,   /* after '{' */
    S_KEY,            /* after ',' in an object */
    S_COLON,          /* after a key */
    S_AFTER,          /* after a value: ',' or the container's close */
    S_STRING,
    S_ESCAPE,
    S_UHEX,
    S_NUMBER,
    S_LITERAL,
    S_END, /* after the top-level object: blanks only */
    S_BAD
} state;

/* Number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
typedef enum { N_MINUS, N_ZERO, N_INT, N_DOT, N_FRAC, N_E, N_ESIGN, N_EXP } num_state;

typedef struct {
    char data[MAX_SHORT];
    size_t len;
    bool overflow;
} short_buf;

struct record_stream {
    record_text_fn on_text;
    void *ctx;
    state st;
    size_t depth;
    unsigned char is_object[MAX_DEPTH / 8]; /* per level: object or array */
    size_t pos;                             /* bytes consumed */
    bool any;                               /* a byte other than a blank seen */
    /* the string being read */
    bool str_is_key;
    field str_field; /* the top-level field whose value it is, else F_NONE */
    unsigned hex, nhex;
    unsigned high; /* a high surrogate waiting for its pair */
    short_buf key;
    field current; /* the top-level field whose value comes next */
    num_state num;
    const char *literal;
    size_t literal_at;
    /* fields */
    bool seen_text, seen_role, text_not_string, dup_text, dup_role, bad_role;
    short_buf role;
    bool role_set;
    outbuf id; /* raw JSON of a non-string id, or a string id decoded */
    bool id_set, id_is_string, id_raw, id_too_large;
    char error[160];
};

record_stream *record_stream_new(void) { return calloc(1, sizeof(record_stream)); }

void record_stream_free(record_stream *r) {
    if (!r)
        return;
    out_free(&r->id);
    free(r);
}

void record_stream_begin(record_stream *r, record_text_fn on_text, void *ctx) {
    outbuf id = r->id;
    out_reset(&id);
    *r = (record_stream){.on_text = on_text, .ctx = ctx, .id = id};
}

static void fail(record_stream *r, const char *what) {
    if (r->st == S_BAD)
        return;
    snprintf(r->error, sizeof r->error, "invalid JSON at byte %zu: %s", r->pos, what);
    r->st = S_BAD;
}

static void short_put(short_buf *b, const char *p, size_t n) {
    if (b->len + n > sizeof b->data) {
        b->overflow = true;
        return;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static bool short_is(const short_buf *b, const char *s) {
    return !b->overflow && b->len == strlen(s) && memcmp(b->data, s, b->len) == 0;
}

static void id_put(record_stream *r, const char *p, size_t n) {
    if (r->id.len + n > MAX_ID) {
        r->id_too_large = true;
        return;
    }
    out_bytes(&r->id, p, n);
}

/* Decoded string bytes, to wherever the string goes. */
static void string_bytes(record_stream *r, const char *p, size_t n) {
    if (r->str_is_key) {
        short_put(&r->key, p, n);
        return;
    }
    switch (r->str_field) {
    case F_TEXT:
        if (r->on_text && n)
            r->on_text(r->ctx, p, n);
        break;
    case F_ID:
        id_put(r, p, n);
        break;
    case F_ROLE:
        short_put(&r->role, p, n);
        break;
    default:
        break;
    }
}

static void put_code_point(record_stream *r, uint32_t c) {
    char u[4];
    size_t n;
    if (c < 0x80) {
        u[0] = (char)c;
        n = 1;
    } else if (c < 0x800) {
        u[0] = (char)(0xC0 | (c >> 6));
        u[1] = (char)(0x80 | (c & 0x3F));
        n = 2;
    } else if (c < 0x10000) { /* a lone surrogate too: invalid UTF-8, caught later */
        u[0] = (char)(0xE0 | (c >> 12));
        u[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        u[2] = (char)(0x80 | (c & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (c >> 18));
        u[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((c >> 6) & 0x3F));
        u[3] = (char)(0x80 | (c & 0x3F));
        n = 4;
    }
    string_bytes(r, u, n);
}

/* A high surrogate not followed by its low half stands alone. */
static void flush_high(record_stream *r) {
    if (r->high) {
        put_code_point(r, r->high);
        r->high = 0;
    }
}

static void unicode_escape(record_stream *r, uint32_t c) {
    if (r->high && c >= 0xDC00 && c <= 0xDFFF) {
        put_code_point(r, 0x10000 + ((r->high - 0xD800) << 10) + (c - 0xDC00));
        r->high = 0;
        return;
    }
    flush_high(r);
    if (c >= 0xD800 && c <= 0xDBFF)
        r->high = c;
    else
        put_code_point(r, c);
}

static bool top_is_object(const record_stream *r) {
    size_t d = r->depth - 1;
    return r->is_object[d / 8] & (1u << (d % 8));
}

static void push(record_stream *r, bool object) {
    if (r->depth >= MAX_DEPTH) {
        fail(r, "nested deeper than 1048576 levels");
        return;
    }
    size_t d = r->depth++;
    if (object)
        r->is_object[d / 8] |= (unsigned char)(1u << (d % 8));
    else
        r->is_object[d / 8] &= (unsigned char)~(1u << (d % 8));
}

/* A value has ended: what may follow. */
static void value_done(record_stream *r) {
    if (r->id_raw && r->depth == 1)
        r->id_raw = false; /* a non-string id is complete */
    r->st = r->depth == 0 ? S_END : S_AFTER;
}

/* A value starts at byte c. */
static void start_value(record_stream *r, unsigned char c) {
    field f = r->depth == 1 ? r->current : F_NONE;
    if (r->depth == 0 && c != '{') {
        snprintf(r->error, sizeof r->error, "record is not a JSON object");
        r->st = S_BAD;
        return;
    }
    if (f == F_TEXT && c != '"')
        r->text_not_string = true;
    if (f == F_ROLE && c != '"' && c != 'n')
        r->bad_role = true;
    if (f == F_ID && c != '"') {
        r->id_raw = true; /* copied byte for byte as it is read */
        r->id_set = true;
    }
    switch (c) {
    case '{':
    case '[':
        push(r, c == '{');
        r->st = c == '{' ? S_KEY_OR_CLOSE : S_VALUE_OR_CLOSE;
        return;
    case '"':
        r->str_is_key = false;
        r->str_field = f;
        if (f == F_TEXT)
            r->text_not_string = false;
        if (f == F_ROLE)
            r->role_set = true;
        if (f == F_ID)
            r->id_set = r->id_is_string = true;
        r->st = S_STRING;
        return;
    case 't':
    case 'f':
    case 'n':
        r->literal = c == 't' ? "true" : c == 'f' ? "false" : "null";
        r->literal_at = 1;
        r->st = S_LITERAL;
        return;
    default:
        if (c == '-' || (c >= '0' && c <= '9')) {
            r->num = c == '-' ? N_MINUS : c == '0' ? N_ZERO : N_INT;
            r->st = S_NUMBER;
            return;
        }
        fail(r, "a value expected");
    }
}

static void end_string(record_stream *r) {
    flush_high(r);
    if (!r->str_is_key) {
        value_done(r);
        return;
    }
    if (r->depth == 1) {
        r->current = F_NONE;
        if (short_is(&r->key, "text")) {
            r->current = F_TEXT;
            r->dup_text |= r->seen_text;
            r->seen_text = true;
        } else if (short_is(&r->key, "role")) {
            r->current = F_ROLE;
            r->dup_role |= r->seen_role;
            r->seen_role = true;
            r->role = (short_buf){0};
            r->role_set = false;
        } else if (short_is(&r->key, "id")) { /* a repeated id replaces the earlier one */
            r->current = F_ID;
            out_reset(&r->id);
            r->id_set = r->id_is_string = r->id_raw = false;
        }
    }
    r->st = S_COLON;
}

/* yajl's blanks, so that both parsers take the same records */
static bool blank(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static bool digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* Takes one byte; false when the byte ends a number and must be read again. */
static bool step(record_stream *r, unsigned char c) {
    switch (r->st) {
    case S_VALUE:
    case S_VALUE_OR_CLOSE:
        if (blank(c))
            return true;
        if (r->st == S_VALUE_OR_CLOSE && c == ']') {
            r->depth--;
            value_done(r);
            return true;
        }
        start_value(r, c);
        return true;
    case S_KEY_OR_CLOSE:
    case S_KEY:
        if (blank(c))
            return true;
        if (r->st == S_KEY_OR_CLOSE && c == '}') {
            r->depth--;
            value_done(r);
            return true;
        }
        if (c != '"') {
            fail(r, "a key expected");
            return true;
        }
        r->str_is_key = true;
        r->str_field = F_NONE;
        r->key = (short_buf){0};
        r->st = S_STRING;
        return true;
    case S_COLON:
        if (blank(c))
            return true;
        if (c == ':')
            r->st = S_VALUE;
        else
            fail(r, "':' expected");
        return true;
    case S_AFTER:
        if (blank(c))
            return true;
        if (c == ',') {
            r->st = top_is_object(r) ? S_KEY : S_VALUE;
            return true;
        }
        if (c == (top_is_object(r) ? '}' : ']')) {
            r->depth--;
            value_done(r);
            return true;
        }
        fail(r, "',' or a closing bracket expected");
        return true;
    case S_STRING:
        if (c == '"')
            end_string(r);
        else if (c == '\\')
            r->st = S_ESCAPE;
        else if (c < 0x20)
            fail(r, "control character in a string");
        else {
            char b = (char)c;
            flush_high(r);
            string_bytes(r, &b, 1);
        }
        return true;
    case S_ESCAPE: {
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        if (c == 'u') {
            r->hex = r->nhex = 0;
            r->st = S_UHEX;
            return true;
        }
        const char *k = c ? strchr(from, c) : NULL;
        if (!k) {
            fail(r, "invalid escape in a string");
            return true;
        }
        flush_high(r);
        string_bytes(r, &to[k - from], 1);
        r->st = S_STRING;
        return true;
    }
    case S_UHEX: {
        unsigned v = digit(c)                 ? (unsigned)(c - '0')
                     : (c >= 'a' && c <= 'f') ? (unsigned)(c - 'a' + 10)
                     : (c >= 'A' && c <= 'F') ? (unsigned)(c - 'A' + 10)
                                              : 16u;
        if (v == 16) {
            fail(r, "invalid \\u escape");
            return true;
        }
        r->hex = r->hex * 16 + v;
        if (++r->nhex == 4) {
            unicode_escape(r, r->hex);
            r->st = S_STRING;
        }
        return true;
    }
    case S_NUMBER: {
        num_state n = r->num;
        if (digit(c)) {
            if (n == N_ZERO) {
                fail(r, "a number with a leading zero");
                return true;
            }
            r->num = n == N_MINUS                 ? (c == '0' ? N_ZERO : N_INT)
                     : n == N_DOT                 ? N_FRAC
                     : (n == N_E || n == N_ESIGN) ? N_EXP
                                                  : n;
            return true;
        }
        if (c == '.' && (n == N_ZERO || n == N_INT)) {
            r->num = N_DOT;
            return true;
        }
        if ((c == 'e' || c == 'E') && (n == N_ZERO || n == N_INT || n == N_FRAC)) {
            r->num = N_E;
            return true;
        }
        if ((c == '+' || c == '-') && n == N_E) {
            r->num = N_ESIGN;
            return true;
        }
        if (n == N_MINUS || n == N_DOT || n == N_E || n == N_ESIGN) {
            fail(r, "malformed number");
            return true;
        }
        value_done(r);
        return false; /* the byte after the number: read it again */
    }
    case S_LITERAL:
        if (c != (unsigned char)r->literal[r->literal_at]) {
            fail(r, "invalid literal");
            return true;
        }
        if (!r->literal[++r->literal_at])
            value_done(r);
        return true;
    case S_END:
        if (!blank(c))
            fail(r, "trailing garbage");
        return true;
    case S_BAD:
        return true;
    }
    return true;
}

void record_stream_feed(record_stream *r, const char *p, size_t n) {
    size_t i = 0;
    while (i < n && r->st != S_BAD) {
        if (r->st == S_STRING) { /* fast path: a run of plain string bytes */
            size_t j = i;
            while (j < n && p[j] != '"' && p[j] != '\\' && (unsigned char)p[j] >= 0x20)
                j++;
            if (j > i) {
                flush_high(r);
                string_bytes(r, p + i, j - i);
                if (r->id_raw)
                    id_put(r, p + i, j - i);
                r->pos += j - i;
                i = j;
                continue;
            }
        }
        unsigned char c = (unsigned char)p[i];
        if (!blank(c))
            r->any = true;
        bool was_raw = r->id_raw;
        if (!step(r, c))
            continue; /* the number ended before c: c again, in the new state */
        if (was_raw || r->id_raw)
            id_put(r, p + i, 1);
        r->pos++;
        i++;
    }
}

bool record_stream_end(record_stream *r, const char **error) {
    if (r->st == S_NUMBER) /* a number at the very end */
        step(r, ' ');
    if (r->st != S_BAD && r->st != S_END) {
        if (!r->any)
            snprintf(r->error, sizeof r->error, "empty line");
        else
            fail(r, "the record ends early");
    }
    if (r->st == S_BAD) {
        *error = r->error;
        return false;
    }
    if (r->text_not_string)
        *error = "\"text\" is not a string";
    else if (r->id_set && !r->id_too_large && !aupf_utf8_valid(r->id.data, r->id.len, NULL))
        *error = "\"id\" is not valid UTF-8";
    else if (r->id_too_large)
        *error = "\"id\" is too large";
    else if (!r->seen_text)
        *error = "record has no \"text\" field";
    else if (r->dup_text)
        *error = "duplicate \"text\" key";
    else if (r->dup_role)
        *error = "duplicate \"role\" key";
    else if (r->bad_role ||
             (r->role_set && !short_is(&r->role, "prompt") && !short_is(&r->role, "completion")))
        *error = "\"role\" must be \"prompt\" or \"completion\"";
    else
        return true;
    return false;
}

const char *record_stream_role(const record_stream *r) {
    if (!r->role_set || r->bad_role || (r->st == S_STRING && r->str_field == F_ROLE))
        return NULL; /* absent, or still being read */
    if (short_is(&r->role, "prompt"))
        return "prompt";
    if (short_is(&r->role, "completion"))
        return "completion";
    return NULL;
}

void record_stream_write_id(const record_stream *r, outbuf *o) {
    if (!r->id_set || r->id_too_large || r->id_raw ||
        !aupf_utf8_valid(r->id.data ? r->id.data : "", r->id.len, NULL))
        out_str(o, "null");
    else if (!r->id_is_string)
        out_bytes(o, r->id.data, r->id.len);
    else
        out_json_string(o, r->id.data ? r->id.data : "", r->id.len);
}
