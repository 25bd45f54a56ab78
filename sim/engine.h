// Engine: the parallel Monte Carlo simulation of a CompiledModel.
//
// A replication plays `agents` people through the horizon day by day
// (docs/model.md "Semantics"): exposures from paid and organic reach, session
// walks over the journey graph, delayed returns, forgetting, and after a
// conversion the customer's repeats, complaints and referrals. Agents are
// processed in fixed blocks on oneTBB; every random draw is addressed by the
// agent's identity (sim/rng.h), so the counts of a replication depend only on
// the model, the seed and the replication index: never on threads, block
// scheduling or which other replications run. Agents interact through shared
// daily state (the customer-care queue and its public backlog, referrals
// that reach other blocks), so after each day's parallel pass an end-of-day
// step merges the blocks' outputs in block order and settles it.
//
// An Engine only reads its model; its const methods may run concurrently.
#ifndef CJSIM_SIM_ENGINE_H_
#define CJSIM_SIM_ENGINE_H_

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "models/compiled_model.h"
#include "models/limits.h"
#include "sim/rng.h"
#include "sim/stop.h"
#include "sim/tally.h"

namespace cjsim {

// Per-agent state, 40 bytes, and the agent's next-event day (kept apart for
// the daily scan): 42 bytes an agent (limits::kAgentStateBytes). Days are
// integers below limits::kMaxHorizonDays, kept in 16 bits; Engine::kNever
// is "not scheduled". The event counters number the agent's exposure days
// and return days: their random draws are keyed by these numbers, not by
// the calendar day (sim/rng.h).
// For channel credit and reach (docs/model.md "Channel credit") it keeps
// the first and last touch and the sets of channels that touched and that
// exposed the agent: a bit per channel, channels 0-63 here and the rest, in
// a scenario with more channels, in words kept beside (Workspace::extra).
struct AgentRecord {
  int32_t pending_touchpoint;  // of a delayed return; Engine::kEntry: pick an entry
  uint16_t next_exposure;      // day of the next exposure
  uint16_t pending_day;        // day of the return to pending_touchpoint
  uint16_t untouched_since;    // the day after the last exposure or session; 0 = never
  uint16_t exposure_days;      // exposure days so far
  uint16_t return_days;        // days returned from a delay (or entered) so far
  uint8_t persona;
  uint8_t stage;        // current stage; 0 = unaware
  uint8_t max_stage;    // furthest stage ever reached
  uint8_t flags;        // kConverted | kExposed | kLost | kRepeated (sim/engine.cc)
  uint16_t kinds;       // goal kinds reached (with two goal kinds or more)
  uint32_t touch_ends;  // first touch's channel (low 16 bits), last's (high); kNoTouch
  uint64_t touched;     // channels 0-63 that touched the agent
  uint64_t exposed;     // channels 0-63 that exposed it
};
static_assert(sizeof(AgentRecord) == 40);
static_assert(sizeof(AgentRecord) + sizeof(uint16_t) == limits::kAgentStateBytes);
inline constexpr uint32_t kNoTouch = 0xffffffff;
static_assert(limits::kMaxChannels < 0xffff, "touch_ends keeps a channel in 16 bits");
static_assert(limits::kMaxGoalKinds <= 16, "AgentRecord::kinds has a bit per goal kind");

// A customer's loyalty state, 20 bytes, kept when the model's customers
// have events (LoyaltyModel::enabled). Whether the customer is active or
// has repeated is in AgentRecord::flags (kLost, kRepeated); the customer's
// own rates (BG/NBD lambda and p, BG/BB p and theta) are not kept but drawn
// again from the customer's stream when needed (Engine::customer_rates).
// Packed to 4 bytes: next_time is read and written by value, never through
// a reference.
struct [[gnu::packed, gnu::aligned(4)]] CustomerRecord {
  double next_time;  // continuous day of the next repeat, complaint or referral
  int32_t goal;      // the touchpoint of the first conversion
  uint32_t events;   // continuous events so far
  uint16_t converted_day;
  uint16_t opportunities;  // BG/BB opportunities so far
};
static_assert(sizeof(CustomerRecord) == limits::kCustomerStateBytes);

class Engine {
 public:
  // Not scheduled: above every day and every horizon, and kept in 16 bits
  // (kNever - 1 is a return after the horizon).
  static constexpr int32_t kNever = 0xffff;
  static_assert(limits::kMaxHorizonDays < kNever - 1, "days and day counters fit 16 bits");
  static constexpr int32_t kEntry = -2;          // pending_touchpoint: pick an entry
  static constexpr int64_t kBlockAgents = 4096;  // fits a uint16_t offset
  // A session longer than this is cut (counted in truncated_sessions);
  // validation refuses loops that could never end, so this is a backstop.
  static constexpr int kMaxSessionSteps = 1 << 20;

