/* 64-bit FNV-1a with a final avalanche (splitmix64): stable across
 * platforms, used for cache keys, checksums and the ruleset hash. */
#include "internal.h"

#include <string.h>

void aupf__hash_init(aupf__hasher *hs) { hs->h = 0xcbf29ce484222325ull; }

void aupf__hash_bytes(aupf__hasher *hs, const void *p, size_t n) {
    const unsigned char *b = p;
    uint64_t h = hs->h;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    hs->h = h;
}

void aupf__hash_u64(aupf__hasher *hs, uint64_t v) {
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    aupf__hash_bytes(hs, b, 8);
}

void aupf__hash_str(aupf__hasher *hs, const char *s) {
    size_t n = s ? strlen(s) : 0;
    aupf__hash_u64(hs, n);
    if (n)
        aupf__hash_bytes(hs, s, n);
}

uint64_t aupf__hash_final(const aupf__hasher *hs) {
    uint64_t z = hs->h + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
