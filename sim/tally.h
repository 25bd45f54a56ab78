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
#include <map>
#include <vector>

#include "models/compiled_model.h"
#include "models/limits.h"
#include "models/stage.h"

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

// Counts of one simulated day that the daily series needs; summed over the
// threads after each day and reset.
struct DayCounts {
  uint64_t first_conversions = 0;  // agents converting for the first time
  uint64_t first_aware = 0;        // agents reaching awareness for the first time
  uint64_t churned = 0;            // customers becoming inactive
  // [goal kind]: agents reaching a goal of that kind for the first time
  // (counted only when the model has two kinds or more).
  std::array<uint64_t, limits::kMaxGoalKinds> first_by_kind{};
};

// The daily series of one replication (docs/results-reference.md), as
// counts of simulated agents at the end of each day.
struct DailySeries {
  std::vector<uint64_t> new_conversions;  // first conversions that day
  std::vector<uint64_t> converted;        // agents converted by the end of the day
  std::vector<uint64_t> aware;            // agents aware at least once by then
  std::vector<uint64_t> active_customers;
  std::vector<double> open_complaints;  // real complaints unanswered at the end of the day
  // With comments: real negative comments unanswered at the end of the day.
  std::vector<double> open_comments;
  // [day * goal kinds + kind]: first_by_kind of each day, with two goal
  // kinds or more (with one, new_conversions is it).
  std::vector<uint64_t> new_conversions_by_kind;
  // Running totals at the end of each day, for KPIs over a window of days
  // and targets (sim/window.h): [day * G + g] the goal events at the g-th
  // goal touchpoint (CompiledModel::goal_touchpoints, G of them) and the
  // repeats of the customers it made; [day * channels + c] each channel's
  // paid and organic exposures.
  std::vector<uint64_t> goal_events_through, repeats_through, paid_through, organic_through;
  // With retargeting audiences: [day * audiences + a] the agents in
  // audience a at the start of the day (docs/model.md "Retargeting
  // audiences").
  std::vector<uint64_t> audience_members;
};

// Customer care and word of mouth (docs/model.md "Loyalty").
struct LoyaltyCounts {
  uint64_t repeats = 0;                   // repeat conversions (kind "repeat")
  std::vector<uint64_t> repeats_by_goal;  // [touchpoint that made the customer]
  uint64_t repeated_customers = 0;        // customers with at least one repeat
  uint64_t churned = 0;                   // customers inactive by the horizon
  uint64_t complaints = 0;                // simulated
  // In real complaints (a simulated complaint is a batch, sim/care_queue.h);
  // summed only by the end-of-day step, in a fixed order.
  double answered = 0;
  double answered_in_sla = 0;
  double sla_missed = 0;     // still unanswered when the SLA passed
  double response_days = 0;  // days to the answer, summed over what was answered
  uint64_t referrals = 0;
  uint64_t praises = 0;
  uint64_t referred_conversions = 0;  // goal events in sessions a referral started
  // Kaplan-Meier inputs: churns by age (days since converting), and churns
  // by the day the churned customer converted.
  std::vector<uint64_t> churn_age, churned_by_conversion_day;
};

// Conversions credited to the channels that touched the converter
// (docs/model.md "Channel credit"), keyed by channel * touchpoints + the
// goal touchpoint, so that the value follows from the goal's value.
// Ordered maps: conversions are rare, few pairs occur, and the merge and
// the read-out go in key order.
struct CreditCounts {
  std::map<uint64_t, uint64_t> first_touch, last_touch, assisted;
  bool operator==(const CreditCounts&) const = default;
};

struct ReplicationCounts {
  uint64_t converted_agents = 0;  // agents with at least one conversion
  // [goal kind]: agents who reached a goal of that kind at least once, with
  // two goal kinds or more (with one, converted_agents).
  std::array<uint64_t, limits::kMaxGoalKinds> converted_by_kind{};
  uint64_t exposed_agents = 0;        // agents exposed at least once
  std::array<uint64_t, kStageSlots> reached{};  // [stage]: agents whose furthest stage >= stage
  // While a replication runs, the engine counts each move of an agent's
  // furthest stage from s to t as +1 at t and -1 (wrapping) at s, which is
  // cheaper per session than updating `reached`; finish() turns the moves
  // into `reached`.
  std::array<uint64_t, kStageSlots> furthest_moves{};
  std::vector<TouchpointCounts> touchpoints;
  std::vector<uint64_t> channel_paid, channel_organic;  // exposures
  std::vector<uint64_t> channel_reach;  // agents exposed by the channel at least once
  // Paid exposures a frequency cap stopped (docs/model.md "Frequency caps").
  std::vector<uint64_t> channel_capped;
  // Privacy backlash (docs/model.md "Privacy backlash"): [channel] agents
  // who opted out of its ads; agents who saw a retargeting ad, and those
  // who opted out of at least one channel's.
  std::vector<uint64_t> channel_opt_outs;
  uint64_t retargeted_agents = 0, opted_out_agents = 0;
  // Comments that reach brought (docs/model.md "Comments and moderation"),
  // real people in expectation: [channel] all and negative; the negative
  // ones answered; and the most negative comments open at a day's end.
  std::vector<double> channel_comments, channel_negative_comments;
  double comments_answered = 0, moderation_backlog = 0;
  CreditCounts credit;
  std::vector<uint64_t> persona_converted, persona_conversions;
  uint64_t walk_steps = 0;
  uint64_t sessions = 0;
  uint64_t truncated_sessions = 0;  // stopped at the step limit
  LoyaltyCounts loyalty;
  DailySeries series;  // set by the engine's end-of-day step; add() leaves it
  DayCounts today;     // the current day, while a replication runs
  // While a replication runs: [audience * (horizon + 1) + day] the change
  // in the audience's members at the start of that day (wrapping, as
  // furthest_moves), which the end-of-day step sums over the threads; add()
  // leaves it and finish() frees it.
  std::vector<uint64_t> audience_moves;

  ReplicationCounts() = default;
  explicit ReplicationCounts(const CompiledModel& model);
  void add(const ReplicationCounts& other);
  // Turns the engine's running form into the reported counts, once all
  // partial counts of a replication are added: reached[s] += the sum of
  // furthest_moves[t] for t >= s, acts = visits - declines. Idempotent.
  void finish();
  uint64_t conversions() const;
  // Frees the day-by-day series, for studies that report none but keep
  // every replication's counts for pairing (compare): 8 bytes per day and
  // series per replication. The KPIs do not use them.
  void drop_daily_series() { series = {}; }
};

}  // namespace cjsim

#endif  // CJSIM_SIM_TALLY_H_
