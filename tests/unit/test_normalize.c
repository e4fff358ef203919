/* Normalization: evasions are caught, spans cover exactly the original
 * bytes the attacker wrote (hidden characters inside included), genuine
 * non-Latin text and meaningful digits stay as they are. */
#include "helpers.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *RULES =
    "rules = (\n"
    "{ id = \"weapons.t.bomb\"; rev = 1; category = \"weapons\"; weight = 0.6;\n"
    "  pattern = \"\\\\bbomb\\\\b\"; roles = [\"prompt\"];\n"
    "  description = \"d\"; matches = [\"bomb\"]; ignores = [\"bombay\"]; },\n"
    "{ id = \"violence.t.kill\"; rev = 1; category = \"violence\"; weight = 0.9;\n"
    "  pattern = \"\\\\bkill\\\\b\"; roles = [\"prompt\"];\n"
    "  description = \"d\"; matches = [\"kill\"]; ignores = [\"skill\"]; },\n"
    "{ id = \"weapons.t.ar15\"; rev = 1; category = \"weapons\"; weight = 0.6;\n"
    "  pattern = \"\\\\bar-?15\\\\b\"; roles = [\"prompt\"];\n"
    "  description = \"d\"; matches = [\"ar-15\"]; ignores = [\"ar\"]; },\n"
    "{ id = \"weapons.t.9mm\"; rev = 1; category = \"weapons\"; weight = 0.6;\n"
    "  pattern = \"\\\\b9mm\\\\b\"; roles = [\"prompt\"];\n"
    "  description = \"d\"; matches = [\"9mm\"]; ignores = [\"9\"]; },\n"
    "{ id = \"weapons.t.ru\"; rev = 1; category = \"weapons\"; weight = 0.6;\n"
    "  pattern = \"\xd0\xb1\xd0\xbe\xd0\xbc\xd0\xb1\xd0\xb0\"; roles = [\"prompt\"];\n"
    "  description = \"d\"; matches = [\"x\"]; ignores = [\"y\"]; }\n"
    ");\n";

typedef struct {
    aupf_ruleset *rs;
    aupf_scanner *s;
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    diag_log log;
    f->rs = test_load_rules(RULES, &log);
    if (!f->rs)
        fail_msg("load failed:\n%s", log.text);
    assert_int_equal(aupf_scanner_new(f->rs, &f->s), AUPF_OK);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    aupf_scanner_free(f->s);
    aupf_ruleset_release(f->rs);
    free(f);
    return 0;
}

static unsigned signal(const aupf_result *r, const char *name) {
    for (size_t i = 0; i < aupf_signal_count(); i++)
        if (strcmp(aupf_signal_name(i), name) == 0)
            return aupf_result_signal(r, i);
    fail_msg("no signal %s", name);
    return 0;
}

/* text = prefix + word + suffix; the match must span exactly the word. */
static void expect_caught(fixture *f, const char *word, const char *rule, const char *signal_name) {
    char text[256];
    snprintf(text, sizeof text, "so %s now", word);
    const aupf_result *r = test_scan(f->s, AUPF_ROLE_PROMPT, text);
    char want[128];
    snprintf(want, sizeof want, "%s@3-%zu", rule, 3 + strlen(word));
    if (strcmp(test_matches(r), want) != 0)
        fail_msg("'%s': got '%s', want '%s'", word, test_matches(r), want);
    aupf_match m;
    aupf_result_match(r, 0, &m);
    if (signal_name) {
        assert_true(m.evasive);
        if (!signal(r, signal_name))
            fail_msg("'%s': no %s signal", word, signal_name);
    }
}

