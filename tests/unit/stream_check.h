/* Streams a text in chunks and compares it with the block scan of the
 * same text: released output with aupf_apply, final verdict with
 * aupf_scan. Shared by the stream property tests. */
#ifndef AUPF_TEST_STREAM_CHECK_H
#define AUPF_TEST_STREAM_CHECK_H

#include "aupfilter.h"

#include <stddef.h>

/* Returns NULL when stream and block agree, else a description. chunk
 * sizes come from next_size (called until the text is consumed). */
const char *stream_check(aupf_ruleset *rs, aupf_scanner *s, aupf_role role, const char *text,
                         size_t len, size_t (*next_size)(void *ctx), void *ctx);

#endif
