// The journey as a Boost.Graph: touchpoints are vertices, edges are edges.
//
// Used by validation and reports for the questions of graph structure:
// what can be reached from the entry points, and which groups of touchpoints
// a walk can never leave. Built once from a scenario whose references may
// still be broken (edges with unknown ends are left out), then read-only:
// const member functions are safe from any thread.
#ifndef CJSIM_MODELS_JOURNEY_GRAPH_H_
#define CJSIM_MODELS_JOURNEY_GRAPH_H_

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "cjsim/v1/scenario.pb.h"

namespace cjsim {

class JourneyGraph {
 public:
  // Edge property: the edge's index in Scenario.edges.
  using Graph =
      boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property,
                            boost::property<boost::edge_index_t, int>>;

  // Edges of weight 0 are left out: a walk never takes them. Touchpoints on
  // a channel with `enabled: false` are left out as targets: an edge into
  // one ends the walk there (see ends_session_somewhere).
  explicit JourneyGraph(const v1::Scenario& scenario);

  int touchpoint_count() const { return static_cast<int>(boost::num_vertices(graph_)); }
  std::optional<int> index_of(std::string_view touchpoint_id) const;
  bool is_enabled(int touchpoint) const { return enabled_[touchpoint]; }
  // True when some edge of positive weight leaves `touchpoint` for a
  // switched-off channel: a walk taking it ends there.
  bool has_edge_off(int touchpoint) const { return edge_off_[touchpoint]; }
  const Graph& graph() const { return graph_; }

  // Touchpoints reachable from `sources` along edges (breadth-first search);
  // sources count as reached.
  std::vector<bool> reachable_from(const std::vector<int>& sources) const;

  // Groups of touchpoints in which a walk that enters can never end the
  // session: strongly connected, closed (every edge leaving a member stays
  // inside), every edge same-session (delay 0), and every member's CTA acted
  // on with certainty according to `always_acts`. Each group is sorted.
  template <typename AlwaysActs>
  std::vector<std::vector<int>> closed_loops(AlwaysActs always_acts) const;

  // Strongly connected components: component index per touchpoint.
  std::vector<int> strong_components(int* count) const;

 private:
  const v1::Scenario& scenario_;
  Graph graph_;
  std::vector<bool> enabled_;
  std::vector<bool> edge_off_;
  std::unordered_map<std::string, int> index_;
};

template <typename AlwaysActs>
std::vector<std::vector<int>> JourneyGraph::closed_loops(AlwaysActs always_acts) const {
  int count = 0;
  std::vector<int> component = strong_components(&count);
  std::vector<std::vector<int>> members(count);
  for (int v = 0; v < touchpoint_count(); ++v) members[component[v]].push_back(v);

  std::vector<std::vector<int>> loops;
  auto edge_index = boost::get(boost::edge_index, graph_);
  for (const std::vector<int>& group : members) {
    bool has_cycle = group.size() > 1;
    bool trapped = true;
    for (int v : group) {
      if (!always_acts(v) || boost::out_degree(v, graph_) == 0 || edge_off_[v]) {
        trapped = false;
      }
      for (auto e : boost::make_iterator_range(boost::out_edges(v, graph_))) {
        int target = static_cast<int>(boost::target(e, graph_));
        if (target == v) has_cycle = true;
        if (component[target] != component[v]) trapped = false;
        if (scenario_.edges(edge_index[e]).delay_days() > 0) trapped = false;
      }
      if (!trapped) break;
    }
    if (trapped && has_cycle) loops.push_back(group);
  }
  return loops;
}

}  // namespace cjsim

#endif  // CJSIM_MODELS_JOURNEY_GRAPH_H_
