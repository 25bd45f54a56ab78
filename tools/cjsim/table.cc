#include "tools/cjsim/table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace cjsim::cli {

std::string printf_string(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

std::string pad(const std::string& text, size_t width, bool right) {
  if (text.size() >= width) return text;
  std::string fill(width - text.size(), ' ');
  return right ? fill + text : text + fill;
}

namespace {

enum class Unit { kShare, kCount, kMoney, kRatio };

std::string format_value(double v, Unit unit) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (std::isnan(v)) return "n/a";
  switch (unit) {
    case Unit::kShare:
      return format_percent(v);
    case Unit::kCount:
      return format_count(v);
    case Unit::kMoney:
      return std::abs(v) >= 1000 ? format_count(v) : printf_string("%.2f", v);
    case Unit::kRatio:
      return printf_string("%.3g", v);
  }
  return "";
}

std::string interval(const v1::Estimate& e, Unit unit, bool exact) {
  if (exact || e.std_error() == 0) return "(exact)";
  // Appending (rather than "[" + ...) also avoids a GCC 12 -Wrestrict false positive.
  std::string out = "[";
  out += format_value(e.ci_low(), unit);
  out += ", ";
  out += format_value(e.ci_high(), unit);
  out += "]";
  return out;
}

}  // namespace

std::string format_count(double value) {
  if (std::abs(value) < 100 && value != std::round(value)) return printf_string("%.3g", value);
  const long long rounded = std::llround(value);
  std::string digits = std::to_string(std::llabs(rounded));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (rounded < 0 ? "-" : "") + out;
}

std::string format_percent(double share) {
  const double percent = share * 100;
  if (percent != 0 && std::abs(percent) < 0.1) return printf_string("%.3f%%", percent);
  return printf_string("%.2f%%", percent);
}

std::string format_run_table(const v1::RunResult& r) {
  const bool exact = r.method() == "exact";
  std::string out;
  out += "cjsim " + r.engine_version() + " | scenario " + r.scenario() +
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
           interval(it->second, row.unit, exact) + "\n";
  }

  out += "\nFunnel (share of people who reached the stage)\n";
  for (const v1::FunnelStage& stage : r.funnel()) {
    const double share = stage.reached().mean();
    const int width = static_cast<int>(std::round(std::clamp(share, 0.0, 1.0) * 30));
    out += "  " + pad(stage.stage(), 15) + pad(format_percent(share), 9, true) + "  " +
           pad(std::string(static_cast<size_t>(width), '#'), 31) +
           interval(stage.reached(), Unit::kShare, exact) + "\n";
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
  out += "  " + pad("touchpoint", 24) + pad("channel", 14) + pad("stage", 14) +
         pad("visits", 12, true) + pad("act rate", 10, true) + pad("conversions", 13, true) + "\n";
  for (size_t i = 0; i < shown; ++i) {
    const v1::TouchpointResult& tp = *touchpoints[i];
    const double visits = tp.visits().mean();
    out += "  " + pad(tp.id(), 24) + pad(tp.channel(), 14) + pad(tp.stage(), 14) +
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
           interval(p.conversion_rate(), Unit::kShare, exact) + "\n";
  }
  return out;
}

}  // namespace cjsim::cli
