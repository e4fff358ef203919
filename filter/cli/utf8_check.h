/* UTF-8 validation of a text that arrives in pieces: a sequence cut at the
 * end of one piece is completed by the next. */
#ifndef AUPF_CLI_UTF8_CHECK_H
#define AUPF_CLI_UTF8_CHECK_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char tail[4]; /* an unfinished sequence at the end of the last piece */
    size_t tail_len;
    bool bad;
} utf8_check;

/* False once the text so far cannot be valid UTF-8. */
bool utf8_check_feed(utf8_check *u, const char *p, size_t n);
/* False when the whole text was not valid UTF-8 (or ended inside a sequence). */
bool utf8_check_end(const utf8_check *u);

#endif
