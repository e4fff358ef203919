#include "cli.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool readable(const char *path) { return path && access(path, R_OK) == 0; }

/* True when this executable lives in the build tree it was built in. */
static bool running_from_build_tree(void) {
    char exe[PATH_MAX], build[PATH_MAX];
    if (!realpath("/proc/self/exe", exe) || !realpath(AUPF_BUILD_DIR, build))
        return false;
    size_t n = strlen(build);
    return strncmp(exe, build, n) == 0 && exe[n] == '/';
}

const char *cli_config_path(const cli_common *c) {
    if (c->config)
        return c->config;
    const char *env = getenv("AUPFILTER_CONFIG");
    if (env && env[0])
        return env;
    if (running_from_build_tree() && readable(AUPF_SOURCE_CONFIG))
        return AUPF_SOURCE_CONFIG;
    if (readable(AUPF_INSTALLED_CONFIG))
        return AUPF_INSTALLED_CONFIG;
    return AUPF_SOURCE_CONFIG;
}

void cli_print_diag(void *ctx, aupf_severity sev, const char *file, int line, const char *rule_id,
                    const char *message) {
    const cli_common *c = ctx;
    if (sev == AUPF_DIAG_WARNING && c->quiet)
        return;
    const char *level = sev == AUPF_DIAG_ERROR ? "error" : "warning";
    if (file && line > 0)
        fprintf(stderr, "%s:%d: %s: ", file, line, level);
    else if (file)
        fprintf(stderr, "%s: %s: ", file, level);
    else
        fprintf(stderr, "aupfilter: %s: ", level);
    if (rule_id)
        fprintf(stderr, "rule %s: ", rule_id);
    fprintf(stderr, "%s\n", message);
}

aupf_ruleset *cli_load(const cli_common *c, bool no_cache) {
    aupf_load_options opts = {.no_cache = no_cache || c->no_cache};
    aupf_ruleset *rs = NULL;
    const char *path = cli_config_path(c);
    int st = aupf_ruleset_load(path, &opts, cli_print_diag, (void *)c, &rs);
    if (st != AUPF_OK) {
        fprintf(stderr, "aupfilter: cannot load %s: %s\n", path, aupf_strerror(st));
        return NULL;
    }
    return rs;
}

bool cli_common_option(cli_common *c, int argc, char **argv, int *i) {
    const char *a = argv[*i];
    if (strcmp(a, "--config") == 0 && *i + 1 < argc) {
        c->config = argv[++*i];
        return true;
    }
    if (strncmp(a, "--config=", 9) == 0) {
        c->config = a + 9;
        return true;
    }
    if (strcmp(a, "--no-cache") == 0) {
        c->no_cache = true;
        return true;
    }
    if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
        c->quiet = true;
        return true;
    }
    return false;
}
