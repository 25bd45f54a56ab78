#include "tools/cjsim/table.h"

#include "tools/cjsim/format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "models/diagnostics.h"
#include "tools/cjsim/text_table.h"

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
  const Sampling sampling = sampling_of(r);
  const std::string interval_header = printf_string("%.0f", r.confidence() * 100) + "% interval";
  // A table of KPIs, in the registry's words (sim/kpi.h).
  auto kpi_table = [&](const std::vector<std::string>& keys) {
    TextTable table({text_column("KPI"), number_column("estimate"), text_column(interval_header)});
    for (const std::string& key : keys) {
      const v1::Estimate* e = kpi(key);
      if (e == nullptr) continue;
      const KpiDisplay d = kpi_display(key);
      table.add({d.label, format_value(e->mean(), d.unit), format_kpi_interval(key, *e, sampling)});
    }
    return table.text();
  };
  // The totals, then each goal kind apart (table_kpis lists those last).
  std::vector<std::string> totals, by_goal;
  for (const std::string& key : table_kpis(r.kpis())) {
    (key.find(':') == std::string::npos ? totals : by_goal).push_back(key);
  }
  out += "KPIs\n" + kpi_table(totals);
  if (!by_goal.empty()) out += "\nBy goal kind, each counted apart\n" + kpi_table(by_goal);

  // After the conversion: shown when the scenario has a loyalty block.
  if (kpi("retention_rate") != nullptr) {
    out += "\nAfter the conversion\n";
    out += kpi_table({"retention_rate", "active_customers", "repeat_conversions",
                      "repeats_per_customer", "repeat_rate", "customer_value", "complaints",
                      "complaints_answered_in_sla", "mean_response_days", "praises", "referrals",
                      "referred_conversions"});
  }

  out += "\nFunnel (share of people who reached the stage)\n";
  TextTable funnel({text_column("stage"), number_column("share"), text_column("bar"),
                    text_column(interval_header)});
  for (const v1::FunnelStage& stage : r.funnel()) {
    const double share = stage.reached().mean();
    const int width = static_cast<int>(std::round(std::clamp(share, 0.0, 1.0) * 30));
    // The stage's share is its rate KPI ("awareness_rate"); one past the
    // registry's stages is a share of people all the same.
    const std::string name =
        kpi_info(stage.stage() + "_rate") ? stage.stage() + "_rate" : "reach_rate";
    funnel.add({stage.stage(), format_percent(share), std::string(static_cast<size_t>(width), '#'),
                format_kpi_interval(name, stage.reached(), sampling)});
  }
  out += funnel.text();

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
  TextTable top({text_column("touchpoint"), text_column("channel"), text_column("stage"),
                 number_column("visits"), number_column("act rate"), number_column("conversions")});
  for (size_t i = 0; i < shown; ++i) {
    const v1::TouchpointResult& tp = *touchpoints[i];
    const double visits = tp.visits().mean();
    top.add({tp.id(), tp.channel(), tp.stage(), format_count(visits),
             visits > 0 ? format_percent(tp.acts().mean() / visits) : "-",
             format_count(tp.conversions().mean())});
  }
  out += top.text();

  // Exposures are ads and posts seen (one person may see many); reach is
  // people.
  out += "\nChannels (exposures: ads and posts seen; people reached: each person once)\n";
  TextTable channels({text_column("channel"), number_column("cost"),
                      number_column("paid exposures"), number_column("organic exposures"),
                      number_column("people reached"), number_column("exposures/person"),
                      number_column("visits")});
  for (const v1::ChannelResult& ch : r.channels()) {
    const double frequency = ch.frequency().mean();
    channels.add({ch.id(), format_value(ch.cost().mean(), Unit::kMoney),
                  format_count(ch.paid_exposures().mean()),
                  format_count(ch.organic_exposures().mean()), format_count(ch.reach().mean()),
                  std::isfinite(frequency) ? format_real(frequency, 3) : "-",
                  format_count(ch.visits().mean())});
  }
  out += channels.text();

  // Credit: which channels touched the people who converted (docs/model.md
  // "Channel credit"). Repeats come from the loyalty model, not from a touch.
  out += "\nConversions by channel (journey conversions; repeats are not credited)\n";
  TextTable credit({text_column("channel"), number_column("first touch"),
                    number_column("last touch"), number_column("touched"),
                    number_column("at its touchpoints")});
  for (const v1::ChannelResult& ch : r.channels()) {
    credit.add({ch.id(), format_count(ch.first_touch_conversions().mean()),
                format_count(ch.last_touch_conversions().mean()),
                format_count(ch.assisted_conversions().mean()),
                format_count(ch.conversions().mean())});
  }
  out += credit.text();
  out +=
      "First/last touch: the channel of the person's first/latest touch before converting.\n"
      "Touched: conversions of people the channel touched at all (channels overlap).\n"
      "At its touchpoints: conversions at the channel's own goal touchpoints.\n";

  out += "\nPersonas\n";
  TextTable personas({text_column("persona"), number_column("people"),
                      number_column("conversion rate"), text_column(interval_header)});
  for (const v1::PersonaResult& p : r.personas()) {
    Sampling of_persona = sampling;
    of_persona.agents = p.agents();
    personas.add({p.id(), format_count(p.population()), format_percent(p.conversion_rate().mean()),
                  format_kpi_interval("conversion_rate", p.conversion_rate(), of_persona)});
  }
  out += personas.text();
  return out;
}

}  // namespace cjsim::cli
