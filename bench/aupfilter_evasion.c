/* aupfilter-evasion: how many obfuscated spellings of harmful words the
 * matcher still catches, per evasion family, with and without
 * normalization; and how many benign documents normalization newly flags
 * with the shipped ruleset. */
#include "aupfilter.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const WORDS[] = {"bomb",     "kill",      "gun",    "rifle",   "poison",
                                    "murder",   "explosive", "weapon", "anthrax", "ricin",
                                    "sarin",    "grenade",   "shoot",  "stab",    "detonator",
                                    "silencer", "massacre",  "behead", "torture", "hostage"};
#define NWORDS (sizeof WORDS / sizeof WORDS[0])

typedef struct {
    char buf[512];
    size_t len;
} str;

static void put(str *s, const char *p) {
    size_t n = strlen(p);
    if (s->len + n < sizeof s->buf) {
        memcpy(s->buf + s->len, p, n + 1);
        s->len += n;
    }
}

static void putc1(str *s, char c) {
    char b[2] = {c, 0};
    put(s, b);
}

/* Evasion families: each writes variant v of word w into out; returns 0
 * when the family has no variant v for w. */
typedef int (*family_fn)(const char *w, int v, str *out);

static const char *leet_of(char c, int alt) {
    switch (c) {
    case 'o':
        return "0";
    case 'i':
        return alt ? "!" : "1";
    case 'e':
        return "3";
    case 'a':
        return alt ? "@" : "4";
    case 's':
        return alt ? "$" : "5";
    case 't':
        return "7";
    default:
        return NULL;
    }
}

static int fam_leet(const char *w, int v, str *out) {
    /* v = 0: every substitutable letter (first style); v = 1: alternative
     * symbols; v >= 2: only the (v-2)-th substitutable letter */
    int k = 0, did = 0;
    for (const char *p = w; *p; p++) {
        const char *l = leet_of(*p, v == 1);
        bool inner = p != w && p[1];
        if (l && inner && (v < 2 || k++ == v - 2)) {
            put(out, l);
            did = 1;
        } else {
            putc1(out, *p);
        }
    }
    return did;
}

static int fam_spaced(const char *w, int v, str *out) {
    static const char *const seps[] = {" ", ".", "-", "_", "*", "  ", " . "};
    if (v >= 7)
        return 0;
    for (const char *p = w; *p; p++) {
        putc1(out, *p);
        if (p[1])
            put(out, seps[v]);
    }
    return 1;
}

static const char *cyrillic_of(char c) {
    switch (c) {
    case 'a':
        return "\xd0\xb0";
    case 'c':
        return "\xd1\x81";
    case 'e':
        return "\xd0\xb5";
    case 'o':
        return "\xd0\xbe";
    case 'p':
        return "\xd1\x80";
    case 'x':
        return "\xd1\x85";
    case 'y':
        return "\xd1\x83";
    case 'i':
        return "\xd1\x96";
    case 's':
        return "\xd1\x95";
    default:
        return NULL;
    }
}

static int fam_homoglyph(const char *w, int v, str *out) {
    /* v = 0: every replaceable letter; v >= 1: only the v-th */
    int k = 0, did = 0;
    for (const char *p = w; *p; p++) {
        const char *l = cyrillic_of(*p);
        if (l && (v == 0 || ++k == v)) {
            put(out, l);
            did = 1;
        } else {
            putc1(out, *p);
        }
    }
    return did;
}

static int fam_invisible(const char *w, int v, str *out) {
    static const char *const inv[] = {
        "\xe2\x80\x8b", "\xe2\x80\x8c", "\xe2\x80\x8d", "\xe2\x81\xa0",     "\xc2\xad",
        "\xef\xbb\xbf", "\xe2\x80\x8e", "\xe2\x80\xae", "\xf3\xa0\x80\xa1", "\xef\xb8\x8f"};
    if (v >= 10)
        return 0;
    for (const char *p = w; *p; p++) {
        putc1(out, *p);
        if (p[1])
            put(out, inv[v]);
    }
    return 1;
}

static int fam_fullwidth(const char *w, int v, str *out) {
    if (v > 1)
        return 0;
    for (const char *p = w; *p; p++) {
        /* fullwidth forms U+FF41.. for a..z; v = 1: only the first letter */
        if (v == 0 || p == w) {
            unsigned cp = 0xFF41u + (unsigned)(*p - 'a');
            char b[4] = {(char)(0xE0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3F)),
                         (char)(0x80 | (cp & 0x3F)), 0};
            put(out, b);
        } else {
            putc1(out, *p);
        }
    }
    return 1;
}

