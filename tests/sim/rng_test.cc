// Random streams: known-answer vectors and the identity contract.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>

#include <doctest/doctest.h>

#include "sim/rng.h"

namespace cjsim::rng {
namespace {

TEST_CASE("rng: Philox2x64-10 reproduces Random123's known-answer vectors") {
  // kat_vectors of Random123: counter (243f6a8885a308d3 13198a2e03707344),
  // key a4093822299f31d0 -> (0a5e742c2997341c b0f883d38000de5d). Our packing:
  // key = seed, counter = (agent | replication << 32, day | stream << 32 |
  // index << 40).
  Pair out = philox(0xa4093822299f31d0ull, 0x243f6a88, 0x85a308d3, static_cast<Stream>(0x2e),
                    0x03707344, 0x13198a);
  CHECK(out[0] == 0x0a5e742c2997341cull);
  CHECK(out[1] == 0xb0f883d38000de5dull);
  Pair zero = philox(0, 0, 0, static_cast<Stream>(0), 0, 0);
  CHECK(zero[0] == 0xca00a0459843d731ull);
  CHECK(zero[1] == 0x66c24222c9a845b5ull);
}

TEST_CASE("rng: a block is two pairs") {
  const Block whole = block(7, 3, 11, Stream::kExposure, 5);
  const Pair low = philox(7, 3, 11, Stream::kExposure, 5, 0);
  const Pair high = philox(7, 3, 11, Stream::kExposure, 5, 1);
  CHECK(whole == Block{low[0], low[1], high[0], high[1]});
}

TEST_CASE("rng: SplitMix64 matches the reference implementation") {
  // Outputs of Vigna's splitmix64.c seeded with 1234567.
  SplitMix64 s(1234567);
  CHECK(s() == 6457827717110365317ull);
  CHECK(s() == 3203168211198807973ull);
  CHECK(s() == 9817491932198370423ull);
}

TEST_CASE("rng: sessions of one day get distinct generators") {
  SplitMix64 a = session_generator(42, 0), b = session_generator(42, 1);
  SplitMix64 again = session_generator(42, 0);
  const uint64_t first = a();
  CHECK(first != b());
  CHECK(first == again());
  // Session 1 starts 2^32 draws along session 0's sequence.
  SplitMix64 along(42 + (0x9e3779b97f4a7c15ull << 32));
  CHECK(along() == session_generator(42, 1)());
}

TEST_CASE("rng: every part of a draw's identity changes the draw") {
  const Pair base = philox(1, 2, 3, Stream::kExposure, 5, 6);
  std::set<uint64_t> seen = {base[0]};
  seen.insert(philox(9, 2, 3, Stream::kExposure, 5, 6)[0]);
  seen.insert(philox(1, 9, 3, Stream::kExposure, 5, 6)[0]);
  seen.insert(philox(1, 2, 9, Stream::kExposure, 5, 6)[0]);
  seen.insert(philox(1, 2, 3, Stream::kStart, 5, 6)[0]);
  seen.insert(philox(1, 2, 3, Stream::kExposure, 9, 6)[0]);
  seen.insert(philox(1, 2, 3, Stream::kExposure, 5, 9)[0]);
  // The packed fields do not run into each other at their limits.
  seen.insert(philox(1, 2, 0xffffffff, Stream::kExposure, 5, 6)[0]);
  seen.insert(philox(1, limits::kMaxReplications, 3, Stream::kExposure, 5, 6)[0]);
  seen.insert(philox(1, 2, 3, Stream::kExposure, 0xffffffff, 6)[0]);
  seen.insert(philox(1, 2, 3, static_cast<Stream>(kMaxStream), 5, 6)[0]);
  seen.insert(philox(1, 2, 3, Stream::kExposure, 5, kMaxIndex)[0]);
  CHECK(seen.size() == 12);
  CHECK(philox(1, 2, 3, Stream::kExposure, 5, 6) == base);  // and nothing else does
}

// floor(bits x n / 2^64) by schoolbook multiplication of 32-bit halves: an
// independent reference for the library's 128-bit product.
uint64_t high_half_by_halves(uint64_t bits, uint64_t n) {
  constexpr uint64_t kLow = 0xffffffffull;
  const uint64_t p0 = (bits & kLow) * (n & kLow), p1 = (bits & kLow) * (n >> 32);
  const uint64_t p2 = (bits >> 32) * (n & kLow), p3 = (bits >> 32) * (n >> 32);
  const uint64_t carry = ((p0 >> 32) + (p1 & kLow) + (p2 & kLow)) >> 32;
  return p3 + (p1 >> 32) + (p2 >> 32) + carry;
}

TEST_CASE("rng: uniform_index is the high half of the exact 128-bit product") {
  // The edges, where a carry or a truncation would show.
  const uint64_t all = ~0ull;
  CHECK(uniform_index(0, all) == 0);
  CHECK(uniform_index(all, all) == all - 1);  // (2^64 - 1)^2 = 2^128 - 2^65 + 1
  CHECK(uniform_index(all, 1) == 0);
  CHECK(uniform_index(1ull << 63, 12345) == 6172);
  CHECK(uniform_index(all, 1000) == 999);
  // Random operands, including ones whose partial products carry.
  SplitMix64 numbers(20241206);
  for (int i = 0; i < 100000; ++i) {
    const uint64_t bits = numbers(), n = numbers() >> (i % 64);
    CAPTURE(bits);
    CAPTURE(n);
    REQUIRE(uniform_index(bits, n) == high_half_by_halves(bits, n));
    REQUIRE(uniform_index(bits, n) < std::max<uint64_t>(n, 1));
  }
}

TEST_CASE("rng: uniforms are strictly inside (0, 1) and cover it evenly") {
  CHECK(open_unit(0) > 0);
  CHECK(open_unit(~0ull) < 1);
  CHECK(open_unit32(0) > 0);
  CHECK(open_unit32(0xffffffffull) < 1);
  // Mean of many uniforms: 1/2 within 4.5 standard errors (sd 1/sqrt(12)).
  SplitMix64 u(7);
  const int n = 100000;
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += u.next_unit();
  CHECK(std::abs(sum / n - 0.5) < 4.5 * 0.288675 / std::sqrt(n));
}

}  // namespace
}  // namespace cjsim::rng
