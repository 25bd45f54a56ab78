#include "sim/engine.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

#include <tbb/task_arena.h>
#include <boost/random/beta_distribution.hpp>
#include <boost/random/gamma_distribution.hpp>

#include "models/check.h"
#include "models/formulas.h"
#include "sim/care_queue.h"
#include "sim/parallel.h"
#include "sim/rng.h"

namespace cjsim {

namespace {
constexpr uint8_t kConverted = 1;
constexpr uint8_t kExposed = 2;
constexpr uint8_t kLost = 4;      // a customer who became inactive: no more sessions
constexpr uint8_t kRepeated = 8;  // a customer who repeated
constexpr uint8_t kRetargeted = 16;  // shown a retargeting ad (docs/model.md "Privacy backlash")
constexpr uint8_t kOptedOut = 32;    // opted out of a channel's ads
// An audience's next chance of an ad (ChannelMemory::audience_offset + 2)
// when the agent joined it today and its first chance is not drawn yet.
constexpr uint16_t kChanceToDraw = 0xfffd;
static_assert(limits::kMaxHorizonDays < kChanceToDraw, "chance days fit below the markers");
constexpr double kNoTime = std::numeric_limits<double>::infinity();

// The word of the agent's channel set (touched, or exposed) that holds
// channel c: AgentRecord's for channels 0-63, else one of `extra` (the
// agent's extra words: `words` touched, then `words` exposed).
inline uint64_t& channel_word(AgentRecord& record, uint64_t* extra, int words, bool exposed,
                              uint32_t c) {
  if (c < 64) return exposed ? record.exposed : record.touched;
  return extra[(exposed ? words : 0) + (c >> 6) - 1];
}

// Marks the agent exposed by `channel`; counts the channel's reach the
// first time.
inline void mark_exposed(AgentRecord& record, uint64_t* extra, int words, int channel,
                         ReplicationCounts& counts) {
  const uint32_t c = static_cast<uint32_t>(channel);
  uint64_t& word = channel_word(record, extra, words, true, c);
  const uint64_t bit = uint64_t{1} << (c & 63);
  counts.channel_reach[c] += (word & bit) == 0;
  word |= bit;
}

// std::lower_bound without branches: where the next exposure falls is what
// the branch predictor cannot know, and the arrays are short enough (one
// value per day) to stay in cache. REQUIRES: first < last, sorted.
const double* lower_bound_branchless(const double* first, const double* last, double value) {
  size_t n = static_cast<size_t>(last - first);
  while (n > 1) {
    const size_t half = n / 2;
    first = first[half - 1] < value ? first + half : first;
    n -= half;
  }
  return first + (*first < value);
}

// SplitMix64 as a Boost.Random engine, for the distributions of a
// customer's rates (Boost's are portable across standard libraries).
struct BoostEngine {
  using result_type = uint64_t;
  rng::SplitMix64 generator;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type{0}; }
  result_type operator()() { return generator(); }
};

// A day as AgentRecord keeps it: below kMaxHorizonDays, or Engine::kNever
// (or kNever - 1).
inline uint16_t day16(int32_t day) { return static_cast<uint16_t>(day); }

// The 16-bit fields of an agent's channel memory (ChannelMemory), read and
// written by value: the memory is a byte array.
inline uint16_t load16(const uint8_t* at) {
  uint16_t value;
  std::memcpy(&value, at, sizeof value);
  return value;
}
inline void store16(uint8_t* at, uint16_t value) { std::memcpy(at, &value, sizeof value); }

// An act threshold (a probability x 2^32) times `factor`, at most 2^32.
inline uint64_t scaled_threshold(uint64_t threshold, double factor) {
  return static_cast<uint64_t>(
      std::llround(std::min(4294967296.0, static_cast<double>(threshold) * factor)));
}

// The process of the customer's repeats.
inline const RepeatProcess& process_of(const LoyaltyModel& l, const CustomerRecord& c) {
  return l.processes[l.goal_process[static_cast<size_t>(c.goal)]];
}

// The continuous rate of a customer's events other than BG/BB opportunities,
// given the customer's repeat rate (BG/NBD lambda).
double event_rate(const LoyaltyModel& l, const RepeatProcess& p, double repeat_rate) {
  double rate = 0;
  if (p.kind == RepeatProcess::Kind::kBgNbd) rate += repeat_rate;
  if (l.care.enabled) rate += l.care.complaint_rate;
  if (l.referral.enabled) rate += l.referral.rate;
  return rate;
}
}  // namespace

// What the agents of one block produce on one day for the end-of-day step.
struct Engine::BlockDay {
  std::vector<Complaint> complaints;
  std::vector<int64_t> referrals;  // the people referred
};

struct Engine::Context {
  uint64_t seed;
  uint64_t replication;
  int32_t horizon;
  // The walk's nodes, [persona * touchpoints + u]: the model's, or under a
  // care backlog a copy whose consideration and decision act thresholds
  // carry today's multiplier (set by the end-of-day step).
  const PersonaNode* persona_nodes;
  CustomerRecord* customers;  // null without LoyaltyModel::enabled
  uint16_t* word_of_mouth;    // null without referrals or praise
  // Channel words beyond the first (Engine::extra_words_ per set and
  // agent); null with at most 64 channels.
  uint64_t* extra;
  size_t extra_stride;  // 2 x extra_words_
  // The agents' channel memory (ChannelMemory), memory_stride bytes each;
  // null without frequency caps and fatigue.
  uint8_t* memory;
  size_t memory_stride;
  // [audience]: today's paid reach of each audience's channel among its
  // members (the Hill curve on the audience's size), set by the end-of-day
  // step; null without audiences.
  const double* audience_reach;

  // The agent's extra channel words, or null.
  uint64_t* extra_of(int64_t agent) const {
    return extra ? extra + static_cast<size_t>(agent) * extra_stride : nullptr;
  }
  // The agent's channel memory, or null.
  uint8_t* memory_of(int64_t agent) const {
    return memory ? memory + static_cast<size_t>(agent) * memory_stride : nullptr;
  }

  // The block of the agent's `index`-th exposure day.
  rng::Block exposure_block(int64_t agent, uint16_t index) const {
    return rng::block(seed, replication, static_cast<uint64_t>(agent), rng::Stream::kExposure,
                      index);
  }
  // The session pair of the agent's `index`-th return day.
  rng::Pair return_pair(int64_t agent, uint16_t index) const {
    return pair(agent, rng::Stream::kReturn, index);
  }
  rng::Pair pair(int64_t agent, rng::Stream stream, uint64_t event) const {
    return rng::philox(seed, replication, static_cast<uint64_t>(agent), stream, event, 0);
  }
};

void Engine::initialize(const Context& context, int64_t agent, int persona, AgentRecord& record,
                        uint16_t& next_event) const {
  record = {-1,
            day16(kNever),
            day16(kNever),
            0,
            0,
            0,
            static_cast<uint8_t>(persona),
            0,
            0,
            0,
            0,
            kNoTouch,
            0,
            0};
  if (uint64_t* extra = context.extra_of(agent)) std::fill_n(extra, context.extra_stride, 0);
  if (uint8_t* memory = context.memory_of(agent)) {
    std::fill_n(memory, context.memory_stride, 0);
    // No visit yet and no chance of an ad, but in an audience of everyone
    // not converted, which everyone starts in.
    const ChannelMemory& m = model_.memory;
    for (int a = 0; a < m.audience_count(); ++a) {
      uint8_t* at = memory + m.audience_offset(a);
      store16(at, ChannelMemory::kNoVisit);
      if (m.audiences[static_cast<size_t>(a)].gates_entry()) {
        store16(at + 2, ChannelMemory::kOptedOut);  // no ads, ever
        continue;
      }
      int32_t chance = kNever;
      if (!m.audiences[static_cast<size_t>(a)].retargeting()) {
        const rng::Pair bits = context.pair(agent, rng::Stream::kAudienceJoin,
                                            rng::kAudienceJoinedAtStart + static_cast<uint64_t>(a));
        chance = chance_day(persona, a, -1, bits[0]);
      }
      store16(at + 2, day16(chance));
    }
  }
  if (!model_.exposure[persona].sources.empty()) {
    const rng::Pair start = context.pair(agent, rng::Stream::kStart, 0);
    record.next_exposure =
        day16(next_exposure_day(context, persona, -1, start[rng::kLaneExposureGap]));
  }
  if (model_.single_journey) {
    // Every agent enters once, on day 0, at an entry touchpoint by weight.
    record.pending_touchpoint = kEntry;
    record.pending_day = 0;
  }
  next_event = day16(next_day(context, agent, record));
}

int32_t Engine::next_day(const Context& context, int64_t agent, const AgentRecord& record) const {
  const int32_t next = std::min(record.next_exposure, record.pending_day);
  if (model_.memory.ad_audience_count() == 0) return next;
  return std::min(next, next_chance(context.memory_of(agent)));
}

