#include "sim/engine.h"

#include <algorithm>
#include <cmath>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "sim/check.h"
#include "sim/rng.h"

namespace cjsim {

namespace {
constexpr uint8_t kConverted = 1;
constexpr uint8_t kExposed = 2;
constexpr uint8_t kLoyalty = 4;  // cjsim.v1.LOYALTY
}  // namespace

struct Engine::Context {
  uint64_t seed;
  uint64_t replication;
  int32_t horizon;
};

void Engine::initialize(Context& context, int64_t agent, AgentRecord& record,
                        int32_t& next_event) const {
  const int persona = model_.persona_of(agent);
  record = {kNever, kNever, -1, kNever, static_cast<uint8_t>(persona), 0, 0, 0};
  record.next_exposure = next_exposure_day(context, agent, persona, -1);
  if (model_.single_journey) {
    // Every agent enters once, on day 0, at an entry touchpoint by weight.
    rng::Block block = rng::philox(context.seed, context.replication, agent,
                                   rng::Stream::kEntry, 0, 0);
    record.pending_touchpoint = static_cast<int32_t>(alias_pick(
        &model_.landing_columns[model_.entry.column_begin], model_.entry.log2_columns, block[0]));
    record.pending_day = 0;
  }
  next_event = std::min(record.next_exposure, record.pending_day);
}

int32_t Engine::next_exposure_day(const Context& context, int64_t agent, int persona,
                                  int32_t after_day) const {
  const PersonaExposure& exposure = model_.exposure[persona];
  if (exposure.sources.empty()) return kNever;
  // Inversion of the cumulative hazard: the first day s > after_day with
  // H(s + 1) - H(after_day + 1) >= E, E ~ Exp(1) (docs/model.md "Exposure").
  rng::Block block = rng::philox(context.seed, context.replication, agent,
                                 rng::Stream::kExposureGap,
                                 static_cast<uint64_t>(after_day + 1), 0);
  const double* hazard = exposure.cumulative_hazard.data();
  const double target = hazard[after_day + 1] - std::log(rng::open_unit(block[0]));
  const double* end = hazard + context.horizon + 1;
  const double* found = std::lower_bound(hazard + after_day + 2, end, target);
  if (found == end) return kNever;
  return static_cast<int32_t>(found - hazard) - 1;
}

int32_t Engine::next_forget_day(const Context& context, int64_t agent,
                                const AgentRecord& record, int32_t day) const {
  const double h = model_.persona_forgetting[record.persona];
  if (h <= 0 || record.stage == 0 || record.stage >= kLoyalty ||
      record.pending_day != kNever) {
    return kNever;
  }
  // Geometric on 1, 2, ...: the first untouched day the memory fails.
  rng::Block block = rng::philox(context.seed, context.replication, agent,
                                 rng::Stream::kForget, static_cast<uint64_t>(day), 0);
  const double wait = h >= 1 ? 1.0
                             : 1.0 + std::floor(std::log(rng::open_unit(block[0])) /
                                                std::log1p(-h));
  return wait >= static_cast<double>(context.horizon - day) ? kNever
                                                            : day + static_cast<int32_t>(wait);
}

void Engine::session(Context& context, int64_t agent, int32_t day, int index, int start,
                     const LandingTable* landing, AgentRecord& record,
                     ReplicationCounts& counts) const {
  rng::Xoshiro256pp random(rng::philox(context.seed, context.replication, agent,
                                       rng::Stream::kSession, static_cast<uint64_t>(day),
                                       static_cast<uint64_t>(index)));
  uint32_t u = landing == nullptr
                   ? static_cast<uint32_t>(start)
                   : alias_pick(&model_.landing_columns[landing->column_begin],
                                landing->log2_columns, random());
  const size_t touchpoints = model_.nodes.size();
  const uint64_t* act_threshold = &model_.act_threshold[record.persona * touchpoints];
  const WalkNode* nodes = model_.nodes.data();
  const AliasColumn* columns = model_.edge_columns.data();
  const WalkEdge* edges = model_.walk_edges.data();
  ++counts.sessions;
  for (int steps = 0;; ++steps) {
    if (steps == kMaxSessionSteps) {
      ++counts.truncated_sessions;
      break;
    }
    ++counts.walk_steps;
    ++counts.touchpoint_visits[u];
    const WalkNode node = nodes[u];
    record.stage = std::max(record.stage, node.stage);
    if (node.is_goal) {
      ++counts.touchpoint_conversions[u];
      ++counts.persona_conversions[record.persona];
      record.flags |= kConverted;
      record.stage = kLoyalty;
    }
    record.max_stage = std::max(record.max_stage, record.stage);

    // High 32 bits decide the act, low 32 the delay; a second draw picks the
    // edge (column from its high bits, coin from its low 32).
    const uint64_t act_bits = random();
    if ((act_bits >> 32) >= act_threshold[u]) break;
    ++counts.touchpoint_acts[u];
    if (node.log2_columns < 0) break;
    const uint32_t e = alias_pick(columns + node.column_begin, node.log2_columns, random());
    const WalkEdge edge = edges[e];
    if (edge.target < 0) break;  // into a switched-off channel
    if (edge.inv_log_q != 0) {
      const double delay = std::floor(std::log(rng::open_unit32(act_bits)) * edge.inv_log_q);
      if (delay >= 1) {
        record.pending_touchpoint = edge.target;
        record.pending_day = delay >= static_cast<double>(context.horizon - day)
                                 ? kNever - 1  // returns after the horizon
                                 : day + static_cast<int32_t>(delay);
        break;
      }
    }
    u = static_cast<uint32_t>(edge.target);
  }
}

void Engine::process(Context& context, int64_t agent, int32_t day, AgentRecord& record,
                     int32_t& next_event, ReplicationCounts& counts) const {
  int session_index = 0;
  bool touched = false;
  if (record.pending_day == day) {
    const int start = record.pending_touchpoint;
    record.pending_day = kNever;
    record.pending_touchpoint = -1;
    session(context, agent, day, session_index++, start, nullptr, record, counts);
    touched = true;
  }
  if (record.next_exposure == day) {
    touched = true;
    record.flags |= kExposed;
    const PersonaExposure& exposure = model_.exposure[record.persona];
    const size_t n = exposure.sources.size();
    const double* cdf = &exposure.first_source_cdf[static_cast<size_t>(day) * n];
    const double* probability = &exposure.probability[static_cast<size_t>(day) * n];
    rng::Uniforms uniforms(context.seed, context.replication, static_cast<uint64_t>(agent),
                           rng::Stream::kExposureSources, static_cast<uint64_t>(day));
    // Given at least one exposure today: the first exposing source by its
    // conditional distribution, the later ones independently.
    const double first_draw = uniforms.next();
    size_t first = 0;
    while (first + 1 < n && cdf[first] <= first_draw) ++first;
    for (size_t j = first; j < n; ++j) {
      if (j > first && !(uniforms.next() < probability[j])) continue;
      const ExposureSource source = exposure.sources[j];
      ++(source.paid ? counts.channel_paid : counts.channel_organic)[source.channel];
      if (record.pending_day != kNever) continue;  // mid-journey: no new session
      const int stage = record.stage == 0 ? 1 : record.stage;
      const LandingTable& landing = model_.landing_for(source.channel, stage);
      if (landing.log2_columns < 0) continue;
      session(context, agent, day, session_index++, 0, &landing, record, counts);
    }
    record.next_exposure = next_exposure_day(context, agent, record.persona, day);
  }
  if (touched) {
    record.forget_day = next_forget_day(context, agent, record, day);
  } else if (record.forget_day == day) {
    --record.stage;
    record.forget_day = next_forget_day(context, agent, record, day);
  }
  next_event = std::min({record.pending_day, record.next_exposure, record.forget_day});
}

ReplicationCounts Engine::run_replication(int replication,
                                          std::atomic<uint64_t>* progress) const {
  const int64_t agents = model_.settings.agents;
  const int64_t blocks = (agents + kBlockAgents - 1) / kBlockAgents;
  Context context{model_.settings.seed, static_cast<uint64_t>(replication),
                  model_.settings.horizon_days};
  std::vector<AgentRecord> records(static_cast<size_t>(agents));
  std::vector<int32_t> next_event(static_cast<size_t>(agents));
  std::vector<int32_t> block_next(static_cast<size_t>(blocks));
  tbb::enumerable_thread_specific<ReplicationCounts> partial(
      [&] { return ReplicationCounts(model_); });

  auto for_blocks = [&](auto&& body) {
    tbb::this_task_arena::isolate([&] {
      tbb::parallel_for(tbb::blocked_range<int64_t>(0, blocks, 1),
                        [&](const tbb::blocked_range<int64_t>& range) {
                          for (int64_t b = range.begin(); b != range.end(); ++b) body(b);
                        });
    });
  };

  for_blocks([&](int64_t b) {
    const int64_t end = std::min(agents, (b + 1) * kBlockAgents);
    int32_t earliest = kNever;
    for (int64_t i = b * kBlockAgents; i < end; ++i) {
      initialize(context, i, records[i], next_event[i]);
      earliest = std::min(earliest, next_event[i]);
    }
    block_next[b] = earliest;
  });

  for (int32_t day = 0; day < context.horizon; ++day) {
    for_blocks([&](int64_t b) {
      if (block_next[b] > day) return;
      ReplicationCounts& counts = partial.local();
      const int64_t end = std::min(agents, (b + 1) * kBlockAgents);
      int32_t earliest = kNever;
      for (int64_t i = b * kBlockAgents; i < end; ++i) {
        if (next_event[i] == day) process(context, i, day, records[i], next_event[i], counts);
        earliest = std::min(earliest, next_event[i]);
      }
      block_next[b] = earliest;
    });
    if (progress != nullptr) progress->fetch_add(1, std::memory_order_relaxed);
  }

  // Agent-level results.
  for_blocks([&](int64_t b) {
    ReplicationCounts& counts = partial.local();
    const int64_t end = std::min(agents, (b + 1) * kBlockAgents);
    for (int64_t i = b * kBlockAgents; i < end; ++i) {
      const AgentRecord& r = records[i];
      if (r.flags & kConverted) {
        ++counts.converted_agents;
        ++counts.persona_converted[r.persona];
      }
      if (r.flags & kExposed) ++counts.exposed_agents;
      for (int s = 1; s <= r.max_stage; ++s) ++counts.reached[s];
    }
  });

  ReplicationCounts total(model_);
  for (const ReplicationCounts& counts : partial) total.add(counts);
  return total;
}

std::vector<ReplicationCounts> Engine::run(int first, int count,
                                           std::atomic<uint64_t>* progress) const {
  CJSIM_CHECK(count >= 0, "negative replication count");
  std::vector<ReplicationCounts> results(count);
  tbb::parallel_for(0, count, [&](int r) { results[r] = run_replication(first + r, progress); });
  return results;
}

}  // namespace cjsim
