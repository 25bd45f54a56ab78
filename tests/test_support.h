// Helpers shared by the tests: running the cjsim binary, writing temporary
// scenario files, and building small scenarios in code.
#ifndef CJSIM_TESTS_TEST_SUPPORT_H_
#define CJSIM_TESTS_TEST_SUPPORT_H_

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include <doctest/doctest.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include "cjsim/v1/result.pb.h"
#include "cjsim/v1/scenario.pb.h"
#include "models/csv_table.h"
#include "models/diagnostics.h"
#include "tests/small_journey.h"

namespace cjsim::testing {

inline std::string source_path(const std::string& relative) {
  return std::string(CJSIM_SOURCE_DIR) + "/" + relative;
}

// The example scenario most tests run: scenarios/consumer_brand.textproto.
inline const std::string kConsumer = source_path("scenarios/consumer_brand.textproto");

// A single-journey scenario whose removal effects are derived by hand
// (tests of `cjsim attribute SCENARIO`).
//
// People enter at `a` (channel ads, weight 3) or `b` (channel social,
// weight 1); b leads to a, a to the goal on the website:
//   P(conversion)          = 3/4 x 0.5 + 1/4 x 0.8 x 0.5 = 0.475
//   without ads            = 0 (a is gone: no entry there, b's edge ends)
//   without social         = 3/4 x 0.5 = 0.375 (b's entrants do not start)
// so the removal effects are 1 for ads and 1 - 0.375 / 0.475 for social.
inline const char* kTwoEntryJourney = R"scenario(
simulation { horizon_days: 5 agents: 40000 replications: 8 seed: 11 population: 100000 }
personas { id: "all" }
channels { id: "ads" }
channels { id: "social" }
channels { id: "website" }
touchpoints { id: "a" stage: AWARENESS channel: "ads" cta { act_probability: 0.5 } entry_weight: 3 }
touchpoints { id: "b" stage: AWARENESS channel: "social" cta { act_probability: 0.8 } entry_weight: 1 }
touchpoints { id: "g" stage: DECISION channel: "website" goal { kind: "purchase" value: 10 } }
edges { from: "a" to: "g" }
edges { from: "b" to: "a" }
)scenario";

inline bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// A path log for `cjsim fit --paths` (sim/path_scenario.h): facebook and
// search start paths, email and display never do; loops at order 1
// (search > display > search, email > display > email). 70 journeys, 17
// conversions, value 325.
inline constexpr const char* kFitPaths =
    "path;total_conversions;total_conversion_value;total_null\n"
    "search > email;4;80;6\n"
    "facebook > display > search;2;50;8\n"
    "search;6;120;24\n"
    "facebook > email > display > email;3;45;2\n"
    "search > display > search > email;2;30;3\n"
    "facebook;0;0;10\n";

