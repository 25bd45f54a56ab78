// End-to-end tests of the outputs of a command as one set (docs/cli.md
// "Outputs"): paths checked before the work, written together or not at
// all, written through FIFOs and symbolic links, and SIGINT / SIGTERM
// leaving nothing behind. The streams and links are made in temporary
// folders; no test writes to a device of the machine.

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "cjsim/v1/result.pb.h"
#include "tests/cli/child_process.h"
#include "tests/test_support.h"
#include "tools/cjsim/signals.h"

namespace cjsim::testing {
namespace {



// The names in `dir` (not recursive), sorted and space-separated.
std::string listing(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : " ") + n;
  return out;
}

bool has_temporary(const std::filesystem::path& dir) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (contains(entry.path().filename().string(), ".tmp.")) return true;
  }
  return false;
}

TEST_CASE("regression: --json at an existing folder failed after the whole run, with exit 1") {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "out");
  // The order, not a time: --exact on this scenario fails in the solver,
  // which runs after the output paths are checked and before anything is
  // simulated or written. With the folder the run stops at the path check,
  // and only there: the solver's refusal is not reached.
  const std::string exact_run = "run " + kConsumer + " --exact --quiet --json ";
  const CliResult r = run_cli(exact_run + dir.file("out"));
  CHECK(r.status == 2);
  CHECK(contains(r.err, "error: --json " + dir.file("out") + ": is a folder"));
  CHECK_FALSE(contains(r.err, "exact mode"));
  CHECK(listing(dir.path()) == "out");
  CHECK(listing(dir.path() / "out").empty());
  // With a file path the check passes and the solver refuses, writing nothing.
  const CliResult refused = run_cli(exact_run + dir.file("result.json"));
  CHECK(refused.status == 2);
  CHECK(contains(refused.err, "error: exact mode needs the single-journey form"));
  CHECK(listing(dir.path()) == "out");
}

TEST_CASE("cli outputs: empty output paths are refused with exit 2") {
  TempDir dir;
  const std::string log = dir.write("tx.csv", "id,date\n1,2020-01-01\n1,2020-02-01\n");
  for (const std::string option : {"--json", "--csv", "--report", "--svg"}) {
    CAPTURE(option);
    const CliResult r = run_cli("run " + kConsumer + " --agents 1000 " + option + " '' --quiet");
    CHECK(r.status == 2);
    CHECK(contains(r.err, option + ": the path is empty"));
    CHECK(r.out.empty());
  }
  const CliResult r = run_cli("fit-retention --transactions " + log + " --json ''");
  CHECK(r.status == 2);
  CHECK(contains(r.err, "--json: the path is empty"));
  CHECK(listing(dir.path()) == "tx.csv");
}

TEST_CASE("cli outputs: an output that is an input file is refused, and the input kept") {
  TempDir dir;
  const std::string scenario = dir.write("s.textproto", kSmallJourney);
  std::filesystem::create_directory(dir.path() / "tables");
  // The same file under another name: compared by device and inode.
  std::filesystem::create_hard_link(scenario, dir.file("tables/kpis.csv"));
  std::filesystem::create_symlink("s.textproto", dir.file("link.json"));
  const std::vector<std::string> options = {
      "--json " + scenario, "--report " + scenario, "--json " + dir.file("link.json"),
      "--csv " + dir.file("tables"), "--json " + dir.file("tables/../s.textproto")};
  for (const std::string& option : options) {
    CAPTURE(option);
    const CliResult r = run_cli("run " + scenario + " " + option + " --quiet");
    CHECK(r.status == 2);
    CHECK(contains(r.err, "the same file as the scenario " + scenario));
  }
  CHECK(read_file(scenario) == kSmallJourney);

  const std::string log = dir.write("tx.csv", "id,date\n1,2020-01-01\n1,2020-02-01\n");
  CliResult r = run_cli("fit-retention --transactions " + log + " --json " + log);
  CHECK(r.status == 2);
  CHECK(contains(r.err, "error: --json " + log + ": the same file as --transactions " + log));
  const std::string rf = dir.write("rf.csv", "x,t_x,n_cal,customers\n1,2,4,10\n0,0,4,20\n");
  r = run_cli("fit-retention --model bg-bb --rf-table " + rf + " --json " + rf);
  CHECK(r.status == 2);
  CHECK(contains(r.err, "the same file as --rf-table " + rf));
  CHECK(read_file(log) == "id,date\n1,2020-01-01\n1,2020-02-01\n");
  CHECK(read_file(rf) == "x,t_x,n_cal,customers\n1,2,4,10\n0,0,4,20\n");
  CHECK_FALSE(has_temporary(dir.path()));
}

