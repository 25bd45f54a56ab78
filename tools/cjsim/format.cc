#include "tools/cjsim/format.h"

#include <cmath>
#include <cstdio>
#include <map>

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

KpiDisplay kpi_display(std::string_view name) {
  static const std::map<std::string_view, KpiDisplay> known = {
      {"awareness_rate", {"awareness rate", Unit::kShare}},
      {"complaints", {"complaints", Unit::kCount}},
      {"complaints_answered_in_sla", {"complaints answered within the SLA", Unit::kShare}},
      {"consideration_rate", {"consideration rate", Unit::kShare}},
      {"conversion_rate", {"conversion rate", Unit::kShare}},
      {"conversions", {"conversions", Unit::kCount}},
      {"cost", {"cost", Unit::kMoney}},
      {"cost_per_conversion", {"cost per conversion", Unit::kMoney}},
      {"customer_value", {"value per customer", Unit::kMoney}},
      {"decision_rate", {"decision rate", Unit::kShare}},
      {"impressions_bought", {"impressions bought", Unit::kCount}},
      {"loyalty_rate", {"loyalty rate", Unit::kShare}},
      {"mean_response_days", {"mean days to answer a complaint", Unit::kRatio}},
      {"organic_exposures", {"organic exposures", Unit::kCount}},
      {"paid_exposures", {"paid exposures", Unit::kCount}},
      {"praises", {"public praises", Unit::kCount}},
      {"reach_rate", {"reached by any channel", Unit::kShare}},
      {"referrals", {"referrals", Unit::kCount}},
      {"referred_conversions", {"conversions from referrals", Unit::kCount}},
      {"repeat_conversions", {"repeat conversions", Unit::kCount}},
      {"repeat_rate", {"customers who came back", Unit::kShare}},
      {"repeats_per_customer", {"repeats per customer", Unit::kRatio}},
      {"retention_rate", {"customers still active", Unit::kShare}},
      {"roas", {"return on ad spend", Unit::kRatio}},
      {"value", {"value", Unit::kMoney}},
  };
  auto it = known.find(name);
  return it == known.end() ? KpiDisplay{name, Unit::kCount} : it->second;
}

}  // namespace cjsim::cli
