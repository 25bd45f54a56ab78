// cjsim-validate-calibration: the recovery experiment of `cjsim calibrate`
// (docs/validation.md "Calibration"). For each seed k, observations are
// made by cjsim itself from a scenario with known parameters on seed
// 1000 + k (weekly conversions and the first week's awareness, with the
// standard errors of that run); the parameters are perturbed and
// calibrated back on seed k; the program counts how often the 95%
// intervals cover the truth. Over 40 seeds the coverage should lie in 90%
// to 99%; a single seed should cover. Prints one line per seed and the
// coverage; exits 1 when the coverage is outside that band (with 40 seeds
// or more) or, with fewer, when any interval misses the truth.
#include <cstdio>
#include <string>
#include <vector>

#include <google/protobuf/text_format.h>
#include <tbb/task_arena.h>
#include <CLI/CLI.hpp>

#include "cjsim/v1/scenario.pb.h"
#include "sim/calibration.h"
#include "tools/validate/calibrate_or_exit.h"
#include "tools/validate/recovery_scenario.h"

namespace {

using cjsim::validate::kRecoveryScenario;
constexpr double kTruePage = cjsim::validate::kTruePageAct;
constexpr double kTrueReach = cjsim::validate::kTrueOrganicReach;

cjsim::Observation spec(const std::string& kpi, int from, int to, int line) {
  cjsim::Observation o;
  o.kpi = kpi;
  o.window = {from, to};
  o.line = line;
  o.std_error = 1;
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  int seeds = 40, threads = 2;
  CLI::App app("cjsim-validate-calibration: coverage of calibrate's intervals over seeds");
  app.add_option("--seeds", seeds, "Seeds of the experiment (default 40)")
      ->check(CLI::Range(1, 10000));
  app.add_option("--threads", threads, "Worker threads (default 2)")->check(CLI::Range(1, 1024));
  CLI11_PARSE(app, argc, argv);

  cjsim::v1::Scenario truth;
  if (!google::protobuf::TextFormat::ParseFromString(kRecoveryScenario, &truth)) return 1;
  std::vector<cjsim::Observation> specs;
  for (int w = 0; w < 4; ++w) specs.push_back(spec("conversions", 7 * w, 7 * w + 6, w + 2));
  specs.push_back(spec("awareness_rate", 0, 6, 6));

  int covered = 0, intervals = 0;
  tbb::task_arena arena(threads);
  std::printf(
      "seed  page act probability [95%% interval]  social organic reach [95%% interval]  "
      "chi2 (dof)\n");
  for (int k = 0; k < seeds; ++k) {
    arena.execute([&] {
      const std::vector<cjsim::Observation> observed =
          cjsim::simulated_observations(truth, specs, 1000 + static_cast<uint64_t>(k)).value();
      cjsim::v1::Scenario start = truth;
      start.mutable_simulation()->set_seed(static_cast<uint64_t>(k) + 1);
      // Perturbed: a third lower and a half higher than the truth.
      start.mutable_touchpoints(2)->mutable_cta()->set_act_probability(kTruePage * 2 / 3);
      start.mutable_channels(0)->set_organic_reach(kTrueReach * 1.5);
      cjsim::CalibrationSettings settings;
      settings.threads = threads;
      settings.draws = 2;
      const cjsim::Calibration c = cjsim::validate::calibrate_or_exit(
          start, observed,
          {"touchpoints[page].cta.act_probability=0.1:0.9",
           "channels[social].organic_reach=0.01:0.5"},
          settings);
      const auto& r = c.result;
      std::string line = std::to_string(k + 1);
      for (int i = 0; i < r.parameters_size(); ++i) {
        const auto& p = r.parameters(i);
        const double t = i == 0 ? kTruePage : kTrueReach;
        const bool in = p.ci_low() <= t && t <= p.ci_high();
        covered += in ? 1 : 0;
        ++intervals;
        char cell[128];
        std::snprintf(cell, sizeof cell, "  %.4f [%.4f, %.4f]%s", p.estimate(), p.ci_low(),
                      p.ci_high(), in ? "" : " MISS");
        line += cell;
      }
      char fit[64];
      std::snprintf(fit, sizeof fit, "  %.2f (%d)", r.chi_square(), r.degrees_of_freedom());
      std::printf("%s%s\n", line.c_str(), fit);
      std::fflush(stdout);
    });
  }
  const double coverage = static_cast<double>(covered) / intervals;
  std::printf("coverage of the 95%% intervals: %d of %d (%.1f%%) over %d seeds\n", covered,
              intervals, 100 * coverage, seeds);
  if (seeds >= 40) return coverage >= 0.90 && coverage <= 0.99 ? 0 : 1;
  return covered == intervals ? 0 : 1;
}