TEST_CASE("cli outputs: two outputs of one command at the same path are refused") {
  TempDir dir;
  const std::string scenario = dir.write("s.textproto", kSmallJourney);
  std::filesystem::create_directory(dir.path() / "t");
  struct Case {
    std::string options, message;
  };
  const std::vector<Case> cases = {
      {"--json " + dir.file("x") + " --report " + dir.file("x"),
       "error: --report " + dir.file("x") + ": the same file as --json " + dir.file("x")},
      {"--json " + dir.file("t/kpis.csv") + " --csv " + dir.file("t"),
       "error: --csv " + dir.file("t/kpis.csv") + ": the same file as --json"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.options);
    const CliResult r = run_cli("run " + scenario + " " + c.options + " --quiet");
    CHECK(r.status == 2);
    CHECK(contains(r.err, c.message));
  }
  CHECK(listing(dir.path()) == "s.textproto t");
  CHECK(listing(dir.path() / "t").empty());
}

TEST_CASE(
    "regression: --json at a device replaced it with a file, FIFOs and links are written through") {
  // A FIFO stands for the device (/dev/null itself is never used here).
  TempDir dir;
  const std::string scenario = dir.write("s.textproto", kSmallJourney);
  const std::string fifo = dir.file("pipe");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::filesystem::create_symlink("pipe", dir.file("pipe-link"));
  std::filesystem::create_directory(dir.path() / "data");
  dir.write("data/r.json", "old");
  std::filesystem::create_symlink("data/r.json", dir.file("r-link.json"));
  for (const std::string& path : {fifo, dir.file("pipe-link")}) {
    CAPTURE(path);
    std::string received;
    std::thread reader([&] { received = read_file(fifo); });
    const CliResult r =
        run_cli("run " + scenario + " --quiet --json " + path + " --report " + dir.file("r.html"));
    reader.join();
    CHECK(r.status == 0);
    CHECK(parse_json<v1::RunResult>(received).scenario() == "small");
    struct stat info;
    REQUIRE(::stat(fifo.c_str(), &info) == 0);
    CHECK(S_ISFIFO(info.st_mode));
  }
  const CliResult r = run_cli("run " + scenario + " --quiet --json " + dir.file("r-link.json"));
  CHECK(r.status == 0);
  CHECK(std::filesystem::is_symlink(std::filesystem::symlink_status(dir.file("r-link.json"))));
  CHECK(parse_json<v1::RunResult>(read_file(dir.file("data/r.json"))).scenario() == "small");
  CHECK(listing(dir.path()) == "data pipe pipe-link r-link.json r.html s.textproto");
  CHECK(listing(dir.path() / "data") == "r.json");
}

