// Positions in JSON scenarios: syntax errors and field locations.

#include <string>
#include <utility>

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

TEST_CASE("json source map: a string that is not UTF-8 is a syntax error at its byte") {
  JsonScan scan = scan_json("{\n  \"name\": \"sm\xff\"\n}");
  REQUIRE(scan.syntax_error.has_value());
  CHECK(*scan.syntax_error == "a string is not valid UTF-8 (byte 0xff)");
  CHECK(scan.error_location.line == 2);
  CHECK(scan.error_location.column == 14);
  CHECK_FALSE(scan_json("{\"name\": \"caf\xc3\xa9\"}").syntax_error);
}

// The first schema error of `text` as a Scenario, and its "line:col".
std::pair<std::string, std::string> schema_error(const std::string& text) {
  JsonScan scan = scan_json(text, v1::Scenario::descriptor());
  CHECK_FALSE(scan.syntax_error);
  if (!scan.schema_error) return {"", ""};
  return {*scan.schema_error, std::to_string(scan.error_location.line) + ":" +
                                  std::to_string(scan.error_location.column)};
}

TEST_CASE("regression: duplicate JSON keys were taken silently (the last one won)") {
  CHECK(schema_error("{\"name\": \"a\",\n \"name\": \"b\"}") ==
        std::make_pair(std::string("duplicate key 'name'; first written at 1:2"),
                       std::string("2:2")));
  // The proto name and the JSON name of one field are the same key.
  CHECK(schema_error("{\"simulation\": {\"horizonDays\": 1, \"horizon_days\": 2}}").first ==
        "duplicate key 'horizon_days' (the same field as 'horizonDays'); first written at 1:17");
  // A list written twice would be joined into one.
  CHECK(schema_error("{\"personas\": [], \"personas\": []}").first ==
        "duplicate key 'personas'; first written at 1:2");
  // Inside list elements and map fields too; map keys are compared as written.
  CHECK(
      schema_error("{\"touchpoints\": [{\"id\": \"a\"}, {\"id\": \"b\", \"id\": \"c\"}]}").second ==
      "1:43");
  CHECK(schema_error("{\"personas\": [{\"channelAffinity\": {\"web\": 1, \"web\": 2}}]}").first ==
        "duplicate key 'web'; first written at 1:36");
  CHECK(schema_error("{\"personas\": [{\"channelAffinity\": {\"a_b\": 1, \"aB\": 2}}]}")
            .first.empty());
  // Keys the schema does not have are left to protobuf, but not twice.
  CHECK(schema_error("{\"nope\": 1, \"nope\": 2}").first ==
        "duplicate key 'nope'; first written at 1:2");
  CHECK(schema_error("{\"nope\": 1}").first.empty());
}

TEST_CASE("regression: a JSON object where the schema has a list was taken as one element") {
  CHECK(schema_error("{\n  \"personas\": {\"id\": \"x\"}\n}") ==
        std::make_pair(std::string("'personas' takes a list ([...]), not an object"),
                       std::string("2:15")));
  CHECK(schema_error("{\"simulation\": [{}]}").first ==
        "'simulation' takes an object ({...}), not a list");
  CHECK(schema_error("{\"name\": [\"a\"]}").first == "'name' takes one value, not a list");
  CHECK(schema_error("{\"personas\": [[{}]]}").first ==
        "'personas' takes an object ({...}) in each place of its list, not a list");
  CHECK(schema_error("{\"personas\": [{\"channelAffinity\": [1]}]}").first ==
        "'channel_affinity' takes an object ({...}), not a list");
  CHECK(schema_error("[]").first == "the top level takes an object ({...}), not a list");
  // null, lists of numbers and nested messages are as the schema says.
  CHECK(schema_error("{\"personas\": null, \"simulation\": null}").first.empty());
  CHECK(schema_error("{\"personas\": [{\"activeHours\": [1, 2], \"responsiveness\": "
                     "{\"decision\": 1}}], \"touchpoints\": [{\"cta\": {}}]}")
            .first.empty());
}

TEST_CASE("json source map: a protobuf error inside a map points at the map's key") {
  JsonScan scan = scan_json("{\"personas\": [\n {\"channelAffinity\": {\"web\": \"x\"}}]}");
  REQUIRE(scan.source_map);
  SourceLocation at =
      locate_json_error(*scan.source_map, "(personas[0].channel_affinity[0]): invalid value");
  CHECK(at.line == 2);
  CHECK(at.column == 3);
}

}  // namespace
}  // namespace cjsim
