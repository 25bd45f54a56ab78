// The check an optimizer's recommendation must survive (docs/model.md
// "Verification"): from the mix, every channel's budget is moved down by a
// step, to its lower bound (0 unless bounds hold it) and up by a step, and
// a step of budget is shifted between every ordered pair of channels (of
// a schedule's cells: every ordered pair in one week, and between a
// channel's cells in weeks next to each other); each
// moved mix runs on the confirmation's seed and replications and is
// compared with the mix, paired. The first move found to improve the
// objective at the scenario's confidence is taken and the next round
// starts from there (trying first the moves that came nearest in the round
// before), until a whole round finds none or the rounds run out.
//
// Before the first round, budgets under 1% of the free total are moved to
// their lower bounds together (round 0), kept unless that mix is worse.
//
// A move is first run on the search's replications (the first of the
// confirmation's: the same streams); one that does not gain there by half
// a standard error is settled on them, the others are extended to the
// confirmation's replications, where the verdict is made. Runs in the calling thread's
// task arena, one mix at a time.
#ifndef CJSIM_SIM_MIX_VERIFICATION_H_
#define CJSIM_SIM_MIX_VERIFICATION_H_

#include <cstdint>
#include <vector>

#include "cjsim/v1/result.pb.h"
#include "cjsim/v1/scenario.pb.h"
#include "sim/mix_runner.h"

namespace cjsim {

struct VerificationSettings {
  double total = 0;  // the weekly budget the planned channels share
  bool spend_all = true;
  // Judge moves on conversions (the target modes) instead of the runner's
  // objective.
  bool on_conversions = false;
  int screen_replications = 0;  // the search's
  // When above the screen's: a promising move runs on this many first, and
  // on all `replications` only if still promising there (0: straight on).
  int middle_replications = 0;
  int replications = 0;  // the confirmation's
  double confidence = 0.95;
  int max_rounds = 4;
  uint64_t seed = 0;  // of the CVaR bootstrap
};

struct VerifiedMix {
  MixRunner::Run run;  // the mix the verification ended at, at `replications`
  v1::Verification record;
};

// The weekly budget a move shifts out of (or into) planned entry `channel`
// at budget `budget`: a tenth of the mean free budget, or a tenth of its own
// if more. Care's staffing (sim/planning.h kCareStaffing) moves on its own
// scale, a tenth of its budget but at least a hundredth of the mean free
// budget: its worth turns sharply where the capacity meets the complaints
// (docs/model.md "Planning care staffing"), which steps sized by the ad
// budgets would straddle.
double move_step(const PlannedChannel& channel, double budget, double free_total,
                 size_t free_channels);

// REQUIRES: `start` is a feasible mix of `channels` (within the bounds;
// summing to settings.total when spending all, at most it otherwise) run
// at settings.replications >= settings.screen_replications >= 2; max_rounds >= 1.
VerifiedMix verify_mix(MixRunner& runner, const v1::Scenario& scenario,
                       const std::vector<PlannedChannel>& channels, MixRunner::Run start,
                       const VerificationSettings& settings, StudyProgress* progress);

}  // namespace cjsim

#endif  // CJSIM_SIM_MIX_VERIFICATION_H_
