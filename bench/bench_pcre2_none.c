/* The PCRE2 baseline when libpcre2-8 was not found at configure time. */
#include "bench_pcre2.h"

bench_pcre2 *bench_pcre2_new(const bench_pattern *p, size_t n, unsigned role, size_t *skipped) {
    (void)p;
    (void)role;
    *skipped = n;
    return NULL;
}
size_t bench_pcre2_rules(const bench_pcre2 *b) {
    (void)b;
    return 0;
}
int bench_pcre2_run(bench_pcre2 *b, const bench_corpus *c, uint64_t *hash, size_t *errors) {
    (void)b;
    (void)c;
    (void)hash;
    *errors = 0;
    return -1;
}
void bench_pcre2_free(bench_pcre2 *b) { (void)b; }