  // Replication r of `model` draws from the streams keyed by (seed, r):
  // the same numbers on any thread count, and in every what-if of the model
  // run with the same seed (common random numbers).
  Engine(const CompiledModel& model, uint64_t seed)
      : model_(model), seed_(seed), extra_words_(channel_words(model.channel_count()) - 1) {}

  // Agent state for one replication, kept between replications so that
  // its memory is not faulted in afresh each time. One per running
  // replication; not shared between threads.
  struct Workspace {
    std::unique_ptr<AgentRecord[]> records;
    std::unique_ptr<uint16_t[]> next_event;
    std::unique_ptr<CustomerRecord[]> customers;  // with LoyaltyModel::enabled
    // Referrals (low byte) and praises (high byte) reaching each agent
    // tomorrow; with referrals or praise.
    std::unique_ptr<uint16_t[]> word_of_mouth;
    // With more than 64 channels, the channel sets' words beyond the first
    // (AgentRecord has it): per agent, extra_words touched then as many
    // exposed.
    std::unique_ptr<uint64_t[]> extra;
    int extra_words = 0;
    size_t capacity = 0;
    // With frequency caps or fatigue: each agent's channel memory
    // (ChannelMemory::bytes() each, for memory_capacity agents).
    std::unique_ptr<uint8_t[]> memory;
    size_t memory_stride = 0, memory_capacity = 0;
  };

  // 64-bit words of one channel set (limits::agent_state_bytes counts the
  // bytes per agent).
  static int channel_words(int channels) { return std::max(1, (channels + 63) / 64); }

  // Runs one replication, spreading agent blocks over the current task arena.
  // `progress`, when given, is incremented once per simulated day.
  // `workspace`, when given, is reused (and grown if needed).
  // `stop` (sim/stop.h) is read before each simulated day; once it is set
  // the remaining days are skipped and the counts are incomplete.
  ReplicationCounts run_replication(int replication, std::atomic<uint64_t>* progress = nullptr,
                                    Workspace* workspace = nullptr,
                                    const std::atomic<bool>* stop = nullptr) const;

  // Runs replications [first, first + count) in parallel in the current
  // arena; results in replication order. With `stop` set during the call
  // every replication still returns, incomplete (see run_replication).
  std::vector<ReplicationCounts> run(int first, int count,
                                     std::atomic<uint64_t>* progress = nullptr,
                                     const std::atomic<bool>* stop = nullptr) const;

