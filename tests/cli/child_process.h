// The cjsim binary as a child process the test can signal and limit:
// started with fork and exec (no shell), its output streams to files, and
// waited for with a timeout so that a hung child fails the test instead of
// hanging it.
#ifndef CJSIM_TESTS_CLI_CHILD_PROCESS_H_
#define CJSIM_TESTS_CLI_CHILD_PROCESS_H_

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/test_support.h"

namespace cjsim::testing {

class ChildProcess {
 public:
  // Starts `cjsim ARGS...`, stdout and stderr to files in a folder of its
  // own, stdin from /dev/null. `file_size_limit` (RLIMIT_FSIZE, 0: none):
  // writes past this many bytes fail with EFBIG (SIGXFSZ is ignored), as on
  // a full disk.
  explicit ChildProcess(const std::vector<std::string>& args, rlim_t file_size_limit = 0) {
    const std::string out = streams_.file("out"), err = streams_.file("err");
    std::vector<std::string> argv_text = {CJSIM_BINARY};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      // The child: only async-signal-safe calls until exec.
      const int in = ::open("/dev/null", O_RDONLY);
      const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (in < 0 || o < 0 || e < 0) ::_exit(127);
      ::dup2(in, 0);
      ::dup2(o, 1);
      ::dup2(e, 2);
      // The test runner's handlers and mask must not leak into cjsim.
      struct sigaction fallback = {};
      fallback.sa_handler = SIG_DFL;
      for (int s : {SIGINT, SIGTERM, SIGPIPE}) ::sigaction(s, &fallback, nullptr);
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      if (file_size_limit > 0) {
        const rlimit limit = {file_size_limit, file_size_limit};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        struct sigaction ignore = {};
        ignore.sa_handler = SIG_IGN;
        ::sigaction(SIGXFSZ, &ignore, nullptr);
      }
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }

  ~ChildProcess() {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGKILL);
      int raw = 0;
      ::waitpid(pid_, &raw, 0);
    }
  }

  void signal(int number) { REQUIRE(::kill(pid_, number) == 0); }

  bool running() {
    if (status_) return false;
    int raw = 0;
    const pid_t done = ::waitpid(pid_, &raw, WNOHANG);
    if (done == pid_) status_ = raw;
    return !status_;
  }

  // Waits up to `timeout` for `condition` to hold while the child runs;
  // true when it does.
  bool wait_until(const std::function<bool()>& condition,
                  std::chrono::seconds timeout = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (condition()) return true;
      if (!running()) return condition();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }

  // The exit status, or -1 when it did not exit normally (a signal killed
  // it) or not within `timeout` (then it is killed).
  int wait(std::chrono::seconds timeout = std::chrono::seconds(60)) {
    wait_until([] { return false; }, timeout);
    if (!status_) {
      ::kill(pid_, SIGKILL);
      int raw = 0;
      ::waitpid(pid_, &raw, 0);
      status_ = raw;
      return -1;
    }
    return WIFEXITED(*status_) ? WEXITSTATUS(*status_) : -1;
  }

  std::string out() const { return read_file(streams_.file("out")); }
  std::string err() const { return read_file(streams_.file("err")); }

 private:
  TempDir streams_;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

}  // namespace cjsim::testing

#endif  // CJSIM_TESTS_CLI_CHILD_PROCESS_H_
