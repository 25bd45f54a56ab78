// Random numbers by identity.
//
// Every draw in a simulation is addressed by (seed, replication, agent,
// stream, day, index): a Philox4x64-10 block (Salmon et al. 2011, "Parallel
// random numbers: as easy as 1, 2, 3", SC'11) with key (seed, agent) and
// counter (replication, stream, day, index). No draw depends on the thread,
// task or order in which agents are processed, so results are bit-identical
// for any thread count and any split of replications; and baseline and
// variants draw the same numbers for the same (replication, agent, day),
// which gives common random numbers for free.
//
// Within a session, where one Philox block per step would cost about twice a
// fast generator's draw, the block seeds an xoshiro256++ generator (Blackman
// & Vigna 2021, "Scrambled linear pseudorandom number generators", ACM TOMS
// 47(4)) that makes the session's draws. All types are plain values; use one
// per thread.
#ifndef CJSIM_SIM_RNG_H_
#define CJSIM_SIM_RNG_H_

#include <array>
#include <cstdint>

#include <Random123/philox.h>

namespace cjsim::rng {

// Named streams: one per purpose, fixed numbers (never assign by order).
enum class Stream : uint64_t {
  kEntry = 1,            // single-journey entry touchpoint, day 0
  kExposureGap = 2,      // day of the next exposure
  kExposureSources = 3,  // which channels expose on an exposure day
  kSession = 4,          // landing, acts, edges and delays of one session
  kForget = 5,           // day of the next fall back a stage
};

using Block = std::array<uint64_t, 4>;

inline Block philox(uint64_t seed, uint64_t replication, uint64_t agent, Stream stream,
                    uint64_t day, uint64_t index) {
  r123::Philox4x64 generator;
  r123::Philox4x64::ctr_type counter = {{replication, static_cast<uint64_t>(stream), day, index}};
  r123::Philox4x64::key_type key = {{seed, agent}};
  r123::Philox4x64::ctr_type out = generator(counter, key);
  return {out.v[0], out.v[1], out.v[2], out.v[3]};
}

// Uniform in the open interval (0, 1) from the top 52 bits: the midpoints
// k + 1/2 of 2^52 cells, so that neither end can round to 0 or 1.
inline double open_unit(uint64_t bits) {
  return (static_cast<double>(bits >> 12) + 0.5) * 0x1.0p-52;
}

// Uniform in (0, 1) from the low 32 bits.
inline double open_unit32(uint64_t bits) {
  return (static_cast<double>(static_cast<uint32_t>(bits)) + 0.5) * 0x1.0p-32;
}

// xoshiro256++ seeded from one Philox block.
class Xoshiro256pp {
 public:
  explicit Xoshiro256pp(const Block& seed) : s_(seed) {
    if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;  // the one bad state
  }
  uint64_t operator()() {
    const uint64_t result = rotl(s_[0] + s_[3], 23) + s_[0];
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  Block s_;
};

// A short sequence of uniforms from consecutive Philox blocks of one
// (seed, replication, agent, stream, day): four per block.
class Uniforms {
 public:
  Uniforms(uint64_t seed, uint64_t replication, uint64_t agent, Stream stream, uint64_t day)
      : seed_(seed), replication_(replication), agent_(agent), stream_(stream), day_(day) {}
  double next() {
    if (used_ == 4) {
      block_ = philox(seed_, replication_, agent_, stream_, day_, index_++);
      used_ = 0;
    }
    return open_unit(block_[used_++]);
  }

 private:
  uint64_t seed_, replication_, agent_;
  Stream stream_;
  uint64_t day_;
  uint64_t index_ = 0;
  Block block_{};
  int used_ = 4;
};

}  // namespace cjsim::rng

#endif  // CJSIM_SIM_RNG_H_
