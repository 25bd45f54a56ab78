// ReplicationCounts: what one replication counted, as integers.
//
// Counts are integers so that adding per-thread partial counts gives the same
// result in any order: determinism across thread counts needs no fixed
// reduction order. One object per thread while a replication runs; merged
// after the threads join.
#ifndef CJSIM_SIM_TALLY_H_
#define CJSIM_SIM_TALLY_H_

#include <array>
#include <cstdint>
#include <vector>

#include "models/compiled_model.h"

namespace cjsim {

struct TouchpointCounts {
  uint64_t visits = 0;
  uint64_t acts = 0;
  uint64_t conversions = 0;
  // Visits that did not act. The engine counts these (at most once per
  // session) instead of acts (once per step); finish() sets acts = visits -
  // declines.
  uint64_t declines = 0;
  bool operator==(const TouchpointCounts&) const = default;
};

struct ReplicationCounts {
  uint64_t converted_agents = 0;      // agents with at least one conversion
  uint64_t exposed_agents = 0;        // agents exposed at least once
  std::array<uint64_t, 5> reached{};  // [stage]: agents whose furthest stage >= stage
  // While a replication runs, the engine counts each move of an agent's
  // furthest stage from s to t as +1 at t and -1 (wrapping) at s, which is
  // cheaper per session than updating `reached`; finish() turns the moves
  // into `reached`.
  std::array<uint64_t, 5> furthest_moves{};
  std::vector<TouchpointCounts> touchpoints;
  std::vector<uint64_t> channel_paid, channel_organic;  // exposures
  std::vector<uint64_t> persona_converted, persona_conversions;
  uint64_t walk_steps = 0;
  uint64_t sessions = 0;
  uint64_t truncated_sessions = 0;  // stopped at the step limit

  ReplicationCounts() = default;
  explicit ReplicationCounts(const CompiledModel& model);
  void add(const ReplicationCounts& other);
  // Turns the engine's running form into the reported counts, once all
  // partial counts of a replication are added: reached[s] += the sum of
  // furthest_moves[t] for t >= s, acts = visits - declines. Idempotent.
  void finish();
  uint64_t conversions() const;
};

}  // namespace cjsim

#endif  // CJSIM_SIM_TALLY_H_