 private:
  struct Context;
  struct BlockDay;
  struct Replication;
  class DayEnd;
  // Whether act thresholds change from day to day: under a public care
  // backlog, or with events that change act probabilities.
  bool act_thresholds_vary() const;
  // The walk's nodes of `day`: the model's thresholds under the events in
  // force that day, then `care_multiplier` on consideration and decision.
  void set_act_thresholds(int32_t day, double care_multiplier,
                          std::vector<PersonaNode>& nodes) const;
  // Sizes the workspace for the model (records, next-event days, customer
  // state, word of mouth, extra channel words).
  void prepare(Workspace& workspace) const;
  // Referrals or praise bring people in: word of mouth arrives by day.
  bool has_word_of_mouth() const;
  // Day 0 of the agents of block `b`: initialises them and runs those due.
  void start_block(Replication& run, int64_t b) const;
  // Day `day` of the agents of block `b` that are due.
  void continue_block(Replication& run, int64_t b, int32_t day) const;
  // The single-journey walk of agents [begin, end) when it leaves nothing
  // behind (no delayed edge, no customers, no word of mouth).
  void walk_block_once(const Context& context, int64_t begin, int64_t end,
                       ReplicationCounts& counts) const;
  void initialize(const Context& context, int64_t agent, int persona, AgentRecord& record,
                  uint16_t& next_event) const;
  // `exposure` is the block of the agent's next exposure day (used only if
  // it is today), `ret` the pair of its next return day (likewise).
  // kMemory: the model has channel memory (caps or fatigue); without, the
  // walk is compiled without it.
  template <bool kMemory>
  void process(const Context& context, int32_t day, const rng::Block& exposure,
               const rng::Pair& ret, int64_t agent, AgentRecord& record, uint16_t& next_event,
               BlockDay& out, ReplicationCounts& counts) const;
  // Processes the agents `due[0..count)` (offsets from `first`) on `day`;
  // returns the earliest next-event day among them.
  template <bool kMemory>
  int32_t process_due(const Context& context, int64_t first, const uint16_t* due, int count,
                      int32_t day, AgentRecord* records, uint16_t* next_event, BlockDay& out,
                      ReplicationCounts& counts) const;
  int32_t process_due(const Context& context, int64_t first, const uint16_t* due, int count,
                      int32_t day, AgentRecord* records, uint16_t* next_event, BlockDay& out,
                      ReplicationCounts& counts) const {
    return context_has_memory(context)
               ? process_due<true>(context, first, due, count, day, records, next_event, out,
                                   counts)
               : process_due<false>(context, first, due, count, day, records, next_event, out,
                                    counts);
  }
  static bool context_has_memory(const Context& context);
  // A session from `start` (or a touchpoint picked from `landing`); returns
  // the touchpoint of the agent's first conversion ever if it happens here,
  // else -1.
  // `entry_bits` pick the entry touchpoint when `start` is kEntry. A
  // session started by a landing (an exposure, word of mouth, the day-0
  // entry) is a touch of its touchpoint's channel. `extra` is the agent's
  // channel words beyond the first (null with at most 64 channels).
  // `first_act_scale` multiplies the act probability of the session's
  // first step (a post's format, docs/model.md "Publishing plan").
  // `memory` is the agent's channel memory (null without caps, fatigue and
  // audiences): the act probability on a fatigued channel's touchpoints is
  // scaled by fatigue(), and visits and conversions move the agent in and
  // out of audiences.
  int session(const Context& context, int32_t day, uint64_t seed_lane, int index, int start,
              const LandingTable* landing, bool referred, AgentRecord& record,
              ReplicationCounts& counts, uint64_t* extra, uint8_t* memory,
              uint64_t entry_bits = 0, double first_act_scale = 1.0) const;
  // The session of the agent's pending return (or day-0 entry) today.
  int return_session(const Context& context, int32_t day, const rng::Pair& pair,
                     AgentRecord& record, ReplicationCounts& counts, uint64_t* extra,
                     uint8_t* memory) const;
  // Channel memory (docs/model.md "Frequency caps", "Ad fatigue"):
  // catch_up brings the fatigue stocks and cap counts to `day`; admit_paid
  // does so and takes a paid exposure of `channel` if its cap allows
  // (counting it as capped if not); add_fatigue adds the exposure to the
  // channel's stock; fatigue is the act multiplier of fatigue slot `slot`
  // on `day`, exp(-per_exposure x recent).
  void catch_up(uint8_t* memory, int32_t day) const;
  // Retargeting audiences (docs/model.md "Retargeting audiences"):
  // audience_chances takes today's chances of an ad, for the agent as it
  // starts the day, and returns the audiences that show it one;
  // audience_ads shows them (an exposure each, a session, privacy
  // backlash); visit and leave move the agent in and out of audiences
  // (counted in ReplicationCounts::audience_moves); settle_chances draws
  // the first chance of the audiences the agent joined today;
  // next_chance is the agent's next chance of any audience.
  uint8_t audience_chances(const Context& context, int32_t day, int64_t agent,
                           const AgentRecord& record, uint8_t* memory) const;
  void audience_ads(const Context& context, int32_t day, int64_t agent, uint8_t ads,
                    AgentRecord& record, uint8_t* memory, int& first_goal,
                    ReplicationCounts& counts) const;
  void visit(uint8_t* memory, uint8_t audiences, int32_t day, bool converted,
             ReplicationCounts& counts) const;
  void leave(uint8_t* memory, int32_t day, ReplicationCounts& counts) const;
  void settle_chances(const Context& context, int32_t day, int64_t agent, int persona,
                      uint8_t* memory) const;
  int32_t next_chance(const uint8_t* memory) const;
  int32_t chance_day(int persona, int slot, int32_t after_day, uint64_t bits) const;
  // Entry audiences: the touchpoint a landing on a table with gates ends
  // at, when its pick `u` is a gate the agent is not in (docs/model.md
  // "Retargeting audiences"): another entry open to the agent, by weight,
  // from `bits`; -1 when there is none.
  int32_t open_entry(const LandingGates& gates, uint32_t u, const uint8_t* memory, int32_t day,
                     uint8_t flags, uint64_t bits) const;
  // The agent's next day with something to do but customer events.
  int32_t next_day(const Context& context, int64_t agent, const AgentRecord& record) const;
  bool admit_paid(uint8_t* memory, int32_t day, int channel, ReplicationCounts& counts) const;
  void add_fatigue(uint8_t* memory, int channel) const;
  double fatigue(const uint8_t* memory, int slot, int32_t day) const;
  // Credits a conversion at goal touchpoint `u` to the channels that
  // touched the agent.
  [[gnu::cold, gnu::noinline]] void credit(const AgentRecord& record, const uint64_t* extra,
                                           uint32_t u, ReplicationCounts& counts) const;
  int32_t next_exposure_day(const Context& context, int persona, int32_t after_day,
                            uint64_t bits) const;
  void forget(int32_t untouched_days, uint64_t bits, AgentRecord& record) const;
  // An exposure by word of mouth (`praise`: on the care channel).
  void word_of_mouth(const Context& context, int32_t day, int64_t agent, int index, bool praise,
                     AgentRecord& record, int& first_goal, ReplicationCounts& counts) const;
  // A customer's own rates: BG/NBD lambda (per day) and p (after a
  // repeat), or BG/BB p and theta (per opportunity); 0 for other models.
  struct CustomerRates {
    double rate = 0;
    double dropout = 0;
  };
  // Draws them from `draws`, the customer's pair (rng::Stream::kCustomer,
  // event 0; its second lane times the first event): the same values every
  // time.
  CustomerRates customer_rates(const rng::Pair& draws, const CustomerRecord& customer) const;
  void become_customer(const Context& context, int64_t agent, int32_t day, int goal,
                       CustomerRecord& customer) const;
  // The customer's repeats, complaints, referrals and opportunities of `day`.
  void customer_day(const Context& context, int32_t day, int64_t agent, AgentRecord& record,
                    CustomerRecord& customer, BlockDay& out, ReplicationCounts& counts) const;
  // The next day with an event of the customer, or kNever.
  int32_t customer_next_day(const Context& context, const AgentRecord& record,
                            const CustomerRecord& customer) const;
  void churn(int32_t day, AgentRecord& record, CustomerRecord& customer,
             ReplicationCounts& counts) const;

  const CompiledModel& model_;
  const uint64_t seed_;
  const int extra_words_;  // channel words per set beyond AgentRecord's
};

}  // namespace cjsim

#endif  // CJSIM_SIM_ENGINE_H_
