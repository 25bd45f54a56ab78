// Memory and work before a command starts: `--estimate` against the peak
// resident memory measured on scenarios that stress each part, refusal
// above the limits (CJSIM_MEMORY_LIMIT), and fit-retention's work cap.

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <doctest/doctest.h>

#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::run_cli;
using testing::TempDir;

using testing::contains;

// A scenario of `personas` personas using `channels` paid channels (and
// their organic posts), a chain of `touchpoints` touchpoints, and optionally
// a loyalty block: each size stresses one part of the estimate.
std::string stress_scenario(int personas, int touchpoints, int channels, int horizon, int agents,
                            int replications, bool loyalty = false) {
  std::string s = "name: \"stress\"\nsimulation { horizon_days: " + std::to_string(horizon) +
                  " agents: " + std::to_string(agents) +
                  " replications: " + std::to_string(replications) + " seed: 1 }\n";
  for (int p = 0; p < personas; ++p) {
    s += "personas { id: \"p" + std::to_string(p) + "\" memory_half_life_days: 30";
    for (int c = 0; c < channels; ++c) {
      s += " channel_affinity { key: \"c" + std::to_string(c) + "\" value: 0.5 }";
    }
    s += " }\n";
  }
  for (int c = 0; c < channels; ++c) {
    s += "channels { id: \"c" + std::to_string(c) +
         "\" weekly_budget: 1000 cpm: 5 max_reach: 0.05 half_saturation: 100 organic_reach: "
         "0.01 }\n";
  }
  s += "channels { id: \"web\" }\n";
  for (int u = 0; u < touchpoints; ++u) {
    const bool ad = u < channels;
    s += "touchpoints { id: \"t" + std::to_string(u) +
         "\" stage: " + (ad ? "AWARENESS" : "CONSIDERATION") + " channel: \"" +
         (ad ? "c" + std::to_string(u) : std::string("web")) + "\" cta { act_probability: 0.5 }" +
         (ad ? " entry_weight: 1" : "") +
         (u == touchpoints - 1 ? " goal { kind: \"purchase\" value: 10 }" : "") + " }\n";
  }
  for (int u = 0; u + 1 < touchpoints; ++u) {
    s += "edges { from: \"t" + std::to_string(u) + "\" to: \"t" + std::to_string(u + 1) + "\" }\n";
  }
  if (loyalty) s += "loyalty { bg_nbd { r: 0.24 alpha: 30 a: 0.79 b: 2.4 } }\n";
  return s;
}

// The peak resident memory, in MiB, of `cjsim ARGS` run in a child process
// (so that earlier commands of the test do not count).
double peak_mib(const std::string& args) {
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(pipe_fds[0]);
    const std::string command = std::string(CJSIM_BINARY) + " " + args + " >/dev/null 2>&1";
    const int status = std::system(command.c_str());
    rusage usage{};
    getrusage(RUSAGE_CHILDREN, &usage);
    const long kib = status == 0 ? usage.ru_maxrss : -1;
    if (write(pipe_fds[1], &kib, sizeof kib) != sizeof kib) _exit(1);
    _exit(0);
  }
  close(pipe_fds[1]);
  long kib = -1;
  REQUIRE(read(pipe_fds[0], &kib, sizeof kib) == sizeof kib);
  close(pipe_fds[0]);
  waitpid(child, nullptr, 0);
  REQUIRE(kib > 0);
  return static_cast<double>(kib) / 1024;
}

// The estimate `--estimate` prints ("about 74 MiB of memory"), in MiB.
double estimated_mib(const std::string& args) {
  testing::CliResult r = run_cli(args + " --estimate");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const size_t at = r.out.find("| about ");
  REQUIRE(at != std::string::npos);
  double value = 0;
  char unit[8] = {};
  REQUIRE(std::sscanf(r.out.c_str() + at, "| about %lf %7s", &value, unit) == 2);
  const std::string u = unit;
  return u == "GiB" ? value * 1024 : u == "MiB" ? value : u == "KiB" ? value / 1024 : 0;
}

#if defined(CJSIM_SANITIZED) || defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

