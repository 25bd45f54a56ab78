// Alias tables: the exact probability of every item, computed from the
// columns over all 2^32 coins, equals its weight share.

#include <cstdint>
#include <vector>

#include <doctest/doctest.h>

#include "models/alias_table.h"

namespace cjsim {
namespace {

std::vector<double> exact_probabilities(const std::vector<AliasColumn>& columns, size_t items) {
  std::vector<double> p(items, 0.0);
  const double column_mass = 1.0 / static_cast<double>(columns.size());
  for (const AliasColumn& c : columns) {
    const double keep = static_cast<double>(c.threshold) / 4294967296.0;
    p[c.primary] += column_mass * (c.primary == c.alias ? 1.0 : keep);
    if (c.primary != c.alias) p[c.alias] += column_mass * (1 - keep);
  }
  return p;
}

TEST_CASE("alias table: items are picked with their weight shares") {
  const std::vector<std::vector<double>> cases = {
      {1}, {1, 1}, {1, 2, 3}, {0.1, 0, 5, 2.5, 0}, {3, 1, 4, 1, 5, 9, 2, 6, 5}};
  for (const auto& weights : cases) {
    CAPTURE(weights.size());
    std::vector<AliasColumn> columns = build_alias_table(weights);
    const size_t size = columns.size();
    CHECK((size & (size - 1)) == 0);  // a power of two
    CHECK(size >= weights.size());
    CHECK(size == (size_t{1} << alias_table_log2_size(weights.size())));
    double total = 0;
    for (double w : weights) total += w;
    std::vector<double> p = exact_probabilities(columns, weights.size());
    for (size_t i = 0; i < weights.size(); ++i) {
      CHECK(p[i] == doctest::Approx(weights[i] / total).epsilon(1e-9));
      if (weights[i] == 0) CHECK(p[i] == 0);
    }
  }
}

// Regression: padding columns named their own (out-of-range) index as the
// primary, and the compiler mapped it through the per-edge array: a heap
// over-read for every touchpoint whose edge count is not a power of two.
TEST_CASE("alias table: every index in every column, padding included, is an item") {
  for (size_t n = 1; n <= 33; ++n) {
    std::vector<double> weights(n);
    for (size_t i = 0; i < n; ++i) weights[i] = static_cast<double>((i * 7) % 5);  // some 0
    weights[n - 1] = 1;
    CAPTURE(n);
    for (const AliasColumn& c : build_alias_table(weights)) {
      CHECK(c.primary < n);
      CHECK(c.alias < n);
      if (c.threshold > 0) CHECK(weights[c.primary] > 0);
      CHECK(weights[c.alias] > 0);
    }
  }
}

TEST_CASE("alias table: picks use the high bits for the column and the low 32 for the coin") {
  std::vector<AliasColumn> columns = build_alias_table(std::vector<double>{1, 3});
  // Column 0 (item 0, mass 0.5) aliases to item 1.
  REQUIRE(columns[0].primary == 0);
  CHECK(alias_pick(columns.data(), 1, 0x0000000000000000ull) == 0);  // coin 0 keeps
  CHECK(alias_pick(columns.data(), 1, 0x00000000ffffffffull) == 1);  // coin max aliases
  CHECK(alias_pick(columns.data(), 1, 0x8000000000000000ull) == 1);  // column 1: item 1
  std::vector<AliasColumn> single = build_alias_table(std::vector<double>{2});
  CHECK(alias_pick(single.data(), 0, 0xdeadbeefdeadbeefull) == 0);
}

}  // namespace
}  // namespace cjsim
