#include "normalize.h"

#include "utf8.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/uspoof.h>
#include <unicode/utf16.h>

/* aupf_status values used here (the i18n layer does not include the
 * public header). */
#define STATUS_NOMEM (-1)
#define STATUS_ICU   (-7)

#define F_EVASIVE       1u
#define F_HIDDEN_BEFORE 2u /* an invisible character was removed before it */

/* Longest run of invisible characters, combining marks on one letter, or
 * one repeated letter that one view character stands for. */
#define MAX_RUN   16
#define MAX_PIECE AUPF__MAX_PIECE

#define ZWNJ 0x200C
#define ZWJ  0x200D

typedef struct {
    UChar32 cp;
    uint32_t start, end;
    uint32_t flags;
} ncp;

struct aupf__normalizer {
    const UNormalizer2 *nfkc_cf, *nfd;
    USpoofChecker *spoof;
    ncp *cps;
    size_t cps_cap;
    char *out;
    uint32_t *start, *end;
    uint8_t *evasive;
    size_t out_cap, out_len;
    /* The safe cuts of the piece being normalized, found while looking for
     * its end (forced_cut_scan), so that the piece is not searched twice. */
    size_t *cuts;
    size_t cuts_cap, cut_count;
};

static const char *const signal_names[AUPF_SIGNAL_COUNT] = {
    "mixed_script",   "invisible", "spaced_letters",   "fullwidth",
    "tag_characters", "leet",      "repeated_letters", "invalid_utf8"};

const char *aupf__signal_name(aupf_signal s) {
    return (unsigned)s < AUPF_SIGNAL_COUNT ? signal_names[s] : "unknown";
}

aupf__normalizer *aupf__normalizer_new(void) {
    aupf__normalizer *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    UErrorCode e = U_ZERO_ERROR;
    n->nfkc_cf = unorm2_getNFKCCasefoldInstance(&e);
    n->nfd = unorm2_getNFDInstance(&e);
    n->spoof = uspoof_open(&e);
    if (U_FAILURE(e)) {
        aupf__normalizer_free(n);
        return NULL;
    }
    return n;
}

void aupf__normalizer_free(aupf__normalizer *n) {
    if (!n)
        return;
    if (n->spoof)
        uspoof_close(n->spoof);
    free(n->cps);
    free(n->cuts);
    free(n->out);
    free(n->start);
    free(n->end);
    free(n->evasive);
    free(n);
}

/* ---- character classes -------------------------------------------------- */

static bool is_ascii_alpha(int c) { return (unsigned)((c | 32) - 'a') < 26; }
static bool is_ascii_alnum(int c) { return is_ascii_alpha(c) || (unsigned)(c - '0') < 10; }

static UChar32 lower_ascii(UChar32 c) { return c < 0x80 && is_ascii_alpha(c) ? (c | 32) : c; }

static bool is_letter(UChar32 c) { return c < 0x80 ? is_ascii_alpha(c) : u_isalpha(c); }
static bool is_alnum(UChar32 c) { return c < 0x80 ? is_ascii_alnum(c) : u_isalnum(c); }

/* Digits and symbols that stand for letters between letters. */
static UChar32 leet_letter(UChar32 c) {
    switch (c) {
    case '0':
        return 'o';
    case '1':
    case '!':
        return 'i';
    case '3':
        return 'e';
    case '4':
    case '@':
        return 'a';
    case '5':
    case '$':
        return 's';
    case '7':
        return 't';
    case '8':
        return 'b';
    case '|':
        return 'l';
    default:
        return 0;
    }
}

static bool is_separator(UChar32 c) {
    return c == ' ' || c == '.' || c == '-' || c == '_' || c == '*' || c == '|' || c == '/' ||
           c == '+' || c == '~' || c == 0x00B7 || c == 0x2022;
}

static bool is_mark(UChar32 c) {
    if (c < 0x300)
        return false;
    int t = u_charType(c);
    return t == U_NON_SPACING_MARK || t == U_COMBINING_SPACING_MARK || t == U_ENCLOSING_MARK;
}

/* A mark that joins the segment before it; invisible ones (variation
 * selectors) are handled as invisible characters instead. */
static bool is_attached_mark(UChar32 c) {
    return is_mark(c) && !u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT);
}

/* Scripts whose words use ZWJ/ZWNJ for meaning (Indic conjuncts, Persian). */
static bool script_needs_joiners(UChar32 c) {
    UErrorCode e = U_ZERO_ERROR;
    switch (uscript_getScript(c, &e)) {
    case USCRIPT_ARABIC:
    case USCRIPT_SYRIAC:
    case USCRIPT_DEVANAGARI:
    case USCRIPT_BENGALI:
    case USCRIPT_GURMUKHI:
    case USCRIPT_GUJARATI:
    case USCRIPT_ORIYA:
    case USCRIPT_TAMIL:
    case USCRIPT_TELUGU:
    case USCRIPT_KANNADA:
    case USCRIPT_MALAYALAM:
    case USCRIPT_SINHALA:
    case USCRIPT_MONGOLIAN:
        return true;
    default:
        return false;
    }
}

static bool keep_joiner(UChar32 prev, UChar32 cp) {
    if (prev < 0x80)
        return false;
    if (cp == ZWJ && u_hasBinaryProperty(prev, UCHAR_EXTENDED_PICTOGRAPHIC))
        return true; /* emoji sequence */
    if (u_hasBinaryProperty(prev, UCHAR_EMOJI_MODIFIER) ||
        (prev >= 0xFE00 && prev <= 0xFE0F)) /* after a modifier or variation selector */
        return cp == ZWJ;
    return script_needs_joiners(prev) || (is_mark(prev) && prev >= 0x900);
}

/* Runs of three or more of one letter collapse to one letter; rules accept
 * a single letter where they name a double one (see pattern_rewrite.c).
 * A word made only of one letter ("xxx", "III", "zzz") stays, and so does
 * "www" before a dot. */
static bool run_is_ordinary(size_t len, size_t k, size_t r) { return k == 0 && r == len; }

/* ---- the ASCII fast path ------------------------------------------------ */

/* Byte classes for the ASCII pre-check (one table lookup per byte). */
enum { C_ALPHA = 1, C_DIGIT = 2, C_LEET = 4, C_SEP = 8, C_HIGH = 16, C_WS = 32 };
static const uint8_t byte_class[256] = {
    0,  0,  0,  0,  0,  0,  0,  0,  0,  32, 32, 0,  0,  32, 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
    0,  0,  0,  0,  0,  0,  0,  0,  40, 4,  0,  0,  4,  0,  0,  0,  0,  0,  8,  8,  0,  8,  8,  8,
    6,  6,  2,  6,  6,  6,  2,  6,  6,  2,  0,  0,  0,  0,  0,  0,  4,  1,  1,  1,  1,  1,  1,  1,
    1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  0,  0,  0,  0,  8,
    0,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,
    1,  1,  1,  0,  12, 0,  8,  0,  16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16};

