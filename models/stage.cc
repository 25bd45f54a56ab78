#include "models/stage.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace cjsim {

std::string_view stage_name(int stage) {
  switch (stage) {
    case v1::AWARENESS:
      return "awareness";
    case v1::CONSIDERATION:
      return "consideration";
    case v1::DECISION:
      return "decision";
    case v1::LOYALTY:
      return "loyalty";
    default:
      return "unaware";
  }
}

std::optional<v1::Stage> parse_stage_name(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  for (v1::Stage stage : kStages) {
    if (lower == stage_name(stage)) return stage;
  }
  return std::nullopt;
}

double responsiveness_at(const v1::Persona& persona, int stage) {
  for (const auto& [key, value] : persona.responsiveness()) {
    auto parsed = parse_stage_name(key);
    if (parsed && *parsed == stage) return value;
  }
  return 1.0;
}

}  // namespace cjsim
