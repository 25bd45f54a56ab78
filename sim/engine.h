// Engine: the parallel Monte Carlo simulation of a CompiledModel.
//
// A replication plays `agents` people through the horizon day by day
// (docs/model.md "Semantics"): exposures from paid and organic reach, session
// walks over the journey graph, delayed returns, forgetting. Agents are
// processed in fixed blocks on oneTBB; every random draw is addressed by the
// agent's identity (sim/rng.h), so the counts of a replication depend only on
// the model, the seed and the replication index: never on threads, block
// scheduling or which other replications run. The day loop is kept even
// though agents do not yet interact, so that shared daily state (customer
// care queues, sentiment, referrals) can join it.
//
// An Engine only reads its model; its const methods may run concurrently.
#ifndef CJSIM_SIM_ENGINE_H_
#define CJSIM_SIM_ENGINE_H_

#include <atomic>
#include <cstdint>
#include <vector>

#include "models/compiled_model.h"
#include "sim/tally.h"

namespace cjsim {

// Per-agent state, 24 bytes with the agent's next-event day (kept apart for
// the daily scan). Days are integers; kNever is "not scheduled".
struct AgentRecord {
  int32_t next_exposure;
  int32_t pending_day;  // day of a delayed return to pending_touchpoint
  int32_t pending_touchpoint;
  int32_t forget_day;
  uint8_t persona;
  uint8_t stage;      // current stage; 0 = unaware
  uint8_t max_stage;  // furthest stage ever reached
  uint8_t flags;      // kConverted | kExposed
};
static_assert(sizeof(AgentRecord) == 20);

class Engine {
 public:
  static constexpr int32_t kNever = INT32_MAX;
  static constexpr int64_t kBlockAgents = 4096;
  // A session longer than this is cut (counted in truncated_sessions);
  // validation refuses loops that could never end, so this is a backstop.
  static constexpr int kMaxSessionSteps = 1 << 20;

  explicit Engine(const CompiledModel& model) : model_(model) {}

  // Runs one replication, spreading agent blocks over the current task arena.
  // `progress`, when given, is incremented once per simulated day.
  ReplicationCounts run_replication(int replication,
                                    std::atomic<uint64_t>* progress = nullptr) const;

  // Runs replications [first, first + count) in parallel in the current
  // arena; results in replication order.
  std::vector<ReplicationCounts> run(int first, int count,
                                     std::atomic<uint64_t>* progress = nullptr) const;

 private:
  struct Context;
  void initialize(Context& context, int64_t agent, AgentRecord& record,
                  int32_t& next_event) const;
  void process(Context& context, int64_t agent, int32_t day, AgentRecord& record,
               int32_t& next_event, ReplicationCounts& counts) const;
  void session(Context& context, int64_t agent, int32_t day, int index, int start,
               const LandingTable* landing, AgentRecord& record,
               ReplicationCounts& counts) const;
  int32_t next_exposure_day(const Context& context, int64_t agent, int persona,
                            int32_t after_day) const;
  int32_t next_forget_day(const Context& context, int64_t agent, const AgentRecord& record,
                          int32_t day) const;

  const CompiledModel& model_;
};

}  // namespace cjsim

#endif  // CJSIM_SIM_ENGINE_H_