#define IS_ALNUM_B(b) (byte_class[b] & (C_ALPHA | C_DIGIT))

static inline bool ascii_isolated(const unsigned char *t, size_t len, size_t i) {
    return (byte_class[t[i]] & C_ALPHA) && (i == 0 || !IS_ALNUM_B(t[i - 1])) &&
           (i + 1 == len || !IS_ALNUM_B(t[i + 1]));
}

/* An isolated letter, or an isolated leet symbol that is not a separator
 * ("b 0 m b"). */
static inline bool ascii_isolated_unit(const unsigned char *t, size_t len, size_t i) {
    unsigned cls = byte_class[t[i]];
    return ((cls & C_ALPHA) || ((cls & C_LEET) && !(cls & C_SEP))) &&
           (i == 0 || !IS_ALNUM_B(t[i - 1])) && (i + 1 == len || !IS_ALNUM_B(t[i + 1]));
}

/* After an isolated letter at i: the next isolated letter or leet symbol
 * past 1 to 3 separators, or 0. */
static size_t ascii_next_spaced(const unsigned char *t, size_t len, size_t i) {
    size_t j = i + 1;
    while (j < len && j <= i + 3 && (byte_class[t[j]] & C_SEP))
        j++;
    return (j > i + 1 && j < len && ascii_isolated_unit(t, len, j)) ? j : 0;
}

typedef enum { TEXT_PLAIN, TEXT_FOLD, TEXT_NON_ASCII } text_kind;

/* What classify_text carries from byte to byte. */
typedef struct {
    unsigned run, prev; /* the current run of one letter */
    size_t anchor;      /* the last safe cut (aupf__next_forced_cut) */
    uint32_t letters;
} classify_state;

enum { STEP_ON, STEP_FOLD, STEP_NON_ASCII };

/* The steps of classify_text at a byte i that is not a letter and that
 * look ahead: a leet run closed by a letter, or a separator after an
 * isolated letter that starts a spelled-out word. */
static bool rare_fold(const unsigned char *t, size_t len, size_t i, unsigned cls) {
    if ((cls & C_LEET) && i > 0 && (byte_class[t[i - 1]] & C_ALPHA)) {
        size_t j = i;
        while (j < len && (byte_class[t[j]] & C_LEET))
            j++;
        if (j < len && (byte_class[t[j]] & C_ALPHA))
            return true;
    }
    /* a separator after an isolated letter: a spelled-out word? */
    if ((cls & C_SEP) && i > 0 && ascii_isolated(t, len, i - 1)) {
        size_t j = ascii_next_spaced(t, len, i - 1);
        if (j && ascii_next_spaced(t, len, j))
            return true;
    }
    return false;
}

/* Byte i of classify_text. */
static int classify_step(const unsigned char *t, size_t len, size_t i, classify_state *st) {
    unsigned c = t[i], cls = byte_class[c];
    if (cls & C_HIGH)
        return STEP_NON_ASCII;
    if (i >= 3 && aupf__cut_may_follow(t[i - 1]) && IS_ALNUM_B(t[i - 2]) && IS_ALNUM_B(t[i - 3]))
        st->anchor = i;
    else if (i - st->anchor >= MAX_PIECE)
        return STEP_FOLD; /* a forced cut: the text goes through the pieces */
    if (cls & C_ALPHA) {
        st->letters++;
        st->run = (c | 32) == st->prev ? st->run + 1 : 1;
        st->prev = c | 32;
        return st->run == 3 ? STEP_FOLD : STEP_ON;
    }
    st->run = st->prev = 0;
    return rare_fold(t, len, i, cls) ? STEP_FOLD : STEP_ON;
}

#define BYTES_01 0x0101010101010101ull

/* 0x01 in each byte of v that is zero. */
static inline uint64_t zero_bytes(uint64_t v) {
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7full;
    return ~(((v & low7) + low7) | v | low7) >> 7;
}

/* Bytes i..i+7 (i >= 3) at once, as eight classify_steps would take them,
 * when none of them folds the text: ASCII, no letter a third time, the
 * piece short, and no leet run closed by a letter or spelled-out word
 * (the few bytes that could start one look ahead as they would one by
 * one). False leaves st unchanged: the bytes then take classify_step one
 * by one. Each byte's classes sit in its own byte of a 64-bit word; a
 * word's letters and the spaces between words need no branch. */
static bool classify_block(const unsigned char *t, size_t len, size_t i, classify_state *st) {
    uint64_t x;
    memcpy(&x, t + i, 8);
    if ((x & 0x8080808080808080ull) || i + 7 - st->anchor >= MAX_PIECE)
        return false;
    const unsigned char *b = t + i;
    uint64_t cls = (uint64_t)byte_class[b[0]] | (uint64_t)byte_class[b[1]] << 8 |
                   (uint64_t)byte_class[b[2]] << 16 | (uint64_t)byte_class[b[3]] << 24 |
                   (uint64_t)byte_class[b[4]] << 32 | (uint64_t)byte_class[b[5]] << 40 |
                   (uint64_t)byte_class[b[6]] << 48 | (uint64_t)byte_class[b[7]] << 56;
    uint64_t p1 = byte_class[t[i - 1]], p2 = byte_class[t[i - 2]], p3 = byte_class[t[i - 3]];
    uint64_t alpha = cls & BYTES_01, alnum = (cls | cls >> 1) & BYTES_01;
    uint64_t n1 = (p1 | p1 >> 1) & 1, n2 = (p2 | p2 >> 1) & 1, n3 = (p3 | p3 >> 1) & 1;
    /* for each byte: the same facts about the bytes 1, 2 and 3 before it */
    uint64_t alpha1 = alpha << 8 | (p1 & 1), alpha2 = alpha << 16 | (p1 & 1) << 8 | (p2 & 1);
    uint64_t alnum2 = alnum << 16 | n1 << 8 | n2, alnum3 = alnum << 24 | n1 << 16 | n2 << 8 | n3;
    uint64_t leet = (cls >> 2) & BYTES_01, sep = (cls >> 3) & BYTES_01;
    /* a leet symbol after a letter, a separator after an isolated letter:
     * the byte's own look-ahead decides, as it would byte by byte */
    for (uint64_t rare = (leet & alpha1) | (sep & alpha1 & ~alnum2); rare; rare &= rare - 1) {
        size_t k = (size_t)__builtin_ctzll(rare) / 8;
        if (rare_fold(t, len, i + k, byte_class[t[i + k]]))
            return false;
    }
    uint64_t folded = x | 0x2020202020202020ull;
    uint64_t f1 = (uint64_t)(t[i - 1] | 32), f2 = (uint64_t)(t[i - 2] | 32);
    uint64_t same1 = zero_bytes(folded ^ (folded << 8 | f1));
    uint64_t same2 = zero_bytes(folded ^ (folded << 16 | f1 << 8 | f2));
    if (same1 & same2 & alpha & alpha1 & alpha2)
        return false; /* a letter three times */
    uint64_t cut = (((cls >> 5) & BYTES_01) << 8 | ((p1 >> 5) & 1)) & alnum2 & alnum3;
    if (cut)
        st->anchor = i + (size_t)(63 - __builtin_clzll(cut)) / 8;
    st->letters += (uint32_t)((alpha * BYTES_01) >> 56); /* the sum of the bytes */
    if (alpha >> 56) {
        st->prev = t[i + 7] | 32u;
        st->run = (same1 >> 56) & (alpha >> 48) & 1 ? 2 : 1;
    } else {
        st->run = st->prev = 0;
    }
    return true;
}

