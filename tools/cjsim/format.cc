#include "tools/cjsim/format.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <set>

namespace cjsim::cli {

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

std::string format_count(double value) {
  if (!std::isfinite(value)) return std::isnan(value) ? "n/a" : (value > 0 ? "inf" : "-inf");
  if (std::abs(value) < 100 && value != std::round(value)) return printf_string("%.3g", value);
  // Beyond what a long long holds (and any real count) there are no digits
  // worth separating.
  if (std::abs(value) >= 1e15) return printf_string("%.3g", value);
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

std::string format_difference(double v, Unit unit) {
  if (std::isnan(v)) return "n/a";
  const std::string sign = v > 0 ? "+" : (v < 0 ? "-" : "");
  const double size = std::abs(v);
  if (unit == Unit::kShare) {
    const double points = size * 100;
    return sign +
           (points != 0 && points < 0.1 ? printf_string("%.3f", points)
                                        : printf_string("%.2f", points)) +
           " pp";
  }
  return sign + format_value(size, unit);
}

std::string format_relative(double change) {
  if (std::isnan(change)) return "n/a";
  if (std::isinf(change)) return change > 0 ? "+inf" : "-inf";
  return printf_string(std::abs(change) < 0.001 && change != 0 ? "%+.3f%%" : "%+.1f%%",
                       change * 100);
}

std::string format_interval(const v1::Estimate& e, Unit unit, bool exact) {
  if (exact || e.std_error() == 0) return "(exact)";
  // Appending (rather than "[" + ...) also avoids a GCC 12 -Wrestrict false positive.
  std::string out = "[";
  out += format_value(e.ci_low(), unit);
  out += ", ";
  out += format_value(e.ci_high(), unit);
  out += "]";
  return out;
}

std::string format_difference_interval(const v1::Estimate& e, Unit unit) {
  if (std::isnan(e.std_error())) return "n/a";
  if (e.std_error() == 0) return "(exact)";
  std::string out = "[";
  out += format_difference(e.ci_low(), unit);
  out += ", ";
  out += format_difference(e.ci_high(), unit);
  out += "]";
  return out;
}

std::string arm_name(const std::string& variant) { return variant.empty() ? "baseline" : variant; }

std::string crn_gain(double ratio) {
  if (std::isinf(ratio)) return "inf";
  if (std::isnan(ratio)) return "n/a";
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

KpiDisplay kpi_display(std::string_view name) {
  const std::optional<KpiInfo> info = kpi_info(name);
  return info ? KpiDisplay{info->label, info->unit} : KpiDisplay{std::string(name), Unit::kCount};
}

}  // namespace cjsim::cli
