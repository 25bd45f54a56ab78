// End-to-end tests of the command line's log (tools/cjsim/logging.h,
// docs/cli.md "Logging"): the lines users see on stderr, --log-level,
// --log-file, --quiet, and the options accepted by every subcommand.

#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tests/test_support.h"

namespace cjsim::testing {
namespace {


std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// kSmallJourney with persona shares summing to 1.1 (a validation warning)
// and, run with kFew, too few agents for its intervals (few-events
// warnings).
std::string warned_scenario(const TempDir& dir) {
  std::string text = kSmallJourney;
  text.replace(text.find("share: 0.4"), 10, "share: 0.5");
  return dir.write("warned.textproto", text);
}

const std::string kFew = " --agents 100 --replications 2 --horizon-days 10";

TEST_CASE("cli log: warnings keep their text on stderr, one line each, at the default level") {
  TempDir dir;
  const std::string path = warned_scenario(dir);
  const CliResult r = run_cli("run " + path + kFew);
  REQUIRE(r.status == 0);
  CHECK(contains(r.out, "| scenario small"));
  const std::vector<std::string> lines = lines_of(r.err);
  REQUIRE(lines.size() >= 2);
  CHECK(lines.front() ==
        path + ":4:1: warning: persona shares sum to 1.1, not 1; they are normalised");
  for (size_t i = 1; i < lines.size(); ++i) {
    CAPTURE(lines[i]);
    CHECK(lines[i].rfind(path + ": warning: ", 0) == 0);
    CHECK(contains(lines[i], "raise --agents (100 now)"));
  }
  // info is the default: nothing is logged at info, so warning is the same.
  CHECK(run_cli("run " + path + kFew + " --log-level warning").err == r.err);
  CHECK(run_cli("run " + path + kFew + " --log-level info").err == r.err);
}

TEST_CASE("cli log: --log-level error and off leave the warnings out, not the table") {
  TempDir dir;
  const std::string path = warned_scenario(dir);
  for (const std::string level : {"error", "off"}) {
    CAPTURE(level);
    const CliResult r = run_cli("run " + path + kFew + " --log-level " + level);
    CHECK(r.status == 0);
    CHECK(r.err == "");
    CHECK(contains(r.out, "| scenario small"));
  }
  // Errors are records at level error: shown at error, not at off.
  const std::string missing = dir.file("missing.textproto");
  const CliResult error = run_cli("run " + missing + " --log-level error");
  CHECK(error.status == 2);
  CHECK(contains(error.err, missing + ": error: "));
  const CliResult off = run_cli("run " + missing + " --log-level off");
  CHECK(off.status == 2);
  CHECK(off.err == "");
}

TEST_CASE("cli log: --log-level debug adds the scenario, threads, estimate and outputs written") {
  TempDir dir;
  const std::string path = warned_scenario(dir);
  const std::string json = dir.file("result.json");
  const CliResult r =
      run_cli("run " + path + kFew + " --threads 1 --json " + json + " --log-level debug");
  REQUIRE(r.status == 0);
  CAPTURE(r.err);
  CHECK(r.err.rfind("cjsim ", 0) == 0);
  CHECK(contains(lines_of(r.err).front(), ": cjsim run " + path));
  CHECK(contains(r.err, path + ": scenario 'small': 2 personas, 2 channels, 4 touchpoints, 3 "
                               "edges; 100 agents, 2 replications, 10 days, seed 7\n"));
  CHECK(contains(r.err, "threads: 1 (--threads 1; this machine runs at most "));
  CHECK(contains(r.err, path + ": this run needs about "));
  CHECK(contains(r.err, "--json " + json + ": written\n"));
  // The warnings are still there, as at the default level.
  CHECK(contains(r.err, path + ":4:1: warning: persona shares sum to 1.1"));
  // trace writes what debug does (nothing is logged at trace).
  CHECK(lines_of(run_cli("run " + path + kFew + " --threads 1 --log-level trace").err).size() ==
        lines_of(r.err).size() - 1);
}

TEST_CASE(
    "cli log: --quiet means no table, no progress and no warnings, unless --log-level is given") {
  TempDir dir;
  const std::string path = warned_scenario(dir);
  const CliResult quiet = run_cli("run " + path + kFew + " --quiet");
  CHECK(quiet.status == 0);
  CHECK(quiet.out == "");
  CHECK(quiet.err == "");
  const CliResult warned = run_cli("run " + path + kFew + " --quiet --log-level warning");
  CHECK(warned.status == 0);
  CHECK(warned.out == "");
  CHECK(warned.err == run_cli("run " + path + kFew).err);
  // validate --quiet: errors only, as before.
  const CliResult validate = run_cli("validate " + path + " --quiet");
  CHECK(validate.status == 0);
  CHECK(validate.out == "");
  CHECK(validate.err == "");
  // Bad input still says why under --quiet.
  const CliResult bad = run_cli("run " + dir.file("missing.textproto") + " --quiet");
  CHECK(bad.status == 2);
  CHECK(contains(bad.err, ": error: "));
}

TEST_CASE("cli log: --log-file appends every record with its time, process and level") {
  TempDir dir;
  const std::string path = warned_scenario(dir);
  const std::string log = dir.file("cjsim.log");
  const CliResult r = run_cli("run " + path + kFew + " --log-file " + log);
  REQUIRE(r.status == 0);
  // Standard error is unchanged; the file has the same records, prefixed.
  CHECK(r.err == run_cli("run " + path + kFew).err);
  const std::vector<std::string> stderr_lines = lines_of(r.err);
  const std::vector<std::string> logged = lines_of(read_file(log));
  REQUIRE(logged.size() == stderr_lines.size());
  const std::regex prefix(
      R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d \[\d+\] \[warning\] )");
  for (size_t i = 0; i < logged.size(); ++i) {
    CAPTURE(logged[i]);
    std::smatch match;
    REQUIRE(std::regex_search(logged[i], match, prefix, std::regex_constants::match_continuous));
    CHECK(match.suffix().str() == stderr_lines[i]);
  }
  // Appended to, never truncated; the level applies to the file too.
  REQUIRE(run_cli("run " + path + kFew + " --log-file " + log + " --log-level debug").status == 0);
  const std::string both = read_file(log);
  CHECK(lines_of(both).size() > 2 * logged.size());
  CHECK(contains(both, "] [debug] threads: "));
  // Errors are records too: the reason for exit status 2 is in the file.
  const CliResult bad = run_cli("run " + dir.file("missing.textproto") + " --log-file " + log);
  CHECK(bad.status == 2);
  const std::string last = lines_of(read_file(log)).back();
  CHECK(contains(last, "] [error] " + lines_of(bad.err).back()));
}

TEST_CASE("cli log: a --log-file that cannot be appended to, or is the input, exits 2") {
  TempDir dir;
  const std::string path = warned_scenario(dir);
  const std::string scenario_text = read_file(path);
  const std::string nowhere = dir.file("no/such/folder/cjsim.log");
  const CliResult missing = run_cli("run " + path + kFew + " --log-file " + nowhere);
  CHECK(missing.status == 2);
  CHECK(missing.out == "");
  CHECK(missing.err ==
        "error: --log-file " + nowhere + ": cannot append to it: No such file or directory\n");
  CHECK(!std::filesystem::exists(dir.file("no")));
  const CliResult folder = run_cli("run " + path + kFew + " --log-file " + dir.path().string());
  CHECK(folder.status == 2);
  CHECK(contains(folder.err, "error: --log-file " + dir.path().string() + ": cannot append"));
  const CliResult input = run_cli("run " + path + kFew + " --log-file " + path);
  CHECK(input.status == 2);
  CHECK(input.err ==
        "error: --log-file " + path + ": the same file as the scenario " + path + "\n");
  CHECK(read_file(path) == scenario_text);
  CHECK(run_cli("run " + path + " --log-file ''").status == 2);
}

TEST_CASE("cli log: every subcommand takes the options, before it or among its own") {
  TempDir dir;
  const std::string path = warned_scenario(dir);
  for (const std::string command :
       {"run", "validate", "compare", "sweep", "curves", "optimize", "fit-retention"}) {
    CAPTURE(command);
    const CliResult r = run_cli(command + " --log-level loud");
    CHECK(r.status == 2);
    CHECK(contains(r.err, "--log-level: loud not in {trace,debug,info,warning,error,off}"));
  }
  const CliResult before = run_cli("--log-level error run " + path + kFew);
  CHECK(before.status == 0);
  CHECK(before.err == "");
  CHECK(contains(before.out, "| scenario small"));
  const CliResult bad = run_cli("--log-level loud run " + path);
  CHECK(bad.status == 2);
  CHECK(contains(bad.err, "--log-level"));
}

}  // namespace
}  // namespace cjsim::testing
