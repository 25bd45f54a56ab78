// Loading scenarios: formats by extension, text / JSON / binary parsing,
// syntax errors with their place, and where fields were written.

#include "models/scenario_loader.h"

#include <filesystem>
#include <string>

#include <doctest/doctest.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include "tests/test_support.h"

namespace cjsim {
namespace {

using google::protobuf::util::MessageDifferencer;
using testing::kSmallJourney;
using testing::parse_text;

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

TEST_CASE("scenario loader: format_for_path goes by the extension") {
  CHECK(format_for_path("a.textproto") == ScenarioFormat::kText);
  CHECK(format_for_path("dir/a.txtpb") == ScenarioFormat::kText);
  CHECK(format_for_path("a.pbtxt") == ScenarioFormat::kText);
  CHECK(format_for_path("a.json") == ScenarioFormat::kJson);
  CHECK(format_for_path("/tmp/x.y.json") == ScenarioFormat::kJson);
  CHECK(format_for_path("a.binpb") == ScenarioFormat::kBinary);
  CHECK(format_for_path("a.pb") == ScenarioFormat::kBinary);
  CHECK_FALSE(format_for_path("a.yaml"));
  CHECK_FALSE(format_for_path("a.textproto.bak"));
  CHECK_FALSE(format_for_path("json"));
  CHECK_FALSE(format_for_path("a"));
  CHECK_FALSE(format_for_path(""));
  CHECK_FALSE(format_for_path("a.json/b"));
}

TEST_CASE("scenario loader: to_string(FieldPath)") {
  CHECK(to_string(FieldPath{}).empty());
  CHECK(to_string({{"simulation"}, {"agents"}}) == "simulation.agents");
  CHECK(to_string({{"touchpoints", 3}, {"cta"}, {"act_probability"}}) ==
        "touchpoints[3].cta.act_probability");
  CHECK(to_string({{"personas", 0}, {"active_hours", 23}}) == "personas[0].active_hours[23]");
}

TEST_CASE("scenario loader: text format") {
  Diagnostics diagnostics;
  std::optional<LoadedScenario> loaded =
      parse_scenario(kSmallJourney, ScenarioFormat::kText, "small.textproto", diagnostics);
  REQUIRE(loaded);
  CHECK(diagnostics.items().empty());
  CHECK(diagnostics.file() == "small.textproto");
  CHECK(loaded->path == "small.textproto");
  CHECK(loaded->source_map != nullptr);
  CHECK(MessageDifferencer::Equals(loaded->scenario, parse_text(kSmallJourney)));
}

TEST_CASE("scenario loader: JSON and binary give the same scenario") {
  const v1::Scenario expected = parse_text(kSmallJourney);

  std::string json;
  REQUIRE(google::protobuf::util::MessageToJsonString(expected, &json).ok());
  Diagnostics diagnostics;
  std::optional<LoadedScenario> from_json =
      parse_scenario(json, ScenarioFormat::kJson, "small.json", diagnostics);
  REQUIRE(from_json);
  CHECK(diagnostics.items().empty());
  CHECK(MessageDifferencer::Equals(from_json->scenario, expected));

  // proto field names are accepted as well as the camelCase JSON names.
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string snake;
  REQUIRE(google::protobuf::util::MessageToJsonString(expected, &snake, options).ok());
  CHECK(contains(snake, "act_probability"));
  from_json = parse_scenario(snake, ScenarioFormat::kJson, "small.json", diagnostics);
  REQUIRE(from_json);
  CHECK(MessageDifferencer::Equals(from_json->scenario, expected));

  const std::string binary = expected.SerializeAsString();
  std::optional<LoadedScenario> from_binary =
      parse_scenario(binary, ScenarioFormat::kBinary, "small.binpb", diagnostics);
  REQUIRE(from_binary);
  CHECK(diagnostics.items().empty());
  CHECK(from_binary->scenario.SerializeAsString() == binary);
  CHECK(from_binary->source_map == nullptr);
}

TEST_CASE("scenario loader: syntax errors say where") {
  SUBCASE("text format") {
    Diagnostics diagnostics;
    CHECK_FALSE(parse_scenario("name: \"x\"\npersonas {\n  share: oops\n}\n", ScenarioFormat::kText,
                               "bad.textproto", diagnostics));
    REQUIRE(diagnostics.error_count() >= 1);
    const Diagnostic& d = diagnostics.items()[0];
    CHECK(d.file == "bad.textproto");
    CHECK(d.location.line == 3);
    CHECK(d.location.column == 10);
    CHECK(contains(format_diagnostic(d), "bad.textproto:3:10: error: "));
  }
  SUBCASE("text format, unknown field") {
    Diagnostics diagnostics;
    CHECK_FALSE(parse_scenario("name: \"x\"\ncolour: 3\n", ScenarioFormat::kText, "bad.textproto",
                               diagnostics));
    REQUIRE(diagnostics.has_errors());
    CHECK(diagnostics.items()[0].location.line == 2);
    CHECK(contains(diagnostics.items()[0].message, "colour"));
  }
  SUBCASE("JSON") {
    Diagnostics diagnostics;
    CHECK_FALSE(parse_scenario(R"({"name": )", ScenarioFormat::kJson, "bad.json", diagnostics));
    REQUIRE(diagnostics.error_count() == 1);
    CHECK(diagnostics.items()[0].file == "bad.json");
    CHECK(contains(diagnostics.items()[0].message, "invalid JSON"));
  }
  SUBCASE("JSON with an unknown field") {
    Diagnostics diagnostics;
    CHECK_FALSE(parse_scenario(R"({"name": "x", "colour": 3})", ScenarioFormat::kJson, "bad.json",
                               diagnostics));
    REQUIRE(diagnostics.error_count() == 1);
    CHECK(contains(diagnostics.items()[0].message, "colour"));
  }
  SUBCASE("binary") {
    Diagnostics diagnostics;
    CHECK_FALSE(parse_scenario(std::string("\xff\xff\xff\xff", 4), ScenarioFormat::kBinary,
                               "bad.binpb", diagnostics));
    REQUIRE(diagnostics.error_count() == 1);
    CHECK(diagnostics.items()[0].message == "not a binary cjsim.v1.Scenario message");
  }
}

TEST_CASE("scenario loader: SourceMap::locate finds nested fields") {
  // Lines as in kSmallJourney, which starts with a newline (line 1 is empty).
  Diagnostics diagnostics;
  std::optional<LoadedScenario> loaded =
      parse_scenario(kSmallJourney, ScenarioFormat::kText, "small.textproto", diagnostics);
  REQUIRE(loaded);
  auto at = [&](const FieldPath& path) {
    SourceLocation l = loaded->locate(path);
    return std::to_string(l.line) + ":" + std::to_string(l.column);
  };
  CHECK(at({{"name"}}) == "2:1");
  CHECK(at({{"simulation"}}) == "3:1");
  CHECK(at({{"simulation"}, {"agents"}}) == "3:31");
  CHECK(at({{"personas", 1}}) == "5:1");
  CHECK(at({{"personas", 1}, {"memory_half_life_days"}}) == "5:33");
  CHECK(at({{"personas", 0}, {"responsiveness"}}) == "4:35");
  CHECK(at({{"touchpoints", 0}, {"cta"}}) == "8:59");
  CHECK(at({{"touchpoints", 0}, {"cta"}, {"act_probability"}}) == "8:85");
  CHECK(at({{"touchpoints", 2}, {"goal"}, {"kind"}}) == "10:68");
  CHECK(at({{"edges", 2}, {"delay_days"}}) == "14:43");
  CHECK(at({{"variants", 0}, {"cta_changes", 0}, {"act_probability"}}) == "15:56");

  // Fields not written: the closest enclosing message that was.
  CHECK(at({{"touchpoints", 3}, {"cta"}, {"act_probability"}}) == "11:1");
  CHECK(at({{"edges", 0}, {"weight"}}) == "12:1");
  CHECK(at({{"simulation"}, {"confidence"}}) == "3:1");
  // Nothing written at all: unknown.
  CHECK(at({{"touchpoints", 99}}) == "0:0");
  CHECK(at({{"description"}}) == "0:0");
  CHECK(at({{"no_such_field"}}) == "0:0");
  CHECK(at({}) == "0:0");
}

TEST_CASE("scenario loader: load_scenario reads files") {
  testing::TempDir dir;
  Diagnostics diagnostics;
  std::optional<LoadedScenario> loaded =
      load_scenario(dir.write("small.textproto", kSmallJourney), diagnostics);
  REQUIRE(loaded);
  CHECK(MessageDifferencer::Equals(loaded->scenario, parse_text(kSmallJourney)));
  CHECK(loaded->source_map != nullptr);

  const std::string binary_path =
      dir.write("small.binpb", parse_text(kSmallJourney).SerializeAsString());
  loaded = load_scenario(binary_path, diagnostics);
  REQUIRE(loaded);
  CHECK(loaded->path == binary_path);
  CHECK(MessageDifferencer::Equals(loaded->scenario, parse_text(kSmallJourney)));
  CHECK(diagnostics.items().empty());

  Diagnostics missing;
  CHECK_FALSE(load_scenario(dir.file("missing.json"), missing));
  REQUIRE(missing.error_count() == 1);
  CHECK(format_diagnostic(missing.items()[0]) ==
        dir.file("missing.json") + ": error: cannot open: No such file or directory");

  Diagnostics unknown;
  CHECK_FALSE(load_scenario(dir.write("small.txt", kSmallJourney), unknown));
  REQUIRE(unknown.error_count() == 1);
  CHECK(contains(unknown.items()[0].message, "unknown scenario format"));

  Diagnostics folder;
  std::filesystem::create_directory(dir.file("folder.json"));
  CHECK_FALSE(load_scenario(dir.file("folder.json"), folder));
  REQUIRE(folder.error_count() == 1);
  CHECK(folder.items()[0].message == "cannot read: is a directory");
}

}  // namespace
}  // namespace cjsim