int32_t Engine::next_exposure_day(const Context& context, int persona, int32_t after_day,
                                  uint64_t bits) const {
  const PersonaExposure& exposure = model_.exposure[persona];
  if (exposure.sources.empty()) return kNever;
  // Inversion of the cumulative hazard: the first day s > after_day with
  // H(s + 1) - H(after_day + 1) >= E, E ~ Exp(1) (docs/model.md "Exposure").
  // That is the first index i >= after_day + 2 with H(i) >= target: found
  // by starting from the inverse grid, a few days before it at most, and
  // stepping on (a binary search when the grid is far off: long plateaus).
  const double* hazard = exposure.cumulative_hazard.data();
  const double target = hazard[after_day + 1] - std::log(rng::open_unit(bits));
  const int32_t horizon = context.horizon;
  if (target > hazard[horizon]) return kNever;
  const size_t grid = exposure.inverse_hazard.size() - 1;
  const size_t j = std::min(grid, static_cast<size_t>(target / exposure.hazard_step));
  int32_t i = std::max(after_day + 2, exposure.inverse_hazard[j]);
  for (int step = 0; i <= horizon && hazard[i] < target; ++i) {
    if (++step == 8) {
      i = static_cast<int32_t>(lower_bound_branchless(hazard + i, hazard + horizon + 1, target) -
                               hazard);
      break;
    }
  }
  if (i > horizon) return kNever;
  return i - 1;
}

void Engine::forget(int32_t untouched_days, uint64_t bits, AgentRecord& record) const {
  // Each untouched day the memory fails with probability f, a stage at a
  // time (docs/model.md "Forgetting"), so over d untouched days a person
  // falls back min(stage, K) stages, K ~ Binomial(d, f). Evaluated at the
  // next touch by inverting K's distribution with one uniform: P(K = 0) =
  // (1 - f)^d, P(K = k + 1) = P(K = k) (d - k) / (k + 1) f / (1 - f).
  const int persona = record.persona;
  const double f = model_.persona_forgetting[persona];
  if (f <= 0 || untouched_days <= 0 || record.stage < 1 || record.stage >= v1::LOYALTY) return;
  if (f >= 1) {  // a half-life too short to tell from 0 days
    record.stage = 0;
    return;
  }
  const double d = static_cast<double>(untouched_days);
  double term = untouched_days < model_.memory_days
                    ? model_.persona_memory[static_cast<size_t>(persona) * model_.memory_days +
                                            static_cast<size_t>(untouched_days)]
                    : std::pow(1 - f, d);
  double cdf = term;
  const double u = rng::open_unit(bits);
  int drops = 0;
  const double odds = f / (1 - f);
  while (drops < record.stage && u >= cdf) {
    term *= (d - drops) / (drops + 1) * odds;
    cdf += term;
    ++drops;
  }
  record.stage = static_cast<uint8_t>(record.stage - drops);
}

[[gnu::always_inline]] inline int Engine::session(const Context& context, int32_t day,
                                                  uint64_t seed_lane, int index, int start,
                                                  const LandingTable* landing, bool referred,
                                                  AgentRecord& record, ReplicationCounts& counts,
                                                  uint64_t* extra, uint8_t* memory,
                                                  uint64_t entry_bits,
                                                  double first_act_scale) const {
  rng::SplitMix64 random = rng::session_generator(seed_lane, static_cast<uint64_t>(index));
  // The landing pick: from `start` (a return), or the first draw of the
  // session; the day-0 entry of the single-journey form brings its own bits.
  uint32_t u = static_cast<uint32_t>(start);
  if (landing != nullptr) {
    u = alias_pick(&model_.landing_columns[landing->column_begin], landing->log2_columns,
                   start == kEntry ? entry_bits : random());
    // An entry audience's touchpoint takes only its members; the others
    // land among the entries open to them. (The day-0 entry leaves out the
    // gates no one is in yet: CompiledModel::entry.)
    if (landing->gates >= 0 && start != kEntry && memory != nullptr) [[unlikely]] {
      const int32_t open = open_entry(model_.landing_gates[static_cast<size_t>(landing->gates)], u,
                                      memory, day, record.flags, random());
      if (open < 0) return -1;
      u = static_cast<uint32_t>(open);
    }
    // An entry on a switched-off channel: this person never starts. (An
    // exposure lands on an enabled channel: an off one exposes no one.)
    if (start == kEntry && !model_.nodes[u].enabled) [[unlikely]] return -1;
    // A touch: first (if none yet), last, and in the set.
    const uint32_t c = static_cast<uint32_t>(model_.touchpoint_channel[u]);
    const uint32_t ends = record.touch_ends;
    record.touch_ends = (ends == kNoTouch ? c : (ends & 0xffff)) | c << 16;
    channel_word(record, extra, extra_words_, false, c) |= uint64_t{1} << (c & 63);
  }
  // The walk works on locals: stores through AgentRecord's bytes would make
  // the compiler reload every pointer after each one.
  const PersonaNode* nodes = context.persona_nodes + record.persona * model_.nodes.size();
  const AliasColumn* columns = model_.edge_columns.data();
  const WalkEdge* edges = model_.walk_edges.data();
  TouchpointCounts* tally = counts.touchpoints.data();
  uint8_t stage = record.stage;
  uint8_t flags = record.flags;
  int steps = 0;
  int converted = 0;
  int first_goal = -1;
  uint32_t kinds_reached = 0;
  while (true) {
    if (steps == kMaxSessionSteps) {
      ++counts.truncated_sessions;
      break;
    }
    ++steps;
    const PersonaNode here = nodes[u];
    const WalkNode node = here.node;
    if (node.is_goal && model_.has_goal_windows) [[unlikely]] {
      // Before the goal opens the person waits for the opening day; after
      // it closes the session ends (docs/model.md "Goal windows").
      const DaySpan window = model_.goal_window[u];
      if (day > window.to) break;
      if (day < window.from) {
        record.pending_touchpoint = static_cast<int32_t>(u);
        record.pending_day =
            day16(window.from >= context.horizon ? kNever - 1 : static_cast<int32_t>(window.from));
        break;
      }
    }
    ++tally[u].visits;
    if (memory != nullptr) [[unlikely]] {
      if (const uint8_t audiences = model_.memory.touchpoint_audiences[u]) {
        visit(memory, audiences, day, (flags & kConverted) != 0, counts);
      }
    }
    stage = std::max(stage, node.stage);
    if (node.is_goal) {
      ++tally[u].conversions;
      if (converted++ == 0 && !(flags & kConverted)) first_goal = static_cast<int>(u);
      kinds_reached |= 1u << (node.is_goal - 1);
      stage = v1::LOYALTY;
      credit(record, extra, u, counts);
    }
    // High 32 bits decide the act, low 32 the delay; a second draw picks the
    // edge (column from its high bits, coin from its low 32).
    const uint64_t act_bits = random();
    uint64_t threshold = here.act_threshold;
    if (first_act_scale != 1.0 && steps == 1) [[unlikely]] {
      threshold = scaled_threshold(threshold, first_act_scale);
    }
    if (memory != nullptr) [[unlikely]] {
      const int slot = model_.memory.touchpoint_fatigue_slot[u];
      if (slot >= 0) threshold = scaled_threshold(threshold, fatigue(memory, slot, day));
    }
    if ((act_bits >> 32) >= threshold) {
      ++tally[u].declines;
      break;
    }
    if (node.log2_columns < 0) break;
    const uint32_t code = alias_pick(columns + node.column_begin, node.log2_columns, random());
    if (!(code & kSlowEdge)) {  // same session, enabled target
      u = code;
      continue;
    }
    const WalkEdge edge = edges[code & ~kSlowEdge];
    if (edge.target < 0) break;  // into a switched-off channel
    const double delay = std::floor(std::log(rng::open_unit32(act_bits)) * edge.inv_log_q);
    if (delay >= 1) {
      record.pending_touchpoint = edge.target;
      record.pending_day = day16(delay >= static_cast<double>(context.horizon - day)
                                     ? kNever - 1  // returns after the horizon
                                     : day + static_cast<int32_t>(delay));
      break;
    }
    u = static_cast<uint32_t>(edge.target);
  }
  if (converted > 0) {
    counts.persona_conversions[record.persona] += static_cast<uint64_t>(converted);
    if (referred) counts.loyalty.referred_conversions += static_cast<uint64_t>(converted);
    if (!(flags & kConverted)) {
      ++counts.converted_agents;
      ++counts.persona_converted[record.persona];
      ++counts.today.first_conversions;
      if (memory != nullptr && model_.memory.not_converted_audiences != 0) [[unlikely]] {
        leave(memory, day, counts);
      }
    }
    flags |= kConverted;
    if (model_.goal_kinds.size() > 1) {
      // People reaching a goal kind for the first time, kind by kind.
      for (uint32_t fresh = kinds_reached & ~record.kinds; fresh != 0; fresh &= fresh - 1) {
        const int k = __builtin_ctz(fresh);
        ++counts.converted_by_kind[k];
        ++counts.today.first_by_kind[k];
      }
      record.kinds = static_cast<uint16_t>(record.kinds | kinds_reached);
    }
  }
  // Agent-level results are counted as they first happen, so no pass over
  // all agents is needed at the end. The furthest stage moves from
  // max_stage to stage (or stays: +1 and -1 cancel). Branch-free, since how
  // far a walk gets is what the branch predictor cannot know.
  const uint8_t furthest = std::max(record.max_stage, stage);
  ++counts.furthest_moves[furthest];
  --counts.furthest_moves[record.max_stage];
  counts.today.first_aware += static_cast<uint64_t>((record.max_stage == 0) & (furthest >= 1));
  record.stage = stage;
  record.max_stage = furthest;
  record.flags = flags;
  counts.walk_steps += static_cast<uint64_t>(steps);
  ++counts.sessions;
  return first_goal;
}

