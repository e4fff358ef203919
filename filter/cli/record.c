/* JSONL records parsed with jansson (chosen by measurement: see
 * docs/performance.md). */
#include "record.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct record {
    json_t *root;
    json_t *id;
    const char *text;
    size_t text_len;
    const char *role;
    char error[256];
};

record *record_new(void) { return calloc(1, sizeof(record)); }

void record_free(record *r) {
    if (r)
        json_decref(r->root);
    free(r);
}

bool record_parse(record *r, const char *line, size_t len, const char **error) {
    json_decref(r->root);
    r->root = r->id = NULL;
    r->text = r->role = NULL;
    r->text_len = 0;
    json_error_t err;
    r->root = json_loadb(line, len, JSON_ALLOW_NUL, &err);
    if (!r->root) {
        snprintf(r->error, sizeof r->error, "invalid JSON at column %d: %s", err.column, err.text);
        *error = r->error;
        return false;
    }
    if (!json_is_object(r->root)) {
        *error = "record is not a JSON object";
        return false;
    }
    r->id = json_object_get(r->root, "id");
    json_t *text = json_object_get(r->root, "text");
    if (!text) {
        *error = "record has no \"text\" field";
        return false;
    }
    if (!json_is_string(text)) {
        *error = "\"text\" is not a string";
        return false;
    }
    r->text = json_string_value(text);
    r->text_len = json_string_length(text);
    json_t *role = json_object_get(r->root, "role");
    if (role && !json_is_null(role)) {
        const char *s = json_string_value(role);
        if (!s || (strcmp(s, "prompt") != 0 && strcmp(s, "completion") != 0)) {
            *error = "\"role\" must be \"prompt\" or \"completion\"";
            return false;
        }
        r->role = s;
    }
    return true;
}

const char *record_text(const record *r, size_t *len) {
    *len = r->text_len;
    return r->text;
}

const char *record_role(const record *r) { return r->role; }

void record_write_id(const record *r, outbuf *o) {
    if (!r->id) {
        out_str(o, "null");
    } else if (json_is_string(r->id)) {
        out_json_string(o, json_string_value(r->id), json_string_length(r->id));
    } else {
        char *s = json_dumps(r->id, JSON_ENCODE_ANY | JSON_COMPACT);
        out_str(o, s ? s : "null");
        free(s);
    }
}

const char *record_string(const record *r, const char *field) {
    return r->root ? json_string_value(json_object_get(r->root, field)) : NULL;
}

bool record_dev_overlap(const record *r) {
    json_t *meta = r->root ? json_object_get(r->root, "meta") : NULL;
    return meta && json_is_true(json_object_get(meta, "dev_overlap"));
}
