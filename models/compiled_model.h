// CompiledModel: a validated scenario (variant applied) turned into flat,
// cache-friendly arrays for the simulation's hot loop.
//
// Everything the engine needs per step is precomputed here: act thresholds
// per persona and touchpoint, padded alias tables for edge and landing
// choices, and per persona and day the probability of each exposure source
// with its cumulative hazard. Compile once, simulate many times. Immutable
// after compile(); any number of threads may read it.
#ifndef CJSIM_MODELS_COMPILED_MODEL_H_
#define CJSIM_MODELS_COMPILED_MODEL_H_

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "cjsim/v1/scenario.pb.h"
#include "models/alias_table.h"
#include "models/calendar.h"
#include "models/limits.h"
#include "models/settings.h"
#include "models/stage.h"

namespace cjsim {

// A touchpoint (8 bytes).
struct WalkNode {
  uint32_t column_begin;  // first of its edge alias columns
  int8_t log2_columns;    // -1: no outgoing edges
  uint8_t stage;          // cjsim.v1.Stage
  uint8_t is_goal;        // 0, or 1 + the goal kind's index in goal_kinds
  uint8_t enabled;
};

// A touchpoint as one persona's walk sees it (16 bytes): the node with the
// persona's act threshold a_p(u) * 2^32, so that acting is
// (bits >> 32) < act_threshold and a step needs one load for both.
struct PersonaNode {
  uint64_t act_threshold;
  WalkNode node;
};

// What an edge alias column picks: a same-session edge into an enabled
// touchpoint is the target touchpoint itself, so that the common step needs
// no load beyond the column; any other edge (delayed, or into a switched-off
// channel) is kSlowEdge | its index in walk_edges.
inline constexpr uint32_t kSlowEdge = 0x80000000u;

// An outgoing edge as the walk sees it.
struct WalkEdge {
  int32_t target;    // touchpoint, or -1 when it is switched off
  double inv_log_q;  // 1 / ln(q) of the geometric delay; 0 = same session
};

// Where an exposure (or a day-0 entry) lands: an alias table over
// touchpoints, or nothing.
struct LandingTable {
  uint32_t column_begin = 0;
  int8_t log2_columns = -1;  // -1: no touchpoint to land on
  // An entry audience gates some of its touchpoints: the index of their
  // LandingGates in CompiledModel::landing_gates; -1: none.
  int16_t gates = -1;
};

// The entries of a landing table some of which an entry audience gates
// (docs/model.md "Retargeting audiences"): each touchpoint, its weight and
// its audience slot (-1: open to all). A person the table's pick sends to a
// gate they are not in lands by these weights among the entries open to
// them.
struct LandingGates {
  std::vector<uint32_t> touchpoints;
  std::vector<double> weights;
  std::vector<int16_t> slots;
};

// One source of exposures for a persona: a channel's paid or organic reach.
struct ExposureSource {
  int32_t channel;
  bool paid;
  // An organic source of a publishing plan's posts of one format: its index
  // in CompiledModel::format_act_multiplier; -1 otherwise.
  int16_t format = -1;
};

// A persona's exposure process, day by day (see docs/model.md "Exposure").
struct PersonaExposure {
  std::vector<ExposureSource> sources;
  // [day * sources + j]: probability of source j exposing on that day.
  std::vector<double> probability;
  // [day * sources + j]: P(first exposed source <= j | any exposure that day).
  std::vector<double> first_source_cdf;
  // [day]: sum over earlier days of -ln P(no exposure); size horizon + 1.
  std::vector<double> cumulative_hazard;
  // [j]: the first day s with cumulative_hazard[s] >= j x hazard_step (a
  // grid of 2 x horizon steps up to the total), so that finding the day a
  // hazard total is reached starts next to it.
  std::vector<int32_t> inverse_hazard;
  double hazard_step = 0;
};

// An edge in exact (double) form, for the exact solver and reports.
struct EdgeInfo {
  int32_t target;      // -1 when switched off
  double probability;  // weight / total weight out of its source
  double mean_delay_days;
};

// What a customer does after converting (docs/model.md "Loyalty").
struct RepeatProcess {
  enum class Kind : uint8_t { kNone, kBgNbd, kBgBb };
  Kind kind = Kind::kNone;
  // BG/NBD: lambda ~ Gamma(shape r, rate alpha) per day, p ~ Beta(a, b).
  // BG/BB: p ~ Beta(a, b) per opportunity, theta ~ Beta(gamma, delta).
  double r = 0, alpha = 0, a = 0, b = 0, gamma = 0, delta = 0;
  int32_t period_days = 0;  // BG/BB
  // Value of a repeat; NaN: the value of the goal that made the customer.
  double value = 0;
};

struct CareModel {
  bool enabled = false;
  int32_t channel = -1;
  double complaint_rate = 0;  // per active customer per day
  double capacity = 0;        // real complaints answered per day
  double sla_days = 0;
  double churn_if_unanswered = 0, public_share = 0, praise_rate = 0;
  // Drop of the consideration and decision act multiplier per real open
  // public complaint: sentiment_impact x 1000 / population.
  double impact_per_open = 0;
  double daily_cost = 0;  // daily_capacity x cost_per_capacity_unit
};

// Comments that reach brings (docs/model.md "Comments and moderation").
struct CommentModel {
  bool enabled = false;
  std::vector<double> rate;  // [channel]: comments per exposure
  // [day * channels + channel]: the negative share under the day's events.
  std::vector<double> negative_share;
};

struct ReferralModel {
  bool enabled = false;
  double rate = 0;  // per active customer per day
  int32_t channel = -1;
  uint8_t landing_stage = 1;
};

// A channel's retargeting audience (docs/model.md "Retargeting audiences"):
// who is in it, and what its paid reach is for them. The channel's paid
// reach is not among the personas' exposure sources: the engine gives the
// audience's members chances of an ad at the ceiling rate and takes each
// with probability (today's reach) / ceiling, which needs the audience's
// size, known only day by day.
struct CompiledAudience {
  int32_t channel = 0;
  // An entry audience: the touchpoint whose landing it gates; it has no ads,
  // reach or chances, only members. -1: a channel's audience.
  int32_t touchpoint = -1;
  int32_t within_days = 0;     // days a visit keeps a person in; 0: no visited condition
  bool not_converted = false;  // only people who have not reached a goal
  double max_reach = 0, half_saturation = 0, shape = 1;
  std::vector<double> adstock;  // [day]: the channel's adstocked spend
  // [persona * horizon + day]: the ceiling min(1, affinity x max_reach x
  // events), the most the channel reaches of its members that day, and
  // affinity x the events' reach multipliers (uncapped).
  std::vector<double> ceiling, scale;
  // [persona * (horizon + 1) + day]: the sum over earlier days of
  // -ln(1 - ceiling), which the chances' days are drawn from.
  std::vector<double> ceiling_hazard;
  // Built on the person's own visits: a retargeting ad that privacy
  // backlash reacts to (docs/model.md "Privacy backlash").
  bool retargeting() const { return within_days > 0; }
  bool gates_entry() const { return touchpoint >= 0; }
};

// What the engine remembers per person about the channels with a frequency
// cap or fatigue (docs/model.md "Frequency caps", "Ad fatigue"): the day of
// the person's last paid exposure on any of them, the fatigue stock of each
// fatigued channel as of that day (uint16, in 1/256 exposure), and the
// exposures in the current cap window of each capped channel (uint8). Slots
// number the fatigued and the capped channels apart.
struct ChannelMemory {
  std::vector<int16_t> fatigue_slot;  // [channel]: the slot, or -1
  std::vector<int16_t> cap_slot;      // [channel]
  // [touchpoint]: the fatigue slot of its channel, or -1.
  std::vector<int16_t> touchpoint_fatigue_slot;
  std::vector<double> per_exposure;     // [fatigue slot]
  std::vector<double> daily_retention;  // [fatigue slot]: 2^(-1 / half-life)
  // [slot * retention_days + d]: daily_retention^d for d < retention_days
  // (longer gaps compute it): a table, as the decay is applied at every
  // paid exposure and every act on a fatigued channel.
  std::vector<double> retention_power;
  int retention_days = 0;
  double retention(int slot, int32_t days) const {
    return days < retention_days
               ? retention_power[static_cast<size_t>(slot) * static_cast<size_t>(retention_days) +
                                 static_cast<size_t>(days)]
               : std::pow(daily_retention[static_cast<size_t>(slot)], days);
  }
  std::vector<int32_t> cap_exposures;   // [cap slot]
  std::vector<int32_t> cap_per_days;    // [cap slot]
  // Retargeting audiences, by audience slot; [channel] its slot or -1;
  // [touchpoint] a bit per audience whose visited list has it; the bits
  // of the not_converted audiences.
  std::vector<CompiledAudience> audiences;
  std::vector<int16_t> audience_slot;
  std::vector<int16_t> entry_slot;  // [touchpoint]: the slot of its entry audience, or -1
  std::vector<uint8_t> touchpoint_audiences;
  uint8_t not_converted_audiences = 0;

