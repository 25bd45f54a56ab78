// The OutputSet of tools/cjsim/output.h: every output of a command committed
// together or not at all, refused paths, and writing through streams and
// symbolic links. The FIFOs and links are made in a temporary folder: no test
// here opens a device of the machine, so a broken build can damage nothing.

#include "tools/cjsim/output.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tests/test_support.h"

namespace cjsim {
namespace {

using cli::OutputSet;
using cli::PendingOutput;
using testing::read_file;
using testing::TempDir;

// The old out-parameter form of the OutputSet's results, for the checks
// below: the value (or null, or no files) with `error` set to the Status's
// message.
PendingOutput* opened(const Result<PendingOutput*>& output, std::string* error) {
  *error = output.status().message();
  return output ? *output : nullptr;
}
std::vector<PendingOutput*> opened(const Result<std::vector<PendingOutput*>>& files,
                                   std::string* error) {
  *error = files.status().message();
  return files ? *files : std::vector<PendingOutput*>{};
}
bool succeeded(const Status& status, std::string* error) {
  *error = status.message();
  return status.is_ok();
}
enum class Outcome { kCommitted, kFailed, kInterrupted };
Outcome outcome(const Status& status, std::string* error) {
  *error = status.message();
  if (status.is_ok()) return Outcome::kCommitted;
  return status.code() == Status::Code::kInterrupted ? Outcome::kInterrupted : Outcome::kFailed;
}

// Every name under `dir`, recursively, relative to it, sorted.
std::vector<std::string> names_in(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    names.push_back(entry.path().lexically_relative(dir).string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The same, space-separated, for readable failures.
std::string tree(const std::filesystem::path& dir) {
  std::string out;
  for (const std::string& n : names_in(dir)) out += (out.empty() ? "" : " ") + n;
  return out;
}

const std::vector<std::string> kTables = {"kpis.csv", "series.csv"};

bool is_symlink(const std::string& path) {
  return std::filesystem::is_symlink(std::filesystem::symlink_status(path));
}

// Reads a FIFO to its end on a thread of its own.
class FifoReader {
 public:
  explicit FifoReader(const std::string& path)
      : thread_([this, path] { text_ = read_file(path); }) {}
  // Waits for the writer to close.
  const std::string& text() {
    if (thread_.joinable()) thread_.join();
    return text_;
  }
  ~FifoReader() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::string text_;
  std::thread thread_;
};

TEST_CASE("output set: the outputs are renamed into place together at the commit") {
  TempDir dir;
  dir.write("old.json", "old");
  OutputSet set;
  std::string error;
  REQUIRE(succeeded(set.open_folder("--svg", dir.file("charts")), &error));
  PendingOutput* json = opened(set.open("--json", dir.file("old.json")), &error);
  PendingOutput* table = opened(set.open("--svg", dir.file("charts/a.svg")), &error);
  REQUIRE(json != nullptr);
  REQUIRE(table != nullptr);
  REQUIRE(succeeded(set.write(json, "new"), &error));
  REQUIRE(succeeded(set.write(table, "a,b\n"), &error));
  // Written and synced, but nothing is in place before the commit.
  CHECK(read_file(dir.file("old.json")) == "old");
  CHECK_FALSE(std::filesystem::exists(dir.file("charts/a.svg")));
  bool before_called = false;
  REQUIRE(outcome(set.commit([&] { before_called = true; }), &error) == Outcome::kCommitted);
  CHECK(before_called);
  CHECK(read_file(dir.file("old.json")) == "new");
  CHECK(read_file(dir.file("charts/a.svg")) == "a,b\n");
  CHECK(tree(dir.path()) == "charts charts/a.svg old.json");
}

TEST_CASE(
    "output set: a failed write renames nothing and removes every temporary file and folder") {
  // The five writes of the set failing in turn, as a full disk would: the
  // JSON, the tables of a folder with an earlier result (which stays
  // intact), the table of a folder not there yet (which is not made), a
  // chart.
  for (int failing = 1; failing <= 5; ++failing) {
    CAPTURE(failing);
    TempDir dir;
    dir.write("r.json", "old json");
    std::filesystem::create_directory(dir.path() / "tables");
    dir.write("tables/kpis.csv", "old kpis");
    dir.write("tables/series.csv", "old series");
    const std::string before = tree(dir.path());
    {
      OutputSet set;
      set.fail_write_for_testing(failing);
      std::string error;
      PendingOutput* json = opened(set.open("--json", dir.file("r.json")), &error);
      const std::vector<PendingOutput*> tables =
          opened(set.open_folder_of("--csv", dir.file("tables"), kTables), &error);
      const std::vector<PendingOutput*> fresh =
          opened(set.open_folder_of("--csv", dir.file("fresh"), {"a.csv"}), &error);
      REQUIRE(succeeded(set.open_folder("--svg", dir.file("charts")), &error));
      PendingOutput* chart = opened(set.open("--svg", dir.file("charts/funnel.svg")), &error);
      REQUIRE(json != nullptr);
      REQUIRE(tables.size() == 2);
      REQUIRE(fresh.size() == 1);
      REQUIRE(chart != nullptr);
      bool all_written = true;
      for (PendingOutput* output : {json, tables[0], tables[1], fresh[0], chart}) {
        all_written = all_written && succeeded(set.write(output, "new"), &error);
      }
      CHECK_FALSE(all_written);
      CHECK(error.find("cannot write: " + std::string(std::strerror(ENOSPC))) != std::string::npos);
      // The set is dropped without a commit, as the commands do on a failure.
    }
    CHECK(tree(dir.path()) == before);  // no temporary file or folder, no new folder
    CHECK(read_file(dir.file("r.json")) == "old json");
    CHECK(read_file(dir.file("tables/kpis.csv")) == "old kpis");
    CHECK(read_file(dir.file("tables/series.csv")) == "old series");
  }
}

TEST_CASE("output set: an abandoned set leaves what was there as it was") {
  TempDir dir;
  dir.write("r.json", "old");
  {
    OutputSet set;
    std::string error;
    REQUIRE(succeeded(set.open_folder("--svg", dir.file("new")), &error));
    PendingOutput* json = opened(set.open("--json", dir.file("r.json")), &error);
    PendingOutput* chart = opened(set.open("--svg", dir.file("new/t.svg")), &error);
    const std::vector<PendingOutput*> tables =
        opened(set.open_folder_of("--csv", dir.file("tables"), kTables), &error);
    REQUIRE(json != nullptr);
    REQUIRE(chart != nullptr);
    REQUIRE(tables.size() == 2);
    REQUIRE(succeeded(set.write(json, "new"), &error));
    REQUIRE(succeeded(set.write(tables[0], "new"), &error));
    // r.json, its temporary, new/, the chart's temporary, the tables'
    // folder and its two files.
    CHECK(names_in(dir.path()).size() == 7);
  }
  CHECK(tree(dir.path()) == "r.json");
  CHECK(read_file(dir.file("r.json")) == "old");
}

// The mode bits of `path`.
unsigned mode_of(const std::string& path) {
  struct stat info;
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

TEST_CASE("regression: --csv renamed its tables one by one, so its folder could mix two results") {
  // The folder is written beside its target and put in place by one
  // rename: before the commit it holds the whole earlier result, after it
  // the whole new one (never kpis.csv of one run beside series.csv of
  // another). Both ways: exchanged, and renamed aside first.
  for (const bool exchange : {true, false}) {
    CAPTURE(exchange);
    TempDir dir;
    std::filesystem::create_directory(dir.path() / "tables");
    ::chmod(dir.file("tables").c_str(), 0750);
    dir.write("tables/kpis.csv", "old kpis");  // an earlier result without series.csv
    OutputSet set;
    if (!exchange) set.no_exchange_for_testing();
    std::string error;
    const std::vector<PendingOutput*> files =
        opened(set.open_folder_of("--csv", dir.file("tables"), kTables), &error);
    REQUIRE(files.size() == 2);
    REQUIRE(succeeded(set.write(files[0], "new kpis"), &error));
    REQUIRE(succeeded(set.write(files[1], "new series"), &error));
    CHECK(tree(dir.file("tables")) == "kpis.csv");
    CHECK(read_file(dir.file("tables/kpis.csv")) == "old kpis");
    REQUIRE(outcome(set.commit(), &error) == Outcome::kCommitted);
    CHECK(tree(dir.path()) == "tables tables/kpis.csv tables/series.csv");  // nothing beside
    CHECK(read_file(dir.file("tables/kpis.csv")) == "new kpis");
    CHECK(read_file(dir.file("tables/series.csv")) == "new series");
    CHECK(mode_of(dir.file("tables")) == 0750);  // the mode of the folder it replaced
  }
}

TEST_CASE(
    "output set: a folder of tables is made when missing, through links and trailing slashes") {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "real");
  std::filesystem::create_directory_symlink(dir.file("real"), dir.file("link"));
  OutputSet set;
  std::string error;
  const std::vector<PendingOutput*> fresh =
      opened(set.open_folder_of("--csv", dir.file("fresh") + "/", kTables), &error);
  const std::vector<PendingOutput*> linked =
      opened(set.open_folder_of("--svg", dir.file("link"), {"a.svg"}), &error);
  REQUIRE(fresh.size() == 2);
  REQUIRE(linked.size() == 1);
  for (PendingOutput* file : fresh) REQUIRE(succeeded(set.write(file, "t"), &error));
  REQUIRE(succeeded(set.write(linked[0], "<svg/>"), &error));
  CHECK_FALSE(std::filesystem::exists(dir.file("fresh")));
  REQUIRE(outcome(set.commit(), &error) == Outcome::kCommitted);
  CHECK(tree(dir.path()) == "fresh fresh/kpis.csv fresh/series.csv link real real/a.svg");
  CHECK(is_symlink(dir.file("link")));
  const mode_t mask = ::umask(0);
  ::umask(mask);
  CHECK(mode_of(dir.file("fresh")) == (0777 & ~mask));
}

TEST_CASE("output set: a folder holding anything but its tables is refused, never replaced") {
  struct Case {
    std::string what, stray;
  };
  for (const Case& c : std::vector<Case>{{"a file of the user's", "notes.txt"},
                                         {"a subfolder", "sub"},
                                         {"a link where a table goes", "series.csv"}}) {
    CAPTURE(c.what);
    TempDir dir;
    std::filesystem::create_directory(dir.path() / "tables");
    dir.write("tables/kpis.csv", "old kpis");
    dir.write("elsewhere.csv", "the user's");
    if (c.stray == "notes.txt") dir.write("tables/notes.txt", "keep me");
    if (c.stray == "sub") std::filesystem::create_directory(dir.path() / "tables/sub");
    if (c.stray == "series.csv") {
      std::filesystem::create_symlink(dir.file("elsewhere.csv"), dir.file("tables/series.csv"));
    }
    const std::string before = tree(dir.path());
    {
      OutputSet set;
      std::string error;
      CHECK(opened(set.open_folder_of("--csv", dir.file("tables"), kTables), &error).empty());
      CHECK(error == "--csv " + dir.file("tables") + ": holds '" + c.stray +
                         "', which this command does not write there; the folder is replaced as "
                         "a whole, so give a new or empty folder, or one that holds only an "
                         "earlier result");
    }
    CHECK(tree(dir.path()) == before);
    CHECK(read_file(dir.file("elsewhere.csv")) == "the user's");
  }
}

TEST_CASE("output set: a file put into the folder while the command ran stops the commit") {
  TempDir dir;
  dir.write("r.json", "old json");
  std::filesystem::create_directory(dir.path() / "tables");
  dir.write("tables/kpis.csv", "old kpis");
  OutputSet set;
  std::string error;
  PendingOutput* json = opened(set.open("--json", dir.file("r.json")), &error);
  const std::vector<PendingOutput*> tables =
      opened(set.open_folder_of("--csv", dir.file("tables"), kTables), &error);
  REQUIRE(json != nullptr);
  REQUIRE(tables.size() == 2);
  for (PendingOutput* output : {json, tables[0], tables[1]})
    REQUIRE(succeeded(set.write(output, "new"), &error));
  dir.write("tables/notes.txt", "written meanwhile");
  CHECK(outcome(set.commit(), &error) == Outcome::kFailed);
  CHECK(error == "--csv " + dir.file("tables") +
                     ": 'notes.txt' appeared in the folder while the command ran; nothing was "
                     "replaced");
  CHECK(tree(dir.path()) == "r.json tables tables/kpis.csv tables/notes.txt");
  CHECK(read_file(dir.file("r.json")) == "old json");
  CHECK(read_file(dir.file("tables/kpis.csv")) == "old kpis");
}

TEST_CASE("output set: no other output may go into a folder that is replaced as a whole") {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "tables");
  std::string error;
  {
    OutputSet set;
    REQUIRE(opened(set.open("--json", dir.file("tables/r.json")), &error) != nullptr);
    CHECK(opened(set.open_folder_of("--csv", dir.file("tables"), kTables), &error).empty());
    CHECK(error == "--csv " + dir.file("tables") + ": would hold --json " +
                       dir.file("tables/r.json") +
                       ", but the folder is replaced as a whole; write that elsewhere");
  }
  OutputSet other;
  REQUIRE(opened(other.open_folder_of("--csv", dir.file("tables"), kTables), &error).size() == 2);
  CHECK(opened(other.open("--report", dir.file("tables/../tables/r.html")), &error) == nullptr);
  CHECK(error.find("in the folder of --csv " + dir.file("tables") +
                   ", which is replaced as a whole") != std::string::npos);
  CHECK_FALSE(succeeded(other.open_folder("--svg", dir.file("tables")), &error));
  CHECK(error.find("the same folder as --csv") != std::string::npos);
}

TEST_CASE("output set: refused paths name the option, the path and the reason") {
  TempDir dir;
  const std::string scenario = dir.write("s.textproto", "name: \"s\"");
  std::filesystem::create_directory(dir.path() / "folder");
  std::filesystem::create_hard_link(scenario, dir.file("hard-link"));
  std::filesystem::create_symlink(scenario, dir.file("soft-link"));
  OutputSet set;
  set.add_input("the scenario", scenario);
  std::string error;
  PendingOutput* taken = opened(set.open("--json", dir.file("r.json")), &error);
  REQUIRE(taken != nullptr);
  struct Case {
    std::string option, path, message;
  };
  const std::vector<Case> cases = {
      {"--json", "", "--json: the path is empty"},
      {"--json", dir.file("folder"), "--json " + dir.file("folder") + ": is a folder"},
      {"--json", scenario, ": the same file as the scenario " + scenario},
      {"--report", dir.file("hard-link"), ": the same file as the scenario"},
      {"--report", dir.file("soft-link"), ": the same file as the scenario"},
      // Not made yet, and spelt another way: still the same path.
      {"--report", dir.file("folder/../r.json"), ": the same file as --json " + dir.file("r.json")},
      {"--json", dir.file("missing/r.json"), "cannot write: No such file or directory"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.path);
    error.clear();
    CHECK(opened(set.open(c.option, c.path), &error) == nullptr);
    CHECK(error.find(c.message) != std::string::npos);
  }
  error.clear();
  CHECK_FALSE(succeeded(set.open_folder("--svg", scenario), &error));
  CHECK(error == "--svg " + scenario + ": not a folder");
  CHECK(opened(set.open_folder_of("--csv", scenario, kTables), &error).empty());
  CHECK(error == "--csv " + scenario + ": not a folder");
  CHECK(opened(set.open_folder_of("--csv", "", kTables), &error).empty());
  CHECK(error == "--csv: the path is empty; give a folder name");
  CHECK_FALSE(succeeded(set.open_folder("--svg", ""), &error));
  CHECK(error.find("--svg: the path is empty") != std::string::npos);
  CHECK(read_file(scenario) == "name: \"s\"");
}

TEST_CASE("output set: a socket is refused, not replaced") {
  TempDir dir;
  const std::string path = dir.file("socket");
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_un address = {};
  address.sun_family = AF_UNIX;
  REQUIRE(path.size() < sizeof address.sun_path);
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  OutputSet set;
  std::string error;
  CHECK(opened(set.open("--json", path), &error) == nullptr);
  CHECK(error.find("not a regular file, character device or FIFO") != std::string::npos);
  struct stat info;
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK(S_ISSOCK(info.st_mode));
  ::close(fd);
}

TEST_CASE("output set: a symbolic link is followed and its target replaced, the link stays") {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "data");
  dir.write("data/result.json", "old");
  std::filesystem::create_symlink("data/result.json", dir.file("link.json"));
  std::filesystem::create_symlink("data/new.json", dir.file("dangling.json"));
  OutputSet set;
  std::string error;
  PendingOutput* linked = opened(set.open("--json", dir.file("link.json")), &error);
  PendingOutput* dangling = opened(set.open("--report", dir.file("dangling.json")), &error);
  REQUIRE(linked != nullptr);
  REQUIRE(dangling != nullptr);
  // The temporary files sit beside the targets.
  CHECK(names_in(dir.path() / "data").size() == 3);
  REQUIRE(succeeded(set.write(linked, "new"), &error));
  REQUIRE(succeeded(set.write(dangling, "made"), &error));
  REQUIRE(outcome(set.commit(), &error) == Outcome::kCommitted);
  CHECK(is_symlink(dir.file("link.json")));
  CHECK(is_symlink(dir.file("dangling.json")));
  CHECK(read_file(dir.file("data/result.json")) == "new");
  CHECK(read_file(dir.file("data/new.json")) == "made");
  CHECK(tree(dir.path()) == "dangling.json data data/new.json data/result.json link.json");
}

TEST_CASE("output set: a FIFO, directly or through a link, is written through at the commit") {
  TempDir dir;
  const std::string fifo = dir.file("pipe");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::filesystem::create_symlink("pipe", dir.file("pipe-link"));
  for (const std::string& path : {fifo, dir.file("pipe-link")}) {
    CAPTURE(path);
    FifoReader reader(fifo);
    OutputSet set;
    std::string error;
    PendingOutput* output = opened(set.open("--json", path), &error);
    REQUIRE(output != nullptr);
    REQUIRE(succeeded(set.write(output, "through the pipe"), &error));
    REQUIRE(outcome(set.commit(), &error) == Outcome::kCommitted);
    CHECK(reader.text() == "through the pipe");
  }
  struct stat info;
  REQUIRE(::stat(fifo.c_str(), &info) == 0);
  CHECK(S_ISFIFO(info.st_mode));
  CHECK(is_symlink(dir.file("pipe-link")));
  CHECK(tree(dir.path()) == "pipe pipe-link");
}

TEST_CASE("output set: a failed stream write renames nothing") {
  // A FIFO whose reader has gone: the write fails (EPIPE, with SIGPIPE
  // ignored for the test), and the file output of the same set stays out.
  TempDir dir;
  dir.write("r.csv", "old");
  const std::string fifo = dir.file("pipe");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(reader >= 0);
  struct sigaction ignore = {}, old = {};
  ignore.sa_handler = SIG_IGN;
  REQUIRE(::sigaction(SIGPIPE, &ignore, &old) == 0);
  {
    OutputSet set;
    std::string error;
    PendingOutput* stream = opened(set.open("--json", fifo), &error);
    PendingOutput* file = opened(set.open("--csv", dir.file("r.csv")), &error);
    REQUIRE(stream != nullptr);
    REQUIRE(file != nullptr);
    ::close(reader);
    REQUIRE(succeeded(set.write(stream, "lost"), &error));
    REQUIRE(succeeded(set.write(file, "new"), &error));
    CHECK(outcome(set.commit(), &error) == Outcome::kFailed);
    CHECK(error.find("--json " + fifo + ": cannot write") != std::string::npos);
  }
  ::sigaction(SIGPIPE, &old, nullptr);
  CHECK(read_file(dir.file("r.csv")) == "old");
  CHECK(tree(dir.path()) == "pipe r.csv");
}

TEST_CASE("output set: a path through /proc names an open file and is appended to") {
  // As /dev/stdout does when standard output is redirected to a file: the
  // file is written through the descriptor, never replaced.
  TempDir dir;
  const std::string file = dir.write("stdout.txt", "table\n");
  const int fd = ::open(file.c_str(), O_WRONLY | O_APPEND);
  REQUIRE(fd >= 0);
  struct stat before;
  REQUIRE(::stat(file.c_str(), &before) == 0);
  {
    OutputSet set;
    std::string error;
    PendingOutput* output = opened(set.open("--json", "/proc/self/fd/" + std::to_string(fd)), &error);
    REQUIRE(output != nullptr);
    REQUIRE(succeeded(set.write(output, "{}\n"), &error));
    REQUIRE(outcome(set.commit(), &error) == Outcome::kCommitted);
  }
  ::close(fd);
  struct stat after;
  REQUIRE(::stat(file.c_str(), &after) == 0);
  CHECK(after.st_ino == before.st_ino);
  CHECK(read_file(file) == "table\n{}\n");
  CHECK(tree(dir.path()) == "stdout.txt");
}

}  // namespace
}  // namespace cjsim
