#include "tools/report/csv_tables.h"

#include <set>
#include <utility>
#include <vector>

#include "tools/report/format.h"
#include "tools/report/schedule_report.h"

namespace cjsim::report {

namespace {

std::vector<std::string> estimate_fields(const v1::Estimate& e) {
  return {csv_number(e.mean()), csv_number(e.std_error()), csv_number(e.ci_low()),
          csv_number(e.ci_high()), std::to_string(e.n())};
}

// estimate_fields, then no_variation_fields.
std::vector<std::string> estimate_with_variation(const v1::Estimate& e) {
  std::vector<std::string> out = estimate_fields(e);
  for (std::string& f : no_variation_fields(e)) out.push_back(std::move(f));
  return out;
}

const std::vector<std::string> kEstimateColumns = {
    "mean", "std_error",    "ci_low",          "ci_high",
    "n",    "no_variation", "one_sided_upper", "one_sided_lower"};

// A number, or an empty field for "none".
std::string csv_optional(bool present, double value) { return present ? csv_number(value) : ""; }

}  // namespace

std::vector<std::string> no_variation_fields(const v1::Estimate& e) {
  return {e.no_variation() ? "true" : "false",
          e.has_one_sided_upper() ? csv_number(e.one_sided_upper()) : "",
          e.has_one_sided_lower() ? csv_number(e.one_sided_lower()) : ""};
}

std::map<std::string, CsvTable> run_csv(const v1::RunResult& r) {
  auto header = [&](std::vector<std::string> keys) {
    keys.insert(keys.end(), kEstimateColumns.begin(), kEstimateColumns.end());
    return keys;
  };
  auto row = [&](std::vector<std::string> keys, const v1::Estimate& e) {
    for (std::string& f : estimate_with_variation(e)) keys.push_back(std::move(f));
    return keys;
  };
  CsvTable kpis(header({"kpi"}));
  std::map<std::string, v1::Estimate> sorted(r.kpis().begin(), r.kpis().end());
  for (const auto& [kpi, e] : sorted) kpis.add(row({kpi}, e));
  CsvTable funnel(header({"stage"}));
  for (const v1::FunnelStage& f : r.funnel()) funnel.add(row({f.stage()}, f.reached()));
  CsvTable touchpoints(header({"touchpoint", "channel", "stage", "measure"}));
  for (const v1::TouchpointResult& t : r.touchpoints()) {
    touchpoints.add(row({t.id(), t.channel(), t.stage(), "visits"}, t.visits()));
    touchpoints.add(row({t.id(), t.channel(), t.stage(), "acts"}, t.acts()));
    touchpoints.add(row({t.id(), t.channel(), t.stage(), "conversions"}, t.conversions()));
    if (t.has_audience_size()) {
      touchpoints.add(row({t.id(), t.channel(), t.stage(), "audience_size"}, t.audience_size()));
    }
  }
  CsvTable channels(header({"channel", "measure"}));
  // Every Estimate of ChannelResult, in field order, named as in the JSON.
  const google::protobuf::Descriptor* channel_fields = v1::ChannelResult::descriptor();
  const google::protobuf::Reflection* channel_values = v1::ChannelResult::GetReflection();
  for (const v1::ChannelResult& c : r.channels()) {
    for (int f = 0; f < channel_fields->field_count(); ++f) {
      const google::protobuf::FieldDescriptor* field = channel_fields->field(f);
      if (field->message_type() != v1::Estimate::descriptor()) continue;
      channels.add(row({c.id(), field->name()},
                       static_cast<const v1::Estimate&>(channel_values->GetMessage(c, field))));
    }
  }
  CsvTable personas(header({"persona", "agents", "population", "measure"}));
  for (const v1::PersonaResult& p : r.personas()) {
    const std::string agents = std::to_string(p.agents()), people = csv_number(p.population());
    personas.add(row({p.id(), agents, people, "conversion_rate"}, p.conversion_rate()));
    personas.add(row({p.id(), agents, people, "conversions"}, p.conversions()));
  }
  CsvTable series(header({"day", "date", "measure"}));
  for (const v1::SeriesDay& d : r.series()) {
    const std::string day = std::to_string(d.day());
    series.add(row({day, d.date(), "new_conversions"}, d.new_conversions()));
    series.add(row({day, d.date(), "converted_share"}, d.converted_share()));
    series.add(row({day, d.date(), "active_customers"}, d.active_customers()));
    series.add(row({day, d.date(), "aware_share"}, d.aware_share()));
    series.add(row({day, d.date(), "open_complaints"}, d.open_complaints()));
    if (d.has_open_negative_comments()) {
      series.add(row({day, d.date(), "open_negative_comments"}, d.open_negative_comments()));
    }
    auto add_map = [&](const std::string& measure,
                       const google::protobuf::Map<std::string, v1::Estimate>& values) {
      const std::map<std::string, v1::Estimate> by_key(values.begin(), values.end());
      for (const auto& [key, e] : by_key) series.add(row({day, d.date(), measure + ":" + key}, e));
    };
    add_map("new_conversions", d.new_conversions_by_goal());
    add_map("conversions", d.conversions_by_goal());
    add_map("paid_exposures", d.paid_exposures());
    add_map("organic_exposures", d.organic_exposures());
    // The spend, which the model fixes: an exact value.
    const std::map<std::string, double> spend(d.spend().begin(), d.spend().end());
    for (const auto& [channel, value] : spend) {
      v1::Estimate e;
      e.set_mean(value);
      e.set_ci_low(value);
      e.set_ci_high(value);
      series.add(row({day, d.date(), "spend:" + channel}, e));
    }
  }
  CsvTable targets({"target", "kpi", "direction", "threshold", "by_day", "by_date",
                    "probability", "probability_ci_low", "probability_ci_high", "replications",
                    "expected", "expected_std_error", "expected_ci_low", "expected_ci_high",
                    "earliest_day_p80", "earliest_date_p80"});
  for (const v1::TargetResult& t : r.targets()) {
    const v1::Estimate& p = t.probability();
    const v1::Estimate& e = t.expected();
    targets.add({t.name(), t.kpi(), t.direction(), csv_number(t.threshold()),
                 std::to_string(t.by_day()), t.by_date(), csv_number(p.mean()),
                 csv_number(p.ci_low()), csv_number(p.ci_high()), std::to_string(p.n()),
                 csv_number(e.mean()), csv_number(e.std_error()), csv_number(e.ci_low()),
                 csv_number(e.ci_high()),
                 t.has_earliest_day_p80() ? std::to_string(t.earliest_day_p80()) : "",
                 t.earliest_date_p80()});
  }
  CsvTable retention(header({"days"}));
  for (const v1::RetentionPoint& p : r.retention_curve()) {
    retention.add(row({std::to_string(p.days())}, p.retained()));
  }
  std::map<std::string, CsvTable> out;
  out.emplace("kpis.csv", std::move(kpis));
  out.emplace("funnel.csv", std::move(funnel));
  out.emplace("touchpoints.csv", std::move(touchpoints));
  out.emplace("channels.csv", std::move(channels));
  out.emplace("personas.csv", std::move(personas));
  out.emplace("series.csv", std::move(series));
  out.emplace("retention.csv", std::move(retention));
  out.emplace("targets.csv", std::move(targets));
  return out;
}

std::map<std::string, CsvTable> compare_csv(const v1::CompareResult& r) {
  std::vector<std::string> arm_header = {"variant", "kpi"};
  arm_header.insert(arm_header.end(), kEstimateColumns.begin(), kEstimateColumns.end());
  CsvTable arms(arm_header);
  for (const v1::CompareArm& a : r.arms()) {
    std::map<std::string, v1::Estimate> sorted(a.kpis().begin(), a.kpis().end());
    for (const auto& [kpi, e] : sorted) {
      std::vector<std::string> row = {a.variant(), kpi};
      for (std::string& f : estimate_with_variation(e)) row.push_back(std::move(f));
      arms.add(std::move(row));
    }
  }
  CsvTable differences({"variant", "kpi", "difference", "std_error", "ci_low", "ci_high", "n",
                        "relative", "relative_ci_low", "relative_ci_high", "verdict",
                        "variance_reduction"});
  for (const v1::CompareDifference& d : r.differences()) {
    std::map<std::string, v1::Estimate> sorted(d.kpis().begin(), d.kpis().end());
    for (const auto& [kpi, e] : sorted) {
      std::vector<std::string> row = {d.variant(), kpi};
      for (std::string& f : estimate_fields(e)) row.push_back(std::move(f));
      const v1::Estimate& rel = d.relative().at(kpi);
      row.push_back(csv_number(rel.mean()));
      row.push_back(csv_number(rel.ci_low()));
      row.push_back(csv_number(rel.ci_high()));
      row.push_back(d.verdict().at(kpi));
      row.push_back(csv_number(d.variance_reduction().at(kpi)));
      differences.add(std::move(row));
    }
  }
  std::map<std::string, CsvTable> out;
  out.emplace("arms.csv", std::move(arms));
  out.emplace("differences.csv", std::move(differences));
  return out;
}

std::map<std::string, CsvTable> sweep_csv(const v1::SweepResult& r) {
  std::vector<std::string> axes;
  for (const v1::SweepAxis& axis : r.axes()) axes.push_back(axis.path());
  auto with_settings = [&](const v1::SweepPoint& p) {
    std::vector<std::string> row;
    for (const std::string& a : axes) row.push_back(csv_number(p.settings().at(a)));
    return row;
  };
  std::vector<std::string> header = axes;
  for (const char* f : {"kpi", "mean", "std_error", "ci_low", "ci_high", "n"}) header.push_back(f);
  std::vector<std::string> point_header = header;
  point_header.insert(point_header.end(), kNoVariationColumns.begin(), kNoVariationColumns.end());
  CsvTable points(point_header);
  header.insert(header.begin() + static_cast<long>(axes.size()), "along");
  CsvTable marginal(header);
  for (const v1::SweepPoint& p : r.points()) {
    std::map<std::string, v1::Estimate> sorted(p.kpis().begin(), p.kpis().end());
    for (const auto& [kpi, e] : sorted) {
      std::vector<std::string> row = with_settings(p);
      row.push_back(kpi);
      for (std::string& f : estimate_with_variation(e)) row.push_back(std::move(f));
      points.add(std::move(row));
    }
    for (const v1::SweepMarginal& m : p.marginal()) {
      std::map<std::string, v1::Estimate> by_kpi(m.kpis().begin(), m.kpis().end());
      for (const auto& [kpi, e] : by_kpi) {
        std::vector<std::string> row = with_settings(p);
        row.push_back(m.path());
        row.push_back(kpi);
        for (std::string& f : estimate_fields(e)) row.push_back(std::move(f));
        marginal.add(std::move(row));
      }
    }
  }
  std::map<std::string, CsvTable> out;
  out.emplace("points.csv", std::move(points));
  out.emplace("marginal.csv", std::move(marginal));
  return out;
}

std::map<std::string, CsvTable> optimize_csv(const v1::OptimizeResult& r) {
  CsvTable mix({"channel", "current_weekly_budget", "recommended_weekly_budget", "binding"});
  std::set<std::string> binding(r.binding().begin(), r.binding().end());
  for (int i = 0; i < r.current().channels_size(); ++i) {
    const std::string& c = r.current().channels(i).channel();
    mix.add({c, csv_number(r.current().channels(i).weekly_budget()),
             csv_number(r.recommended().channels(i).weekly_budget()),
             binding.count(c) ? "true" : "false"});
  }
  CsvTable marginal({"channel", "step", "measure", "mean", "std_error", "ci_low", "ci_high", "n"});
  for (const v1::MarginalReturn& m : r.marginal()) {
    for (const auto& [name, e] : std::vector<std::pair<std::string, const v1::Estimate*>>{
             {"conversions_per_unit", &m.conversions_per_unit()},
             {"value_per_unit", &m.value_per_unit()},
             {"mroas", &m.mroas()},
             {"marginal_cpa", &m.marginal_cpa()}}) {
      marginal.add({m.channel(), csv_number(m.step()), name, csv_number(e->mean()),
                    csv_number(e->std_error()), csv_number(e->ci_low()), csv_number(e->ci_high()),
                    std::to_string(e->n())});
    }
  }
  // The verification's moves, in the order tried.
  CsvTable moves({"round", "kind", "channel", "to_channel", "weekly_amount", "gain_mean",
                  "gain_ci_low", "gain_ci_high", "n", "verdict", "taken"});
  for (const v1::MixMove& m : r.verification().moves()) {
    moves.add({std::to_string(m.round()), m.kind(), m.channel(), m.to_channel(),
               csv_number(m.amount()), csv_number(m.gain().mean()), csv_number(m.gain().ci_low()),
               csv_number(m.gain().ci_high()), std::to_string(m.gain().n()), m.verdict(),
               m.taken() ? "true" : "false"});
  }
  std::map<std::string, CsvTable> out;
  out.emplace("mix.csv", std::move(mix));
  out.emplace("marginal.csv", std::move(marginal));
  out.emplace("moves.csv", std::move(moves));
  out.emplace("schedule.csv", schedule_csv(r));
  return out;
}

// Longer than 80 lines for a reason: three flat tables of one result,
// each a header and a loop over the curves.
std::map<std::string, CsvTable> curves_csv(const v1::CurvesResult& r) {
  CsvTable points({"channel",
                   "weekly_budget",
                   "current",
                   "kpi",
                   "mean",
                   "std_error",
                   "ci_low",
                   "ci_high",
                   "n",
                   "marginal",
                   "marginal_ci_low",
                   "marginal_ci_high",
                   "cost",
                   "incremental",
                   "incremental_ci_low",
                   "incremental_ci_high",
                   "marginal_roas",
                   "marginal_roas_ci_low",
                   "marginal_roas_ci_high",
                   "no_variation",
                   "one_sided_upper",
                   "one_sided_lower"});
  for (const v1::ResponseCurve& c : r.curves()) {
    for (int k = 0; k < c.weekly_budgets_size(); ++k) {
      const v1::Estimate& e = c.kpi(k);
      const bool step = k > 0 && k - 1 < c.marginal_size();
      const bool roas = k > 0 && k - 1 < c.marginal_roas_size();
      const bool incremental = k < c.incremental_size();
      std::vector<std::string> row = {
          c.channel(),
          csv_number(c.weekly_budgets(k)),
          csv_number(c.current_weekly_budget()),
          r.kpi(),
          csv_number(e.mean()),
          csv_number(e.std_error()),
          csv_number(e.ci_low()),
          csv_number(e.ci_high()),
          std::to_string(e.n()),
          csv_optional(step, step ? c.marginal(k - 1).mean() : 0),
          csv_optional(step, step ? c.marginal(k - 1).ci_low() : 0),
          csv_optional(step, step ? c.marginal(k - 1).ci_high() : 0),
          csv_number(c.cost(k)),
          csv_optional(incremental, incremental ? c.incremental(k).mean() : 0),
          csv_optional(incremental, incremental ? c.incremental(k).ci_low() : 0),
          csv_optional(incremental, incremental ? c.incremental(k).ci_high() : 0),
          csv_optional(roas, roas ? c.marginal_roas(k - 1).mean() : 0),
          csv_optional(roas, roas ? c.marginal_roas(k - 1).ci_low() : 0),
          csv_optional(roas, roas ? c.marginal_roas(k - 1).ci_high() : 0)};
      for (std::string& f : no_variation_fields(e)) row.push_back(std::move(f));
      points.add(std::move(row));
    }
  }
  CsvTable saturation(
      {"channel", "current_weekly_budget", "saturation_weekly_budget", "peak_marginal", "note"});
  for (const v1::ResponseCurve& c : r.curves()) {
    saturation.add({c.channel(), csv_number(c.current_weekly_budget()),
                    csv_optional(c.has_saturation_weekly_budget(), c.saturation_weekly_budget()),
                    csv_number(c.peak_marginal().mean()), c.saturation_note()});
  }
  CsvTable contribution({"channel", "current_weekly_budget", "kpi", "incremental",
                         "incremental_ci_low", "incremental_ci_high", "incremental_value",
                         "incremental_value_ci_low", "incremental_value_ci_high", "cost", "roi",
                         "roi_ci_low", "roi_ci_high", "break_even_weekly_budget", "break_even_low",
                         "break_even_high", "note"});
  for (const v1::ResponseCurve& c : r.curves()) {
    const v1::ChannelContribution& x = c.contribution();
    const v1::BreakEven& b = c.break_even();
    std::string note = x.note();
    if (!b.note().empty()) note += (note.empty() ? "" : "; ") + ("break-even: " + b.note());
    contribution.add(
        {c.channel(), csv_number(c.current_weekly_budget()), r.kpi(), csv_number(x.kpi().mean()),
         csv_number(x.kpi().ci_low()), csv_number(x.kpi().ci_high()), csv_number(x.value().mean()),
         csv_number(x.value().ci_low()), csv_number(x.value().ci_high()), csv_number(x.cost()),
         csv_optional(x.has_roi(), x.roi().mean()), csv_optional(x.has_roi(), x.roi().ci_low()),
         csv_optional(x.has_roi(), x.roi().ci_high()),
         csv_optional(b.has_weekly_budget(), b.weekly_budget()),
         csv_optional(b.has_weekly_budget_low(), b.weekly_budget_low()),
         csv_optional(b.has_weekly_budget_high(), b.weekly_budget_high()), note});
  }
  std::map<std::string, CsvTable> out;
  out.emplace("curves.csv", std::move(points));
  out.emplace("saturation.csv", std::move(saturation));
  out.emplace("contribution.csv", std::move(contribution));
  return out;
}

}  // namespace cjsim::report
