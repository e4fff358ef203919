#include "language.h"

#include <stdint.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

const char *aupf__script_code(int script) {
    if (script == USCRIPT_COMMON || script == USCRIPT_INVALID_CODE)
        return "Zyyy";
    const char *s = uscript_getShortName((UScriptCode)script);
    return s ? s : "Zzzz";
}

/* Frequent function words that are rare in the other five languages. */
static const char *const STOPWORDS[][12] = {
    {"en", "the", "and", "is", "are", "with", "this", "that", "you", "of", "to", NULL},
    {"es", "el", "los", "las", "que", "del", "por", "una", "para", "es", "y", NULL},
    {"fr", "le", "les", "des", "est", "une", "pour", "dans", "pas", "et", "je", NULL},
    {"de", "der", "die", "das", "und", "ist", "nicht", "ich", "mit", "ein", "zu", NULL},
    {"pt", "os", "uma", "nao", "do", "da", "para", "com", "que", "voce", "e", NULL},
    {"it", "il", "che", "di", "non", "gli", "per", "una", "sono", "della", "e", NULL},
};
#define NLANG (sizeof STOPWORDS / sizeof STOPWORDS[0])

static const char *guess_latin(const char *text, size_t len) {
    unsigned score[NLANG] = {0};
    if (len > AUPF__LANGUAGE_PREFIX)
        len = AUPF__LANGUAGE_PREFIX;
    char word[8];
    size_t w = 0;
    for (size_t i = 0; i <= len; i++) {
        unsigned char c = i < len ? (unsigned char)text[i] : ' ';
        if ((c | 32) >= 'a' && (c | 32) <= 'z') {
            if (w < sizeof word - 1)
                word[w] = (char)(c | 32);
            w++;
            continue;
        }
        if (c >= 0x80) { /* an accented letter: part of the word, not ASCII */
            w = sizeof word;
            continue;
        }
        if (w > 0 && w < sizeof word) {
            word[w] = 0;
            for (size_t l = 0; l < NLANG; l++)
                for (size_t k = 1; STOPWORDS[l][k]; k++)
                    if (strcmp(word, STOPWORDS[l][k]) == 0)
                        score[l]++;
        }
        w = 0;
    }
    size_t best = 0, second = 0;
    for (size_t l = 1; l < NLANG; l++)
        if (score[l] > score[best]) {
            second = score[best];
            best = l;
        } else if (score[l] > second) {
            second = score[l];
        }
    return score[best] >= 2 && score[best] > second ? STOPWORDS[best][0] : NULL;
}

const char *aupf__guess_language(int script, int has_kana, const char *text, size_t len) {
    if (has_kana)
        return "ja";
    switch (script) {
    case USCRIPT_HAN:
        return "zh";
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA:
        return "ja";
    case USCRIPT_HANGUL:
        return "ko";
    case USCRIPT_CYRILLIC:
        return "ru";
    case USCRIPT_ARABIC:
        return "ar";
    case USCRIPT_DEVANAGARI:
        return "hi";
    case USCRIPT_GREEK:
        return "el";
    case USCRIPT_HEBREW:
        return "he";
    case USCRIPT_THAI:
        return "th";
    case USCRIPT_LATIN:
        return guess_latin(text, len);
    default:
        return NULL;
    }
}

const char *aupf__guess_language_prefix(const char *text, size_t len) {
    if (len > AUPF__LANGUAGE_PREFIX)
        len = AUPF__LANGUAGE_PREFIX;
    uint32_t counts[USCRIPT_CODE_LIMIT] = {0};
    for (int32_t i = 0; i < (int32_t)len;) {
        UChar32 c;
        U8_NEXT(text, i, (int32_t)len, c);
        if (c > 0 && u_isalpha(c)) {
            UErrorCode e = U_ZERO_ERROR;
            UScriptCode s = uscript_getScript(c, &e);
            if ((unsigned)s < USCRIPT_CODE_LIMIT)
                counts[s]++;
        }
    }
    int best = USCRIPT_COMMON;
    for (int s = 0; s < USCRIPT_CODE_LIMIT; s++)
        if (s != USCRIPT_COMMON && s != USCRIPT_INHERITED && counts[s] > counts[best])
            best = s;
    return aupf__guess_language(best, counts[USCRIPT_HIRAGANA] + counts[USCRIPT_KATAKANA] > 0, text,
                                len);
}