  static constexpr double kStockUnit = 256.0;  // a stock of 1 exposure
  int fatigued() const { return static_cast<int>(per_exposure.size()); }
  int capped() const { return static_cast<int>(cap_exposures.size()); }
  int audience_count() const { return static_cast<int>(audiences.size()); }
  // The channels' audiences, which show ads: the first slots (the entries'
  // follow).
  int ad_audience_count() const { return ad_audiences; }
  int ad_audiences = 0;
  bool enabled() const { return fatigued() + capped() + audience_count() > 0; }
  // Bytes per agent: none without caps, fatigue and audiences; else the
  // day, the stocks and the counts, rounded up to an even size, then two
  // days per audience.
  size_t bytes() const {
    return static_cast<size_t>(
        limits::channel_memory_bytes(fatigued(), capped(), audience_count()));
  }
  size_t stock_offset(int slot) const { return 2 + 2 * static_cast<size_t>(slot); }
  size_t count_offset(int slot) const {
    return 2 + 2 * static_cast<size_t>(fatigued()) + static_cast<size_t>(slot);
  }
  // The day of the person's last visit to the audience's touchpoints
  // (kNoVisit: none), then the day of its next chance of an ad (the
  // horizon: after it; 0xffff: none, not in the audience; kOptedOut: never
  // again, and always for an entry audience, which has no ads).
  size_t audience_offset(int slot) const {
    return static_cast<size_t>(limits::channel_memory_bytes(fatigued(), capped())) +
           (fatigued() + capped() == 0 ? 2 : 0) + 4 * static_cast<size_t>(slot);
  }
  static constexpr uint16_t kNoVisit = 0xffff;
  static constexpr uint16_t kOptedOut = 0xfffe;
};

struct LoyaltyModel {
  // True when the scenario has a loyalty block (its KPIs are reported).
  bool present = false;
  // True when customers have any events (repeats, complaints, referrals).
  bool enabled = false;
  // [0]: the scenario-wide process; then one per goal kind with its own.
  std::vector<RepeatProcess> processes;
  // [touchpoint]: the process of customers whose first conversion was there.
  std::vector<uint8_t> goal_process;
  CareModel care;
  ReferralModel referral;
};

// A channel's flight (docs/model.md "Calendar").
struct CompiledFlight {
  int32_t channel = 0;
  DaySpan days;
  double weekly_budget = 0;
};

// A target (docs/model.md "Targets"): KPI `kpi` counted from day 0 to
// `due_day` (both included) is at least (or at most) `threshold`.
struct CompiledTarget {
  std::string name;
  std::string kpi;
  double threshold = 0;
  bool at_least = true;
  int32_t due_day = 0;
};

struct CompiledModel {
  SimulationSettings settings;
  std::string scenario_name;
  std::string scenario_description;
  std::string variant_name;
  std::string scenario_hash;  // FNV-1a 64 of the applied scenario, hex
  // True when no channel reaches anyone: every agent enters once on day 0.
  bool single_journey = false;
  // True when some enabled edge has a delay (a session can end pending).
  bool has_delayed_edges = false;

