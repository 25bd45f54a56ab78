// cjsim-attribution-bench: the time and memory of `cjsim attribute` on a
// large path log, for docs/performance.md.
//
// A program that prints figures, not a timed test. It generates a path log
// of --paths distinct paths over --channels channels from --seed (channel
// popularity falling as 1/rank, path lengths 1 + geometric with mean 3,
// journeys per path 1 + geometric with mean 2, each journey converting with
// 1 - prod(1 - lift of each distinct channel) and a value of 20 to 80 per
// conversion), then, for each order of --orders, fits the Markov chain and
// solves the removal of every channel (sim/attribution.h, the markov method
// alone, then all methods), on --threads threads. It prints the chain's size,
// the wall time of each step and the peak resident memory of the process
// (getrusage) after each order.
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

#include <tbb/task_arena.h>
#include <CLI/CLI.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_01.hpp>

#include "models/path_log.h"
#include "sim/attribution.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double peak_mebibytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // kilobytes on Linux
}

struct Generator {
  boost::random::mt19937_64 engine;
  boost::random::uniform_01<double> uniform;
  std::vector<double> cumulative;  // channel popularity
  std::vector<double> lift;        // per channel, the conversion lift

  Generator(uint64_t seed, int channels) : engine(seed) {
    double total = 0;
    for (int c = 0; c < channels; ++c) {
      total += 1.0 / (c + 1);
      cumulative.push_back(total);
      lift.push_back(0.02 + 0.13 * draw());
    }
    for (double& x : cumulative) x /= total;
  }
  double draw() { return uniform(engine); }
  int32_t channel() {
    const double u = draw();
    const auto it = std::lower_bound(cumulative.begin(), cumulative.end(), u);
    return static_cast<int32_t>(std::min<std::ptrdiff_t>(
        it - cumulative.begin(), static_cast<std::ptrdiff_t>(cumulative.size()) - 1));
  }
  // 1 + a geometric number with mean `mean` - 1.
  int count(double mean, int cap) {
    const double stop = 1.0 / mean;
    int n = 1;
    while (n < cap && draw() >= stop) ++n;
    return n;
  }
};

cjsim::PathLog generate(uint64_t seed, int64_t paths, int channels) {
  Generator g(seed, channels);
  cjsim::PathLog log;
  for (int c = 0; c < channels; ++c) log.channels.push_back("channel_" + std::to_string(c));
  std::unordered_map<uint64_t, size_t> seen;  // hash of a path -> its index
  std::vector<int32_t> path;
  while (static_cast<int64_t>(log.size()) < paths) {
    path.clear();
    const int length = g.count(3, 30);
    for (int i = 0; i < length; ++i) {
      const int32_t c = g.channel();
      if (path.empty() || path.back() != c) path.push_back(c);
    }
    uint64_t hash = 1469598103934665603ull;
    for (int32_t c : path) hash = (hash ^ static_cast<uint64_t>(c + 1)) * 1099511628211ull;
    double miss = 1;
    std::vector<int32_t> distinct = path;
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    for (int32_t c : distinct) miss *= 1 - g.lift[static_cast<size_t>(c)];
    const int journeys = g.count(2, 1000);
    double conversions = 0, value = 0;
    for (int j = 0; j < journeys; ++j) {
      if (g.draw() < 1 - miss) {
        conversions += 1;
        value += 20 + 60 * g.draw();
      }
    }
    const double nulls = journeys - conversions;
    auto [it, inserted] = seen.try_emplace(hash, log.size());
    if (inserted) {
      log.add(path, {}, conversions, value, nulls);
    } else {
      // The same path again (or, rarely, one with the same hash): more
      // journeys on the row already there.
      log.conversions[it->second] += conversions;
      log.value[it->second] += value;
      log.nulls[it->second] += nulls;
      log.total_conversions += conversions;
      log.total_value += value;
      log.total_nulls += nulls;
    }
  }
  return log;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t paths = 1'000'000;
  int channels = 200;
  uint64_t seed = 2026;
  std::vector<int> orders = {1, 3};
  int threads = 2;
  bool quick = false;
  CLI::App app{"cjsim-attribution-bench: time and memory of cjsim attribute on generated paths"};
  app.add_option("--paths", paths, "Distinct paths (default 1,000,000)");
  app.add_option("--channels", channels, "Channels (default 200)");
  app.add_option("--seed", seed, "Seed of the generator (default 2026)");
  app.add_option("--orders", orders, "Markov orders to time (default 1,3)")->delimiter(',');
  app.add_option("--threads", threads, "Worker threads (default 2)");
  app.add_flag("--quick", quick, "A smoke test: 20,000 paths");
  CLI11_PARSE(app, argc, argv);
  if (quick) paths = 20'000;

  auto start = Clock::now();
  const cjsim::PathLog log = generate(seed, paths, channels);
  std::printf(
      "generated %zu distinct paths over %d channels (seed %llu) in %.2f s: %zu touches, "
      "%.0f journeys, %.0f conversions\n",
      log.size(), channels, static_cast<unsigned long long>(seed), seconds_since(start),
      log.touches.size(), log.total_conversions + log.total_nulls, log.total_conversions);
  std::printf("peak memory after generating: %.0f MiB\n", peak_mebibytes());
  tbb::task_arena arena(threads);
  for (int order : orders) {
    for (bool all : {false, true}) {
      cjsim::AttributionOptions options;
      options.order = order;
      if (!all) options.methods = {cjsim::AttributionMethod::kMarkov};
      start = Clock::now();
      std::optional<cjsim::Result<cjsim::Attribution>> result;
      arena.execute([&] { result = cjsim::attribute_paths(log, options); });
      const double elapsed = seconds_since(start);
      if (!*result) {
        std::fprintf(stderr, "order %d: %s\n", order, result->status().message().c_str());
        return 1;
      }
      const cjsim::Attribution& a = result->value();
      std::printf(
          "order %d, %s, %d threads: %.2f s | %lld states, %lld transitions, %lld cyclic "
          "components (largest %lld states) | peak memory %.0f MiB\n",
          order, all ? "all methods" : "markov only", threads, elapsed,
          static_cast<long long>(a.states), static_cast<long long>(a.transitions),
          static_cast<long long>(a.cyclic_components), static_cast<long long>(a.largest_component),
          peak_mebibytes());
    }
  }
  return 0;
}
