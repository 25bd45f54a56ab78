#include "sim/engine.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

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
}  // namespace

struct Engine::Context {
  uint64_t seed;
  uint64_t replication;
  int32_t horizon;
  // The block of the agent's `index`-th exposure day.
  rng::Block exposure_block(int64_t agent, uint16_t index) const {
    return rng::block(seed, replication, static_cast<uint64_t>(agent), rng::Stream::kExposure,
                      index);
  }
  // The session pair of the agent's `index`-th return day.
  rng::Pair return_pair(int64_t agent, uint16_t index) const {
    return rng::philox(seed, replication, static_cast<uint64_t>(agent), rng::Stream::kReturn, index,
                       0);
  }
};

void Engine::initialize(const Context& context, int64_t agent, int persona, AgentRecord& record,
                        int32_t& next_event) const {
  record = {kNever, kNever, -1, -1, 0, 0, static_cast<uint8_t>(persona), 0, 0, 0};
  if (!model_.exposure[persona].sources.empty()) {
    const rng::Pair start = rng::philox(context.seed, context.replication,
                                        static_cast<uint64_t>(agent), rng::Stream::kStart, 0, 0);
    record.next_exposure = next_exposure_day(context, persona, -1, start[rng::kLaneExposureGap]);
  }
  if (model_.single_journey) {
    // Every agent enters once, on day 0, at an entry touchpoint by weight.
    record.pending_touchpoint = kEntry;
    record.pending_day = 0;
  }
  next_event = std::min(record.next_exposure, record.pending_day);
}

int32_t Engine::next_exposure_day(const Context& context, int persona, int32_t after_day,
                                  uint64_t bits) const {
  const PersonaExposure& exposure = model_.exposure[persona];
  if (exposure.sources.empty()) return kNever;
  // Inversion of the cumulative hazard: the first day s > after_day with
  // H(s + 1) - H(after_day + 1) >= E, E ~ Exp(1) (docs/model.md "Exposure").
  const double* hazard = exposure.cumulative_hazard.data();
  const double target = hazard[after_day + 1] - std::log(rng::open_unit(bits));
  const double* begin = hazard + after_day + 2;
  const double* end = hazard + context.horizon + 1;
  if (begin >= end) return kNever;
  const double* found = lower_bound_branchless(begin, end, target);
  if (found == end) return kNever;
  return static_cast<int32_t>(found - hazard) - 1;
}

void Engine::forget(int32_t untouched_days, uint64_t bits, AgentRecord& record) const {
  // Each untouched day the memory fails with probability f: the waits
  // between fall-backs are geometric on 1, 2, ... (docs/model.md
  // "Forgetting"). Evaluated at the next touch, for the days since the last.
  const double scale = model_.persona_forgetting_scale[record.persona];
  if (model_.persona_forgetting[record.persona] <= 0 || untouched_days <= 0) return;
  rng::SplitMix64 draws(bits);
  double elapsed = 0;  // in double: a huge half-life gives waits past any integer
  while (record.stage >= 1 && record.stage < kLoyalty) {
    elapsed += 1 + std::floor(std::log(draws.next_unit()) * scale);
    if (elapsed > untouched_days) break;
    --record.stage;
  }
}