[[gnu::always_inline]] inline int Engine::return_session(const Context& context, int32_t day,
                                                         const rng::Pair& pair, AgentRecord& record,
                                                         ReplicationCounts& counts, uint64_t* extra,
                                                         uint8_t* memory) const {
  // Mid-journey until now, so nothing was forgotten.
  const int to = record.pending_touchpoint;
  record.pending_day = day16(kNever);
  record.pending_touchpoint = -1;
  record.untouched_since = day16(day + 1);
  ++record.return_days;
  return session(context, day, pair[rng::kPairSessions], 0, to,
                 to == kEntry ? &model_.entry : nullptr, false, record, counts, extra, memory,
                 pair[rng::kPairEntry]);
}

void Engine::catch_up(uint8_t* memory, int32_t day) const {
  const ChannelMemory& m = model_.memory;
  const int32_t last = load16(memory);
  if (last == day) return;
  for (int slot = 0; slot < m.fatigued(); ++slot) {
    uint8_t* at = memory + m.stock_offset(slot);
    const uint16_t stock = load16(at);
    if (stock == 0) continue;
    // Rounded to nearest (decayed >= 0, below 2^16).
    store16(at, static_cast<uint16_t>(stock * m.retention(slot, day - last) + 0.5));
  }
  for (int slot = 0; slot < m.capped(); ++slot) {
    const int32_t per_days = m.cap_per_days[static_cast<size_t>(slot)];
    if (last / per_days != day / per_days) memory[m.count_offset(slot)] = 0;
  }
  store16(memory, day16(day));
}

bool Engine::admit_paid(uint8_t* memory, int32_t day, int channel,
                        ReplicationCounts& counts) const {
  const ChannelMemory& m = model_.memory;
  catch_up(memory, day);
  const int slot = m.cap_slot[static_cast<size_t>(channel)];
  if (slot < 0) return true;
  uint8_t& taken = memory[m.count_offset(slot)];
  if (taken >= m.cap_exposures[static_cast<size_t>(slot)]) {
    ++counts.channel_capped[static_cast<size_t>(channel)];
    return false;
  }
  ++taken;
  return true;
}

void Engine::add_fatigue(uint8_t* memory, int channel) const {
  const int slot = model_.memory.fatigue_slot[static_cast<size_t>(channel)];
  if (slot < 0) return;
  uint8_t* at = memory + model_.memory.stock_offset(slot);
  const int stock = load16(at) + static_cast<int>(ChannelMemory::kStockUnit);
  store16(at, static_cast<uint16_t>(std::min(stock, 0xffff)));  // saturates at 256 exposures
}

double Engine::fatigue(const uint8_t* memory, int slot, int32_t day) const {
  const ChannelMemory& m = model_.memory;
  const uint16_t stock = load16(memory + m.stock_offset(slot));
  if (stock == 0) return 1.0;
  const double recent = stock / ChannelMemory::kStockUnit *
                        m.retention(slot, day - static_cast<int32_t>(load16(memory)));
  return std::exp(-m.per_exposure[static_cast<size_t>(slot)] * recent);
}

namespace {
// Adds `delta` to an audience's members from `day` on (days past the
// horizon are never read).
inline void move_members(uint64_t* moves, int32_t horizon, int64_t day, int delta) {
  if (day <= horizon) moves[day] += static_cast<uint64_t>(static_cast<int64_t>(delta));
}
}  // namespace

int32_t Engine::chance_day(int persona, int slot, int32_t after_day, uint64_t bits) const {
  // As next_exposure_day, on the ceiling's hazard: the first day s >
  // after_day with H(s + 1) - H(after_day + 1) >= E, E ~ Exp(1). Past the
  // horizon it is the horizon, not kNever: kNever is "no chance" (not in the
  // audience), which a visit would draw again.
  const CompiledAudience& a = model_.memory.audiences[static_cast<size_t>(slot)];
  const int32_t horizon = model_.settings.horizon_days;
  const double* hazard =
      &a.ceiling_hazard[static_cast<size_t>(persona) * static_cast<size_t>(horizon + 1)];
  if (after_day + 1 >= horizon) return horizon;
  const double target = hazard[after_day + 1] - std::log(rng::open_unit(bits));
  if (!(target <= hazard[horizon])) return horizon;
  const double* at = std::lower_bound(hazard + after_day + 2, hazard + horizon + 1, target);
  return static_cast<int32_t>(at - hazard) - 1;
}

int32_t Engine::open_entry(const LandingGates& gates, uint32_t u, const uint8_t* memory,
                           int32_t day, uint8_t flags, uint64_t bits) const {
  const ChannelMemory& m = model_.memory;
  // In the audience as the person lands: a visit within the last
  // within_days days (earlier today included), and no goal reached if it
  // asks (earlier today included).
  auto open = [&](int slot) {
    if (slot < 0) return true;
    const CompiledAudience& a = m.audiences[static_cast<size_t>(slot)];
    const uint16_t last = load16(memory + m.audience_offset(slot));
    return (!a.retargeting() || (last != ChannelMemory::kNoVisit && day - last <= a.within_days)) &&
           !(a.not_converted && (flags & kConverted));
  };
  const int slot = m.entry_slot[u];
  if (open(slot)) return static_cast<int32_t>(u);
  // The pick fell on a gate the person is not in: a pick by weight among
  // the open entries, which with the first makes the landing exactly the
  // weights restricted to the open entries.
  const size_t n = gates.touchpoints.size();
  double total = 0;
  for (size_t k = 0; k < n; ++k) total += open(gates.slots[k]) ? gates.weights[k] : 0.0;
  if (!(total > 0)) return -1;
  double x = rng::open_unit(bits) * total;
  int32_t last_open = -1;
  for (size_t k = 0; k < n; ++k) {
    if (!open(gates.slots[k])) continue;
    last_open = static_cast<int32_t>(gates.touchpoints[k]);
    if (x < gates.weights[k]) return last_open;
    x -= gates.weights[k];
  }
  return last_open;  // rounding at the end of the sum
}

int32_t Engine::next_chance(const uint8_t* memory) const {
  const ChannelMemory& m = model_.memory;
  int32_t next = kNever;
  for (int a = 0; a < m.ad_audience_count(); ++a) {
    const uint16_t chance = load16(memory + m.audience_offset(a) + 2);
    if (chance < kChanceToDraw) next = std::min<int32_t>(next, chance);
  }
  return next;
}

uint8_t Engine::audience_chances(const Context& context, int32_t day, int64_t agent,
                                 const AgentRecord& record, uint8_t* memory) const {
  const ChannelMemory& m = model_.memory;
  const int32_t horizon = context.horizon;
  uint8_t ads = 0;
  for (int slot = 0; slot < m.ad_audience_count(); ++slot) {
    uint8_t* at = memory + m.audience_offset(slot);
    if (load16(at + 2) != day) continue;
    const CompiledAudience& a = m.audiences[static_cast<size_t>(slot)];
    // In the audience as the day starts: a visit within the last
    // within_days days (none today yet), and no goal reached if it asks.
    const uint16_t last = load16(at);
    const bool member =
        (!a.retargeting() || (last != ChannelMemory::kNoVisit && day - last <= a.within_days)) &&
        !(a.not_converted && (record.flags & kConverted));
    if (!member) {
      store16(at + 2, day16(kNever));
      continue;
    }
    // Thinning: a chance comes at the ceiling's rate; today's reach takes
    // it with probability reach / ceiling.
    const rng::Block block = rng::block(context.seed, context.replication,
                                        static_cast<uint64_t>(agent), rng::Stream::kAudienceChance,
                                        static_cast<uint64_t>(day) * 8 + static_cast<uint64_t>(slot));
    const size_t at_day = static_cast<size_t>(record.persona) * static_cast<size_t>(horizon) +
                          static_cast<size_t>(day);
    const double reach = std::min(1.0, a.scale[at_day] * context.audience_reach[slot]);
    rng::SplitMix64 draws(block[rng::kLaneExposureSources]);
    if (draws.next_unit() * a.ceiling[at_day] < reach) ads |= static_cast<uint8_t>(1u << slot);
    store16(at + 2, day16(chance_day(record.persona, slot, day, block[rng::kLaneExposureGap])));
  }
  return ads;
}

