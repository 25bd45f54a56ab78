#include "sim/path_scenario.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <unordered_set>
#include <utility>

#include "models/check.h"
#include "models/diagnostics.h"
#include "models/limits.h"
#include "models/validation.h"
#include "sim/provenance.h"

namespace cjsim {

namespace {

// The shortest text that reads back as `value` (the probabilities must
// survive the round trip for the exact solve to give the data's figures).
std::string round_trip(double value) {
  char text[32];
  const auto [end, error] = std::to_chars(text, text + sizeof text, value);
  CJSIM_CHECK(error == std::errc(), "a double fits 32 characters");
  return std::string(text, end);
}

// A count of journeys for a comment: the counts come back from
// probability x journeys, so a whole number is shown whole.
std::string journeys_text(double value) {
  const double whole = std::round(value);
  if (std::abs(value - whole) <= 1e-6 * std::max(1.0, std::abs(value))) value = whole;
  char text[32];
  std::snprintf(text, sizeof text, "%.15g", value);
  return text;
}

std::string percent_text(double share) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f%%", 100 * share);
  return text;
}

// A text-format string literal of free text: made one printable line, then
// quotes and backslashes escaped.
std::string text_literal(std::string_view text) {
  std::string out = "\"";
  for (char c : printable(text)) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Ids unique within one list: a taken id gets "_2", "_3", ... .
class UniqueIds {
 public:
  std::string claim(const std::string& id) {
    if (used_.insert(id).second) return id;
    for (int k = 2;; ++k) {
      std::string candidate = id + "_" + std::to_string(k);
      if (used_.insert(candidate).second) return candidate;
    }
  }

 private:
  std::unordered_set<std::string> used_;
};

std::string base_name(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

struct ScenarioIds {
  std::vector<std::string> channel, state, state_name;
  std::string goal, goal_channel;
};

// Channel ids from the names (the goal's channel last, so that a data
// channel keeps its name; a name that is an id keeps it before a name made
// one takes it); state ids from the channel ids of the window,
// joined by "__", with "start__" in front of a window shorter than the
// order (the first touches of a path).
ScenarioIds make_ids(const PathLog& log, const MarkovChain& chain) {
  ScenarioIds ids;
  UniqueIds channels, touchpoints;
  // Names that are ids already keep them; the others take theirs after.
  ids.channel.assign(log.channels.size(), "");
  for (const bool valid : {true, false}) {
    for (size_t c = 0; c < log.channels.size(); ++c) {
      const std::string& name = log.channels[c];
      if (is_valid_id(name) == valid) ids.channel[c] = channels.claim(id_from_name(name));
    }
  }
  ids.goal_channel = channels.claim("conversion");
  ids.state.assign(static_cast<size_t>(chain.states) + 1, "");
  ids.state_name.assign(ids.state.size(), "");
  for (int64_t node = 1; node <= chain.states; ++node) {
    const std::vector<int32_t> window = chain.channels_of(node);
    std::string id, name;
    if (static_cast<int>(window.size()) < chain.order) {
      id = "start";
      name = "(start)";
    }
    for (int32_t c : window) {
      id += (id.empty() ? "" : "__") + ids.channel[static_cast<size_t>(c)];
      name += (name.empty() ? "" : " > ") + log.channels[static_cast<size_t>(c)];
    }
    ids.state[static_cast<size_t>(node)] = touchpoints.claim(id);
    ids.state_name[static_cast<size_t>(node)] = std::move(name);
  }
  ids.goal = touchpoints.claim("conversion");
  return ids;
}

int32_t last_channel(const MarkovChain& chain, int64_t node) {
  return chain.channels_of(node).back();
}

Status over_limit(const std::string& what, int64_t count, int64_t limit) {
  return Status::bad_input("the scenario would have " + std::to_string(count) + " " + what +
                           ", over the " + std::to_string(limit) +
                           " a scenario may have (docs/scenario-reference.md \"Size budgets\"): "
                           "fit a lower --order");
}

}  // namespace

std::string id_from_name(std::string_view name) {
  std::string id;
  bool replacing = false;
  for (char c : name) {
    const bool kept = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '.';
    if (kept) {
      id += c;
    } else if (!replacing) {
      id += '_';
    }
    replacing = !kept;
  }
  CJSIM_CHECK(is_valid_id(id), "ids made of id characters, and '>' is replaced");
  return id;
}

Status check_path_scenario_size(const PathLog& log, const OrderCandidate& size) {
  // The goal has a channel and a touchpoint of its own.
  const int64_t channels = static_cast<int64_t>(log.channels.size()) + 1;
  if (channels > limits::kMaxChannels) {
    return Status::bad_input("the scenario would have " + std::to_string(channels) +
                             " channels (the path log's and the conversion's), over the " +
                             std::to_string(limits::kMaxChannels) +
                             " a scenario may have (docs/scenario-reference.md \"Size budgets\")");
  }
  if (size.states + 1 > limits::kMaxTouchpoints) {
    return over_limit("touchpoints (one per state of the chain and the conversion)",
                      size.states + 1, limits::kMaxTouchpoints);
  }
  // Every transition but those from the start (one per channel at most) is
  // an edge, and a state may have one more, to the conversion: at least
  // this many. path_scenario counts them exactly.
  const int64_t edges = size.transitions - static_cast<int64_t>(log.channels.size());
  if (edges > limits::kMaxEdges) {
    return over_limit("edges or more", edges, limits::kMaxEdges);
  }
  return Status::ok();
}

Result<PathScenario> path_scenario(const PathLog& log, const MarkovChain& chain,
                                   const PathScenarioOptions& options) {
  if (log.total_conversions <= 0) {
    return Status::bad_input(
        "no journey converted: a scenario of these paths would never reach its goal, and there "
        "is nothing to simulate");
  }
  OrderCandidate size;
  size.states = chain.states;
  size.transitions = chain.transitions();
  if (Status fits = check_path_scenario_size(log, size); !fits.is_ok()) return fits;

  ScenarioIds ids = make_ids(log, chain);
  PathScenario result;
  result.channels = static_cast<int64_t>(log.channels.size()) + 1;
  result.touchpoints = chain.states + 1;
  std::string& out = result.text;
  auto over = [&] { return out.size() > options.max_bytes; };
  auto too_long = [&] {
    return Status::bad_input("the scenario would be longer than " +
                             std::to_string(options.max_bytes >> 20) +
                             " MiB, the largest scenario file cjsim reads "
                             "(docs/scenario-reference.md \"Size budgets\"): fit a lower --order");
  };
  auto stage_of = [&](int32_t channel) {
    const size_t c = static_cast<size_t>(channel);
    return c < options.stages.size() ? options.stages[c] : kDefaultPathStage;
  };

  const double journeys = chain.journeys[0];
  const double conversions = log.total_conversions;
  const std::string order = std::to_string(chain.order);
  const std::string input = printable(base_name(log.path));

  out += "# proto-file: models/proto/cjsim/v1/scenario.proto\n";
  out += "# proto-message: cjsim.v1.Scenario\n#\n";
  out += "# Written by cjsim " + std::string(engine_version()) + " `cjsim fit`";
  if (!options.command_line.empty()) out += ":\n#   " + printable(options.command_line);
  out += "\n#\n";
  out += "# The Markov chain of order " + order + " fitted to the path log " + input +
         " (docs/attribution.md),\n";
  out += "# as a scenario in single-journey form (docs/model.md section 5): every agent\n";
  out += "# enters once, on day 0, at a state of the chain, as the data's journeys began,\n";
  out += "# and walks. A touchpoint is a state: " +
         (chain.order == 1
              ? std::string("the last channel touched.")
              : "the last " + order + " channels touched, on the channel\n# of the last.") +
         " Acting on its CTA is going on (to another state or to the\n";
  out += "# conversion); not acting is ending without a conversion (null). Each\n";
  out += "# probability is a count of journeys over another, written beside it.\n#\n";
  out += "# The data: " + std::to_string(log.size()) + " paths, " +
         std::to_string(log.channels.size()) + " channels, " + journeys_text(journeys) +
         " journeys, " + journeys_text(conversions) + " conversions, " +
         journeys_text(log.total_nulls) + " nulls" +
         (log.value_column.empty() ? std::string(", no value column")
                                   : ", value " + journeys_text(log.total_value)) +
         (log.null_column.empty() ? std::string("; no null column: every journey converted") : "") +
         ".\n";
  out += "# Conversion probability: " + journeys_text(conversions) + " / " +
         journeys_text(journeys) + " = " + percent_text(conversions / journeys) +
         " (`cjsim run --exact` on this file gives it).\n\n";

  out += "description: " +
         text_literal("Markov chain of order " + order + " fitted by cjsim fit to the paths of " +
                      base_name(log.path)) +
         "\n\n";
  out += "simulation {\n";
  out += "  # Every edge is taken at once (no delay), so every walk ends on day 0.\n";
  out += "  horizon_days: 1\n";
  if (journeys <= limits::kMaxPopulation) {
    out += "  # The journeys in the data: counts in results read as the data's.\n";
    out += "  population: " + round_trip(journeys) + "\n";
  }
  out += "}\n\n";
  out += "# One persona with no channel affinity: no channel reaches anyone (single-journey\n";
  out += "# form), and responsiveness 1 at every stage: the act probabilities are the chain's.\n";
  out += "personas { id: \"everyone\" }\n\n";

  out += "# One channel per channel of the path log, without reach. Switching one off\n";
  out += "# (a variant's channel_changes { channel: \"...\" enabled: false }) ends every walk\n";
  out += "# that would enter its touchpoints: the Markov removal of the channel.\n";
  for (size_t c = 0; c < log.channels.size(); ++c) {
    out +=
        "channels { id: \"" + ids.channel[c] + "\" name: " + text_literal(log.channels[c]) + " }\n";
  }
  out += "# The conversion's own channel (not in the data).\n";
  out += "channels { id: \"" + ids.goal_channel + "\" name: \"(conversion)\" }\n\n";

  out += "# The conversion: reached by " + journeys_text(conversions) + " of the " +
         journeys_text(journeys) + " journeys.\n";
  out += "touchpoints {\n  id: \"" + ids.goal +
         "\"\n  name: \"(conversion)\"\n  stage: " + v1::Stage_Name(kPathGoalStage) +
         "\n  channel: \"" + ids.goal_channel + "\"\n";
  if (log.value_column.empty()) {
    out += "  # The path log has no value column: no value per conversion (value KPIs are 0).\n";
    out += "  goal { kind: \"conversion\" }\n";
  } else {
    out += "  # Value per conversion: the data's value over its conversions, " +
           journeys_text(log.total_value) + " / " + journeys_text(conversions) + ".\n";
    out += "  goal { kind: \"conversion\" value: " + round_trip(log.total_value / conversions) +
           " }\n";
  }
  out += "}\n";

  // Entry weights: the transitions from the start.
  std::vector<double> entry(static_cast<size_t>(chain.states) + 1, 0);
  for (int64_t e = chain.row_start[0]; e < chain.row_start[1]; ++e) {
    entry[static_cast<size_t>(chain.target[static_cast<size_t>(e)])] +=
        chain.probability[static_cast<size_t>(e)];
  }
  for (int64_t node = 1; node <= chain.states; ++node) {
    const size_t s = static_cast<size_t>(node);
    const double here = chain.journeys[s];
    double onward = chain.to_conversion[s];
    for (int64_t e = chain.row_start[s]; e < chain.row_start[s + 1]; ++e) {
      onward += chain.probability[static_cast<size_t>(e)];
    }
    // 1 - P(null), as the sum of the other moves: never above 1 but by
    // rounding.
    const double act = std::min(1.0, onward);
    const int32_t channel = last_channel(chain, node);
    out += "\n# State " + printable(ids.state_name[s]) + ": " + journeys_text(here) +
           " journeys; " + journeys_text(onward * here) + " went on (" +
           journeys_text(chain.to_conversion[s] * here) + " of them to the conversion), " +
           journeys_text((1 - onward) * here) + " ended (null).\n";
    out += "touchpoints {\n  id: \"" + ids.state[s] +
           "\"\n  name: " + text_literal(ids.state_name[s]) +
           "\n  stage: " + v1::Stage_Name(stage_of(channel)) + "\n  channel: \"" +
           ids.channel[static_cast<size_t>(channel)] + "\"\n";
    out += "  # 1 - P(null) = " + journeys_text(onward * here) + " / " + journeys_text(here) + "\n";
    out += "  cta { act_probability: " + round_trip(act) + " }\n";
    if (entry[s] > 0) {
      ++result.entries;
      out += "  # P(start -> here) = " + journeys_text(entry[s] * journeys) + " / " +
             journeys_text(journeys) + "\n";
      out += "  entry_weight: " + round_trip(entry[s]) + "\n";
    }
    out += "}\n";
    if (act <= 0) continue;
    // weight = P(here -> next) / act: of the journeys that went on.
    auto edge = [&](const std::string& to, double probability) {
      ++result.edges;
      out += "edges { from: \"" + ids.state[s] + "\" to: \"" + to +
             "\" weight: " + round_trip(probability / act) + " }  # " +
             journeys_text(probability * here) + " of " + journeys_text(onward * here) + "\n";
    };
    for (int64_t e = chain.row_start[s]; e < chain.row_start[s + 1]; ++e) {
      const size_t at = static_cast<size_t>(e);
      edge(ids.state[static_cast<size_t>(chain.target[at])], chain.probability[at]);
    }
    if (chain.to_conversion[s] > 0) edge(ids.goal, chain.to_conversion[s]);
    if (over()) return too_long();
  }
  if (over()) return too_long();
  if (result.edges > limits::kMaxEdges) {
    return over_limit("edges", result.edges, limits::kMaxEdges);
  }
  result.channel_ids = std::move(ids.channel);
  result.state_ids = std::move(ids.state);
  result.goal_id = std::move(ids.goal);
  result.goal_channel_id = std::move(ids.goal_channel);
  return result;
}

}  // namespace cjsim
