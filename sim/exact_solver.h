// The exact answer for scenarios in single-journey form.
//
// When no channel reaches anyone, every agent enters once on day 0 and walks
// the journey graph: an absorbing Markov chain (to v with a(u) w(u,v)/W(u),
// to "dropped" with 1 - a(u); Kemeny & Snell 1960, "Finite Markov Chains").
// Delayed edges and the finite horizon are handled exactly by propagating
// the arrival distribution day by day: each day's same-session walk is one
// sparse solve (I - M^T) y = x with Eigen's SparseLU, and mass parked on a
// delayed edge arrives each later day with probability 1 - q. Results are
// expectations per agent; the Monte Carlo engine must agree within its
// interval. Pure function of the model; call from any thread.
#ifndef CJSIM_SIM_EXACT_SOLVER_H_
#define CJSIM_SIM_EXACT_SOLVER_H_

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "models/compiled_model.h"
#include "models/status.h"
#include "models/stage.h"

namespace cjsim {

struct ExactSolution {
  double conversion_rate = 0;  // P(at least one conversion)
  // [goal kind]: P(reaching at least one goal of that kind).
  std::vector<double> kind_conversion_rate;
  std::array<double, kStageSlots> reached{};  // [stage]: P(furthest stage >= stage)
  // Expected counts per agent.
  std::vector<double> touchpoint_visits, touchpoint_acts, touchpoint_conversions;
  std::vector<double> persona_conversion_rate;  // P(convert) per persona
  std::vector<double> persona_conversions;      // expected conversions per agent
  // [channel]: expected conversions and value per agent of the agents whose
  // entry touchpoint is on the channel (their one touch: channel credit).
  std::vector<double> channel_conversions, channel_value;
};

// Solves `model` exactly. When it is not in single-journey form, or its
// walk has no finite solution, a bad-input Status with a sentence naming
// what prevents it.
Result<ExactSolution> solve_exact(const CompiledModel& model);

}  // namespace cjsim

#endif  // CJSIM_SIM_EXACT_SOLVER_H_
