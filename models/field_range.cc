#include "models/field_range.h"

#include <map>
#include <string_view>
#include <utility>

#include "models/check.h"
#include "models/diagnostics.h"
#include "models/limits.h"

namespace cjsim {

namespace {

constexpr double kUnbounded = std::numeric_limits<double>::infinity();
constexpr FieldRange kProbability{0, 1};
constexpr FieldRange kAtLeastZero{0, kUnbounded};
constexpr FieldRange budget(double ceiling) { return {0, ceiling, false, true}; }

// By the field's full name ("cjsim.v1.Channel.max_reach"). docs/model.md
// explains each field; models/limits.h each ceiling.
const std::map<std::string, FieldRange, std::less<>>& table() {
  static const auto* const ranges = new std::map<std::string, FieldRange, std::less<>>{
      {"cjsim.v1.Persona.share", budget(limits::kMaxWeight)},
      {"cjsim.v1.Persona.channel_affinity", kProbability},
      {"cjsim.v1.Persona.responsiveness", kAtLeastZero},
      {"cjsim.v1.Persona.memory_half_life_days", kAtLeastZero},
      {"cjsim.v1.Persona.privacy_sensitivity", kProbability},
      {"cjsim.v1.Channel.weekly_budget", budget(limits::kMaxMoney)},
      {"cjsim.v1.Channel.cpm", budget(limits::kMaxMoney)},
      {"cjsim.v1.Channel.max_reach", kProbability},
      {"cjsim.v1.Channel.half_saturation", budget(limits::kMaxMoney)},
      {"cjsim.v1.Channel.adstock_decay", {0, 1, true}},
      {"cjsim.v1.Channel.organic_reach", kProbability},
      {"cjsim.v1.Cta.act_probability", kProbability},
      {"cjsim.v1.Touchpoint.entry_weight", budget(limits::kMaxWeight)},
      {"cjsim.v1.Goal.value", budget(limits::kMaxMoney)},
      {"cjsim.v1.Edge.weight", budget(limits::kMaxWeight)},
      {"cjsim.v1.Care.churn_if_unanswered", kProbability},
      {"cjsim.v1.Care.public_share", kProbability},
      {"cjsim.v1.Care.sentiment_impact", kAtLeastZero},
      {"cjsim.v1.Care.praise_rate", kProbability},
      {"cjsim.v1.Care.cost_per_capacity_unit", budget(limits::kMaxMoney)},
      {"cjsim.v1.Fatigue.per_exposure", {0, limits::kMaxFatiguePerExposure}},
      {"cjsim.v1.Fatigue.recovery_half_life_days", {0, limits::kMaxHorizonDays}},
      {"cjsim.v1.Comments.rate_per_exposure", kProbability},
      {"cjsim.v1.Comments.negative_share", kProbability},
      {"cjsim.v1.Audience.within_days", {1, limits::kMaxHorizonDays}},
  };
  return *ranges;
}

}  // namespace

std::string FieldRange::text() const {
  return "[" + number_text(low) + ", " + number_text(high) + (high_open ? ")" : "]");
}

std::optional<FieldRange> field_range(const google::protobuf::FieldDescriptor& field) {
  const auto it = table().find(field.full_name());
  if (it == table().end()) return std::nullopt;
  return it->second;
}

}  // namespace cjsim
