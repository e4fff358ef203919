/* aupfilter: acceptable-use-policy filter for LLM prompts and completions. */
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f) {
    fputs("usage:\n"
          "  aupfilter [--config FILE] [--input jsonl|lines|text] [--role prompt|completion]\n"
          "            [--apply] [--format json|text|openai|llamaguard] [--max-bytes N] "
          "[--no-cache] [--quiet]\n"
          "      filter stdin to stdout: one verdict line per record; SIGHUP reloads the\n"
          "      configuration between records\n"
          "  aupfilter --input stream [--role completion] [--verdict FILE]\n"
          "      filter a byte stream as it arrives: released text out, final verdict to FILE\n"
          "  aupfilter --input sse [--verdict FILE]\n"
          "      filter an OpenAI-compatible event stream (chat or completions chunks)\n"
          "  aupfilter eval [--config FILE] [--explain] FILE...\n"
          "      precision, recall, F1 and benign false-positive rate on labelled JSONL\n"
          "  aupfilter rules check [--config FILE]\n"
          "      validate the packs and run every rule's own examples\n"
          "  aupfilter rules list [--config FILE]\n"
          "      print the rules\n"
          "  aupfilter --version | --help\n"
          "exit status: 0 ok, 1 some records failed (or checks failed), 2 usage or\n"
          "configuration error, 3 input unreadable or output closed.\n",
          f);
}

int main(int argc, char **argv) {
    /* A closed downstream pipe becomes EPIPE on write: exit cleanly (3). */
    signal(SIGPIPE, SIG_IGN);
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return EXIT_OK;
    }
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("aupfilter %s\n", aupf_version());
        return EXIT_OK;
    }
    if (argc > 1 && strcmp(argv[1], "eval") == 0)
        return cmd_eval(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "rules") == 0)
        return cmd_rules(argc - 1, argv + 1);
    if (argc > 1 && argv[1][0] != '-') {
        fprintf(stderr, "aupfilter: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return EXIT_USAGE;
    }
    return cmd_filter(argc, argv);
}
