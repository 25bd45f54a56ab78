// Calendar dates as whole days since 1970-01-01 (proleptic Gregorian), read
// with strftime-style formats and written as ISO 8601 (YYYY-MM-DD).
// Pure functions; call from any thread.
#ifndef CJSIM_MODELS_CALENDAR_DATE_H_
#define CJSIM_MODELS_CALENDAR_DATE_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

// The ways dates are commonly written, as parse_date formats: ISO 8601 and
// its compact form, month-first and day-first with slashes, dots or dashes
// and two- or four-digit years, month names, and ISO timestamps (the time is
// read and dropped).
inline constexpr std::array<std::string_view, 20> kCommonDateFormats = {
    "%Y-%m-%d",          "%Y%m%d",         "%Y/%m/%d",          "%m/%d/%Y",
    "%d/%m/%Y",          "%m/%d/%y",       "%d/%m/%y",          "%d.%m.%Y",
    "%d.%m.%y",          "%d-%m-%Y",       "%m-%d-%Y",          "%d %b %Y",
    "%d-%b-%Y",          "%d-%b-%y",       "%b %d %Y",          "%b %d, %Y",
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ",
};

// The formats of kCommonDateFormats that read every one of `dates` as a day
// from 1900 to 2199, in that list's order: what to suggest when a file's
// dates do not match the format given. Several when the dates do not tell
// them apart (03/04/2024 is read by %m/%d/%Y and by %d/%m/%Y); none when the
// file mixes formats or has a date that is no day. The years rule out
// readings such as %Y of "24" (the year 24); a two-digit year reads as
// 1969 to 2068, as POSIX strptime has it. Each distinct text is parsed once
// per format, so a long log of few distinct days is cheap.
std::vector<std::string_view> date_formats_reading_all(const std::vector<std::string_view>& dates);

}  // namespace cjsim

#endif  // CJSIM_MODELS_CALENDAR_DATE_H_
