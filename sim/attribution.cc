#include "sim/attribution.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <numeric>
#include <utility>

#include <Eigen/IterativeLinearSolvers>
#include <Eigen/Sparse>
#include <Eigen/SparseLU>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/strong_components.hpp>

#include "models/check.h"
#include "models/limits.h"
#include "sim/parallel.h"
#include "sim/provenance.h"
#include "sim/stop.h"

namespace cjsim {

namespace {

// A window holds up to kMaxMarkovOrder channel ids + 1 in digits of this
// many bits: limits::kMaxChannels (1000) fits, and 6 digits fit 64 bits.
constexpr int kWindowBits = 10;
constexpr uint64_t kDigitMask = (uint64_t{1} << kWindowBits) - 1;
static_assert(limits::kMaxChannels < (1 << kWindowBits));
static_assert(kWindowBits * kMaxMarkovOrder <= 64);

uint64_t window_mask(int order) { return (uint64_t{1} << (kWindowBits * order)) - 1; }

// Paths per task of the parallel loops over a log.
constexpr size_t kPathChunk = 4096;

template <typename Body>
void for_path_chunks(size_t paths, const Body& body) {
  const size_t chunks = (paths + kPathChunk - 1) / kPathChunk;
  parallel_indices(size_t{0}, chunks, [&](size_t chunk) {
    const size_t end = std::min(paths, (chunk + 1) * kPathChunk);
    for (size_t k = chunk * kPathChunk; k < end; ++k) body(k);
  });
}

double journeys_of(const PathLog& log, size_t k) { return log.conversions[k] + log.nulls[k]; }

// The window key after each touch of every path (0 for paths without
// journeys, which the chain leaves out).
std::vector<uint64_t> window_keys(const PathLog& log, int order) {
  std::vector<uint64_t> keys(log.touches.size(), 0);
  const uint64_t mask = window_mask(order);
  for_path_chunks(log.size(), [&](size_t k) {
    if (journeys_of(log, k) <= 0) return;
    uint64_t key = 0;
    for (int64_t i = log.offsets[k]; i < log.offsets[k + 1]; ++i) {
      key =
          ((key << kWindowBits) | static_cast<uint64_t>(log.touches[static_cast<size_t>(i)] + 1)) &
          mask;
      keys[static_cast<size_t>(i)] = key;
    }
  });
  return keys;
}

// Sorted distinct non-zero keys.
std::vector<uint64_t> distinct_windows(std::vector<uint64_t> keys) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  if (!keys.empty() && keys.front() == 0) keys.erase(keys.begin());
  return keys;
}

// Packed (from, to) of every transition between nodes (start 0, window i
// at 1 + its index in `windows`), one per touch; UINT64_MAX for paths
// without journeys.
std::vector<uint64_t> transition_pairs(const PathLog& log, const std::vector<uint64_t>& keys,
                                       const std::vector<uint64_t>& windows,
                                       std::vector<int32_t>* node_of_touch) {
  std::vector<uint64_t> pairs(keys.size(), UINT64_MAX);
  node_of_touch->assign(keys.size(), 0);
  for_path_chunks(log.size(), [&](size_t k) {
    if (journeys_of(log, k) <= 0) return;
    uint64_t from = 0;
    for (int64_t i = log.offsets[k]; i < log.offsets[k + 1]; ++i) {
      const size_t at = static_cast<size_t>(i);
      const auto found = std::lower_bound(windows.begin(), windows.end(), keys[at]);
      const uint64_t to = static_cast<uint64_t>(found - windows.begin()) + 1;
      (*node_of_touch)[at] = static_cast<int32_t>(to);
      pairs[at] = (from << 32) | to;
      from = to;
    }
  });
  return pairs;
}

}  // namespace

std::string_view method_name(AttributionMethod method) {
  switch (method) {
    case AttributionMethod::kMarkov:
      return "markov";
    case AttributionMethod::kShapley:
      return "shapley";
    case AttributionMethod::kFirst:
      return "first";
    case AttributionMethod::kLast:
      return "last";
    case AttributionMethod::kLinear:
      return "linear";
    case AttributionMethod::kPosition:
      return "position";
    case AttributionMethod::kTimeDecay:
      return "time-decay";
  }
  return "";
}

std::vector<AttributionMethod> all_methods() {
  return {AttributionMethod::kMarkov,   AttributionMethod::kShapley, AttributionMethod::kFirst,
          AttributionMethod::kLast,     AttributionMethod::kLinear,  AttributionMethod::kPosition,
          AttributionMethod::kTimeDecay};
}

