/* Builds a rule entry in libconfig syntax for unit tests. PATTERN and the
 * EXTRA settings are written as they would appear in a pack file. */
#ifndef AUPF_TEST_RULES_FIXTURE_H
#define AUPF_TEST_RULES_FIXTURE_H

#define RULE(ID, CATEGORY, PATTERN, WEIGHT, EXTRA)                                                 \
    "{ id = \"" ID "\"; rev = 1; category = \"" CATEGORY "\"; pattern = \"" PATTERN                \
    "\"; weight = " WEIGHT "; roles = [\"prompt\", \"completion\"]; description = \"test\";"       \
    " matches = [\"example\"]; ignores = [\"other\"]; " EXTRA " }"

#endif