void Engine::audience_ads(const Context& context, int32_t day, int64_t agent, uint8_t ads,
                          AgentRecord& record, uint8_t* memory, int& first_goal,
                          ReplicationCounts& counts) const {
  const ChannelMemory& m = model_.memory;
  uint64_t* extra = context.extra_of(agent);
  for (; ads != 0; ads &= static_cast<uint8_t>(ads - 1)) {
    const int slot = __builtin_ctz(ads);
    const CompiledAudience& a = m.audiences[static_cast<size_t>(slot)];
    const rng::Block block = rng::block(context.seed, context.replication,
                                        static_cast<uint64_t>(agent), rng::Stream::kAudienceChance,
                                        static_cast<uint64_t>(day) * 8 + static_cast<uint64_t>(slot));
    rng::SplitMix64 draws(block[rng::kLaneExposureSources]);
    draws.next_unit();  // the chance's
    catch_up(memory, day);
    if (!(record.flags & kExposed)) ++counts.exposed_agents;
    record.flags |= kExposed;
    ++counts.channel_paid[static_cast<size_t>(a.channel)];
    mark_exposed(record, extra, extra_words_, a.channel, counts);
    if (record.pending_day == kNever) {
      forget(day - record.untouched_since, block[rng::kLaneForgetting], record);
    }
    record.untouched_since = day16(day + 1);
    // Privacy backlash: an ad built on the person's own visits may make
    // them opt out of the channel's ads; that ad persuades no one.
    bool annoyed = false;
    if (a.retargeting()) {
      if (!(record.flags & kRetargeted)) ++counts.retargeted_agents;
      record.flags |= kRetargeted;
      const double sensitivity = model_.persona_privacy[record.persona];
      if (sensitivity > 0 && draws.next_unit() < sensitivity) {
        annoyed = true;
        store16(memory + m.audience_offset(slot) + 2, ChannelMemory::kOptedOut);
        ++counts.channel_opt_outs[static_cast<size_t>(a.channel)];
        if (!(record.flags & kOptedOut)) ++counts.opted_out_agents;
        record.flags |= kOptedOut;
      }
    }
    if (!annoyed && record.pending_day == kNever && !(record.flags & kLost)) {
      const int stage = record.stage == 0 ? 1 : record.stage;
      const LandingTable& landing = model_.landing_for(a.channel, stage);
      if (landing.log2_columns >= 0) {
        const int goal = session(context, day, block[rng::kLaneSessions], 0, 0, &landing, false,
                                 record, counts, extra, memory);
        if (first_goal < 0) first_goal = goal;
      }
    }
    add_fatigue(memory, a.channel);
  }
}

void Engine::visit(uint8_t* memory, uint8_t audiences, int32_t day, bool converted,
                   ReplicationCounts& counts) const {
  const ChannelMemory& m = model_.memory;
  const int32_t horizon = model_.settings.horizon_days;
  for (; audiences != 0; audiences &= static_cast<uint8_t>(audiences - 1)) {
    const int slot = __builtin_ctz(audiences);
    const CompiledAudience& a = m.audiences[static_cast<size_t>(slot)];
    if (a.not_converted && converted) continue;  // never back in
    uint8_t* at = memory + m.audience_offset(slot);
    const uint16_t last = load16(at);
    if (last == day) continue;
    // In from tomorrow for within_days days: an extension of the stay the
    // last visit gave when that reaches tomorrow, else a new stay.
    uint64_t* moves = counts.audience_moves.data() +
                      static_cast<size_t>(slot) * static_cast<size_t>(horizon + 1);
    const int32_t w = a.within_days;
    if (last != ChannelMemory::kNoVisit && last + w >= day) {
      move_members(moves, horizon, int64_t{last} + w + 1, +1);
    } else {
      move_members(moves, horizon, int64_t{day} + 1, +1);
    }
    move_members(moves, horizon, int64_t{day} + w + 1, -1);
    store16(at, day16(day));
    if (load16(at + 2) == kNever) store16(at + 2, kChanceToDraw);
  }
}

void Engine::leave(uint8_t* memory, int32_t day, ReplicationCounts& counts) const {
  const ChannelMemory& m = model_.memory;
  const int32_t horizon = model_.settings.horizon_days;
  for (uint8_t left = m.not_converted_audiences; left != 0;
       left &= static_cast<uint8_t>(left - 1)) {
    const int slot = __builtin_ctz(left);
    const CompiledAudience& a = m.audiences[static_cast<size_t>(slot)];
    uint64_t* moves = counts.audience_moves.data() +
                      static_cast<size_t>(slot) * static_cast<size_t>(horizon + 1);
    if (!a.retargeting()) {
      move_members(moves, horizon, int64_t{day} + 1, -1);
      continue;
    }
    // Out from tomorrow if the last visit would have kept the person in.
    const uint16_t last = load16(memory + m.audience_offset(slot));
    if (last == ChannelMemory::kNoVisit || last + a.within_days < day + 1) continue;
    move_members(moves, horizon, int64_t{day} + 1, -1);
    move_members(moves, horizon, int64_t{last} + a.within_days + 1, +1);
  }
}

void Engine::settle_chances(const Context& context, int32_t day, int64_t agent, int persona,
                            uint8_t* memory) const {
  const ChannelMemory& m = model_.memory;
  for (int slot = 0; slot < m.ad_audience_count(); ++slot) {
    uint8_t* at = memory + m.audience_offset(slot) + 2;
    if (load16(at) != kChanceToDraw) continue;
    const rng::Pair bits =
        context.pair(agent, rng::Stream::kAudienceJoin,
                     static_cast<uint64_t>(day) * 8 + static_cast<uint64_t>(slot));
    store16(at, day16(chance_day(persona, slot, day, bits[0])));
  }
}

void Engine::credit(const AgentRecord& record, const uint64_t* extra, uint32_t u,
                    ReplicationCounts& counts) const {
  // Every session starts with a touch or continues a journey one started,
  // so a converting agent has been touched.
  const uint32_t ends = record.touch_ends;
  CJSIM_CHECK(ends != kNoTouch, "a conversion without a touch");
  const uint64_t n = static_cast<uint64_t>(model_.touchpoint_count());
  ++counts.credit.first_touch[(ends & 0xffff) * n + u];
  ++counts.credit.last_touch[(ends >> 16) * n + u];
  for (int w = 0; w <= extra_words_; ++w) {
    for (uint64_t bits = w == 0 ? record.touched : extra[w - 1]; bits != 0; bits &= bits - 1) {
      const uint64_t c =
          static_cast<uint64_t>(w) * 64 + static_cast<uint64_t>(__builtin_ctzll(bits));
      ++counts.credit.assisted[c * n + u];
    }
  }
}

void Engine::word_of_mouth(const Context& context, int32_t day, int64_t agent, int index,
                           bool praise, AgentRecord& record, int& first_goal,
                           ReplicationCounts& counts) const {
  const LoyaltyModel& l = model_.loyalty;
  const int channel = praise ? l.care.channel : l.referral.channel;
  const int landing_stage = praise ? 1 : l.referral.landing_stage;
  ++counts.channel_organic[channel];
  uint64_t* extra = context.extra_of(agent);
  mark_exposed(record, extra, extra_words_, channel, counts);
  if (!(record.flags & kExposed)) ++counts.exposed_agents;
  record.flags |= kExposed;
  if (record.pending_day == kNever) {
    // The forgetting lane of this day's word-of-mouth pair, once a day.
    if (index == 0) {
      forget(day - record.untouched_since,
             context.pair(agent, rng::Stream::kWordOfMouth, static_cast<uint64_t>(day))[1], record);
    }
  }
  record.untouched_since = day16(day + 1);
  if (record.pending_day != kNever || (record.flags & kLost)) return;
  const int stage = std::max<int>(record.stage, landing_stage);
  const LandingTable& landing = model_.landing_for(channel, stage);
  if (landing.log2_columns < 0) return;
  const uint64_t lane =
      context.pair(agent, rng::Stream::kWordOfMouth, static_cast<uint64_t>(day))[0];
  const int goal = session(context, day, lane, index, 0, &landing, !praise, record, counts, extra,
                           context.memory_of(agent));
  if (first_goal < 0) first_goal = goal;
}