static void evasions_are_caught_with_exact_spans(void **state) {
    fixture *f = *state;
    expect_caught(f, "bomb", "weapons.t.bomb", NULL);
    expect_caught(f, "b0mb", "weapons.t.bomb", "leet");
    expect_caught(f, "k!ll", "violence.t.kill", "leet");
    expect_caught(f, "k1ll", "violence.t.kill", "leet");
    expect_caught(f, "b o m b", "weapons.t.bomb", "spaced_letters");
    expect_caught(f, "b.o.m.b", "weapons.t.bomb", "spaced_letters");
    expect_caught(f, "b-o-m-b", "weapons.t.bomb", "spaced_letters");
    expect_caught(f, "k i l l", "violence.t.kill", "spaced_letters");
    expect_caught(f, "b 0 m b", "weapons.t.bomb", "spaced_letters"); /* leet inside */
    expect_caught(f, "k.1.l.l", "violence.t.kill", "leet");
    expect_caught(f, "boooomb", "weapons.t.bomb", "repeated_letters");
    expect_caught(f, "b\xd0\xbemb", "weapons.t.bomb", "mixed_script");   /* Cyrillic o */
    expect_caught(f, "b\xce\xbfmb", "weapons.t.bomb", "mixed_script");   /* Greek omicron */
    expect_caught(f, "b\xe2\x80\x8bomb", "weapons.t.bomb", "invisible"); /* zero-width space */
    expect_caught(f, "bo\xc2\xadmb", "weapons.t.bomb", "invisible");     /* soft hyphen */
    expect_caught(f, "b\xe2\x80\xaeo\xe2\x80\xacmb", "weapons.t.bomb", "invisible"); /* bidi */
    expect_caught(f, "bo\xef\xb8\x8fmb", "weapons.t.bomb", "invisible"); /* variation selector */
    expect_caught(f, "b\xf3\xa0\x81\x81omb", "weapons.t.bomb", "tag_characters");
    expect_caught(f, "\xef\xbd\x82\xef\xbd\x8f\xef\xbd\x8d\xef\xbd\x82", "weapons.t.bomb",
                  "fullwidth");
    expect_caught(f, "b\xc3\xb6\xc3\xb6\xc3\xb6mb", "weapons.t.bomb", "repeated_letters");
    expect_caught(f, "B\xc3\x93MB", "weapons.t.bomb", NULL);     /* diacritic, upper case */
    expect_caught(f, "bo\xcc\x81mb", "weapons.t.bomb", NULL);    /* combining acute */
    expect_caught(f, "\xe1\xb8\x87omb", "weapons.t.bomb", NULL); /* b with line below */
    /* runs inside a word add nothing, however long they are in a piece */
    char run[256];
    for (int k = 1; k <= 20; k++) {
        size_t l = 0;
        run[l++] = 'k';
        for (int q = 0; q < k; q++, l += 3)
            memcpy(run + l, "\xe2\x80\x8b", 3); /* zero-width space */
        memcpy(run + l, "ill", 4);
        expect_caught(f, run, "violence.t.kill", "invisible");
        l = 0;
        run[l++] = 'b';
        for (int q = 0; q < k; q++, l += 2)
            memcpy(run + l, "\xcc\x81", 2); /* combining acute */
        memcpy(run + l, "omb", 4);
        expect_caught(f, run, "weapons.t.bomb", NULL);
    }
    for (int k = 1; k <= 14; k++) {
        size_t l = 0;
        run[l++] = 'k';
        for (int q = 0; q < k; q++, l += 4)
            memcpy(run + l, "\xf3\xa0\x80\xa1", 4); /* tag character */
        memcpy(run + l, "ill", 4);
        expect_caught(f, run, "violence.t.kill", "tag_characters");
    }
}

static void long_invisible_runs(void **state) {
    (void)state;
    aupf__normalizer *n = aupf__normalizer_new();
    aupf__view v;
    /* a run longer than a piece: its pieces of invisible characters only
     * are one U+FFFD each, mapped to the stretch they cover */
    char t[1024];
    size_t l = 0;
    t[l++] = 'a';
    t[l++] = ' ';
    for (int q = 0; q < 300; q++, l += 3)
        memcpy(t + l, "\xe2\x80\x8b", 3);
    assert_int_equal(aupf__normalize(n, t, l, &v), 0);
    assert_true(v.len > 2 && v.len < 2 + 3 * 300 / 16);
    assert_memory_equal(v.text, "a ", 2);
    for (size_t i = 2; i < v.len; i += 3)
        assert_memory_equal(v.text + i, "\xef\xbf\xbd", 3);
    size_t os, oe;
    aupf__view_map(&v, 2, v.len, &os, &oe);
    assert_true(os >= 2 && os < 2 + 2 * 64);  /* the first piece also holds "a " */
    assert_true(oe <= l && oe + 3 * 16 >= l); /* a last piece of 16 or fewer: nothing */
    /* a short run alone adds nothing */
    assert_int_equal(aupf__normalize(n, "a \xe2\x80\x8b\xe2\x80\x8b b", 10, &v), 0);
    assert_int_equal(v.len, 4);
    assert_memory_equal(v.text, "a  b", 4);
    aupf__normalizer_free(n);
}