/* One pass over the bytes: TEXT_NON_ASCII at the first byte >= 0x80;
 * TEXT_FOLD when ASCII text has something the folding steps would change
 * (a leet run closed by letters, a letter three times, three letters
 * spelled out with separators); TEXT_PLAIN otherwise. It may answer FOLD
 * where the full pass then changes nothing, never PLAIN where it folds.
 * Eight bytes at a time where nothing happens (classify_block), else byte
 * by byte. */
static text_kind classify(const unsigned char *t, size_t len, uint32_t *letters, bool bytewise) {
    classify_state st = {0, 0, 0, 0};
    for (size_t i = 0; i < len;) {
        if (!bytewise && i >= 3 && len - i >= 8 && classify_block(t, len, i, &st)) {
            i += 8;
            continue;
        }
        size_t end = i < 3 ? 3 : i + 8; /* a block needs three bytes before it */
        for (end = end < len ? end : len; i < end; i++) {
            int r = classify_step(t, len, i, &st);
            if (r == STEP_NON_ASCII)
                return TEXT_NON_ASCII;
            if (r == STEP_FOLD)
                return aupf__is_ascii((const char *)t, len) ? TEXT_FOLD : TEXT_NON_ASCII;
        }
    }
    *letters = st.letters;
    return TEXT_PLAIN;
}

static text_kind classify_text(const unsigned char *t, size_t len, uint32_t *letters) {
    return classify(t, len, letters, false);
}

int aupf__classify_ascii(const char *text, size_t len, uint32_t *letters, bool bytewise) {
    *letters = 0;
    return (int)classify((const unsigned char *)text, len, letters, bytewise);
}

/* ---- growing buffers ---------------------------------------------------- */

static int reserve_cps(aupf__normalizer *n, size_t need) {
    if (need <= n->cps_cap)
        return 0;
    size_t cap = n->cps_cap ? n->cps_cap : 256;
    while (cap < need)
        cap *= 2;
    ncp *p = realloc(n->cps, cap * sizeof *p);
    if (!p)
        return STATUS_NOMEM;
    n->cps = p;
    n->cps_cap = cap;
    return 0;
}

static int reserve_out(aupf__normalizer *n, size_t need) {
    if (need <= n->out_cap)
        return 0;
    size_t cap = n->out_cap ? n->out_cap : 1024;
    while (cap < need)
        cap *= 2;
    char *o = realloc(n->out, cap + 1);
    if (!o)
        return STATUS_NOMEM;
    n->out = o;
    uint32_t *s = realloc(n->start, cap * sizeof *s);
    if (!s)
        return STATUS_NOMEM;
    n->start = s;
    uint32_t *e = realloc(n->end, cap * sizeof *e);
    if (!e)
        return STATUS_NOMEM;
    n->end = e;
    uint8_t *v = realloc(n->evasive, cap);
    if (!v)
        return STATUS_NOMEM;
    n->evasive = v;
    n->out_cap = cap;
    return 0;
}

static UScriptCode script_of(UChar32 c);

/* ---- pass 1: decode, fold case and compatibility forms, drop invisibles - */

/* Decodes one code point; invalid sequences give U+FFFD for one byte. */
static UChar32 decode(const unsigned char *t, size_t len, size_t *i, bool *invalid) {
    size_t at = *i;
    size_t bad;
    unsigned char c = t[at];
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (n > len - at || !aupf__utf8_valid((const char *)t + at, n, &bad) || c >= 0xF8 ||
        (c & 0xC0) == 0x80) {
        *i = at + 1;
        *invalid = true;
        return 0xFFFD;
    }
    *i = at + n;
    if (n == 1)
        return c;
    if (n == 2)
        return ((c & 0x1F) << 6) | (t[at + 1] & 0x3F);
    if (n == 3)
        return ((c & 0x0F) << 12) | ((t[at + 1] & 0x3F) << 6) | (t[at + 2] & 0x3F);
    return ((c & 0x07) << 18) | ((t[at + 1] & 0x3F) << 12) | ((t[at + 2] & 0x3F) << 6) |
           (t[at + 3] & 0x3F);
}

/* True when a combining mark starts at t[i] (it attaches to what precedes). */
static bool starts_mark(const unsigned char *t, size_t len, size_t i) {
    bool invalid = false;
    UChar32 c = decode(t, len, &i, &invalid);
    return !invalid && is_attached_mark(c);
}

static void push(aupf__normalizer *n, size_t *count, UChar32 cp, size_t s, size_t e,
                 uint32_t flags) {
    n->cps[(*count)++] = (ncp){cp, (uint32_t)s, (uint32_t)e, flags};
}

/* Folds one segment (a code point and its combining marks) through
 * NFKC_Casefold, dropping diacritics from Latin letters and harakat from
 * Arabic ones. */
