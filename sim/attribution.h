// Path attribution: which channels a path log's conversions are owed to
// (docs/attribution.md gives every formula).
//
// The Markov method fits an absorbing Markov chain of order K to the paths:
// a state is the window of the last K channels touched (shorter at the
// start of a path), plus start, conversion and null; transition
// probabilities are the observed counts over each state's journeys. A
// channel's removal effect is 1 - P(conversion with the channel removed) /
// P(conversion), where removing it sends every transition into a state that
// contains it to null (Anderl, Becker, von Wangenheim & Schumann 2016). Both
// probabilities are computed exactly, by solving the expected visits of the
// chain's transient states (strongly connected components in topological
// order: a component of one state by substitution, a larger one with
// Eigen's sparse LU, or beyond kMaxDirectBlock states with BiCGSTAB
// (diagonal preconditioner, started from the visits without a removal;
// sparse LU again when the true residual is not small));
// nothing is simulated. The removals are independent solves, run
// in parallel on the current oneTBB arena; each gives the same figures on any thread count.
//
// The other methods credit each path's conversions and value to its
// touches: first, last, linear, position (40/20/40), time decay, and the
// Shapley value of the game v(S) = conversions of the paths whose channels
// all lie in S, which is exact in closed form for any number of channels
// (each path is a unanimity game: its conversions split equally over its
// distinct channels).
//
// Pure functions of their arguments; call from any thread.
#ifndef CJSIM_SIM_ATTRIBUTION_H_
#define CJSIM_SIM_ATTRIBUTION_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cjsim/v1/attribution.pb.h"
#include "models/path_log.h"
#include "models/status.h"

namespace cjsim {

enum class AttributionMethod { kMarkov, kShapley, kFirst, kLast, kLinear, kPosition, kTimeDecay };

// "markov", "shapley", "first", "last", "linear", "position", "time-decay":
// the names of --method and of the result's maps.
std::string_view method_name(AttributionMethod method);
std::optional<AttributionMethod> method_from_name(std::string_view name);
// Every method, in the order above.
std::vector<AttributionMethod> all_methods();

inline constexpr int kMaxMarkovOrder = 6;
// Components of the chain up to this many states are solved by sparse LU;
// larger ones by BiCGSTAB to a relative residual of kIterativeTolerance.
inline constexpr int64_t kMaxDirectBlock = 20000;
inline constexpr double kIterativeTolerance = 1e-13;
// A solution whose true relative residual is above this is solved again by
// sparse LU.
inline constexpr double kTrueResidual = 1e-10;

struct AttributionOptions {
  // 1 to kMaxMarkovOrder.
  int order = 1;
  std::vector<AttributionMethod> methods = all_methods();
  // Time decay: a touch's weight halves every `half_life` touches before
  // the last. > 0.
  double half_life = 1;
  // Components larger than this are solved iteratively (tests lower it).
  int64_t max_direct_block = kMaxDirectBlock;
};

// A Markov chain of order K fitted to a path log. Node 0 is the start; nodes
// 1 .. states are the windows (transient states); conversion and null are
// the absorbing states, kept as each node's probabilities of moving there.
struct MarkovChain {
  int order = 1;
  int64_t states = 0;  // transient windows, start not counted
  // Forward transitions between nodes: CSR rows 0 .. states.
  std::vector<int64_t> row_start;
  std::vector<int32_t> target;
  std::vector<double> probability;
  // Per node: P(next is conversion), expected value converted on leaving,
  // and journeys through it (observed).
  std::vector<double> to_conversion, value_rate, journeys;
  // Per node: the window, channel ids + 1 in 10-bit digits, the last touch
  // in the lowest (0 for the start).
  std::vector<uint64_t> window;