static void meaningful_text_is_left_alone(void **state) {
    fixture *f = *state;
    const aupf_result *r = test_scan(f->s, AUPF_ROLE_PROMPT, "an AR-15 and a 9mm");
    assert_string_equal(test_matches(r), "weapons.t.ar15@3-8;weapons.t.9mm@15-18");
    /* genuine Russian matches its own rule; nothing is folded */
    r = test_scan(f->s, AUPF_ROLE_PROMPT,
                  "\xd1\x8d\xd1\x82\xd0\xbe \xd0\xb1\xd0\xbe\xd0\xbc\xd0\xb1\xd0\xb0");
    assert_string_equal(test_matches(r), "weapons.t.ru@7-17");
    assert_int_equal(signal(r, "mixed_script"), 0);
    /* ordinary words: no evasion signals */
    r = test_scan(f->s, AUPF_ROLE_PROMPT, "a skill, www.example.com, World War III, a b testing");
    assert_string_equal(test_matches(r), "");
    for (size_t i = 0; i < aupf_signal_count(); i++)
        assert_int_equal(aupf_result_signal(r, i), 0);
}

static void joiners_kept_where_scripts_need_them(void **state) {
    (void)state;
    aupf__normalizer *n = aupf__normalizer_new();
    assert_non_null(n);
    aupf__view v;
    /* Devanagari with ZWJ (half form) keeps the joiner */
    const char *hi = "\xe0\xa4\x95\xe0\xa5\x8d\xe2\x80\x8d\xe0\xa4\xb7";
    assert_int_equal(aupf__normalize(n, hi, strlen(hi), &v), 0);
    assert_non_null(strstr(v.text, "\xe2\x80\x8d"));
    /* Persian ZWNJ keeps the joiner */
    const char *fa = "\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xb1\xd9\x88\xd9\x85";
    assert_int_equal(aupf__normalize(n, fa, strlen(fa), &v), 0);
    assert_non_null(strstr(v.text, "\xe2\x80\x8c"));
    /* an emoji ZWJ sequence keeps the joiner */
    const char *emoji = "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9";
    assert_int_equal(aupf__normalize(n, emoji, strlen(emoji), &v), 0);
    assert_non_null(strstr(v.text, "\xe2\x80\x8d"));
    /* between Latin letters it is dropped */
    assert_int_equal(aupf__normalize(n,
                                     "ab\xe2\x80\x8d"
                                     "cd",
                                     7, &v),
                     0);
    assert_int_equal(v.len, 4);
    assert_memory_equal(v.text, "abcd", 4);
    aupf__normalizer_free(n);
}

/* The view of text, as a string. */
static const char *view_of(aupf__normalizer *n, const char *text) {
    static char buf[512];
    aupf__view v;
    assert_int_equal(aupf__normalize(n, text, strlen(text), &v), 0);
    assert_true(v.len < sizeof buf);
    memcpy(buf, v.text, v.len);
    buf[v.len] = 0;
    return buf;
}

/* Harakat go from Arabic letters as diacritics go from Latin ones; the
 * letters, tatweel and a mark with no letter before it stay. */
static void arabic_harakat_dropped(void **state) {
    (void)state;
    aupf__normalizer *n = aupf__normalizer_new();
    assert_non_null(n);
    /* "لَكْم" -> "لكم" */
    assert_string_equal(view_of(n, "\xd9\x84\xd9\x8e\xd9\x83\xd9\x92\xd9\x85"),
                        "\xd9\x84\xd9\x83\xd9\x85");
    /* "قاتلاً" -> "قاتلا" (tanwin) */
    assert_string_equal(view_of(n, "\xd9\x82\xd8\xa7\xd8\xaa\xd9\x84\xd8\xa7\xd9\x8b"),
                        "\xd9\x82\xd8\xa7\xd8\xaa\xd9\x84\xd8\xa7");
    /* tatweel stays */
    assert_string_equal(view_of(n, "\xd9\x82\xd9\x80\xd8\xaa\xd9\x84"),
                        "\xd9\x82\xd9\x80\xd8\xaa\xd9\x84");
    aupf__normalizer_free(n);
}

