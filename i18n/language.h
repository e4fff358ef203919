/* The dominant script of a text and a cheap guess at its language. */
#ifndef AUPF_I18N_LANGUAGE_H
#define AUPF_I18N_LANGUAGE_H

#include <stddef.h>

/* ISO 15924 code of an ICU script ("Latn", "Cyrl", "Hani" ...); "Zyyy" when
 * the text has no letters. */
const char *aupf__script_code(int script);

/* A language code for the dominant script: from the script alone where it
 * names one language in practice (Hira/Kana → ja, Hang → ko, Cyrl → ru,
 * Arab → ar, Deva → hi, Hani → zh, Grek → el, Hebr → he, Thai → th);
 * for Latin, from frequent function words in the first AUPF__LANGUAGE_PREFIX
 * bytes (en, es,
 * fr, de, pt, it); NULL when unsure. has_kana: the text has Hiragana or
 * Katakana (Japanese mixes them with Han). */
const char *aupf__guess_language(int script, int has_kana, const char *text, size_t len);

/* View bytes the language guess reads. */
#define AUPF__LANGUAGE_PREFIX 256

/* The language of a text from its first bytes alone (UTF-8): scripts of
 * the letters there, then as aupf__guess_language. Used to choose the
 * block message, which a stream must choose before it has the whole text. */
const char *aupf__guess_language_prefix(const char *text, size_t len);

#endif
