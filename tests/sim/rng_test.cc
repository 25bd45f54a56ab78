// Random streams: known-answer vectors and the identity contract.

#include <cmath>
#include <set>

#include <doctest/doctest.h>

#include "sim/rng.h"

namespace cjsim::rng {
namespace {

TEST_CASE("rng: Philox4x64-10 reproduces Random123's known-answer vector") {
  // kat_vectors of Random123: counter (243f6a8885a308d3 13198a2e03707344
  // a4093822299f31d0 082efa98ec4e6c89), key (452821e638d01377
  // be5466cf34e90c6c). Our mapping: key = (seed, agent), counter =
  // (replication, stream, day, index).
  Block out = philox(0x452821e638d01377ull, 0x243f6a8885a308d3ull, 0xbe5466cf34e90c6cull,
                     static_cast<Stream>(0x13198a2e03707344ull), 0xa4093822299f31d0ull,
                     0x082efa98ec4e6c89ull);
  CHECK(out[0] == 0xa528f45403e61d95ull);
  CHECK(out[1] == 0x38c72dbd566e9788ull);
  CHECK(out[2] == 0xa5a1610e72fd18b5ull);
  CHECK(out[3] == 0x57bd43b5e52b7fe6ull);
  Block zero = philox(0, 0, 0, static_cast<Stream>(0), 0, 0);
  CHECK(zero[0] == 0x16554d9eca36314cull);
  CHECK(zero[3] == 0x7e68b68aec7ba23bull);
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
  const Block base = philox(1, 2, 3, Stream::kDay, 5, 6);
  std::set<uint64_t> seen = {base[0]};
  seen.insert(philox(9, 2, 3, Stream::kDay, 5, 6)[0]);
  seen.insert(philox(1, 9, 3, Stream::kDay, 5, 6)[0]);
  seen.insert(philox(1, 2, 9, Stream::kDay, 5, 6)[0]);
  seen.insert(philox(1, 2, 3, Stream::kStart, 5, 6)[0]);
  seen.insert(philox(1, 2, 3, Stream::kDay, 9, 6)[0]);
  seen.insert(philox(1, 2, 3, Stream::kDay, 5, 9)[0]);
  CHECK(seen.size() == 7);
  CHECK(philox(1, 2, 3, Stream::kDay, 5, 6) == base);  // and nothing else does
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
