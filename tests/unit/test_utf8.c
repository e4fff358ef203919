/* UTF-8 validation and code point boundaries. */
#include "helpers.h"
#include "i18n/utf8.h"

#include <string.h>

static bool valid(const char *s, size_t n) { return aupf__utf8_valid(s, n, NULL); }

static void accepts_valid_text(void **state) {
    (void)state;
    assert_true(valid("", 0));
    assert_true(valid("plain ascii text that is long enough", 36));
    assert_true(valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14));
    assert_true(valid("\xef\xbf\xbf\xf4\x8f\xbf\xbf", 7)); /* U+FFFF, U+10FFFF */
    assert_true(valid("a\0b", 3));
}

static void rejects_invalid_text(void **state) {
    (void)state;
    size_t bad = 99;
    assert_false(aupf__utf8_valid("abcdefghij\xff", 11, &bad));
    assert_int_equal(bad, 10);
    assert_false(valid("\xc0\xaf", 2));         /* overlong '/' */
    assert_false(valid("\xe0\x80\xaf", 3));     /* overlong */
    assert_false(valid("\xf0\x80\x80\xaf", 4)); /* overlong */
    assert_false(valid("\xed\xa0\x80", 3));     /* surrogate */
    assert_false(valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
    assert_false(valid("\xc3", 1));             /* truncated */
    assert_false(valid("\xe2\x82", 2));         /* truncated */
    assert_false(valid("\x80", 1));             /* lone continuation */
    assert_false(valid("\xc3\x28", 2));         /* bad continuation */
    assert_false(aupf__utf8_valid("ok \xe2\x28\xa1", 6, &bad));
    assert_int_equal(bad, 3);
}

static void boundaries(void **state) {
    (void)state;
    const char *s = "a\xe2\x82\xac"
                    "b"; /* a € b */
    assert_int_equal(aupf__utf8_floor(s, 5, 2), 1);
    assert_int_equal(aupf__utf8_floor(s, 5, 3), 1);
    assert_int_equal(aupf__utf8_floor(s, 5, 4), 4);
    assert_int_equal(aupf__utf8_ceil(s, 5, 2), 4);
    assert_int_equal(aupf__utf8_ceil(s, 5, 5), 5);
    assert_true(aupf__is_ascii("hello world, plain", 18));
    assert_false(aupf__is_ascii(s, 5));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_valid_text),
        cmocka_unit_test(rejects_invalid_text),
        cmocka_unit_test(boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
