/* Read access to a verdict. */
#include "internal.h"

int aupf_result_flagged(const aupf_result *r) { return r ? r->any_flagged : 0; }

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