std::optional<AttributionMethod> method_from_name(std::string_view name) {
  for (AttributionMethod method : all_methods()) {
    if (method_name(method) == name) return method;
  }
  return std::nullopt;
}

bool MarkovChain::contains(int64_t node, int32_t channel) const {
  uint64_t w = window[static_cast<size_t>(node)];
  const uint64_t digit = static_cast<uint64_t>(channel) + 1;
  for (; w != 0; w >>= kWindowBits) {
    if ((w & kDigitMask) == digit) return true;
  }
  return false;
}

std::vector<int32_t> MarkovChain::channels_of(int64_t node) const {
  std::vector<int32_t> channels;
  for (uint64_t w = window[static_cast<size_t>(node)]; w != 0; w >>= kWindowBits) {
    channels.push_back(static_cast<int32_t>(w & kDigitMask) - 1);
  }
  std::reverse(channels.begin(), channels.end());
  return channels;
}

Result<MarkovChain> fit_markov_chain(const PathLog& log, int order) {
  if (order < 1 || order > kMaxMarkovOrder) {
    return Status::bad_input("--order " + std::to_string(order) + ": the order is 1 to " +
                             std::to_string(kMaxMarkovOrder));
  }
  CJSIM_CHECK(log.channels.size() <= static_cast<size_t>(limits::kMaxChannels),
              "the path reader limits the channels");
  MarkovChain chain;
  chain.order = order;
  std::vector<uint64_t> keys = window_keys(log, order);
  std::vector<uint64_t> windows = distinct_windows(keys);
  chain.states = static_cast<int64_t>(windows.size());
  const size_t nodes = windows.size() + 1;
  std::vector<int32_t> node_of_touch;
  std::vector<uint64_t> pairs = transition_pairs(log, keys, windows, &node_of_touch);
  std::vector<uint64_t>().swap(keys);

  // Weights of the transitions, sorted by (from, to), then summed.
  std::vector<std::pair<uint64_t, double>> weighted(pairs.size());
  for (size_t k = 0; k < log.size(); ++k) {
    const double journeys = journeys_of(log, k);
    for (int64_t i = log.offsets[k]; i < log.offsets[k + 1]; ++i) {
      const size_t at = static_cast<size_t>(i);
      weighted[at] = {pairs[at], journeys};
    }
  }
  std::vector<uint64_t>().swap(pairs);
  std::sort(weighted.begin(), weighted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  while (!weighted.empty() && weighted.back().first == UINT64_MAX) weighted.pop_back();

  chain.window.assign(nodes, 0);
  std::copy(windows.begin(), windows.end(), chain.window.begin() + 1);
  chain.row_start.assign(nodes + 1, 0);
  std::vector<double> out(nodes, 0), conversions(nodes, 0), value(nodes, 0);
  chain.journeys.assign(nodes, 0);
  for (size_t i = 0; i < weighted.size();) {
    const uint64_t pair = weighted[i].first;
    double weight = 0;
    for (; i < weighted.size() && weighted[i].first == pair; ++i) weight += weighted[i].second;
    const size_t from = static_cast<size_t>(pair >> 32);
    const size_t to = static_cast<size_t>(pair & 0xffffffffu);
    ++chain.row_start[from + 1];
    chain.target.push_back(static_cast<int32_t>(to));
    chain.probability.push_back(weight);
    out[from] += weight;
    chain.journeys[to] += weight;
  }
  std::vector<std::pair<uint64_t, double>>().swap(weighted);
  std::partial_sum(chain.row_start.begin(), chain.row_start.end(), chain.row_start.begin());
  for (size_t k = 0; k < log.size(); ++k) {
    if (journeys_of(log, k) <= 0) continue;
    const size_t last =
        static_cast<size_t>(node_of_touch[static_cast<size_t>(log.offsets[k + 1] - 1)]);
    conversions[last] += log.conversions[k];
    value[last] += log.value[k];
    out[last] += journeys_of(log, k);
    chain.journeys[0] += journeys_of(log, k);
  }
  chain.to_conversion.assign(nodes, 0);
  chain.value_rate.assign(nodes, 0);
  for (size_t s = 0; s < nodes; ++s) {
    CJSIM_CHECK(out[s] > 0, "every node of the chain is left by some journey");
    for (int64_t e = chain.row_start[s]; e < chain.row_start[s + 1]; ++e) {
      chain.probability[static_cast<size_t>(e)] /= out[s];
    }
    chain.to_conversion[s] = conversions[s] / out[s];
    chain.value_rate[s] = value[s] / out[s];
  }
  return chain;
}

AbsorbingSolver::AbsorbingSolver(const MarkovChain& chain, int64_t max_direct_block)
    : chain_(chain) {
  const size_t nodes = chain.row_start.size() - 1;
  // Strongly connected components (Tarjan, through Boost.Graph): numbered
  // so that every transition goes to a component of the same or a lower
  // number, i.e. in reverse topological order.
  std::vector<std::pair<uint32_t, uint32_t>> edges;
  edges.reserve(chain.target.size());
  for (size_t s = 0; s < nodes; ++s) {
    for (int64_t e = chain.row_start[s]; e < chain.row_start[s + 1]; ++e) {
      edges.emplace_back(static_cast<uint32_t>(s),
                         static_cast<uint32_t>(chain.target[static_cast<size_t>(e)]));
    }
  }
  using Graph =
      boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property,
                                         boost::no_property, uint32_t, size_t>;
  const Graph graph(boost::edges_are_sorted, edges.begin(), edges.end(),
                    static_cast<uint32_t>(nodes));
  std::vector<int32_t> component(nodes);
  const int32_t components = boost::strong_components(
      graph,
      boost::make_iterator_property_map(component.begin(), boost::get(boost::vertex_index, graph)));
  std::vector<std::pair<uint32_t, uint32_t>>().swap(edges);

  // Positions: components from the highest number (the start's) down.
  std::vector<int64_t> count(static_cast<size_t>(components) + 1, 0);
  for (int32_t c : component) ++count[static_cast<size_t>(components - 1 - c) + 1];
  std::partial_sum(count.begin(), count.end(), count.begin());
  block_start_ = count;
  node_at_.assign(nodes, 0);
  std::vector<int32_t> position(nodes);
  {
    std::vector<int64_t> next(count.begin(), count.end() - 1);
    for (size_t s = 0; s < nodes; ++s) {
      const size_t block = static_cast<size_t>(components - 1 - component[s]);
      position[s] = static_cast<int32_t>(next[block]++);
      node_at_[static_cast<size_t>(position[s])] = static_cast<int32_t>(s);
    }
  }
  for (size_t b = 0; b + 1 < block_start_.size(); ++b) {
    const int64_t size = block_start_[b + 1] - block_start_[b];
    if (size > 1) ++cyclic_components_;
    largest_component_ = std::max(largest_component_, size);
  }

  // Incoming transitions per position.
  in_start_.assign(nodes + 1, 0);
  for (int32_t t : chain.target)
    ++in_start_[static_cast<size_t>(position[static_cast<size_t>(t)]) + 1];
  std::partial_sum(in_start_.begin(), in_start_.end(), in_start_.begin());
  in_source_.resize(chain.target.size());
  in_probability_.resize(chain.target.size());
  std::vector<int64_t> next(in_start_.begin(), in_start_.end() - 1);
  for (size_t s = 0; s < nodes; ++s) {
    for (int64_t e = chain.row_start[s]; e < chain.row_start[s + 1]; ++e) {
      const size_t to =
          static_cast<size_t>(position[static_cast<size_t>(chain.target[static_cast<size_t>(e)])]);
      CJSIM_CHECK(
          component[s] >= component[static_cast<size_t>(chain.target[static_cast<size_t>(e)])],
          "strong components come in reverse topological order");
      const size_t slot = static_cast<size_t>(next[to]++);
      in_source_[slot] = position[s];
      in_probability_[slot] = chain.probability[static_cast<size_t>(e)];
    }
  }
  prepare_large_blocks(max_direct_block);
  full_visits_ = solve(-1, nullptr);
  full_ = summarize(full_visits_);
}

struct AbsorbingSolver::LargeBlock {
  // I - P^T of the component (rows: the visited position, columns: the
  // visiting one), in positions relative to the block start.
  Eigen::SparseMatrix<double, Eigen::RowMajor> system;
};

AbsorbingSolver::~AbsorbingSolver() = default;

void AbsorbingSolver::prepare_large_blocks(int64_t max_direct_block) {
  large_.resize(block_start_.size() - 1);
  for (size_t b = 0; b + 1 < block_start_.size(); ++b) {
    const int64_t lo = block_start_[b], hi = block_start_[b + 1];
    if (hi - lo <= max_direct_block) continue;
    std::vector<Eigen::Triplet<double>> triplets;
    for (int64_t t = lo; t < hi; ++t) {
      triplets.emplace_back(static_cast<int>(t - lo), static_cast<int>(t - lo), 1.0);
      for (int64_t e = in_start_[static_cast<size_t>(t)]; e < in_start_[static_cast<size_t>(t) + 1];
           ++e) {
        const int64_t s = in_source_[static_cast<size_t>(e)];
        if (s >= lo) {
          triplets.emplace_back(static_cast<int>(t - lo), static_cast<int>(s - lo),
                                -in_probability_[static_cast<size_t>(e)]);
        }
      }
    }
    auto block = std::make_unique<LargeBlock>();
    block->system.resize(static_cast<int>(hi - lo), static_cast<int>(hi - lo));
    block->system.setFromTriplets(triplets.begin(), triplets.end());
    block->system.makeCompressed();
    large_[b] = std::move(block);
  }
}

std::vector<double> AbsorbingSolver::solve(int32_t removed, const std::vector<double>* warm) const {
  const size_t nodes = node_at_.size();
  std::vector<double> visits(nodes, 0);
  auto is_removed = [&](int64_t position) {
    return removed >= 0 && chain_.contains(node_at_[static_cast<size_t>(position)], removed);
  };
  std::vector<int32_t> local;  // position - block start -> unknown, -1 when removed
  std::vector<Eigen::Triplet<double>> triplets;
  for (size_t b = 0; b + 1 < block_start_.size(); ++b) {
    const int64_t lo = block_start_[b], hi = block_start_[b + 1];
    // Inflow from earlier blocks (and the start's one journey).
    auto inflow = [&](int64_t t, double* self) {
      double sum = node_at_[static_cast<size_t>(t)] == 0 ? 1.0 : 0.0;
      for (int64_t e = in_start_[static_cast<size_t>(t)]; e < in_start_[static_cast<size_t>(t) + 1];
           ++e) {
        const int64_t s = in_source_[static_cast<size_t>(e)];
        if (s < lo) {
          sum += visits[static_cast<size_t>(s)] * in_probability_[static_cast<size_t>(e)];
        } else if (self != nullptr && s == t) {
          *self += in_probability_[static_cast<size_t>(e)];
        }
      }
      return sum;
    };
    if (hi - lo == 1) {
      if (is_removed(lo)) continue;
      double self = 0;
      const double in = inflow(lo, &self);
      visits[static_cast<size_t>(lo)] = in / (1 - self);
      continue;
    }
    if (large_[b] != nullptr) {
      // The whole component, a removed state's row made x = 0: its column
      // then multiplies 0 at the solution.
      const LargeBlock& block = *large_[b];
      Eigen::SparseMatrix<double, Eigen::RowMajor> system = block.system;
      const Eigen::Index size = system.rows();
      Eigen::VectorXd rhs(size), guess(size);
      for (Eigen::Index i = 0; i < size; ++i) {
        const int64_t t = lo + i;
        if (is_removed(t)) {
          for (Eigen::SparseMatrix<double, Eigen::RowMajor>::InnerIterator it(system, i); it;
               ++it) {
            it.valueRef() = it.col() == i ? 1.0 : 0.0;
          }
          rhs[i] = 0;
          guess[i] = 0;
        } else {
          rhs[i] = inflow(t, nullptr);
          guess[i] = warm != nullptr ? (*warm)[static_cast<size_t>(t)] : rhs[i];
        }
      }
      Eigen::BiCGSTAB<Eigen::SparseMatrix<double, Eigen::RowMajor>> iterative;
      iterative.setTolerance(kIterativeTolerance);
      iterative.setMaxIterations(10000);
      iterative.compute(system);
      Eigen::VectorXd solution = iterative.solveWithGuess(rhs, guess);
      // BiCGSTAB judges convergence by a residual it updates as it goes,
      // which can drift from the true one (a nearly closed loop, a
      // breakdown); the true residual decides.
      const double scale = rhs.norm();
      const double residual = (rhs - system * solution).norm();
      if (iterative.info() != Eigen::Success || !(residual <= kTrueResidual * scale)) {
        // The direct solve is slower, never wrong.
        Eigen::SparseLU<Eigen::SparseMatrix<double>> lu;
        lu.compute(Eigen::SparseMatrix<double>(system));
        CJSIM_CHECK(lu.info() == Eigen::Success,
                    "the visits of an absorbing chain have a nonsingular system");
        solution = lu.solve(rhs);
      }
      for (Eigen::Index i = 0; i < size; ++i) {
        visits[static_cast<size_t>(lo + i)] = is_removed(lo + i) ? 0.0 : solution[i];
      }
      continue;
    }
    local.assign(static_cast<size_t>(hi - lo), -1);
    int32_t unknowns = 0;
    for (int64_t t = lo; t < hi; ++t) {
      if (!is_removed(t)) local[static_cast<size_t>(t - lo)] = unknowns++;
    }
    if (unknowns == 0) continue;
    Eigen::VectorXd rhs(unknowns);
    triplets.clear();
    for (int64_t t = lo; t < hi; ++t) {
      const int32_t i = local[static_cast<size_t>(t - lo)];
      if (i < 0) continue;
      rhs[i] = inflow(t, nullptr);
      triplets.emplace_back(i, i, 1.0);
      for (int64_t e = in_start_[static_cast<size_t>(t)]; e < in_start_[static_cast<size_t>(t) + 1];
           ++e) {
        const int64_t s = in_source_[static_cast<size_t>(e)];
        if (s < lo) continue;
        const int32_t j = local[static_cast<size_t>(s - lo)];
        if (j >= 0) triplets.emplace_back(i, j, -in_probability_[static_cast<size_t>(e)]);
      }
    }
    Eigen::SparseMatrix<double> matrix(unknowns, unknowns);
    matrix.setFromTriplets(triplets.begin(), triplets.end());
    Eigen::SparseLU<Eigen::SparseMatrix<double>> lu;
    lu.compute(matrix);
    CJSIM_CHECK(lu.info() == Eigen::Success,
                "the visits of an absorbing chain have a nonsingular system");
    const Eigen::VectorXd solution = lu.solve(rhs);
    for (int64_t t = lo; t < hi; ++t) {
      const int32_t i = local[static_cast<size_t>(t - lo)];
      if (i >= 0) visits[static_cast<size_t>(t)] = solution[i];
    }
  }
  return visits;
}

ChainSolution AbsorbingSolver::summarize(const std::vector<double>& visits) const {
  ChainSolution solution;
  for (size_t p = 0; p < visits.size(); ++p) {
    const size_t node = static_cast<size_t>(node_at_[p]);
    solution.conversion_probability += visits[p] * chain_.to_conversion[node];
    solution.value_per_journey += visits[p] * chain_.value_rate[node];
  }
  return solution;
}

ChainSolution AbsorbingSolver::without(int32_t channel) const {
  return summarize(solve(channel, &full_visits_));
}

namespace {

// Bytes of the chain, its solver and one removal's working set, roughly.
double chain_memory(int64_t states, int64_t transitions, int64_t touches) {
  const double nodes = static_cast<double>(states + 1);
  return nodes * (40 + 28 + 8) + static_cast<double>(transitions) * (12 + 12 + 28) +
         static_cast<double>(touches) * 40;
}

// SplitMix64's finaliser: the fold of a path from its index.
uint64_t mix(uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

constexpr int kFolds = 5;

// The last `length` touches of path k as a window key (the chain's digits:
// the last touch lowest).
uint64_t suffix_key(const PathLog& log, size_t k, int length) {
  uint64_t key = 0;
  for (int d = 0; d < length; ++d) {
    const int32_t touch = log.touches[static_cast<size_t>(log.offsets[k + 1] - 1 - d)];
    key |= static_cast<uint64_t>(touch + 1) << (kWindowBits * d);
  }
  return key;
}

int path_length(const PathLog& log, size_t k) {
  return static_cast<int>(log.offsets[k + 1] - log.offsets[k]);
}

}  // namespace

OrderCandidate order_size(const PathLog& log, int order) {
  OrderCandidate candidate;
  candidate.order = order;
  const std::vector<uint64_t> keys = window_keys(log, order);
  const std::vector<uint64_t> windows = distinct_windows(keys);
  candidate.states = static_cast<int64_t>(windows.size());
  std::vector<int32_t> nodes;
  std::vector<uint64_t> pairs = transition_pairs(log, keys, windows, &nodes);
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  if (!pairs.empty() && pairs.back() == UINT64_MAX) pairs.pop_back();
  candidate.transitions = static_cast<int64_t>(pairs.size());
  candidate.memory_bytes = chain_memory(candidate.states, candidate.transitions,
                                        static_cast<int64_t>(log.touches.size()));
  return candidate;
}

void score_orders(const PathLog& log, std::vector<OrderCandidate>& candidates) {
  const int max_order = static_cast<int>(candidates.size());
  struct Entry {
    uint64_t key;
    int fold;
    double conversions, nulls;
  };
  std::vector<Entry> entries;
  std::array<double, kFolds> fold_conversions{}, fold_journeys{};
  double conversions = 0, journeys = 0;
  for (size_t k = 0; k < log.size(); ++k) {
    if (journeys_of(log, k) <= 0) continue;
    const int fold = static_cast<int>(mix(k) % kFolds);
    fold_conversions[static_cast<size_t>(fold)] += log.conversions[k];
    fold_journeys[static_cast<size_t>(fold)] += journeys_of(log, k);
    conversions += log.conversions[k];
    journeys += journeys_of(log, k);
    for (int length = 1; length <= std::min(max_order, path_length(log, k)); ++length) {
      entries.push_back({suffix_key(log, k, length), fold, log.conversions[k], log.nulls[k]});
    }
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.key != b.key ? a.key < b.key : a.fold < b.fold;
  });
  // Summed per (key, fold).
  size_t kept = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (kept > 0 && entries[kept - 1].key == entries[i].key &&
        entries[kept - 1].fold == entries[i].fold) {
      entries[kept - 1].conversions += entries[i].conversions;
      entries[kept - 1].nulls += entries[i].nulls;
    } else {
      entries[kept++] = entries[i];
    }
  }
  entries.resize(kept);
  // Conversions and nulls of the paths outside `fold` ending in `key`.
  auto training = [&](uint64_t key, int fold) {
    auto it = std::lower_bound(entries.begin(), entries.end(), key,
                               [](const Entry& e, uint64_t k) { return e.key < k; });
    std::pair<double, double> sum{0, 0};
    for (; it != entries.end() && it->key == key; ++it) {
      if (it->fold == fold) continue;
      sum.first += it->conversions;
      sum.second += it->nulls;
    }
    return sum;
  };
  // Per chunk of paths, the log-likelihood at each order, added in chunk
  // order so that the sum does not depend on the threads.
  const size_t chunks = (log.size() + kPathChunk - 1) / kPathChunk;
  std::vector<std::array<double, kMaxMarkovOrder>> partial(chunks);
  parallel_indices(size_t{0}, chunks, [&](size_t chunk) {
    std::array<double, kMaxMarkovOrder>& sums = partial[chunk];
    sums.fill(0);
    const size_t end = std::min(log.size(), (chunk + 1) * kPathChunk);
    for (size_t k = chunk * kPathChunk; k < end; ++k) {
      if (journeys_of(log, k) <= 0) continue;
      const int fold = static_cast<int>(mix(k) % kFolds);
      const size_t f = static_cast<size_t>(fold);
      const double base_conversions = conversions - fold_conversions[f];
      const double base_journeys = journeys - fold_journeys[f];
      std::array<std::pair<double, double>, kMaxMarkovOrder> counts{};
      const int longest = std::min(max_order, path_length(log, k));
      for (int length = 1; length <= longest; ++length) {
        counts[static_cast<size_t>(length - 1)] = training(suffix_key(log, k, length), fold);
      }
      for (int order = 1; order <= max_order; ++order) {
        // Krichevsky-Trofimov estimate at the longest window seen in
        // training, backing off to shorter ones, then to the overall rate.
        double q = (base_conversions + 0.5) / (base_journeys + 1);
        for (int length = std::min(order, longest); length >= 1; --length) {
          const auto [c, n] = counts[static_cast<size_t>(length - 1)];
          if (c + n > 0) {
            q = (c + 0.5) / (c + n + 1);
            break;
          }
        }
        sums[static_cast<size_t>(order - 1)] +=
            log.conversions[k] * std::log(q) + log.nulls[k] * std::log1p(-q);
      }
    }
  });
  for (int order = 1; order <= max_order; ++order) {
    double sum = 0;
    for (const auto& sums : partial) sum += sums[static_cast<size_t>(order - 1)];
    candidates[static_cast<size_t>(order - 1)].held_out_log_likelihood = sum;
  }
}

