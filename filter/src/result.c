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

size_t aupf_result_match_count(const aupf_result *r) { return r ? r->match_count : 0; }

int aupf_result_match(const aupf_result *r, size_t i, aupf_match *out) {
    if (!r || !out || i >= r->match_count)
        return AUPF_E_ARG;
    *out = r->matches[i];
    return AUPF_OK;
}
