// End-to-end checks of the command line's strictness (issue #18, "Numbers
// and messages on the command line"): numbers that are not finite or do not
// fit, lists with empty items, the thread count, what the loader refuses,
// how messages echo user text, and input files that are not regular files.
// Each bad input exits 2 with a message naming the option, the file and
// line:column, or the field.

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>

#include "cjsim/v1/result.pb.h"
#include "tests/test_support.h"

namespace cjsim::testing {
namespace {


// `text` with its one occurrence of `from` replaced by `to`.
std::string replaced_once(std::string text, std::string_view from, std::string_view to) {
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  REQUIRE(text.find(from, at + 1) == std::string::npos);
  return text.replace(at, from.size(), to);
}

const std::string kTiny = " --agents 200 --replications 2 ";

// A command line, the status and a part of stderr it must give.
struct Refused {
  std::string args;
  std::string message;
};

void check_refused(const std::vector<Refused>& cases) {
  for (const Refused& c : cases) {
    CliResult r = run_cli(c.args);
    INFO("cjsim " << c.args << "\nstderr:\n" << r.err);
    CHECK(r.status == 2);
    CHECK(contains(r.err, c.message));
    CHECK(r.out.empty());
  }
}

// The longest run of digits in `text` (CLI11's Range printed 300 of them).
size_t longest_number(std::string_view text) {
  size_t longest = 0, run = 0;
  for (char c : text) {
    run = std::isdigit(static_cast<unsigned char>(c)) ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
}

TEST_CASE("regression: NaN and infinity were accepted by floating-point options") {
  const std::string optimize = "optimize " + kConsumer + kTiny;
  check_refused({
      {optimize + "--weekly-budget nan", "--weekly-budget: nan is not a finite number > 0"},
      {optimize + "--weekly-budget inf", "--weekly-budget: inf is not a finite number > 0"},
      {optimize + "--weekly-budget 1000 --target-cpa inf",
       "--target-cpa: inf is not a finite number > 0"},
      {optimize + "--weekly-budget 1000 --target-conversions -nan",
       "--target-conversions: -nan is not a finite number > 0"},
      {optimize + "--weekly-budget 1000 --risk cvar:nan", "--risk: 'cvar:nan'"},
      {optimize + "--weekly-budget 1000 --bounds facebook=nan:1",
       "--bounds facebook=nan:1: LO and HI must be amounts"},
      {optimize + "--weekly-budget 1000 --bounds facebook=0:infx",
       "--bounds facebook=0:infx: LO and HI must be amounts"},
      {"compare " + kConsumer + kTiny + "--target-half-width nan",
       "--target-half-width: nan is not a finite number > 0"},
      {"curves " + kConsumer + kTiny + "--saturation nan",
       "--saturation: nan is not a number in [0, 1]"},
      {"curves " + kConsumer + kTiny + "--max-budget-scale inf",
       "--max-budget-scale: inf is not a finite number > 0"},
      {"sweep " + kConsumer + kTiny + "--set 'channels[facebook].weekly_budget=nan:1:3'",
       "LO 'nan' is not a finite number"},
      {"sweep " + kConsumer + kTiny + "--set 'channels[facebook].weekly_budget=0:inf:3'",
       "HI 'inf' is not a finite number"},
  });
}

TEST_CASE("regression: CLI11 range errors printed 300-digit bounds") {
  for (const std::string& args :
       {"optimize " + kConsumer + " --weekly-budget -1", "curves " + kConsumer + " --points 1e308",
        "run " + kConsumer + " --agents 1e308", "run " + kConsumer + " --threads 99999"}) {
    CliResult r = run_cli(args);
    INFO(args << "\nstderr:\n" << r.err);
    CHECK(r.status == 2);
    CHECK(longest_number(r.err) < 12);
  }
  CliResult r = run_cli("run " + kConsumer + " --agents 1e308");
  CHECK(contains(r.err, "--agents: 1e308 is not an integer in [1, 204522252]\n"));
}

TEST_CASE("regression: --seed -1 and seeds past 2^64 - 1 were wrapped, not refused") {
  const std::string run = "run " + kConsumer + kTiny;
  check_refused({
      {run + "--seed -1", "--seed: -1 is not an integer in [0, 18446744073709551615]"},
      {run + "--seed 18446744073709551616",
       "--seed: 18446744073709551616 is not an integer in [0, 18446744073709551615]"},
      {run + "--seed 1.5", "--seed: 1.5 is not an integer"},
      {run + "--seed 0x10", "--seed: 0x10 is not an integer"},
  });
  // The largest seed, and whole numbers in exponent form, are taken as such.
  TempDir dir;
  CliResult r = run_cli(run + "--quiet --seed 18446744073709551615 --json -");
  REQUIRE(r.status == 0);
  CHECK(parse_json<v1::RunResult>(r.out).seed() == 18446744073709551615u);
  r = run_cli("run " + kConsumer + " --replications 2 --quiet --seed 1e3 --agents 010 --json -");
  REQUIRE(r.status == 0);
  CHECK(parse_json<v1::RunResult>(r.out).seed() == 1000);
  CHECK(parse_json<v1::RunResult>(r.out).agents() == 10);  // decimal, not octal
}

TEST_CASE("regression: sweep wrapped integer fields (a horizon of 1e10 became -2147483648)") {
  const std::string sweep = "sweep " + kConsumer + kTiny;
  check_refused({
      {sweep + "--set simulation.seed=1e30:1e30:1",
       "--set simulation.seed=1e30:1e30:1: simulation.seed is an unsigned 64-bit integer: 1e+30 "
       "is not a whole number in [0, 18446744073709551615]"},
      {sweep + "--set simulation.seed=-1:-1:1", "-1 is not a whole number in [0, "},
      {sweep + "--set simulation.horizon_days=1e10:1e10:1",
       "simulation.horizon_days is a 32-bit integer: 1e+10 is not a whole number in "
       "[-2147483648, 2147483647]"},
      {sweep + "--set simulation.agents=1:1e19:2", "simulation.agents is a 64-bit integer"},
  });
}

TEST_CASE("regression: cli: --variants , swallowed the next option") {
  TempDir dir;
  const std::string json = dir.file("x.json");
  check_refused({
      {"compare " + kConsumer + kTiny + "--variants , --json " + json,
       "--variants: ',' has an empty item"},
      {"compare " + kConsumer + kTiny + "--variants shop_now_cta,,no_email",
       "--variants: 'shop_now_cta,,no_email' has an empty item"},
      {"curves " + kConsumer + kTiny + "--channels ,", "--channels: ',' has an empty item"},
      {"curves " + kConsumer + kTiny + "--channels facebook,", "--channels: 'facebook,' has an "},
      {"optimize " + kConsumer + kTiny + "--weekly-budget 100 --lock ,",
       "--lock: ',' has an empty item"},
      {"optimize " + kConsumer + kTiny + "--weekly-budget 100 --keep-on ''",
       "--keep-on: '' has an empty item"},
      {"optimize " + kConsumer + kTiny + "--weekly-budget 100 --bounds ,facebook=0:1",
       "--bounds: ',facebook=0:1' has an empty item"},
  });
  CHECK_FALSE(std::filesystem::exists(json));
  // Lists still work, comma-separated or given again.
  CliResult r = run_cli("compare " + kConsumer + kTiny +
                        "--quiet --variants shop_now_cta --variants no_email,tiktok_shop --json -");
  REQUIRE(r.status == 0);
  const auto result = parse_json<v1::CompareResult>(r.out);
  REQUIRE(result.arms_size() == 4);
  CHECK(result.arms(3).variant() == "tiktok_shop");
}

TEST_CASE("regression: --threads above the cores printed TBB's notice and recorded the request") {
  const std::string run = "run " + kConsumer + kTiny + "--threads 1024 --json -";
  CliResult quiet = run_cli(run + " --quiet");
  REQUIRE(quiet.status == 0);
  CHECK(quiet.err.empty());
  const int used = parse_json<v1::RunResult>(quiet.out).threads();
  CHECK(used >= 1);
  CHECK(used < 1024);
  CliResult told = run_cli(run);
  REQUIRE(told.status == 0);
  CHECK_FALSE(contains(told.err, "TBB"));
  CHECK(contains(told.err, "warning: --threads 1024: using " + std::to_string(used) + ","));
  // The table header shows the threads used.
  CliResult table = run_cli("run " + kConsumer + kTiny + "--threads 1024");
  CHECK(contains(table.out, "| " + std::to_string(used) + " threads |"));
  CliResult compare = run_cli("compare " + kConsumer + kTiny +
                              "--threads 1024 --quiet --variants no_email --json -");
  REQUIRE(compare.status == 0);
  CHECK(parse_json<v1::CompareResult>(compare.out).threads() == used);
}

// kSmallJourney in JSON, for the JSON cases (`personas` and `name` lines
// are edited by the tests).
const char* kSmallJson = R"({
  "name": "small",
  "simulation": {"horizonDays": 30, "agents": 2000, "replications": 4, "seed": 7},
  "personas": [{"id": "young", "share": 0.6}, {"id": "old", "share": 0.4}],
  "channels": [{"id": "social"}, {"id": "web"}],
  "touchpoints": [
    {"id": "ad", "stage": "AWARENESS", "channel": "social", "cta": {"actProbability": 0.3},
     "entryWeight": 1},
    {"id": "page", "stage": "CONSIDERATION", "channel": "web", "cta": {"actProbability": 0.5}},
    {"id": "checkout", "stage": "DECISION", "channel": "web", "goal": {"kind": "purchase"}}
  ],
  "edges": [{"from": "ad", "to": "page"}, {"from": "page", "to": "checkout"}]
}
)";

std::string json_with(std::string_view from, std::string_view to) {
  return replaced_once(kSmallJson, from, to);
}

// validate and run both refuse the file `name` with `content`.
void check_file_refused(const std::string& name, const std::string& content,
                        const std::string& message) {
  TempDir dir;
  const std::string path = dir.write(name, content);
  for (const char* command : {"validate", "run"}) {
    CliResult r = run_cli(std::string(command) + " " + path + " --quiet");
    INFO(command << " " << name << "\nstderr:\n" << r.err);
    CHECK(r.status == 2);
    CHECK(contains(r.err, path + message));
    CHECK(contains(r.err, path + ": 1 error\n"));
    CHECK_FALSE(contains(r.err, "libprotobuf"));
  }
}

TEST_CASE(
    "regression: the loader accepted an empty variant, duplicate keys, an object for a "
    "list") {
  check_file_refused(
      "empty_variant.textproto", std::string(kSmallJourney) + "variants { name: \"x\" }\n",
      ":16:1: error: variant 'x': changes nothing; give at least one edit (cta_changes, ");
  check_file_refused("dup.json", json_with(R"("name": "small",)", R"("name": "a", "name": "b",)"),
                     ":2:16: error: not a cjsim.v1.Scenario: duplicate key 'name'; first written "
                     "at 2:3");
  check_file_refused("object.json",
                     json_with(R"([{"id": "young", "share": 0.6}, {"id": "old", "share": 0.4}])",
                               R"({"id": "young", "share": 1})"),
                     ":4:15: error: not a cjsim.v1.Scenario: 'personas' takes a list ([...]), not "
                     "an object");
  check_file_refused("list.json",
                     json_with(R"("simulation": {"horizonDays": 30, "agents": 2000, )"
                               R"("replications": 4, "seed": 7})",
                               R"("simulation": [{"horizonDays": 30}])"),
                     ":3:17: error: not a cjsim.v1.Scenario: 'simulation' takes an object ({...}), "
                     "not a list");
  check_file_refused("range.json", json_with(R"("horizonDays": 30)", R"("horizonDays": 1e10)"),
                     ":3:18: error: not a cjsim.v1.Scenario: (simulation.horizon_days): invalid "
                     "value 10000000000 for type TYPE_INT32");
  check_file_refused("seed.json", json_with(R"("seed": 7)", R"("seed": -1)"),
                     ":3:72: error: not a cjsim.v1.Scenario: (simulation.seed): invalid value -1");
}

TEST_CASE(
    "regression: unknown fields in binary files and strings that are not UTF-8 were "
    "accepted") {
  v1::Scenario scenario = parse_text(kSmallJourney);
  v1::Simulation* simulation = scenario.mutable_simulation();
  simulation->GetReflection()->MutableUnknownFields(simulation)->AddVarint(99, 1);
  check_file_refused("unknown.binpb", scenario.SerializeAsString(),
                     ": error: simulation: unknown field number 99; cjsim.v1.Simulation has no "
                     "such field");

  scenario = parse_text(kSmallJourney);
  scenario.set_name("smXX");
  std::string binary = scenario.SerializeAsString();
  binary.replace(binary.find("smXX"), 4, "sm\xff\xfe");
  check_file_refused("utf8.binpb", binary,
                     ": error: name: not valid UTF-8 (byte 0xff at offset 2)");
  check_file_refused("utf8.textproto",
                     replaced_once(kSmallJourney, R"(name: "small")", "name: \"sm\xffll\""),
                     ":2:1: error: name: not valid UTF-8 (byte 0xff at offset 2)");
  check_file_refused("utf8.json", json_with(R"("name": "small")", "\"name\": \"sm\xffll\""),
                     ":2:14: error: invalid JSON: a string is not valid UTF-8 (byte 0xff)");
}

TEST_CASE(
    "regression: control characters and NUL in user text were echoed raw or cut the "
    "message") {
  TempDir dir;
  // A NUL in an id (JSON can write one): the whole message, escaped.
  const std::string path =
      dir.write("nul.json", json_with(R"("id": "young")", R"("id": "yo\u0000ung\n")"));
  CliResult r = run_cli("validate " + path);
  CHECK(r.status == 2);
  CHECK(contains(r.err,
                 path + ":4:17: error: persona 'yo\\x00ung\\n' id: 'yo\\x00ung\\n' may use only "
                        "letters, digits, '_', '-' and '.'\n"));
  CHECK(r.err.find('\0') == std::string::npos);

  // Option values and the scenario's name in the table.
  r = run_cli("run " + dir.write("small.textproto", kSmallJourney) +
              " --variant \"$(printf 'a\\033[31mb')\"");
  CHECK(r.status == 2);
  CHECK(contains(r.err, "unknown variant 'a\\x1b[31mb'"));
  CHECK(r.err.find('\033') == std::string::npos);
  r = run_cli("run " + kConsumer + kTiny + "\"$(printf -- '--bad\\033')\"");
  CHECK(r.status == 2);
  CHECK(contains(r.err, "--bad\\x1b"));
  const std::string named =
      dir.write("named.textproto",
                replaced_once(kSmallJourney, R"(name: "small")", R"(name: "sm\033[2Jall\nX")"));
  r = run_cli("run " + named + kTiny);
  REQUIRE(r.status == 0);
  CHECK(contains(r.out, "| scenario sm\\x1b[2Jall\\nX (baseline)\n"));
}

TEST_CASE("regression: every error was printed (hundreds of lines) and run gave no error count") {
  std::string text = kSmallJourney;
  for (int i = 0; i < 30; ++i) {
    text += "touchpoints { id: \"t" + std::to_string(i) +
            "\" stage: AWARENESS channel: \"web\" entry_weight: -1 }\n";
  }
  TempDir dir;
  const std::string path = dir.write("many.textproto", text);
  for (const char* command : {"validate", "run"}) {
    CliResult r = run_cli(std::string(command) + " " + path);
    INFO(command << "\nstderr:\n" << r.err);
    CHECK(r.status == 2);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 22);
    CHECK(contains(r.err, path + ": ... and 10 more errors\n" + path + ": 30 errors\n"));
  }
}

TEST_CASE(
    "regression: cli: a FIFO as the scenario blocked for ever and /dev/zero said 'no personas'") {
  TempDir dir;
  const std::string fifo = dir.file("pipe.textproto");
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  CliResult r = run_cli("validate " + fifo);
  CHECK(r.status == 2);
  CHECK(r.err == fifo + ": error: cannot read: is a FIFO (named pipe)\n" + fifo + ": 1 error\n");

  const std::string zero = dir.file("zero.textproto");
  std::filesystem::create_symlink("/dev/zero", zero);
  r = run_cli("run " + zero);
  CHECK(r.status == 2);
  CHECK(contains(r.err, zero + ": error: cannot read: is a character device\n"));

  check_file_refused("binary.textproto", parse_text(kSmallJourney).SerializeAsString(),
                     ": error: not a text-format scenario (it contains NUL bytes; use .binpb for "
                     "binary)");
  check_file_refused("empty.textproto", "", ": error: the file is empty");

  // fit-retention's CSV inputs alike.
  const std::string csv_fifo = dir.file("tx.csv");
  REQUIRE(mkfifo(csv_fifo.c_str(), 0600) == 0);
  r = run_cli("fit-retention --transactions " + csv_fifo);
  CHECK(r.status == 2);
  CHECK(contains(r.err, csv_fifo + ": error: cannot read: is a FIFO (named pipe)\n"));
  const std::string binary_csv = dir.write("bin.csv", std::string("x,t_x\n\0\0\x01\n", 10));
  r = run_cli("fit-retention --model bg-bb --rf-table " + binary_csv);
  CHECK(r.status == 2);
  CHECK(contains(r.err, binary_csv + ": error: not a CSV file (it contains NUL bytes)\n"));
  r = run_cli("fit-retention --transactions " + dir.write("empty.csv", ""));
  CHECK(r.status == 2);
  CHECK(contains(r.err, dir.file("empty.csv") + ": error: the file is empty\n"));
}

}  // namespace
}  // namespace cjsim::testing
