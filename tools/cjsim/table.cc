#include "tools/cjsim/table.h"

#include "tools/cjsim/format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "models/diagnostics.h"

namespace cjsim::cli {

std::string format_run_table(const v1::RunResult& r) {
  const bool exact = r.method() == "exact";
  std::string out;
  out += "cjsim " + r.engine_version() + " | scenario " + printable(r.scenario()) +
         (r.variant().empty() ? " (baseline)" : " | variant " + r.variant()) + "\n";
  if (exact) {
    out += "exact solution (absorbing Markov chain) | " + std::to_string(r.horizon_days()) +
           " days | population " + format_count(r.population()) + "\n";
  } else {
    out += format_count(static_cast<double>(r.agents())) + " agents for " +
           format_count(r.population()) + " people | " + std::to_string(r.horizon_days()) +
           " days | " + std::to_string(r.replications()) + " replications | seed " +
           std::to_string(r.seed()) + " | " + std::to_string(r.threads()) + " threads | " +
           printf_string("%.0f", r.confidence() * 100) + "% intervals | " +
           printf_string("%.2f", r.timing().wall_seconds()) + " s\n";
  }
  out += "\n";

  struct Row {
    const char* key;
    const char* label;
    Unit unit;
  };
  const std::vector<Row> rows = {
      {"conversion_rate", "conversion rate", Unit::kShare},
      {"conversions", "conversions", Unit::kCount},
      {"value", "value", Unit::kMoney},
      {"cost", "cost", Unit::kMoney},
      {"cost_per_conversion", "cost per conversion", Unit::kMoney},
      {"roas", "return on ad spend", Unit::kRatio},
      {"reach_rate", "reached by any channel", Unit::kShare},
      {"paid_exposures", "paid exposures", Unit::kCount},
      {"organic_exposures", "organic exposures", Unit::kCount},
  };
  out += pad("KPI", 26) + pad("estimate", 14, true) + "   " +
         printf_string("%.0f", r.confidence() * 100) + "% interval\n";
  for (const Row& row : rows) {
    auto it = r.kpis().find(row.key);
    if (it == r.kpis().end()) continue;
    out += pad(row.label, 26) + pad(format_value(it->second.mean(), row.unit), 14, true) + "   " +
           format_interval(it->second, row.unit, exact) + "\n";
  }

  // After the conversion: shown when the scenario's loyalty block does something.
  auto kpi = [&](const char* key) -> const v1::Estimate* {
    auto it = r.kpis().find(key);
    return it == r.kpis().end() ? nullptr : &it->second;
  };
  const v1::Estimate* retention = kpi("retention_rate");
  const v1::Estimate* repeats = kpi("repeat_conversions");
  if ((retention != nullptr && retention->mean() < 1) ||
      (repeats != nullptr && repeats->mean() > 0) || kpi("complaints") != nullptr ||
      kpi("referrals") != nullptr) {
    const std::vector<Row> loyalty = {
        {"retention_rate", "retained at the horizon", Unit::kShare},
        {"repeat_conversions", "repeat conversions", Unit::kCount},
        {"repeats_per_customer", "repeats per customer", Unit::kRatio},
        {"repeat_rate", "customers who repeated", Unit::kShare},
        {"customer_value", "value per customer", Unit::kMoney},
        {"complaints", "complaints", Unit::kCount},
        {"complaints_answered_in_sla", "answered within the SLA", Unit::kShare},
        {"mean_response_days", "mean response (days)", Unit::kRatio},
        {"praises", "praise after good care", Unit::kCount},
        {"referrals", "referrals", Unit::kCount},
        {"referred_conversions", "conversions from referrals", Unit::kCount},
    };
    out += "\nAfter the conversion\n";
    for (const Row& row : loyalty) {
      const v1::Estimate* e = kpi(row.key);
      if (e == nullptr) continue;
      out += pad(row.label, 26) + pad(format_value(e->mean(), row.unit), 14, true) + "   " +
             format_interval(*e, row.unit, exact) + "\n";
    }
  }

  out += "\nFunnel (share of people who reached the stage)\n";
  for (const v1::FunnelStage& stage : r.funnel()) {
    const double share = stage.reached().mean();
    const int width = static_cast<int>(std::round(std::clamp(share, 0.0, 1.0) * 30));
    out += "  " + pad(stage.stage(), 15) + pad(format_percent(share), 9, true) + "  " +
           pad(std::string(static_cast<size_t>(width), '#'), 31) +
           format_interval(stage.reached(), Unit::kShare, exact) + "\n";
  }

  std::vector<const v1::TouchpointResult*> touchpoints;
  for (const auto& tp : r.touchpoints()) touchpoints.push_back(&tp);
  std::stable_sort(touchpoints.begin(), touchpoints.end(), [](auto* a, auto* b) {
    if (a->conversions().mean() != b->conversions().mean()) {
      return a->conversions().mean() > b->conversions().mean();
    }
    return a->visits().mean() > b->visits().mean();
  });
  const size_t shown = std::min<size_t>(touchpoints.size(), 10);
  out += "\nTop touchpoints" +
         (shown < touchpoints.size()
              ? " (" + std::to_string(shown) + " of " + std::to_string(touchpoints.size()) + ")"
              : std::string()) +
         "\n";
  out += "  " + pad("touchpoint", 24) + pad("channel", 16) + pad("stage", 14) +
         pad("visits", 12, true) + pad("act rate", 10, true) + pad("conversions", 13, true) + "\n";
  for (size_t i = 0; i < shown; ++i) {
    const v1::TouchpointResult& tp = *touchpoints[i];
    const double visits = tp.visits().mean();
    out += "  " + pad(tp.id() + " ", 24) + pad(tp.channel() + " ", 16) + pad(tp.stage(), 14) +
           pad(format_count(visits), 12, true) +
           pad(visits > 0 ? format_percent(tp.acts().mean() / visits) : "-", 10, true) +
           pad(format_count(tp.conversions().mean()), 13, true) + "\n";
  }

  out += "\nChannels\n";
  out += "  " + pad("channel", 16) + pad("paid exp.", 13, true) + pad("organic exp.", 14, true) +
         pad("cost", 12, true) + pad("visits", 12, true) + pad("conversions", 13, true) + "\n";
  for (const v1::ChannelResult& ch : r.channels()) {
    out += "  " + pad(ch.id(), 16) + pad(format_count(ch.paid_exposures().mean()), 13, true) +
           pad(format_count(ch.organic_exposures().mean()), 14, true) +
           pad(format_value(ch.cost().mean(), Unit::kMoney), 12, true) +
           pad(format_count(ch.visits().mean()), 12, true) +
           pad(format_count(ch.conversions().mean()), 13, true) + "\n";
  }

  out += "\nPersonas\n";
  out += "  " + pad("persona", 20) + pad("people", 12, true) + pad("conversion rate", 17, true) +
         "   interval\n";
  for (const v1::PersonaResult& p : r.personas()) {
    out += "  " + pad(p.id(), 20) + pad(format_count(p.population()), 12, true) +
           pad(format_percent(p.conversion_rate().mean()), 17, true) + "   " +
           format_interval(p.conversion_rate(), Unit::kShare, exact) + "\n";
  }
  return out;
}

}  // namespace cjsim::cli
