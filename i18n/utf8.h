/* UTF-8 validation (RFC 3629: no overlongs, no surrogates, <= U+10FFFF). */
#ifndef AUPF_I18N_UTF8_H
#define AUPF_I18N_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when text[0..len) is valid UTF-8. On failure *bad_offset (if not
 * NULL) receives the offset of the first byte of the invalid sequence. */
bool aupf__utf8_valid(const char *text, size_t len, size_t *bad_offset);

/* True when every byte is below 0x80. */
bool aupf__is_ascii(const char *text, size_t len);

/* Moves offset back to the start of the code point containing it. */
size_t aupf__utf8_floor(const char *text, size_t len, size_t offset);
/* Moves offset forward to the next code point boundary (or len). */
size_t aupf__utf8_ceil(const char *text, size_t len, size_t offset);

#endif
