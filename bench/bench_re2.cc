// RE2::Set baseline for aupfilter-bench (bench_re2.h).
#include "bench_re2.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <memory>
#include <new>
#include <string>
#include <vector>

namespace {

struct Set {
    std::unique_ptr<RE2::Set> set;
    std::vector<size_t> trigger; // set index -> trigger index
};

struct Trigger {
    size_t rule;
    std::vector<std::unique_ptr<RE2>> unless;
};

std::string with_flags(const bench_pattern &p) {
    std::string s = "(?";
    if (p.flags & BENCH_FLAG_CASELESS)
        s += 'i';
    if (p.flags & BENCH_FLAG_DOTALL)
        s += 's';
    if (p.flags & BENCH_FLAG_MULTILINE)
        s += 'm';
    if (s.size() == 2)
        return p.expr;
    return s + ")" + p.expr;
}

RE2::Options options(bool utf8) {
    RE2::Options o;
    o.set_encoding(utf8 ? RE2::Options::EncodingUTF8 : RE2::Options::EncodingLatin1);
    o.set_max_mem(int64_t{1} << 31); // the DFA of a large set needs room
    o.set_log_errors(false);
    return o;
}

} // namespace

struct bench_re2 {
    Set sets[2]; // Latin-1, UTF-8
    std::vector<Trigger> triggers;
    std::vector<int> hits;
};

extern "C" bench_re2 *bench_re2_new(const bench_pattern *p, size_t n, unsigned role,
                                    size_t *skipped) try {
    auto b = std::make_unique<bench_re2>();
    for (int e = 0; e < 2; e++)
        b->sets[e].set = std::make_unique<RE2::Set>(options(e == 1), RE2::UNANCHORED);
    *skipped = 0;
    bool last_skipped = false;
    for (size_t i = 0; i < n; i++) {
        if (!(p[i].roles & role))
            continue;
        int e = (p[i].flags & BENCH_FLAG_UTF8) ? 1 : 0;
        std::string expr = with_flags(p[i]);
        if (!p[i].trigger) { // unless patterns follow their trigger
            auto re = std::make_unique<RE2>(expr, options(e == 1));
            if (!re->ok())
                ++*skipped;
            else if (!last_skipped && !b->triggers.empty() && b->triggers.back().rule == p[i].rule)
                b->triggers.back().unless.push_back(std::move(re));
            continue;
        }
        std::string error;
        if (b->sets[e].set->Add(expr, &error) < 0) {
            ++*skipped;
            last_skipped = true;
            continue;
        }
        last_skipped = false;
        b->sets[e].trigger.push_back(b->triggers.size());
        b->triggers.push_back(Trigger{p[i].rule, {}});
    }
    for (int e = 0; e < 2; e++)
        if (!b->sets[e].trigger.empty() && !b->sets[e].set->Compile())
            return nullptr;
    return b->triggers.empty() ? nullptr : b.release();
} catch (const std::bad_alloc &) {
    return nullptr;
}

extern "C" size_t bench_re2_rules(const bench_re2 *b) { return b->triggers.size(); }

extern "C" int bench_re2_run(bench_re2 *b, const bench_corpus *c, uint64_t *hash, size_t *errors) {
    size_t failed = 0;
    b->hits.reserve(b->triggers.size());
    for (size_t d = 0; d < c->count; d++) {
        re2::StringPiece text(c->text[d], c->len[d]);
        uint64_t h = 0;
        for (const Set &s : b->sets) {
            if (s.trigger.empty())
                continue;
            RE2::Set::ErrorInfo info;
            if (!s.set->Match(text, &b->hits, &info)) {
                failed += info.kind != RE2::Set::kNoError;
                continue;
            }
            for (int k : b->hits) {
                const Trigger &t = b->triggers[s.trigger[(size_t)k]];
                h += bench_rule_mix(t.rule);
                for (const auto &u : t.unless)
                    if (RE2::PartialMatch(text, *u))
                        break;
            }
        }
        if (hash)
            hash[d] = h;
    }
    *errors = failed;
    return 0;
}

extern "C" void bench_re2_free(bench_re2 *b) { delete b; }