Engine::CustomerRates Engine::customer_rates(const rng::Pair& draws,
                                             const CustomerRecord& customer) const {
  const RepeatProcess& p = process_of(model_.loyalty, customer);
  CustomerRates rates;
  if (p.kind == RepeatProcess::Kind::kNone) return rates;
  BoostEngine engine{rng::SplitMix64(draws[0])};
  if (p.kind == RepeatProcess::Kind::kBgNbd) {
    // lambda ~ Gamma(shape r, rate alpha); p ~ Beta(a, b) (Fader, Hardie &
    // Lee 2005).
    rates.rate = boost::random::gamma_distribution<double>(p.r, 1 / p.alpha)(engine);
    rates.dropout = boost::random::beta_distribution<double>(p.a, p.b)(engine);
  } else {
    // p ~ Beta(alpha, beta), theta ~ Beta(gamma, delta) (Fader, Hardie &
    // Shang 2010).
    rates.rate = boost::random::beta_distribution<double>(p.a, p.b)(engine);
    rates.dropout = boost::random::beta_distribution<double>(p.gamma, p.delta)(engine);
  }
  return rates;
}

void Engine::become_customer(const Context& context, int64_t agent, int32_t day, int goal,
                             CustomerRecord& customer) const {
  const LoyaltyModel& l = model_.loyalty;
  customer = {};
  customer.goal = goal;
  customer.converted_day = day16(day);
  // Events start the day after the conversion.
  const rng::Pair draws = context.pair(agent, rng::Stream::kCustomer, 0);
  const double rate = event_rate(l, process_of(l, customer), customer_rates(draws, customer).rate);
  customer.next_time = rate > 0 ? day + 1 - std::log(rng::open_unit(draws[1])) / rate : kNoTime;
}

int32_t Engine::customer_next_day(const Context& context, const AgentRecord& record,
                                  const CustomerRecord& c) const {
  if (record.flags & kLost) return kNever;
  int32_t next = kNever;
  if (c.next_time < context.horizon) next = static_cast<int32_t>(c.next_time);
  const RepeatProcess& p = process_of(model_.loyalty, c);
  if (p.kind == RepeatProcess::Kind::kBgBb) {
    const int64_t opportunity =
        int64_t{c.converted_day} + int64_t{p.period_days} * (int64_t{c.opportunities} + 1);
    if (opportunity < context.horizon) next = std::min(next, static_cast<int32_t>(opportunity));
  }
  return next;
}

void Engine::churn(int32_t day, AgentRecord& record, CustomerRecord& customer,
                   ReplicationCounts& counts) const {
  if (record.flags & kLost) return;
  customer.next_time = kNoTime;
  record.flags |= kLost;
  ++counts.loyalty.churned;
  ++counts.today.churned;
  ++counts.loyalty.churn_age[static_cast<size_t>(day - customer.converted_day)];
  ++counts.loyalty.churned_by_conversion_day[static_cast<size_t>(customer.converted_day)];
}

void Engine::customer_day(const Context& context, int32_t day, int64_t agent, AgentRecord& record,
                          CustomerRecord& customer, BlockDay& out,
                          ReplicationCounts& counts) const {
  const LoyaltyModel& l = model_.loyalty;
  const RepeatProcess& p = process_of(l, customer);
  const CustomerRates own =
      customer_rates(context.pair(agent, rng::Stream::kCustomer, 0), customer);
  auto repeat = [&] {
    ++counts.loyalty.repeats;
    ++counts.loyalty.repeats_by_goal[static_cast<size_t>(customer.goal)];
    ++counts.persona_conversions[record.persona];
    if (!(record.flags & kRepeated)) ++counts.loyalty.repeated_customers;
    record.flags |= kRepeated;
  };
  auto active = [&] { return !(record.flags & kLost); };
  // The continuous events of today: repeats (BG/NBD), complaints and
  // referrals, as one Poisson process split by their rates.
  const double repeat_rate = p.kind == RepeatProcess::Kind::kBgNbd ? own.rate : 0.0;
  const double rate = event_rate(l, p, repeat_rate);
  const double complaint_rate = l.care.enabled ? l.care.complaint_rate : 0.0;
  while (active() && customer.next_time < day + 1) {
    const uint32_t event = customer.events++;
    const rng::Pair draws = context.pair(agent, rng::Stream::kLoyaltyEvent, event);
    rng::SplitMix64 more(draws[1]);
    const double kind = rng::open_unit(draws[0]) * rate;
    if (kind < repeat_rate) {
      repeat();
      if (more.next_unit() < own.dropout) churn(day, record, customer, counts);
    } else if (kind < repeat_rate + complaint_rate) {
      ++counts.loyalty.complaints;
      out.complaints.push_back({agent, event});
    } else {
      ++counts.loyalty.referrals;
      out.referrals.push_back(static_cast<int64_t>(
          rng::uniform_index(more(), static_cast<uint64_t>(model_.settings.agents))));
    }
    if (active()) customer.next_time = customer.next_time - std::log(more.next_unit()) / rate;
  }
  // A BG/BB opportunity today: death at its start with theta, else act with p.
  if (p.kind == RepeatProcess::Kind::kBgBb && active() &&
      int64_t{customer.converted_day} + int64_t{p.period_days} * (customer.opportunities + 1) ==
          day) {
    const rng::Pair draws =
        context.pair(agent, rng::Stream::kOpportunity, customer.opportunities++);
    if (rng::open_unit(draws[0]) < own.dropout) {
      churn(day, record, customer, counts);
    } else if (rng::open_unit(draws[1]) < own.rate) {
      repeat();
    }
  }
}

bool Engine::context_has_memory(const Context& context) { return context.memory != nullptr; }

template <bool kMemory>
void Engine::process(const Context& context, int32_t day, const rng::Block& exposure_block,
                     const rng::Pair& return_pair, int64_t agent, AgentRecord& record,
                     uint16_t& next_event, BlockDay& out, ReplicationCounts& counts) const {
  int first_goal = -1;
  uint64_t* extra = context.extra_of(agent);
  // A constant null without memory, so that the walk's test of it folds.
  uint8_t* memory = kMemory ? context.memory_of(agent) : nullptr;
  // Audiences' chances of an ad, for the agent as the day starts; the ads
  // come after the day's other exposures.
  uint8_t ads = 0;
  const bool audiences = kMemory && model_.memory.ad_audience_count() > 0;
  if (audiences) ads = audience_chances(context, day, agent, record, memory);
  if (record.pending_day == day)
    first_goal = return_session(context, day, return_pair, record, counts, extra, memory);
  if (record.next_exposure == day) {
    if constexpr (!kMemory) {
      if (!(record.flags & kExposed)) ++counts.exposed_agents;
      record.flags |= kExposed;
    }
    ++record.exposure_days;
    const rng::Block& block = exposure_block;
    if (record.pending_day == kNever) {
      forget(day - record.untouched_since, block[rng::kLaneForgetting], record);
    }
    record.untouched_since = day16(day + 1);
    const PersonaExposure& exposure = model_.exposure[record.persona];
    const size_t n = exposure.sources.size();
    const double* cdf = &exposure.first_source_cdf[static_cast<size_t>(day) * n];
    const double* probability = &exposure.probability[static_cast<size_t>(day) * n];
    rng::SplitMix64 draws(block[rng::kLaneExposureSources]);
    // Given at least one exposure today: the first exposing source by its
    // conditional distribution, the later ones independently.
    const double first_draw = draws.next_unit();
    size_t first = 0;
    while (first + 1 < n && cdf[first] <= first_draw) ++first;
    int session_index = 0;
    bool delivered = false;
    for (size_t j = first; j < n; ++j) {
      if (j > first && !(draws.next_unit() < probability[j])) continue;
      const ExposureSource source = exposure.sources[j];
      // A paid exposure of a capped or fatigued channel: past the cap it is
      // not delivered (so the agent counts as exposed only once one is).
      const bool remembered = kMemory && source.paid;
      if constexpr (kMemory) {
        if (remembered && !admit_paid(memory, day, source.channel, counts)) continue;
        delivered = true;
        if (!(record.flags & kExposed)) ++counts.exposed_agents;
        record.flags |= kExposed;
      }
      ++(source.paid ? counts.channel_paid : counts.channel_organic)[source.channel];
      mark_exposed(record, extra, extra_words_, source.channel, counts);
      // Mid-journey, or a customer who was lost: no new session.
      if (record.pending_day == kNever && !(record.flags & kLost)) {
        const int stage = record.stage == 0 ? 1 : record.stage;
        const LandingTable& landing = model_.landing_for(source.channel, stage);
        if (landing.log2_columns >= 0) {
          const double act_scale =
              source.format >= 0
                  ? model_.format_act_multiplier[static_cast<size_t>(source.format)]
                  : 1.0;
          const int goal = session(context, day, block[rng::kLaneSessions], session_index++, 0,
                                   &landing, false, record, counts, extra, memory, 0, act_scale);
          if (first_goal < 0) first_goal = goal;
        }
      }
      // The exposure wears the person out after its own session.
      if (remembered) add_fatigue(memory, source.channel);
    }
    // Every exposure of the day stopped by a cap: today was untouched too
    // (forgetting so far is settled; it goes on from today).
    if (kMemory && !delivered) record.untouched_since = day16(day);
    record.next_exposure =
        day16(next_exposure_day(context, record.persona, day, block[rng::kLaneExposureGap]));
  }
  if (ads != 0) audience_ads(context, day, agent, ads, record, memory, first_goal, counts);
  if (context.word_of_mouth != nullptr && context.word_of_mouth[agent] != 0) {
    const uint16_t arrived = context.word_of_mouth[agent];
    context.word_of_mouth[agent] = 0;
    int index = 0;
    for (int k = 0; k < (arrived & 0xff); ++k) {
      word_of_mouth(context, day, agent, index++, false, record, first_goal, counts);
    }
    for (int k = 0; k < (arrived >> 8); ++k) {
      word_of_mouth(context, day, agent, index++, true, record, first_goal, counts);
    }
  }
  if (audiences) settle_chances(context, day, agent, record.persona, memory);
  int32_t next = audiences ? next_day(context, agent, record)
                           : std::min(record.pending_day, record.next_exposure);
  if (context.customers != nullptr) {
    CustomerRecord& customer = context.customers[agent];
    if (first_goal >= 0) become_customer(context, agent, day, first_goal, customer);
    if (record.flags & kConverted) {
      if (customer_next_day(context, record, customer) == day) {
        customer_day(context, day, agent, record, customer, out, counts);
      }
      next = std::min(next, customer_next_day(context, record, customer));
    }
  }
  next_event = day16(next);
}