TEST_CASE("regression: a full disk at series.csv left new tables beside stale ones") {
  // RLIMIT_FSIZE makes writes past a size fail (EFBIG) as a full disk would:
  // set between the size of the tables written before series.csv and its.
  TempDir dir;
  const std::string scenario = dir.write("s.textproto", kSmallJourney);
  const std::vector<std::string> args = {"run",  scenario,         "--quiet", "--agents",
                                         "1000", "--horizon-days", "200"};
  std::vector<std::string> with_tables = args;
  with_tables.insert(with_tables.end(), {"--csv", dir.file("fresh")});
  ChildProcess fresh(with_tables);
  REQUIRE(fresh.wait() == 0);
  const std::vector<std::string> before_series = {"kpis.csv", "funnel.csv", "touchpoints.csv",
                                                  "channels.csv", "personas.csv"};
  uintmax_t largest = 0;
  for (const std::string& name : before_series) {
    largest = std::max(largest, std::filesystem::file_size(dir.path() / "fresh" / name));
  }
  const uintmax_t series = std::filesystem::file_size(dir.path() / "fresh/series.csv");
  REQUIRE(largest < series / 2);

  std::filesystem::create_directory(dir.path() / "tables");
  for (const std::string name : {"kpis.csv", "funnel.csv", "series.csv", "retention.csv"}) {
    dir.write("tables/" + name, "stale " + name);
  }
  std::vector<std::string> limited = args;
  limited.insert(limited.end(), {"--csv", dir.file("tables"), "--svg", dir.file("charts"),
                                 "--report", dir.file("r.html")});
  ChildProcess full(limited, static_cast<rlim_t>(series / 2));
  CHECK(full.wait() == 1);
  CHECK(contains(full.err(), "error: --csv " + dir.file("tables/series.csv") +
                                 ": cannot write: File too large"));
  for (const std::string name : {"kpis.csv", "funnel.csv", "series.csv", "retention.csv"}) {
    CHECK(read_file(dir.file("tables/" + name)) == "stale " + name);
  }
  CHECK(listing(dir.path()) == "fresh s.textproto tables");  // no report, no charts folder
  CHECK(listing(dir.path() / "tables") == "funnel.csv kpis.csv retention.csv series.csv");
}

TEST_CASE(
    "cli outputs: --csv replaces an earlier result as a whole, never a folder of other files") {
  TempDir dir;
  const std::string scenario = dir.write("s.textproto", kSmallJourney);
  const std::string run = "run " + scenario + " --quiet --agents 1000 --csv " + dir.file("tables");
  REQUIRE(run_cli(run + " --seed 1").status == 0);
  const std::string first = read_file(dir.file("tables/kpis.csv"));
  REQUIRE(run_cli(run + " --seed 2").status == 0);
  CHECK(read_file(dir.file("tables/kpis.csv")) != first);
  CHECK(listing(dir.path()) == "s.textproto tables");  // nothing left beside it
  CHECK(listing(dir.path() / "tables") ==
        "channels.csv funnel.csv kpis.csv personas.csv retention.csv series.csv targets.csv "
        "touchpoints.csv");

  // The scenario in the folder: refused before any work, nothing touched.
  const std::string inside = dir.write("tables/s.textproto", kSmallJourney);
  const std::string before = read_file(dir.file("tables/kpis.csv"));
  const CliResult refused =
      run_cli("run " + inside + " --quiet --agents 1000 --csv " + dir.file("tables"));
  CHECK(refused.status == 2);
  CHECK(refused.err == "error: --csv " + dir.file("tables") +
                           ": holds 's.textproto', which this command does not write there; the "
                           "folder is replaced as a whole, so give a new or empty folder, or one "
                           "that holds only an earlier result\n");
  CHECK(read_file(dir.file("tables/kpis.csv")) == before);
  CHECK(read_file(inside) == kSmallJourney);
  CHECK(listing(dir.path()) == "s.textproto tables");
}

// A run long enough to be interrupted (about 15 s on two cores), its
// outputs in `dir`: r.json (there before, "old") and the new folder tables.
std::vector<std::string> long_run(const TempDir& dir, const std::string& command = "run") {
  std::vector<std::string> args = {
      command,   kConsumer, "--agents",         "200000", "--replications",  "64",
      "--quiet", "--json",  dir.file("r.json"), "--csv",  dir.file("tables")};
  if (command == "sweep") args.push_back("--set=channels[tiktok].weekly_budget=0:5000:3");
  return args;
}

// Starts `args`, waits for the temporary file of r.json (the outputs are
// open and the work about to start or under way), sends `signals`, and
// checks that the command exits `status`, says so, and leaves `dir` as it
// was.
void interrupt(const TempDir& dir, const std::vector<std::string>& args,
               const std::vector<int>& signals, int status) {
  const std::string before = listing(dir.path());
  const std::string old_json = read_file(dir.file("r.json"));
  ChildProcess child(args);
  REQUIRE(child.wait_until([&] { return has_temporary(dir.path()); }));
  for (int s : signals) child.signal(s);
  CHECK(child.wait() == status);
  CHECK(child.err() == "cjsim: interrupted; nothing was written\n");
  CHECK(child.out().empty());
  CHECK(listing(dir.path()) == before);
  CHECK(read_file(dir.file("r.json")) == old_json);
}