[[gnu::always_inline]] inline void Engine::session(const Context& context, int32_t day,
                                                   uint64_t seed_lane, int index, int start,
                                                   const LandingTable* landing, AgentRecord& record,
                                                   ReplicationCounts& counts) const {
  rng::SplitMix64 random = rng::session_generator(seed_lane, static_cast<uint64_t>(index));
  uint32_t u = landing == nullptr ? static_cast<uint32_t>(start)
                                  : alias_pick(&model_.landing_columns[landing->column_begin],
                                               landing->log2_columns, random());
  // The walk works on locals: stores through AgentRecord's bytes would make
  // the compiler reload every pointer after each one.
  const PersonaNode* nodes = &model_.persona_nodes[record.persona * model_.nodes.size()];
  const AliasColumn* columns = model_.edge_columns.data();
  const WalkEdge* edges = model_.walk_edges.data();
  TouchpointCounts* tally = counts.touchpoints.data();
  uint8_t stage = record.stage;
  uint8_t flags = record.flags;
  int steps = 0;
  int converted = 0;
  while (true) {
    if (steps == kMaxSessionSteps) {
      ++counts.truncated_sessions;
      break;
    }
    ++steps;
    ++tally[u].visits;
    const PersonaNode here = nodes[u];
    const WalkNode node = here.node;
    stage = std::max(stage, node.stage);
    if (node.is_goal) {
      ++tally[u].conversions;
      ++converted;
      stage = kLoyalty;
    }
    // High 32 bits decide the act, low 32 the delay; a second draw picks the
    // edge (column from its high bits, coin from its low 32).
    const uint64_t act_bits = random();
    if ((act_bits >> 32) >= here.act_threshold) {
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
      record.pending_day = delay >= static_cast<double>(context.horizon - day)
                               ? kNever - 1  // returns after the horizon
                               : day + static_cast<int32_t>(delay);
      break;
    }
    u = static_cast<uint32_t>(edge.target);
  }
  if (converted > 0) {
    counts.persona_conversions[record.persona] += static_cast<uint64_t>(converted);
    if (!(flags & kConverted)) {
      ++counts.converted_agents;
      ++counts.persona_converted[record.persona];
    }
    flags |= kConverted;
  }
  // Agent-level results are counted as they first happen, so no pass over
  // all agents is needed at the end.
  // The furthest stage moves from max_stage to stage (or stays: +1 and -1
  // cancel). Branch-free, since how far a walk gets is what the branch
  // predictor cannot know.
  const uint8_t furthest = std::max(record.max_stage, stage);
  ++counts.furthest_moves[furthest];
  --counts.furthest_moves[record.max_stage];
  record.stage = stage;
  record.max_stage = furthest;
  record.flags = flags;
  counts.walk_steps += static_cast<uint64_t>(steps);
  ++counts.sessions;
}

void Engine::process(const Context& context, int32_t day, const rng::Block& exposure_block,
                     const rng::Pair& return_pair, AgentRecord& record, int32_t& next_event,
                     ReplicationCounts& counts) const {
  if (record.pending_day == day) {
    // Mid-journey until now, so nothing was forgotten.
    const int start = record.pending_touchpoint;
    record.pending_day = kNever;
    record.pending_touchpoint = -1;
    record.last_touch = day;
    ++record.return_days;
    session(context, day, return_pair[rng::kPairSessions], 0, start,
            start == kEntry ? &model_.entry : nullptr, record, counts);
  }
  if (record.next_exposure == day) {
    if (!(record.flags & kExposed)) ++counts.exposed_agents;
    record.flags |= kExposed;
    ++record.exposure_days;
    const rng::Block& block = exposure_block;
    if (record.pending_day == kNever) {
      forget(day - record.last_touch - 1, block[rng::kLaneForgetting], record);
    }
    record.last_touch = day;
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
    for (size_t j = first; j < n; ++j) {
      if (j > first && !(draws.next_unit() < probability[j])) continue;
      const ExposureSource source = exposure.sources[j];
      ++(source.paid ? counts.channel_paid : counts.channel_organic)[source.channel];
      if (record.pending_day != kNever) continue;  // mid-journey: no new session
      const int stage = record.stage == 0 ? 1 : record.stage;
      const LandingTable& landing = model_.landing_for(source.channel, stage);
      if (landing.log2_columns < 0) continue;
      session(context, day, block[rng::kLaneSessions], session_index++, 0, &landing, record,
              counts);
    }
    record.next_exposure =
        next_exposure_day(context, record.persona, day, block[rng::kLaneExposureGap]);
  }
  next_event = std::min(record.pending_day, record.next_exposure);
}

int32_t Engine::process_due(const Context& context, int64_t first, const uint16_t* due, int count,
                            int32_t day, AgentRecord* records, int32_t* next_event,
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
      process(context, day, exposure_blocks[k], return_pairs[k], records[i], next_event[i], counts);
      earliest = std::min(earliest, next_event[i]);
    }
  }
  return earliest;
}

