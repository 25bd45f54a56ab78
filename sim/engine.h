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

// Per-agent state, 28 bytes with the agent's next-event day (kept apart for
// the daily scan). Days are integers; kNever is "not scheduled". The event
// counters number the agent's exposure days and return days: their random
// draws are keyed by these numbers, not by the calendar day (sim/rng.h).
struct AgentRecord {
  int32_t next_exposure;
  int32_t pending_day;         // day of a delayed return to pending_touchpoint
  int32_t pending_touchpoint;  // or kEntry: the single-journey entry
  int32_t last_touch;          // last day exposed or in a session; -1 = never
  uint16_t exposure_days;      // exposure days so far
  uint16_t return_days;        // days returned from a delay (or entered) so far
  uint8_t persona;
  uint8_t stage;      // current stage; 0 = unaware
  uint8_t max_stage;  // furthest stage ever reached
  uint8_t flags;      // kConverted | kExposed | kLost
};
static_assert(sizeof(AgentRecord) == 24);
// An agent has at most one exposure day and one return day per day.
static_assert(limits::kMaxHorizonDays <= 65535, "event counters are 16-bit");

// A customer's loyalty state, 32 bytes, kept only when the model's customers
// have events (LoyaltyModel::enabled).
struct CustomerRecord {
  double next_time;  // continuous day of the next repeat, complaint or referral
  float rate;        // BG/NBD: lambda per day; BG/BB: p per opportunity
  float dropout;     // BG/NBD: p after a repeat; BG/BB: theta per opportunity
  int32_t goal;      // the touchpoint of the first conversion
  int32_t converted_day;
  uint32_t events;         // continuous events so far
  uint16_t opportunities;  // BG/BB opportunities so far
  uint8_t process;         // index into LoyaltyModel::processes
  uint8_t flags;           // kActive | kRepeated
};
static_assert(sizeof(CustomerRecord) == 32);

class Engine {
 public:
  static constexpr int32_t kNever = INT32_MAX;
  static constexpr int32_t kEntry = -2;          // pending_touchpoint: pick an entry
  static constexpr int64_t kBlockAgents = 4096;  // fits a uint16_t offset
  // A session longer than this is cut (counted in truncated_sessions);
  // validation refuses loops that could never end, so this is a backstop.
  static constexpr int kMaxSessionSteps = 1 << 20;

  explicit Engine(const CompiledModel& model) : model_(model) {}

  // Agent state for one replication, kept between replications so that
  // its memory is not faulted in afresh each time. One per running
  // replication; not shared between threads.
  struct Workspace {
    std::unique_ptr<AgentRecord[]> records;
    std::unique_ptr<int32_t[]> next_event;
    std::unique_ptr<CustomerRecord[]> customers;  // with LoyaltyModel::enabled
    // Referrals (low byte) and praises (high byte) reaching each agent
    // tomorrow; with referrals or praise.
    std::unique_ptr<uint16_t[]> word_of_mouth;
    // The goal kinds each agent reached, with two goal kinds or more.
    std::unique_ptr<uint32_t[]> kinds;
    size_t capacity = 0;
  };

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
  void initialize(const Context& context, int64_t agent, int persona, AgentRecord& record,
                  int32_t& next_event) const;
  // `exposure` is the block of the agent's next exposure day (used only if
  // it is today), `ret` the pair of its next return day (likewise).
  void process(const Context& context, int32_t day, const rng::Block& exposure,
               const rng::Pair& ret, int64_t agent, AgentRecord& record, int32_t& next_event,
               BlockDay& out, ReplicationCounts& counts) const;
  // Processes the agents `due[0..count)` (offsets from `first`) on `day`;
  // returns the earliest next-event day among them.
  int32_t process_due(const Context& context, int64_t first, const uint16_t* due, int count,
                      int32_t day, AgentRecord* records, int32_t* next_event, BlockDay& out,
                      ReplicationCounts& counts) const;
  // A session from `start` (or a touchpoint picked from `landing`); returns
  // the touchpoint of the agent's first conversion ever if it happens here,
  // else -1.
  // `entry_bits` pick the entry touchpoint when `start` is kEntry. `kinds`,
  // with two goal kinds or more, is the agent's mask of goal kinds reached
  // so far (null otherwise).
  int session(const Context& context, int32_t day, uint64_t seed_lane, int index, int start,
              const LandingTable* landing, bool referred, AgentRecord& record,
              ReplicationCounts& counts, uint32_t* kinds, uint64_t entry_bits = 0) const;
  // The session of the agent's pending return (or day-0 entry) today.
  int return_session(const Context& context, int32_t day, const rng::Pair& pair,
                     AgentRecord& record, ReplicationCounts& counts, uint32_t* kinds) const;
  int32_t next_exposure_day(const Context& context, int persona, int32_t after_day,
                            uint64_t bits) const;
  void forget(int32_t untouched_days, uint64_t bits, AgentRecord& record) const;
  // An exposure by word of mouth (`praise`: on the care channel).
  void word_of_mouth(const Context& context, int32_t day, int64_t agent, int index, bool praise,
                     AgentRecord& record, int& first_goal, ReplicationCounts& counts) const;
  void become_customer(const Context& context, int64_t agent, int32_t day, int goal,
                       CustomerRecord& customer) const;
  // The customer's repeats, complaints, referrals and opportunities of `day`.
  void customer_day(const Context& context, int32_t day, int64_t agent, AgentRecord& record,
                    CustomerRecord& customer, BlockDay& out, ReplicationCounts& counts) const;
  int32_t customer_next_day(const Context& context, const CustomerRecord& customer) const;
  void churn(int32_t day, AgentRecord& record, CustomerRecord& customer,
             ReplicationCounts& counts) const;

  const CompiledModel& model_;
};

}  // namespace cjsim

#endif  // CJSIM_SIM_ENGINE_H_