// Regression: `--json - | head` killed cjsim with SIGPIPE, leaving the
// temporary files of its other outputs behind.
TEST_CASE("cli outputs: a closed pipe on stdout is a failed write: nothing renamed, exit 1") {
  testing::TempDir dir;
  const std::string path = dir.write("s.textproto", testing::kSmallJourney);
  const std::string command = "( " + std::string(CJSIM_BINARY) + " run " + path +
                              " --agents 20000 --json - --csv " + dir.file("tables") + " 2> " +
                              dir.file("err") + "; echo $? > " + dir.file("status") + " ) | true";
  REQUIRE(std::system(command.c_str()) == 0);
  CHECK(testing::read_file(dir.file("status")) == "1\n");
  CHECK(testing::read_file(dir.file("err")).find("--json -: cannot write: Broken pipe") !=
        std::string::npos);
  // The folder was made for the run and is gone again, temporaries and all.
  CHECK_FALSE(std::filesystem::exists(dir.file("tables")));
}

TEST_CASE("cli signals: SIGINT stops a run, writes nothing and exits 130") {
  TempDir dir;
  dir.write("r.json", "old");
  interrupt(dir, long_run(dir), {SIGINT}, cli::kExitSigint);
}

TEST_CASE("cli signals: SIGTERM stops a comparison, writes nothing and exits 143") {
  TempDir dir;
  dir.write("r.json", "old");
  interrupt(dir, long_run(dir, "compare"), {SIGTERM}, cli::kExitSigterm);
}

TEST_CASE("cli signals: a second SIGINT stops at once, still cleaning up, and exits 130") {
  TempDir dir;
  dir.write("r.json", "old");
  interrupt(dir, long_run(dir), {SIGINT, SIGINT}, cli::kExitSigint);
  interrupt(dir, long_run(dir, "sweep"), {SIGTERM, SIGTERM}, cli::kExitSigterm);
}

TEST_CASE("cli signals: SIGINT stops fit-retention's fit") {
  // BG/BB over many opportunities: each likelihood evaluation is slow, and
  // the whole fit takes seconds.
  TempDir dir;
  dir.write("r.json", "old");
  std::string table = "x,t_x,n_cal,customers\n";
  for (int x = 0; x < 40; ++x) {
    table += std::to_string(x) + "," + std::to_string(x == 0 ? 0 : x * 100 + 50) + ",6000," +
             std::to_string(100 + x) + "\n";
  }
  const std::string rf = dir.write("rf.csv", table);
  interrupt(dir,
            {"fit-retention", "--model", "bg-bb", "--rf-table", rf, "--quiet", "--json",
             dir.file("r.json")},
            {SIGINT}, cli::kExitSigint);
}

TEST_CASE("signals: the handler of a second signal removes the registered paths and exits") {
  // In a child process, which the handlers may end.
  TempDir dir;
  const std::string file = dir.write("r.json.tmp.1", "partial");
  const std::string kept = dir.write("kept.json", "renamed into place");
  std::filesystem::create_directory(dir.path() / "made");
  const std::string folder = dir.file("made");
  const std::string err = dir.file("err");
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, STDERR_FILENO);
    cli::install_signal_handlers();
    cli::remove_on_signal(folder, true);
    cli::remove_on_signal(file, false);
    cli::forget_on_signal(cli::remove_on_signal(kept, false));
    ::raise(SIGTERM);
    if (!cli::stop_flag()->load() || !cli::interrupted()) ::_exit(3);
    ::raise(SIGINT);
    ::_exit(4);  // not reached
  }
  int raw = 0;
  REQUIRE(::waitpid(pid, &raw, 0) == pid);
  REQUIRE(WIFEXITED(raw));
  CHECK(WEXITSTATUS(raw) == cli::kExitSigterm);
  CHECK(read_file(err) == "cjsim: interrupted; nothing was written\n");
  CHECK(listing(dir.path()) == "err kept.json");
}

}  // namespace
}  // namespace cjsim::testing
