// Size budgets: how large a scenario or run may be before it is refused as
// absurd. docs/model.md "Limits" explains where the numbers come from.
#ifndef CJSIM_MODELS_LIMITS_H_
#define CJSIM_MODELS_LIMITS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace cjsim::limits {

inline constexpr int kMaxPersonas = 255;  // agent state keeps persona in a byte
inline constexpr int kMaxChannels = 1000;
inline constexpr int kMaxTouchpoints = 1'000'000;
inline constexpr int kMaxEdges = 10'000'000;
inline constexpr int kMaxHorizonDays = 36'500;  // a century
inline constexpr int kMaxReplications = 1'000'000;
// Ceilings of numbers whose sums and products the engine forms (costs over
// the horizon, impressions, value, weight totals): beyond them a result
// would be infinite or NaN, and no real scenario comes near them.
inline constexpr double kMaxPopulation = 1e10;  // more than live on Earth
inline constexpr double kMaxMoney = 1e15;       // a budget, CPM, value, in any currency
inline constexpr double kMinCpm = 1e-6;         // impressions = spend / CPM stay finite
inline constexpr double kMaxWeight = 1e9;       // a relative weight, share or hourly weight
// The most expected steps (touchpoint visits) of one session walk: people
// take a handful; beyond this a loop is acted on almost surely and would
// keep the engine walking (docs/model.md "Validation").
inline constexpr double kMaxExpectedSessionSteps = 10000;
// Distinct goal kinds (purchase, donation, signup, ...): each person's set
// of kinds reached is a 16-bit mask, for the conversion rate per goal kind.
inline constexpr int kMaxGoalKinds = 16;
// Calendar: events and targets per scenario, and the largest event
// multiplier (a reach or act probability is capped at 1 anyway).
inline constexpr int kMaxEvents = 256;
inline constexpr int kMaxTargets = 256;
inline constexpr double kMaxMultiplier = 1000;
// A channel's posts and the scenario's formats: compiling a publishing plan
// visits each post on each day of the horizon, per persona and format.
inline constexpr int kMaxPostsPerChannel = 100;
inline constexpr int kMaxFormats = 64;
// Repeat models: the scenario-wide one and one per goal kind in
// loyalty.by_goal_kind; the compiled model keeps a goal's model index in a
// byte.
inline constexpr size_t kMaxRepeatModels = 256;
// Agent state is 42 bytes (AgentRecord and the next-event day), plus 16
// for every 64 channels beyond the first 64 (agent_state_bytes), plus 20 of
// customer state with a loyalty block and 2 for word of mouth with
// referrals or customer care: at most 64 with up to 64 channels
// (docs/performance.md). 8 GiB of it at most.
inline constexpr int64_t kAgentStateBytes = 42;
inline constexpr int64_t kCustomerStateBytes = 20;
inline constexpr int64_t kWordOfMouthBytes = 2;
inline constexpr int64_t kMaxStateBytes = int64_t{8} << 30;
inline constexpr int64_t kMaxAgents = kMaxStateBytes / kAgentStateBytes;
// The engine's state per agent without the loyalty block's: AgentRecord
// keeps the channels 0-63 that touched and exposed the agent (a bit each);
// more channels take two more 8-byte words per 64.
constexpr int64_t agent_state_bytes(int64_t channels) {
  return kAgentStateBytes + 2 * 8 * (std::max<int64_t>(1, (channels + 63) / 64) - 1);
}
// Retargeting audiences: at most this many channels have one (a
// touchpoint's audiences are a byte of flags).
inline constexpr int kMaxAudiences = 8;
// The channel memory of frequency caps, fatigue and audiences (docs/model.md
// "Channel memory"): none without them; else the day of the last paid
// exposure (2 bytes), a 2-byte stock per fatigued channel and a 1-byte count
// per capped channel, rounded up to an even size, then per audience the day
// of the last visit and of the next chance of an ad (2 + 2 bytes).
constexpr int64_t channel_memory_bytes(int64_t fatigued, int64_t capped, int64_t audiences = 0) {
  if (fatigued + capped + audiences == 0) return 0;
  const int64_t bytes = 2 + 2 * fatigued + capped;
  return bytes + (bytes & 1) + 4 * audiences;
}
// All of it: with a loyalty block, customer state; with referrals or
// customer care, the word of mouth arriving tomorrow; with caps or fatigue,
// the channel memory.
constexpr int64_t agent_state_bytes(int64_t channels, bool loyalty, bool word_of_mouth,
                                    int64_t memory_bytes = 0) {
  return agent_state_bytes(channels) + (loyalty ? kCustomerStateBytes : 0) +
         (word_of_mouth ? kWordOfMouthBytes : 0) + memory_bytes;
}
static_assert(agent_state_bytes(64, true, true) == 64);
// The budget: 8 fatigued channels, without loyalty, stay in 64 bytes.
static_assert(agent_state_bytes(8, false, false, channel_memory_bytes(8, 0)) <= 64);
// A frequency cap counts up to 255 exposures in a byte.
inline constexpr int kMaxCapExposures = 255;
// Fatigue: per_exposure at most this (exp(-100) is no act at all).
inline constexpr double kMaxFatiguePerExposure = 100;
// Work budget in agent-days (agents x horizon x replications): about 55
// core-hours at the conservative throughput below (docs/performance.md has
// measured figures, several times higher).
inline constexpr double kMaxAgentDays = 2e13;
// Conservative single-core throughput used to put a time on the estimate.
inline constexpr double kAgentDaysPerCoreSecond = 1.0e8;

// The terms one evaluation of a BG/BB likelihood may sum (per row of the
// recency/frequency data, one per period after the last transaction): a
// fit evaluates it up to 20,000 times at about a nanosecond a term, so this
// keeps a fit under a few minutes (docs/model.md "The fit").
inline constexpr double kMaxBgBbLikelihoodTerms = 1e7;

}  // namespace cjsim::limits

#endif  // CJSIM_MODELS_LIMITS_H_
