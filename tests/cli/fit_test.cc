// End-to-end tests of `cjsim fit --paths`: the written scenario validates,
// `run --exact` on it gives the data's conversion probability and Monte
// Carlo agrees within its interval; a channel switched off in a variant
// gives the removal effect `attribute --paths` computes; --stage; the
// shared sample (skipped without it); and every bad input: exit status 2,
// a message naming the file or the option, and nothing written.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "cjsim/v1/attribution.pb.h"
#include "cjsim/v1/result.pb.h"
#include "tests/test_support.h"

namespace cjsim::testing {
namespace {

constexpr double kRate = 17.0 / 70;

double exact_rate(const std::string& scenario, const std::string& variant = "") {
  CliResult r = run_cli("run " + scenario + " --exact --quiet --json -" +
                        (variant.empty() ? "" : " --variant " + variant));
  REQUIRE_MESSAGE(r.status == 0, r.err);
  return parse_json<v1::RunResult>(r.out).kpis().at("conversion_rate").mean();
}

// Only `kept` in the folder: nothing else written, no temporary file left.
void check_only(const TempDir& dir, const std::vector<std::string>& kept) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  CHECK(names == kept);
}

TEST_CASE("cli fit: writes a scenario that validates, solves to the data's rate, and simulates") {
  TempDir dir;
  const std::string paths = dir.write("paths.csv", kFitPaths);
  const std::string out = dir.file("fitted.textproto");
  CliResult r = run_cli("fit --paths " + paths + " -o " + out);
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(contains(r.out, "Markov chain of order 1, 4 states"));
  CHECK(contains(r.out, "wrote " + out + ": 5 touchpoints (2 entries and the conversion)"));
  CHECK(contains(r.out, "conversion probability 17 / 70 = 24.29%"));
  const std::string text = read_file(out);
  CHECK(contains(text, "# proto-message: cjsim.v1.Scenario"));
  CHECK(contains(text, "fit --paths"));

  CliResult valid = run_cli("validate " + out);
  CHECK_MESSAGE(valid.status == 0, valid.err);
  CHECK_FALSE(contains(valid.err, "warning"));
  CHECK(std::abs(exact_rate(out) - kRate) < 1e-9);

  // Monte Carlo within its interval of the exact figure.
  CliResult mc = run_cli("run " + out + " --quiet --json - --agents 20000 --replications 16");
  REQUIRE_MESSAGE(mc.status == 0, mc.err);
  const v1::Estimate rate = parse_json<v1::RunResult>(mc.out).kpis().at("conversion_rate");
  CHECK(covers(rate, kRate));
  check_only(dir, {"fitted.textproto", "paths.csv"});

  // Order 3 too, and --quiet prints nothing.
  CliResult third = run_cli("fit --paths " + paths + " --order 3 --quiet -o " + out);
  REQUIRE_MESSAGE(third.status == 0, third.err);
  CHECK(third.out.empty());
  CHECK(std::abs(exact_rate(out) - kRate) < 1e-9);
}

// Fits `paths` at `order` into DIR/fittedORDER.textproto; its path.
std::string fit_order(const TempDir& dir, const std::string& paths, const std::string& order) {
  const std::string out = dir.file("fitted" + order + ".textproto");
  CliResult r = run_cli("fit --paths " + paths + " --order " + order + " -o " + out);
  REQUIRE_MESSAGE(r.status == 0, r.err);
  return out;
}

// The removal effect of `attribute --paths` against a variant of the written
// scenario with the channel switched off, at orders 1 and 2. email and
// display start no path; facebook and search do (an agent whose entry
// touchpoint is switched off does not start, as the Markov removal sends
// the start into a removed state to null).
void check_removals(const std::vector<std::string>& channels) {
  TempDir dir;
  const std::string paths = dir.write("paths.csv", kFitPaths);
  for (const std::string order : {"1", "2"}) {
    CAPTURE(order);
    const std::string out = fit_order(dir, paths, order);
    std::string text = read_file(out);
    for (const std::string& c : channels) {
      text += "variants { name: \"no_" + c + "\" channel_changes { channel: \"" + c +
              "\" enabled: false } }\n";
    }
    dir.write("fitted" + order + ".textproto", text);
    CliResult a = run_cli("attribute --paths " + paths + " --order " + order +
                          " --method markov --quiet --json -");
    REQUIRE_MESSAGE(a.status == 0, a.err);
    const auto attribution = parse_json<v1::AttributionResult>(a.out);
    for (const v1::ChannelAttribution& c : attribution.channels()) {
      if (std::find(channels.begin(), channels.end(), c.channel()) == channels.end()) continue;
      CAPTURE(c.channel());
      const double removed = exact_rate(out, "no_" + c.channel());
      CHECK(std::abs((1 - removed / exact_rate(out)) - c.removal_effect()) < 1e-6);
    }
  }
}

TEST_CASE("cli fit: a channel switched off gives attribute's removal effect (no entries)") {
  check_removals({"email", "display"});
}

TEST_CASE("cli fit: a channel with entries switched off gives attribute's removal effect") {
  check_removals({"facebook", "search"});
}

TEST_CASE("cli fit: attribute on the fitted scenario gives the path log's removal effects") {
  TempDir dir;
  const std::string paths = dir.write("paths.csv", kFitPaths);
  for (const std::string order : {"1", "2"}) {
    CAPTURE(order);
    const std::string out = fit_order(dir, paths, order);
    CliResult on_paths = run_cli("attribute --paths " + paths + " --order " + order +
                                 " --method markov --quiet --json -");
    REQUIRE_MESSAGE(on_paths.status == 0, on_paths.err);
    CliResult on_scenario = run_cli("attribute " + out + " --exact --quiet --json -");
    REQUIRE_MESSAGE(on_scenario.status == 0, on_scenario.err);
    const auto expected = parse_json<v1::AttributionResult>(on_paths.out);
    const auto got = parse_json<v1::AttributionResult>(on_scenario.out);
    CHECK(std::abs(got.conversion_probability() - expected.conversion_probability()) < 1e-9);
    int compared = 0;
    for (const v1::ChannelAttribution& e : expected.channels()) {
      for (const v1::ChannelAttribution& g : got.channels()) {
        if (g.channel() != e.channel()) continue;
        CAPTURE(e.channel());
        CHECK(std::abs(g.removal_effect() - e.removal_effect()) < 1e-6);
        ++compared;
      }
    }
    CHECK(compared == expected.channels_size());
  }
}

TEST_CASE("cli fit: --stage places a channel's touchpoints, and the goal is at DECISION") {
  TempDir dir;
  const std::string paths = dir.write("paths.csv", kFitPaths);
  const std::string out = dir.file("fitted.textproto");
  CliResult r = run_cli("fit --paths " + paths + " --stage facebook=awareness --stage " +
                        "email=DECISION -o " + out);
  REQUIRE_MESSAGE(r.status == 0, r.err);
  const v1::Scenario scenario = [&] {
    v1::Scenario s;
    std::string text = read_file(out);
    REQUIRE(google::protobuf::TextFormat::ParseFromString(text, &s));
    return s;
  }();
  int seen = 0;
  for (const v1::Touchpoint& t : scenario.touchpoints()) {
    CAPTURE(t.id());
    if (t.channel() == "facebook") CHECK(t.stage() == v1::AWARENESS);
    if (t.channel() == "email") CHECK(t.stage() == v1::DECISION);
    if (t.channel() == "search" || t.channel() == "display") CHECK(t.stage() == v1::CONSIDERATION);
    if (t.has_goal()) CHECK(t.stage() == v1::DECISION);
    ++seen;
  }
  CHECK(seen == 5);
}

TEST_CASE("cli fit: bad input exits 2 with a message and writes nothing") {
  TempDir dir;
  const std::string paths = dir.write("paths.csv", kFitPaths);
  const std::string out = dir.file("out.textproto");
  struct Case {
    std::string args, message;
  };
  const std::string bad_rows =
      dir.write("bad.csv", "path,total_conversions,total_null\na > b,1,2\nc,-3,1\n,1,1\n");
  const std::string no_conversions =
      dir.write("none.csv", "path,total_conversions,total_null\na > b,0,2\n");
  const std::string header_only = dir.write("header.csv", "path,total_conversions\n");
  const std::string value_only =
      dir.write("value.csv", "path,total_conversions,total_conversion_value\na,0,5\n");
  for (const Case& c : std::vector<Case>{
           // What attribute --paths refuses.
           {"--paths " + bad_rows + " -o " + out,
            bad_rows + ":3:3: error: -3 (column 'total_conversions') is negative"},
           {"--paths " + header_only + " -o " + out, "no paths"},
           {"--paths " + dir.file("missing.csv") + " -o " + out, "missing.csv"},
           {"--paths " + paths + " --delimiter : -o " + out, "--delimiter ':'"},
           {"--paths " + paths + " --separator '' -o " + out, "separator"},
           {"--paths " + paths + " --path-column route -o " + out,
            "no column 'route' for --path-column"},
           {"--paths " + paths + " --conversions-column path -o " + out,
            "is both the path and the conversions column"},
           {"--paths " + value_only + " -o " + out, "with no conversions"},
           // And fit's own.
           {"--paths " + paths, "--output is required"},
           {"--paths " + paths + " -o " + paths, "--paths"},
           {"--paths " + paths + " -o " + dir.file("out.json"), "text format"},
           {"--paths " + paths + " --order 0 -o " + out, "--order '0': give 1 to 6"},
           {"--paths " + paths + " --order 7 -o " + out, "--order '7': give 1 to 6"},
           {"--paths " + paths + " --order auto -o " + out, "--order 'auto'"},
           {"--paths " + paths + " --stage facebok=awareness -o " + out,
            "no channel 'facebok' in the path log (did you mean 'facebook'?)"},
           {"--paths " + paths + " --stage facebook=buying -o " + out, "'buying' is not a stage"},
           {"--paths " + paths + " --stage facebook -o " + out, "write CHANNEL=STAGE"},
           {"--paths " + no_conversions + " -o " + out, "no journey converted"},
       }) {
    CAPTURE(c.args);
    CliResult r = run_cli("fit " + c.args);
    CHECK(r.status == 2);
    CHECK(contains(r.err, c.message));
    CHECK_FALSE(std::filesystem::exists(out));
  }
  check_only(dir, {"bad.csv", "header.csv", "none.csv", "paths.csv", "value.csv"});
  CHECK(read_file(paths) == kFitPaths);
}

TEST_CASE("cli fit: the shared sample at orders 1 and 2: validated, solved to the data's rate") {
  CJSIM_SKIP_WITHOUT_SHARED_DATA(path, "paths/paths_sample.csv");
  TempDir dir;
  for (const std::string order : {"1", "2"}) {
    CAPTURE(order);
    const std::string out = dir.file("sample" + order + ".textproto");
    CliResult r = run_cli("fit --paths " + path + " --order " + order + " -o " + out);
    REQUIRE_MESSAGE(r.status == 0, r.err);
    CHECK(contains(r.out, "conversion probability 19,785 / 88,387 = 22.38%"));
    CliResult valid = run_cli("validate " + out);
    CHECK_MESSAGE(valid.status == 0, valid.err);
    CHECK(std::abs(exact_rate(out) - 19785.0 / 88387.0) < 1e-9);
  }
}

}  // namespace
}  // namespace cjsim::testing
