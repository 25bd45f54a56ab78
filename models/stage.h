// Journey stages: their order, their names in files and reports.
//
// Stage values are those of cjsim.v1.Stage (AWARENESS = 1 ... LOYALTY = 4);
// 0 stands for "not yet aware" in agent state. Pure functions, safe from any
// thread.
#ifndef CJSIM_MODELS_STAGE_H_
#define CJSIM_MODELS_STAGE_H_

#include <array>
#include <optional>
#include <string_view>

#include "cjsim/v1/scenario.pb.h"

namespace cjsim {

inline constexpr int kStageCount = 4;  // AWARENESS .. LOYALTY
inline constexpr std::array<v1::Stage, kStageCount> kStages = {v1::AWARENESS, v1::CONSIDERATION,
                                                               v1::DECISION, v1::LOYALTY};
static_assert(v1::AWARENESS == 1 && v1::LOYALTY == kStageCount, "stages are 1 .. kStageCount");
// Per-stage arrays indexed by the stage value, with 0 for "not yet aware".
inline constexpr int kStageSlots = kStageCount + 1;

// "awareness", "consideration", "decision", "loyalty"; "unaware" for 0.
std::string_view stage_name(int stage);

// Accepts the lower-case names above and the enum spellings (AWARENESS).
std::optional<v1::Stage> parse_stage_name(std::string_view name);

// The persona's responsiveness multiplier at `stage`: the value of the
// `responsiveness` key naming that stage in any letter case, else 1.
double responsiveness_at(const v1::Persona& persona, int stage);

}  // namespace cjsim

#endif  // CJSIM_MODELS_STAGE_H_
