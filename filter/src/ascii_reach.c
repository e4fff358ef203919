/* Can an expression match text made only of ASCII bytes? A small walk over
 * the PCRE syntax that Hyperscan accepts: a concatenation needs every
 * required piece to be able to match ASCII, an alternation needs one
 * branch, a piece repeated zero times needs nothing. A literal outside
 * ASCII cannot, unless a caseless match folds it to ASCII (U+017F long s
 * matches "s", U+212A Kelvin sign "k"). Anything the walk does not
 * understand answers "yes": a wrong "no" would drop matches, a wrong
 * "yes" only costs speed. The block scanner leaves the expressions that
 * answer "no" out of the database it scans ASCII views with. */
#include "internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *p;
    bool caseless;
    bool utf8;
    bool unsure; /* syntax the walk does not follow: answer yes */
} walk;

/* Code points outside ASCII whose simple case mappings reach ASCII
 * (İ→i, ı→I, ſ→S, K→k); tests check the list against ICU. */
static const uint32_t folds_to_ascii[] = {0x130, 0x131, 0x17F, 0x212A};

bool aupf__folds_to_ascii(uint32_t cp) {
    for (size_t i = 0; i < sizeof folds_to_ascii / sizeof *folds_to_ascii; i++)
        if (folds_to_ascii[i] == cp)
            return true;
    return false;
}

static bool literal_ok(const walk *w, uint32_t cp) {
    return cp < 0x80 || (w->caseless && aupf__folds_to_ascii(cp));
}

static bool range_ok(const walk *w, uint32_t lo, uint32_t hi) {
    if (lo < 0x80)
        return true;
    if (w->caseless)
        for (size_t i = 0; i < sizeof folds_to_ascii / sizeof *folds_to_ascii; i++)
            if (folds_to_ascii[i] >= lo && folds_to_ascii[i] <= hi)
                return true;
    return false;
}

/* One character of the pattern as a code point (a byte without utf8). */
static uint32_t next_char(walk *w) {
    const unsigned char *s = (const unsigned char *)w->p;
    if (s[0] < 0x80 || !w->utf8) {
        w->p++;
        return s[0];
    }
    size_t n = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : 2;
    uint32_t cp = s[0] & (0x3F >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            w->unsure = true;
            w->p++;
            return s[0];
        }
        cp = cp << 6 | (s[i] & 0x3F);
    }
    w->p += n;
    return cp;
}

static uint32_t hex_number(walk *w, size_t max_digits) {
    uint32_t v = 0;
    size_t n = 0;
    while (n < max_digits && isxdigit((unsigned char)*w->p)) {
        char c = *w->p++;
        v = v * 16 + (uint32_t)(isdigit((unsigned char)c) ? c - '0' : (c | 32) - 'a' + 10);
        n++;
    }
    return v;
}

enum { ESC_LITERAL, ESC_ANY }; /* a code point, or something that may match ASCII */

/* After a backslash: what the escape stands for. */
static int escape(walk *w, uint32_t *cp) {
    char c = *w->p;
    if (!c) {
        w->unsure = true;
        return ESC_ANY;
    }
    if ((unsigned char)c >= 0x80) { /* an escaped literal character */
        *cp = next_char(w);
        return ESC_LITERAL;
    }
    w->p++;
    switch (c) {
    case 'x':
        if (*w->p == '{') {
            w->p++;
            *cp = hex_number(w, 8);
            if (*w->p != '}')
                w->unsure = true;
            else
                w->p++;
        } else
            *cp = hex_number(w, 2);
        return ESC_LITERAL;
    case 'n':
        *cp = '\n';
        return ESC_LITERAL;
    case 't':
        *cp = '\t';
        return ESC_LITERAL;
    case 'r':
        *cp = '\r';
        return ESC_LITERAL;
    case 'f':
        *cp = '\f';
        return ESC_LITERAL;
    case 'e':
        *cp = 0x1B;
        return ESC_LITERAL;
    case 'a':
        *cp = 0x07;
        return ESC_LITERAL;
    case 'p':
    case 'P': /* a property: skip its name, assume it has ASCII members */
        if (*w->p == '{') {
            const char *close = strchr(w->p, '}');
            w->p = close ? close + 1 : w->p + strlen(w->p);
        } else if (*w->p)
            w->p++;
        return ESC_ANY;
    case 'Q':
    case 'c':
    case 'o':
    case 'g':
    case 'k':
        w->unsure = true; /* quoting, control letters, octal, back references */
        return ESC_ANY;
    default:
        if (isdigit((unsigned char)c)) {
            w->unsure = true;
            return ESC_ANY;
        }
        if (isalpha((unsigned char)c))
            return ESC_ANY;     /* \b \w \s \d \h \v \N \R \X \A \z and their opposites */
        *cp = (unsigned char)c; /* escaped punctuation */
        return ESC_LITERAL;
    }
}

