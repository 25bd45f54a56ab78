// Positions in JSON scenarios: syntax errors and field locations.

#include <doctest/doctest.h>

#include "models/json_source_map.h"
#include "models/scenario_loader.h"

namespace cjsim {
namespace {

TEST_CASE("json source map: syntax errors have the line and column of the fault") {
  struct Case {
    const char* text;
    int line, column;
    const char* says;
  };
  const Case cases[] = {
      {"{\n  \"a\": }", 2, 8, "expected a value"},
      {"{\"a\": 1,,}", 1, 9, "expected a quoted key"},
      {"[1, 2", 1, 6, "expected ',' or ']'"},
      {"{\"a\" 1}", 1, 6, "expected ':'"},
      {"{\"a\": \"x}", 1, 7, "unterminated string"},
      {"{\"a\": 01x}", 1, 9, "expected ',' or '}'"},
      {"{\"a\": -}", 1, 7, "invalid number"},
      {"{\"a\": tru}", 1, 7, "invalid literal"},
      {"{} {}", 1, 4, "after the end"},
      {"{\"a\": \"\\q\"}", 1, 8, "invalid escape"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    JsonScan scan = scan_json(c.text);
    REQUIRE(scan.syntax_error.has_value());
    CHECK(scan.syntax_error->find(c.says) != std::string::npos);
    CHECK(scan.error_location.line == c.line);
    CHECK(scan.error_location.column == c.column);
  }
  CHECK_FALSE(scan_json("{\"a\": [1, 2.5e-3, true, null, \"\\u00e9\"]}").syntax_error);
}

TEST_CASE("json source map: fields are found by proto or JSON name") {
  JsonScan scan = scan_json(
      "{\n"
      "  \"touchpoints\": [\n"
      "    {\"id\": \"a\"},\n"
      "    {\"id\": \"b\", \"cta\": {\"actProbability\": 2}}\n"
      "  ]\n"
      "}\n");
  REQUIRE(scan.source_map);
  const SourceMap& map = *scan.source_map;
  SourceLocation at = map.locate({{"touchpoints", 1}, {"cta"}, {"act_probability"}});
  CHECK(at.line == 4);
  CHECK(at.column == 25);
  // A field not written falls back to the closest enclosing one.
  at = map.locate({{"touchpoints", 0}, {"cta"}, {"act_probability"}});
  CHECK(at.line == 3);
  CHECK(at.column == 5);
  CHECK(locate_json_error(map, "(touchpoints[1].cta.actProbability): invalid").line == 4);
  CHECK(locate_json_error(map, "cta: Cannot find field.").line == 4);
  CHECK_FALSE(locate_json_error(map, "something else").known());
}

}  // namespace
}  // namespace cjsim