static int fold_segment(aupf__normalizer *n, const unsigned char *t, size_t s, size_t e,
                        size_t *count, uint32_t flags) {
    UChar in[64], out[96], dec[192];
    int32_t il = 0;
    size_t i = s;
    bool invalid = false;
    while (i < e && il < 60) {
        UChar32 c = decode(t, e, &i, &invalid);
        U16_APPEND_UNSAFE(in, il, c);
    }
    UErrorCode err = U_ZERO_ERROR;
    int32_t ol = unorm2_normalize(n->nfkc_cf, in, il, out, 96, &err);
    if (U_FAILURE(err)) /* a pathological segment: keep it as it is */
        ol = il, memcpy(out, in, (size_t)il * sizeof *in);
    UChar32 first;
    U16_GET_UNSAFE(out, 0, first);
    UErrorCode se = U_ZERO_ERROR;
    if (ol > 0 && uscript_getScript(first, &se) == USCRIPT_LATIN && (first >= 0x80 || ol > 1)) {
        err = U_ZERO_ERROR;
        int32_t dl = unorm2_normalize(n->nfd, out, ol, dec, 192, &err);
        if (U_SUCCESS(err)) { /* drop the marks of Latin letters */
            int32_t w = 0;
            for (int32_t k = 0; k < dl;) {
                UChar32 c;
                U16_NEXT_UNSAFE(dec, k, c);
                if (u_charType(c) != U_NON_SPACING_MARK)
                    U16_APPEND_UNSAFE(out, w, c);
            }
            ol = w;
        }
    } else if (ol > 1 && uscript_getScript(first, &se) == USCRIPT_ARABIC) {
        /* drop the harakat of Arabic letters (fatha ... sukun, superscript
         * alef): "لَكْم" reads "لكم", as Latin "é" reads "e" */
        int32_t w = 0;
        for (int32_t k = 0; k < ol;) {
            UChar32 c;
            U16_NEXT_UNSAFE(out, k, c);
            if (!(w > 0 && ((c >= 0x064B && c <= 0x065F) || c == 0x0670)))
                U16_APPEND_UNSAFE(out, w, c);
        }
        ol = w;
    }
    if (reserve_cps(n, *count + (size_t)ol + 1))
        return STATUS_NOMEM;
    for (int32_t k = 0; k < ol;) {
        UChar32 c;
        U16_NEXT_UNSAFE(out, k, c);
        push(n, count, c, s, e, flags);
    }
    return 0;
}

static int decode_and_fold(aupf__normalizer *n, const unsigned char *t, size_t len, size_t *count,
                           uint32_t signals[]) {
    size_t i = 0, hidden_run = 0, hidden_start = 0;
    uint32_t pending = 0;
    UChar32 prev = -1;
    while (i < len) {
        if (reserve_cps(n, *count + 4))
            return STATUS_NOMEM;
        if (t[i] < 0x80 && !(i + 1 < len && t[i + 1] >= 0xCC && starts_mark(t, len, i + 1))) {
            push(n, count, t[i], i, i + 1, pending);
            pending = 0;
            hidden_run = 0;
            prev = t[i];
            i++;
            continue;
        }
        size_t s = i;
        bool invalid = false;
        UChar32 cp = t[i] < 0x80 ? t[i++] : decode(t, len, &i, &invalid);
        if (invalid) {
            signals[AUPF_SIGNAL_INVALID_UTF8]++;
            push(n, count, 0xFFFD, s, i, pending | F_EVASIVE);
            pending = 0;
            hidden_run = 0;
            prev = 0xFFFD;
            continue;
        }
        if (u_hasBinaryProperty(cp, UCHAR_DEFAULT_IGNORABLE_CODE_POINT)) {
            if ((cp == ZWJ || cp == ZWNJ) && prev >= 0 && keep_joiner(prev, cp)) {
                push(n, count, cp, s, i, pending);
                pending = 0;
                prev = cp;
                continue;
            }
            if (cp >= 0xE0000 && cp <= 0xE007F)
                signals[AUPF_SIGNAL_TAG_CHARACTERS]++;
            /* removed, however long the run: a piece is at most
             * MAX_PIECE bytes (forced cuts), so what a view character
             * stands for stays bounded */
            pending |= F_HIDDEN_BEFORE;
            if (hidden_run++ == 0)
                hidden_start = s;
            continue;
        }
        hidden_run = 0;
        size_t e = i;
        while (e < len) { /* the segment takes the marks that follow (fold_segment folds
                           * the first ones; the rest vanish with them) */
            size_t k = e;
            UChar32 m = decode(t, len, &k, &invalid);
            if (invalid || !is_attached_mark(m))
                break;
            e = k;
        }
        uint32_t flags = pending;
        pending = 0;
        if (cp >= 0xFF01 && cp <= 0xFF5E) {
            signals[AUPF_SIGNAL_FULLWIDTH]++;
            flags |= F_EVASIVE;
        }
        if (e == i && unorm2_isInert(n->nfkc_cf, cp) && script_of(cp) != USCRIPT_LATIN) {
            push(n, count, cp, s, e, flags);
        } else {
            int st = fold_segment(n, t, s, e, count, flags);
            if (st)
                return st;
        }
        i = e;
        prev = n->cps[*count - 1].cp;
    }
    if (*count == 0 && hidden_run > MAX_RUN) {
        /* a piece made only of a long run of invisible characters (a
         * forced cut inside the run) is one visible U+FFFD */
        push(n, count, 0xFFFD, hidden_start, len, F_EVASIVE);
        signals[AUPF_SIGNAL_INVISIBLE]++;
    }
    return 0;
}

/* ---- pass 2: words ------------------------------------------------------ */

static UScriptCode script_of(UChar32 c) {
    if (c < 0x80)
        return is_ascii_alpha(c) ? USCRIPT_LATIN : USCRIPT_COMMON;
    UErrorCode e = U_ZERO_ERROR;
    return uscript_getScript(c, &e);
}

/* A Latin letter's look-alike in Cyrillic or Greek (lower case). */
static UChar32 latin_lookalike(UChar32 c, UScriptCode target) {
    static const char latin[] = "aceopxyki";
    static const UChar32 cyr[] = {0x430, 0x441, 0x435, 0x43E, 0x440, 0x445, 0x443, 0x43A, 0x456};
    static const char latin_g[] = "aoviktxyp";
    static const UChar32 greek[] = {0x3B1, 0x3BF, 0x3BD, 0x3B9, 0x3BA, 0x3C4, 0x3C7, 0x3B3, 0x3C1};
    const char *p;
    if (target == USCRIPT_CYRILLIC && c < 0x80 && (p = strchr(latin, (int)c)))
        return cyr[p - latin];
    if (target == USCRIPT_GREEK && c < 0x80 && (p = strchr(latin_g, (int)c)))
        return greek[p - latin_g];
    return 0;
}

/* A Cyrillic or Greek letter's Latin skeleton when it is one ASCII letter. */
static UChar32 latin_skeleton(aupf__normalizer *n, UChar32 c) {
    UChar in[2], out[8];
    int32_t il = 0;
    U16_APPEND_UNSAFE(in, il, c);
    UErrorCode e = U_ZERO_ERROR;
    int32_t ol = uspoof_getSkeleton(n->spoof, 0, in, il, out, 8, &e);
    if (U_FAILURE(e) || ol != 1 || !is_ascii_alpha(out[0]))
        return 0;
    return out[0] | 32;
}

