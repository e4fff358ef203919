/* aupfilter-bench's command line (bench_options.h). */
#include "bench_options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const SECTION_NAMES[] = {"startup", "block",   "stream",
                                            "threads", "scaling", "patterns"};

void bench_usage(void) {
    fprintf(stderr,
            "usage: aupfilter-bench [--config FILE] [--corpus JSONL] [--runs N] [--out DIR]\n"
            "                       [--json FILE] [--max-docs N] [--scale N,N,...|none]\n"
            "                       [--threads N] [--cli PATH] [--only SECTION,...]\n"
            "                       [--clock cpu|wall] [--quick]\n"
            "sections: startup, block, stream, threads, scaling (default: these), and\n"
            "patterns (each expression alone, the costliest first)\n");
}

static int parse_sections(const char *s, bench_options *o) {
    o->sections = 0;
    while (*s) {
        size_t n = strcspn(s, ",");
        int found = 0;
        for (int i = 0; i < 6; i++)
            if (strlen(SECTION_NAMES[i]) == n && strncmp(s, SECTION_NAMES[i], n) == 0)
                o->sections |= 1 << i, found = 1;
        if (!found)
            return -1;
        s += n + (s[n] == ',');
    }
    return o->sections ? 0 : -1;
}

static int parse_scale(const char *s, bench_options *o) {
    o->nscale = 0;
    if (strcmp(s, "none") == 0)
        return 0;
    while (*s && o->nscale < BENCH_MAX_SCALE) {
        char *end;
        unsigned long long v = strtoull(s, &end, 10);
        if (end == s || v == 0)
            return -1;
        o->scale[o->nscale++] = (size_t)v;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return -1;
    }
    return 0;
}

int bench_parse_options(int argc, char **argv, bench_options *o) {
    *o = (bench_options){.config = AUPF_SOURCE_CONFIG,
                         .corpus = AUPF_DEFAULT_CORPUS,
                         .out_dir = AUPF_DEFAULT_OUT,
                         .cli = AUPF_CLI,
                         .runs = 5,
                         .sections = S_ALL,
                         .max_threads = (int)sysconf(_SC_NPROCESSORS_ONLN),
                         .scale = {1000, 5000, 20000},
                         .nscale = 3};
    int runs_given = 0, scale_given = 0, docs_given = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--quick") == 0) {
            o->quick = 1;
            continue;
        }
        if (!v)
            return -1;
        i++;
        if (strcmp(a, "--config") == 0)
            o->config = v;
        else if (strcmp(a, "--corpus") == 0)
            o->corpus = v;
        else if (strcmp(a, "--out") == 0)
            o->out_dir = v;
        else if (strcmp(a, "--json") == 0)
            o->json = v;
        else if (strcmp(a, "--cli") == 0)
            o->cli = v;
        else if (strcmp(a, "--runs") == 0)
            runs_given = 1, o->runs = atoi(v);
        else if (strcmp(a, "--max-docs") == 0)
            docs_given = 1, o->max_docs = (size_t)strtoull(v, NULL, 10);
        else if (strcmp(a, "--only") == 0) {
            if (parse_sections(v, o) != 0)
                return -1;
        } else if (strcmp(a, "--clock") == 0) {
            if (strcmp(v, "cpu") != 0 && strcmp(v, "wall") != 0)
                return -1;
            o->clock = strcmp(v, "cpu") == 0 ? BENCH_CLOCK_CPU : BENCH_CLOCK_WALL;
        } else if (strcmp(a, "--threads") == 0)
            o->max_threads = atoi(v);
        else if (strcmp(a, "--scale") == 0) {
            scale_given = 1;
            if (parse_scale(v, o) != 0)
                return -1;
        } else
            return -1;
    }
    if (o->quick) { /* every part once, briefly: a smoke run, not a measurement */
        if (!runs_given)
            o->runs = 1;
        if (!docs_given)
            o->max_docs = 500;
        if (!scale_given) {
            o->scale[0] = 20;
            o->scale[1] = 60;
            o->nscale = 2;
        }
        if (o->max_threads > 2)
            o->max_threads = 2;
    }
    if (o->runs < 1 || o->runs > 1000 || o->max_threads < 1 || o->max_threads > 256)
        return -1;
    return 0;
}
