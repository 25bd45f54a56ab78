// Calendar dates: formats, day numbers, and dates that are not days.

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

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

using Formats = std::vector<std::string_view>;

TEST_CASE("regression: a date-format mismatch did not say which format would read the file") {
  // The formats that read every date, in kCommonDateFormats' order.
  CHECK(date_formats_reading_all({"03/15/2024", "12/31/2023"}) == Formats{"%m/%d/%Y"});
  CHECK(date_formats_reading_all({"15/03/2024", "3/4/2024"}) == Formats{"%d/%m/%Y"});
  CHECK(date_formats_reading_all({"2024-03-15"}) == Formats{"%Y-%m-%d"});
  CHECK(date_formats_reading_all({"19970101", "19971231"}) == Formats{"%Y%m%d"});
  CHECK(date_formats_reading_all({"15.03.2024"}) == Formats{"%d.%m.%Y"});
  CHECK(date_formats_reading_all({"15 Mar 2024", "1 April 2024"}) == Formats{"%d %b %Y"});
  CHECK(date_formats_reading_all({"Mar 15, 2024"}) == Formats{"%b %d, %Y"});
  CHECK(date_formats_reading_all({"2024-03-15 10:22:01"}) == Formats{"%Y-%m-%d %H:%M:%S"});
  // Dates that do not tell day-first from month-first: both.
  CHECK(date_formats_reading_all({"03/04/2024", "05/06/2024"}) == Formats{"%m/%d/%Y", "%d/%m/%Y"});
  // Two-digit years: %Y would read "24" as the year 24, outside 1900-2199.
  CHECK(date_formats_reading_all({"03/15/24"}) == Formats{"%m/%d/%y"});
  // Two formats in one file, a date that is no day, nothing at all: none.
  CHECK(date_formats_reading_all({"2024-03-15", "03/16/2024"}).empty());
  CHECK(date_formats_reading_all({"2023-02-29"}).empty());
  CHECK(date_formats_reading_all({"soon"}).empty());
  CHECK(date_formats_reading_all({}).empty());
  // Each distinct date is parsed once: a long log of few days is cheap.
  std::vector<std::string_view> many(200000, "03/15/2024");
  many.push_back("12/31/2023");
  CHECK(date_formats_reading_all(many) == Formats{"%m/%d/%Y"});
}

}  // namespace
}  // namespace cjsim