/* A word mixing Latin with Cyrillic or Greek letters is an attack when it
 * can be read in one script: if every Cyrillic/Greek letter has a Latin
 * skeleton, it is folded to Latin ("bоmb", "роіѕоn"); otherwise it is a
 * word of that script with Latin look-alikes slipped in, folded the other
 * way. */
static void fold_mixed_script(aupf__normalizer *n, ncp *w, size_t len, uint32_t signals[]) {
    size_t latin = 0, cyr = 0, greek = 0, readable_as_latin = 0;
    for (size_t i = 0; i < len; i++) {
        UScriptCode s = script_of(w[i].cp);
        latin += s == USCRIPT_LATIN;
        cyr += s == USCRIPT_CYRILLIC;
        greek += s == USCRIPT_GREEK;
        if ((s == USCRIPT_CYRILLIC || s == USCRIPT_GREEK) && latin_skeleton(n, w[i].cp))
            readable_as_latin++;
    }
    if (!latin || (!cyr && !greek))
        return;
    UScriptCode target = readable_as_latin == cyr + greek ? USCRIPT_LATIN
                         : cyr >= greek                   ? USCRIPT_CYRILLIC
                                                          : USCRIPT_GREEK;
    bool changed = false;
    for (size_t i = 0; i < len; i++) {
        UScriptCode s = script_of(w[i].cp);
        if (s == target || (s != USCRIPT_LATIN && s != USCRIPT_CYRILLIC && s != USCRIPT_GREEK))
            continue;
        UChar32 f = target == USCRIPT_LATIN ? latin_skeleton(n, w[i].cp)
                                            : latin_lookalike(lower_ascii(w[i].cp), target);
        if (f) {
            w[i].cp = f;
            w[i].flags |= F_EVASIVE;
            changed = true;
        }
    }
    if (changed)
        signals[AUPF_SIGNAL_MIXED_SCRIPT]++;
}

/* Leet: a run of digits/symbols from the leet table with letters on both
 * sides inside a word. Digits elsewhere (AR-15, 9mm, m16) stay. */
static void fold_leet(ncp *c, size_t count, uint32_t signals[]) {
    for (size_t i = 1; i + 1 < count; i++) {
        if (!leet_letter(c[i].cp) || !is_letter(c[i - 1].cp))
            continue;
        size_t j = i;
        while (j < count && leet_letter(c[j].cp))
            j++;
        if (j < count && is_letter(c[j].cp)) {
            for (size_t k = i; k < j; k++) {
                c[k].cp = leet_letter(c[k].cp);
                c[k].flags |= F_EVASIVE;
            }
            signals[AUPF_SIGNAL_LEET]++;
        }
        i = j;
    }
}

/* Words: invisible characters inside, mixed scripts, repeated letters. */
static size_t fold_words(aupf__normalizer *n, ncp *c, size_t count, uint32_t signals[]) {
    size_t w = 0;
    for (size_t i = 0; i < count;) {
        if (!is_alnum(c[i].cp) && !is_mark(c[i].cp) && c[i].cp != ZWJ && c[i].cp != ZWNJ) {
            c[w++] = c[i++];
            continue;
        }
        size_t j = i;
        while (j < count &&
               (is_alnum(c[j].cp) || is_mark(c[j].cp) || c[j].cp == ZWJ || c[j].cp == ZWNJ))
            j++;
        bool hidden = false;
        for (size_t k = i + 1; k < j; k++)
            if (c[k].flags & F_HIDDEN_BEFORE) {
                c[k].flags |= F_EVASIVE;
                hidden = true;
            }
        if (hidden)
            signals[AUPF_SIGNAL_INVISIBLE]++;
        fold_mixed_script(n, c + i, j - i, signals);
        /* runs of three or more of one letter collapse to one */
        bool www = j < count && c[j].cp == '.';
        for (size_t k = i; k < j;) {
            size_t r = k + 1;
            while (r < j && r - k < MAX_RUN && is_letter(c[k].cp) &&
                   lower_ascii(c[r].cp) == lower_ascii(c[k].cp))
                r++;
            ncp keep = c[k];
            if (r - k >= 3 && !(www && lower_ascii(keep.cp) == 'w' && k == i) &&
                !run_is_ordinary(j - i, k - i, r - i)) {
                keep.end = c[r - 1].end;
                keep.flags |= F_EVASIVE;
                signals[AUPF_SIGNAL_REPEATED_LETTERS]++;
                c[w++] = keep;
            } else {
                for (size_t q = k; q < r; q++)
                    c[w++] = c[q];
            }
            k = r;
        }
        i = j;
    }
    return w;
}

/* ---- pass 3: words spelled with separators ------------------------------ */

static bool is_apostrophe(UChar32 c) { return c == '\'' || c == 0x2019; }

/* A letter with no letter, digit or combining mark beside it. */
/* The vowel after a French or Italian elision ("l'e c r a n",
 * "d'i n v i d i a"): a one-letter word before the apostrophe. English
 * contractions put a consonant there ("I'd", "I'm", "it's"). */
static bool after_elision(const ncp *c, size_t i) {
    UChar32 before = lower_ascii(c[i - 2].cp), v = lower_ascii(c[i].cp);
    return (i == 2 || !is_alnum(c[i - 3].cp)) && before < 0x80 && strchr("cdjlmnst", (int)before) &&
           v < 0x80 && strchr("aeiouh", (int)v);
}

static bool isolated_letter(const ncp *c, size_t count, size_t i) {
    if (i >= 2 && is_apostrophe(c[i - 1].cp) && is_letter(c[i - 2].cp) && !after_elision(c, i))
        return false; /* the s of "someone's" */
    return is_letter(c[i].cp) && (i == 0 || !(is_alnum(c[i - 1].cp) || is_mark(c[i - 1].cp))) &&
           (i + 1 == count || !(is_alnum(c[i + 1].cp) || is_mark(c[i + 1].cp)));
}

/* A leet digit or symbol with no letter, digit or mark beside it: the 0
 * of "b 0 m b" ("|" is a separator here). */
static bool isolated_leet(const ncp *c, size_t count, size_t i) {
    return c[i].cp != '|' && leet_letter(c[i].cp) &&
           (i == 0 || !(is_alnum(c[i - 1].cp) || is_mark(c[i - 1].cp))) &&
           (i + 1 == count || !(is_alnum(c[i + 1].cp) || is_mark(c[i + 1].cp)));
}

/* Index after the separator gap (1 to 3 separators) that follows position
 * i, when an isolated letter or leet symbol comes after it; else 0. */
