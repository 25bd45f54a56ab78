// Loading scenarios: formats by extension, text / JSON / binary parsing,
// syntax errors with their place, and where fields were written.

#include "models/scenario_loader.h"

#include <filesystem>
#include <string>

#include <sys/stat.h>

#include <doctest/doctest.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include "tests/test_support.h"

namespace cjsim {
namespace {

using google::protobuf::util::MessageDifferencer;
using testing::kSmallJourney;
using testing::parse_text;

using testing::contains;

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

// The errors of parsing `content` as `format`, one formatted line each.
std::string errors_of(const std::string& content, ScenarioFormat format,
                      const std::string& path = "s") {
  Diagnostics diagnostics;
  CHECK_FALSE(parse_scenario(content, format, path, diagnostics));
  CHECK(diagnostics.has_errors());
  return diagnostics.to_string();
}

TEST_CASE("regression: unknown fields in binary files were kept silently") {
  v1::Scenario scenario = parse_text(kSmallJourney);
  scenario.GetReflection()->MutableUnknownFields(&scenario)->AddVarint(999, 1);
  v1::Simulation* simulation = scenario.mutable_simulation();
  simulation->GetReflection()->MutableUnknownFields(simulation)->AddFixed64(77, 5);
  v1::Cta* cta = scenario.mutable_touchpoints(1)->mutable_cta();
  cta->GetReflection()->MutableUnknownFields(cta)->AddLengthDelimited(12, "x");
  CHECK(errors_of(scenario.SerializeAsString(), ScenarioFormat::kBinary, "s.binpb") ==
        "s.binpb: error: the scenario: unknown field number 999; cjsim.v1.Scenario has no such "
        "field\n"
        "s.binpb: error: simulation: unknown field number 77; cjsim.v1.Simulation has no such "
        "field\n"
        "s.binpb: error: touchpoints[1].cta: unknown field number 12; cjsim.v1.Cta has no such "
        "field\n");
}

TEST_CASE(
    "regression: strings that are not UTF-8 were accepted (text) or refused by a protobuf "
    "log line (binary)") {
  // Binary: the generated parser refuses it; the message names the field.
  v1::Scenario scenario = parse_text(kSmallJourney);
  scenario.mutable_touchpoints(1)->mutable_cta()->set_label("GoXX");
  std::string binary = scenario.SerializeAsString();
  binary.replace(binary.find("GoXX"), 4, "Go\xff\xfe");
  CHECK(errors_of(binary, ScenarioFormat::kBinary) ==
        "s: error: touchpoints[1].cta.label: not valid UTF-8 (byte 0xff at offset 2)\n");

  // Text format takes the escape; the check after parsing finds the line.
  std::string text = std::string(kSmallJourney) + "channels { id: \"tv\" }\n" +
                     "personas { id: \"p\" channel_affinity { key: \"t\\377\" value: 1 } }\n";
  const std::string errors = errors_of(text, ScenarioFormat::kText);
  CHECK(contains(errors,
                 ": error: personas[2].channel_affinity[0].key: not valid UTF-8 (byte "
                 "0xff at offset 1)"));
  CHECK(contains(errors, "s:17:"));

  // JSON: the scanner refuses the bytes, and lone surrogates in escapes.
  CHECK(errors_of("{\"name\": \"\xc3(\"}", ScenarioFormat::kJson) ==
        "s:1:11: error: invalid JSON: a string is not valid UTF-8 (byte 0xc3)\n");
  CHECK(contains(errors_of(R"({"name": "\ud800"})", ScenarioFormat::kJson),
                 "s:1:11: error: invalid JSON: a \\u escape is half of a UTF-16 pair"));
}

TEST_CASE(
    "regression: a binary file loaded as text said 'no personas' or 'invalid control "
    "characters'") {
  const std::string binary = parse_text(kSmallJourney).SerializeAsString();
  REQUIRE(binary.find('\0') != std::string::npos);
  CHECK(errors_of(binary, ScenarioFormat::kText) ==
        "s: error: not a text-format scenario (it contains NUL bytes; use .binpb for binary)\n");
  CHECK(errors_of(std::string("{\"name\": 1}\0", 12), ScenarioFormat::kJson) ==
        "s: error: not a JSON scenario (it contains NUL bytes; use .binpb for binary)\n");
}

TEST_CASE(
    "regression: an unknown field or enum value in text format got no 'did you mean' (cli.md "
    "promises it)") {
  // Protobuf said 'Message type "cjsim.v1.Channel" has no field named
  // "weekly_budgt".' and 'Unknown enumeration value of "AWARENES" for field
  // "stage".'; the place is still protobuf's (for an enum value, the token
  // after it).
  CHECK(errors_of("channels {\n  id: \"web\" weekly_budgt: 1 }", ScenarioFormat::kText) ==
        "s:2:25: error: Channel has no field 'weekly_budgt' (did you mean 'weekly_budget'?)\n");
  CHECK(errors_of("touchpoints { stage: AWARENES }", ScenarioFormat::kText) ==
        "s:1:31: error: stage: 'AWARENES' is not a Stage; did you mean AWARENESS? use "
        "AWARENESS, CONSIDERATION, DECISION or LOYALTY\n");
  // Lower case is close; a name far from all of them gets the list only.
  CHECK(
      contains(errors_of("loyalty { referral { landing_stage: decision } }", ScenarioFormat::kText),
               "landing_stage: 'decision' is not a Stage; did you mean DECISION? use"));
  CHECK(
      contains(errors_of("touchpoints { stage: SOON }", ScenarioFormat::kText),
               "stage: 'SOON' is not a Stage; use AWARENESS, CONSIDERATION, DECISION or LOYALTY"));
  // In variants, and a name with nothing close.
  CHECK(contains(errors_of("variants { name: \"v\" cta_changes { act_probabilty: 1 } }",
                           ScenarioFormat::kText),
                 "CtaChange has no field 'act_probabilty' (did you mean 'act_probability'?)"));
  CHECK(
      contains(errors_of("colour: 3", ScenarioFormat::kText), "Scenario has no field 'colour'\n"));
  // Other syntax errors are protobuf's words.
  CHECK(contains(errors_of("simulation { agents: x }", ScenarioFormat::kText),
                 "Expected integer, got: x"));
}

TEST_CASE("regression: JSON range errors and protobuf's quoted context") {
  // The field's key, and protobuf's first line only.
  const std::string errors =
      errors_of("{\n  \"simulation\": {\"horizonDays\": 1e10}\n}", ScenarioFormat::kJson);
  CHECK(errors ==
        "s:2:18: error: not a cjsim.v1.Scenario: (simulation.horizon_days): invalid value "
        "10000000000 for type TYPE_INT32\n");
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

TEST_CASE(
    "regression: loader: a FIFO as the scenario blocked for ever and /dev/zero gave 'no "
    "personas'") {
  testing::TempDir dir;
  const std::string fifo = dir.file("pipe.textproto");
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  Diagnostics diagnostics;
  CHECK_FALSE(load_scenario(fifo, diagnostics));  // returns at once: nothing opens the pipe
  CHECK(diagnostics.to_string() == fifo + ": error: cannot read: is a FIFO (named pipe)\n");

  const std::string zero = dir.file("zero.textproto");
  std::filesystem::create_symlink("/dev/zero", zero);
  Diagnostics device;
  CHECK_FALSE(load_scenario(zero, device));
  CHECK(device.to_string() == zero + ": error: cannot read: is a character device\n");

  // A link to a regular file is read as the file.
  const std::string target = dir.write("small.textproto", kSmallJourney);
  std::filesystem::create_symlink(target, dir.file("link.textproto"));
  Diagnostics link;
  CHECK(load_scenario(dir.file("link.textproto"), link));

  Diagnostics empty;
  CHECK_FALSE(load_scenario(dir.write("empty.binpb", ""), empty));
  CHECK(empty.to_string() == dir.file("empty.binpb") + ": error: the file is empty\n");
}

}  // namespace
}  // namespace cjsim
