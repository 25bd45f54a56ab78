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

// Found by reading the scanner while writing the fuzz targets: the position
// of every key was counted from the start of the text, so a 1.8 MB file of
// 100,000 personas took 290 s to load.
TEST_CASE("json source map: regression: key positions were counted from the start, quadratic") {
  std::string text = "{\"personas\": [";
  for (int i = 0; i < 200000; ++i) text += (i ? ",\n" : "") + std::string("{\"id\": \"p\"}");
  text += "],\n\"name\": \"many\"}";
  JsonScan scan = scan_json(text);
  REQUIRE(scan.source_map);
  // Each character is counted once for the positions of all 400,001 keys
  // and elements; counted from the start for each, 10^11 times.
  CHECK(scan.counted_characters > 0);
  CHECK(scan.counted_characters <= text.size());
  CHECK(scan.source_map->locate({{"personas", 199999}, {"id"}}).line == 200000);
  CHECK(scan.source_map->locate({{"name"}}).line == 200001);
}

// Every element kept its whole path as a string: a 1 MB array nested 190
// deep took 650 MB and 200 s; a long key above a wide array, far more.
TEST_CASE("json source map: regression: each element kept its whole path, memory quadratic") {
  const std::string long_key(100000, 'k');
  std::string text = "{\"" + long_key + "\": " + std::string(150, '[');
  constexpr size_t kElements = 100000;
  for (size_t i = 0; i < kElements; ++i) text += i ? ",0" : "0";
  text += std::string(150, ']') + ", \"name\": 1}";
  JsonScan scan = scan_json(text);
  REQUIRE(scan.source_map);
  // Each node keeps its own key, written in the text, or its index in
  // brackets (at most "[99999]", 7 bytes, here): linear in the text. Whole
  // paths would keep the long key once per element, 10^10 bytes.
  CHECK(scan.kept_key_bytes >= long_key.size());
  CHECK(scan.kept_key_bytes <= text.size() + 7 * (kElements + 150));
  CHECK(scan.source_map->locate({{"name"}}).column == static_cast<int>(text.rfind("\"name\"")) + 1);
}

TEST_CASE(
    "json source map: past 2^20 keys and elements, positions fall back to the enclosing one") {
  std::string text = "{\"a\": [";
  for (int i = 0; i < (1 << 20) + 10; ++i) text += i ? ",1" : "1";
  text += "], \"touchpoints\": [{\"id\": \"t\"}]}";
  JsonScan scan = scan_json(text);
  REQUIRE(scan.source_map);
  CHECK(scan.source_map->locate({{"a", 5}}).column == 18);
  // Not recorded: unknown, not wrong.
  CHECK_FALSE(scan.source_map->locate({{"touchpoints", 0}, {"id"}}).known());
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
  // A key the schema does not have is refused where it is first written.
  CHECK(schema_error("{\"colour\": 1, \"colour\": 2}") ==
        std::make_pair(std::string("Scenario has no field 'colour'"), std::string("1:2")));
}

TEST_CASE("regression: an unknown JSON key or enum name got no 'did you mean' (nor its line)") {
  // Protobuf's parser said "(channels[0]) weeklyBudgt: Cannot find field." and
  // 'invalid value "AWARENES" for type ...', without the closest name.
  CHECK(schema_error("{\"channels\": [{\"id\": \"web\",\n  \"weeklyBudgt\": 1}]}") ==
        std::make_pair(std::string("Channel has no field 'weeklyBudgt' (did you mean "
                                   "'weeklyBudget'?)"),
                       std::string("2:3")));
  // A proto-style name gets the proto-style hint.
  CHECK(schema_error("{\"simulation\": {\"horizon_dayz\": 1}}").first ==
        "Simulation has no field 'horizon_dayz' (did you mean 'horizon_days'?)");
  // Inside variants and map values (loyalty.byGoalKind) too.
  CHECK(
      schema_error("{\"variants\": [{\"name\": \"v\", \"ctaChanges\": [{\"actProbabilty\": 1}]}]}")
          .first == "CtaChange has no field 'actProbabilty' (did you mean 'actProbability'?)");
  CHECK(schema_error("{\"loyalty\": {\"byGoalKind\": {\"donation\": {\"bgNbdd\": {}}}}}").first ==
        "RepeatModel has no field 'bgNbdd' (did you mean 'bgNbd'?)");
  // Nothing close: no hint.
  CHECK(schema_error("{\"colour\": 3}").first == "Scenario has no field 'colour'");

  CHECK(schema_error("{\"touchpoints\": [{\"id\": \"a\",\n \"stage\": \"AWARENES\"}]}") ==
        std::make_pair(std::string("stage: 'AWARENES' is not a Stage; did you mean AWARENESS? use "
                                   "AWARENESS, CONSIDERATION, DECISION or LOYALTY"),
                       std::string("2:11")));
  CHECK(schema_error("{\"loyalty\": {\"referral\": {\"landingStage\": \"decision\"}}}").first ==
        "landing_stage: 'decision' is not a Stage; did you mean DECISION? use AWARENESS, "
        "CONSIDERATION, DECISION or LOYALTY");
  CHECK(schema_error("{\"touchpoints\": [{\"stage\": \"SOON\"}]}").first ==
        "stage: 'SOON' is not a Stage; use AWARENESS, CONSIDERATION, DECISION or LOYALTY");
  // What protobuf reads is not refused: names, numbers, numbers in quotes,
  // null; escaped text is left to it.
  for (const char* stage :
       {"\"DECISION\"", "\"STAGE_UNSPECIFIED\"", "3", "\"3\"", "null", "\"\\u0044ECISION\""}) {
    CAPTURE(stage);
    CHECK(
        schema_error(std::string("{\"touchpoints\": [{\"stage\": ") + stage + "}]}").first.empty());
  }
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
