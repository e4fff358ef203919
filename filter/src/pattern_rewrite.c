/* Rewrites a rule pattern for the normalized view, where a run of three or
 * more of one letter has collapsed to one ("killll" -> "kil"): a literal
 * doubled letter outside a character class, not quantified, and followed
 * by nothing that could match a letter also accepts a single letter
 * ("kill" -> "kill?"). */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static bool is_alpha(char c) { return (unsigned)((c | 32) - 'a') < 26; }
static bool is_quantifier(char c) { return c == '*' || c == '+' || c == '?' || c == '{'; }

/* What follows a doubled letter must not be able to match a letter, or
 * "pass\\w" would accept "past": a literal letter, the end, an alternation
 * or group end, \\b \\B \\s \\W \\d, or literal punctuation. */
static bool safe_follower(const char *p) {
    char c = p[0];
    if (!c || c == '|' || c == ')' || is_alpha(c))
        return true;
    if (c == '\\')
        return p[1] && strchr("bBsWd", p[1]) != NULL;
    return strchr(" ,;:'\"-/!&", c) != NULL;
}

char *aupf__pattern_for_view(const char *p) {
    size_t n = strlen(p);
    char *out = malloc(n * 2 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        char c = p[i];
        if (c == '\\') { /* an escape: copy it and its character */
            out[o++] = p[i++];
            if (i < n)
                out[o++] = p[i++];
            continue;
        }
        if (c == '[') { /* a class: copy it whole */
            out[o++] = p[i++];
            if (i < n && p[i] == '^')
                out[o++] = p[i++];
            if (i < n && p[i] == ']')
                out[o++] = p[i++];
            while (i < n && p[i] != ']') {
                if (p[i] == '\\' && i + 1 < n)
                    out[o++] = p[i++];
                out[o++] = p[i++];
            }
            if (i < n)
                out[o++] = p[i++];
            continue;
        }
        if (c == '{') { /* a counted repeat: copy it whole */
            while (i < n && p[i] != '}')
                out[o++] = p[i++];
            if (i < n)
                out[o++] = p[i++];
            continue;
        }
        out[o++] = p[i++];
        if (is_alpha(c) && i < n && (p[i] | 32) == (c | 32) &&
            !(i + 1 < n && is_quantifier(p[i + 1])) && safe_follower(p + i + 1)) {
            out[o++] = p[i++];
            out[o++] = '?';
        }
    }
    out[o] = 0;
    return out;
}