static void spelled_words_and_the_article_a(void **state) {
    (void)state;
    aupf__normalizer *n = aupf__normalizer_new();
    assert_non_null(n);
    /* the rest can begin a word after the article: "a" stays a word */
    assert_string_equal(view_of(n, "make a b o m b now"), "make a bomb now");
    assert_string_equal(view_of(n, "make a e x p l o s i v e"), "make a explosive");
    assert_string_equal(view_of(n, "make a a n t h r a x"), "make a anthrax");
    /* it cannot: the "a" is the spelled word's first letter */
    assert_string_equal(view_of(n, "mail a n t h r a x to"), "mail anthrax to");
    assert_string_equal(view_of(n, "an a r m y of bots"), "an army of bots");
    assert_string_equal(view_of(n, "a fake a c c o u n t"), "a fake account");
    assert_string_equal(view_of(n, "into an a i r p o r t"), "into an airport");
    assert_string_equal(view_of(n, "to a e r o s o l i z e it"), "to aerosolize it");
    /* a trailing "a": the article before a word that can follow it */
    assert_string_equal(view_of(n, "c o m p o s e a notice"), "compose a notice");
    assert_string_equal(view_of(n, "m a t a r a ellos"), "matar a ellos");
    assert_string_equal(view_of(n, "grow s a l v i a."), "grow salvia.");
    /* a French or Italian elision: the vowel after it starts the word */
    assert_string_equal(view_of(n, "crever l'e c r a n"), "crever l'ecran");
    assert_string_equal(view_of(n, "crepa d'i.n.v.i.d.i.a"), "crepa d'invidia");
    /* an English contraction does not: its letter belongs to it */
    assert_string_equal(view_of(n, "I'd b o m b it"), "I'd bomb it");
    assert_string_equal(view_of(n, "it's a b o m b"), "it's a bomb");
    assert_string_equal(view_of(n, "of c o u r s e I'm"), "of course I'm");
    /* leet symbols inside a spelled word of four or more, not at its ends */
    assert_string_equal(view_of(n, "a b 0 m b here"), "a bomb here");
    assert_string_equal(view_of(n, "a 4 x 4 truck"), "a 4 x 4 truck");
    assert_string_equal(view_of(n, "x 1 y and b 0 m 8"), "x 1 y and b 0 m 8");
    aupf__normalizer_free(n);
}

static void offset_map_is_exact(void **state) {
    (void)state;
    aupf__normalizer *n = aupf__normalizer_new();
    aupf__view v;
    /* "ﬁ" (one code point, 3 bytes) folds to "fi": both bytes map to it */
    const char *t = "x\xef\xac\x81y";
    assert_int_equal(aupf__normalize(n, t, strlen(t), &v), 0);
    assert_int_equal(v.len, 4);
    assert_memory_equal(v.text, "xfiy", 4);
    size_t os, oe;
    aupf__view_map(&v, 1, 3, &os, &oe);
    assert_int_equal(os, 1);
    assert_int_equal(oe, 4);
    aupf__view_map(&v, 3, 4, &os, &oe);
    assert_int_equal(os, 4);
    assert_int_equal(oe, 5);
    /* pure ASCII with nothing to fold is its own view */
    const char *plain = "plain text";
    assert_int_equal(aupf__normalize(n, plain, 10, &v), 0);
    assert_true(v.identity);
    assert_ptr_equal(v.text, plain);
    aupf__normalizer_free(n);
}

static void redaction_covers_hidden_characters(void **state) {
    fixture *f = *state;
    /* weapons redacts in the helper configuration */
    const char *text = "a b\xe2\x80\x8bo\xe2\x80\x8bm\xe2\x80\x8b"
                       "b here";
    const aupf_result *r = test_scan(f->s, AUPF_ROLE_PROMPT, text);
    const char *out;
    size_t len;
    assert_int_equal(aupf_apply(f->s, r, text, strlen(text), &out, &len), AUPF_OK);
    assert_string_equal(out, "a [X] here");
}

