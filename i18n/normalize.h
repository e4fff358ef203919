/* The normalized view that rules match against, with an exact map from
 * every byte of the view back to the bytes of the original text.
 *
 * Steps (docs/normalization.md): UTF-8 decoding (invalid bytes become
 * U+FFFD), NFKC case folding, removal of default-ignorable characters (ZWJ
 * and ZWNJ kept inside scripts that need them and in emoji sequences),
 * Latin diacritics folded, look-alike letters folded inside words that mix
 * Latin with Cyrillic or Greek, leet digits and symbols between letters,
 * runs of three or more repeated letters, and words spelled out with
 * separators ("b o m b", "b.o.m.b").
 *
 * Pure-ASCII text with nothing to fold is its own view: no copy, no ICU. */
#ifndef AUPF_I18N_NORMALIZE_H
#define AUPF_I18N_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Evasion signals found in a text; counts. */
typedef enum {
    AUPF_SIGNAL_MIXED_SCRIPT = 0, /* a word mixing Latin with Cyrillic/Greek look-alikes */
    AUPF_SIGNAL_INVISIBLE,        /* invisible characters inside a word */
    AUPF_SIGNAL_SPACED_LETTERS,   /* a word spelled with separators */
    AUPF_SIGNAL_FULLWIDTH,        /* fullwidth forms */
    AUPF_SIGNAL_TAG_CHARACTERS,   /* Unicode tag characters U+E0000..E007F */
    AUPF_SIGNAL_LEET,             /* digits or symbols standing for letters */
    AUPF_SIGNAL_REPEATED_LETTERS, /* a letter repeated three or more times */
    AUPF_SIGNAL_INVALID_UTF8,     /* bytes that are not UTF-8 */
    AUPF_SIGNAL_COUNT
} aupf_signal;

const char *aupf__signal_name(aupf_signal s);

/* Longest stretch of input normalized as one piece when the text offers no
 * safe cut (see aupf__next_forced_cut). */
#define AUPF__MAX_PIECE 64

/* Scripts whose letters are counted to find a text's dominant script. */
#define AUPF_SCRIPT_SLOTS 24

typedef struct aupf__normalizer aupf__normalizer;

/* One per scanner (not thread-safe); NULL when ICU cannot be initialised. */
aupf__normalizer *aupf__normalizer_new(void);
void aupf__normalizer_free(aupf__normalizer *n);

typedef struct {
    const char *text; /* the view: the original itself when identity */
    size_t len;
    bool identity;          /* view == original, offsets map to themselves */
    bool ascii;             /* every view byte is ASCII (set by aupf__normalize) */
    const uint32_t *start;  /* per view byte: original offset of its character */
    const uint32_t *end;    /* per view byte: original end of its character */
    const uint8_t *evasive; /* per view byte: 1 when it came from an evasion */
    uint32_t signals[AUPF_SIGNAL_COUNT];
    uint32_t letters[AUPF_SCRIPT_SLOTS]; /* letters per script (additive over pieces) */
} aupf__view;

/* The dominant script (an ICU UScriptCode) of letter counts; *has_kana when
 * Hiragana or Katakana are present. */
int aupf__dominant_script(const uint32_t letters[AUPF_SCRIPT_SLOTS], int *has_kana);

/* The pre-check that lets plain ASCII text be its own view: 0 when it is
 * (*letters gets its letter count), 1 when the folding steps may change
 * it, 2 when it is not ASCII. Eight bytes at a time where it can, or, for
 * tests, byte by byte (the two must agree). */
int aupf__classify_ascii(const char *text, size_t len, uint32_t *letters, bool bytewise);

/* Builds the view of text[0..len). Returns 0, or a negative aupf_status.
 * The view is valid until the next call. */
int aupf__normalize(aupf__normalizer *n, const char *text, size_t len, aupf__view *out);

/* Normalization is done in pieces cut where the view of the text before the
 * cut cannot depend on the text after it (after a space that follows a
 * word of two or more letters, before an ASCII byte). Where the text
 * offers no such cut for MAX_PIECE bytes, a forced cut is made; block and
 * stream normalization make the same forced cuts, so both produce the same
 * view. Returns the first forced cut at or after `from`, or len. */
size_t aupf__next_forced_cut(const char *text, size_t len, size_t from);
/* True when the view of text[from..p) cannot depend on text[p..), from
 * being the last forced cut (or 0). Reads at most AUPF__CUT_LOOKBACK bytes
 * before p and 4 from p. */
bool aupf__safe_cut(const char *text, size_t len, size_t from, size_t p);
/* A safe cut comes only after ASCII whitespace: the test aupf__safe_cut
 * makes first, inline so that a caller trying every byte skips the call. */
static inline bool aupf__cut_may_follow(unsigned char b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
}
/* The forced cut when no safe cut came for MAX_PIECE bytes after anchor:
 * at or before p, on a character that stands alone. Reads 4 bytes from p. */
size_t aupf__forced_cut_at(const char *text, size_t len, size_t anchor, size_t p);
#define AUPF__CUT_LOOKBACK 16

/* Normalizes text[0..len), a piece that ends at a cut, appending its view
 * to the normalizer's output (offsets shifted by base). The appended view
 * is read with aupf__normalizer_output. */
int aupf__normalize_append(aupf__normalizer *n, const char *text, size_t len, size_t base,
                           aupf__view *acc);
void aupf__normalizer_reset(aupf__normalizer *n);
void aupf__normalizer_output(const aupf__normalizer *n, aupf__view *v);

/* Maps a view span [s, e) (e > s) to the original text. */
static inline void aupf__view_map(const aupf__view *v, size_t s, size_t e, size_t *os, size_t *oe) {
    if (v->identity) {
        *os = s;
        *oe = e;
    } else {
        *os = v->start[s];
        *oe = v->end[e - 1];
    }
}

/* True when any byte of the view span [s, e) came from an evasion. */
bool aupf__view_evasive(const aupf__view *v, size_t s, size_t e);

#endif
