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

  auto kpi = [&](const std::string& key) -> const v1::Estimate* {
    auto it = r.kpis().find(key);
    return it == r.kpis().end() ? nullptr : &it->second;
  };
  // A row per KPI, in the registry's words (sim/kpi.h).
  auto rows = [&](const std::vector<std::string>& keys) {
    std::string text;
    for (const std::string& key : keys) {
      const v1::Estimate* e = kpi(key);
      if (e == nullptr) continue;
      const KpiDisplay d = kpi_display(key);
      text += pad(d.label, 34) + pad(format_value(e->mean(), d.unit), 14, true) + "   " +
              format_interval(*e, d.unit, exact) + "\n";
    }
    return text;
  };
  out += pad("KPI", 34) + pad("estimate", 14, true) + "   " +
         printf_string("%.0f", r.confidence() * 100) + "% interval\n";
  // The totals, then each goal kind apart (table_kpis lists those last).
  std::vector<std::string> totals, by_goal;
  for (const std::string& key : table_kpis(r.kpis())) {
    (key.find(':') == std::string::npos ? totals : by_goal).push_back(key);
  }
  out += rows(totals);
  if (!by_goal.empty()) out += "\nBy goal kind, each counted apart\n" + rows(by_goal);

  // After the conversion: shown when the scenario has a loyalty block.
  if (kpi("retention_rate") != nullptr) {
    out += "\nAfter the conversion\n";
    out += rows({"retention_rate", "active_customers", "repeat_conversions", "repeats_per_customer",
                 "repeat_rate", "customer_value", "complaints", "complaints_answered_in_sla",
                 "mean_response_days", "praises", "referrals", "referred_conversions"});
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
