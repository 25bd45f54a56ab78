// Calendar dates: formats, day numbers, and dates that are not days.

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

}  // namespace
}  // namespace cjsim
