#include "models/validation.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include "models/calendar_validation.h"
#include "models/compiled_model.h"
#include "models/field_path.h"
#include "models/field_range.h"
#include "models/formulas.h"
#include "models/journey_graph.h"
#include "models/limits.h"
#include "models/schema_hints.h"
#include "models/session_length.h"
#include "models/settings.h"
#include "models/stage.h"
#include "models/variant.h"

namespace cjsim {

bool is_valid_id(std::string_view id) {
  if (id.empty()) return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) {
                       return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                              (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
                     }) &&
         id.find("->") == std::string_view::npos;
}

namespace {

namespace pb = google::protobuf;

constexpr double kNoCeiling = std::numeric_limits<double>::infinity();
// A normal distribution truncated to a field's range must keep mass there:
// the range must reach within this many standard deviations of its mean.
constexpr double kMaxTruncationSds = 8;

bool is_valid_goal_kind(std::string_view kind) {
  if (kind.empty()) return false;
  return std::all_of(kind.begin(), kind.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// What a goal kind that is_valid_goal_kind refuses is told.
constexpr const char* kGoalKindRule =
    " must be a lower-case word such as purchase, donation, signup, volunteer, petition, vote or "
    "service_use";

std::string quoted(std::string_view id) { return "'" + std::string(id) + "'"; }

std::string did_you_mean(std::string_view word, const std::vector<std::string>& ids) {
  std::string match = closest_match(word, ids);
  return match.empty() ? "" : " (did you mean " + quoted(match) + "?)";
}

// The highest mean daily rate of a customer's repeats, complaints or
// referrals: beyond it a rate is surely given per week or month by mistake,
// and the day loop would spend its time on one customer.
constexpr double kMaxDailyRate = 10;

using EdgeEnds = std::pair<std::string, std::string>;  // from, to

// Errors after this many get no "did you mean" hint.
constexpr int kMaxErrorsWithHints = 50;

// Collects diagnostics for one scenario; see validate_scenario.
class Validator {
 public:
  Validator(const v1::Scenario& scenario, const SourceMap* source_map, Diagnostics& diagnostics,
            std::string_view variant_name)
      : s_(scenario), map_(source_map), out_(diagnostics) {
    if (!variant_name.empty()) prefix_ = "with variant " + quoted(variant_name) + ": ";
  }

  bool run(bool check_variants) {
    int errors_before = out_.error_count();
    index_ids();
    FieldPath root;
    check_enum_values(s_, root);
    check_simulation();
    check_personas();
    check_channels();
    check_touchpoints();
    check_edges();
    check_loyalty();
    check_calendar(
        s_, [this](const FieldPath& path, const std::string& message) { error(path, message); },
        [this](const FieldPath& path, const std::string& message) { warning(path, message); });
    check_uncertain();
    if (out_.error_count() == errors_before) check_graph();
    if (check_variants) check_variants_defined();
    return out_.error_count() == errors_before;
  }

 private:
  // --- reporting -----------------------------------------------------------

  void error(const FieldPath& path, const std::string& message) {
    out_.error(prefix_ + message, locate(path));
  }
  void warning(const FieldPath& path, const std::string& message) {
    out_.warning(prefix_ + message, locate(path));
  }
  SourceLocation locate(const FieldPath& path) const {
    return map_ && prefix_.empty() ? map_->locate(path) : SourceLocation{};
  }

  // "touchpoint 'ig_post'" or "touchpoints[3]" when the id is missing.
  static std::string entity(std::string_view kind, std::string_view plural, std::string_view id,
                            int index) {
    if (id.empty()) return std::string(plural) + "[" + std::to_string(index) + "]";
    return std::string(kind) + " " + quoted(id);
  }

  // Hints for the first errors only: later ones are not shown, and each
  // costs a pass over every id (20,000 misspelt edges took hours).
  std::string did_you_mean(std::string_view word, const std::vector<std::string>& ids) const {
    return out_.error_count() < kMaxErrorsWithHints ? cjsim::did_you_mean(word, ids) : "";
  }

  // --- value checks --------------------------------------------------------

  // Each returns true when the value is fine, after reporting it otherwise.
  bool check_range(const FieldPath& path, const std::string& what, double value, double low,
                   double high, bool high_open = false) {
    bool ok = std::isfinite(value) && value >= low && (high_open ? value < high : value <= high);
    if (!ok) {
      error(path, what + ": " + number_text(value) + " is not in [" + number_text(low) + ", " +
                      number_text(high) + (high_open ? ")" : "]"));
    }
    return ok;
  }
  bool check_probability(const FieldPath& path, const std::string& what, double value) {
    return check_range(path, what, value, 0, 1);
  }
  // A field of models/field_range.h's table against its range there.
  bool check_field(const FieldPath& path, const std::string& what, double value,
                   const FieldRange& range) {
    if (range.low == 0 && (range.high_is_budget || range.high == kNoCeiling)) {
      return check_non_negative(path, what, value, range.high);
    }
    return check_range(path, what, value, range.low, range.high, range.high_open);
  }
  // `most`: the documented ceiling (models/limits.h), beyond which sums and
  // products of the value would overflow or mean nothing.
  bool check_non_negative(const FieldPath& path, const std::string& what, double value,
                          double most = std::numeric_limits<double>::infinity()) {
    bool ok = std::isfinite(value) && value >= 0;
    if (!ok) {
      error(path, what + ": " + number_text(value) + " must be a finite number >= 0");
    } else if (value > most) {
      error(path, what + ": " + number_text(value) + " is over " + number_text(most) +
                      ", the most accepted (docs/scenario-reference.md \"Size budgets\")");
      ok = false;
    }
    return ok;
  }
  void check_hours(const FieldPath& path, const std::string& what,
                   const google::protobuf::RepeatedField<double>& hours) {
    if (hours.empty()) return;
    if (hours.size() != 24) {
      error(path, what + ": has " + std::to_string(hours.size()) +
                      " values; give none or one per hour (24)");
      return;
    }
    double total = 0;
    for (int h = 0; h < 24; ++h) {
      FieldPath at = path;
      at.back().index = h;
      if (!check_non_negative(at, what + "[" + std::to_string(h) + "]", hours[h],
                              limits::kMaxWeight)) {
        return;
      }
      total += hours[h];
    }
    if (total <= 0) error(path, what + ": all 24 values are 0; give at least one positive weight");
  }
  void check_id(const FieldPath& path, const std::string& what, std::string_view id) {
    if (id.empty()) {
      error(path, what + " id: missing");
    } else if (!is_valid_id(id)) {
      error(path, what + " id: " + quoted(id) + " may use only letters, digits, '_', '-' and '.'");
    }
  }

  // --- enums ---------------------------------------------------------------

  // Every enum field holds a value its type names. Proto3 enums are open:
  // the text, JSON and binary parsers all keep a number the type does not
  // name (`stage: 5`), and the compiler and engine index tables by these
  // values. So every enum field, wherever it sits (variants and loyalty
  // included), is checked here, by reflection, before anything reads it.
  void check_enum_values(const pb::Message& message, FieldPath& path) {
    const pb::Reflection* reflection = message.GetReflection();
    std::vector<const pb::FieldDescriptor*> fields;
    reflection->ListFields(message, &fields);
    for (const pb::FieldDescriptor* field : fields) {
      const bool repeated = field->is_repeated();
      const int count = repeated ? reflection->FieldSize(message, field) : 1;
      for (int i = 0; i < count; ++i) {
        path.push_back({field->name(), repeated ? i : -1});
        if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_ENUM) {
          const int value = repeated ? reflection->GetRepeatedEnumValue(message, field, i)
                                     : reflection->GetEnumValue(message, field);
          if (field->enum_type()->FindValueByNumber(value) == nullptr) {
            error(path, field_text(path) + ": " + std::to_string(value) + " is not a " +
                            field->enum_type()->name() + "; use " +
                            enum_choices(*field->enum_type()));
          }
        } else if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
          check_enum_values(repeated ? reflection->GetRepeatedMessage(message, field, i)
                                     : reflection->GetMessage(message, field),
                            path);
        }
        path.pop_back();
      }
    }
  }

  // A field path in the words of the other messages: "touchpoint 'page'
  // stage", "variant 'v' add_touchpoints[0].stage", "loyalty.referral.x".
  std::string field_text(const FieldPath& path) const {
    if (path.empty()) return "";
    const FieldPath rest(path.begin() + 1, path.end());
    const FieldStep& top = path.front();
    std::string id;
    const char* kind = nullptr;
    if (top.field == "personas" && top.index >= 0) {
      kind = "persona";
      id = s_.personas(top.index).id();
    } else if (top.field == "channels" && top.index >= 0) {
      kind = "channel";
      id = s_.channels(top.index).id();
    } else if (top.field == "touchpoints" && top.index >= 0) {
      kind = "touchpoint";
      id = s_.touchpoints(top.index).id();
    } else if (top.field == "variants" && top.index >= 0) {
      kind = "variant";
      id = s_.variants(top.index).name();
    }
    if (kind == nullptr || id.empty() || rest.empty()) return to_string(path);
    return std::string(kind) + " " + quoted(id) + " " + to_string(rest);
  }

  // --- ids -----------------------------------------------------------------

  template <typename Items, typename GetId>
  void index_unique(const Items& items, const char* kind, const char* field,
                    std::unordered_map<std::string, int>& index, std::vector<std::string>& ids,
                    GetId get_id) {
    for (int i = 0; i < items.size(); ++i) {
      const std::string& id = get_id(items[i]);
      if (id.empty()) continue;
      auto [it, inserted] = index.emplace(id, i);
      if (inserted) {
        ids.push_back(id);
      } else {
        error({{field, i}}, std::string("duplicate ") + kind + " id " + quoted(id) +
                                " (first defined as " + field + "[" + std::to_string(it->second) +
                                "])");
      }
    }
  }

  void index_ids() {
    auto id = [](const auto& item) -> const std::string& { return item.id(); };
    index_unique(s_.personas(), "persona", "personas", persona_index_, persona_ids_, id);
    index_unique(s_.channels(), "channel", "channels", channel_index_, channel_ids_, id);
    index_unique(s_.touchpoints(), "touchpoint", "touchpoints", touchpoint_index_, touchpoint_ids_,
                 id);
  }

  bool known_channel(const FieldPath& path, const std::string& who, const std::string& id) {
    if (channel_index_.count(id)) return true;
    error(path, who + ": unknown channel " + quoted(id) + did_you_mean(id, channel_ids_));
    return false;
  }
  bool known_touchpoint(const FieldPath& path, const std::string& who, const std::string& id) {
    if (touchpoint_index_.count(id)) return true;
    error(path, who + ": unknown touchpoint " + quoted(id) + did_you_mean(id, touchpoint_ids_));
    return false;
  }

  // --- sections ------------------------------------------------------------

  void check_simulation() {
    const v1::Simulation& sim = s_.simulation();
    const SimulationSettings settings = resolve_settings(sim);
    const RunSettings run = resolve_run_settings(sim);
    auto at = [](const char* field) { return FieldPath{{"simulation"}, {field}}; };
    bool sizes_ok = true;
    if (settings.horizon_days < 1 || settings.horizon_days > limits::kMaxHorizonDays) {
      error(at("horizon_days"),
            "simulation.horizon_days: " + std::to_string(settings.horizon_days) +
                " is not in [1, " + std::to_string(limits::kMaxHorizonDays) + "]");
      sizes_ok = false;
    }
    const v1::Loyalty& loyalty = s_.loyalty();
    const int64_t state_bytes =
        limits::agent_state_bytes(s_.channels_size(), s_.has_loyalty(),
                                  loyalty.has_referral() || loyalty.has_care(),
                                  channel_memory_bytes(s_));
    const int64_t max_agents = limits::kMaxStateBytes / state_bytes;
    if (settings.agents < 1 || settings.agents > max_agents) {
      std::string message = "simulation.agents: " + std::to_string(settings.agents) +
                            " is not in [1, " + std::to_string(max_agents) + "]";
      // Only too many agents is a memory problem.
      if (settings.agents > max_agents) {
        message += "; agent state takes " + std::to_string(state_bytes) + " bytes per agent" +
                   (s_.has_loyalty() ? " with the loyalty block" : "") + ", so " +
                   number_text(std::round(static_cast<double>(settings.agents) *
                                          static_cast<double>(state_bytes) / (1 << 30) * 10) /
                               10) +
                   " GiB would be needed (budget 8 GiB)";
      }
      error(at("agents"), message);
      sizes_ok = false;
    }
    if (run.replications < 2 || run.replications > limits::kMaxReplications) {
      error(at("replications"), "simulation.replications: " + std::to_string(run.replications) +
                                    " is not in [2, " + std::to_string(limits::kMaxReplications) +
                                    "]; an interval needs at least 2 replications");
      sizes_ok = false;
    }
    if (std::isfinite(settings.population) && settings.population > limits::kMaxPopulation) {
      error(at("population"), "simulation.population: " + number_text(settings.population) +
                                  " is over " + number_text(limits::kMaxPopulation) +
                                  ", more people than live on Earth");
    } else if (!(std::isfinite(settings.population) && settings.population > 0)) {
      error(at("population"), "simulation.population: " + number_text(settings.population) +
                                  " must be a finite number > 0");
    }
    if (!(std::isfinite(run.confidence) && run.confidence > 0 && run.confidence < 1)) {
      error(at("confidence"), "simulation.confidence: " + number_text(run.confidence) +
                                  " is not in (0, 1); 0.95 gives 95% intervals");
    }
    if (sizes_ok) {
      double agent_days =
          static_cast<double>(settings.agents) * settings.horizon_days * run.replications;
      if (agent_days > limits::kMaxAgentDays) {
        double hours = agent_days / limits::kAgentDaysPerCoreSecond / 3600;
        error(at("agents"),
              "simulation: agents x horizon_days x replications = " +
                  number_text(static_cast<double>(settings.agents)) + " x " +
                  std::to_string(settings.horizon_days) + " x " + std::to_string(run.replications) +
                  " = " + number_text(agent_days) + " agent-days, over the budget of " +
                  number_text(limits::kMaxAgentDays) + " (about " + number_text(std::round(hours)) +
                  " core-hours); use fewer agents or replications: intervals shrink "
                  "with the square root of agents x replications");
      }
    }
  }

  void check_personas() {
    if (s_.personas().empty()) {
      error({{"personas"}}, "no personas: define at least one (share 1 for a single one)");
      return;
    }
    if (s_.personas_size() > limits::kMaxPersonas) {
      error({{"personas", limits::kMaxPersonas}},
            "personas: " + std::to_string(s_.personas_size()) + " defined; at most " +
                std::to_string(limits::kMaxPersonas));
    }
    int with_share = 0;
    double share_total = 0;
    for (int i = 0; i < s_.personas_size(); ++i) {
      const v1::Persona& p = s_.personas(i);
      std::string who = entity("persona", "personas", p.id(), i);
      auto at = [i](const char* field, int index = -1) {
        return FieldPath{{"personas", i}, {field, index}};
      };
      check_id(at("id"), who, p.id());
      if (p.has_share()) {
        ++with_share;
        if (check_field(at("share"), who + " share", p.share(),
                        field_range_of<v1::Persona>("share"))) {
          share_total += p.share();
        }
      }
      std::map<std::string, double> affinity(p.channel_affinity().begin(),
                                             p.channel_affinity().end());
      for (const auto& [channel, value] : affinity) {
        std::string what = who + " channel_affinity[" + quoted(channel) + "]";
        if (known_channel(at("channel_affinity"), what, channel)) {
          check_field(at("channel_affinity"), what, value,
                      field_range_of<v1::Persona>("channel_affinity"));
        }
      }
      check_hours(at("active_hours", 0), who + " active_hours", p.active_hours());
      std::map<std::string, double> responsiveness(p.responsiveness().begin(),
                                                   p.responsiveness().end());
      std::set<int> stages_given;
      for (const auto& [stage, value] : responsiveness) {
        std::string what = who + " responsiveness[" + quoted(stage) + "]";
        auto parsed = parse_stage_name(stage);
        if (!parsed) {
          error(at("responsiveness"),
                what + ": unknown stage" +
                    did_you_mean(stage, {"awareness", "consideration", "decision", "loyalty"}) +
                    "; use awareness, consideration, decision or loyalty");
        } else if (!stages_given.insert(*parsed).second) {
          error(at("responsiveness"), what + ": stage " + quoted(stage_name(*parsed)) +
                                          " is given twice (keys are not case-sensitive)");
        } else {
          check_field(at("responsiveness"), what, value,
                      field_range_of<v1::Persona>("responsiveness"));
        }
      }
      check_field(at("memory_half_life_days"), who + " memory_half_life_days",
                  p.memory_half_life_days(), field_range_of<v1::Persona>("memory_half_life_days"));
      check_field(at("privacy_sensitivity"), who + " privacy_sensitivity",
                  p.privacy_sensitivity(), field_range_of<v1::Persona>("privacy_sensitivity"));
    }
    if (with_share > 0 && with_share < s_.personas_size()) {
      for (int i = 0; i < s_.personas_size(); ++i) {
        if (!s_.personas(i).has_share()) {
          error({{"personas", i}}, entity("persona", "personas", s_.personas(i).id(), i) +
                                       " share: missing; set a share on every persona or on none");
        }
      }
    } else if (with_share > 0) {
      if (share_total <= 0) {
        error({{"personas"}}, "personas: shares sum to 0; at least one must be positive");
      } else if (std::abs(share_total - 1) > 1e-9) {
        warning({{"personas"}}, "persona shares sum to " + number_text(share_total) +
                                    ", not 1; they are normalised");
      }
    }
  }

  void check_channels() {
    if (s_.channels_size() > limits::kMaxChannels) {
      error({{"channels", limits::kMaxChannels}},
            "channels: " + std::to_string(s_.channels_size()) + " defined; at most " +
                std::to_string(limits::kMaxChannels));
    }
    for (int i = 0; i < s_.channels_size(); ++i) {
      const v1::Channel& c = s_.channels(i);
      std::string who = entity("channel", "channels", c.id(), i);
      auto at = [i](const char* field, int index = -1) {
        return FieldPath{{"channels", i}, {field, index}};
      };
      check_id(at("id"), who, c.id());
      bool budget_ok = check_field(at("weekly_budget"), who + " weekly_budget", c.weekly_budget(),
                                   field_range_of<v1::Channel>("weekly_budget"));
      bool cpm_ok =
          check_field(at("cpm"), who + " cpm", c.cpm(), field_range_of<v1::Channel>("cpm"));
      if (budget_ok && cpm_ok && c.weekly_budget() > 0 && c.cpm() <= 0) {
        error(at("cpm"), who +
                             " cpm: must be > 0 when weekly_budget > 0 (the cost of "
                             "a thousand impressions turns spend into impressions)");
      } else if (budget_ok && cpm_ok && c.cpm() > 0 && c.cpm() < limits::kMinCpm) {
        error(at("cpm"), who + " cpm: " + number_text(c.cpm()) + " is under " +
                             number_text(limits::kMinCpm) +
                             ", the least accepted (the impressions it buys would be infinite)");
      }
      bool reach_ok = check_field(at("max_reach"), who + " max_reach", c.max_reach(),
                                  field_range_of<v1::Channel>("max_reach"));
      bool k_ok = check_field(at("half_saturation"), who + " half_saturation", c.half_saturation(),
                              field_range_of<v1::Channel>("half_saturation"));
      if (budget_ok && reach_ok && k_ok && c.weekly_budget() > 0 && c.max_reach() > 0 &&
          c.half_saturation() <= 0) {
        error(at("half_saturation"),
              who +
                  " half_saturation: must be > 0 when the channel buys reach (it is the "
                  "adstocked daily spend that reaches half of max_reach)");
      }
      if (c.has_hill_shape() && !(std::isfinite(c.hill_shape()) && c.hill_shape() > 0)) {
        error(at("hill_shape"), who + " hill_shape: " + number_text(c.hill_shape()) +
                                    " must be > 0 (1 = no S-shape)");
      }
      check_field(at("adstock_decay"), who + " adstock_decay", c.adstock_decay(),
                  field_range_of<v1::Channel>("adstock_decay"));
      check_field(at("organic_reach"), who + " organic_reach", c.organic_reach(),
                  field_range_of<v1::Channel>("organic_reach"));
      check_hours(at("posting_hours", 0), who + " posting_hours", c.posting_hours());
      if (c.has_frequency_cap()) {
        check_frequency_cap({{"channels", i}, {"frequency_cap"}}, who + " frequency_cap",
                            c.frequency_cap(), false);
      }
      if (c.has_fatigue()) {
        check_fatigue({{"channels", i}, {"fatigue"}}, who + " fatigue", c.fatigue(), false);
      }
      if (c.has_comments()) {
        check_comments({{"channels", i}, {"comments"}}, who + " comments", c.comments());
      }
      if (c.has_audience()) {
        check_audience({{"channels", i}, {"audience"}}, who + " audience", c.audience());
        if (c.has_frequency_cap()) {
          error({{"channels", i}, {"frequency_cap"}},
                who +
                    " frequency_cap: not available on a channel with an audience yet (a cap "
                    "re-spreads the money over a reach known in advance; an audience's reach "
                    "follows its size day by day); model wear-out with fatigue instead");
        }
      }
    }
  }

  // A channel's retargeting audience or a touchpoint's entry audience
  // (docs/model.md "Retargeting audiences"), the audiences_-th.
  void check_audience(const FieldPath& path, const std::string& what, const v1::Audience& a) {
    if (audiences_++ == limits::kMaxAudiences) {
      error(path, what + ": the " + std::to_string(limits::kMaxAudiences + 1) +
                      "th audience; at most " + std::to_string(limits::kMaxAudiences) +
                      " channels and entries may have one");
    }
    if (a.visited().empty() && !a.not_converted()) {
      error(path, what +
                      ": holds no one; list the touchpoints whose visitors it holds (visited, "
                      "with within_days), or set not_converted: true");
      return;
    }
    std::set<std::string> seen;
    for (int k = 0; k < a.visited_size(); ++k) {
      FieldPath at = path;
      at.push_back({"visited", k});
      const std::string& id = a.visited(k);
      if (!known_touchpoint(at, what + ".visited[" + std::to_string(k) + "]", id)) continue;
      if (!seen.insert(id).second) {
        error(at, what + ".visited: touchpoint " + quoted(id) + " is listed twice");
      }
    }
    FieldPath days = path;
    days.push_back({"within_days"});
    if (!a.visited().empty() &&
        (a.within_days() < 1 || a.within_days() > limits::kMaxHorizonDays)) {
      error(days, what + ".within_days: " + std::to_string(a.within_days()) + " is not in [1, " +
                      std::to_string(limits::kMaxHorizonDays) +
                      "] (the days a visit keeps a person in the audience)");
    } else if (a.visited().empty() && a.within_days() != 0) {
      error(days, what +
                      ".within_days: set without visited; it counts the days since a visit to "
                      "one of the visited touchpoints");
    }
  }

  void check_comments(FieldPath path, const std::string& who, const v1::Comments& comments) {
    path.push_back({"rate_per_exposure"});
    check_probability(path, who + ".rate_per_exposure", comments.rate_per_exposure());
    path.back() = {"negative_share"};
    check_probability(path, who + ".negative_share", comments.negative_share());
  }

  // A frequency cap or fatigue of a channel, or of a variant's channel
  // change (`change`), where 0 removes the channel's.
  void check_frequency_cap(FieldPath path, const std::string& who, const v1::FrequencyCap& cap,
                           bool change) {
    path.push_back({"exposures"});
    const int least = change ? 0 : 1;
    if (cap.exposures() < least || cap.exposures() > limits::kMaxCapExposures) {
      error(path, who + ".exposures: " + std::to_string(cap.exposures()) + " is not in [" +
                      std::to_string(least) + ", " + std::to_string(limits::kMaxCapExposures) +
                      "]" + (change ? " (0 removes the cap)" : ""));
    }
    if (change && cap.exposures() == 0) return;
    path.back() = {"per_days"};
    if (cap.per_days() < 1 || cap.per_days() > limits::kMaxHorizonDays) {
      error(path, who + ".per_days: " + std::to_string(cap.per_days()) + " is not in [1, " +
                      std::to_string(limits::kMaxHorizonDays) + "]");
    }
  }
  void check_fatigue(FieldPath path, const std::string& who, const v1::Fatigue& fatigue,
                     bool change) {
    path.push_back({"per_exposure"});
    const double x = fatigue.per_exposure();
    if (!std::isfinite(x) || x < 0 || (x == 0 && !change) || x > limits::kMaxFatiguePerExposure) {
      error(path, who + ".per_exposure: " + number_text(x) + " must be > 0 and at most " +
                      number_text(limits::kMaxFatiguePerExposure) +
                      (change ? " (0 removes fatigue)" : ""));
    }
    if (change && x == 0) return;
    path.back() = {"recovery_half_life_days"};
    const double h = fatigue.recovery_half_life_days();
    if (!std::isfinite(h) || h <= 0 || h > limits::kMaxHorizonDays) {
      error(path, who + ".recovery_half_life_days: " + number_text(h) +
                      " must be > 0 days and at most " +
                      std::to_string(limits::kMaxHorizonDays));
    }
  }

  void check_touchpoints() {
    if (s_.touchpoints().empty()) {
      error({{"touchpoints"}}, "no touchpoints: a journey needs at least one");
      return;
    }
    if (s_.touchpoints_size() > limits::kMaxTouchpoints) {
      error({{"touchpoints", limits::kMaxTouchpoints}},
            "touchpoints: " + std::to_string(s_.touchpoints_size()) + " defined; at most " +
                std::to_string(limits::kMaxTouchpoints));
    }
    std::set<std::string> goal_kinds;
    for (int i = 0; i < s_.touchpoints_size(); ++i) {
      const v1::Touchpoint& t = s_.touchpoints(i);
      if (!t.has_goal() || goal_kinds.count(t.goal().kind())) continue;
      goal_kinds.insert(t.goal().kind());
      if (static_cast<int>(goal_kinds.size()) == limits::kMaxGoalKinds + 1) {
        error({{"touchpoints", i}, {"goal"}, {"kind"}},
              entity("touchpoint", "touchpoints", t.id(), i) +
                  " goal.kind: " + quoted(t.goal().kind()) + " is goal kind number " +
                  std::to_string(limits::kMaxGoalKinds + 1) + "; at most " +
                  std::to_string(limits::kMaxGoalKinds) +
                  " kinds are counted apart (use one kind for goals you count together)");
      }
    }
    std::set<std::string> has_edges;
    for (const v1::Edge& e : s_.edges()) has_edges.insert(e.from());
    for (int i = 0; i < s_.touchpoints_size(); ++i) {
      const v1::Touchpoint& t = s_.touchpoints(i);
      std::string who = entity("touchpoint", "touchpoints", t.id(), i);
      auto at = [i](const char* field) { return FieldPath{{"touchpoints", i}, {field}}; };
      check_id(at("id"), who, t.id());
      if (t.stage() == v1::STAGE_UNSPECIFIED) {
        error(at("stage"), who +
                               " stage: missing; use AWARENESS, CONSIDERATION, "
                               "DECISION or LOYALTY");
      }
      if (t.channel().empty()) {
        error(at("channel"), who + " channel: missing");
      } else {
        known_channel(at("channel"), who + " channel", t.channel());
      }
      FieldPath act_at = {{"touchpoints", i}, {"cta"}, {"act_probability"}};
      if (t.cta().has_act_probability()) {
        check_field(act_at, who + " cta.act_probability", t.cta().act_probability(),
                    field_range_of<v1::Cta>("act_probability"));
      } else if (has_edges.count(t.id())) {
        error(act_at, who +
                          " cta.act_probability: missing; a touchpoint with outgoing "
                          "edges needs the probability that people act on its CTA");
      }
      check_field(at("entry_weight"), who + " entry_weight", t.entry_weight(),
                  field_range_of<v1::Touchpoint>("entry_weight"));
      if (t.has_entry_audience()) {
        check_audience(at("entry_audience"), who + " entry_audience", t.entry_audience());
        if (t.entry_weight() == 0) {
          error(at("entry_audience"),
                who +
                    " entry_audience: the touchpoint is no entry (entry_weight 0), so no one "
                    "lands on it from an exposure; give it an entry_weight > 0");
        }
      }
      if (t.has_goal()) {
        FieldPath goal_at = {{"touchpoints", i}, {"goal"}, {"kind"}};
        if (!is_valid_goal_kind(t.goal().kind())) {
          error(goal_at, who + " goal.kind: " + quoted(t.goal().kind()) + kGoalKindRule);
        }
        check_field({{"touchpoints", i}, {"goal"}, {"value"}}, who + " goal.value",
                    t.goal().value(), field_range_of<v1::Goal>("value"));
      }
    }
  }

  void check_edges() {
    if (s_.edges_size() > limits::kMaxEdges) {
      error({{"edges", limits::kMaxEdges}}, "edges: " + std::to_string(s_.edges_size()) +
                                                " defined; at most " +
                                                std::to_string(limits::kMaxEdges));
    }
    std::map<std::string, double> weight_out;
    for (int i = 0; i < s_.edges_size(); ++i) {
      const v1::Edge& e = s_.edges(i);
      std::string who = "edge " + quoted(e.from()) + " -> " + quoted(e.to());
      auto at = [i](const char* field) { return FieldPath{{"edges", i}, {field}}; };
      if (e.from().empty())
        error(at("from"), "edges[" + std::to_string(i) + "] from: missing");
      else
        known_touchpoint(at("from"), who + " from", e.from());
      if (e.to().empty())
        error(at("to"), "edges[" + std::to_string(i) + "] to: missing");
      else
        known_touchpoint(at("to"), who + " to", e.to());
      double weight = e.has_weight() ? e.weight() : 1.0;
      if (check_field(at("weight"), who + " weight", weight, field_range_of<v1::Edge>("weight"))) {
        weight_out[e.from()] += weight;
      }
      check_non_negative(at("delay_days"), who + " delay_days", e.delay_days(),
                         limits::kMaxHorizonDays);
    }
    for (const auto& [from, total] : weight_out) {
      auto it = touchpoint_index_.find(from);
      if (total <= 0 && it != touchpoint_index_.end()) {
        error({{"touchpoints", it->second}},
              "touchpoint " + quoted(from) + ": the weights of its outgoing edges sum to 0");
      }
    }
  }

  // An entry gated by visits opens once one of its visited touchpoints can
  // be visited: reachable from the entries open so far. Warns about the
  // gates that never open (no one could land there).
  void warn_closed_gates(const JourneyGraph& graph, const std::vector<int>& entries) {
    auto gated = [&](int i) {
      const v1::Touchpoint& t = s_.touchpoints(i);
      return t.has_entry_audience() && !t.entry_audience().visited().empty();
    };
    std::vector<int> open, closed;
    for (int i : entries) (gated(i) ? closed : open).push_back(i);
    for (bool opened = true; opened && !closed.empty();) {
      opened = false;
      const std::vector<bool> reached = graph.reachable_from(open);
      for (auto it = closed.begin(); it != closed.end();) {
        const auto& visited = s_.touchpoints(*it).entry_audience().visited();
        const bool can_open =
            std::any_of(visited.begin(), visited.end(), [&](const std::string& id) {
              auto found = touchpoint_index_.find(id);
              return found != touchpoint_index_.end() &&
                     reached[static_cast<size_t>(found->second)];
            });
        if (can_open) {
          open.push_back(*it);
          it = closed.erase(it);
          opened = true;
        } else {
          ++it;
        }
      }
    }
    for (int i : closed) {
      warning({{"touchpoints", i}, {"entry_audience"}},
              "touchpoint " + quoted(s_.touchpoints(i).id()) +
                  " entry_audience: none of its visited touchpoints can be reached from the "
                  "entries open to all, so its audience stays empty and no one lands here");
    }
  }

  // Structure: entries, a reachable goal, loops a walk can never leave.
  void check_graph() {
    JourneyGraph graph(s_);
    std::vector<int> entries;
    for (int i = 0; i < s_.touchpoints_size(); ++i) {
      if (s_.touchpoints(i).entry_weight() > 0 && graph.is_enabled(i)) entries.push_back(i);
    }
    if (entries.empty()) {
      error({{"touchpoints"}},
            "no entry touchpoint: give at least one touchpoint (on an "
            "enabled channel) an entry_weight > 0, where people land "
            "when exposed");
      return;
    }
    if (std::all_of(entries.begin(), entries.end(), [&](int i) {
          const v1::Touchpoint& t = s_.touchpoints(i);
          return t.has_entry_audience() && !t.entry_audience().visited().empty();
        })) {
      error({{"touchpoints", entries.front()}, {"entry_audience"}},
            "every entry touchpoint has an entry_audience of visitors, and a visit needs a "
            "landing first: no one could ever enter; leave at least one entry open to all");
      return;
    }
    warn_closed_gates(graph, entries);
    std::vector<bool> reached = graph.reachable_from(entries);
    bool goal_reached = false;
    bool any_goal = false;
    for (int i = 0; i < s_.touchpoints_size(); ++i) {
      const v1::Touchpoint& t = s_.touchpoints(i);
      any_goal |= t.has_goal();
      goal_reached |= t.has_goal() && reached[i];
      if (!reached[i] && graph.is_enabled(i)) {
        warning({{"touchpoints", i}},
                "touchpoint " + quoted(t.id()) +
                    " cannot be reached from any entry touchpoint (no entry_weight and "
                    "no path of edges to it)");
      }
    }
    if (!any_goal) {
      error({{"touchpoints"}},
            "no goal: mark at least one touchpoint with a goal { kind: "
            "... } (a purchase, donation, signup, ...)");
    } else if (!goal_reached) {
      error({{"touchpoints"}},
            "no goal touchpoint can be reached from any entry "
            "touchpoint along the edges");
    }

    // A loop of same-session edges whose CTAs some persona always acts on
    // never ends: refuse it rather than spin in the simulation.
    std::set<std::vector<int>> reported;
    for (int p = 0; p < s_.personas_size(); ++p) {
      const v1::Persona& persona = s_.personas(p);
      auto always_acts = [&](int u) {
        const v1::Touchpoint& t = s_.touchpoints(u);
        return formulas::effective_act_probability(t.cta().act_probability(),
                                                   responsiveness_at(persona, t.stage())) >= 1.0;
      };
      for (const std::vector<int>& loop : graph.closed_loops(always_acts)) {
        // One report per loop is enough, whichever persona.
        if (!reported.insert(loop).second) continue;
        std::string names;
        for (int u : loop) names += (names.empty() ? "" : ", ") + quoted(s_.touchpoints(u).id());
        error({{"touchpoints", loop.front()}},
              "a walk entering {" + names +
                  "} never ends: the edges only lead around "
                  "this loop, in the same session, and persona " +
                  quoted(persona.id()) +
                  " acts on every CTA in it with probability 1; lower an act_probability, "
                  "add a delay or add an edge out");
      }
    }
    if (reported.empty()) check_session_length(graph);
  }

  // A loop that is left only rarely (an act probability of 0.9999999999, an
  // exit edge of weight 1e-300) ends in principle but keeps every session
  // walking for ages: refuse a walk whose expected session length, from the
  // absorbing chain, is above limits::kMaxExpectedSessionSteps. Personas with
  // the same responsiveness walk alike and are computed once.
  void check_session_length(const JourneyGraph& graph) {
    std::set<std::array<double, kStageCount>> done;
    for (int p = 0; p < s_.personas_size(); ++p) {
      const v1::Persona& persona = s_.personas(p);
      std::array<double, kStageCount> responsiveness;
      for (int k = 0; k < kStageCount; ++k) {
        responsiveness[k] = responsiveness_at(persona, kStages[k]);
      }
      if (!done.insert(responsiveness).second) continue;
      std::vector<double> act(s_.touchpoints_size());
      for (int u = 0; u < s_.touchpoints_size(); ++u) {
        const v1::Touchpoint& t = s_.touchpoints(u);
        act[u] = formulas::effective_act_probability(t.cta().act_probability(),
                                                     responsiveness[t.stage() - 1]);
      }
      const SessionLength length = longest_session(s_, graph, act);
      if (length.steps <= limits::kMaxExpectedSessionSteps) continue;
      std::string loop;
      for (int u : length.loop) loop += (loop.empty() ? "" : ", ") + quoted(s_.touchpoints(u).id());
      const std::string limit = "sessions over " + printf_steps(limits::kMaxExpectedSessionSteps) +
                                " expected steps are refused (docs/model.md \"Validation\")";
      const std::string fix =
          "lower an act_probability in the loop, give one of its edges a delay or add an edge "
          "out of it";
      FieldPath where = {{"touchpoints", length.loop.empty() ? length.start : length.loop.front()}};
      if (std::isinf(length.steps)) {
        error(where, "a walk entering {" + loop + "} practically never ends: persona " +
                         quoted(persona.id()) +
                         " leaves this loop with a probability too small to tell from 0; " + fix);
      } else {
        error(where, "a session starting at " + quoted(s_.touchpoints(length.start).id()) +
                         " takes " + printf_steps(length.steps) + " steps on average for persona " +
                         quoted(persona.id()) +
                         (loop.empty() ? ""
                                       : ", going round {" + loop + "} (" +
                                             printf_steps(length.loop_steps) + " steps there)") +
                         "; " + limit + ": " + fix);
      }
      return;  // one report is enough: the other personas walk the same loop
    }
  }

  // "12,345" below a million, else "1.2e+10".
  static std::string printf_steps(double steps) {
    if (steps < 1e6) {
      std::string digits = std::to_string(static_cast<int64_t>(std::llround(steps)));
      for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
      return digits;
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.2g", steps);
    return text;
  }

  // --- loyalty -------------------------------------------------------------

  // A field of the loyalty block: `path` under loyalty, named "loyalty X".
  static FieldPath loyalty_at(std::initializer_list<FieldPath::value_type> rest) {
    FieldPath path = {{"loyalty"}};
    path.insert(path.end(), rest);
    return path;
  }

  // A required rate or parameter: present, finite and > 0 (or >= 0).
  void check_parameter(const FieldPath& path, const std::string& what, bool present, double value,
                       bool zero_allowed, double most = std::numeric_limits<double>::infinity()) {
    if (!present) {
      error(path, what + ": missing");
    } else if (!std::isfinite(value) || value < 0 || (!zero_allowed && value == 0)) {
      error(path, what + ": " + number_text(value) + " must be a finite number " +
                      (zero_allowed ? ">= 0" : "> 0"));
    } else if (value > most) {
      error(path, what + ": " + number_text(value) + " is over " + number_text(most) +
                      ", the most accepted (docs/scenario-reference.md \"Size budgets\")");
    }
  }

  void check_repeat_model(const FieldPath& path, const std::string& who, const v1::BgNbd* bg_nbd,
                          const v1::BgBb* bg_bb, bool has_value, double value) {
    if (bg_nbd != nullptr && bg_bb != nullptr) {
      error(path, who + ": give bg_nbd or bg_bb, not both");
    }
    auto sub = [&path](const char* message, const char* field) {
      FieldPath p = path;
      p.push_back({message});
      p.push_back({field});
      return p;
    };
    if (bg_nbd != nullptr) {
      const v1::BgNbd& m = *bg_nbd;
      check_parameter(sub("bg_nbd", "r"), who + " bg_nbd.r", m.has_r(), m.r(), false);
      check_parameter(sub("bg_nbd", "alpha"), who + " bg_nbd.alpha", m.has_alpha(), m.alpha(),
                      false);
      check_parameter(sub("bg_nbd", "a"), who + " bg_nbd.a", m.has_a(), m.a(), false);
      check_parameter(sub("bg_nbd", "b"), who + " bg_nbd.b", m.has_b(), m.b(), false);
      if (m.r() > 0 && m.alpha() > 0 && m.r() / m.alpha() > kMaxDailyRate) {
        error(sub("bg_nbd", "alpha"),
              who + " bg_nbd: the mean repeat rate r / alpha = " + number_text(m.r() / m.alpha()) +
                  " per day is above " + number_text(kMaxDailyRate) +
                  "; rates are per day (alpha in days: 7 x the weekly alpha)");
      }
    }
    if (bg_bb != nullptr) {
      const v1::BgBb& m = *bg_bb;
      check_parameter(sub("bg_bb", "alpha"), who + " bg_bb.alpha", m.has_alpha(), m.alpha(), false);
      check_parameter(sub("bg_bb", "beta"), who + " bg_bb.beta", m.has_beta(), m.beta(), false);
      check_parameter(sub("bg_bb", "gamma"), who + " bg_bb.gamma", m.has_gamma(), m.gamma(), false);
      check_parameter(sub("bg_bb", "delta"), who + " bg_bb.delta", m.has_delta(), m.delta(), false);
      if (!m.has_period_days()) {
        error(sub("bg_bb", "period_days"), who + " bg_bb.period_days: missing");
      } else if (!std::isfinite(m.period_days()) || m.period_days() < 1 ||
                 m.period_days() > limits::kMaxHorizonDays ||
                 m.period_days() != std::floor(m.period_days())) {
        error(sub("bg_bb", "period_days"),
              who + " bg_bb.period_days: " + number_text(m.period_days()) +
                  " must be a whole number of days in [1, " +
                  std::to_string(limits::kMaxHorizonDays) + "]");
      }
    }
    if (has_value) {
      FieldPath p = path;
      p.push_back({"repeat_value"});
      check_non_negative(p, who + " repeat_value", value, limits::kMaxMoney);
    }
  }

  void check_loyalty() {
    if (!s_.has_loyalty()) return;
    const v1::Loyalty& l = s_.loyalty();
    check_repeat_model({{"loyalty"}}, "loyalty", l.has_bg_nbd() ? &l.bg_nbd() : nullptr,
                       l.has_bg_bb() ? &l.bg_bb() : nullptr, l.has_repeat_value(),
                       l.repeat_value());
    std::set<std::string> kinds;
    for (const v1::Touchpoint& t : s_.touchpoints()) {
      if (t.has_goal()) kinds.insert(t.goal().kind());
    }
    std::map<std::string, v1::RepeatModel> by_kind(l.by_goal_kind().begin(),
                                                   l.by_goal_kind().end());
    if (by_kind.size() > limits::kMaxRepeatModels - 1) {
      error(loyalty_at({{"by_goal_kind"}}),
            "loyalty by_goal_kind: " + std::to_string(by_kind.size()) + " goal kinds; at most " +
                std::to_string(limits::kMaxRepeatModels - 1) + " have their own repeat model");
    }
    for (const auto& [kind, model] : by_kind) {
      const std::string who = "loyalty by_goal_kind[" + quoted(kind) + "]";
      if (!kinds.count(kind)) {
        error(loyalty_at({{"by_goal_kind"}}),
              who + ": no touchpoint has a goal of kind " + quoted(kind) +
                  did_you_mean(kind, std::vector<std::string>(kinds.begin(), kinds.end())));
        continue;
      }
      check_repeat_model(loyalty_at({{"by_goal_kind"}}), who,
                         model.has_bg_nbd() ? &model.bg_nbd() : nullptr,
                         model.has_bg_bb() ? &model.bg_bb() : nullptr, model.has_repeat_value(),
                         model.repeat_value());
    }
    if (l.has_care()) {
      const v1::Care& c = l.care();
      auto at = [](const char* field) { return loyalty_at({{"care"}, {field}}); };
      known_channel(at("channel"), "loyalty care channel", c.channel());
      check_parameter(at("complaint_rate"), "loyalty care complaint_rate", c.has_complaint_rate(),
                      c.complaint_rate(), true);
      if (c.complaint_rate() > kMaxDailyRate) {
        error(at("complaint_rate"),
              "loyalty care complaint_rate: " + number_text(c.complaint_rate()) +
                  " per day is above " + number_text(kMaxDailyRate));
      }
      check_parameter(at("daily_capacity"), "loyalty care daily_capacity", c.has_daily_capacity(),
                      c.daily_capacity(), true);
      check_parameter(at("sla_days"), "loyalty care sla_days", c.has_sla_days(), c.sla_days(), true,
                      limits::kMaxHorizonDays);
      check_field(at("churn_if_unanswered"), "loyalty care churn_if_unanswered",
                  c.churn_if_unanswered(), field_range_of<v1::Care>("churn_if_unanswered"));
      check_field(at("public_share"), "loyalty care public_share", c.public_share(),
                  field_range_of<v1::Care>("public_share"));
      check_field(at("sentiment_impact"), "loyalty care sentiment_impact", c.sentiment_impact(),
                  field_range_of<v1::Care>("sentiment_impact"));
      check_field(at("praise_rate"), "loyalty care praise_rate", c.praise_rate(),
                  field_range_of<v1::Care>("praise_rate"));
      check_non_negative(at("cost_per_capacity_unit"), "loyalty care cost_per_capacity_unit",
                         c.cost_per_capacity_unit(), limits::kMaxMoney);
    }
    if (l.has_referral()) {
      const v1::Referral& r = l.referral();
      auto at = [](const char* field) { return loyalty_at({{"referral"}, {field}}); };
      check_parameter(at("rate"), "loyalty referral rate", r.has_rate(), r.rate(), true);
      if (r.rate() > kMaxDailyRate) {
        error(at("rate"), "loyalty referral rate: " + number_text(r.rate()) + " per day is above " +
                              number_text(kMaxDailyRate));
      }
      known_channel(at("channel"), "loyalty referral channel", r.channel());
      if (r.landing_stage() == v1::LOYALTY) {
        error(at("landing_stage"),
              "loyalty referral landing_stage: a referred person cannot land at LOYALTY; use "
              "AWARENESS, CONSIDERATION or DECISION");
      }
    }
  }

  // --- uncertain parameters (docs/model.md "Parameter uncertainty") ------

  void check_uncertain() {
    std::set<std::string> paths;
    int draws_length = -1;  // of the first `draws` list
    for (int i = 0; i < s_.uncertain_size(); ++i) {
      const v1::Uncertain& u = s_.uncertain(i);
      const std::string who = "uncertain " + quoted(u.path());
      auto at = [i](const char* field, const char* inner = nullptr) {
        FieldPath path{{"uncertain", i}, {field}};
        if (inner != nullptr) path.push_back({inner});
        return path;
      };
      Result<ScenarioField> field = ScenarioField::parse(u.path(), s_);
      if (!field) {
        error(at("path"), "uncertain[" + std::to_string(i) + "] path: " + field.status().message());
        continue;
      }
      if (u.path().rfind("simulation", 0) == 0) {
        error(at("path"), who +
                              ": the simulation settings are fixed; name a field of a channel, "
                              "touchpoint, persona, edge or the loyalty block");
        continue;
      }
      if (field->is_integer()) {
        error(at("path"), who + ": a whole-number field cannot be drawn from a distribution");
        continue;
      }
      if (u.path().rfind("channels[", 0) == 0 &&
          (u.path().ends_with("].weekly_budget") || u.path().ends_with("].cpm"))) {
        error(at("path"), who +
                              ": a channel's budget and CPM set the cost, which the KPIs take "
                              "as fixed by the model; they cannot be uncertain yet");
        continue;
      }
      if (!paths.insert(u.path()).second) {
        error(at("path"), who + ": given twice; give each field one distribution");
        continue;
      }
      const std::optional<FieldRange> range = field->range();
      const FieldRange any;
      const FieldRange& in = range ? *range : any;
      auto positive = [&](const char* kind, const char* name, double value) {
        if (std::isfinite(value) && value > 0) return true;
        error(at(kind, name), who + " " + kind + "." + name + ": " + number_text(value) +
                                  " must be a finite number > 0");
        return false;
      };
      auto finite = [&](const char* kind, const char* name, double value) {
        if (std::isfinite(value)) return true;
        error(at(kind, name), who + " " + kind + "." + name + ": " + number_text(value) +
                                  " is not a finite number");
        return false;
      };
      // A distribution on [low, high] fits a field whose range holds it.
      auto support_fits = [&](const char* kind, double low, double high, const char* instead) {
        if (in.contains(low) && (std::isinf(high) ? std::isinf(in.high) : in.contains(high))) {
          return;
        }
        error(at(kind), who + ": " + kind + " draws values in [" + number_text(low) + ", " +
                            number_text(high) + "], outside the field's range " + in.text() + "; " +
                            instead);
      };
      constexpr const char* kUseBounded = "use beta, uniform, normal (truncated) or draws";
      // Both checks run (both problems are reported) before the result is used.
      auto both = [](bool first, bool second) { return first && second; };
      switch (u.distribution_case()) {
        case v1::Uncertain::kBeta:
          if (both(positive("beta", "a", u.beta().a()), positive("beta", "b", u.beta().b()))) {
            support_fits("beta", 0, 1, "use uniform, normal (truncated) or draws");
          }
          break;
        case v1::Uncertain::kGamma:
          if (both(positive("gamma", "shape", u.gamma().shape()),
                   positive("gamma", "scale", u.gamma().scale()))) {
            support_fits("gamma", 0, kNoCeiling, kUseBounded);
          }
          break;
        case v1::Uncertain::kLognormal:
          if (both(finite("lognormal", "mu", u.lognormal().mu()),
                   positive("lognormal", "sigma", u.lognormal().sigma()))) {
            support_fits("lognormal", 0, kNoCeiling, kUseBounded);
          }
          break;
        case v1::Uncertain::kNormal:
          if (both(finite("normal", "mean", u.normal().mean()),
                   positive("normal", "sd", u.normal().sd()))) {
            // Truncated to the range: some of its mass must lie there.
            const double z_low = (in.low - u.normal().mean()) / u.normal().sd();
            const double z_high = (in.high - u.normal().mean()) / u.normal().sd();
            if (z_low > kMaxTruncationSds || z_high < -kMaxTruncationSds) {
              error(at("normal"), who + ": normal(" + number_text(u.normal().mean()) + ", " +
                                      number_text(u.normal().sd()) +
                                      ") has almost no mass in "
                                      "the field's range " +
                                      in.text());
            }
          }
          break;
        case v1::Uncertain::kUniform: {
          const double low = u.uniform().low(), high = u.uniform().high();
          if (both(finite("uniform", "low", low), finite("uniform", "high", high))) {
            if (!(low < high)) {
              error(at("uniform"), who + ": uniform low " + number_text(low) +
                                       " must be below high " + number_text(high));
            } else if (!in.contains(low) || !in.contains(high)) {
              error(at("uniform"), who + ": uniform [" + number_text(low) + ", " +
                                       number_text(high) + "] is not inside the field's range " +
                                       in.text());
            }
          }
          break;
        }
        case v1::Uncertain::kDraws: {
          const auto& values = u.draws().values();
          if (values.empty()) {
            error(at("draws"), who + " draws: empty; give at least one value");
            break;
          }
          if (draws_length < 0) {
            draws_length = values.size();
          } else if (values.size() != draws_length) {
            error(at("draws"), who + " draws: " + std::to_string(values.size()) +
                                   " values, but an earlier `draws` list has " +
                                   std::to_string(draws_length) +
                                   "; the lists are drawn together (value k of each), so give "
                                   "them all the same length");
          }
          for (int k = 0; k < values.size(); ++k) {
            if (!std::isfinite(values[k]) || !in.contains(values[k])) {
              FieldPath value_at = at("draws", "values");
              value_at.back().index = k;
              error(value_at, who + " draws.values[" + std::to_string(k) +
                                  "]: " + number_text(values[k]) + " is not in the field's range " +
                                  in.text());
              break;
            }
          }
          break;
        }
        case v1::Uncertain::DISTRIBUTION_NOT_SET:
          error(at("path"), who +
                                ": no distribution; give one of beta, gamma, lognormal, "
                                "normal, uniform or draws");
          break;
      }
    }
    const v1::Simulation& sim = s_.simulation();
    if (!sim.has_parameter_draws() || sim.parameter_draws() == 0) return;
    const FieldPath draws_at{{"simulation"}, {"parameter_draws"}};
    const int draws = sim.parameter_draws();
    const int replications = resolve_run_settings(sim).replications;
    if (draws < 2) {
      error(draws_at, "simulation.parameter_draws: " + std::to_string(draws) +
                          " must be 0 (parameters fixed) or at least 2 (an interval over draws)");
    } else if (s_.uncertain().empty()) {
      error(draws_at, "simulation.parameter_draws: " + std::to_string(draws) +
                          " draws, but the scenario has no `uncertain` parameters to draw");
    } else if (static_cast<int64_t>(draws) * 2 > replications) {
      error(draws_at, "simulation.parameter_draws: " + std::to_string(draws) +
                          " draws need at least " + std::to_string(2 * int64_t{draws}) +
                          " replications (2 per draw, to tell the parameters' share from the "
                          "simulation's), not " +
                          std::to_string(replications));
    }
  }

  void check_variants_defined() {
    for (const v1::Edge& e : s_.edges()) ++edge_counts_[{e.from(), e.to()}];
    std::set<std::string> names;
    for (int v = 0; v < s_.variants_size(); ++v) {
      const v1::Variant& variant = s_.variants(v);
      std::string who = variant.name().empty() ? "variants[" + std::to_string(v) + "]"
                                               : "variant " + quoted(variant.name());
      if (variant.name().empty()) {
        error({{"variants", v}}, who + " name: missing");
      } else if (!is_valid_id(variant.name())) {
        error({{"variants", v}, {"name"}},
              who + " name: may use only letters, digits, '_', '-' and '.'");
      } else if (!names.insert(variant.name()).second) {
        error({{"variants", v}, {"name"}}, "duplicate variant name " + quoted(variant.name()));
      }
      check_variant_edits(v, who);
      check_variant_changes_something(v, who);
    }
  }

  // A variant of a name (and description) only would compare the baseline
  // with itself.
  void check_variant_changes_something(int v, const std::string& who) {
    const v1::Variant& variant = s_.variants(v);
    const google::protobuf::Descriptor* type = variant.GetDescriptor();
    std::vector<const google::protobuf::FieldDescriptor*> set;
    variant.GetReflection()->ListFields(variant, &set);
    std::string edits;
    for (int i = 0; i < type->field_count(); ++i) {
      const std::string& name = type->field(i)->name();
      if (name != "name" && name != "description") edits += (edits.empty() ? "" : ", ") + name;
    }
    for (const google::protobuf::FieldDescriptor* field : set) {
      if (field->name() != "name" && field->name() != "description") return;
    }
    error({{"variants", v}}, who + ": changes nothing; give at least one edit (" + edits + ")");
  }

  // References of one variant's edits, against the scenario as the variant
  // leaves it (touchpoints removed and added). Values are checked again once
  // the variant is applied (apply_and_validate_variant), with the variant
  // named; here what can be pinned to a line is.
  void check_variant_edits(int v, const std::string& who) {
    const v1::Variant& variant = s_.variants(v);
    auto at = [v](const char* field, int index) {
      return FieldPath{{"variants", v}, {field, index}};
    };
    auto what = [&who](const char* field, int index) {
      return who + " " + field + "[" + std::to_string(index) + "]";
    };
    std::set<std::string> removed;
    std::map<std::string, int> added;  // id -> index in add_touchpoints
    for (int i = 0; i < variant.remove_touchpoints_size(); ++i) {
      const std::string& id = variant.remove_touchpoints(i);
      if (known_touchpoint(at("remove_touchpoints", i), what("remove_touchpoints", i), id)) {
        removed.insert(id);
      }
    }
    for (int i = 0; i < variant.add_touchpoints_size(); ++i) {
      const std::string& id = variant.add_touchpoints(i).id();
      if (id.empty()) continue;  // reported once applied
      if ((touchpoint_index_.count(id) && !removed.count(id)) || !added.emplace(id, i).second) {
        error(at("add_touchpoints", i),
              what("add_touchpoints", i) + " id: touchpoint " + quoted(id) + " exists already");
      }
    }
    // A touchpoint the variant leaves in the scenario.
    auto present = [&](const FieldPath& path, const std::string& message, const std::string& id) {
      if (added.count(id)) return true;
      if (removed.count(id)) {
        error(path, message + ": touchpoint " + quoted(id) + " is removed by this variant");
        return false;
      }
      return known_touchpoint(path, message, id);
    };
    // How many edges from -> to the variant leaves before its edge changes.
    // Looked up by end points, not searched per edit (20,000 edge changes
    // on as many edges took seconds).
    std::set<EdgeEnds> removed_edges;
    for (const v1::EdgeRef& r : variant.remove_edges()) removed_edges.emplace(r.from(), r.to());
    std::map<EdgeEnds, int> added_edges;
    for (const v1::Edge& e : variant.add_edges()) ++added_edges[{e.from(), e.to()}];
    auto count_of = [](const std::map<EdgeEnds, int>& counts, const EdgeEnds& ends) {
      auto it = counts.find(ends);
      return it == counts.end() ? 0 : it->second;
    };
    auto edges_between = [&](const std::string& from, const std::string& to) {
      const EdgeEnds ends(from, to);
      return (removed_edges.count(ends) ? 0 : count_of(edge_counts_, ends)) +
             count_of(added_edges, ends);
    };
    for (int i = 0; i < variant.remove_edges_size(); ++i) {
      const v1::EdgeRef& r = variant.remove_edges(i);
      const std::string message = what("remove_edges", i);
      if (!present(at("remove_edges", i), message + " from", r.from()) ||
          !present(at("remove_edges", i), message + " to", r.to())) {
        continue;
      }
      if (!edge_counts_.count({r.from(), r.to()})) {
        error(at("remove_edges", i),
              message + ": the scenario has no edge " + quoted(r.from()) + " -> " + quoted(r.to()));
      }
    }
    for (int i = 0; i < variant.add_edges_size(); ++i) {
      const v1::Edge& e = variant.add_edges(i);
      present(at("add_edges", i), what("add_edges", i) + " from", e.from());
      present(at("add_edges", i), what("add_edges", i) + " to", e.to());
    }
    for (int i = 0; i < variant.edge_changes_size(); ++i) {
      const v1::EdgeChange& change = variant.edge_changes(i);
      const std::string message = what("edge_changes", i);
      if (!present(at("edge_changes", i), message + " from", change.from()) ||
          !present(at("edge_changes", i), message + " to", change.to())) {
        continue;
      }
      if (edges_between(change.from(), change.to()) == 0) {
        error(at("edge_changes", i), message + ": there is no edge " + quoted(change.from()) +
                                         " -> " + quoted(change.to()) + " to change");
      } else if (!change.has_weight() && !change.has_delay_days()) {
        error(at("edge_changes", i), message + ": changes nothing; set weight or delay_days");
      }
    }
    for (int i = 0; i < variant.cta_changes_size(); ++i) {
      const v1::CtaChange& change = variant.cta_changes(i);
      FieldPath path = at("cta_changes", i);
      std::string message = what("cta_changes", i);
      if (!present(path, message + " touchpoint", change.touchpoint())) continue;
      switch (change.change_case()) {
        case v1::CtaChange::kActProbability:
          check_probability(path, message + " act_probability", change.act_probability());
          break;
        case v1::CtaChange::kActProbabilityScale:
          if (check_non_negative(path, message + " act_probability_scale",
                                 change.act_probability_scale()) &&
              !added.count(change.touchpoint())) {
            const v1::Touchpoint& t = s_.touchpoints(touchpoint_index_.at(change.touchpoint()));
            double result = t.cta().act_probability() * change.act_probability_scale();
            if (result > 1) {
              error(path, message + ": act_probability " + number_text(t.cta().act_probability()) +
                              " x " + number_text(change.act_probability_scale()) + " = " +
                              number_text(result) + " is not in [0, 1]");
            }
          }
          break;
        case v1::CtaChange::CHANGE_NOT_SET:
          if (change.label().empty()) {
            error(path, message +
                            ": changes nothing; set act_probability, "
                            "act_probability_scale or label");
          }
          break;
      }
    }
    for (int i = 0; i < variant.entry_changes_size(); ++i) {
      const v1::EntryChange& change = variant.entry_changes(i);
      const FieldPath path = at("entry_changes", i);
      const std::string message = what("entry_changes", i);
      if (!present(path, message + " touchpoint", change.touchpoint())) continue;
      if (!change.has_entry_weight() && !change.has_entry_audience()) {
        error(path, message +
                        ": changes nothing; set entry_weight or entry_audience (an empty "
                        "entry_audience { } removes the touchpoint's)");
      }
      if (change.has_entry_weight()) {
        FieldPath weight_at = path;
        weight_at.push_back({"entry_weight"});
        check_field(weight_at, message + " entry_weight", change.entry_weight(),
                    field_range_of<v1::Touchpoint>("entry_weight"));
      }
    }
    for (int i = 0; i < variant.goal_changes_size(); ++i) {
      const v1::GoalChange& change = variant.goal_changes(i);
      const FieldPath path = at("goal_changes", i);
      const std::string message = what("goal_changes", i);
      if (!present(path, message + " touchpoint", change.touchpoint())) continue;
      auto in_variant = added.find(change.touchpoint());
      const v1::Touchpoint& t = in_variant != added.end()
                                    ? variant.add_touchpoints(in_variant->second)
                                    : s_.touchpoints(touchpoint_index_.at(change.touchpoint()));
      if (!t.has_goal()) {
        error(path, message + ": touchpoint " + quoted(change.touchpoint()) +
                        " has no goal to change; a goal change sets the value or kind of an "
                        "existing goal");
        continue;
      }
      if (!change.has_value() && !change.has_kind() && change.open_from().empty() &&
          change.open_to().empty() && !change.has_open_from_day() && !change.has_open_to_day()) {
        error(path, message +
                        ": changes nothing; set value, kind, open_from, open_to, open_from_day or "
                        "open_to_day");
      }
      if (change.has_value()) {
        FieldPath value_at = path;
        value_at.push_back({"value"});
        check_non_negative(value_at, message + " value", change.value(), limits::kMaxMoney);
      }
      if (change.has_kind() && !is_valid_goal_kind(change.kind())) {
        FieldPath kind_at = path;
        kind_at.push_back({"kind"});
        error(kind_at, message + " kind: " + quoted(change.kind()) + kGoalKindRule);
      }
    }
    for (int i = 0; i < variant.channel_changes_size(); ++i) {
      const v1::ChannelChange& change = variant.channel_changes(i);
      FieldPath path = at("channel_changes", i);
      std::string message = what("channel_changes", i);
      if (!known_channel(path, message + " channel", change.channel())) continue;
      switch (change.budget_case()) {
        case v1::ChannelChange::kWeeklyBudget:
          check_non_negative(path, message + " weekly_budget", change.weekly_budget());
          if (!change.has_flights() &&
              !s_.channels(channel_index_.at(change.channel())).flights().empty()) {
            warning(path, message + " weekly_budget: channel " + quoted(change.channel()) +
                              " has flights, which keep their budgets: weekly_budget applies "
                              "between them only; use budget_scale to scale the whole plan, or "
                              "set flights too (flights { } removes them)");
          }
          break;
        case v1::ChannelChange::kBudgetScale:
          check_non_negative(path, message + " budget_scale", change.budget_scale());
          break;
        case v1::ChannelChange::BUDGET_NOT_SET:
          if (!change.has_enabled() && !change.has_posting_hours() &&
              !change.has_organic_reach() && !change.has_flights() &&
              !change.has_weekday_weights() && !change.has_posts() &&
              !change.has_frequency_cap() && !change.has_fatigue() && !change.has_comments() &&
              !change.has_audience()) {
            error(path, message +
                            ": changes nothing; set weekly_budget, budget_scale, enabled, "
                            "posting_hours, organic_reach, flights, weekday_weights, posts, "
                            "frequency_cap, fatigue, comments or audience");
          }
          break;
      }
      if (change.has_frequency_cap()) {
        FieldPath cap_at = path;
        cap_at.push_back({"frequency_cap"});
        check_frequency_cap(cap_at, message + " frequency_cap", change.frequency_cap(), true);
      }
      if (change.has_comments()) {
        FieldPath comments_at = path;
        comments_at.push_back({"comments"});
        check_comments(comments_at, message + " comments", change.comments());
      }
      if (change.has_fatigue()) {
        FieldPath fatigue_at = path;
        fatigue_at.push_back({"fatigue"});
        check_fatigue(fatigue_at, message + " fatigue", change.fatigue(), true);
      }
    }
    std::set<std::string> events;
    for (const v1::Event& e : s_.events()) events.insert(e.name());
    for (int i = 0; i < variant.remove_events_size(); ++i) {
      const std::string& name = variant.remove_events(i);
      if (!events.count(name)) {
        error(at("remove_events", i), what("remove_events", i) + ": the scenario has no event " +
                                          quoted(name) +
                                          did_you_mean(name, {events.begin(), events.end()}));
      }
    }
    if (variant.has_horizon_days()) {
      check_range({{"variants", v}, {"horizon_days"}}, who + " horizon_days",
                  variant.horizon_days(), 1, limits::kMaxHorizonDays);
    }
    for (int i = 0; i < variant.persona_changes_size(); ++i) {
      const v1::PersonaChange& change = variant.persona_changes(i);
      FieldPath path = at("persona_changes", i);
      std::string message = what("persona_changes", i);
      if (!persona_index_.count(change.persona())) {
        error(path, message + " persona: unknown persona " + quoted(change.persona()) +
                        did_you_mean(change.persona(), persona_ids_));
        continue;
      }
      for (const auto& entry : change.channel_affinity()) {
        known_channel(path, message + " channel_affinity[" + quoted(entry.first) + "]",
                      entry.first);
      }
      if (!change.has_share() && change.channel_affinity().empty() &&
          change.responsiveness().empty() && !change.has_memory_half_life_days() &&
          !change.has_active_hours() && !change.has_privacy_sensitivity()) {
        error(path, message +
                        ": changes nothing; set share, channel_affinity, responsiveness, "
                        "memory_half_life_days, active_hours or privacy_sensitivity");
      }
    }
  }

  const v1::Scenario& s_;
  const SourceMap* map_;
  Diagnostics& out_;
  std::string prefix_;
  std::unordered_map<std::string, int> persona_index_, channel_index_, touchpoint_index_;
  std::vector<std::string> persona_ids_, channel_ids_, touchpoint_ids_;
  std::map<EdgeEnds, int> edge_counts_;  // the scenario's edges by end points, for variants
  int audiences_ = 0;                    // channels' and entries' audiences checked so far
};

}  // namespace

bool validate_scenario(const v1::Scenario& scenario, const SourceMap* source_map,
                       Diagnostics& diagnostics, std::string_view variant_name) {
  Validator validator(scenario, source_map, diagnostics, variant_name);
  return validator.run(variant_name.empty());
}

std::optional<v1::Scenario> apply_and_validate_variant(const v1::Scenario& scenario,
                                                       std::string_view name,
                                                       Diagnostics& diagnostics) {
  std::optional<v1::Scenario> applied = apply_variant(scenario, name, diagnostics);
  if (!applied) return std::nullopt;
  Diagnostics base(diagnostics.file()), with_variant(diagnostics.file());
  v1::Scenario without = scenario;
  without.clear_variants();
  validate_scenario(without, nullptr, base);
  const bool ok = validate_scenario(*applied, nullptr, with_variant, name);
  const std::string prefix = "with variant '" + std::string(name) + "': ";
  std::set<std::string> known;
  for (const Diagnostic& d : base.items()) known.insert(prefix + d.message);
  for (const Diagnostic& d : with_variant.items()) {
    if (d.severity == Severity::kError) {
      diagnostics.error(d.message, d.location);
    } else if (!known.count(d.message)) {
      diagnostics.warning(d.message, d.location);
    }
  }
  if (!ok) return std::nullopt;
  // A drawn value would replace what the variant does to an uncertain field.
  bool uncertain_ok = true;
  for (const v1::Uncertain& u : scenario.uncertain()) {
    Result<ScenarioField> field = ScenarioField::parse(u.path(), scenario);
    if (field && field->get(scenario) != field->get(*applied)) {
      diagnostics.error(prefix + "changes " + quoted(u.path()) +
                        ", which is uncertain; a parameter draw would replace the variant's "
                        "value. Make the variant change other fields, or drop the `uncertain` "
                        "entry");
      uncertain_ok = false;
    }
  }
  if (!uncertain_ok) return std::nullopt;
  return applied;
}

}  // namespace cjsim
