/* The evasion suite: every `matches` example of the shipped packs that is
 * flagged as written must stay flagged in the same category under each
 * perturbation (>= 98% per perturbation), and every `ignores` example must
 * still not match its rule. Spelled-out words apply only to examples with a
 * word that can be spelled out (spell_longest); the others are counted as
 * not applicable. Prints the table (perturbation x rate);
 * AUPF_EVASION_MISSES=1 lists the misses and the examples not applicable, AUPF_EVASION_CONFIG=FILE
 * runs another configuration. */
#include "helpers.h"

#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

typedef struct {
    char buf[4096];
    size_t len;
} text;

static void put(text *t, const char *s, size_t n) {
    if (t->len + n < sizeof t->buf) {
        memcpy(t->buf + t->len, s, n);
        t->len += n;
        t->buf[t->len] = 0;
    }
}
static void put1(text *t, char c) { put(t, &c, 1); }
static int is_alpha(char c) { return (unsigned)((c | 32) - 'a') < 26; }
static int is_vowel(char c) { return strchr("aeiou", c | 32) && is_alpha(c); }

/* The word [s, e) of src with interior letters transformed by f. */
typedef void (*letter_fn)(text *out, char c, size_t pos, size_t len);

static void map_words(const char *src, text *out, letter_fn f, size_t min_len) {
    size_t n = strlen(src);
    for (size_t i = 0; i < n;) {
        if (!is_alpha(src[i])) {
            put1(out, src[i++]);
            continue;
        }
        size_t j = i;
        while (j < n && is_alpha(src[j]))
            j++;
        for (size_t k = i; k < j; k++) {
            if (j - i >= min_len)
                f(out, src[k], k - i, j - i);
            else
                put1(out, src[k]);
        }
        i = j;
    }
}

static void f_case(text *o, char c, size_t p, size_t n) {
    (void)n;
    put1(o, (char)(p % 2 ? (c & ~32) : (c | 32)));
}
static void f_leet_digits(text *o, char c, size_t p, size_t n) {
    const char *from = "oeaist", *to = "034157";
    const char *k = strchr(from, c | 32);
    put1(o, (k && p > 0 && p + 1 < n) ? to[k - from] : c);
}
static void f_leet_symbols(text *o, char c, size_t p, size_t n) {
    const char *from = "asi", *to = "@$!";
    const char *k = strchr(from, c | 32);
    put1(o, (k && p > 0 && p + 1 < n) ? to[k - from] : c);
}
static void f_cyrillic(text *o, char c, size_t p, size_t n) {
    (void)p;
    (void)n;
    switch (c) {
    case 'a':
        put(o, "\xd0\xb0", 2);
        break;
    case 'e':
        put(o, "\xd0\xb5", 2);
        break;
    case 'o':
        put(o, "\xd0\xbe", 2);
        break;
    case 'p':
        put(o, "\xd1\x80", 2);
        break;
    case 'c':
        put(o, "\xd1\x81", 2);
        break;
    case 'x':
        put(o, "\xd1\x85", 2);
        break;
    default:
        put1(o, c);
    }
}
static void f_greek(text *o, char c, size_t p, size_t n) {
    (void)p;
    (void)n;
    if (c == 'o')
        put(o, "\xce\xbf", 2); /* omicron */
    else if (c == 'i')
        put(o, "\xce\xb9", 2); /* iota */
    else
        put1(o, c);
}
static void f_zwsp(text *o, char c, size_t p, size_t n) {
    put1(o, c);
    if (p + 1 < n)
        put(o, "\xe2\x80\x8b", 3);
}
static void f_zwj(text *o, char c, size_t p, size_t n) {
    put1(o, c);
    if (p == 0 && n > 1)
        put(o, "\xe2\x80\x8d", 3);
}
static void f_tags(text *o, char c, size_t p, size_t n) {
    put1(o, c);
    if (p == 1 && n > 2)
        put(o, "\xf3\xa0\x80\xa1\xf3\xa0\x81\xa2", 8);
}
static void f_repeat(text *o, char c, size_t p, size_t n) {
    (void)n;
    put1(o, c);
    if (p > 0 && is_vowel(c)) {
        put1(o, c);
        put1(o, c);
    }
}
static void f_combining(text *o, char c, size_t p, size_t n) {
    (void)p;
    (void)n;
    put1(o, c);
    if (is_vowel(c))
        put(o, "\xcc\x81", 2);
}
static void f_precomposed(text *o, char c, size_t p, size_t n) {
    (void)p;
    (void)n;
    switch (c) {
    case 'a':
        put(o, "\xc3\xa1", 2);
        break;
    case 'e':
        put(o, "\xc3\xa9", 2);
        break;
    case 'i':
        put(o, "\xc3\xad", 2);
        break;
    case 'o':
        put(o, "\xc3\xb6", 2);
        break;
    case 'u':
        put(o, "\xc3\xbc", 2);
        break;
    default:
        put1(o, c);
    }
}