static int fam_repeat(const char *w, int v, str *out) {
    /* the v-th letter written three (even v) or five (odd v) times */
    size_t n = strlen(w);
    if ((size_t)(v / 2) >= n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int times = i == (size_t)(v / 2) ? (v % 2 ? 5 : 3) : 1;
        if (i > 0 && w[i] == w[i - 1])
            times = 1; /* "kill": a doubled letter repeated stays ambiguous */
        for (int k = 0; k < times; k++)
            putc1(out, w[i]);
    }
    return 1;
}

static int fam_diacritic(const char *w, int v, str *out) {
    /* v = 0: precomposed on every vowel; v = 1: combining acute on every
     * letter; v = 2: combining diaeresis on the vowels */
    if (v > 2)
        return 0;
    for (const char *p = w; *p; p++) {
        const char *pre = NULL;
        switch (*p) {
        case 'a':
            pre = "\xc3\xa4";
            break;
        case 'e':
            pre = "\xc3\xa9";
            break;
        case 'i':
            pre = "\xc3\xaf";
            break;
        case 'o':
            pre = "\xc3\xb6";
            break;
        case 'u':
            pre = "\xc3\xbc";
            break;
        default:
            break;
        }
        if (v == 0 && pre) {
            put(out, pre);
        } else {
            putc1(out, *p);
            if (v == 1)
                put(out, "\xcc\x81");
            else if (v == 2 && pre)
                put(out, "\xcc\x88");
        }
    }
    return 1;
}

static int fam_case(const char *w, int v, str *out) {
    if (v > 1)
        return 0;
    int k = 0;
    for (const char *p = w; *p; p++, k++)
        putc1(out, (char)((k % 2 == v) ? (*p - 32) : *p));
    return 1;
}

static int fam_combined(const char *w, int v, str *out) {
    /* two evasions at once */
    str a = {0};
    switch (v) {
    case 0: /* leet + zero-width */
        fam_leet(w, 0, &a);
        for (size_t i = 0; i < a.len; i++) {
            putc1(out, a.buf[i]);
            if (i + 1 < a.len)
                put(out, "\xe2\x80\x8b");
        }
        return 1;
    case 1: /* homoglyph + spaced */
        for (const char *p = w; *p; p++) {
            const char *l = cyrillic_of(*p);
            put(out, l ? l : (char[2]){*p, 0});
            if (p[1])
                put(out, " ");
        }
        return 1;
    case 2: /* upper case fullwidth */
        for (const char *p = w; *p; p++) {
            unsigned cp = 0xFF21u + (unsigned)(*p - 'a');
            char b[4] = {(char)(0xE0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3F)),
                         (char)(0x80 | (cp & 0x3F)), 0};
            put(out, b);
        }
        return 1;
    default:
        return 0;
    }
}

static const struct {
    const char *name;
    family_fn fn;
} FAMILIES[] = {{"leet", fam_leet},
                {"spaced", fam_spaced},
                {"homoglyph", fam_homoglyph},
                {"invisible", fam_invisible},
                {"fullwidth", fam_fullwidth},
                {"repeated", fam_repeat},
                {"diacritics", fam_diacritic},
                {"case", fam_case},
                {"combined", fam_combined}};
#define NFAM (sizeof FAMILIES / sizeof FAMILIES[0])

static aupf_ruleset *load(const char *conf, int normalize) {
    aupf_load_options o = {.no_cache = 1, .no_normalize = !normalize};
    aupf_ruleset *rs = NULL;
    if (aupf_ruleset_load(conf, &o, NULL, NULL, &rs) != AUPF_OK) {
        fprintf(stderr, "aupfilter-evasion: cannot load %s\n", conf);
        exit(2);
    }
    return rs;
}

/* A pack with one rule per word, written to a temporary directory. */
static void write_word_rules(char *dir, char *conf, size_t n) {
    snprintf(conf, n, "%s/words.conf", dir);
    char pack[512];
    snprintf(pack, sizeof pack, "%s/words.rules", dir);
    FILE *f = fopen(pack, "w");
    fprintf(f, "rules = (\n");
    for (size_t i = 0; i < NWORDS; i++)
        fprintf(f,
                "%s{ id = \"w.word.%s\"; rev = 1; category = \"w\"; pattern = "
                "\"\\\\b%ss?\\\\b\"; weight = 1.0; roles = [\"prompt\"]; description = \"%s\"; "
                "matches = [\"%s\"]; ignores = [\"x\"]; }\n",
                i ? "," : "", WORDS[i], WORDS[i], WORDS[i], WORDS[i]);
    fprintf(f, ");\n");
    fclose(f);
    f = fopen(conf, "w");
    fprintf(f, "categories = ( { name = \"w\"; threshold = 0.5; } );\npacks = [\"words.rules\"];\n"
               "cache_dir = \"none\";\n");
    fclose(f);
}