static size_t gap_then_letter(const ncp *c, size_t count, size_t i) {
    size_t j = i + 1;
    while (j < count && j <= i + 3 && is_separator(c[j].cp))
        j++;
    if (j == i + 1 || j >= count || !(isolated_letter(c, count, j) || isolated_leet(c, count, j)))
        return 0;
    return j;
}

/* Whether a word whose first two letters are x y can follow the article
 * "a" as a word of its own. "a" comes before a consonant sound; English
 * words do not begin with a doubled letter or a cluster such as "nt",
 * "rm", "cc"; and "ae", "ai", "ao" begin few words ("aer", "aid",
 * "ail", "aim", "air", "ais", "aor"). So "a b o m b" and "a e x p l o
 * s i v e" read "a bomb", "a explosive" while "a n t h r a x",
 * "a c c o u n t", "a r m y" and "a i r p o r t" are one word each.
 * A "u" may sound as a consonant ("a user"); letters outside ASCII keep
 * the article reading. */
static bool article_reading(UChar32 x, UChar32 y) {
    static const char onsets[] = "bl br ch cl cr cz dr dw fl fr gh gl gn gr kh kl kn kr kw ph pl "
                                 "pn pr ps pt rh sc sh sk sl sm sn sp sq st sv sw th tr ts tw vl "
                                 "vr wh wr zh";
    x = lower_ascii(x);
    y = lower_ascii(y);
    if (!is_ascii_alpha(x) || !is_ascii_alpha(y))
        return !is_ascii_alpha(x) || x != 'a';
    if (x == 'a') /* "a a n t h r a x": the article, then one word */
        return true;
    if (x == 'e' || x == 'i' || x == 'o') /* "a e r o s o l", "a i r": one word */
        return !((x == 'e' && y == 'r') || (x == 'i' && strchr("dlmrs", (int)y)) ||
                 (x == 'o' && y == 'r'));
    if (x == y)
        return false;
    if (x == 'u' || strchr("aeiouy", (int)y))
        return true;
    char pair[3] = {(char)x, (char)y, 0};
    return strstr(onsets, pair) != NULL;
}

#define F_DROP 4u
#define F_UNIT 8u /* a letter of a spelled-out word */

/* Marks the separators of spelled-out words for removal (reading the
 * array only), then compacts it. */
static size_t join_spaced_letters(ncp *c, size_t count, uint32_t signals[]) {
    size_t letters[256];
    bool any = false;
    for (size_t i = 0; i < count;) {
        if (!isolated_letter(c, count, i)) {
            i++;
            continue;
        }
        size_t n = 0, j = i, next, leet = 0;
        letters[n++] = i;
        while (n < 256 && (next = gap_then_letter(c, count, j))) {
            letters[n++] = next;
            j = next;
        }
        /* leet symbols stand for letters inside the run only ("b 0 m b",
         * not "a 1" or "x 4 4"), in runs of four or more */
        while (n > 1 && !is_letter(c[letters[n - 1]].cp))
            n--;
        for (size_t k = 0; k < n; k++)
            leet += !is_letter(c[letters[k]].cp);
        if (leet && n < 4) {
            i = letters[n - 1] + 1;
            continue;
        }
        size_t first = 0;
        /* "make a b o m b": a leading article "a" or pronoun "I" followed by
         * a space can be an English word of its own, not part of the
         * spelled word ("a.s.k.e.d" and "i n t e n d" keep their first
         * letter); the letters after it decide (article_reading) */
        UChar32 l0 = c[letters[0]].cp;
        if (n >= 4 && (l0 == 'I' || (lower_ascii(l0) == 'a' &&
                                     article_reading(c[letters[1]].cp, c[letters[2]].cp)))) {
            bool space_after = true;
            for (size_t k = letters[0] + 1; k < letters[1]; k++)
                space_after &= c[k].cp == ' ';
            first = space_after ? 1 : 0;
        }
        /* likewise a trailing "a" or "I" after a space, when a word comes
         * next: "c o m p o s e a notice", "e x t e r m i n a r a esa"
         * (the Spanish "a"); "s a l v i a." keeps it */
        size_t last = n - 1;
        UChar32 ln = c[letters[last]].cp;
        if (last - first >= 4 && (lower_ascii(ln) == 'a' || ln == 'I')) {
            bool space_before = true;
            for (size_t k = letters[last - 1] + 1; k < letters[last]; k++)
                space_before &= c[k].cp == ' ';
            size_t w = letters[last] + 1;
            while (w < count && c[w].cp == ' ')
                w++;
            bool word_after = w > letters[last] + 1 && w + 1 < count && is_letter(c[w].cp);
            if (space_before && (ln == 'I' || word_after))
                last--;
        }
        if (last + 1 - first >= 3) {
            for (size_t k = first; k <= last; k++) { /* mark the units before dropping */
                c[letters[k]].flags |= F_EVASIVE | F_UNIT;
                if (!is_letter(c[letters[k]].cp)) {
                    c[letters[k]].cp = leet_letter(c[letters[k]].cp);
                    signals[AUPF_SIGNAL_LEET]++;
                }
            }
            for (size_t k = letters[first]; k < letters[last]; k++)
                if (!(c[k].flags & F_UNIT))
                    c[k].flags |= F_DROP;
            signals[AUPF_SIGNAL_SPACED_LETTERS]++;
            any = true;
        }
        i = letters[n - 1] + 1;
    }
    if (!any)
        return count;
    size_t w = 0;
    for (size_t i = 0; i < count; i++)
        if (!(c[i].flags & F_DROP))
            c[w++] = c[i];
    return w;
}

static const UScriptCode SLOT_SCRIPTS[AUPF_SCRIPT_SLOTS] = {
    USCRIPT_LATIN,      USCRIPT_CYRILLIC, USCRIPT_GREEK,     USCRIPT_ARABIC,   USCRIPT_HEBREW,
    USCRIPT_DEVANAGARI, USCRIPT_BENGALI,  USCRIPT_GURMUKHI,  USCRIPT_GUJARATI, USCRIPT_TAMIL,
    USCRIPT_TELUGU,     USCRIPT_KANNADA,  USCRIPT_MALAYALAM, USCRIPT_THAI,     USCRIPT_HAN,
    USCRIPT_HIRAGANA,   USCRIPT_KATAKANA, USCRIPT_HANGUL,    USCRIPT_GEORGIAN, USCRIPT_ARMENIAN,
    USCRIPT_ETHIOPIC,   USCRIPT_KHMER,    USCRIPT_MYANMAR,   USCRIPT_SINHALA};