  // --- personas -----------------------------------------------------------
  std::vector<std::string> persona_ids;
  std::vector<double> persona_share;         // normalised
  std::vector<int64_t> persona_first_agent;  // size personas + 1
  std::vector<double> persona_forgetting;    // daily probability f
  std::vector<double> persona_privacy;       // privacy_sensitivity
  // [persona * memory_days + d]: (1 - f)^d, the chance of no fall-back in d
  // untouched days, for d < memory_days (longer gaps compute it).
  std::vector<double> persona_memory;
  int memory_days = 0;
  std::vector<PersonaExposure> exposure;  // per persona

  // --- channels -----------------------------------------------------------
  std::vector<std::string> channel_ids;
  std::vector<bool> channel_enabled;
  std::vector<double> channel_cost;         // spend over the horizon
  std::vector<double> channel_impressions;  // bought over the horizon
  // Of the planned spend, what a frequency cap leaves unspent (no one under
  // the cap left to reach); channel_cost and channel_spend are without it.
  std::vector<double> channel_unspent;
  // [channel][day]: the paid spend of each day of the horizon; and the
  // spend of flights before day 0, which seeds adstock and is not in the
  // cost (docs/model.md "Calendar").
  std::vector<std::vector<double>> channel_spend;
  std::vector<std::vector<double>> channel_spend_through;  // running totals of channel_spend
  std::vector<double> channel_pre_spend;

