#include "models/calendar_date.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <unordered_set>

namespace cjsim {

DateParse parse_date(std::string_view text, std::string_view format, int32_t* day) {
  // strptime reads C strings: a NUL would end the text early.
  if (text.empty() || text.find('\0') != std::string_view::npos ||
      format.find('\0') != std::string_view::npos) {
    return DateParse::kNoMatch;
  }
  const std::string text_string(text), format_string(format);
  std::tm fields{};
  fields.tm_mday = 1;
  const char* end = strptime(text_string.c_str(), format_string.c_str(), &fields);
  if (end == nullptr || *end != '\0') return DateParse::kNoMatch;
  // %s (seconds since 1970) reaches any year up to 2^31 + 1899; chrono's
  // years stop at 32767 (and tm_year + 1900 may not fit an int).
  const int64_t year = int64_t{fields.tm_year} + 1900;
  if (year < static_cast<int>(std::chrono::year::min()) ||
      year > static_cast<int>(std::chrono::year::max())) {
    return DateParse::kNotCalendarDate;
  }
  const std::chrono::year_month_day date{
      std::chrono::year(static_cast<int>(year)),
      std::chrono::month(static_cast<unsigned>(fields.tm_mon + 1)),
      std::chrono::day(static_cast<unsigned>(fields.tm_mday))};
  if (!date.ok()) return DateParse::kNotCalendarDate;
  *day = static_cast<int32_t>(std::chrono::sys_days(date).time_since_epoch().count());
  return DateParse::kOk;
}

std::string format_date(int32_t day) {
  const std::chrono::year_month_day date{std::chrono::sys_days(std::chrono::days(day))};
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buffer;
}

bool is_compact_date(std::string_view text) {
  if (text.size() != 8) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::vector<std::string_view> date_formats_reading_all(const std::vector<std::string_view>& dates) {
  constexpr int32_t kFirstDay =
      std::chrono::sys_days(std::chrono::year(1900) / 1 / 1).time_since_epoch().count();
  constexpr int32_t kLastDay =
      std::chrono::sys_days(std::chrono::year(2199) / 12 / 31).time_since_epoch().count();
  const std::unordered_set<std::string_view> distinct(dates.begin(), dates.end());
  std::vector<std::string_view> formats;
  if (distinct.empty()) return formats;
  for (std::string_view format : kCommonDateFormats) {
    bool all = true;
    for (std::string_view text : distinct) {
      int32_t day = 0;
      if (parse_date(text, format, &day) != DateParse::kOk || day < kFirstDay || day > kLastDay) {
        all = false;
        break;
      }
    }
    if (all) formats.push_back(format);
  }
  return formats;
}

}  // namespace cjsim