static void count_letters(const ncp *c, size_t count, uint32_t letters[]) {
    for (size_t i = 0; i < count; i++)
        if (is_letter(c[i].cp)) {
            UScriptCode s = script_of(c[i].cp);
            for (int k = 0; k < AUPF_SCRIPT_SLOTS; k++)
                if (SLOT_SCRIPTS[k] == s) {
                    letters[k]++;
                    break;
                }
        }
}

int aupf__dominant_script(const uint32_t letters[AUPF_SCRIPT_SLOTS], int *has_kana) {
    int best = -1;
    for (int k = 0; k < AUPF_SCRIPT_SLOTS; k++)
        if (letters[k] && (best < 0 || letters[k] > letters[best]))
            best = k;
    *has_kana = letters[15] + letters[16] > 0; /* Hiragana, Katakana */
    return best < 0 ? USCRIPT_COMMON : SLOT_SCRIPTS[best];
}

/* ---- pass 4: encode ---------------------------------------------------- */

static int encode(aupf__normalizer *n, const ncp *c, size_t count, size_t base) {
    if (reserve_out(n, n->out_len + count * 4 + 1))
        return STATUS_NOMEM;
    size_t o = n->out_len;
    for (size_t i = 0; i < count; i++) {
        UChar32 cp = c[i].cp;
        unsigned char b[4];
        size_t k;
        if (cp < 0x80) {
            b[0] = (unsigned char)cp;
            k = 1;
        } else if (cp < 0x800) {
            b[0] = (unsigned char)(0xC0 | (cp >> 6));
            b[1] = (unsigned char)(0x80 | (cp & 0x3F));
            k = 2;
        } else if (cp < 0x10000) {
            b[0] = (unsigned char)(0xE0 | (cp >> 12));
            b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
            b[2] = (unsigned char)(0x80 | (cp & 0x3F));
            k = 3;
        } else {
            b[0] = (unsigned char)(0xF0 | (cp >> 18));
            b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
            b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
            b[3] = (unsigned char)(0x80 | (cp & 0x3F));
            k = 4;
        }
        for (size_t q = 0; q < k; q++, o++) {
            n->out[o] = (char)b[q];
            n->start[o] = (uint32_t)(c[i].start + base);
            n->end[o] = (uint32_t)(c[i].end + base);
            n->evasive[o] = (c[i].flags & F_EVASIVE) ? 1 : 0;
        }
    }
    n->out[o] = 0;
    n->out_len = o;
    return 0;
}

/* An ASCII piece that needs no folding, appended as it is. */
static int append_identity(aupf__normalizer *n, const char *t, size_t len, size_t base) {
    if (reserve_out(n, n->out_len + len + 1))
        return STATUS_NOMEM;
    size_t o = n->out_len;
    memcpy(n->out + o, t, len);
    for (size_t i = 0; i < len; i++) {
        n->start[o + i] = (uint32_t)(base + i);
        n->end[o + i] = (uint32_t)(base + i + 1);
        n->evasive[o + i] = 0;
    }
    n->out_len = o + len;
    n->out[n->out_len] = 0;
    return 0;
}

/* Start of the code point that ends at q, not before lo (SIZE_MAX if
 * none); *c gets it (U+FFFD when it is not valid UTF-8). */
static size_t cp_before(const unsigned char *t, size_t lo, size_t q, UChar32 *c) {
    if (q <= lo)
        return SIZE_MAX;
    size_t s = aupf__utf8_floor((const char *)t, q, q - 1);
    if (s < lo)
        return SIZE_MAX;
    size_t i = s;
    bool invalid = false;
    *c = decode(t, q, &i, &invalid);
    if (invalid || i != q)
        *c = 0xFFFD;
    return s;
}

static bool stands_alone(const unsigned char *t, size_t len, size_t p) {
    if (t[p] < 0x80)
        return true;
    size_t i = p;
    bool invalid = false;
    UChar32 c = decode(t, len, &i, &invalid);
    return !invalid && !is_mark(c) && !u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT);
}

/* A letter or digit that stays letters, digits and marks in the view: not
 * one whose compatibility mapping brings a separator (U+013F "Ŀ" is "l·",
 * so "Ŀa b" reads as the spelled-out "l a b" and no cut may fall inside). */
static bool folds_to_alnum(UChar32 c) {
    if (c < 0x80)
        return is_ascii_alnum(c);
    if (!u_isalnum(c))
        return false;
    UErrorCode e = U_ZERO_ERROR;
    const UNormalizer2 *nfkc_cf = unorm2_getNFKCCasefoldInstance(&e);
    if (U_FAILURE(e) || unorm2_isInert(nfkc_cf, c))
        return U_SUCCESS(e);
    UChar in[2], out[32];
    int32_t il = 0;
    U16_APPEND_UNSAFE(in, il, c);
    int32_t ol = unorm2_normalize(nfkc_cf, in, il, out, 32, &e);
    if (U_FAILURE(e))
        return false;
    for (int32_t i = 0; i < ol;) {
        UChar32 d;
        U16_NEXT(out, i, ol, d);
        if (!is_alnum(d) && !is_mark(d))
            return false;
    }
    return true;
}

/* A cut after whitespace that follows two letters or digits of any script
 * (not marks: a Latin letter's marks vanish from the view), before a
 * character that stands alone: no step of
 * the view reaches across it (a spelled-out word needs isolated letters,
 * leet and repeats stay inside words, marks attach backwards). */
bool aupf__safe_cut(const char *text, size_t len, size_t from, size_t p) {
    const unsigned char *t = (const unsigned char *)text;
    if (p < from + 3 || p >= len || !aupf__cut_may_follow(t[p - 1]) || !stands_alone(t, len, p))
        return false;
    if (t[p - 2] < 0x80 && t[p - 3] < 0x80) /* two ASCII characters: nothing to decode */
        return is_ascii_alnum(t[p - 2]) && is_ascii_alnum(t[p - 3]);
    size_t q = p - 1;
    for (int k = 0; k < 2; k++) {
        UChar32 c;
        size_t s = cp_before(t, from, q, &c);
        if (s == SIZE_MAX || !folds_to_alnum(c))
            return false;
        q = s;
    }
    return true;
}

size_t aupf__forced_cut_at(const char *text, size_t len, size_t anchor, size_t p) {
    const unsigned char *t = (const unsigned char *)text;
    size_t f = aupf__utf8_floor(text, len, p);
    /* a piece must not start with a combining mark or an invisible
     * character: they belong to what comes before */
    while (f > anchor && !stands_alone(t, len, f))
        f = aupf__utf8_floor(text, len, f - 1);
    return f > anchor ? f : aupf__utf8_ceil(text, len, p + 1);
}