  // --- calendar -------------------------------------------------------------
  Calendar calendar;
  std::vector<CompiledFlight> flights;  // of every enabled channel
  // Every event (for reports), and those that change act probabilities
  // (act_multiplier != 1), which the engine applies day by day.
  std::vector<CompiledEvent> events;
  std::vector<CompiledEvent> act_events;
  // [touchpoint]: the days a goal is open (docs/model.md "Goal windows"),
  // with has_goal_windows when any goal has a window.
  bool has_goal_windows = false;
  std::vector<DaySpan> goal_window;
  std::vector<CompiledTarget> targets;
  // [format]: the act multiplier of the first step of a session that a
  // post of that format starts (docs/model.md "Publishing plan").
  std::vector<std::string> format_ids;
  std::vector<double> format_act_multiplier;

  // --- touchpoints and edges ----------------------------------------------
  std::vector<std::string> touchpoint_ids;
  std::vector<int32_t> touchpoint_channel;
  std::vector<double> touchpoint_value;  // goal value; 0 without a goal
  // The goal kinds of the scenario, sorted (at most limits::kMaxGoalKinds),
  // and each touchpoint's: its index in goal_kinds, or -1 without a goal.
  std::vector<std::string> goal_kinds;
  std::vector<int32_t> touchpoint_goal_kind;
  std::vector<int32_t> goal_touchpoints;  // the touchpoints with a goal, in order
  std::vector<WalkNode> nodes;
  std::vector<PersonaNode> persona_nodes;  // [persona * touchpoints + u]
  std::vector<AliasColumn> edge_columns;   // primary/alias are step codes (kSlowEdge)
  std::vector<WalkEdge> walk_edges;
  // Exact form: [persona * touchpoints + u] a_p(u), and edges in CSR order.
  std::vector<double> act_probability;
  std::vector<uint32_t> edge_begin;  // size touchpoints + 1
  std::vector<EdgeInfo> edges;

  // --- landing --------------------------------------------------------------
  // [channel * kStageCount + stage - 1]: exposures on a channel at a stage.
  std::vector<LandingTable> landing;
  LandingTable entry;                        // single-journey entry over all entry touchpoints
  std::vector<double> entry_probability;     // [touchpoint], same distribution
  std::vector<AliasColumn> landing_columns;  // primary/alias are touchpoints
  std::vector<LandingGates> landing_gates;   // LandingTable::gates

  LoyaltyModel loyalty;
  ChannelMemory memory;
  CommentModel comments;
  // The cost of customer care over the horizon (loyalty.care.daily_cost x
  // horizon_days): in the scenario's cost, not in any channel's.
  double care_cost = 0;

  int persona_count() const { return static_cast<int>(persona_ids.size()); }
  int channel_count() const { return static_cast<int>(channel_ids.size()); }
  int touchpoint_count() const { return static_cast<int>(touchpoint_ids.size()); }
  int persona_of(int64_t agent) const;
  const LandingTable& landing_for(int channel, int stage) const {
    return landing[static_cast<size_t>(channel) * kStageCount + (stage - 1)];
  }
};

// REQUIRES: `scenario` passed validate_scenario (with the variant applied,
// if any). `variant_name` is recorded for results ("" = baseline).
CompiledModel compile(const v1::Scenario& scenario, const std::string& variant_name);

// A what-if of a scenario (a compared variant, a sweep's or a curve's point)
// keeps the form of its reference: when the reference reaches people, a
// what-if that reaches no one (every budget at 0) stays in exposure form,
// where no one is reached, instead of switching to the single-journey form,
// where everyone would enter on day 0 (docs/model.md "Single-journey form").
inline void keep_form_of_reference(bool reference_reaches, CompiledModel& what_if) {
  if (reference_reaches) what_if.single_journey = false;
}

// The channel memory per agent of `scenario`'s enabled channels with a
// frequency cap or fatigue (limits::channel_memory_bytes).
int64_t channel_memory_bytes(const v1::Scenario& scenario);

// FNV-1a 64 of the message's deterministic binary form, as 16 hex digits.
std::string scenario_hash(const v1::Scenario& scenario);

}  // namespace cjsim

#endif  // CJSIM_MODELS_COMPILED_MODEL_H_
