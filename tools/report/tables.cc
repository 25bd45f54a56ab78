#include "tools/report/tables.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <vector>

#include "models/diagnostics.h"
#include "sim/curves.h"
#include "sim/kpi_evidence.h"
#include "tools/report/format.h"
#include "tools/report/schedule_report.h"
#include "tools/report/text_table.h"

namespace cjsim::report {

namespace {

// "from 2026-11-27 to 2026-11-30 (--window)", or with day numbers.
std::string window_text(const v1::CalendarSpan& w) {
  auto day = [](int32_t d, const std::string& date) {
    return date.empty() ? "day " + std::to_string(d) : date;
  };
  return "from " + day(w.from_day(), w.from_date()) + " to " + day(w.to_day(), w.to_date()) +
         " (--window)";
}

// Who made the run, how, and how long it took.
std::string run_header(const v1::RunResult& r) {
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

  return out;
}

// The KPIs in the registry's words: the totals, each goal kind apart, and
// after the conversion (with a loyalty block).
std::string run_kpi_tables(const v1::RunResult& r) {
  std::string out;
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
  out += (r.has_kpi_window() ? "KPIs " + window_text(r.kpi_window()) + "\n" : "KPIs\n") +
         kpi_table(totals);
  if (!by_goal.empty()) out += "\nBy goal kind, each counted apart\n" + kpi_table(by_goal);

  // After the conversion: shown when the scenario has a loyalty block.
  if (kpi("retention_rate") != nullptr) {
    out += "\nAfter the conversion\n";
    out += kpi_table({"retention_rate", "active_customers", "repeat_conversions",
                      "repeats_per_customer", "repeat_rate", "customer_value", "complaints",
                      "complaints_answered_in_sla", "mean_response_days", "praises", "referrals",
                      "referred_conversions"});
  }
  // Comments that reach brings, when a channel has them.
  if (kpi("comments") != nullptr) {
    out += "\nComments and moderation (docs/model.md \"Comments and moderation\")\n";
    out += kpi_table({"comments", "negative_comments", "moderation_backlog"});
  }
  if (kpi("opt_outs") != nullptr) {
    out += "\nPrivacy backlash (docs/model.md \"Privacy backlash\")\n";
    out += kpi_table({"opt_outs", "opt_out_rate"});
  }

  return out;
}

// The share of people who reached each stage, with a bar.
std::string run_funnel_table(const v1::RunResult& r) {
  std::string out;
  const Sampling sampling = sampling_of(r);
  const std::string interval_header = printf_string("%.0f", r.confidence() * 100) + "% interval";
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

  return out;
}

// The ten touchpoints with the most conversions (then visits).
std::string run_top_touchpoints(const v1::RunResult& r) {
  std::string out;
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
  // An entry audience's size where one gates a touchpoint's entry.
  const bool gated =
      std::any_of(r.touchpoints().begin(), r.touchpoints().end(),
                  [](const v1::TouchpointResult& t) { return t.has_audience_size(); });
  std::vector<TextTable::Column> columns = {
      text_column("touchpoint"), text_column("channel"),    text_column("stage"),
      number_column("visits"),   number_column("act rate"), number_column("conversions")};
  if (gated) columns.push_back(number_column("entry audience"));
  TextTable top(std::move(columns));
  for (size_t i = 0; i < shown; ++i) {
    const v1::TouchpointResult& tp = *touchpoints[i];
    const double visits = tp.visits().mean();
    std::vector<std::string> row = {tp.id(),
                                    tp.channel(),
                                    tp.stage(),
                                    format_count(visits),
                                    visits > 0 ? format_percent(tp.acts().mean() / visits) : "-",
                                    format_count(tp.conversions().mean())};
    if (gated)
      row.push_back(tp.has_audience_size() ? format_count(tp.audience_size().mean()) : "-");
    top.add(std::move(row));
  }
  out += top.text();
  if (gated) {
    out +=
        "entry audience: the people on an average day whom the touchpoint's entry_audience "
        "lets land there\n";
  }

  return out;
}

namespace {

// Each channel's engagements, share of the exposures and, with frequency
// caps, what they stopped; and care's staffing, which no channel carries.
std::string run_engagement_table(const v1::RunResult& r) {
  const EngagementColumns optional = engagement_columns(r);
  std::vector<TextTable::Column> columns = {
      text_column("channel"), number_column("engagements"), number_column("per exposure"),
      number_column("share of exposures")};
  if (optional.capped) {
    columns.push_back(number_column("capped exposures"));
    columns.push_back(number_column("unspent"));
  }
  if (optional.audience) columns.push_back(number_column("audience"));
  if (optional.opt_outs) columns.push_back(number_column("opt-outs"));
  TextTable table(std::move(columns));
  for (const v1::ChannelResult& ch : r.channels()) table.add(engagement_row(ch, optional));
  std::string out =
      "\nEngagement (acts on each channel's awareness and consideration touchpoints) and "
      "share of the exposures\n" +
      table.text();
  if (optional.capped) {
    out +=
        "Capped exposures: paid exposures past a frequency cap, whose money went to people "
        "under it; unspent: money the cap left with no one to reach (not in the cost).\n";
  }
  if (optional.audience) {
    out +=
        "Audience: the people a retargeting channel may show its ads to, on an average day; "
        "opt-outs: people its retargeting ads made hide them for good.\n";
  }
  double channel_cost = 0;
  for (const v1::ChannelResult& ch : r.channels()) channel_cost += ch.cost().mean();
  if (auto it = r.kpis().find("cost"); it != r.kpis().end() && it->second.mean() > channel_cost) {
    out += "Customer care's staffing costs " +
           format_value(it->second.mean() - channel_cost, Unit::kMoney) +
           " more: in the total cost and profit, not in any channel's cost or in ROAS.\n";
  }
  return out;
}

}  // namespace

// Each channel's cost, exposures, reach and visits, and its credit.
std::string run_channel_tables(const v1::RunResult& r) {
  std::string out;
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
  out += run_engagement_table(r);

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

  return out;
}

// Each persona's conversion rate.
std::string run_persona_table(const v1::RunResult& r) {
  std::string out;
  const Sampling sampling = sampling_of(r);
  const std::string interval_header = printf_string("%.0f", r.confidence() * 100) + "% interval";
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

// The scenario's targets: the chance of meeting each by its day, the KPI
// expected then, and the first day by which 80% of the replications have.
std::string run_target_table(const v1::RunResult& r) {
  if (r.targets().empty()) return "";
  const std::string confidence = printf_string("%.0f", r.confidence() * 100) + "%";
  std::string out =
      "\nTargets (chance: the share of replications meeting the target by its day, at the "
      "population's spread; " +
      confidence + " Wilson interval)\n";
  TextTable table({text_column("target"), text_column("goal"), text_column("by"),
                   number_column("chance"), text_column(confidence + " interval"),
                   number_column("expected"), text_column("80% sure by")});
  auto day_text = [](int32_t day, const std::string& date) {
    return date.empty() ? "day " + std::to_string(day) : date;
  };
  for (const v1::TargetResult& t : r.targets()) {
    const KpiDisplay kpi = kpi_display(t.kpi());
    const v1::Estimate& p = t.probability();
    table.add({printable(t.name()),
               kpi.label + (t.direction() == "at_least" ? " >= " : " <= ") +
                   format_value(t.threshold(), kpi.unit),
               day_text(t.by_day(), t.by_date()), format_percent(p.mean()),
               format_chance_interval(p), format_value(t.expected().mean(), kpi.unit),
               t.has_earliest_day_p80() ? day_text(t.earliest_day_p80(), t.earliest_date_p80())
               : t.direction() == "at_least" ? "not in the horizon"
                                             : "-"});
  }
  return out + table.text();
}

}  // namespace

std::string format_run_table(const v1::RunResult& r) {
  return run_header(r) + run_kpi_tables(r) + run_target_table(r) + run_funnel_table(r) +
         run_top_touchpoints(r) + run_channel_tables(r) + run_persona_table(r);
}

namespace {

// The KPIs the tables show, in this order (all are in the JSON and CSV).
std::string header_line(const std::string& what, const std::string& scenario, int replications,
                        int agents, uint64_t seed, int threads, double confidence, double seconds) {
  return "cjsim " + what + " | scenario " + printable(scenario) + " | " +
         std::to_string(replications) + " replications x " + format_count(agents) +
         " agents | seed " + std::to_string(seed) + " | " + std::to_string(threads) +
         " threads | " + printf_string("%.0f", confidence * 100) + "% intervals | " +
         printf_string("%.2f", seconds) + " s\n";
}

// The unit and words of the objective (a KPI of the registry).
KpiDisplay objective_display(const v1::OptimizeResult& r) { return kpi_display(r.objective()); }

// "+1,234 [+1,100, +1,350]": an incremental estimate in the KPI's unit.
std::string difference_with_interval(const v1::Estimate& e, Unit unit) {
  if (std::isnan(e.mean())) return "n/a";
  return format_difference(e.mean(), unit) + " " + format_difference_interval(e, unit);
}

std::string contribution_line(const v1::ChannelContribution& c, const KpiDisplay& kpi) {
  std::string out = "At the current budget, over a budget of 0: " + kpi.label + " " +
                    difference_with_interval(c.kpi(), kpi.unit) + "; value " +
                    difference_with_interval(c.value(), Unit::kMoney) + "; cost " +
                    format_value(c.cost(), Unit::kMoney) + "; ROI ";
  out += c.has_roi() ? format_relative(c.roi().mean()) + " " + format_relative_interval(c.roi())
                     : "none (" + c.note() + ")";
  return out + "\n";
}

std::string saturation_line(const v1::ResponseCurve& c, double fraction) {
  if (!c.has_saturation_weekly_budget()) return "Saturation: none (" + c.saturation_note() + ")\n";
  return "Saturation: from about " + format_value(c.saturation_weekly_budget(), Unit::kMoney) +
         " a week (every later step's marginal interval is below " +
         printf_string("%.0f", fraction * 100) + "% of the peak step's " +
         format_value(c.peak_marginal().mean(), Unit::kRatio) + " per unit)\n";
}

std::string break_even_line(const v1::BreakEven& b) {
  std::string out = "Break-even (marginal ROAS = 1): ";
  if (!b.has_weekly_budget()) return out + "none (" + b.note() + ")\n";
  out += "about " + format_value(b.weekly_budget(), Unit::kMoney) + " a week [" +
         format_value(b.weekly_budget_low(), Unit::kMoney) + ", " +
         (b.has_weekly_budget_high() ? format_value(b.weekly_budget_high(), Unit::kMoney)
                                     : "beyond the curve") +
         "]";
  return out + "\n";
}

}  // namespace

namespace {

// The chance of meeting each target in both arms, and the paired
// difference.
std::string compare_target_table(const v1::CompareArm& base, const v1::CompareArm& arm,
                                 const v1::CompareDifference& d) {
  if (base.targets().empty()) return "";
  TextTable table({text_column("target"), text_column("by"), number_column("baseline"),
                   number_column(d.variant()), number_column("difference"),
                   text_column("interval")});
  for (const v1::TargetResult& b : base.targets()) {
    auto diff = d.target_probability().find(b.name());
    const v1::TargetResult* v = nullptr;
    for (const v1::TargetResult& t : arm.targets()) {
      if (t.name() == b.name()) v = &t;
    }
    if (v == nullptr || diff == d.target_probability().end()) continue;
    table.add({printable(b.name()), b.by_date().empty() ? "day " + std::to_string(b.by_day())
                                                          : b.by_date(),
               format_percent(b.probability().mean()), format_percent(v->probability().mean()),
               format_difference(diff->second.mean(), Unit::kShare),
               format_difference_interval(diff->second, Unit::kShare)});
  }
  return "\nChance of meeting each target (share of replications; paired difference)\n" +
         table.text();
}

}  // namespace

std::string format_compare_table(const v1::CompareResult& r) {
  std::string out = header_line("compare", r.scenario(), r.replications(), r.agents(), r.seed(),
                                r.threads(), r.confidence(), r.timing().wall_seconds());
  if (r.target_half_width() > 0) {
    const KpiDisplay rank = kpi_display(r.rank_by());
    out += "target half-width " + format_value(r.target_half_width(), rank.unit) + " on " +
           std::string(rank.label) + ": " +
           (r.stopped() == "target_met"
                ? "met with " + std::to_string(r.replications()) + " replications"
                : "not met; stopped at --max-replications " + std::to_string(r.max_replications()) +
                      " (widest half-width " + format_value(r.max_half_width(), rank.unit) + ")") +
           "\n";
  }
  if (r.has_kpi_window()) out += "KPIs counted " + window_text(r.kpi_window()) + "\n";
  out += "ranked by " + std::string(kpi_display(r.rank_by()).label) + ":";
  for (int i = 0; i < r.ranking_size(); ++i) {
    out += (i == 0 ? " " : ", ") + std::to_string(i + 1) + ". " + arm_name(r.ranking(i));
  }
  out += "\n";

  const v1::CompareArm& base = r.arms(0);
  for (const v1::CompareDifference& d : r.differences()) {
    const v1::CompareArm* arm = nullptr;
    for (const v1::CompareArm& a : r.arms()) {
      if (a.variant() == d.variant()) arm = &a;
    }
    out += "\n" + d.variant() + " vs baseline\n";
    TextTable table({text_column("KPI"), number_column("baseline"), number_column(d.variant()),
                     number_column("difference"), text_column("interval"),
                     number_column("relative"), text_column("verdict"), number_column("CRN gain")});
    for (const std::string& kpi : table_kpis(base.kpis())) {
      auto diff = d.kpis().find(kpi);
      auto b = base.kpis().find(kpi);
      if (diff == d.kpis().end() || b == base.kpis().end() || arm == nullptr) continue;
      const KpiDisplay display = kpi_display(kpi);
      const v1::Estimate& rel = d.relative().at(kpi);
      const std::string verdict = d.verdict().at(kpi);
      const bool unchanged = verdict == "no_change";
      // A difference that did not vary is exact only for what the model
      // fixes (the cost of two budgets).
      const std::string interval = diff->second.std_error() == 0 && kpi_fixed_by_model(kpi)
                                       ? "(exact)"
                                       : format_difference_interval(diff->second, display.unit);
      table.add({display.label, format_value(b->second.mean(), display.unit),
                 format_value(arm->kpis().at(kpi).mean(), display.unit),
                 format_difference(diff->second.mean(), display.unit), unchanged ? "-" : interval,
                 unchanged ? "-" : format_relative(rel.mean()), verdict_words(verdict),
                 unchanged ? "-" : crn_gain(d.variance_reduction().at(kpi))});
    }
    out += table.text();
    if (arm != nullptr) out += compare_target_table(base, *arm, d);
  }
  out +=
      "\nCRN gain: how many times smaller the variance of each difference is with common "
      "random numbers than with independent runs. no change: the same in every replication of "
      "both arms.\n";
  return out;
}

std::string format_sweep_table(const v1::SweepResult& r) {
  std::string out = header_line("sweep", r.scenario(), r.replications(), r.agents(), r.seed(),
                                r.threads(), r.confidence(), r.timing().wall_seconds());
  if (!r.variant().empty()) out += "on variant " + r.variant() + "\n";
  out += "\n";
  std::vector<TextTable::Column> columns;
  for (const v1::SweepAxis& axis : r.axes()) columns.push_back(number_column(axis.path()));
  for (const char* header : {"conversions", "interval", "conv. rate", "cost", "cost/conv."}) {
    columns.push_back(std::string(header) == "interval" ? text_column(header)
                                                        : number_column(header));
  }
  for (const v1::SweepAxis& axis : r.axes()) {
    columns.push_back(text_column("marginal/" + axis.path().substr(axis.path().rfind('.') + 1)));
  }
  TextTable table(std::move(columns));
  const Sampling sampling{false, static_cast<double>(r.agents()), r.replications(), r.population(),
                          r.confidence()};
  for (const v1::SweepPoint& p : r.points()) {
    std::vector<std::string> row;
    for (const v1::SweepAxis& axis : r.axes()) {
      row.push_back(format_real(p.settings().at(axis.path()), 6));
    }
    const v1::Estimate& conversions = p.kpis().at("conversions");
    row.push_back(format_count(conversions.mean()));
    row.push_back(format_kpi_interval("conversions", conversions, sampling));
    row.push_back(format_percent(p.kpis().at("conversion_rate").mean()));
    row.push_back(format_value(p.kpis().at("cost").mean(), Unit::kMoney));
    row.push_back(format_value(p.kpis().at("cost_per_conversion").mean(), Unit::kMoney));
    for (const v1::SweepAxis& axis : r.axes()) {
      std::string cell = "-";
      for (const v1::SweepMarginal& m : p.marginal()) {
        if (m.path() != axis.path()) continue;
        const v1::Estimate& e = m.kpis().at("conversions");
        cell = format_real(e.mean(), 4) + " [" + format_real(e.ci_low(), 3) + ", " +
               format_real(e.ci_high(), 3) + "]";
      }
      row.push_back(cell);
    }
    table.add(std::move(row));
  }
  out += table.text();
  out +=
      "\nmarginal: extra conversions per unit step of the field, from the previous value "
      "(paired, common random numbers).\n";
  return out;
}

std::string format_optimize_table(const v1::OptimizeResult& r) {
  std::string out = "cjsim optimize | scenario " + printable(r.scenario()) + " | objective " +
                    r.objective() + (r.risk().empty() ? "" : " (" + r.risk() + ")") + " | " +
                    r.mode() + " | " + std::to_string(r.replications()) +
                    " replications per candidate, " + std::to_string(r.confirm_replications()) +
                    " to confirm | " + format_count(r.agents()) + " agents | seed " +
                    std::to_string(r.seed()) + " | " +
                    printf_string("%.1f", r.timing().wall_seconds()) + " s\n";
  out += std::to_string(r.evaluations()) + " mixes simulated; search " +
         (r.stopped() == "converged" ? "converged" : "stopped at --max-evaluations") + "\n\n";
  const Unit unit = objective_display(r).unit;
  TextTable mix({text_column("channel"), number_column("current"), number_column("recommended"),
                 number_column("change"), text_column("note")});
  std::set<std::string> binding(r.binding().begin(), r.binding().end());
  std::set<std::string> dropped(r.dropped().begin(), r.dropped().end());
  // A change in money; the search's floating-point residue (1e-12 of the
  // total) is no change, not "-0.0000000000073".
  auto money_change = [&](double from, double to) {
    const double d = to - from;
    return format_difference(std::abs(d) <= 1e-9 * (1 + r.weekly_budget()) ? 0.0 : d, Unit::kMoney);
  };
  for (int i = 0; i < r.current().channels_size(); ++i) {
    const v1::ChannelBudget& now = r.current().channels(i);
    const v1::ChannelBudget& next = r.recommended().channels(i);
    std::string note = dropped.count(now.channel())   ? "dropped"
                       : binding.count(now.channel()) ? "at a bound"
                                                      : "";
    const std::string staffing = care_staffing_note(r, now.channel());
    if (!staffing.empty()) note += (note.empty() ? "" : "; ") + staffing;
    mix.add({now.channel(), format_money(now.weekly_budget()), format_money(next.weekly_budget()),
             money_change(now.weekly_budget(), next.weekly_budget()), note.empty() ? "-" : note});
  }
  mix.add({"total per week", format_money(r.current().total_weekly_budget()),
           format_money(r.recommended().total_weekly_budget()),
           money_change(r.current().total_weekly_budget(), r.recommended().total_weekly_budget()),
           "-"});
  mix.add({r.objective(), format_value(r.current().estimate().mean(), unit),
           format_value(r.recommended().estimate().mean(), unit),
           format_difference(r.gain().mean(), unit), "-"});
  out += mix.text() + format_schedule_table(r);
  out += "\ngain " + format_difference(r.gain().mean(), unit) + " " +
         format_difference_interval(r.gain(), unit) + ": " + verdict_words(r.verdict()) +
         " (paired, " + std::to_string(r.confirm_replications()) + " replications)\n";
  if (r.has_verification()) {
    const v1::Verification& v = r.verification();
    int tried = 0, taken = 0, tidied = 0, along = 0;
    for (const v1::MixMove& m : v.moves()) {
      const bool by_mroas = m.kind().rfind("mroas_", 0) == 0;
      const bool searched = m.round() > 0 && !by_mroas;
      tried += searched;
      taken += searched && m.taken();
      tidied += m.round() == 0 && m.taken();
      along += by_mroas && m.taken();
    }
    // The tidying of crumbs and the moves along a channel's mROAS are
    // taken apart from the rounds' moves: say so, or "0 taken" reads as if
    // the mix had not moved.
    std::string besides;
    if (tidied > 0) {
      besides += tidied == 1 ? std::string("1 crumb cut to its lower bound")
                             : std::to_string(tidied) + " crumbs cut to their lower bounds";
    }
    if (along > 0) {
      besides += (besides.empty() ? "" : ", ") + std::to_string(along) +
                 (along == 1 ? " move" : " moves") + " along a channel for its mROAS";
    }
    out += "verification: " + std::to_string(tried) + " moves tried in " +
           std::to_string(v.rounds()) + (v.rounds() == 1 ? " round" : " rounds") + ", " +
           std::to_string(taken) + " taken" +
           (besides.empty() ? "" : " (besides: " + besides + ")") + "; " +
           (v.outcome() == "none_helps" ? "none of the last round helps"
                                        : "one still helps (see the notes)") +
           "\n";
  }
  if (r.has_mroas_check()) {
    std::string outcome = r.mroas_check().outcome();
    for (char& c : outcome) c = c == '_' ? ' ' : c;
    out += "mROAS check: " + outcome + "\n";
  }
  if (r.marginal_size() > 0) {
    const std::string conversions = r.marginal(0).conversions_per_unit_kpi().empty()
                                        ? "conversions"
                                        : r.marginal(0).conversions_per_unit_kpi();
    out += r.schedule().empty()
               ? "\nMarginal returns at the recommendation (per extra unit of weekly budget)\n"
               : "\nMarginal returns at the recommendation (per extra unit spent in the week)\n";
    TextTable marginal({text_column("channel"), number_column(conversions), number_column("value"),
                        number_column("mROAS"), text_column("mROAS interval"),
                        number_column("marginal CPA")});
    for (const v1::MarginalReturn& m : r.marginal()) {
      marginal.add({m.channel(), format_real(m.conversions_per_unit().mean(), 4),
                    format_real(m.value_per_unit().mean(), 4), format_real(m.mroas().mean(), 3),
                    "[" + format_real(m.mroas().ci_low(), 3) + ", " +
                        format_real(m.mroas().ci_high(), 3) + "]",
                    std::isfinite(m.marginal_cpa().mean()) ? format_money(m.marginal_cpa().mean())
                                                           : "none gained"});
    }
    out += marginal.text();
  }
  for (const std::string& n : r.notes()) out += "\nnote: " + n + "\n";
  return out;
}

std::string format_curves_table(const v1::CurvesResult& r) {
  const KpiDisplay kpi = kpi_display(r.kpi());
  std::string out = "cjsim curves | scenario " + printable(r.scenario()) + " | " + kpi.label +
                    " against each channel's weekly budget, the others held | " +
                    std::to_string(r.replications()) + " replications x " +
                    format_count(r.agents()) + " agents | seed " + std::to_string(r.seed()) +
                    " | " + printf_string("%.1f", r.timing().wall_seconds()) + " s\n";
  const Sampling sampling{false, static_cast<double>(r.agents()), r.replications(), r.population(),
                          r.confidence()};
  for (const v1::ResponseCurve& c : r.curves()) {
    out += "\n" + c.channel() + " (current " +
           format_value(c.current_weekly_budget(), Unit::kMoney) + " a week" +
           care_capacity_words(c, c.current_weekly_budget()) + ")\n";
    TextTable table({number_column("weekly budget"), number_column(std::string(kpi.label)),
                     text_column("interval"), number_column("over 0"),
                     number_column("marginal / unit"), text_column("interval"),
                     number_column("mROAS"), text_column("note")});
    const int nearest = nearest_budget(c);
    for (int k = 0; k < c.weekly_budgets_size(); ++k) {
      const bool step = k > 0 && k - 1 < c.marginal_size();
      const bool roas = k > 0 && k - 1 < c.marginal_roas_size();
      table.add(
          {format_value(c.weekly_budgets(k), Unit::kMoney) +
               care_capacity_words(c, c.weekly_budgets(k)),
           format_value(c.kpi(k).mean(), kpi.unit),
           format_kpi_interval(r.kpi(), c.kpi(k), sampling),
           k < c.incremental_size() ? format_difference(c.incremental(k).mean(), kpi.unit) : "-",
           step ? format_real(c.marginal(k - 1).mean(), 4) : "-",
           step ? format_interval(c.marginal(k - 1), Unit::kRatio) : "-",
           roas ? format_real(c.marginal_roas(k - 1).mean(), 3) : "-",
           k == nearest ? "<- current" : "-"});
    }
    out += table.text();
    out += contribution_line(c.contribution(), kpi);
    out += saturation_line(c, r.saturation_fraction());
    out += break_even_line(c.break_even());
  }
  return out;
}

}  // namespace cjsim::report