template <bool kMemory>
int32_t Engine::process_due(const Context& context, int64_t first, const uint16_t* due, int count,
                            int32_t day, AgentRecord* records, uint16_t* next_event, BlockDay& out,
                            ReplicationCounts& counts) const {
  // The Philox blocks are computed a batch at a time in a tight loop, where
  // they pipeline, rather than each at the head of its agent's work, where
  // every one would cost its full latency. Only those used today are made.
  constexpr int kBatch = 64;
  std::array<rng::Block, kBatch> exposure_blocks;
  std::array<rng::Pair, kBatch> return_pairs;
  int32_t earliest = kNever;
  for (int start = 0; start < count; start += kBatch) {
    const int n = std::min(kBatch, count - start);
    for (int k = 0; k < n; ++k) {
      const int64_t i = first + due[start + k];
      const AgentRecord& r = records[i];
      if (r.next_exposure == day) exposure_blocks[k] = context.exposure_block(i, r.exposure_days);
      if (r.pending_day == day) return_pairs[k] = context.return_pair(i, r.return_days);
    }
    for (int k = 0; k < n; ++k) {
      const int64_t i = first + due[start + k];
      AgentRecord& r = records[i];
      // A day with only a return (every day-0 entry of the single-journey
      // form) takes a short path.
      if (r.next_exposure != day && context.customers == nullptr &&
          (context.word_of_mouth == nullptr || context.word_of_mouth[i] == 0) &&
          (!kMemory || context.audience_reach == nullptr)) {
        return_session(context, day, return_pairs[k], r, counts, context.extra_of(i),
                       kMemory ? context.memory_of(i) : nullptr);
        next_event[i] = std::min(r.pending_day, r.next_exposure);
      } else {
        process<kMemory>(context, day, exposure_blocks[k], return_pairs[k], i, r, next_event[i],
                         out, counts);
      }
      earliest = std::min<int32_t>(earliest, next_event[i]);
    }
  }
  return earliest;
}

// What one replication keeps beside the agents' records: per block of
// agents, the next day any of them is due and what they produced today;
// per thread, the counts of the day passes; and the counts of the
// end-of-day step.
struct Engine::Replication {
  Replication(const CompiledModel& model, const Context& context_in, Workspace& workspace,
              int64_t blocks)
      : context(context_in),
        records(workspace.records.get()),
        next_event(workspace.next_event.get()),
        block_next(static_cast<size_t>(blocks)),
        block_days(static_cast<size_t>(blocks)),
        partial([&model] { return ReplicationCounts(model); }),
        shared(model) {}

  const Context& context;
  AgentRecord* records;
  uint16_t* next_event;
  std::vector<int32_t> block_next;
  std::vector<BlockDay> block_days;
  PerThread<ReplicationCounts> partial;
  ReplicationCounts shared;  // what the end-of-day step counts
};

// The step between two days, run alone: merges the blocks' outputs in
// block order, settles the care queue, delivers word of mouth for
// tomorrow, sets tomorrow's act multipliers, and records the day in the
// series.
class Engine::DayEnd {
 public:
  // `todays_nodes`: the walk's nodes under a care backlog (empty without);
  // `audience_reach`: the audiences' reach of the day (Context), set here
  // for day 0 and then each evening for the next day.
  DayEnd(const Engine& engine, Replication& run, std::vector<PersonaNode>& todays_nodes,
         std::vector<double>& audience_reach, std::atomic<uint64_t>* progress)
      : engine_(engine),
        model_(engine.model_),
        run_(run),
        todays_nodes_(todays_nodes),
        audience_reach_(audience_reach),
        progress_(progress),
        care_(model_.loyalty.care.capacity, model_.loyalty.care.sla_days,
              model_.loyalty.care.public_share),
        scale_(model_.settings.population / static_cast<double>(model_.settings.agents)) {
    const size_t horizon = static_cast<size_t>(model_.settings.horizon_days);
    DailySeries& series = run_.shared.series;
    for (std::vector<uint64_t>* v :
         {&series.new_conversions, &series.converted, &series.aware, &series.active_customers}) {
      v->assign(horizon, 0);
    }
    series.open_complaints.assign(horizon, 0.0);
    if (model_.comments.enabled) series.open_comments.assign(horizon, 0.0);
    if (model_.goal_kinds.size() > 1) {
      series.new_conversions_by_kind.assign(horizon * model_.goal_kinds.size(), 0);
    }
    const size_t goals = model_.goal_touchpoints.size();
    const size_t channels = static_cast<size_t>(model_.channel_count());
    series.goal_events_through.assign(horizon * goals, 0);
    series.repeats_through.assign(horizon * goals, 0);
    series.paid_through.assign(horizon * channels, 0);
    series.organic_through.assign(horizon * channels, 0);
    // Everyone starts in an audience of the not converted, no one in one
    // built on visits.
    const ChannelMemory& m = model_.memory;
    members_.assign(static_cast<size_t>(m.audience_count()), 0);
    series.audience_members.assign(horizon * members_.size(), 0);
    for (int a = 0; a < m.audience_count(); ++a) {
      if (!m.audiences[static_cast<size_t>(a)].retargeting()) {
        members_[static_cast<size_t>(a)] = model_.settings.agents;
      }
    }
    settle_audiences(0);
  }

  void operator()(int32_t day) {
    std::vector<Complaint> complaints;
    for (BlockDay& out : run_.block_days) {
      complaints.insert(complaints.end(), out.complaints.begin(), out.complaints.end());
      for (int64_t target : out.referrals) deliver(day, target, 0);
      out.complaints.clear();
      out.referrals.clear();
    }
    if (model_.comments.enabled) comment(day);
    if (model_.loyalty.care.enabled) settle_care(day, std::move(complaints));
    if (model_.comments.enabled) {
      ReplicationCounts& shared = run_.shared;
      shared.moderation_backlog = std::max(shared.moderation_backlog, care_.open_comments());
    }
    if (!todays_nodes_.empty() && day + 1 < model_.settings.horizon_days) {
      engine_.set_act_thresholds(day + 1, care_multiplier_, todays_nodes_);
    }
    record(day);
    if (!members_.empty() && day + 1 < model_.settings.horizon_days) {
      const size_t stride = static_cast<size_t>(model_.settings.horizon_days) + 1;
      for (size_t a = 0; a < members_.size(); ++a) {
        for (const ReplicationCounts& counts : run_.partial) {
          members_[a] += static_cast<int64_t>(counts.audience_moves[a * stride + day + 1]);
        }
      }
      settle_audiences(day + 1);
    }
    if (progress_ != nullptr) progress_->fetch_add(1, std::memory_order_relaxed);
  }

 private:
  // Each audience's members as `day` starts, into the series, and its
  // channel's reach among them that day: the Hill curve with its
  // half-saturation scaled by the audience's share of the agents
  // (docs/model.md "Retargeting audiences").
  void settle_audiences(int32_t day) {
    const double agents = static_cast<double>(model_.settings.agents);
    for (size_t a = 0; a < members_.size(); ++a) {
      const CompiledAudience& audience = model_.memory.audiences[a];
      run_.shared.series.audience_members[static_cast<size_t>(day) * members_.size() + a] =
          static_cast<uint64_t>(members_[a]);
      if (audience.gates_entry()) continue;  // no ads
      audience_reach_[a] = formulas::hill_reach(
          audience.adstock[static_cast<size_t>(day)], audience.max_reach,
          audience.half_saturation * static_cast<double>(members_[a]) / agents, audience.shape);
    }
  }

