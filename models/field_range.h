// FieldRange: the values validation accepts for a numeric scenario field,
// kept in one table that validation reads its bounds from and that
// `uncertain` distributions are checked against and truncated to
// (docs/model.md "Parameter uncertainty").
//
// A field's range is the simple bound on its own value: [0, 1] for a
// probability or share, [0, ceiling] for money, weights and counts (the
// size budgets of models/limits.h), [0, 1) for adstock decay. Rules that
// tie fields together (cpm > 0 when a channel has a budget, shares that
// must not all be 0) stay in validation and are not ranges.
// Pure functions of constant tables; call from any thread.
#ifndef CJSIM_MODELS_FIELD_RANGE_H_
#define CJSIM_MODELS_FIELD_RANGE_H_

#include <limits>
#include <optional>
#include <string>

#include <google/protobuf/descriptor.h>

namespace cjsim {

struct FieldRange {
  double low = -std::numeric_limits<double>::infinity();
  double high = std::numeric_limits<double>::infinity();
  bool high_open = false;  // [low, high) rather than [low, high]
  // Whether `high` is a size budget (models/limits.h) rather than a bound
  // of the quantity's meaning: validation words the two differently.
  bool high_is_budget = false;

  bool contains(double value) const {
    return value >= low && (high_open ? value < high : value <= high);
  }
  // "[0, 1]", "[0, 1)", "[0, 1e+15]"
  std::string text() const;
};

// The range of `field` (for a map field such as Persona.channel_affinity,
// of its values); nullopt for a field the table does not bound, which
// validation checks in rules of its own or not at all.
std::optional<FieldRange> field_range(const google::protobuf::FieldDescriptor& field);

// The range of field `name` of message type `Message` (v1::Channel, ...).
// REQUIRES: the field exists and the table bounds it.
template <typename Message>
FieldRange field_range_of(const char* name) {
  return *field_range(*Message::descriptor()->FindFieldByName(name));
}

}  // namespace cjsim

#endif  // CJSIM_MODELS_FIELD_RANGE_H_