ReplicationCounts Engine::run_replication(int replication, std::atomic<uint64_t>* progress,
                                          Workspace* workspace) const {
  const int64_t agents = model_.settings.agents;
  const int64_t blocks = (agents + kBlockAgents - 1) / kBlockAgents;
  const Context context{model_.settings.seed, static_cast<uint64_t>(replication),
                        model_.settings.horizon_days};
  Workspace own;
  if (workspace == nullptr) workspace = &own;
  if (workspace->capacity < static_cast<size_t>(agents)) {
    // Not value-initialised: the first pass writes every element.
    workspace->records = std::make_unique_for_overwrite<AgentRecord[]>(static_cast<size_t>(agents));
    workspace->next_event = std::make_unique_for_overwrite<int32_t[]>(static_cast<size_t>(agents));
    workspace->capacity = static_cast<size_t>(agents);
  }
  AgentRecord* records = workspace->records.get();
  int32_t* next_event = workspace->next_event.get();
  std::vector<int32_t> block_next(static_cast<size_t>(blocks));
  tbb::enumerable_thread_specific<ReplicationCounts> partial(
      [&] { return ReplicationCounts(model_); });

  auto for_blocks = [&](auto&& body) {
    tbb::this_task_arena::isolate([&] {
      tbb::parallel_for(
          tbb::blocked_range<int64_t>(0, blocks, 1),
          [&](const tbb::blocked_range<int64_t>& range) {
            for (int64_t b = range.begin(); b != range.end(); ++b) body(b);
          },
          tbb::simple_partitioner());
    });
  };

  // Start every agent, and run its day 0 while its state is in cache.
  for_blocks([&](int64_t b) {
    ReplicationCounts& counts = partial.local();
    const int64_t begin = b * kBlockAgents;
    const int64_t end = std::min(agents, begin + kBlockAgents);
    std::array<uint16_t, kBlockAgents> due;  // filled up to count
    int count = 0;
    int32_t earliest = kNever;  // over the agents not due
    int persona = model_.persona_of(begin);
    for (int64_t i = begin; i < end; ++i) {
      while (i >= model_.persona_first_agent[persona + 1]) ++persona;
      initialize(context, i, persona, records[i], next_event[i]);
      if (next_event[i] == 0) {
        due[count++] = static_cast<uint16_t>(i - begin);
      } else {
        earliest = std::min(earliest, next_event[i]);
      }
    }
    block_next[b] = std::min(
        earliest, process_due(context, begin, due.data(), count, 0, records, next_event, counts));
  });
  if (progress != nullptr) progress->fetch_add(1, std::memory_order_relaxed);

  for (int32_t day = 1; day < context.horizon; ++day) {
    for_blocks([&](int64_t b) {
      if (block_next[b] > day) return;
      ReplicationCounts& counts = partial.local();
      const int64_t begin = b * kBlockAgents;
      const int64_t end = std::min(agents, begin + kBlockAgents);
      // The agents due today are a sparse few of a large array: find them
      // all first and prefetch their records, so that the cache misses
      // overlap instead of costing a memory latency each.
      std::array<uint16_t, kBlockAgents> due;  // filled up to count
      int count = 0;
      int32_t earliest = kNever;  // over the agents not due
      for (int64_t i = begin; i < end; ++i) {
        if (next_event[i] != day) {
          earliest = std::min(earliest, next_event[i]);
          continue;
        }
        due[count++] = static_cast<uint16_t>(i - begin);
        const char* record = reinterpret_cast<const char*>(&records[i]);
        __builtin_prefetch(record, 1);
        __builtin_prefetch(record + sizeof(AgentRecord) - 1, 1);
      }
      block_next[b] = std::min(earliest, process_due(context, begin, due.data(), count, day,
                                                     records, next_event, counts));
    });
    if (progress != nullptr) progress->fetch_add(1, std::memory_order_relaxed);
  }

  ReplicationCounts total(model_);
  for (const ReplicationCounts& counts : partial) total.add(counts);
  total.finish();
  return total;
}

std::vector<ReplicationCounts> Engine::run(int first, int count,
                                           std::atomic<uint64_t>* progress) const {
  CJSIM_CHECK(count >= 0, "negative replication count");
  std::vector<ReplicationCounts> results(count);
  tbb::enumerable_thread_specific<Workspace> workspaces;
  tbb::parallel_for(0, count, [&](int r) {
    results[r] = run_replication(first + r, progress, &workspaces.local());
  });
  return results;
}

}  // namespace cjsim
