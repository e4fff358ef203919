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

/* A checksum for large buffers (the rule cache): FNV-1a's step on 64-bit
 * words in four independent lanes, several times faster than byte-wise
 * FNV-1a. Only for data this machine wrote and reads back (word order is
 * native). */
uint64_t aupf__checksum(const void *p, size_t n) {
    const unsigned char *b = p;
    const uint64_t prime = 0x100000001b3ull;
    uint64_t lane[4] = {0xcbf29ce484222325ull, 0x84222325cbf29ce4ull, 0x9e3779b97f4a7c15ull,
                        0xbf58476d1ce4e5b9ull};
    size_t i = 0;
    for (; i + 32 <= n; i += 32)
        for (int k = 0; k < 4; k++) {
            uint64_t w;
            memcpy(&w, b + i + 8 * k, 8);
            lane[k] = (lane[k] ^ w) * prime;
        }
    aupf__hasher h = {lane[0] ^ (lane[1] << 1) ^ (lane[2] << 2) ^ (lane[3] << 3)};
    aupf__hash_u64(&h, lane[1] ^ lane[3]);
    aupf__hash_u64(&h, n);
    aupf__hash_bytes(&h, b + i, n - i);
    return aupf__hash_final(&h);
}
