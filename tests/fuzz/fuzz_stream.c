/* fuzz_stream: a stream must equal the block scan. The first two bytes
 * choose the role and a chunking; the rest is streamed with aupf_stream_*
 * and compared by tests/unit/stream_check.c with aupf_scan + aupf_apply
 * (released bytes, flagged, action, scores, every match).
 *
 *   byte 0: bit 0 role (0 prompt, 1 completion); bits 1-2 mode:
 *           0 single bytes, 1 fixed size byte1 + 1,
 *           2 sizes 1..byte1+1 from a generator seeded by byte1,
 *           3 sizes from the input's own bytes (byte k of the text -> 1..16)
 *           bit 3: the same rules with compressed stream state
 *           (compact.conf; with $AUPF_FUZZ_CONFIG, that configuration)
 *   byte 1: parameter */
#include "fuzz_common.h"
#include "stream_check.h"

#include <string.h>

static aupf_ruleset *rs, *compact_rs;
static aupf_scanner *scanner, *compact_scanner;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    rs = fuzz_load_ruleset();
    const char *own = getenv("AUPF_FUZZ_CONFIG");
    aupf_load_options o = {.no_cache = 1};
    if (own && *own)
        compact_rs = aupf_ruleset_retain(rs);
    else if (aupf_ruleset_load(AUPF_FUZZ_FIXTURES "/compact.conf", &o, NULL, NULL, &compact_rs) !=
             AUPF_OK)
        abort();
    if (aupf_scanner_new(rs, &scanner) != AUPF_OK ||
        aupf_scanner_new(compact_rs, &compact_scanner) != AUPF_OK)
        abort();
    return 0;
}

typedef struct {
    int mode;
    uint8_t param;
    uint32_t rng;
    const uint8_t *text;
    size_t len, k;
} chunking;

static size_t next_size(void *ctx) {
    chunking *c = ctx;
    switch (c->mode) {
    case 0:
        return 1;
    case 1:
        return (size_t)c->param + 1;
    case 2:
        c->rng = c->rng * 1103515245u + 12345u;
        return 1 + (c->rng >> 16) % ((size_t)c->param + 1);
    default: {
        size_t n = c->len ? 1 + (c->text[c->k % c->len] & 15) : 1;
        c->k++;
        return n;
    }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2)
        return 0;
    chunking c = {.mode = (data[0] >> 1) & 3, .param = data[1], .rng = data[1]};
    aupf_role role = (data[0] & 1) ? AUPF_ROLE_COMPLETION : AUPF_ROLE_PROMPT;
    size_t len = size - 2;
    char *text = malloc(len ? len : 1);
    memcpy(text, data + 2, len);
    c.text = (const uint8_t *)text;
    c.len = len;
    int compact = (data[0] >> 3) & 1;
    const char *why =
        compact ? stream_check(compact_rs, compact_scanner, role, text, len, next_size, &c)
                : stream_check(rs, scanner, role, text, len, next_size, &c);
    FUZZ_CHECK(why == NULL, "%s (role %s, mode %d, param %u, compact %d, %zu bytes)", why,
               aupf_role_name(role), c.mode, c.param, compact, len);
    free(text);
    return 0;
}