  // Word of mouth for the agent tomorrow: a referral (`shift` 0) or a
  // praise (8), at most 255 of each a day.
  void deliver(int32_t day, int64_t agent, int shift) {
    if (day + 1 >= model_.settings.horizon_days) return;
    uint16_t& slot = run_.context.word_of_mouth[static_cast<size_t>(agent)];
    const int have = (slot >> shift) & 0xff;
    if (have < 0xff) slot = static_cast<uint16_t>(slot + (1 << shift));
    run_.next_event[agent] = day16(std::min<int32_t>(run_.next_event[agent], day + 1));
    int32_t& next_of_block = run_.block_next[static_cast<size_t>(agent / kBlockAgents)];
    next_of_block = std::min(next_of_block, day + 1);
  }

  // The comments the day's exposures bring, real people in expectation
  // (docs/model.md "Comments and moderation"); the negative ones join the
  // care queue.
  void comment(int32_t day) {
    const CommentModel& m = model_.comments;
    const size_t channels = static_cast<size_t>(model_.channel_count());
    ReplicationCounts& shared = run_.shared;
    if (exposed_so_far_.empty()) exposed_so_far_.assign(channels, 0);
    double negative_today = 0;
    for (size_t c = 0; c < channels; ++c) {
      if (m.rate[c] <= 0) continue;
      uint64_t exposed = shared.channel_paid[c] + shared.channel_organic[c];
      for (const ReplicationCounts& counts : run_.partial) {
        exposed += counts.channel_paid[c] + counts.channel_organic[c];
      }
      const double comments =
          m.rate[c] * static_cast<double>(exposed - exposed_so_far_[c]) * scale_;
      exposed_so_far_[c] = exposed;
      const double negative =
          comments * m.negative_share[static_cast<size_t>(day) * channels + c];
      shared.channel_comments[c] += comments;
      shared.channel_negative_comments[c] += negative;
      negative_today += negative;
    }
    care_.arrive_comments(day, negative_today);
  }

  // The real complaints of the day, in expectation, from the customers
  // active since yesterday (docs/model.md "Customer care"); their answers,
  // praise and churn; tomorrow's act multiplier under the public backlog.
  void settle_care(int32_t day, std::vector<Complaint> complaints) {
    const CareModel& m = model_.loyalty.care;
    const Context& context = run_.context;
    ReplicationCounts& shared = run_.shared;
    care_.arrive(day, m.complaint_rate * static_cast<double>(active_) * scale_,
                 std::move(complaints));
    const CareQueue::DayOutcome outcome =
        care_.end_day(day, [&](const Complaint& c, double share_in_sla) {
          const rng::Pair draws = context.pair(c.agent, rng::Stream::kCareOutcome, c.event);
          // Praise for the share answered within the SLA.
          if (rng::open_unit(draws[1]) < m.praise_rate * share_in_sla) {
            ++shared.loyalty.praises;
            rng::SplitMix64 target(draws[1]);
            deliver(day,
                    static_cast<int64_t>(rng::uniform_index(
                        target(), static_cast<uint64_t>(model_.settings.agents))),
                    8);
          }
          // The customer stops with churn_if_unanswered for the share
          // left waiting past the SLA.
          if (rng::open_unit(draws[0]) >= m.churn_if_unanswered * (1 - share_in_sla)) return;
          AgentRecord& record = run_.records[c.agent];
          if (record.flags & kLost) return;
          engine_.churn(day, record, context.customers[static_cast<size_t>(c.agent)], shared);
          run_.next_event[c.agent] = day16(engine_.next_day(context, c.agent, record));
        });
    shared.loyalty.answered += outcome.answered;
    shared.loyalty.answered_in_sla += outcome.answered_in_sla;
    shared.loyalty.response_days += outcome.response_days;
    shared.loyalty.sla_missed += outcome.missed;
    shared.comments_answered += outcome.comments_answered;
    care_multiplier_ = std::clamp(1 - m.impact_per_open * care_.open_public(), 0.0, 1.0);
  }

  // The day's first conversions, first awareness and churn, gathered from
  // every thread, into the running totals and the series.
  void record(int32_t day) {
    const size_t goal_kinds = model_.goal_kinds.size();
    DayCounts today = run_.shared.today;
    run_.shared.today = {};
    for (ReplicationCounts& counts : run_.partial) {
      today.first_conversions += counts.today.first_conversions;
      today.first_aware += counts.today.first_aware;
      today.churned += counts.today.churned;
      for (size_t k = 0; k < goal_kinds; ++k)
        today.first_by_kind[k] += counts.today.first_by_kind[k];
      counts.today = {};
    }
    converted_ += today.first_conversions;
    aware_ += today.first_aware;
    active_ += today.first_conversions;
    active_ -= today.churned;
    const size_t d = static_cast<size_t>(day);
    DailySeries& series = run_.shared.series;
    series.new_conversions[d] = today.first_conversions;
    series.converted[d] = converted_;
    series.aware[d] = aware_;
    series.active_customers[d] = active_;
    series.open_complaints[d] = care_.open();
    if (!series.open_comments.empty()) series.open_comments[d] = care_.open_comments();
    if (goal_kinds > 1) {
      std::copy_n(
          today.first_by_kind.begin(), goal_kinds,
          series.new_conversions_by_kind.begin() + static_cast<std::ptrdiff_t>(d * goal_kinds));
    }
    record_totals(d);
  }

  // The running totals of goal events, repeats and exposures by the end of
  // day `d`, over every thread's counts.
  void record_totals(size_t d) {
    DailySeries& series = run_.shared.series;
    const std::vector<int32_t>& goals = model_.goal_touchpoints;
    const size_t channels = static_cast<size_t>(model_.channel_count());
    uint64_t* events = series.goal_events_through.data() + d * goals.size();
    uint64_t* repeats = series.repeats_through.data() + d * goals.size();
    uint64_t* paid = series.paid_through.data() + d * channels;
    uint64_t* organic = series.organic_through.data() + d * channels;
    auto add = [&](const ReplicationCounts& counts) {
      for (size_t g = 0; g < goals.size(); ++g) {
        const size_t u = static_cast<size_t>(goals[g]);
        events[g] += counts.touchpoints[u].conversions;
        repeats[g] += counts.loyalty.repeats_by_goal[u];
      }
      for (size_t c = 0; c < channels; ++c) {
        paid[c] += counts.channel_paid[c];
        organic[c] += counts.channel_organic[c];
      }
    };
    for (const ReplicationCounts& counts : run_.partial) add(counts);
    add(run_.shared);
  }

  const Engine& engine_;
  const CompiledModel& model_;
  Replication& run_;
  std::vector<PersonaNode>& todays_nodes_;
  std::vector<double>& audience_reach_;
  std::vector<int64_t> members_;  // [audience]: agents in it as the day starts
  std::atomic<uint64_t>* progress_;
  CareQueue care_;
  const double scale_;  // people per simulated agent
  // Tomorrow's multiplier of consideration and decision act probabilities
  // under the public care backlog.
  double care_multiplier_ = 1;
  uint64_t converted_ = 0, aware_ = 0, active_ = 0;
  std::vector<uint64_t> exposed_so_far_;  // [channel]: exposures by yesterday's end
};

bool Engine::act_thresholds_vary() const {
  const CareModel& care = model_.loyalty.care;
  return (care.enabled && care.impact_per_open > 0 && care.public_share > 0) ||
         !model_.act_events.empty();
}

void Engine::set_act_thresholds(int32_t day, double care_multiplier,
                                std::vector<PersonaNode>& nodes) const {
  const size_t touchpoints = model_.nodes.size();
  std::vector<const CompiledEvent*> events;
  for (const CompiledEvent& e : model_.act_events) {
    if (e.covers(day)) events.push_back(&e);
  }
  for (size_t k = 0; k < nodes.size(); ++k) {
    const size_t persona = k / touchpoints;
    const size_t u = k % touchpoints;
    const uint8_t stage = nodes[k].node.stage;
    uint64_t threshold = model_.persona_nodes[k].act_threshold;
    if (!events.empty()) {
      // a x the multipliers of the events concerning the persona, the
      // touchpoint's channel and its stage, at most 1 (docs/model.md "Events").
      double a = model_.act_probability[k];
      const size_t channel = static_cast<size_t>(model_.touchpoint_channel[u]);
      for (const CompiledEvent* e : events) {
        if (e->personas[persona] && e->channels[channel] && e->stages[stage]) {
          a *= e->act_multiplier;
        }
      }
      threshold = static_cast<uint64_t>(std::llround(std::min(a, 1.0) * 4294967296.0));
    }
    if (care_multiplier != 1 && (stage == v1::CONSIDERATION || stage == v1::DECISION)) {
      threshold =
          static_cast<uint64_t>(std::llround(static_cast<double>(threshold) * care_multiplier));
    }
    nodes[k].act_threshold = threshold;
  }
}

