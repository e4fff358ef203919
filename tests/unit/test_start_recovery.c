/* Starts of the shipped triggers too large for start-of-match tracking,
 * which block scans recover for a whole cluster of hits at once by trying
 * anchored matches (scanner.c): on texts dense with their hits, every
 * match's start must be what the one-hit recovery that streams use finds,
 * and a stream of the text must agree with the block scan. */
#include "dev_data.h"
#include "helpers.h"
#include "internal.h"
#include "stream_check.h"

#include <stdio.h>
#include <string.h>

/* The rule's `matches` examples, each repeated, joined by ", " (so that
 * the hits of one pattern form one long cluster); returns the length. */
static size_t dense_text(const aupf__rule *r, size_t copies, char *buf, size_t cap) {
    size_t len = 0;
    for (size_t c = 0; c < copies; c++)
        for (size_t m = 0; m < r->matches.count; m++) {
            size_t k = strlen(r->matches.items[m]);
            if (len + k + 2 >= cap)
                return len;
            memcpy(buf + len, r->matches.items[m], k);
            len += k;
            memcpy(buf + len, ", ", 2);
            len += 2;
        }
    return len;
}

static size_t chunk_size(void *ctx) {
    (void)ctx;
    return 61;
}

static void dense_hits_get_the_one_hit_starts(void **state) {
    (void)state;
    aupf_ruleset *rs = dev_shipped_ruleset();
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(rs, &s), AUPF_OK);
    static char text[1 << 17];
    size_t rules = 0, checked = 0;
    for (size_t x = 0; x < rs->expr_count; x++) {
        if (!rs->exprs[x].triggers || !aupf__has_anchored(rs, (uint32_t)x))
            continue;
        uint32_t pi = rs->expr_members[rs->exprs[x].first_member];
        const aupf__rule *r = &rs->rules[rs->patterns[pi].rule];
        size_t len = dense_text(r, 200, text, sizeof text);
        const aupf_result *res;
        aupf_role role = (r->roles & AUPF_ROLE_PROMPT) ? AUPF_ROLE_PROMPT : AUPF_ROLE_COMPLETION;
        const char *differs = stream_check(rs, s, role, text, len, chunk_size, NULL);
        if (differs)
            fail_msg("%s: stream and block differ: %s", r->id, differs);
        assert_int_equal(aupf_scan(s, role, text, len, &res), AUPF_OK);
        size_t mine = 0;
        for (size_t i = 0; i < res->match_count; i++) {
            const aupf_match *m = &res->matches[i];
            if (m->rule != rs->patterns[pi].rule)
                continue;
            mine++;
            if (!s->view.identity)
                continue; /* the view's offsets are not the text's */
            size_t one = aupf__recover_start(s, pi, s->view.text, 0, s->view.len, m->end);
            if (one != m->start)
                fail_msg("%s: match ending at %zu starts at %zu, one-hit recovery says %zu", r->id,
                         m->end, m->start, one);
        }
        printf("%s: %zu matches in %zu bytes%s\n", r->id, mine, len,
               s->view.identity ? "" : " (normalized: against the stream only)");
        assert_true(mine >= 200);
        checked += mine;
        rules++;
    }
    assert_true(rules >= 3); /* otherwise this checks little */
    printf("%zu rules, %zu matches\n", rules, checked);
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dense_hits_get_the_one_hit_starts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