int best_order(const std::vector<OrderCandidate>& candidates) {
  CJSIM_CHECK(!candidates.empty(), "best_order needs a candidate");
  size_t best = 0;
  for (size_t i = 1; i < candidates.size(); ++i) {
    const double a = candidates[i].held_out_log_likelihood;
    const double b = candidates[best].held_out_log_likelihood;
    if (a > b + 1e-9 * std::abs(b)) best = i;
  }
  return candidates[best].order;
}

std::vector<std::pair<double, double>> heuristic_credits(const PathLog& log,
                                                         AttributionMethod method,
                                                         double half_life) {
  CJSIM_CHECK(method != AttributionMethod::kMarkov, "markov is not a heuristic");
  std::vector<std::pair<double, double>> credit(log.channels.size(), {0.0, 0.0});
  std::vector<double> share;  // per touch of the path, summing to 1
  std::vector<int32_t> distinct;
  for (size_t k = 0; k < log.size(); ++k) {
    if (log.conversions[k] <= 0 && log.value[k] <= 0) continue;
    const size_t first = static_cast<size_t>(log.offsets[k]);
    const size_t touches = static_cast<size_t>(path_length(log, k));
    share.assign(touches, 0);
    double raw = 0;  // touches as written, repeats included
    for (size_t i = 0; i < touches; ++i) raw += log.repeats[first + i];
    switch (method) {
      case AttributionMethod::kFirst:
        share.front() = 1;
        break;
      case AttributionMethod::kLast:
        share.back() = 1;
        break;
      case AttributionMethod::kLinear:
        for (size_t i = 0; i < touches; ++i) share[i] = log.repeats[first + i] / raw;
        break;
      case AttributionMethod::kPosition:
        // 40% to the first touch, 40% to the last, 20% over those between;
        // with two touches, half each; with one, all.
        if (raw <= 1) {
          share.front() = 1;
        } else if (raw <= 2) {
          share.front() += 0.5;
          share.back() += 0.5;
        } else {
          share.front() += 0.4;
          share.back() += 0.4;
          for (size_t i = 0; i < touches; ++i) {
            const double middle =
                log.repeats[first + i] - (i == 0 ? 1 : 0) - (i + 1 == touches ? 1 : 0);
            share[i] += 0.2 * middle / (raw - 2);
          }
        }
        break;
      case AttributionMethod::kTimeDecay: {
        // Touch j of n (as written, from 0) weighs 2^(-(n - 1 - j) / h).
        double total = 0;
        double j = 0;
        for (size_t i = 0; i < touches; ++i) {
          for (int32_t r = 0; r < log.repeats[first + i]; ++r, ++j) {
            const double weight = std::exp2(-(raw - 1 - j) / half_life);
            share[i] += weight;
            total += weight;
          }
        }
        for (double& s : share) s /= total;
        break;
      }
      case AttributionMethod::kShapley: {
        // The unanimity game of the path's channel set T gives each member
        // 1 / |T| (Shapley 1953).
        distinct.assign(log.touches.begin() + static_cast<int64_t>(first),
                        log.touches.begin() + static_cast<int64_t>(first + touches));
        std::sort(distinct.begin(), distinct.end());
        distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
        const double each = 1.0 / static_cast<double>(distinct.size());
        for (int32_t c : distinct) {
          credit[static_cast<size_t>(c)].first += each * log.conversions[k];
          credit[static_cast<size_t>(c)].second += each * log.value[k];
        }
        continue;
      }
      case AttributionMethod::kMarkov:
        break;
    }
    for (size_t i = 0; i < touches; ++i) {
      const size_t c = static_cast<size_t>(log.touches[first + i]);
      credit[c].first += share[i] * log.conversions[k];
      credit[c].second += share[i] * log.value[k];
    }
  }
  return credit;
}