void Engine::prepare(Workspace& workspace) const {
  const size_t agents = static_cast<size_t>(model_.settings.agents);
  if (workspace.capacity < agents) {
    // Not value-initialised: the first pass writes every element.
    workspace.records = std::make_unique_for_overwrite<AgentRecord[]>(agents);
    workspace.next_event = std::make_unique_for_overwrite<uint16_t[]>(agents);
    workspace.customers.reset();
    workspace.word_of_mouth.reset();
    workspace.extra.reset();
    workspace.capacity = agents;
  }
  // Channel words beyond the first: written by initialize() before any read.
  const size_t extra_stride = 2 * static_cast<size_t>(extra_words_);
  if (extra_stride > 0 && (!workspace.extra || workspace.extra_words != extra_words_)) {
    workspace.extra = std::make_unique_for_overwrite<uint64_t[]>(workspace.capacity * extra_stride);
    workspace.extra_words = extra_words_;
  }
  // Channel memory: written by initialize() before any read.
  const size_t memory_bytes = model_.memory.bytes();
  if (memory_bytes > 0 && (!workspace.memory || workspace.memory_stride != memory_bytes ||
                           workspace.memory_capacity < agents)) {
    workspace.memory = std::make_unique_for_overwrite<uint8_t[]>(agents * memory_bytes);
    workspace.memory_stride = memory_bytes;
    workspace.memory_capacity = agents;
  }
  if (model_.loyalty.enabled && !workspace.customers) {
    // Written by become_customer before any read.
    workspace.customers = std::make_unique_for_overwrite<CustomerRecord[]>(agents);
  }
  if (has_word_of_mouth()) {
    if (!workspace.word_of_mouth) {
      workspace.word_of_mouth = std::make_unique<uint16_t[]>(agents);
    } else {
      std::fill_n(workspace.word_of_mouth.get(), agents, uint16_t{0});
    }
  }
}

bool Engine::has_word_of_mouth() const {
  const LoyaltyModel& loyalty = model_.loyalty;
  return (loyalty.referral.enabled && loyalty.referral.rate > 0) ||
         (loyalty.care.enabled && loyalty.care.praise_rate > 0);
}

void Engine::walk_block_once(const Context& context, int64_t begin, int64_t end,
                             ReplicationCounts& counts) const {
  constexpr int kBatch = 64;
  std::array<rng::Pair, kBatch> pairs;
  std::vector<uint64_t> extra(context.extra_stride);  // this walk is all the agent does
  int persona = model_.persona_of(begin);
  for (int64_t start = begin; start < end; start += kBatch) {
    const int n = static_cast<int>(std::min<int64_t>(kBatch, end - start));
    for (int k = 0; k < n; ++k) pairs[k] = context.return_pair(start + k, 0);
    for (int k = 0; k < n; ++k) {
      const int64_t i = start + k;
      while (i >= model_.persona_first_agent[persona + 1]) ++persona;
      // As initialize() leaves it in single-journey form: entering today.
      AgentRecord record = {
          kEntry, day16(kNever), 0, 0, 0, 0, static_cast<uint8_t>(persona), 0, 0, 0,
          0,      kNoTouch,      0, 0};
      std::fill(extra.begin(), extra.end(), uint64_t{0});
      return_session(context, 0, pairs[k], record, counts, extra.empty() ? nullptr : extra.data(),
                     nullptr);
    }
  }
}

void Engine::start_block(Replication& run, int64_t b) const {
  const Context& context = run.context;
  ReplicationCounts& counts = run.partial.local();
  const int64_t begin = b * kBlockAgents;
  const int64_t end = std::min(model_.settings.agents, begin + kBlockAgents);
  // A walk that leaves nothing behind: single-journey form with no delayed
  // edge and no customer events. Each agent walks once on day 0 and is then
  // done, so its state lives on the stack and is never stored.
  if (model_.single_journey && !model_.has_delayed_edges && !model_.has_goal_windows &&
      context.customers == nullptr && context.word_of_mouth == nullptr) {
    walk_block_once(context, begin, end, counts);
    run.block_next[b] = kNever;
    return;
  }
  std::array<uint16_t, kBlockAgents> due;  // filled up to count
  int count = 0;
  int32_t earliest = kNever;  // over the agents not due
  int persona = model_.persona_of(begin);
  for (int64_t i = begin; i < end; ++i) {
    while (i >= model_.persona_first_agent[persona + 1]) ++persona;
    initialize(context, i, persona, run.records[i], run.next_event[i]);
    if (run.next_event[i] == 0) {
      due[count++] = static_cast<uint16_t>(i - begin);
    } else {
      earliest = std::min<int32_t>(earliest, run.next_event[i]);
    }
  }
  run.block_next[b] =
      std::min(earliest, process_due(context, begin, due.data(), count, 0, run.records,
                                     run.next_event, run.block_days[b], counts));
}

void Engine::continue_block(Replication& run, int64_t b, int32_t day) const {
  if (run.block_next[b] > day) return;
  ReplicationCounts& counts = run.partial.local();
  const int64_t begin = b * kBlockAgents;
  const int64_t end = std::min(model_.settings.agents, begin + kBlockAgents);
  // The agents due today are a sparse few of a large array: find them all
  // first and prefetch their records, so that the cache misses overlap
  // instead of costing a memory latency each.
  std::array<uint16_t, kBlockAgents> due;  // filled up to count
  int count = 0;
  int32_t earliest = kNever;  // over the agents not due
  for (int64_t i = begin; i < end; ++i) {
    if (run.next_event[i] != day) {
      earliest = std::min<int32_t>(earliest, run.next_event[i]);
      continue;
    }
    due[count++] = static_cast<uint16_t>(i - begin);
    const char* record = reinterpret_cast<const char*>(&run.records[i]);
    __builtin_prefetch(record, 1);
    __builtin_prefetch(record + sizeof(AgentRecord) - 1, 1);
    if (const uint8_t* memory = run.context.memory_of(i)) __builtin_prefetch(memory, 1);
  }
  run.block_next[b] =
      std::min(earliest, process_due(run.context, begin, due.data(), count, day, run.records,
                                     run.next_event, run.block_days[b], counts));
}

ReplicationCounts Engine::run_replication(int replication, std::atomic<uint64_t>* progress,
                                          Workspace* workspace,
                                          const std::atomic<bool>* stop) const {
  Workspace own;
  if (workspace == nullptr) workspace = &own;
  prepare(*workspace);
  // Under a care backlog or events the act thresholds change from day to day.
  std::vector<PersonaNode> todays_nodes;
  if (act_thresholds_vary()) {
    todays_nodes = model_.persona_nodes;
    set_act_thresholds(0, 1.0, todays_nodes);
  }
  std::vector<double> audience_reach(static_cast<size_t>(model_.memory.audience_count()));
  const Context context{seed_,
                        static_cast<uint64_t>(replication),
                        model_.settings.horizon_days,
                        todays_nodes.empty() ? model_.persona_nodes.data() : todays_nodes.data(),
                        model_.loyalty.enabled ? workspace->customers.get() : nullptr,
                        has_word_of_mouth() ? workspace->word_of_mouth.get() : nullptr,
                        extra_words_ > 0 ? workspace->extra.get() : nullptr,
                        2 * static_cast<size_t>(extra_words_),
                        model_.memory.enabled() ? workspace->memory.get() : nullptr,
                        model_.memory.bytes(),
                        model_.memory.ad_audience_count() == 0 ? nullptr : audience_reach.data()};
  const int64_t blocks = (model_.settings.agents + kBlockAgents - 1) / kBlockAgents;
  Replication run(model_, context, *workspace, blocks);
  DayEnd day_end(*this, run, todays_nodes, audience_reach, progress);

  // One task per block (a grain of one), so that blocks spread evenly.
  auto for_blocks = [&](auto&& body) {
    isolated([&] { parallel_indices(int64_t{0}, blocks, body, tbb::simple_partitioner()); });
  };
  // Start every agent, and run its day 0 while its state is in cache.
  if (!stop_requested(stop)) {
    for_blocks([&](int64_t b) { start_block(run, b); });
    day_end(0);
  }
  for (int32_t day = 1; day < context.horizon && !stop_requested(stop); ++day) {
    for_blocks([&](int64_t b) { continue_block(run, b, day); });
    day_end(day);
  }

  ReplicationCounts total(model_);
  for (const ReplicationCounts& counts : run.partial) total.add(counts);
  total.add(run.shared);
  total.series = std::move(run.shared.series);
  total.finish();
  return total;
}

std::vector<ReplicationCounts> Engine::run(int first, int count, std::atomic<uint64_t>* progress,
                                           const std::atomic<bool>* stop) const {
  CJSIM_CHECK(count >= 0, "negative replication count");
  std::vector<ReplicationCounts> results(count);
  PerThread<Workspace> workspaces;
  parallel_indices(0, count, [&](int r) {
    results[r] = run_replication(first + r, progress, &workspaces.local(), stop);
  });
  return results;
}

}  // namespace cjsim
