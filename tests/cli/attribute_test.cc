// End-to-end tests of `cjsim attribute --paths`: the table, the JSON
// contract, the CSV tables and the report on small path logs (and on the
// shared sample, skipped without it), --order auto, and every bad input:
// exit status 2, a message naming the file and line or the option, and no
// output file.

#include <filesystem>
#include <string>
#include <string_view>

#include <doctest/doctest.h>

#include "cjsim/v1/attribution.pb.h"
#include "tests/test_support.h"

namespace cjsim::testing {
namespace {


constexpr const char* kPaths =
    "path;total_conversions;total_conversion_value;total_null\n"
    "facebook > search > email;3;90;7\n"
    "search;5;100;20\n"
    "facebook > facebook > email;1;25;9\n"
    "email > search;2;40;3\n";

TEST_CASE("cli attribute: the table, then JSON, CSV and report written together") {
  TempDir dir;
  const std::string paths = dir.write("paths.csv", kPaths);
  CliResult table = run_cli("attribute --paths " + paths);
  REQUIRE_MESSAGE(table.status == 0, table.err);
  CHECK(contains(table.out, "4 paths, 3 channels"));
  CHECK(contains(table.out, "50 journeys, 11 conversions (22.00%)"));
  CHECK(contains(table.out, "Markov chain: order 1, 3 states"));
  CHECK(contains(table.out, "removal effect"));
  CHECK(contains(table.out, "time-decay"));
  CHECK(contains(table.out, "Value attributed"));

  CliResult r = run_cli("attribute --paths " + paths + " --order 2 --json " + dir.file("a.json") +
                        " --csv " + dir.file("tables") + " --report " + dir.file("a.html") +
                        " --svg " + dir.file("svg") + " --quiet");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(r.out == "");
  const auto result = parse_json<v1::AttributionResult>(read_file(dir.file("a.json")));
  CHECK(result.input() == paths);
  CHECK(result.journeys() == 50);
  CHECK(result.conversions() == 11);
  CHECK(result.value() == 255);
  CHECK(result.conversion_probability() == doctest::Approx(0.22));
  CHECK(result.order() == 2);
  CHECK(result.paths() == 4);
  CHECK(result.methods_size() == 7);
  REQUIRE(result.channels_size() == 3);
  CHECK(result.channels(0).channel() == "email");
  double markov = 0;
  for (const v1::ChannelAttribution& c : result.channels()) {
    CHECK(c.removal_effect() > 0);
    CHECK(c.conversions().size() == 7);
    markov += c.conversions().at("markov");
  }
  CHECK(markov == doctest::Approx(11));
  CHECK(result.provenance().schema_version() == "cjsim.v1");
  CHECK(contains(result.provenance().command_line(), "attribute --paths"));
  CHECK(result.provenance().input() == paths);
  CHECK(result.flow_size() > 0);

  const ::cjsim::CsvTable channels = read_table(dir.file("tables/channels.csv"));
  CHECK(channels.header == std::vector<std::string>{"channel", "method", "conversions", "value"});
  CHECK(channels.rows.size() == 3 * 7);
  for (const char* name : {"removal_effects.csv", "flow.csv", "orders.csv"}) {
    CHECK(std::filesystem::exists(dir.file(std::string("tables/") + name)));
  }
  const std::string html = read_file(dir.file("a.html"));
  CHECK(contains(html, "Methods side by side"));
  CHECK(contains(html, "Flow between channels"));
  CHECK(contains(html, "<svg"));
  CHECK(std::filesystem::exists(dir.file("svg/methods.svg")));
  CHECK(std::filesystem::exists(dir.file("svg/flow.svg")));
}

TEST_CASE("cli attribute: --order auto prints each order's size, then chooses one") {
  TempDir dir;
  const std::string paths = dir.write("paths.csv", kPaths);
  CliResult r = run_cli("attribute --paths " + paths + " --order auto --method markov,first");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(contains(r.err, "order 1: 3 states"));
  CHECK(contains(r.err, "order 6:"));
  CHECK(contains(r.err, "held-out log-likelihood"));
  CHECK(contains(r.out, "<- chosen"));
  CHECK(contains(r.out, "markov"));
  CHECK_FALSE(contains(r.out, "shapley"));
}

TEST_CASE("cli attribute: --estimate prints the chain's size and stops") {
  TempDir dir;
  const std::string paths = dir.write("paths.csv", kPaths);
  CliResult r = run_cli("attribute --paths " + paths + " --order 2 --estimate");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(contains(r.out, "order 2: "));
  CHECK(contains(r.out, "MiB"));
}

TEST_CASE("cli attribute: bad rows exit 2 with file:line:column, nothing written") {
  TempDir dir;
  const std::string paths =
      dir.write("bad.csv", "path,total_conversions,total_null\na > b,1,2\nc,-3,1\n,1,1\n");
  CliResult r = run_cli("attribute --paths " + paths + " --json " + dir.file("out.json"));
  CHECK(r.status == 2);
  CHECK(contains(r.err, paths + ":3:3: error: -3 (column 'total_conversions') is negative"));
  CHECK(contains(r.err, paths + ":4:1: error: the path (column 'path') is empty"));
  CHECK_FALSE(std::filesystem::exists(dir.file("out.json")));
}

TEST_CASE("cli attribute: bad options exit 2 naming the option") {
  TempDir dir;
  const std::string paths = dir.write("paths.csv", kPaths);
  struct Case {
    std::string args, message;
  };
  for (const Case& c : std::vector<Case>{
           {"--order 7", "--order '7': give 1 to 6 or auto"},
           {"--order 0", "--order '0'"},
           {"--method markov,lasst", "--method 'lasst'"},
           {"--delimiter :", "--delimiter ':'"},
           {"--half-life 0", "--half-life"},
           {"--path-column route", "no column 'route' for --path-column"},
           {"--json " + paths, "--paths"},
       }) {
    CAPTURE(c.args);
    CliResult r = run_cli("attribute --paths " + paths + " " + c.args);
    CHECK(r.status == 2);
    CHECK(contains(r.err, c.message));
  }
  CliResult missing = run_cli("attribute --paths " + dir.file("none.csv"));
  CHECK(missing.status == 2);
  CHECK(contains(missing.err, "none.csv"));
}

TEST_CASE("cli attribute: the shared sample, order 1, every method adds up to its totals") {
  CJSIM_SKIP_WITHOUT_SHARED_DATA(path, "paths/paths_sample.csv");
  CliResult r = run_cli("attribute --paths " + path + " --json -");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  const auto result = parse_json<v1::AttributionResult>(r.out);
  CHECK(result.paths() == 10000);
  CHECK(result.channels_size() == 12);
  CHECK(result.conversions() == 19785);
  for (const std::string& method : result.methods()) {
    double sum = 0;
    for (const v1::ChannelAttribution& c : result.channels()) sum += c.conversions().at(method);
    CHECK(sum == doctest::Approx(19785));
  }
}

}  // namespace
}  // namespace cjsim::testing