/* After '[': can the class match an ASCII character? */
static bool class_ok(walk *w) {
    bool negated = false, any = false;
    if (*w->p == '^') {
        negated = true;
        w->p++;
    }
    bool first = true;
    while (*w->p && (*w->p != ']' || first)) {
        first = false;
        if (w->p[0] == '[' && w->p[1] == ':') { /* [:alpha:] and the like */
            const char *close = strstr(w->p + 2, ":]");
            if (!close) {
                w->unsure = true;
                return true;
            }
            w->p = close + 2;
            any = true;
            continue;
        }
        uint32_t lo;
        if (*w->p == '\\') {
            w->p++;
            if (escape(w, &lo) == ESC_ANY) {
                any = true;
                continue;
            }
        } else
            lo = next_char(w);
        if (w->p[0] == '-' && w->p[1] && w->p[1] != ']') {
            w->p++;
            uint32_t hi;
            if (*w->p == '\\') {
                w->p++;
                if (escape(w, &hi) == ESC_ANY) {
                    w->unsure = true;
                    return true;
                }
            } else
                hi = next_char(w);
            if (hi < lo)
                w->unsure = true;
            any |= range_ok(w, lo, hi);
        } else
            any |= literal_ok(w, lo);
    }
    if (*w->p != ']') {
        w->unsure = true;
        return true;
    }
    w->p++;
    return negated || any;
}

static bool alternation(walk *w);

/* After "(?": flags, a non-capturing or named group, an assertion or a
 * comment. */
static bool group_ok(walk *w) {
    if (*w->p == '#') {
        const char *close = strchr(w->p, ')');
        w->p = close ? close : w->p + strlen(w->p);
        return true;
    }
    bool assertion = false;
    if (*w->p == '=' || *w->p == '!') {
        assertion = true;
        w->p++;
    } else if (w->p[0] == '<' && (w->p[1] == '=' || w->p[1] == '!')) {
        assertion = true;
        w->p += 2;
    } else if (*w->p == '<' || *w->p == 'P' || *w->p == '\'') { /* a named group */
        const char *close = strpbrk(w->p, ">'");
        if (!close) {
            w->unsure = true;
            return true;
        }
        w->p = close + 1;
    } else { /* flags, then ':' or ')' */
        bool on = true;
        for (; *w->p && *w->p != ':' && *w->p != ')'; w->p++) {
            if (*w->p == '-')
                on = false;
            else if (*w->p == 'i' && on)
                w->caseless = true; /* never cleared: caseless only widens */
            else if (*w->p == 'x')
                w->unsure = true; /* extended syntax: comments and spaces */
        }
        if (*w->p == ')')
            return true; /* flags for the rest of the group */
        if (*w->p == ':')
            w->p++;
    }
    bool ok = alternation(w);
    return assertion || ok;
}

static bool atom(walk *w) {
    char c = *w->p;
    uint32_t cp;
    switch (c) {
    case '(': {
        w->p++;
        bool ok;
        if (*w->p == '?') {
            w->p++;
            ok = group_ok(w);
        } else
            ok = alternation(w);
        if (*w->p == ')')
            w->p++;
        else
            w->unsure = true;
        return ok;
    }
    case '[':
        w->p++;
        return class_ok(w);
    case '\\':
        w->p++;
        return escape(w, &cp) == ESC_ANY || literal_ok(w, cp);
    case '.':
    case '^':
    case '$':
        w->p++;
        return true;
    default:
        return literal_ok(w, next_char(w));
    }
}

/* A quantifier after an atom, if any: its minimum count (1 without one). */
static unsigned long quantifier_min(walk *w) {
    unsigned long min = 1;
    char c = *w->p;
    if (c == '*' || c == '?') {
        min = 0;
        w->p++;
    } else if (c == '+')
        w->p++;
    else if (c == '{' && isdigit((unsigned char)w->p[1])) {
        char *end;
        unsigned long m = strtoul(w->p + 1, &end, 10);
        if (*end == ',') {
            end++;
            while (isdigit((unsigned char)*end))
                end++;
        }
        if (*end != '}')
            return 1; /* not a quantifier: a literal '{' comes next */
        min = m;
        w->p = end + 1;
    } else
        return 1;
    if (*w->p == '?' || *w->p == '+')
        w->p++; /* lazy or possessive */
    return min;
}

static bool sequence(walk *w) {
    bool ok = true;
    while (*w->p && *w->p != '|' && *w->p != ')' && !w->unsure) {
        bool piece = atom(w);
        if (quantifier_min(w) > 0 && !piece)
            ok = false;
    }
    return ok;
}

static bool alternation(walk *w) {
    bool ok = sequence(w);
    while (*w->p == '|' && !w->unsure) {
        w->p++;
        ok = sequence(w) || ok;
    }
    return ok;
}

bool aupf__may_match_ascii(const char *expression, unsigned hs_flags) {
    walk w = {expression, (hs_flags & HS_FLAG_CASELESS) != 0, (hs_flags & HS_FLAG_UTF8) != 0,
              false};
    bool ok = alternation(&w);
    while (*w.p == ')' && !w.unsure) { /* an unbalanced ')': keep walking */
        w.p++;
        ok = alternation(&w) || ok;
    }
    return ok || w.unsure;
}