static int p_fullwidth(const char *src, text *o) {
    for (const char *s = src; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c > 0x20 && c < 0x7f) {
            unsigned cp = 0xFF01u + (c - 0x21);
            char b[3] = {(char)(0xE0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3F)),
                         (char)(0x80 | (cp & 0x3F))};
            put(o, b, 3);
        } else {
            put1(o, (char)c);
        }
    }
    return 1;
}

/* Spelled-out words ("spaced letters", "separators"). A word here is a run
 * of letters of a script written with spaces between words (Latin with its
 * accented letters, Greek, Cyrillic, Armenian, Georgian, Hebrew, Arabic),
 * each letter with the combining marks after it, so that "mataré" spells
 * "m a t a r é" and "детектору" "д е т е к т о р у" (the suite used to
 * spell ASCII letters only: "m a t a ré").
 *
 * The normalizer joins three or more isolated letters 1 to 3 separators
 * apart (i18n/normalize.c, join_spaced_letters). The suite spells
 * the longest word whose spelling that reading gives back; a word is not
 * spelled out when it
 *  - has fewer than three letters ("AI"), or is written against letters of
 *    a script without spaces ("ChatGPTが", "降AI率"): its end letters are
 *    not isolated;
 *  - has a one-letter word (or an elided "d'", "l'") one to three
 *    separators away: the one-letter word joins the run ("m a t a r é y",
 *    "в г о л о в у", "e a m m a z z a r l o" read "materey", "вголову",
 *    "eammazzarlo");
 *  - spaced with spaces only, begins with "a", "A" or "I", or ends with one
 *    before another word: the normalizer reads the English article or
 *    pronoun there ("a t r o p e l l a r" reads "a tropellar",
 *    "p i s t o l a en" reads "pistol a en").
 * These are limits of reading spelled-out text without knowing its
 * language, listed so that they stay visible. Scripts without spaces
 * (Han, Kana, Thai) and scripts that write vowels as marks on letters
 * (Devanagari and the other Indic scripts) have no letters that stand
 * alone to spell. An example with no word that can be spelled out (most
 * Chinese, Japanese and Hindi examples, a few others) is not applicable to
 * the perturbation: it is counted in the "n/a" column, not as tried. */
typedef struct {
    UChar32 cp;
    size_t at; /* byte offset */
} cpos;

static int spaced_script_letter(UChar32 cp) {
    if (cp < 0 || !u_isalpha(cp))
        return 0;
    UErrorCode e = U_ZERO_ERROR;
    switch (uscript_getScript(cp, &e)) {
    case USCRIPT_LATIN:
    case USCRIPT_GREEK:
    case USCRIPT_CYRILLIC:
    case USCRIPT_ARMENIAN:
    case USCRIPT_GEORGIAN:
    case USCRIPT_HEBREW:
    case USCRIPT_ARABIC:
        return 1;
    default:
        return 0;
    }
}
static int is_mark_cp(UChar32 cp) { return cp >= 0 && (U_GET_GC_MASK(cp) & U_GC_M_MASK) != 0; }
static int is_word_cp(UChar32 cp) { return cp >= 0 && (u_isalnum(cp) || is_mark_cp(cp)); }
/* the normalizer's separators (is_separator in i18n/normalize.c) */
static int is_sep_cp(UChar32 cp) {
    return cp == ' ' || cp == '.' || cp == '-' || cp == '_' || cp == '*' || cp == '|' ||
           cp == '/' || cp == '+' || cp == '~' || cp == 0x00B7 || cp == 0x2022;
}
/* A letter at k with no letter, digit or mark beside it. */
static int lone_letter(const cpos *c, size_t n, size_t k) {
    return u_isalpha(c[k].cp) && (k == 0 || !is_word_cp(c[k - 1].cp)) &&
           (k + 1 == n || !is_word_cp(c[k + 1].cp));
}
/* Whether a lone letter lies 1 to 3 separators before index `from`
 * (dir -1) or from index `from` on (dir +1). */
static int lone_letter_near(const cpos *c, size_t n, size_t from, int dir) {
    long k = dir < 0 ? (long)from - 1 : (long)from;
    int seps = 0;
    while (k >= 0 && (size_t)k < n && is_sep_cp(c[k].cp) && seps < 3) {
        k += dir;
        seps++;
    }
    return seps > 0 && k >= 0 && (size_t)k < n && lone_letter(c, n, (size_t)k);
}
static int is_a_or_i(UChar32 cp) { return cp == 'a' || cp == 'A' || cp == 'I'; }

/* The longest word that can be spelled out, spelled with separator sep;
 * 0 (and o untouched) when the example has none. */
