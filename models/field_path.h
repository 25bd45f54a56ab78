// ScenarioField: one numeric field of a scenario addressed by ids, as
// `cjsim sweep --set` writes it:
//
//   channels[tiktok].weekly_budget            touchpoints[ig_post].cta.act_probability
//   personas[students].share                  personas[students].channel_affinity[tiktok]
//   edges[site->checkout].weight              simulation.horizon_days
//   loyalty.care.daily_capacity               loyalty.bg_nbd.r
//
// Any numeric (non-list) field of a channel, touchpoint, persona or edge, of
// a message inside one (cta, goal), of a map entry (channel_affinity,
// responsiveness), or of `simulation` or `loyalty` can be addressed; docs/cli.md lists
// them. An edge path addresses every edge from FROM to TO. Parsing checks the
// path against a scenario and reports the part that is wrong; a parsed field
// can then be read and written on that scenario and on its copies. Values
// are checked here only against the field's type (finite, and for integer
// fields whole and within int32, int64, uint32 or uint64); the caller
// validates the edited scenario for the rest.
// Plain value type; const methods may run concurrently.
#ifndef CJSIM_MODELS_FIELD_PATH_H_
#define CJSIM_MODELS_FIELD_PATH_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/descriptor.h>

#include "cjsim/v1/scenario.pb.h"
#include "models/field_range.h"
#include "models/status.h"

namespace cjsim {

class ScenarioField {
 public:
  // Parses `text` against `scenario`; on failure a bad-input Status whose
  // message quotes the part of the path that is wrong.
  static Result<ScenarioField> parse(std::string_view text, const v1::Scenario& scenario);

  // REQUIRES: `scenario` has the entities of the scenario parsed against.
  // The value as stored in the first addressed entity; nullopt for a map
  // entry that is not there (an unset optional field reads 0, its proto
  // default).
  std::optional<double> get(const v1::Scenario& scenario) const;
  // REQUIRES: check_value(value) is empty.
  void set(v1::Scenario& scenario, double value) const;

  // Empty when the field's type can hold `value`; otherwise why not, with
  // the type's range ("simulation.horizon_days is a 32-bit integer: 1e+10 is
  // not a whole number in [-2147483648, 2147483647]").
  std::string check_value(double value) const;

  // True for integer fields (simulation.horizon_days, ...): values must be
  // whole numbers.
  bool is_integer() const;
  // The values validation accepts for the field (models/field_range.h);
  // nullopt where its table has no simple bound for it.
  std::optional<FieldRange> range() const;
  const std::string& text() const { return text_; }

 private:
  ScenarioField() = default;
  // The part before the first '.': simulation, loyalty, or an entity of a
  // collection (channels[ID], edges[FROM->TO], ...). Sets `type` to its
  // message type and `pos` past it.
  Status parse_head(std::string_view text, const v1::Scenario& scenario,
                    const google::protobuf::Descriptor*& type, size_t& pos);
  // The .name segments from `pos` down to a number or a map entry.
  Status parse_fields(std::string_view text, const v1::Scenario& scenario,
                      const google::protobuf::Descriptor* type, size_t pos);

  std::string text_;
  // Scenario's repeated field (channels, ...), or nullptr for `simulation`.
  const google::protobuf::FieldDescriptor* collection_ = nullptr;
  std::vector<int> entities_;  // indices into `collection_`
  // Message fields down to the leaf, then the leaf itself.
  std::vector<const google::protobuf::FieldDescriptor*> chain_;
  std::string map_key_;  // when the leaf is a map<string, double>
};

}  // namespace cjsim

#endif  // CJSIM_MODELS_FIELD_PATH_H_
