/* Read access to a verdict. */
#include "internal.h"

#include <string.h>

int aupf_result_flagged(const aupf_result *r) { return r ? r->any_flagged : 0; }

int aupf_result_fallback(const aupf_result *r) { return r ? r->fallback : 0; }

int aupf_result_error(const aupf_result *r) { return r ? r->error : AUPF_OK; }

bool aupf__internal_failure(int status) { return status == AUPF_E_NOMEM || status == AUPF_E_SCAN; }

const aupf_result *aupf__fallback_result(aupf_scanner *s, int status) {
    const aupf_ruleset *rs = s->rs;
    aupf_result *r = &s->result;
    for (size_t c = 0; c < rs->category_count; c++) {
        r->scores[c] = 0.0;
        r->flagged[c] = r->shadow_flagged[c] = 0;
    }
    r->fallback = rs->on_error;
    r->error = status;
    r->any_flagged = rs->on_error == AUPF_FAIL_CLOSED;
    r->action = r->any_flagged ? AUPF_ACTION_BLOCK : AUPF_ACTION_ALLOW;
    r->matches = NULL;
    r->match_count = 0;
    memset(r->signals, 0, sizeof r->signals);
    r->script = 0; /* Zyyy */
    r->has_kana = 0;
    r->language = NULL;
    r->language_known = 1;
    return r;
}

aupf_action aupf_result_action(const aupf_result *r) { return r ? r->action : AUPF_ACTION_ALLOW; }

double aupf_result_score(const aupf_result *r, size_t category) {
    return (r && category < r->rs->category_count) ? r->scores[category] : 0.0;
}

int aupf_result_category_flagged(const aupf_result *r, size_t category) {
    return (r && category < r->rs->category_count) ? r->flagged[category] : 0;
}

int aupf_result_category_shadow_flagged(const aupf_result *r, size_t category) {
    return (r && category < r->rs->category_count) ? r->shadow_flagged[category] : 0;
}

size_t aupf_result_match_count(const aupf_result *r) { return r ? r->match_count : 0; }

int aupf_result_match(const aupf_result *r, size_t i, aupf_match *out) {
    if (!r || !out || i >= r->match_count)
        return AUPF_E_ARG;
    *out = r->matches[i];
    return AUPF_OK;
}

size_t aupf_signal_count(void) { return AUPF_SIGNAL_COUNT; }

const char *aupf_signal_name(size_t signal) { return aupf__signal_name((aupf_signal)signal); }

unsigned aupf_result_signal(const aupf_result *r, size_t signal) {
    return (r && signal < AUPF_SIGNAL_COUNT) ? r->signals[signal] : 0;
}

int aupf_utf8_valid(const char *text, size_t len, size_t *bad_offset) {
    return (text || !len) && aupf__utf8_valid(text ? text : "", len, bad_offset);
}

const char *aupf_result_script(const aupf_result *r) {
    return r ? aupf__script_code(r->script) : "Zyyy";
}

const char *aupf_result_language(const aupf_result *r) {
    if (!r)
        return NULL;
    aupf_result *m = (aupf_result *)r; /* a cache filled on first use */
    if (!m->language_known) {
        m->language = aupf__guess_language(r->script, r->has_kana, r->view->text, r->view->len);
        m->language_known = 1;
    }
    return m->language;
}
