// A parallel loop over indices: oneTBB's parallel_for, or, in a
// ThreadSanitizer build, plain threads that the tool can follow.
//
// Debian's libtbb is not built with ThreadSanitizer: the synchronisation of
// its scheduler (the hand-over of tasks, the wait for the loop to finish,
// atomics on the caller's stack) happens where the tool cannot see it, so it
// reports oneTBB's own hand-overs, and everything the loop's bodies share
// with the code around them, as races, without end. In a ThreadSanitizer
// build (tools/run-sanitizers.sh defines CJSIM_TSAN) parallel_indices
// therefore runs the same bodies on std::threads taking indices from an
// atomic counter, as many as the current arena allows, joined before it
// returns: the bodies run concurrently as they do under oneTBB, and every
// order between them and the code around them is one the tool sees, so a
// report is a race in cjsim's code. Otherwise it is tbb::parallel_for over a
// blocked_range of grain 1, nothing more. Call from any thread, in any arena.
// PerThread, below, is the per-thread storage that goes with it.
#ifndef CJSIM_SIM_PARALLEL_H_
#define CJSIM_SIM_PARALLEL_H_

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <tbb/enumerable_thread_specific.h>

#if defined(CJSIM_TSAN)
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>
#endif

namespace cjsim {

#if defined(CJSIM_TSAN)
namespace internal {
// The concurrency a helper thread of parallel_indices inherits from the
// thread that started it (0 on any other thread): a helper is a std::thread
// outside every arena, and a nested loop on it must not ask oneTBB, whose
// per-thread data from its uninstrumented allocator the tool would see
// reused as a race once the helper ends.
inline thread_local int inherited_concurrency = 0;
}  // namespace internal
#endif

// f() isolated from other tasks of the arena (tbb::this_task_arena::
// isolate), so that a thread waiting in a nested parallel loop takes no
// unrelated task; in a ThreadSanitizer build simply f(), since there the
// loops run on std::threads of their own.
template <typename F>
void isolated(const F& f) {
#if defined(CJSIM_TSAN)
  f();
#else
  tbb::this_task_arena::isolate(f);
#endif
}

// body(i) for every i in [first, last), in parallel in the current arena,
// each index its own task at most (a grain of one).
template <typename Index, typename Body, typename... Partitioner>
void parallel_indices(Index first, Index last, const Body& body,
                      const Partitioner&... partitioner) {
#if defined(CJSIM_TSAN)
  (void)(sizeof...(partitioner));
  const int concurrency = internal::inherited_concurrency > 0
                              ? internal::inherited_concurrency
                              : tbb::this_task_arena::max_concurrency();
  std::atomic<Index> next{first};
  auto work = [&] {
    for (Index i = next++; i < last; i = next++) body(i);
  };
  std::vector<std::thread> helpers;
  for (int t = 1; t < concurrency && first + t < last; ++t) {
    helpers.emplace_back([&] {
      internal::inherited_concurrency = concurrency;
      work();
    });
  }
  work();
  for (std::thread& helper : helpers) helper.join();
#else
  tbb::parallel_for(
      tbb::blocked_range<Index>(first, last, 1),
      [&](const tbb::blocked_range<Index>& range) {
        for (Index i = range.begin(); i != range.end(); ++i) body(i);
      },
      partitioner...);
#endif
}

// One T per thread that asks for one: oneTBB's enumerable_thread_specific,
// or, in a ThreadSanitizer build, a map under a mutex (oneTBB's keeps its
// elements in memory from libtbb's own allocator, whose reuse the tool
// cannot see). local() is the calling thread's T, made on first use;
// iterating visits every T made, in no fixed order (so what is merged from
// them must not depend on the order). local() may be called from any thread
// at once; iterate only when no thread is in local().
#if defined(CJSIM_TSAN)
template <typename T>
class PerThread {
 public:
  PerThread() : make_([] { return T(); }) {}
  explicit PerThread(std::function<T()> make) : make_(std::move(make)) {}

  T& local() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::unique_ptr<T>& slot = slots_[std::this_thread::get_id()];
    if (!slot) slot = std::make_unique<T>(make_());
    return *slot;
  }

  class iterator {
   public:
    using It = typename std::map<std::thread::id, std::unique_ptr<T>>::iterator;
    explicit iterator(It at) : at_(at) {}
    T& operator*() const { return *at_->second; }
    iterator& operator++() {
      ++at_;
      return *this;
    }
    bool operator!=(const iterator& other) const { return at_ != other.at_; }

   private:
    It at_;
  };
  iterator begin() { return iterator(slots_.begin()); }
  iterator end() { return iterator(slots_.end()); }

 private:
  std::function<T()> make_;
  std::mutex mutex_;
  std::map<std::thread::id, std::unique_ptr<T>> slots_;
};
#else
template <typename T>
using PerThread = tbb::enumerable_thread_specific<T>;
#endif

}  // namespace cjsim

#endif  // CJSIM_SIM_PARALLEL_H_
