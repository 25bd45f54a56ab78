#include "tools/report/warnings.h"

#include <map>
#include <utility>

#include "sim/kpi_evidence.h"

namespace cjsim::report {

namespace {

// "a", "a and b", "a, b and c".
std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == items.size() ? " and " : ", ") + items[i];
  }
  return out;
}

// The few-events warning about `labels` resting on `events` simulated
// events of KPI `source` per replication.
std::string few_events_text(const std::vector<std::string>& labels, const std::string& source,
                            double events, const Sampling& sampling) {
  const KpiDisplay events_of = kpi_display(source);
  const std::string what = events_of.unit == Unit::kShare
                               ? "simulated people counted in the " + events_of.label
                               : "simulated " + events_of.label;
  return joined(labels) + (labels.size() == 1 ? " rests on " : " rest on ") +
         format_real(events, 2) + " " + what + " per replication (fewer than " +
         format_real(kFewEvents) + "): too few for a trustworthy interval; raise --agents (" +
         format_count(sampling.agents) + " now)";
}

// The few-events warnings of a study's points: each kind of event once, at
// the first point short of it, with how many other points are.
class FirstShortPoint {
 public:
  // Point `where` ("at ...") is short of events of KPI `source`: `warning`.
  void add(const std::string& source, const std::string& where, const std::string& warning) {
    auto [it, first] = short_of_.try_emplace(source, "", 0);
    if (first) it->second.first = where + ": " + warning;
    ++it->second.second;
  }
  std::vector<std::string> warnings() const {
    std::vector<std::string> out;
    for (const auto& [source, warning] : short_of_) {
      const int others = warning.second - 1;
      out.push_back(warning.first +
                    (others == 0   ? ""
                     : others == 1 ? " (and at 1 other point)"
                                   : " (and at " + std::to_string(others) + " other points)"));
    }
    return out;
  }

 private:
  // Event source -> the warning at the first point short of it, and how
  // many points are.
  std::map<std::string, std::pair<std::string, int>> short_of_;
};

// The few-events warnings of `kpis`, by the event source they are about.
std::map<std::string, std::string> few_events(
    const google::protobuf::Map<std::string, v1::Estimate>& kpis, const Sampling& sampling) {
  if (sampling.exact || sampling.agents <= 0) return {};
  // Event source -> the KPIs resting on it, in name order.
  std::map<std::string, std::vector<std::string>> resting;
  const std::map<std::string, v1::Estimate> sorted(kpis.begin(), kpis.end());
  for (const auto& [name, estimate] : sorted) {
    const std::string source = kpi_event_source(name);
    if (source.empty() || !sorted.count(source) ||
        kpi_fixed_by_model(source, sampling.buys_media)) {
      continue;
    }
    resting[source].push_back(name);
  }
  std::map<std::string, std::string> out;
  for (const auto& [source, names] : resting) {
    const double events = simulated_events_per_replication(source, sorted.at(source).mean(),
                                                           sampling.agents, sampling.population);
    if (!(events < kFewEvents)) continue;
    std::vector<std::string> labels;
    for (const std::string& name : names) labels.push_back(kpi_display(name).label);
    out.emplace(source, few_events_text(labels, source, events, sampling));
  }
  return out;
}

}  // namespace

std::vector<std::string> few_events_warnings(
    const google::protobuf::Map<std::string, v1::Estimate>& kpis, const Sampling& sampling) {
  std::vector<std::string> out;
  for (auto& [source, warning] : few_events(kpis, sampling)) out.push_back(std::move(warning));
  return out;
}

std::vector<std::string> compare_warnings(const v1::CompareResult& r) {
  Sampling sampling{false, static_cast<double>(r.agents()), r.replications(), r.population(),
                    r.confidence()};
  std::vector<std::string> out;
  std::map<std::string, std::string> baseline;
  for (const v1::CompareArm& arm : r.arms()) {
    auto cost = arm.kpis().find("cost");
    sampling.buys_media = cost == arm.kpis().end() || cost->second.mean() > 0;
    const std::map<std::string, std::string> warnings = few_events(arm.kpis(), sampling);
    if (arm.variant().empty()) baseline = warnings;
    for (const auto& [source, warning] : warnings) {
      if (!arm.variant().empty() && baseline.count(source)) continue;
      out.push_back(arm_name(arm.variant()) + ": " + warning);
    }
  }
  return out;
}

std::vector<std::string> sweep_warnings(const v1::SweepResult& r) {
  Sampling sampling{false, static_cast<double>(r.agents()), r.replications(), r.population(),
                    r.confidence()};
  FirstShortPoint short_of;
  for (const v1::SweepPoint& point : r.points()) {
    auto cost = point.kpis().find("cost");
    sampling.buys_media = cost == point.kpis().end() || cost->second.mean() > 0;
    const std::map<std::string, double> settings(point.settings().begin(), point.settings().end());
    std::string at;
    for (const auto& [path, value] : settings) {
      at += (at.empty() ? "" : ", ") + path + " = " + format_real(value, 6);
    }
    for (const auto& [source, warning] : few_events(point.kpis(), sampling)) {
      short_of.add(source, "at " + at, warning);
    }
  }
  return short_of.warnings();
}

