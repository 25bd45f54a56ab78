// A request to stop long work early.
//
// The caller (the command line, on SIGINT or SIGTERM) owns a
// std::atomic<bool> and sets it from any thread or from a signal handler;
// the libraries only read it, with one relaxed load at safe points: once
// per simulated day of each replication in the engine, once per batch,
// point or candidate in the studies, once per likelihood evaluation in the
// retention fits. Never in the per-agent loop. Work that sees the flag set
// ends early and returns incomplete results, which the caller must discard.
// A null pointer means "never stop".
#ifndef CJSIM_SIM_STOP_H_
#define CJSIM_SIM_STOP_H_

#include <atomic>

namespace cjsim {

static_assert(std::atomic<bool>::is_always_lock_free, "a signal handler sets the stop flag");

inline bool stop_requested(const std::atomic<bool>* stop) {
  return stop != nullptr && stop->load(std::memory_order_relaxed);
}

}  // namespace cjsim

#endif  // CJSIM_SIM_STOP_H_
