#include "verdict.h"

#include <string.h>

static void write_id(outbuf *o, const verdict_input *in) {
    if (in->rec)
        record_write_id(in->rec, o);
    else if (in->id_json)
        out_bytes(o, in->id_json, in->id_len);
    else
        out_str(o, "null");
}

static const char *policy_name(int fallback) {
    return fallback == AUPF_FAIL_OPEN ? "fail_open" : "fail_closed";
}

/* ,"fallback":"fail_closed","reason":"..." for a verdict the on_error
 * policy gave; nothing otherwise. */
static void write_fallback(outbuf *o, const aupf_result *r) {
    if (!aupf_result_fallback(r))
        return;
    out_str(o, ",\"fallback\":\"");
    out_str(o, policy_name(aupf_result_fallback(r)));
    out_str(o, "\",\"reason\":");
    const char *why = aupf_strerror(aupf_result_error(r));
    out_json_string(o, why, strlen(why));
}

/* The matches as JSON objects: "[{...},...]". */
static void write_matches(outbuf *o, const aupf_ruleset *rs, const aupf_result *r) {
    out_char(o, '[');
    for (size_t i = 0; i < aupf_result_match_count(r); i++) {
        aupf_match m;
        aupf_result_match(r, i, &m);
        out_str(o, i ? ",{\"rule\":\"" : "{\"rule\":\"");
        out_str(o, m.rule_id);
        out_str(o, "\",\"category\":\"");
        out_str(o, aupf_category_name(rs, m.category));
        out_str(o, "\",\"start\":");
        out_size(o, m.start);
        out_str(o, ",\"end\":");
        out_size(o, m.end);
        if (m.evasive)
            out_str(o, ",\"evasive\":true");
        if (m.shadow)
            out_str(o, ",\"shadow\":true");
        out_char(o, '}');
    }
    out_char(o, ']');
}

/* "signals":{"leet":1,...} with the non-zero evasion signals, if any. */
static void write_signals(outbuf *o, const aupf_result *r) {
    int first = 1;
    for (size_t i = 0; i < aupf_signal_count(); i++) {
        unsigned n = aupf_result_signal(r, i);
        if (!n)
            continue;
        out_str(o, first ? ",\"signals\":{\"" : ",\"");
        first = 0;
        out_str(o, aupf_signal_name(i));
        out_str(o, "\":");
        out_size(o, n);
    }
    if (!first)
        out_char(o, '}');
}

static void write_json(outbuf *o, const aupf_ruleset *rs, const aupf_result *r,
                       const verdict_input *in) {
    size_t nc = aupf_ruleset_category_count(rs);
    out_str(o, "{\"id\":");
    write_id(o, in);
    out_str(o, ",\"line\":");
    out_size(o, in->number);
    out_str(o, aupf_result_flagged(r) ? ",\"flagged\":true" : ",\"flagged\":false");
    out_str(o, ",\"categories\":[");
    int first = 1;
    for (size_t c = 0; c < nc; c++)
        if (aupf_result_category_flagged(r, c)) {
            if (!first)
                out_char(o, ',');
            first = 0;
            out_char(o, '"');
            out_str(o, aupf_category_name(rs, c));
            out_char(o, '"');
        }
    out_str(o, "],\"scores\":{");
    for (size_t c = 0; c < nc; c++) {
        if (c)
            out_char(o, ',');
        out_char(o, '"');
        out_str(o, aupf_category_name(rs, c));
        out_str(o, "\":");
        out_double(o, aupf_result_score(r, c));
    }
    out_str(o, "},\"action\":\"");
    out_str(o, aupf_action_name(aupf_result_action(r)));
    out_char(o, '"');
    write_fallback(o, r);
    out_str(o, ",\"matches\":");
    write_matches(o, rs, r);
    int any_shadow = 0;
    for (size_t c = 0; c < nc; c++)
        if (aupf_result_category_shadow_flagged(r, c)) {
            out_str(o, any_shadow ? ",\"" : ",\"shadow_categories\":[\"");
            out_str(o, aupf_category_name(rs, c));
            out_char(o, '"');
            any_shadow = 1;
        }
    if (any_shadow)
        out_char(o, ']');
    write_signals(o, r);
    out_str(o, ",\"script\":\"");
    out_str(o, aupf_result_script(r));
    out_char(o, '"');
    /* the Latin-script guess reads the text: only for verdicts that act */
    const char *lang = (aupf_result_flagged(r) || strcmp(aupf_result_script(r), "Latn") != 0)
                           ? aupf_result_language(r)
                           : NULL;
    if (lang) {
        out_str(o, ",\"language\":\"");
        out_str(o, lang);
        out_char(o, '"');
    }
    out_str(o, ",\"ruleset\":\"");
    out_str(o, aupf_ruleset_hash(rs));
    out_char(o, '"');
    if (in->output) {
        out_str(o, ",\"output\":");
        out_json_string(o, in->output, in->output_len);
    }
    out_str(o, "}\n");
}