static int spell_longest(const char *src, text *o, const char *sep) {
    static cpos c[4096];
    size_t len = strlen(src), n = 0;
    for (size_t i = 0; i < len && n < sizeof c / sizeof c[0];) {
        c[n].at = i;
        U8_NEXT((const uint8_t *)src, i, (int32_t)len, c[n].cp);
        n++;
    }
    size_t best = 0, best_end = 0, best_letters = 0;
    for (size_t k = 0; k < n;) {
        if (!spaced_script_letter(c[k].cp)) {
            k++;
            continue;
        }
        size_t start = k, letters = 0;
        while (k < n && (spaced_script_letter(c[k].cp) || (letters > 0 && is_mark_cp(c[k].cp)))) {
            letters += spaced_script_letter(c[k].cp);
            k++;
        }
        size_t end = k; /* [start, end) */
        size_t last = end - 1;
        while (last > start && is_mark_cp(c[last].cp))
            last--;
        int ok = letters >= 3 && (start == 0 || !is_word_cp(c[start - 1].cp)) &&
                 (end == n || !is_word_cp(c[end].cp)) && !lone_letter_near(c, n, start, -1) &&
                 !lone_letter_near(c, n, end, +1);
        if (ok && strcmp(sep, " ") == 0) {
            size_t w = end;
            while (w < n && c[w].cp == ' ')
                w++;
            int word_after = w > end && w < n && u_isalpha(c[w].cp);
            ok = !is_a_or_i(c[start].cp) && !(is_a_or_i(c[last].cp) && word_after);
        }
        if (ok && letters > best_letters) {
            best = start;
            best_end = end;
            best_letters = letters;
        }
    }
    if (!best_letters)
        return 0;
    size_t from = c[best].at, to = best_end < n ? c[best_end].at : len;
    put(o, src, from);
    for (size_t k = best; k < best_end;) {
        size_t j = k + 1;
        while (j < best_end && is_mark_cp(c[j].cp)) /* the letter's marks */
            j++;
        size_t b = c[k].at, e = j < n ? c[j].at : len;
        put(o, src + b, e - b);
        if (j < best_end)
            put(o, sep, strlen(sep));
        k = j;
    }
    put(o, src + to, len - to);
    return 1;
}
static int p_spaced(const char *src, text *o) { return spell_longest(src, o, " "); }
static int p_dots(const char *src, text *o) { return spell_longest(src, o, "."); }

typedef struct {
    const char *name;
    letter_fn per_letter;
    size_t min_len;
    int (*whole)(const char *src, text *o); /* 0: not applicable */
} perturbation;

static const perturbation PERTURBATIONS[] = {
    {"case", f_case, 1, NULL},
    {"leet digits", f_leet_digits, 4, NULL},
    {"leet symbols", f_leet_symbols, 4, NULL},
    {"Cyrillic homoglyphs", f_cyrillic, 4, NULL},
    {"Greek homoglyphs", f_greek, 4, NULL},
    {"zero-width space", f_zwsp, 2, NULL},
    {"zero-width joiner", f_zwj, 2, NULL},
    {"tag characters", f_tags, 3, NULL},
    {"fullwidth", NULL, 0, p_fullwidth},
    {"spaced letters", NULL, 0, p_spaced},
    {"separators", NULL, 0, p_dots},
    {"repeated letters", f_repeat, 4, NULL},
    {"combining diacritics", f_combining, 1, NULL},
    {"NFC diacritics", f_precomposed, 1, NULL},
};
#define NPERT (sizeof PERTURBATIONS / sizeof PERTURBATIONS[0])

/* 0 when the perturbation does not apply to src (see spell_longest). */
static int perturb(const perturbation *p, const char *src, text *out) {
    out->len = 0;
    out->buf[0] = 0;
    if (p->whole)
        return p->whole(src, out);
    map_words(src, out, p->per_letter, p->min_len);
    return 1;
}

static int flagged_in(aupf_scanner *s, aupf_role role, const char *t, size_t len, size_t cat) {
    const aupf_result *r;
    return aupf_scan(s, role, t, len, &r) == AUPF_OK && aupf_result_category_flagged(r, cat);
}

static int rule_matches(aupf_scanner *s, aupf_role role, const char *t, size_t len, size_t rule) {
    const aupf_result *r;
    if (aupf_scan(s, role, t, len, &r) != AUPF_OK)
        return 0;
    for (size_t i = 0; i < aupf_result_match_count(r); i++) {
        aupf_match m;
        aupf_result_match(r, i, &m);
        if (m.rule == rule)
            return 1;
    }
    return 0;
}

