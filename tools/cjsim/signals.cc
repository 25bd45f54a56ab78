#include "tools/cjsim/signals.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <mutex>
#include <string_view>

#include <signal.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

namespace cjsim::cli {

namespace {

static_assert(std::atomic<int>::is_always_lock_free, "the signal handler uses atomic ints");

constexpr size_t kPathBytes = size_t{1} << 18;
constexpr int kEntries = 4096;
constexpr char kNothingWritten[] = "cjsim: interrupted; nothing was written\n";
constexpr char kWhileCommitting[] =
    "cjsim: interrupted while writing the outputs; some may have been written\n";

enum Phase : int { kWorking = 0, kCommitting = 1 };

// A registered path: its text starts at paths[offset]. Entries are only
// appended, and a path's text is never changed once its entry is published,
// so the handler reads them without a lock while the main thread adds more.
struct Entry {
  size_t offset = 0;
  bool folder = false;
  std::atomic<bool> live{false};
};

// What the handler reads, in static storage (zero pages until used).
struct SignalState {
  std::atomic<bool> stop{false};
  std::atomic<int> first_signal{0};
  std::atomic<int> signals{0};
  std::atomic<int> phase{kWorking};
  std::atomic<bool> reported{false};
  std::atomic<int> published{0};
  Entry entries[kEntries];
  char paths[kPathBytes] = {};
};

constinit SignalState state;
// Main thread only.
std::mutex registry_mutex;
size_t paths_used = 0;
bool committing = false;

int exit_status(int signal) { return signal == SIGTERM ? kExitSigterm : kExitSigint; }

// Async-signal-safe: unlink and rmdir on published entries, files first,
// then folders in the reverse order of their making.
void remove_registered() {
  const int n = state.published.load(std::memory_order_acquire);
  for (int i = 0; i < n; ++i) {
    const Entry& e = state.entries[i];
    if (!e.folder && e.live.load(std::memory_order_acquire)) ::unlink(state.paths + e.offset);
  }
  for (int i = n; i-- > 0;) {
    const Entry& e = state.entries[i];
    if (e.folder && e.live.load(std::memory_order_acquire)) ::rmdir(state.paths + e.offset);
  }
}

void handle_signal(int signal) {
  const int saved_errno = errno;
  int none = 0;
  state.first_signal.compare_exchange_strong(none, signal);
  state.stop.store(true);
  if (state.signals.fetch_add(1) >= 1) {
    // The second signal: stop at once.
    const bool writing = state.phase.load() == kCommitting;
    remove_registered();
    if (!state.reported.exchange(true)) {
      const char* message = writing ? kWhileCommitting : kNothingWritten;
      const size_t length = writing ? sizeof kWhileCommitting - 1 : sizeof kNothingWritten - 1;
      [[maybe_unused]] ssize_t ignored = ::write(STDERR_FILENO, message, length);
    }
    ::_exit(exit_status(state.first_signal.load()));
  }
  errno = saved_errno;
}

}  // namespace

void install_signal_handlers() {
  struct sigaction action = {};
  action.sa_handler = handle_signal;
  sigemptyset(&action.sa_mask);
  sigaddset(&action.sa_mask, SIGINT);
  sigaddset(&action.sa_mask, SIGTERM);
  // Restarted system calls: the work notices the flag at its own pace, and
  // the libraries never see EINTR.
  action.sa_flags = SA_RESTART;
  for (int signal : {SIGINT, SIGTERM}) {
    struct sigaction old = {};
    if (::sigaction(signal, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    ::sigaction(signal, &action, nullptr);
  }
  // A reader that went away (`--json - | head`) makes the write fail with
  // EPIPE, which the OutputSet handles like any failed write (nothing
  // renamed, temporaries removed, exit 1), instead of killing the process
  // with its temporary files left behind.
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, nullptr);
}

const std::atomic<bool>* stop_flag() { return &state.stop; }

bool interrupted() { return !committing && state.stop.load(); }

int interrupted_exit() {
  // A log record here; the handler, which may not lock, writes it itself.
  if (!state.reported.exchange(true)) {
    spdlog::error(std::string_view(kNothingWritten, sizeof kNothingWritten - 2));
  }
  return exit_status(state.first_signal.load());
}

bool begin_commit() {
  // Sequentially consistent, like the handler's store to `stop` and load of
  // `phase`: either this sees the signal, or the handler sees the commit.
  state.phase.store(kCommitting);
  if (state.stop.load()) {
    state.phase.store(kWorking);
    return false;
  }
  committing = true;
  return true;
}

int remove_on_signal(const std::string& path, bool folder) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  const int n = state.published.load(std::memory_order_relaxed);
  if (n == kEntries || path.size() + 1 > kPathBytes - paths_used) return -1;
  std::memcpy(state.paths + paths_used, path.c_str(), path.size() + 1);
  Entry& e = state.entries[n];
  e.offset = paths_used;
  e.folder = folder;
  e.live.store(true, std::memory_order_relaxed);
  paths_used += path.size() + 1;
  state.published.store(n + 1, std::memory_order_release);
  return n;
}

void forget_on_signal(int token) {
  if (token >= 0) state.entries[token].live.store(false, std::memory_order_release);
}

}  // namespace cjsim::cli
