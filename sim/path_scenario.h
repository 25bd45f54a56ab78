// A scenario from a path log: the Markov chain of order K fitted to the
// paths (sim/attribution.h) written as a cjsim scenario, so that what-ifs
// (a CTA change on a channel's touchpoints, a channel switched off) run on
// the user's own journeys (docs/attribution.md "A scenario from the
// paths").
//
// The mapping: one touchpoint per state of the chain (a window of the last
// K channels, on the channel of its last touch), one goal touchpoint for
// the conversion (on a channel of its own), none for null. A state's act
// probability is 1 - P(state -> null); its edges carry the transition
// probabilities to the other states and to the goal divided by it, without
// delay, so that the engine's step `a(u) w(u,v) / W(u)` (docs/model.md
// section 2) is the chain's P(u -> v). The scenario is in single-journey
// form (no channel reaches anyone): every agent enters once, on day 0, at a
// state chosen with the entry weights P(start -> state). The absorption
// probability of the goal is then the chain's conversion probability,
// which `cjsim run --exact` computes; switching a channel off sends every
// transition into its touchpoints to null, the Markov removal.
//
// The text is written by hand rather than by protobuf's printer, to carry
// comments saying where every number came from. Pure functions of their
// arguments; call from any thread.
#ifndef CJSIM_SIM_PATH_SCENARIO_H_
#define CJSIM_SIM_PATH_SCENARIO_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cjsim/v1/scenario.pb.h"
#include "models/path_log.h"
#include "models/scenario_loader.h"
#include "models/status.h"
#include "sim/attribution.h"

namespace cjsim {

// The stage of a channel's touchpoints when --stage does not name it: the
// data say where people went, not where they stood (docs/attribution.md
// gives the reasons).
inline constexpr v1::Stage kDefaultPathStage = v1::CONSIDERATION;
// The stage of the goal touchpoint: where a conversion happens.
inline constexpr v1::Stage kPathGoalStage = v1::DECISION;

struct PathScenarioOptions {
  // Per channel of the log (its id, the index in PathLog::channels): the
  // stage of its touchpoints. Empty, or shorter than the channels: the
  // rest take kDefaultPathStage.
  std::vector<v1::Stage> stages;
  // For the header comment: the command as typed ("" for none).
  std::string command_line;
  // The written text may not be longer (the loader's limit).
  size_t max_bytes = kMaxScenarioBytes;
};

struct PathScenario {
  std::string text;  // the scenario, protobuf text format with comments
  int64_t channels = 0, touchpoints = 0, edges = 0, entries = 0;
  // The ids given to the log's channels (by channel id), to the states
  // (node 1 .. states of the chain; [0] is empty: the start has none), and
  // to the goal touchpoint and its channel.
  std::vector<std::string> channel_ids, state_ids;
  std::string goal_id, goal_channel_id;
};

// Whether the scenario of a chain of `size` states and transitions over the
// channels of `log` stays within the scenario limits (models/limits.h:
// touchpoints, edges, channels), checked from the sizes alone before the
// chain is fitted. A bad-input Status naming the limit otherwise.
Status check_path_scenario_size(const PathLog& log, const OrderCandidate& size);

// The scenario of `chain`, fitted to `log`. A bad-input Status when the log
// has no conversion (the goal could not be reached), or when the scenario
// would pass a limit of models/limits.h or be longer than
// `options.max_bytes` (checked as it is written, so a chain far too large
// is given up early).
// REQUIRES: `chain` is fit_markov_chain(log, K).
Result<PathScenario> path_scenario(const PathLog& log, const MarkovChain& chain,
                                   const PathScenarioOptions& options);

// `name` as an id (models/validation.h is_valid_id): letters, digits, '_',
// '-' and '.' kept, every run of other bytes one '_' ("paid social" is
// "paid_social", "a->b" is "a-_b"). REQUIRES: `name` not empty.
std::string id_from_name(std::string_view name);

}  // namespace cjsim

#endif  // CJSIM_SIM_PATH_SCENARIO_H_