/* One line per record, then one line per match with the matched text. */
static void write_text(outbuf *o, const aupf_ruleset *rs, const aupf_result *r,
                       const verdict_input *in) {
    out_char(o, '#');
    out_size(o, in->number);
    out_str(o, aupf_result_flagged(r) ? "  FLAGGED " : "  ok      ");
    out_str(o, aupf_action_name(aupf_result_action(r)));
    for (size_t c = 0; c < aupf_ruleset_category_count(rs); c++)
        if (aupf_result_score(r, c) > 0) {
            out_char(o, ' ');
            out_str(o, aupf_category_name(rs, c));
            out_char(o, '=');
            out_double(o, aupf_result_score(r, c));
        }
    if (aupf_result_fallback(r)) {
        out_str(o, " (fallback ");
        out_str(o, policy_name(aupf_result_fallback(r)));
        out_str(o, ": ");
        out_str(o, aupf_strerror(aupf_result_error(r)));
        out_char(o, ')');
    }
    out_str(o, "  ");
    if (in->text) {
        size_t shown = in->len > 100 ? 100 : in->len;
        while (shown < in->len && shown > 0 && (((unsigned char)in->text[shown]) & 0xC0) == 0x80)
            shown--; /* do not cut a UTF-8 sequence */
        out_json_string(o, in->text, shown);
        if (shown < in->len)
            out_str(o, "...");
    } else { /* scanned as a stream: the text was not kept */
        out_char(o, '(');
        out_size(o, in->len);
        out_str(o, " bytes, scanned as a stream)");
    }
    out_char(o, '\n');
    for (size_t i = 0; i < aupf_result_match_count(r); i++) {
        aupf_match m;
        aupf_result_match(r, i, &m);
        out_str(o, "      ");
        out_str(o, m.rule_id);
        out_str(o, " [");
        out_size(o, m.start);
        out_char(o, ',');
        out_size(o, m.end);
        out_char(o, ')');
        if (in->text) {
            out_char(o, ' ');
            out_json_string(o, in->text + m.start, m.end - m.start);
        }
        out_char(o, '\n');
    }
    if (in->output) {
        out_str(o, "      output: ");
        out_json_string(o, in->output, in->output_len);
        out_char(o, '\n');
    }
}

/* OpenAI's /v1/moderations response, our categories, one per record. */
static void write_openai(outbuf *o, const aupf_ruleset *rs, const aupf_result *r,
                         const verdict_input *in) {
    size_t nc = aupf_ruleset_category_count(rs);
    out_str(o, "{\"id\":\"modr-aupf-");
    out_str(o, aupf_ruleset_hash(rs));
    out_char(o, '-');
    out_size(o, in->number);
    out_str(o, "\",\"model\":\"aupfilter-");
    out_str(o, aupf_version());
    out_str(o, "\",\"results\":[{\"flagged\":");
    out_str(o, aupf_result_flagged(r) ? "true" : "false");
    const char *fields[] = {"categories", "category_scores", "category_applied_input_types"};
    for (int k = 0; k < 3; k++) {
        out_str(o, ",\"");
        out_str(o, fields[k]);
        out_str(o, "\":{");
        for (size_t c = 0; c < nc; c++) {
            out_str(o, c ? ",\"" : "\"");
            out_str(o, aupf_category_name(rs, c));
            out_str(o, "\":");
            if (k == 0)
                out_str(o, aupf_result_category_flagged(r, c) ? "true" : "false");
            else if (k == 1)
                out_double(o, aupf_result_score(r, c));
            else
                out_str(o, "[\"text\"]");
        }
        out_char(o, '}');
    }
    out_str(o, ",\"x_aupfilter\":{\"id\":");
    write_id(o, in);
    out_str(o, ",\"action\":\"");
    out_str(o, aupf_action_name(aupf_result_action(r)));
    out_char(o, '"');
    write_fallback(o, r);
    out_str(o, ",\"ruleset\":\"");
    out_str(o, aupf_ruleset_hash(rs));
    out_str(o, "\",\"matches\":");
    write_matches(o, rs, r);
    out_str(o, "}}]}\n");
}

/* Llama Guard's reply: "safe", or "unsafe" and a line of category codes. */
static void write_llamaguard(outbuf *o, const aupf_ruleset *rs, const aupf_result *r) {
    if (!aupf_result_flagged(r)) {
        out_str(o, "safe\n");
        return;
    }
    out_str(o, "unsafe\n"); /* a fail-closed fallback has no category: an empty line */
    int first = 1;
    for (size_t c = 0; c < aupf_ruleset_category_count(rs); c++)
        if (aupf_result_category_flagged(r, c)) {
            if (!first)
                out_char(o, ',');
            first = 0;
            out_str(o, aupf_category_code(rs, c));
        }
    out_char(o, '\n');
}

void verdict_write(outbuf *o, verdict_format f, const aupf_ruleset *rs, const aupf_result *r,
                   const verdict_input *in) {
    switch (f) {
    case FORMAT_TEXT:
        write_text(o, rs, r, in);
        break;
    case FORMAT_OPENAI:
        write_openai(o, rs, r, in);
        break;
    case FORMAT_LLAMAGUARD:
        write_llamaguard(o, rs, r);
        break;
    default:
        write_json(o, rs, r, in);
    }
}

void verdict_write_error(outbuf *o, verdict_format f, const verdict_input *in, const char *error) {
    if (f == FORMAT_LLAMAGUARD) { /* no error form in Llama Guard's reply: say it plainly */
        out_str(o, "error\n");
        out_str(o, error);
        out_char(o, '\n');
        return;
    }
    if (f == FORMAT_TEXT) {
        out_char(o, '#');
        out_size(o, in->number);
        out_str(o, "  ERROR   ");
        out_str(o, error);
        out_char(o, '\n');
        return;
    }
    out_str(o, "{\"id\":");
    write_id(o, in);
    out_str(o, ",\"line\":");
    out_size(o, in->number);
    out_str(o, ",\"error\":");
    out_json_string(o, error, __builtin_strlen(error));
    out_str(o, "}\n");
}