TEST_CASE("cli --estimate: within the measured peak memory on scenarios that stress each part") {
  if (kSanitized) {
    MESSAGE("skipped: memory is measured without sanitizers, which multiply it");
    return;
  }
  TempDir dir;
  struct Case {
    std::string what;
    std::string args;
  };
  const std::string walk = dir.write(
      "walk.textproto", stress_scenario(50, 20000, 2, 30, 1000, 2));  // personas x touchpoints
  const std::string exposure = dir.write(
      "exposure.textproto", stress_scenario(100, 30, 10, 3650, 2000, 2));  // sources x days
  const std::string agents = dir.write(
      "agents.textproto", stress_scenario(2, 5, 2, 10, 4'000'000, 2, true));  // agent state
  const std::string kept =
      dir.write("kept.textproto", stress_scenario(2, 20000, 2, 10, 100, 200));  // counts kept
  const Case cases[] = {
      {"the walk's tables", "run " + walk + " --threads 2 --quiet"},
      {"exposure tables", "run " + exposure + " --threads 2 --quiet"},
      {"agent state", "run " + agents + " --threads 2 --quiet"},
      {"counts kept", "run " + kept + " --threads 2 --quiet"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    const double estimate = estimated_mib(c.args);
    const double measured = peak_mib(c.args);
    MESSAGE(c.what << ": estimated " << estimate << " MiB, measured " << measured << " MiB");
    CHECK(measured > 60);  // the part dominates the program's own memory
    // Never well under the truth, and not wildly over it.
    CHECK(estimate >= 0.85 * measured);
    CHECK(estimate <= 1.6 * measured + 16);
  }
}

// Regression: nothing estimated memory before a run, so a run larger than
// the machine was killed by the kernel part-way.
TEST_CASE("cli: a command over the memory allowed exits 2 before any work, naming what to lower") {
  TempDir dir;
  const std::string path =
      dir.write("big.textproto", stress_scenario(2, 5, 2, 10, 4'000'000, 2, true));
  setenv("CJSIM_MEMORY_LIMIT", "100MiB", 1);
  for (const std::string command : {"run", "compare", "sweep", "curves", "optimize"}) {
    CAPTURE(command);
    std::string args = command + " " + path + " --quiet --json " + dir.file("out.json");
    if (command == "compare") {
      dir.write(
          "big_v.textproto",
          testing::read_file(path) +
              R"(variants { name: "v" cta_changes { touchpoint: "t0" act_probability: 0.6 } })");
      args = "compare " + dir.file("big_v.textproto") + " --quiet --json " + dir.file("out.json");
    }
    args += " --threads 2";
    if (command == "sweep") args += " --set 'channels[c0].weekly_budget=0:1000:3'";
    if (command == "optimize") args += " --weekly-budget 2000";
    testing::CliResult r = run_cli(args);
    CHECK(r.status == 2);
    CHECK(contains(r.err,
                   "of memory at its peak, more than the 100 MiB allowed here "
                   "(CJSIM_MEMORY_LIMIT)"));
    CHECK(contains(r.err, "agent state of 2 replications running at once x 4,000,000 agents"));
    CHECK(contains(r.err, "(lower --agents, or --threads"));
    CHECK_FALSE(std::filesystem::exists(dir.file("out.json")));
  }
  setenv("CJSIM_MEMORY_LIMIT", "lots", 1);
  testing::CliResult r = run_cli("run " + path + " --quiet");
  CHECK(r.status == 2);
  CHECK(contains(r.err, "CJSIM_MEMORY_LIMIT: 'lots' is not an amount of memory"));
  unsetenv("CJSIM_MEMORY_LIMIT");
}

// Regression: a BG/BB fit on n_cal of 10^7 periods ran for ever (10^5 took
// 40 s); the likelihood is now a recurrence, and its length is capped.
TEST_CASE("cli fit-retention: a BG/BB likelihood too long to sum at every step exits 2") {
  TempDir dir;
  const std::string table = dir.write("rf.csv",
                                      "x,t_x,n_cal,customers\n"
                                      "0,0,10000000,100\n"
                                      "1,1,10000000,50\n");
  testing::CliResult r = run_cli("fit-retention --rf-table " + table + " --model bg-bb");
  CHECK(r.status == 2);
  CHECK(contains(r.err, "the BG/BB likelihood sums 2e+07 terms"));
  CHECK(contains(r.err, "count in longer periods"));

  // 10^5 periods: a fraction of a second now.
  const std::string fine = dir.write("ok.csv",
                                     "x,t_x,n_cal,customers\n"
                                     "0,0,100000,100\n"
                                     "1,1,100000,50\n"
                                     "2,5,100000,30\n");
  r = run_cli("fit-retention --rf-table " + fine + " --model bg-bb --quiet --json -");
  INFO(r.err);
  CHECK(r.status == 0);
}

}  // namespace
}  // namespace cjsim