namespace {

std::vector<FlowLink> channel_flow(const PathLog& log) {
  const size_t n = log.channels.size();
  // from: channels, then the start; to: channels, conversion, null.
  std::vector<double> journeys((n + 1) * (n + 2), 0);
  auto at = [&](size_t from, size_t to) -> double& { return journeys[from * (n + 2) + to]; };
  for (size_t k = 0; k < log.size(); ++k) {
    const double weight = journeys_of(log, k);
    if (weight <= 0) continue;
    size_t from = n;
    for (int64_t i = log.offsets[k]; i < log.offsets[k + 1]; ++i) {
      const size_t to = static_cast<size_t>(log.touches[static_cast<size_t>(i)]);
      at(from, to) += weight;
      from = to;
    }
    at(from, n) += log.conversions[k];
    at(from, n + 1) += log.nulls[k];
  }
  auto name = [&](size_t index, bool is_from) {
    if (index < n) return log.channels[index];
    if (is_from) return std::string("(start)");
    return std::string(index == n ? "(conversion)" : "(null)");
  };
  std::vector<FlowLink> flow;
  for (size_t from = 0; from <= n; ++from) {
    for (size_t to = 0; to < n + 2; ++to) {
      if (at(from, to) > 0) flow.push_back({name(from, true), name(to, false), at(from, to)});
    }
  }
  return flow;
}

}  // namespace