std::vector<std::string> curves_warnings(const v1::CurvesResult& r) {
  Sampling sampling{false, static_cast<double>(r.agents()), r.replications(), r.population(),
                    r.confidence()};
  if (!(sampling.agents > 0)) return {};
  // What rests on the events of each kind: the curves' KPI on those of
  // kpi_events, value, marginal ROAS and the break-even budget on the
  // conversions.
  const std::string value_source = kpi_event_source("value");
  std::map<std::string, std::vector<std::string>> resting;
  if (!r.kpi_events().empty()) resting[r.kpi_events()].push_back(kpi_display(r.kpi()).label);
  if (r.kpi() != "value") resting[value_source].push_back("value");
  resting[value_source].push_back("marginal ROAS");
  FirstShortPoint short_of;
  for (const v1::ResponseCurve& c : r.curves()) {
    for (int k = 0; k < c.weekly_budgets_size(); ++k) {
      sampling.buys_media = k < c.cost_size() && c.cost(k) > 0;
      const std::string at = "at channel '" + c.channel() + "' weekly budget " +
                             format_value(c.weekly_budgets(k), Unit::kMoney);
      for (const auto& [source, labels] : resting) {
        const bool of_value = source == value_source;
        const auto& events = of_value ? c.value_events() : c.kpi_events();
        if (k >= events.size() || kpi_fixed_by_model(source, sampling.buys_media)) continue;
        if (!(events[k] < kFewEvents)) continue;
        short_of.add(source, at, few_events_text(labels, source, events[k], sampling));
      }
    }
  }
  return short_of.warnings();
}

std::vector<std::string> optimize_warnings(const v1::OptimizeResult& r) {
  Sampling sampling{false, static_cast<double>(r.agents()), r.confirm_replications(),
                    r.population(), r.confidence()};
  auto short_at = [&](const v1::MixEstimate& mix) {
    auto cost = mix.kpis().find("cost");
    sampling.buys_media = cost == mix.kpis().end() || cost->second.mean() > 0;
    return few_events(mix.kpis(), sampling);
  };
  const std::map<std::string, std::string> recommended = short_at(r.recommended());
  const std::map<std::string, std::string> current = short_at(r.current());
  std::vector<std::string> out;
  for (const auto& [source, warning] : recommended) {
    out.push_back("at the recommended mix: " + warning +
                  (current.count(source) ? " (and at the current mix)" : ""));
  }
  for (const auto& [source, warning] : current) {
    if (!recommended.count(source)) out.push_back("at the current mix: " + warning);
  }
  return out;
}

std::vector<std::string> impressions_warnings(const v1::RunResult& r) {
  std::vector<std::string> out;
  if (r.method() == "exact") return out;
  for (const v1::ChannelResult& c : r.channels()) {
    const double bought = c.impressions_bought().mean();
    const double delivered = c.paid_exposures().mean();
    if (!(bought > 0)) continue;
    const bool fewer = delivered * kMismatch < bought;
    const bool more = delivered > bought * kMismatch;
    if (!fewer && !more) continue;
    std::string gap;
    if (delivered <= 0) {
      gap = "none";
    } else {
      gap = format_real(fewer ? bought / delivered : delivered / bought, 2) + "x " +
            (fewer ? "fewer" : "more");
    }
    if (fewer && c.has_audience_size()) {
      // A retargeting audience too small for the money: each member takes
      // at most one of the channel's ads a day.
      out.push_back("channel '" + c.id() + "': its budget buys " + format_count(bought) +
                    " impressions at its CPM but its audience (" +
                    format_count(c.audience_size().mean()) +
                    " people on an average day) takes " + format_count(delivered) +
                    " paid exposures (" + gap +
                    "): the audience is small for the budget, which buys little more there "
                    "(docs/model.md \"Retargeting audiences\")");
      continue;
    }
    out.push_back("channel '" + c.id() + "': its budget buys " + format_count(bought) +
                  " impressions at its CPM (budget / CPM x 1,000) but the simulation delivers " +
                  format_count(delivered) + " paid exposures (" + gap +
                  "): the CPM is inconsistent with max_reach and half_saturation, which decide "
                  "the exposures (docs/scenario-reference.md \"Channel\")");
  }
  return out;
}

std::vector<std::string> run_warnings(const v1::RunResult& r) {
  std::vector<std::string> out = few_events_warnings(r.kpis(), sampling_of(r));
  for (std::string& w : impressions_warnings(r)) out.push_back(std::move(w));
  return out;
}

}  // namespace cjsim::report
