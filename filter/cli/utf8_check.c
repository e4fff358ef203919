#include "utf8_check.h"

#include "aupfilter.h"

#include <string.h>

/* Length of the sequence a lead byte starts (0: not a lead byte). */
static size_t seq_len(unsigned char c) {
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    if (c >= 0xE0 && c <= 0xEF)
        return 3;
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    return 0;
}

bool utf8_check_feed(utf8_check *u, const char *p, size_t n) {
    if (u->bad)
        return false;
    size_t i = 0;
    if (u->tail_len) { /* finish the sequence the last piece cut */
        size_t need = seq_len((unsigned char)u->tail[0]);
        while (u->tail_len < need && i < n)
            u->tail[u->tail_len++] = p[i++];
        if (u->tail_len < need)
            return true;
        u->tail_len = 0;
        if (!aupf_utf8_valid(u->tail, need, NULL))
            return !(u->bad = true);
    }
    size_t bad;
    if (aupf_utf8_valid(p + i, n - i, &bad))
        return true;
    /* invalid at p[i + bad]: fine only if it is the start of a sequence
     * that the piece cut short */
    size_t at = i + bad, rest = n - at, need = seq_len((unsigned char)p[at]);
    if (need == 0 || rest >= need)
        return !(u->bad = true);
    for (size_t k = 1; k < rest; k++)
        if (((unsigned char)p[at + k] & 0xC0) != 0x80)
            return !(u->bad = true);
    memcpy(u->tail, p + at, rest);
    u->tail_len = rest;
    return true;
}

bool utf8_check_end(const utf8_check *u) { return !u->bad && u->tail_len == 0; }
