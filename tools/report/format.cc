#include "tools/report/format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "sim/kpi_evidence.h"
#include "sim/planning.h"

namespace cjsim::report {

std::string printf_string(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

std::string pad(const std::string& text, size_t width, bool right) {
  size_t columns = 0;
  for (unsigned char c : text) columns += (c & 0xc0) != 0x80;
  if (columns >= width) return text;
  std::string fill(width - columns, ' ');
  return right ? fill + text : text + fill;
}

namespace {

// Digits with a comma every three from the right: "1234567" -> "1,234,567".
std::string group_thousands(const std::string& digits) {
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string format_real(double value, int significant) {
  if (!std::isfinite(value)) return std::isnan(value) ? "n/a" : (value > 0 ? "inf" : "-inf");
  if (value == 0) return "0";
  const double size = std::abs(value);
  // Beyond what a long long holds there are no digits worth separating.
  if (size >= 1e15) return printf_string("%.3g", value);
  const int magnitude = static_cast<int>(std::floor(std::log10(size)));
  const int decimals = std::max(0, significant - 1 - magnitude);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, size);
  std::string text = buffer;
  std::string whole = text.substr(0, text.find('.'));
  std::string fraction = text.size() > whole.size() ? text.substr(whole.size() + 1) : "";
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  if (whole.find_first_not_of('0') == std::string::npos && fraction.empty()) return "0";
  return (value < 0 ? "-" : "") + group_thousands(whole) + (fraction.empty() ? "" : "." + fraction);
}

std::string format_count(double value) {
  if (!std::isfinite(value)) return std::isnan(value) ? "n/a" : (value > 0 ? "inf" : "-inf");
  if (std::abs(value) < 100 && value != std::round(value)) return format_real(value, 3);
  return format_real(value, 1);
}

std::string format_percent(double share) {
  const double percent = share * 100;
  if (!std::isfinite(percent)) return format_real(percent, 3);
  // Below a thousandth of a percent, significant digits (never "0.000%").
  if (percent != 0 && std::abs(percent) < 0.001) return format_real(percent, 2) + "%";
  if (percent != 0 && std::abs(percent) < 0.1) return printf_string("%.3f%%", percent);
  if (std::abs(percent) < 0.005) return "0.00%";
  return printf_string("%.2f%%", percent);
}

std::string format_chance_interval(const v1::Estimate& chance) {
  // A Wilson interval is never a point; an exact estimate is.
  if (chance.std_error() == 0 && chance.ci_low() == chance.ci_high()) return "fixed by the plan";
  return "[" + format_percent(chance.ci_low()) + ", " + format_percent(chance.ci_high()) + "]";
}

std::string format_value(double v, Unit unit) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (std::isnan(v)) return "n/a";
  switch (unit) {
    case Unit::kShare:
      return format_percent(v);
    case Unit::kCount:
      return format_count(v);
    case Unit::kMoney:
      if (std::abs(v) >= 1000) return format_count(v);
      // Less than a cent: significant digits rather than "0.00" or "-0.00".
      if (v != 0 && std::abs(v) < 0.005) return format_real(v, 2);
      return printf_string("%.2f", v == 0 ? 0.0 : v);
    case Unit::kRatio:
      return format_real(v, 3);
  }
  return "";
}

std::string format_difference(double v, Unit unit) {
  if (std::isnan(v)) return "n/a";
  const std::string sign = v > 0 ? "+" : (v < 0 ? "-" : "");
  const double size = std::abs(v);
  if (unit == Unit::kShare) {
    const double points = size * 100;
    return sign +
           (points != 0 && points < 0.1 ? format_real(points, 2) : printf_string("%.2f", points)) +
           " pp";
  }
  return sign + format_value(size, unit);
}

std::string format_relative(double change) {
  if (std::isnan(change)) return "n/a";
  if (std::isinf(change)) return change > 0 ? "+inf" : "-inf";
  const double percent = change * 100;
  if (percent == 0) return "0.0%";
  // Below a tenth of a percent, significant digits (never "+0.0%" or "-0.000%").
  if (std::abs(percent) < 0.1) return (percent > 0 ? "+" : "") + format_real(percent, 2) + "%";
  return printf_string("%+.1f%%", percent);
}

std::string format_relative_interval(const v1::Estimate& e) {
  if (std::isnan(e.std_error())) return "n/a";
  if (e.std_error() == 0) return "(exact)";
  std::string out = "[";
  out += format_relative(e.ci_low());
  out += ", ";
  out += format_relative(e.ci_high());
  out += "]";
  return out;
}

std::string format_interval(const v1::Estimate& e, Unit unit, bool exact) {
  if (exact || e.n() == 0) return "(exact)";
  // The same in every replication is no evidence of exactness.
  if (e.std_error() == 0) return "no variation";
  // Appending (rather than "[" + ...) also avoids a GCC 12 -Wrestrict false positive.
  std::string out = "[";
  out += format_value(e.ci_low(), unit);
  out += ", ";
  out += format_value(e.ci_high(), unit);
  out += "]";
  // With parameter draws: the share of the variance the parameters add
  // (docs/model.md "Parameter uncertainty").
  if (e.has_parameter_draws() && e.std_error() > 0) {
    const double share =
        e.from_parameters() * e.from_parameters() / (e.std_error() * e.std_error());
    out += printf_string(" (%.0f%% from parameters)", share * 100);
  }
  return out;
}

std::string format_difference_interval(const v1::Estimate& e, Unit unit) {
  if (std::isnan(e.std_error())) return "n/a";
  if (e.n() == 0) return "(exact)";
  if (e.std_error() == 0) return "no variation";
  std::string out = "[";
  out += format_difference(e.ci_low(), unit);
  out += ", ";
  out += format_difference(e.ci_high(), unit);
  out += "]";
  return out;
}

Sampling sampling_of(const v1::RunResult& r) {
  auto cost = r.kpis().find("cost");
  return {r.method() == "exact", static_cast<double>(r.agents()),
          r.replications(),      r.population(),
          r.confidence(),        cost == r.kpis().end() || cost->second.mean() > 0};
}

std::string format_kpi_interval(std::string_view name, const v1::Estimate& e,
                                const Sampling& sampling) {
  const Unit unit = kpi_display(name).unit;
  if (sampling.exact || e.n() == 0 || kpi_fixed_by_model(name, sampling.buys_media)) {
    return "(exact)";
  }
  if (std::isnan(e.std_error())) return "n/a";
  if (e.std_error() != 0) return format_interval(e, unit);
  std::string out = "no variation";
  // The bound the simulation put in the estimate; else (an estimate written
  // by hand or by an older cjsim) the one `sampling` gives.
  std::optional<OneSidedBound> bound;
  if (e.has_one_sided_upper()) {
    bound = OneSidedBound{true, e.one_sided_upper()};
  } else if (e.has_one_sided_lower()) {
    bound = OneSidedBound{false, e.one_sided_lower()};
  } else {
    bound = no_variation_bound(name, e.mean(), sampling.agents, sampling.replications,
                               sampling.population, sampling.confidence);
  }
  if (bound) {
    out += std::string(bound->upper ? "; at most " : "; at least ") +
           format_value(bound->value, unit) + " (" +
           printf_string("%.0f", sampling.confidence * 100) + "%, one-sided)";
  } else {
    out += " in " + std::to_string(sampling.replications) + " replications";
  }
  return out;
}

std::string verdict_words(std::string verdict) {
  for (char& c : verdict) c = c == '_' ? ' ' : c;
  return verdict;
}

std::string arm_name(const std::string& variant) { return variant.empty() ? "baseline" : variant; }

std::string crn_gain(double ratio) {
  if (std::isnan(ratio)) return "n/a";
  // Beyond a thousandfold the figure is noise over a near-zero variance.
  if (ratio >= 1000) return "> 1,000x";
  return printf_string(ratio >= 10 ? "%.0fx" : "%.1fx", ratio);
}

std::vector<std::string> table_kpis(const google::protobuf::Map<std::string, v1::Estimate>& kpis) {
  std::vector<std::string> out;
  for (const char* name :
       {"conversion_rate", "conversions", "value", "cost", "profit", "cost_per_conversion", "roas",
        "reach_rate", "paid_exposures", "organic_exposures"}) {
    if (kpis.count(name)) out.push_back(name);
  }
  std::set<std::string> kinds;
  for (const auto& [name, estimate] : kpis) {
    if (name.rfind("conversions:", 0) == 0) kinds.insert(name.substr(12));
  }
  if (kinds.size() < 2) return out;
  for (const std::string& kind : kinds) {
    for (const char* base : {"conversions", "conversion_rate", "value", "cost_per_conversion"}) {
      const std::string name = std::string(base) + ":" + kind;
      if (kpis.count(name)) out.push_back(name);
    }
  }
  return out;
}

std::string format_p_value(double p) {
  return p < 0.001 ? "p < 0.001" : "p = " + format_real(p, 2);
}

std::string care_staffing_note(const v1::OptimizeResult& r, const std::string& channel) {
  if (channel != kCareStaffingName || !r.recommended().has_care_daily_capacity()) return "";
  return "staffing: " + format_real(r.current().care_daily_capacity(), 3) + " -> " +
         format_real(r.recommended().care_daily_capacity(), 3) + " answers a day";
}

std::string care_capacity_words(const v1::ResponseCurve& curve, double weekly_budget) {
  if (!(curve.care_cost_per_capacity_unit() > 0)) return "";
  return " = " + format_real(weekly_budget / (7 * curve.care_cost_per_capacity_unit()), 3) +
         " answers a day";
}

EngagementColumns engagement_columns(const v1::RunResult& r) {
  EngagementColumns columns;
  for (const v1::ChannelResult& c : r.channels()) {
    columns.capped = columns.capped || c.capped_exposures().mean() > 0 || c.unspent().mean() > 0;
    columns.audience = columns.audience || c.has_audience_size();
    columns.opt_outs = columns.opt_outs || c.has_opt_outs();
  }
  return columns;
}

std::vector<std::string> engagement_row(const v1::ChannelResult& c,
                                        const EngagementColumns& columns) {
  auto ratio = [](const v1::Estimate& e) {
    return std::isfinite(e.mean()) ? format_percent(e.mean()) : std::string("-");
  };
  std::vector<std::string> row = {c.id(), format_count(c.engagements().mean()),
                                  ratio(c.engagement_rate()), ratio(c.exposure_share())};
  if (columns.capped) {
    row.push_back(format_count(c.capped_exposures().mean()));
    row.push_back(format_value(c.unspent().mean(), Unit::kMoney));
  }
  if (columns.audience) {
    row.push_back(c.has_audience_size() ? format_count(c.audience_size().mean()) : "-");
  }
  if (columns.opt_outs) row.push_back(c.has_opt_outs() ? format_count(c.opt_outs().mean()) : "-");
  return row;
}

KpiDisplay kpi_display(std::string_view name) {
  const std::optional<KpiInfo> info = kpi_info(name);
  return info ? KpiDisplay{info->label, info->unit} : KpiDisplay{std::string(name), Unit::kCount};
}

}  // namespace cjsim::report
