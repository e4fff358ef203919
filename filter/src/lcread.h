/* Typed reads of libconfig settings that report file:line on error. */
#ifndef AUPF_LCREAD_H
#define AUPF_LCREAD_H

#include "internal.h"

#include <libconfig.h>

typedef struct {
    aupf__diag *diag;
    const char *file;    /* fallback when libconfig does not know it */
    const char *rule_id; /* NULL outside rules */
} aupf__lcctx;

const char *aupf__lc_file(const aupf__lcctx *c, const config_setting_t *s);
int aupf__lc_line(const config_setting_t *s);

/* Each returns 1 when found and valid, 0 when absent (reported as an error
 * when required), -1 when present but of the wrong type (reported). */
int aupf__lc_string(const aupf__lcctx *c, const config_setting_t *group, const char *name,
                    bool required, const char **out);
int aupf__lc_number(const aupf__lcctx *c, const config_setting_t *group, const char *name,
                    bool required, double *out);
int aupf__lc_int(const aupf__lcctx *c, const config_setting_t *group, const char *name,
                 bool required, int *out);
int aupf__lc_bool(const aupf__lcctx *c, const config_setting_t *group, const char *name, bool *out);
int aupf__lc_strlist(const aupf__lcctx *c, const config_setting_t *group, const char *name,
                     bool required, aupf__strlist *out);

#endif