Result<Attribution> attribute_paths(const PathLog& log, const AttributionOptions& options,
                                    std::atomic<uint64_t>* done, const std::atomic<bool>* stop) {
  if (options.half_life <= 0 || !std::isfinite(options.half_life)) {
    return Status::bad_input("--half-life must be a number > 0 (touches)");
  }
  Attribution result;
  result.paths = static_cast<int64_t>(log.size());
  result.conversions = log.total_conversions;
  result.value = log.total_value;
  result.journeys = log.total_conversions + log.total_nulls;
  result.conversion_probability = result.conversions / result.journeys;
  result.order = options.order;
  for (const std::string& channel : log.channels)
    result.channels.push_back({channel, 0, 0, {}, {}});
  const size_t n = log.channels.size();
  for (AttributionMethod method : options.methods) {
    const std::string name(method_name(method));
    result.methods.push_back(name);
    if (method == AttributionMethod::kMarkov) continue;
    const auto credit = heuristic_credits(log, method, options.half_life);
    for (size_t c = 0; c < n; ++c) {
      result.channels[c].conversions[name] = credit[c].first;
      result.channels[c].value[name] = credit[c].second;
    }
  }
  if (std::find(options.methods.begin(), options.methods.end(), AttributionMethod::kMarkov) !=
      options.methods.end()) {
    Result<MarkovChain> chain = fit_markov_chain(log, options.order);
    if (!chain) return chain.status();
    result.states = chain->states;
    result.transitions = chain->transitions();
    const AbsorbingSolver solver(*chain, options.max_direct_block);
    result.cyclic_components = solver.cyclic_components();
    result.largest_component = solver.largest_component();
    const ChainSolution full = solver.full();
    CJSIM_CHECK(std::abs(full.conversion_probability - result.conversion_probability) <=
                    1e-6 * result.conversion_probability + 1e-12,
                "the fitted chain reproduces the observed conversion probability");
    if (done != nullptr) ++*done;
    std::vector<ChainSolution> removed(n);
    parallel_indices(size_t{0}, n, [&](size_t c) {
      if (stop_requested(stop)) return;
      removed[c] = solver.without(static_cast<int32_t>(c));
      if (done != nullptr) ++*done;
    });
    if (stop_requested(stop)) return Status::interrupted();
    double effects = 0, value_effects = 0;
    for (size_t c = 0; c < n; ++c) {
      ChannelCredit& credit = result.channels[c];
      credit.removal_effect =
          full.conversion_probability > 0
              ? std::clamp(1 - removed[c].conversion_probability / full.conversion_probability, 0.0,
                           1.0)
              : 0.0;
      credit.value_removal_effect =
          full.value_per_journey > 0
              ? std::clamp(1 - removed[c].value_per_journey / full.value_per_journey, 0.0, 1.0)
              : 0.0;
      effects += credit.removal_effect;
      value_effects += credit.value_removal_effect;
    }
    for (ChannelCredit& credit : result.channels) {
      credit.conversions["markov"] =
          effects > 0 ? result.conversions * credit.removal_effect / effects : 0.0;
      credit.value["markov"] =
          value_effects > 0 ? result.value * credit.value_removal_effect / value_effects : 0.0;
    }
  }
  if (log.total_nulls <= 0) {
    result.warnings.push_back(
        "no journey ended without a conversion (no null column, or every null is 0): every "
        "path converts, so a channel's removal effect is the share of journeys through it");
  }
  if (log.total_conversions <= 0) {
    result.warnings.push_back("no conversions: every credit is 0");
  }
  result.flow = channel_flow(log);
  return result;
}