static void patterns_accept_collapsed_doubles(void **state) {
    (void)state;
    const char *cases[][2] = {
        {"\\bkill\\b", "\\bkill?\\b"},
        {"shoot", "shoo?t"},
        {"\\bbomb", "\\bbomb"}, /* \\b then b is not a double */
        {"[ll]ama", "[ll]ama"}, /* classes are left alone */
        {"all+", "all+"},       /* quantified: left alone */
        {"a{2}ss", "a{2}ss?"},
        {"\\x41\\x41", "\\x41\\x41"},
        {"Ll", "Ll?"},
        {"pass\\w{0,3}", "pass\\w{0,3}"}, /* \\w could take the letter: left alone */
        {"kill\\s{1,3}him", "kill?\\s{1,3}him"},
        {"(kill|bomb)", "(kill?|bomb)"},
        {"shoo.", "shoo."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = aupf__pattern_for_view(cases[i][0]);
        assert_non_null(got);
        if (strcmp(got, cases[i][1]) != 0)
            fail_msg("%s -> %s, want %s", cases[i][0], got, cases[i][1]);
        free(got);
    }
}

/* The view of a text equals the concatenated views of its pieces cut at
 * any safe cuts plus the forced cuts: what lets a stream normalize as it
 * goes and still agree with block mode. */
static void pieces_concatenate_to_the_whole(void **state) {
    (void)state;
    static const char *frag[] = {
        "word",
        "bomb",
        "b0mb",
        "b o m b",
        "kiiill",
        "a",
        "I",
        "x",
        " ",
        " ",
        "  ",
        "\n",
        ".",
        "b\xd0\xbemb",
        "\xe2\x80\x8b",
        "\xcc\x81",
        "\xff",
        "\xef\xbd\x82",
        "\xe7\x82\xb8",
        "\xd0\xb1\xd0\xbe\xd0\xbc\xd0\xb1\xd0\xb0",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "12",
        "!",
        "\xe2\x80\x8b\xe2\x80\x8b\xe2\x80\x8b\xe2\x80\x8b\xe2\x80\x8b\xe2\x80\x8b",
        "ab",
        "\xc4\xbf",     /* U+013F, "l" and a middle dot in the view */
        "\xe2\x92\x9c", /* U+249C, "(a)" */
        "verylongwordwithoutanyspacesatallforquiteawhile"};
    size_t nf = sizeof frag / sizeof frag[0];
    /* "\xc4\xbf" + "a" is two letters in the text but "l\xc2\xb7a" in the
     * view, where "l a b" is a spelled-out word: no cut after it */
    const char *dot_l = "\xc4\xbf"
                        "a b\x87";
    assert_false(aupf__safe_cut(dot_l, strlen(dot_l), 0, 4));
    assert_true(aupf__safe_cut("ab b", 4, 0, 3));
    aupf__normalizer *whole = aupf__normalizer_new(), *parts = aupf__normalizer_new();
    unsigned seed = 12345;
    char text[2048];
    for (int iter = 0; iter < 3000; iter++) {
        size_t len = 0, k = 1 + (seed = seed * 1103515245u + 12345u) % 40;
        for (size_t i = 0; i < k; i++) {
            const char *f = frag[((seed = seed * 1103515245u + 12345u) >> 8) % nf];
            memcpy(text + len, f, strlen(f));
            len += strlen(f);
        }
        aupf__view a, b;
        assert_int_equal(aupf__normalize(whole, text, len, &a), 0);
        /* cut at every safe cut and every forced cut */
        memset(&b, 0, sizeof b);
        aupf__normalizer_reset(parts);
        size_t from = 0, last_forced = 0, forced = aupf__next_forced_cut(text, len, 0);
        for (size_t p = 1; p <= len; p++) {
            if (p == len || p == forced || aupf__safe_cut(text, len, last_forced, p)) {
                assert_int_equal(aupf__normalize_append(parts, text + from, p - from, from, &b), 0);
                if (p == forced) {
                    last_forced = p;
                    forced = aupf__next_forced_cut(text, len, p);
                }
                from = p;
            }
        }
        aupf__normalizer_output(parts, &b);
        size_t d = 0;
        while (d < a.len && d < b.len && a.text[d] == b.text[d])
            d++;
        if (a.len != b.len || memcmp(a.text, b.text, a.len) != 0)
            fail_msg("views differ at %zu for \"%.*s\": \"%.*s\" vs \"%.*s\"", d, (int)len, text,
                     (int)a.len, a.text, (int)b.len, b.text);
        for (size_t i = 0; i < a.len; i++) {
            size_t s1, e1, s2, e2;
            aupf__view_map(&a, i, i + 1, &s1, &e1);
            aupf__view_map(&b, i, i + 1, &s2, &e2);
            assert_int_equal(s1, s2);
            assert_int_equal(e1, e2);
            assert_int_equal(aupf__view_evasive(&a, i, i + 1), aupf__view_evasive(&b, i, i + 1));
        }
        assert_memory_equal(a.signals, b.signals, sizeof a.signals);
        assert_memory_equal(a.letters, b.letters, sizeof a.letters);
    }
    aupf__normalizer_free(whole);
    aupf__normalizer_free(parts);
}

/* The ASCII pre-check reads eight bytes at a time where nothing can
 * happen and byte by byte elsewhere; both must give the same answer and
 * letter count, on texts dense in what it looks for: a letter three times,
 * leet symbols inside words, spelled-out letters, safe cuts and pieces
 * without one, bytes that are not ASCII, and at every alignment. */
static void pre_check_blocks_equal_bytes(void **state) {
    (void)state;
    static const char *const frags[] = {
        "a", "b", "e", "A", "I", "x", "ll", "LL", "o", "k", "s", " ", "  ", "\t", "\n", "\r", ".",
        ",", "-", "_", "*", "/", "+", "~", "|", "0", "1", "3", "4", "7", "!", "@", "$", "'", "?",
        "(", ")", ":", "9", "2", "6", "kill", "bomb", "the", "Word", "\xc3\xa9", "\xe2\x80\x8b",
        "aaa", "zz", "www.", "b 0 m b", "k i l l",
        /* long words: pieces without a safe cut */
        "thequickbrownfoxjumpsoverthelazydog", "QwertyuiopAsdfghjklZxcvbnm", "x-y.z_w"};
    uint64_t rng = 0x5eed;
    char text[400];
    size_t mismatches = 0, kinds[3] = {0};
    for (int n = 0; n < 300000; n++) {
        size_t len = test_random_text(&rng, frags, sizeof frags / sizeof *frags,
                                      1 + test_rand(&rng) % 60, text, sizeof text);
        uint32_t fast_letters, byte_letters;
        int fast = aupf__classify_ascii(text, len, &fast_letters, false);
        int bytewise = aupf__classify_ascii(text, len, &byte_letters, true);
        kinds[bytewise]++;
        if (fast != bytewise || (fast == 0 && fast_letters != byte_letters)) {
            if (mismatches++ < 5)
                printf("\"%.*s\": blocks %d (%u letters), bytes %d (%u letters)\n", (int)len, text,
                       fast, fast_letters, bytewise, byte_letters);
        }
    }
    printf("plain %zu, fold %zu, not ASCII %zu\n", kinds[0], kinds[1], kinds[2]);
    assert_int_equal(mismatches, 0);
    /* every kind of answer was exercised */
    assert_true(kinds[0] > 1000 && kinds[1] > 1000 && kinds[2] > 1000);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(evasions_are_caught_with_exact_spans, setup, teardown),
        cmocka_unit_test_setup_teardown(meaningful_text_is_left_alone, setup, teardown),
        cmocka_unit_test(joiners_kept_where_scripts_need_them),
        cmocka_unit_test(spelled_words_and_the_article_a),
        cmocka_unit_test(arabic_harakat_dropped),
        cmocka_unit_test(long_invisible_runs),
        cmocka_unit_test(offset_map_is_exact),
        cmocka_unit_test(patterns_accept_collapsed_doubles),
        cmocka_unit_test(pieces_concatenate_to_the_whole),
        cmocka_unit_test(pre_check_blocks_equal_bytes),
        cmocka_unit_test_setup_teardown(redaction_covers_hidden_characters, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
