// Size budgets: how large a scenario or run may be before it is refused as
// absurd. docs/model.md "Limits" explains where the numbers come from.
#ifndef CJSIM_MODELS_LIMITS_H_
#define CJSIM_MODELS_LIMITS_H_

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
// of kinds reached is a 32-bit mask, for the conversion rate per goal kind.
inline constexpr int kMaxGoalKinds = 32;
// Repeat models: the scenario-wide one and one per goal kind in
// loyalty.by_goal_kind; a customer keeps its model's index in a byte.
inline constexpr size_t kMaxRepeatModels = 256;
// Agent state is 28 bytes (AgentRecord and the next-event day), plus 32 of
// customer state with a loyalty block (docs/performance.md); 8 GiB of it at
// most.
inline constexpr int64_t kAgentStateBytes = 28;
inline constexpr int64_t kCustomerStateBytes = 32;
inline constexpr int64_t kMaxStateBytes = int64_t{8} << 30;
inline constexpr int64_t kMaxAgents = kMaxStateBytes / kAgentStateBytes;
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