// Whether the estimate's interval holds `truth`.
inline bool covers(const v1::Estimate& e, double truth) {
  return e.ci_low() <= truth && truth <= e.ci_high();
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A fresh temporary folder, removed when the object goes.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "cjsim-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(file(name), std::ios::binary) << content;
    return file(name);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct CliResult {
  int status = -1;
  std::string out;
  std::string err;
};

// The path of `relative` in the shared validation data (shared/data beside
// the source tree: the CDNOW and donations data sets), or "" when it is not
// there. Tests that need it skip with CJSIM_SKIP_WITHOUT_SHARED_DATA.
inline std::string shared_data_path(const std::string& relative) {
  const std::string path = std::string(CJSIM_SHARED_DATA) + "/" + relative;
  return std::filesystem::exists(path) ? path : "";
}

// Runs `cjsim ARGS` (ARGS is shell text) and captures its exit status and
// both output streams.
inline CliResult run_cli(const std::string& args) {
  TempDir dir;
  std::string command = std::string(CJSIM_BINARY) + " " + args + " > " + dir.file("out") + " 2> " +
                        dir.file("err") + " < /dev/null";
  int raw = std::system(command.c_str());
  CliResult result;
  result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  result.out = read_file(dir.file("out"));
  result.err = read_file(dir.file("err"));
  return result;
}

// Parses text-format scenario text; fails the test on a syntax error.
inline v1::Scenario parse_text(const std::string& text) {
  v1::Scenario scenario;
  if (!google::protobuf::TextFormat::ParseFromString(text, &scenario)) {
    std::fprintf(stderr, "test scenario does not parse:\n%s\n", text.c_str());
    std::abort();
  }
  return scenario;
}

// Parses protobuf JSON (a result file); aborts the test on an error.
template <typename Message>
Message parse_json(const std::string& json) {
  Message message;
  auto status = google::protobuf::util::JsonStringToMessage(json, &message);
  if (!status.ok()) {
    std::fprintf(stderr, "JSON does not parse: %s\n%s\n", std::string(status.message()).c_str(),
                 json.substr(0, 2000).c_str());
    std::abort();
  }
  return message;
}

// The JSON without the lines of the fields that may differ between runs of
// one study in other ways (shards merged, threads, one process): wall
// time, threads, command line.
inline std::string without_timing(const std::string& json) {
  std::istringstream in(json);
  std::string line, out;
  while (std::getline(in, line)) {
    if (contains(line, "\"wall_seconds\":") || contains(line, "\"threads\":") ||
        contains(line, "\"command_line\":")) {
      continue;
    }
    out += line + "\n";
  }
  return out;
}

// Field-by-field equality in which NaN equals NaN (a relative change over a
// zero baseline is NaN in every run).
inline bool same_results(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  google::protobuf::util::DefaultFieldComparator comparator;
  comparator.set_treat_nan_as_equal(true);
  google::protobuf::util::MessageDifferencer differencer;
  differencer.set_field_comparator(&comparator);
  return differencer.Compare(a, b);
}

// Clears what may differ between two runs of the same input: the timing,
// the thread count and the command line (e.g. --threads 1 and 2).
template <class Result>
void clear_run_details(Result* result) {
  result->clear_timing();
  result->clear_threads();
  result->mutable_provenance()->clear_threads();
  result->mutable_provenance()->clear_command_line();
}

inline std::string to_text(const v1::Scenario& scenario) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(scenario, &text);
  return text;
}

// The rows of a CSV file written by cjsim, read by the project's reader.
inline ::cjsim::CsvTable read_table(const std::string& path) {
  ::cjsim::Diagnostics diagnostics(path);
  ::cjsim::RowErrors errors(diagnostics);
  std::optional<::cjsim::CsvTable> table = read_csv(path, diagnostics, errors);
  errors.finish();
  REQUIRE(table.has_value());
  REQUIRE(diagnostics.error_count() == 0);
  return *table;
}

inline double csv_number_at(const ::cjsim::CsvRow& row, const ::cjsim::CsvTable& table,
                            const char* column) {
  const int c = table.column_index(column);
  REQUIRE(c >= 0);
  return std::stod(row.fields[static_cast<size_t>(c)]);
}

// Equal, or both NaN (a marginal CPA over no extra conversions).
inline bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

}  // namespace cjsim::testing

// Declares `variable` as the path of the shared data file `relative`, or, when
// the file is absent, prints "skipped: ..." (CTest then reports the test as
// skipped, tests/CMakeLists.txt) and returns from the test case.
#define CJSIM_SKIP_WITHOUT_SHARED_DATA(variable, relative)                             \
  const std::string variable = ::cjsim::testing::shared_data_path(relative);           \
  if (variable.empty()) {                                                              \
    MESSAGE("skipped: " << CJSIM_SHARED_DATA << "/" << (relative) << " is not there"); \
    return;                                                                            \
  }

#endif  // CJSIM_TESTS_TEST_SUPPORT_H_
