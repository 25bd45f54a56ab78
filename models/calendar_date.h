// Calendar dates as whole days since 1970-01-01 (proleptic Gregorian), read
// with strftime-style formats and written as ISO 8601 (YYYY-MM-DD).
// Pure functions; call from any thread.
#ifndef CJSIM_MODELS_CALENDAR_DATE_H_
#define CJSIM_MODELS_CALENDAR_DATE_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace cjsim {

inline constexpr std::string_view kIsoDateFormat = "%Y-%m-%d";
inline constexpr std::string_view kCompactDateFormat = "%Y%m%d";

enum class DateParse {
  kOk,
  kNoMatch,          // the text does not match the format (or has text after it)
  kNotCalendarDate,  // it matches, but names no day (1997-02-30)
};

// Reads `text` with `format`, in the conversions of POSIX strptime (%Y, %m,
// %d, %b, %y, literal text; a format without %d means the 1st of the month).
// The whole text must match. On kOk sets `*day` to the day number.
DateParse parse_date(std::string_view text, std::string_view format, int32_t* day);

// "1997-09-30".
std::string format_date(int32_t day);

// Exactly eight digits, as in 19970930: the compact ISO 8601 form.
bool is_compact_date(std::string_view text);

}  // namespace cjsim

#endif  // CJSIM_MODELS_CALENDAR_DATE_H_