v1::AttributionResult to_proto(const Attribution& attribution, const std::string& input) {
  v1::AttributionResult out;
  out.set_journeys(attribution.journeys);
  out.set_conversions(attribution.conversions);
  out.set_value(attribution.value);
  out.set_conversion_probability(attribution.conversion_probability);
  out.set_order(attribution.order);
  out.set_states(attribution.states);
  out.set_transitions(attribution.transitions);
  out.set_paths(attribution.paths);
  for (const std::string& method : attribution.methods) out.add_methods(method);
  for (const ChannelCredit& credit : attribution.channels) {
    v1::ChannelAttribution& channel = *out.add_channels();
    channel.set_channel(credit.channel);
    channel.set_removal_effect(credit.removal_effect);
    channel.set_value_removal_effect(credit.value_removal_effect);
    for (const auto& [method, figure] : credit.conversions) {
      (*channel.mutable_conversions())[method] = figure;
    }
    for (const auto& [method, figure] : credit.value) (*channel.mutable_value())[method] = figure;
  }
  for (const OrderCandidate& candidate : attribution.candidates) {
    v1::OrderCandidate& c = *out.add_order_candidates();
    c.set_order(candidate.order);
    c.set_states(candidate.states);
    c.set_transitions(candidate.transitions);
    c.set_memory_bytes(candidate.memory_bytes);
    c.set_held_out_log_likelihood(candidate.held_out_log_likelihood);
  }
  for (const FlowLink& link : attribution.flow) {
    v1::ChannelTransition& t = *out.add_flow();
    t.set_from(link.from);
    t.set_to(link.to);
    t.set_journeys(link.journeys);
  }
  for (const std::string& warning : attribution.warnings) out.add_warnings(warning);
  out.set_cyclic_components(attribution.cyclic_components);
  out.set_largest_component(attribution.largest_component);
  *out.mutable_provenance() = make_provenance(input);
  out.set_input(input);
  return out;
}

}  // namespace cjsim
