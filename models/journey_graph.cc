#include "models/journey_graph.h"

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/strong_components.hpp>

namespace cjsim {

JourneyGraph::JourneyGraph(const v1::Scenario& scenario)
    : scenario_(scenario), graph_(scenario.touchpoints_size()) {
  std::unordered_map<std::string, bool> channel_enabled;
  for (const v1::Channel& channel : scenario.channels()) {
    channel_enabled[channel.id()] = !channel.has_enabled() || channel.enabled();
  }
  enabled_.resize(scenario.touchpoints_size());
  for (int i = 0; i < scenario.touchpoints_size(); ++i) {
    const v1::Touchpoint& tp = scenario.touchpoints(i);
    index_.emplace(tp.id(), i);  // the first of duplicate ids wins
    auto it = channel_enabled.find(tp.channel());
    enabled_[i] = it == channel_enabled.end() || it->second;
  }
  edge_off_.resize(scenario.touchpoints_size());
  for (int e = 0; e < scenario.edges_size(); ++e) {
    const v1::Edge& edge = scenario.edges(e);
    auto from = index_of(edge.from());
    auto to = index_of(edge.to());
    if (!from || !to || (edge.has_weight() && !(edge.weight() > 0))) continue;
    if (enabled_[*to]) {
      boost::add_edge(*from, *to, e, graph_);
    } else {
      edge_off_[*from] = true;
    }
  }
}

std::optional<int> JourneyGraph::index_of(std::string_view touchpoint_id) const {
  auto it = index_.find(std::string(touchpoint_id));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

std::vector<bool> JourneyGraph::reachable_from(const std::vector<int>& sources) const {
  const int n = touchpoint_count();
  std::vector<boost::default_color_type> color(n, boost::white_color);
  auto color_map =
      boost::make_iterator_property_map(color.begin(), boost::get(boost::vertex_index, graph_));
  boost::queue<Graph::vertex_descriptor> queue;
  for (int source : sources) {
    if (color[source] == boost::white_color) {
      boost::breadth_first_visit(graph_, source, queue, boost::default_bfs_visitor(), color_map);
    }
  }
  std::vector<bool> reached(n);
  for (int v = 0; v < n; ++v) reached[v] = color[v] != boost::white_color;
  return reached;
}

std::vector<int> JourneyGraph::strong_components(int* count) const {
  std::vector<int> component(touchpoint_count());
  *count = boost::strong_components(
      graph_, boost::make_iterator_property_map(component.begin(),
                                                boost::get(boost::vertex_index, graph_)));
  return component;
}

}  // namespace cjsim