/* The rules' examples, read from the packs with libconfig. */
static void examples_of(const char *file, const char *id, const char *kind, config_t *cache,
                        const char *const **items, int *count) {
    static const char *list[64];
    *count = 0;
    *items = list;
    config_t *cfg = cache;
    const config_setting_t *rules = config_lookup(cfg, "rules");
    for (int i = 0; rules && i < config_setting_length(rules); i++) {
        const config_setting_t *r = config_setting_get_elem(rules, (unsigned)i);
        const char *rid;
        if (!config_setting_lookup_string(r, "id", &rid) || strcmp(rid, id) != 0)
            continue;
        const config_setting_t *l = config_setting_get_member(r, kind);
        for (int k = 0; l && k < config_setting_length(l) && *count < 64; k++)
            list[(*count)++] = config_setting_get_string_elem(l, (unsigned)k);
    }
    (void)file;
}

static void evasion_suite(void **state) {
    (void)state;
    aupf_load_options o = {.cache_dir = AUPF_TEST_CACHE};
    aupf_ruleset *rs = NULL;
    diag_log log = {0};
    const char *config = getenv("AUPF_EVASION_CONFIG"); /* e.g. one with the staged packs */
    if (!config || !*config)
        config = AUPF_TEST_CONFIG;
    if (aupf_ruleset_load(config, &o, diag_capture, &log, &rs) != AUPF_OK)
        fail_msg("cannot load the shipped ruleset:\n%s", log.text);
    aupf_scanner *s;
    assert_int_equal(aupf_scanner_new(rs, &s), AUPF_OK);
    size_t caught[NPERT] = {0}, tried[NPERT] = {0}, ign_bad[NPERT] = {0}, ign_tried[NPERT] = {0};
    size_t not_applicable[NPERT] = {0};
    const char *loaded_file = NULL;
    config_t cfg;
    config_init(&cfg);
    text t;
    for (size_t i = 0; i < aupf_ruleset_rule_count(rs); i++) {
        aupf_rule_info ri;
        aupf_ruleset_rule_info(rs, i, &ri);
        if (!loaded_file || strcmp(loaded_file, ri.file) != 0) {
            config_destroy(&cfg);
            config_init(&cfg);
            assert_true(config_read_file(&cfg, ri.file));
            loaded_file = ri.file;
        }
        aupf_role role = (ri.roles & AUPF_ROLE_PROMPT) ? AUPF_ROLE_PROMPT : AUPF_ROLE_COMPLETION;
        const char *const *ex;
        int n;
        examples_of(ri.file, ri.id, "matches", &cfg, &ex, &n);
        for (int e = 0; e < n; e++) {
            if (!flagged_in(s, role, ex[e], strlen(ex[e]), ri.category))
                continue; /* a weak rule's example: not flagged as written */
            for (size_t p = 0; p < NPERT; p++) {
                if (!perturb(&PERTURBATIONS[p], ex[e], &t)) {
                    not_applicable[p]++;
                    if (getenv("AUPF_EVASION_MISSES"))
                        printf("  n/a [%s] %s: %s\n", PERTURBATIONS[p].name, ri.id, ex[e]);
                    continue;
                }
                tried[p]++;
                if (flagged_in(s, role, t.buf, t.len, ri.category))
                    caught[p]++;
                else if (getenv("AUPF_EVASION_MISSES"))
                    printf("  miss [%s] %s: %s\n", PERTURBATIONS[p].name, ri.id, t.buf);
            }
        }
        examples_of(ri.file, ri.id, "ignores", &cfg, &ex, &n);
        for (int e = 0; e < n; e++)
            for (size_t p = 0; p < NPERT; p++) {
                if (!perturb(&PERTURBATIONS[p], ex[e], &t))
                    continue;
                ign_tried[p]++;
                if (rule_matches(s, role, t.buf, t.len, i)) {
                    ign_bad[p]++;
                    if (getenv("AUPF_EVASION_MISSES"))
                        printf("  ignore matched [%s] %s: %s\n", PERTURBATIONS[p].name, ri.id,
                               t.buf);
                }
            }
    }
    config_destroy(&cfg);
    printf("%-22s %10s %8s %16s %6s\n", "perturbation", "flagged", "rate", "ignores matched",
           "n/a");
    int ok = 1;
    for (size_t p = 0; p < NPERT; p++) {
        double rate = tried[p] ? (double)caught[p] / (double)tried[p] : 1.0;
        printf("%-22s %5zu/%-5zu %7.1f%% %9zu/%-6zu %6zu\n", PERTURBATIONS[p].name, caught[p],
               tried[p], 100.0 * rate, ign_bad[p], ign_tried[p], not_applicable[p]);
        /* the target is 98% for every perturbation */
        double floor_rate = 0.98;
        ok &= rate >= floor_rate && ign_bad[p] * 100 <= ign_tried[p]; /* <= 1% */
    }
    assert_true(tried[0] > 0);
    assert_true(ok);
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(evasion_suite)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
