// A progress bar on stderr for long work: shown only when stderr is a
// terminal and the work has run for more than a second, with the share done
// and an estimate of the time left. The work reports by incrementing a
// shared atomic counter from any thread; the bar polls it from its own thread.
#ifndef CJSIM_TOOLS_CJSIM_PROGRESS_H_
#define CJSIM_TOOLS_CJSIM_PROGRESS_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace cjsim::cli {

class ProgressBar {
 public:
  // `enabled` false: never draws (quiet runs, stderr not a terminal).
  ProgressBar(std::string label, uint64_t total, bool enabled);
  // Polls counters owned by the work: `done` of `total`, where the total
  // may grow while the work runs (sequential stopping). Both must outlive
  // the bar.
  ProgressBar(std::string label, const std::atomic<uint64_t>* done,
              const std::atomic<uint64_t>* total, bool enabled);
  ~ProgressBar();  // stops and clears the line

  std::atomic<uint64_t>* counter() { return &own_done_; }

  // The bar line for `done` of `total` after `elapsed` seconds (for tests).
  static std::string render(const std::string& label, uint64_t done, uint64_t total,
                            double elapsed);

 private:
  void loop();

  std::string label_;
  std::atomic<uint64_t> own_done_{0}, own_total_{0};
  const std::atomic<uint64_t>* done_ = &own_done_;
  const std::atomic<uint64_t>* total_ = &own_total_;
  bool drawn_ = false;
  bool stop_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

// True when standard error is a terminal.
bool stderr_is_terminal();

}  // namespace cjsim::cli

#endif  // CJSIM_TOOLS_CJSIM_PROGRESS_H_
