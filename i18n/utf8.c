#include "utf8.h"

#include <stdint.h>
#include <string.h>

bool aupf__is_ascii(const char *text, size_t len) {
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (w & 0x8080808080808080ull)
            return false;
    }
    for (; i < len; i++)
        if (p[i] & 0x80)
            return false;
    return true;
}

bool aupf__utf8_valid(const char *text, size_t len, size_t *bad_offset) {
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        if (i + 8 <= len) { /* skip ASCII runs eight bytes at a time */
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (!(w & 0x8080808080808080ull)) {
                i += 8;
                continue;
            }
        }
        unsigned char c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned char lo = 0x80, hi = 0xBF; /* bounds of the second byte */
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0; /* overlong */
            else if (c == 0xED)
                hi = 0x9F; /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90; /* overlong */
            else if (c == 0xF4)
                hi = 0x8F; /* above U+10FFFF */
        } else {
            goto bad;
        }
        if (len - i <= need)
            goto bad;
        if (p[i + 1] < lo || p[i + 1] > hi)
            goto bad;
        for (size_t k = 2; k <= need; k++)
            if ((p[i + k] & 0xC0) != 0x80)
                goto bad;
        i += need + 1;
    }
    return true;
bad:
    if (bad_offset)
        *bad_offset = i;
    return false;
}

/* Both move at most three bytes: a code point is at most four bytes long,
 * and a longer run of stray continuation bytes is a run of invalid bytes,
 * each its own unit. Bounded, the answer depends only on the bytes near
 * the offset, so a stream that holds a few bytes more gets the same one. */
size_t aupf__utf8_floor(const char *text, size_t len, size_t offset) {
    if (offset >= len)
        return len;
    for (int k = 0; k < 3 && offset > 0 && (((unsigned char)text[offset]) & 0xC0) == 0x80; k++)
        offset--;
    return offset;
}

size_t aupf__utf8_ceil(const char *text, size_t len, size_t offset) {
    for (int k = 0; k < 3 && offset < len && (((unsigned char)text[offset]) & 0xC0) == 0x80; k++)
        offset++;
    return offset;
}
