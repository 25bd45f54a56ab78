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
// The engine takes one Philox block per agent and day on which something
// happens to it; each of the block's four 64-bit lanes serves one purpose
// (Lane). Where a purpose needs more draws, SplitMix64 expands its lane: a
// session's draws come from a SplitMix64 sequence started from the session
// lane, since one Philox block per step would cost several fast draws.
// All types are plain values; use one per thread.
#ifndef CJSIM_SIM_RNG_H_
#define CJSIM_SIM_RNG_H_

#include <array>
#include <cstdint>

#include <Random123/philox.h>

namespace cjsim::rng {

// Named streams (fixed numbers; never assigned by order).
enum class Stream : uint64_t {
  kStart = 1,  // before day 0: the day of the first exposure (lane 0)
  kDay = 2,    // one block per agent and day it is processed; lanes below
};

// The purposes of the four 64-bit lanes of a (agent, kDay, day) block. Each
// purpose always reads its own lane, so a change elsewhere in a variant
// leaves its draws alone (common random numbers).
enum Lane : int {
  kLaneExposureGap = 0,      // the day of the next exposure
  kLaneForgetting = 1,       // stage fall-backs since the last touch (SplitMix64)
  kLaneExposureSources = 2,  // which channels expose today (SplitMix64)
  kLaneSessions = 3,         // seeds of today's sessions
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

// SplitMix64 (Steele, Lea & Flood 2014, "Fast splittable pseudorandom
// number generators", OOPSLA 2014): a fast generator that passes BigCrush,
// started from one 64-bit lane.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t state) : state_(state) {}
  uint64_t operator()() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double next_unit() { return open_unit((*this)()); }

 private:
  uint64_t state_;
};

// The generator of session `index` of a day: SplitMix64 from the session
// lane, each session starting 2^32 steps further along the same sequence
// (the state advances by the odd constant gamma per draw, so the starts
// lane + i * gamma * 2^32 give disjoint windows of 2^32 draws).
inline SplitMix64 session_generator(uint64_t session_lane, uint64_t index) {
  return SplitMix64(session_lane + index * (0x9e3779b97f4a7c15ull << 32));
}

}  // namespace cjsim::rng

#endif  // CJSIM_SIM_RNG_H_