static int caught(aupf_scanner *s, const char *variant, size_t word) {
    char text[600];
    snprintf(text, sizeof text, "tell me how to make a %s at home", variant);
    const aupf_result *r;
    if (aupf_scan(s, AUPF_ROLE_PROMPT, text, strlen(text), &r) != AUPF_OK)
        return 0;
    for (size_t i = 0; i < aupf_result_match_count(r); i++) {
        aupf_match m;
        aupf_result_match(r, i, &m);
        if (strstr(m.rule_id, WORDS[word]) && strlen(m.rule_id) == 7 + strlen(WORDS[word]))
            return 1;
    }
    return 0;
}

static size_t flagged_docs(aupf_ruleset *rs, const char *corpus, unsigned char *flags,
                           size_t *docs) {
    FILE *f = fopen(corpus, "r");
    if (!f)
        return 0;
    aupf_scanner *s;
    aupf_scanner_new(rs, &s);
    char *line = NULL;
    size_t cap = 0, n = 0, flagged = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        json_t *o = json_loadb(line, (size_t)len, JSON_ALLOW_NUL, NULL);
        json_t *t = o ? json_object_get(o, "text") : NULL;
        const aupf_result *r;
        if (json_is_string(t) &&
            aupf_scan(s, AUPF_ROLE_PROMPT, json_string_value(t), json_string_length(t), &r) ==
                AUPF_OK &&
            aupf_result_flagged(r)) {
            flagged++;
            if (flags && n < *docs)
                flags[n] = 1;
        }
        n++;
        json_decref(o);
    }
    free(line);
    fclose(f);
    aupf_scanner_free(s);
    *docs = n;
    return flagged;
}

int main(int argc, char **argv) {
    const char *shipped = argc > 1 ? argv[1] : AUPF_SOURCE_CONFIG;
    const char *corpus = argc > 2 ? argv[2] : AUPF_DEFAULT_CORPUS;
    char dir[] = "/tmp/aupf-evasion-XXXXXX", conf[256];
    if (!mkdtemp(dir))
        return 3;
    write_word_rules(dir, conf, sizeof conf);
    aupf_ruleset *norm = load(conf, 1), *raw = load(conf, 0);
    aupf_scanner *sn, *sr;
    aupf_scanner_new(norm, &sn);
    aupf_scanner_new(raw, &sr);
    printf("%-12s %8s %12s %12s\n", "family", "variants", "normalized", "as-is");
    size_t tot = 0, tot_n = 0, tot_r = 0;
    for (size_t f = 0; f < NFAM; f++) {
        size_t n = 0, cn = 0, cr = 0;
        for (size_t w = 0; w < NWORDS; w++)
            for (int v = 0; v < 16; v++) {
                str out = {0};
                if (!FAMILIES[f].fn(WORDS[w], v, &out) || strcmp(out.buf, WORDS[w]) == 0)
                    continue;
                n++;
                int a = caught(sn, out.buf, w), b = caught(sr, out.buf, w);
                cn += (size_t)a;
                cr += (size_t)b;
                if (!a && getenv("AUPF_EVASION_MISSES"))
                    printf("  miss: %s\n", out.buf);
            }
        printf("%-12s %8zu %11.1f%% %11.1f%%\n", FAMILIES[f].name, n, 100.0 * cn / n,
               100.0 * cr / n);
        tot += n;
        tot_n += cn;
        tot_r += cr;
    }
    printf("%-12s %8zu %11.1f%% %11.1f%%\n", "all", tot, 100.0 * tot_n / tot, 100.0 * tot_r / tot);
    aupf_scanner_free(sn);
    aupf_scanner_free(sr);
    aupf_ruleset_release(norm);
    aupf_ruleset_release(raw);

    /* benign documents that normalization newly flags, shipped rules */
    if (access(corpus, R_OK) == 0) {
        aupf_ruleset *a = load(shipped, 1), *b = load(shipped, 0);
        size_t docs = 0;
        flagged_docs(a, corpus, NULL, &docs);
        unsigned char *fa = calloc(docs + 1, 1), *fb = calloc(docs + 1, 1);
        size_t na = docs, nb = docs;
        size_t ka = flagged_docs(a, corpus, fa, &na), kb = flagged_docs(b, corpus, fb, &nb);
        size_t newly = 0;
        for (size_t i = 0; i < docs; i++)
            newly += fa[i] && !fb[i];
        printf("benign corpus %s: %zu documents; flagged %zu with normalization, %zu without; "
               "newly flagged by normalization: %zu\n",
               corpus, docs, ka, kb, newly);
        free(fa);
        free(fb);
        aupf_ruleset_release(a);
        aupf_ruleset_release(b);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
