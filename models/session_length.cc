#include "models/session_length.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>
#include <utility>

#include <Eigen/Dense>
#include <Eigen/Sparse>
#include <Eigen/SparseLU>

#include "models/check.h"
#include "models/formulas.h"

namespace cjsim {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Groups up to this size are solved densely (full pivoting tells a singular
// system apart); larger ones with a sparse LU.
constexpr int kDenseGroup = 256;

// Solves (I - P_group) x = b for each right-hand side in `rhs`, where
// `inside[i]` lists (local target, probability) of member i. Returns false
// when the system is singular or a solution is not a valid expectation
// (finite and >= 1, as every session takes at least its first step).
bool solve_group(const std::vector<std::vector<std::pair<int, double>>>& inside,
                 std::vector<Eigen::VectorXd>& rhs) {
  const int k = static_cast<int>(inside.size());
  auto valid = [](const Eigen::VectorXd& x) { return x.allFinite() && x.minCoeff() >= 1 - 1e-9; };
  if (k <= kDenseGroup) {
    Eigen::MatrixXd a = Eigen::MatrixXd::Identity(k, k);
    for (int i = 0; i < k; ++i) {
      for (const auto& [j, p] : inside[i]) a(i, j) -= p;
    }
    Eigen::FullPivLU<Eigen::MatrixXd> lu(a);
    if (!lu.isInvertible()) return false;
    for (Eigen::VectorXd& b : rhs) {
      b = lu.solve(b);
      if (!valid(b)) return false;
    }
    return true;
  }
  std::vector<Eigen::Triplet<double>> triplets;
  for (int i = 0; i < k; ++i) {
    triplets.emplace_back(i, i, 1.0);
    for (const auto& [j, p] : inside[i]) triplets.emplace_back(i, j, -p);
  }
  Eigen::SparseMatrix<double> a(k, k);
  a.setFromTriplets(triplets.begin(), triplets.end());
  Eigen::SparseLU<Eigen::SparseMatrix<double>> lu;
  lu.compute(a);
  if (lu.info() != Eigen::Success) return false;
  for (Eigen::VectorXd& b : rhs) {
    b = lu.solve(b);
    if (lu.info() != Eigen::Success || !valid(b)) return false;
  }
  return true;
}

// P(u, v): the probability that a step from u goes on to v in the same
// session (act, choose the edge, no delay), along the graph's edges
// (positive weight, enabled target). W(u) sums every edge out of u, those
// into switched-off touchpoints included (taking one ends the session).
std::vector<std::vector<std::pair<int, double>>> step_probabilities(const v1::Scenario& scenario,
                                                                    const JourneyGraph& graph,
                                                                    std::span<const double> act) {
  const int n = graph.touchpoint_count();
  const JourneyGraph::Graph& g = graph.graph();
  std::vector<double> total_weight(n, 0.0);
  for (const v1::Edge& e : scenario.edges()) {
    if (auto from = graph.index_of(e.from()))
      total_weight[*from] += e.has_weight() ? e.weight() : 1;
  }
  std::vector<std::vector<std::pair<int, double>>> next(n);
  auto edge_index = boost::get(boost::edge_index, g);
  for (int u = 0; u < n; ++u) {
    for (auto e : boost::make_iterator_range(boost::out_edges(u, g))) {
      const v1::Edge& edge = scenario.edges(edge_index[e]);
      const double share = (edge.has_weight() ? edge.weight() : 1) / total_weight[u];
      const double stay = 1 - formulas::delay_continue_probability(edge.delay_days());
      const double p = act[u] * share * stay;
      if (p > 0) next[u].emplace_back(static_cast<int>(boost::target(e, g)), p);
    }
  }
  return next;
}

}  // namespace

SessionLength longest_session(const v1::Scenario& scenario, const JourneyGraph& graph,
                              std::span<const double> act) {
  const int n = graph.touchpoint_count();
  const std::vector<std::vector<std::pair<int, double>>> next =
      step_probabilities(scenario, graph, act);

  int count = 0;
  const std::vector<int> component = graph.strong_components(&count);
  std::vector<std::vector<int>> members(count);
  for (int u = 0; u < n; ++u) members[component[u]].push_back(u);

  SessionLength out;
  std::vector<double> steps(n, 0.0);
  // Tarjan's algorithm numbers a group only after every group it reaches,
  // so in increasing order each group's exits are already solved.
  for (int c = 0; c < count; ++c) {
    const std::vector<int>& group = members[c];
    std::unordered_map<int, int> local;
    for (size_t i = 0; i < group.size(); ++i) local.emplace(group[i], static_cast<int>(i));
    std::vector<std::vector<std::pair<int, double>>> inside(group.size());
    Eigen::VectorXd through(static_cast<Eigen::Index>(group.size()));
    bool has_loop = false;
    bool endless = false;
    for (size_t i = 0; i < group.size(); ++i) {
      double expected = 1;
      for (const auto& [v, p] : next[group[i]]) {
        if (component[v] == c) {
          inside[i].emplace_back(local.at(v), p);
          has_loop = true;
        } else {
          CJSIM_CHECK(component[v] < c, "strong components out of reverse topological order");
          expected += p * steps[v];
        }
      }
      endless |= std::isinf(expected);
      through[static_cast<Eigen::Index>(i)] = expected;
    }
    double loop_steps = 0;
    if (has_loop) {
      // The steps inside the group alone (leaving it ends the count), and
      // the whole session unless an exit already never ends: then neither
      // does a session anywhere in the group, as every member reaches it.
      std::vector<Eigen::VectorXd> rhs = {
          Eigen::VectorXd::Ones(static_cast<Eigen::Index>(group.size()))};
      if (!endless) rhs.push_back(through);
      if (solve_group(inside, rhs)) {
        loop_steps = rhs[0].maxCoeff();
        through = endless ? Eigen::VectorXd::Constant(through.size(), kInfinity) : rhs[1];
      } else {
        through.setConstant(kInfinity);
        loop_steps = kInfinity;
      }
    }
    bool enabled = false;
    for (size_t i = 0; i < group.size(); ++i) {
      const int u = group[i];
      steps[u] = through[static_cast<Eigen::Index>(i)];
      if (!graph.is_enabled(u)) continue;
      enabled = true;
      if (out.start < 0 || steps[u] > out.steps) {
        out.steps = steps[u];
        out.start = u;
      }
    }
    if (has_loop && enabled && (out.loop.empty() || loop_steps > out.loop_steps)) {
      out.loop = group;
      std::sort(out.loop.begin(), out.loop.end());
      out.loop_steps = loop_steps;
    }
  }
  return out;
}

}  // namespace cjsim
