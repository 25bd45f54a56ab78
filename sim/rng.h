// Random numbers by identity.
//
// Every draw in a simulation is addressed by (seed, replication, agent,
// stream, event, index): a Philox2x64-10 pair (Salmon et al. 2011, "Parallel
// random numbers: as easy as 1, 2, 3", SC'11) with key seed and counter
// (agent, replication, event, stream, index) packed into its two 64-bit
// words. No draw depends on the thread, task or order in which agents are
// processed, so results are bit-identical for any thread count and any split
// of replications; and baseline and variants draw the same numbers for the
// same (replication, agent, stream, event), which gives common random
// numbers for free.
//
// Draws are keyed by the agent's events, not by the calendar: the k-th day
// on which an agent is exposed takes the block (agent, kExposure, k), four
// 64-bit lanes made of two pairs (index 0 and 1), each lane serving one
// purpose (Lane); the k-th day on which it returns from a delayed edge takes
// the pair (agent, kReturn, k). When a variant moves an agent's exposures by
// a few days (a budget change shifts the exposure hazard), its k-th exposure
// still draws what the baseline's k-th drew, so the arms of a comparison stay
// synchronised and their paired difference keeps its low variance. Where a
// purpose needs more draws, SplitMix64 expands its lane: a session's draws
// come from a SplitMix64 sequence started from the session lane, since one
// Philox call per step would cost several fast draws. All types are plain
// values; use one per thread.
#ifndef CJSIM_SIM_RNG_H_
#define CJSIM_SIM_RNG_H_

#include <array>
#include <cstdint>

#include <Random123/philox.h>

#include "models/limits.h"

namespace cjsim::rng {

// Named streams (fixed numbers; never assigned by order).
enum class Stream : uint64_t {
  kStart = 1,         // before day 0: the day of the first exposure (lane 0)
  kExposure = 3,      // the k-th exposure day of an agent: a block, lanes below
  kReturn = 4,        // the k-th return day (delayed edge, or the day-0 entry)
  kCustomer = 5,      // a customer's lambda and p (or p and theta), drawn once
  kLoyaltyEvent = 6,  // the k-th repeat, complaint or referral of a customer
  kOpportunity = 7,   // the k-th BG/BB opportunity of a customer
  kCareOutcome = 8,   // a complaint's fate (by its event): churn, praise
  kWordOfMouth = 9,   // the referral and praise sessions of an agent's day
  // The parameter sets of a run with uncertain parameters: keyed by (seed,
  // draw, the uncertain field's path), never by an agent or replication
  // (sim/parameter_draws.h).
  kParameterDraw = 10,
  // The joint draws `cjsim calibrate` writes from the fitted parameters'
  // normal approximation: keyed by (seed, draw, attempt), never by an agent
  // (sim/calibration.h).
  kCalibrationDraw = 11,
  // Retargeting audiences (docs/model.md "Retargeting audiences"): the
  // agent's chance of an ad on a day, by (day x 8 + audience), a block with
  // the lanes below; and the first chance after the agent joins, by the
  // same key (the chance of a not_converted audience everyone starts in:
  // kAudienceJoinedAtStart + audience).
  kAudienceChance = 12,
  kAudienceJoin = 13,
};
inline constexpr uint64_t kAudienceJoinedAtStart = uint64_t{1} << 32;

// The purposes of the four 64-bit lanes of an exposure block. Each purpose
// always reads its own lane, so a change elsewhere in a variant leaves its
// draws alone (common random numbers). Lanes 0 and 1 are pair index 0,
// lanes 2 and 3 pair index 1.
enum Lane : int {
  kLaneExposureGap = 0,      // the day of the next exposure
  kLaneForgetting = 1,       // stage fall-backs since the last touch (SplitMix64)
  kLaneExposureSources = 2,  // which channels expose today (SplitMix64)
  kLaneSessions = 3,         // seeds of the day's sessions
};

// The lanes of a return pair: the seed of its session, and the pick of the
// entry touchpoint on day 0 of the single-journey form.
inline constexpr int kPairSessions = 0;
inline constexpr int kPairEntry = 1;

using Pair = std::array<uint64_t, 2>;
using Block = std::array<uint64_t, 4>;

// The identity fits the counter's 128 bits: agent and replication in the
// first word, event, stream and index in the second. Events number an
// agent's days (at most one exposure and one return per day).
static_assert(limits::kMaxAgents <= (int64_t{1} << 32));
static_assert(limits::kMaxReplications <= (int64_t{1} << 32));
static_assert(limits::kMaxHorizonDays <= (int64_t{1} << 32));
inline constexpr uint64_t kMaxStream = 0xff;
inline constexpr uint64_t kMaxIndex = 0xffffff;

// REQUIRES: agent, replication, event < 2^32; stream <= kMaxStream; index
// <= kMaxIndex (validation keeps sizes inside models/limits.h).
inline Pair philox(uint64_t seed, uint64_t replication, uint64_t agent, Stream stream,
                   uint64_t event, uint64_t index) {
  r123::Philox2x64 generator;
  r123::Philox2x64::ctr_type counter = {
      {agent | (replication << 32), event | (static_cast<uint64_t>(stream) << 32) | (index << 40)}};
  r123::Philox2x64::key_type key = {{seed}};
  r123::Philox2x64::ctr_type out = generator(counter, key);
  return {out.v[0], out.v[1]};
}

// The block of (agent, stream, event): pairs 0 and 1.
inline Block block(uint64_t seed, uint64_t replication, uint64_t agent, Stream stream,
                   uint64_t event) {
  const Pair low = philox(seed, replication, agent, stream, event, 0);
  const Pair high = philox(seed, replication, agent, stream, event, 1);
  return {low[0], low[1], high[0], high[1]};
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

// floor(bits x n / 2^64): a uniform index in [0, n) from 64 random bits
// (Lemire 2019, "Fast random integer generation in an interval", ACM TOMACS
// 29(1)); the bias is below n / 2^64. The high half of the 128-bit product
// is Random123's mulhilo64, exact on every platform Random123 supports.
inline uint64_t uniform_index(uint64_t bits, uint64_t n) {
  uint64_t high = 0;
  mulhilo64(bits, n, &high);
  return high;
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

// The generator of session `index` of an exposure day: SplitMix64 from the session
// lane, each session starting 2^32 steps further along the same sequence
// (the state advances by the odd constant gamma per draw, so the starts
// lane + i * gamma * 2^32 give disjoint windows of 2^32 draws).
inline SplitMix64 session_generator(uint64_t session_lane, uint64_t index) {
  return SplitMix64(session_lane + index * (0x9e3779b97f4a7c15ull << 32));
}

}  // namespace cjsim::rng

#endif  // CJSIM_SIM_RNG_H_