static int record_cut(aupf__normalizer *n, size_t p) {
    if (n->cut_count == n->cuts_cap) {
        size_t cap = n->cuts_cap ? 2 * n->cuts_cap : 64;
        size_t *c = realloc(n->cuts, cap * sizeof *c);
        if (!c)
            return STATUS_NOMEM;
        n->cuts = c;
        n->cuts_cap = cap;
    }
    n->cuts[n->cut_count++] = p;
    return 0;
}

/* The first forced cut at or after from (see aupf__next_forced_cut); the
 * safe cuts passed on the way go to record->cuts when record is given.
 * SIZE_MAX when recording runs out of memory. */
static size_t forced_cut_scan(const char *text, size_t len, size_t from, aupf__normalizer *record) {
    const unsigned char *t = (const unsigned char *)text;
    size_t anchor = from;
    if (record)
        record->cut_count = 0;
    for (size_t p = from + 1; p < len; p++) {
        /* only a byte after whitespace can be a safe cut: test cheaply first */
        if (aupf__cut_may_follow(t[p - 1]) && aupf__safe_cut(text, len, from, p)) {
            anchor = p;
            if (record && record_cut(record, p) != 0)
                return SIZE_MAX;
        } else if (p - anchor >= MAX_PIECE) {
            return aupf__forced_cut_at(text, len, anchor, p);
        }
    }
    return len;
}

size_t aupf__next_forced_cut(const char *text, size_t len, size_t from) {
    return forced_cut_scan(text, len, from, NULL);
}

void aupf__normalizer_reset(aupf__normalizer *n) { n->out_len = 0; }

void aupf__normalizer_output(const aupf__normalizer *n, aupf__view *v) {
    v->text = n->out ? n->out : "";
    v->len = n->out_len;
    v->identity = false;
    v->start = n->start;
    v->end = n->end;
    v->evasive = n->evasive;
}

int aupf__normalize_append(aupf__normalizer *n, const char *text, size_t len, size_t base,
                           aupf__view *acc) {
    const unsigned char *t = (const unsigned char *)text;
    uint32_t ascii_letters = 0;
    if (classify_text(t, len, &ascii_letters) == TEXT_PLAIN) {
        acc->letters[0] += ascii_letters;
        return append_identity(n, text, len, base);
    }
    size_t count = 0;
    int st = reserve_cps(n, len + 1);
    if (!st)
        st = decode_and_fold(n, t, len, &count, acc->signals);
    if (st)
        return st;
    count_letters(n->cps, count, acc->letters);
    fold_leet(n->cps, count, acc->signals);
    count = join_spaced_letters(n->cps, count, acc->signals);
    count = fold_words(n, n->cps, count, acc->signals);
    return encode(n, n->cps, count, base);
}

/* One piece between forced cuts, split further at its safe cuts (n->cuts,
 * from forced_cut_scan) so that plain ASCII stretches are copied as they are and
 * only the stretches that need it take the full pass (a curly quote
 * should not slow a whole message). */
static int normalize_piece(aupf__normalizer *n, const char *text, size_t from, size_t to,
                           aupf__view *v) {
    const unsigned char *t = (const unsigned char *)text;
    size_t run = from;  /* start of the current run of one kind */
    int run_plain = -1; /* kind of the current run; -1: none yet */
    size_t seg = from;  /* start of the current segment */
    uint32_t letters = 0;
    if (from == to)
        return aupf__normalize_append(n, text + from, 0, from, v);
    size_t checked = from;   /* segments before this are known plain */
    size_t unchecked = from; /* a span that failed ends here: no span before */
    for (size_t k = 0; k <= n->cut_count; k++) {
        size_t p = k < n->cut_count ? n->cuts[k] : to;
        uint32_t seg_letters = 0;
        int plain = seg < checked; /* in a span found plain: its letters are counted */
        if (!plain && seg >= unchecked) {
            /* a span of segments that is plain as a whole has only plain
             * segments (it starts and ends at safe cuts, where the check
             * starts afresh), so a span of 64 bytes or more is checked at
             * once, eight bytes at a time, before the segments one by one;
             * a span that is not plain is not tried again */
            size_t m = k;
            while (m < n->cut_count && n->cuts[m] - seg < 64)
                m++;
            size_t span_end = m < n->cut_count ? n->cuts[m] : to;
            if (span_end > p &&
                classify_text(t + seg, span_end - seg, &seg_letters) == TEXT_PLAIN) {
                checked = span_end;
                plain = 1;
            } else {
                unchecked = span_end;
                seg_letters = 0;
            }
        }
        if (!plain)
            plain = classify_text(t + seg, p - seg, &seg_letters) == TEXT_PLAIN;
        if (run_plain >= 0 && plain != run_plain) { /* flush the run before this segment */
            int st = run_plain ? append_identity(n, text + run, seg - run, run)
                               : aupf__normalize_append(n, text + run, seg - run, run, v);
            if (st)
                return st;
            if (run_plain)
                v->letters[0] += letters;
            letters = 0;
            run = seg;
        }
        run_plain = plain;
        letters += seg_letters;
        seg = p;
    }
    if (run_plain < 0 || run >= to)
        return run_plain < 0 ? aupf__normalize_append(n, text + from, to - from, from, v) : 0;
    int st = run_plain ? append_identity(n, text + run, to - run, run)
                       : aupf__normalize_append(n, text + run, to - run, run, v);
    if (!st && run_plain)
        v->letters[0] += letters;
    return st;
}

int aupf__normalize(aupf__normalizer *n, const char *text, size_t len, aupf__view *v) {
    memset(v, 0, sizeof *v);
    if (len >= UINT32_MAX)
        return STATUS_NOMEM;
    uint32_t ascii_letters = 0;
    if (classify_text((const unsigned char *)text, len, &ascii_letters) == TEXT_PLAIN) {
        v->text = text; /* the fast path: the text is its own view */
        v->len = len;
        v->identity = true;
        v->ascii = true;
        v->letters[0] = ascii_letters;
        return 0;
    }
    n->out_len = 0;
    size_t cut = forced_cut_scan(text, len, 0, n);
    for (size_t from = 0; from < len || (len == 0 && from == 0);) {
        if (cut == SIZE_MAX)
            return STATUS_NOMEM;
        int st = normalize_piece(n, text, from, cut, v);
        if (st)
            return st;
        from = cut;
        if (from >= len)
            break;
        cut = forced_cut_scan(text, len, from, n);
    }
    aupf__normalizer_output(n, v);
    v->ascii = aupf__is_ascii(v->text, v->len); /* diacritics folded away, say */
    return 0;
}

bool aupf__view_evasive(const aupf__view *v, size_t s, size_t e) {
    if (v->identity)
        return false;
    for (size_t i = s; i < e; i++)
        if (v->evasive[i])
            return true;
    return false;
}