  int64_t transitions() const { return static_cast<int64_t>(target.size()); }
  // Does node `node`'s window hold channel `channel`?
  bool contains(int64_t node, int32_t channel) const;
  // The channels of node `node`'s window, the oldest touch first (empty for
  // the start).
  std::vector<int32_t> channels_of(int64_t node) const;
};

// The chain of `order` fitted to `log`. Bad input (a window too wide for
// the key, REQUIRES order in 1..kMaxMarkovOrder) is a bad-input Status.
Result<MarkovChain> fit_markov_chain(const PathLog& log, int order);

// Expected visits to every node of `chain` from the start, with the nodes
// whose window holds `removed` (-1: none) sent to null; and from them the
// conversion probability and expected value per journey.
struct ChainSolution {
  double conversion_probability = 0;
  double value_per_journey = 0;
};
class AbsorbingSolver {
 public:
  // Orders the components of `chain` (which must outlive the solver) and
  // solves it without a removal.
  AbsorbingSolver(const MarkovChain& chain, int64_t max_direct_block = kMaxDirectBlock);
  ~AbsorbingSolver();
  ChainSolution full() const { return full_; }
  // The chain with `channel` removed. Thread-safe (const).
  ChainSolution without(int32_t channel) const;
  // Strongly connected components with more than one node, and the largest.
  int64_t cyclic_components() const { return cyclic_components_; }
  int64_t largest_component() const { return largest_component_; }

 private:
  struct LargeBlock;
  // The systems of the components solved by BiCGSTAB, without a removal.
  void prepare_large_blocks(int64_t max_direct_block);
  // Visits in the topological numbering; `removed` -1 for none.
  std::vector<double> solve(int32_t removed, const std::vector<double>* warm) const;
  ChainSolution summarize(const std::vector<double>& visits) const;

  const MarkovChain& chain_;
  // Topological position -> node, and the blocks (components) as ranges of
  // positions.
  std::vector<int32_t> node_at_;
  std::vector<int64_t> block_start_;
  // Incoming transitions per position (CSR): source positions, probability.
  std::vector<int64_t> in_start_;
  std::vector<int32_t> in_source_;
  std::vector<double> in_probability_;
  std::vector<std::unique_ptr<LargeBlock>> large_;  // per block; null when solved directly
  std::vector<double> full_visits_;
  ChainSolution full_;
  int64_t cyclic_components_ = 0, largest_component_ = 0;
};

// A candidate order of --order auto.
struct OrderCandidate {
  int order = 0;
  int64_t states = 0, transitions = 0;
  double memory_bytes = 0;  // of the fitted chain and its solver
  // Held-out log-likelihood of the paths' outcomes (docs/attribution.md).
  double held_out_log_likelihood = 0;
};

// The size of the chain of each order 1 .. max_order on `log`, without
// fitting it (for the estimate printed before fitting).
OrderCandidate order_size(const PathLog& log, int order);

// Five-fold cross-validated log-likelihood of the outcomes (conversion or
// null) of the paths at each order 1 .. max_order: fills
// held_out_log_likelihood of `candidates` (one per order, in order).
void score_orders(const PathLog& log, std::vector<OrderCandidate>& candidates);

// The order with the highest held-out log-likelihood (the lower on a tie
// within 1e-9 relative).
int best_order(const std::vector<OrderCandidate>& candidates);

struct ChannelCredit {
  std::string channel;
  double removal_effect = 0, value_removal_effect = 0;
  std::map<std::string, double> conversions, value;  // by method name
};

struct FlowLink {
  std::string from, to;  // a channel, "(start)", "(conversion)", "(null)"
  double journeys = 0;
};

struct Attribution {
  double journeys = 0, conversions = 0, value = 0, conversion_probability = 0;
  int order = 0;
  int64_t paths = 0, states = 0, transitions = 0;
  int64_t cyclic_components = 0, largest_component = 0;
  std::vector<std::string> methods;
  std::vector<ChannelCredit> channels;  // sorted by name
  std::vector<FlowLink> flow;           // channel to channel, sorted
  std::vector<OrderCandidate> candidates;
  std::vector<std::string> warnings;
};

// Attributes `log` by every method of `options`. `done` (may be null) counts
// the removal solves finished out of channels + 1; `stop` (may be null) ends
// the work early (the result is then incomplete). Bad input as a Status.
Result<Attribution> attribute_paths(const PathLog& log, const AttributionOptions& options,
                                    std::atomic<uint64_t>* done = nullptr,
                                    const std::atomic<bool>* stop = nullptr);

// The heuristic credits of one method (not markov) per channel id: element
// c is {conversions, value}.
std::vector<std::pair<double, double>> heuristic_credits(const PathLog& log,
                                                         AttributionMethod method,
                                                         double half_life);

v1::AttributionResult to_proto(const Attribution& attribution, const std::string& input);

}  // namespace cjsim

#endif  // CJSIM_SIM_ATTRIBUTION_H_
