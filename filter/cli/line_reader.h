/* Reads newline-terminated records with a size limit: a longer record is
 * handed out in pieces (or, without `pieces`, skipped to its end and
 * reported), so memory stays bounded. */
#ifndef AUPF_CLI_LINE_READER_H
#define AUPF_CLI_LINE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Reads up to n bytes; returns the count, 0 at end of input, -1 on error. */
typedef ssize_t (*line_source_fn)(void *src, char *buf, size_t n);
/* Called before each read that may block (the CLI flushes its output). */
typedef void (*line_wait_fn)(void *ctx);

typedef struct {
    line_source_fn read;
    void *src;
    line_wait_fn wait;
    void *wait_ctx;
    size_t max;
    bool pieces; /* hand out records over max in pieces (LINE_LONG) */
    char *buf;
    size_t cap, start, end;
    bool eof;
    bool whole; /* the record in pieces runs to the end of input */
    int error;  /* errno of a failed read */
} line_reader;

void line_reader_init(line_reader *r, line_source_fn read, void *src, size_t max);
void line_reader_free(line_reader *r);

typedef enum {
    LINE_OK = 1,
    LINE_TOO_LONG = 2, /* skipped: *len is its full length, *line NULL */
    LINE_LONG = 3,     /* over max: the first piece; line_reader_piece gives the rest */
    LINE_PIECE = 4,    /* a further piece of a long record */
    LINE_EOF = 0,
    LINE_ERROR = -1
} line_status;

/* The next record without its newline (and without a trailing '\r' when
 * strip_cr). A record over max is LINE_TOO_LONG, or with `pieces` LINE_LONG
 * with its first piece. */
line_status line_reader_next(line_reader *r, bool strip_cr, const char **line, size_t *len);

/* Reads all remaining input as one record (LINE_EOF when there is none);
 * over max as line_reader_next. */
line_status line_reader_all(line_reader *r, const char **text, size_t *len);

/* After LINE_LONG: the next piece of that record. LINE_PIECE while more
 * follows, LINE_OK for the last piece (possibly empty; the newline and,
 * with strip_cr, a '\r' before it are not part of it), LINE_ERROR when the
 * input fails. */
line_status line_reader_piece(line_reader *r, bool strip_cr, const char **piece, size_t *len);

ssize_t line_source_fd(void *src, char *buf, size_t n);

#endif
