// Calendar dates: formats, day numbers, and dates that are not days.

#include <ctime>
#include <string>

#include <doctest/doctest.h>

#include "models/calendar_date.h"

namespace cjsim {
namespace {

TEST_CASE("calendar date: ISO and compact formats give the same day numbers") {
  int32_t day = -1;
  REQUIRE(parse_date("1970-01-01", kIsoDateFormat, &day) == DateParse::kOk);
  CHECK(day == 0);
  REQUIRE(parse_date("1997-09-30", kIsoDateFormat, &day) == DateParse::kOk);
  CHECK(day == 10134);
  CHECK(format_date(day) == "1997-09-30");
  int32_t compact = -1;
  REQUIRE(parse_date("19970930", kCompactDateFormat, &compact) == DateParse::kOk);
  CHECK(compact == day);
  // 39 weeks of CDNOW's calibration: 1997-01-01 to 1997-09-30 is 272 days.
  int32_t start = 0;
  REQUIRE(parse_date("1997-01-01", kIsoDateFormat, &start) == DateParse::kOk);
  CHECK(day - start == 272);
  REQUIRE(parse_date("2000-02-29", kIsoDateFormat, &day) == DateParse::kOk);
  CHECK(format_date(day + 1) == "2000-03-01");
  REQUIRE(parse_date("30/09/1997", "%d/%m/%Y", &day) == DateParse::kOk);
  CHECK(format_date(day) == "1997-09-30");
  REQUIRE(parse_date("1997-09", "%Y-%m", &day) == DateParse::kOk);
  CHECK(format_date(day) == "1997-09-01");
  CHECK(format_date(-1) == "1969-12-31");
}

TEST_CASE("calendar date: text that does not match, and dates that are not days") {
  int32_t day = 0;
  CHECK(parse_date("1997-13-01", kIsoDateFormat, &day) == DateParse::kNoMatch);
  CHECK(parse_date("19970101", kIsoDateFormat, &day) == DateParse::kNoMatch);
  CHECK(parse_date("1997-01-01x", kIsoDateFormat, &day) == DateParse::kNoMatch);
  CHECK(parse_date("", kIsoDateFormat, &day) == DateParse::kNoMatch);
  CHECK(parse_date("1997-02-30", kIsoDateFormat, &day) == DateParse::kNotCalendarDate);
  CHECK(parse_date("1900-02-29", kIsoDateFormat, &day) == DateParse::kNotCalendarDate);
  CHECK(is_compact_date("19970101"));
  CHECK_FALSE(is_compact_date("1997-01-01"));
  CHECK_FALSE(is_compact_date("1997010"));
}

// Found while writing the transaction_log fuzz target (`--date-format %s`,
// seconds since 1970): a time in the year 2^31 + 1899 overflowed
// tm_year + 1900 (undefined behaviour), and a year past 32767 wrapped round
// to a wrong but valid year (67536 read as 2000).
TEST_CASE("calendar date: regression: %s years past 32767 overflowed or wrapped") {
  int32_t day = 0;
  CHECK(parse_date("67768036191676799", "%s", &day) == DateParse::kNotCalendarDate);
  std::tm fields{};
  fields.tm_year = 67536 - 1900;
  fields.tm_mday = 1;
  const std::string seconds = std::to_string(timegm(&fields));
  CHECK(parse_date(seconds, "%s", &day) == DateParse::kNotCalendarDate);
  // A day and a half: day 1 in any time zone.
  REQUIRE(parse_date("129600", "%s", &day) == DateParse::kOk);
  CHECK(day == 1);
}

TEST_CASE("calendar date: a NUL in the text or the format does not match") {
  int32_t day = 0;
  using namespace std::string_view_literals;
  CHECK(parse_date("1997-01-01\0junk"sv, kIsoDateFormat, &day) == DateParse::kNoMatch);
  CHECK(parse_date("1997-01-01"sv, "%Y-%m-%d\0%H"sv, &day) == DateParse::kNoMatch);
}

}  // namespace
}  // namespace cjsim
