#include "tools/cjsim/progress.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include <unistd.h>

namespace cjsim::cli {

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

ProgressBar::ProgressBar(std::string label, uint64_t total, bool enabled)
    : label_(std::move(label)), own_total_(total) {
  if (enabled && total > 0) thread_ = std::thread([this] { loop(); });
}

ProgressBar::ProgressBar(std::string label, const std::atomic<uint64_t>* done,
                         const std::atomic<uint64_t>* total, bool enabled)
    : label_(std::move(label)), done_(done), total_(total) {
  if (enabled) thread_ = std::thread([this] { loop(); });
}

ProgressBar::~ProgressBar() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (drawn_) std::fprintf(stderr, "\r\033[K");
}

std::string ProgressBar::render(const std::string& label, uint64_t done, uint64_t total,
                                double elapsed) {
  constexpr int kWidth = 30;
  const double share = total == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total);
  const int filled = static_cast<int>(share * kWidth);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kWidth - filled), '.');
  char line[160];
  if (done > 0) {
    const double left = elapsed * (1 - share) / share;
    std::snprintf(line, sizeof line, "%s [%s] %3.0f%%  %.0fs left", label.c_str(), bar.c_str(),
                  share * 100, std::ceil(left));
  } else {
    std::snprintf(line, sizeof line, "%s [%s] %3.0f%%", label.c_str(), bar.c_str(), 0.0);
  }
  return line;
}

void ProgressBar::loop() {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stop_; })) {
    const double elapsed = std::chrono::duration<double>(clock::now() - start).count();
    if (elapsed < 1.0) continue;
    const uint64_t total = total_->load(std::memory_order_relaxed);
    if (total == 0) continue;
    const uint64_t done = std::min(done_->load(std::memory_order_relaxed), total);
    std::string line = render(label_, done, total, elapsed);
    std::fprintf(stderr, "\r%s\033[K", line.c_str());
    std::fflush(stderr);
    drawn_ = true;
  }
}

}  // namespace cjsim::cli
