// Hints drawn from the schema itself (protobuf descriptors) for a field or
// an enum value that a file names and the schema does not have: the closest
// name ("did you mean") and the values to choose from. The text-format and
// JSON loaders, validation and `sweep --set` word these alike.
// Pure functions of the descriptors; call from any thread.
#ifndef CJSIM_MODELS_SCHEMA_HINTS_H_
#define CJSIM_MODELS_SCHEMA_HINTS_H_

#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/descriptor.h>

namespace cjsim {

// The names of the fields of `type` as the .proto writes them; with
// `json_names`, followed by their lowerCamelCase JSON names where those
// differ.
std::vector<std::string> field_names(const google::protobuf::Descriptor& type,
                                     bool json_names = false);

// "Channel has no field 'weekly_budgt' (did you mean 'weekly_budget'?)":
// the closest of the field names (with `json_names`, of both spellings, so
// that a camelCase key gets a camelCase hint); without a hint when none is
// close.
std::string unknown_field_message(const google::protobuf::Descriptor& type, std::string_view name,
                                  bool json_names = false);

// "AWARENESS, CONSIDERATION, DECISION or LOYALTY": the names of the values
// other than the unset 0.
std::string enum_choices(const google::protobuf::EnumDescriptor& type);

// "'AWARENES' is not a Stage; did you mean AWARENESS? use AWARENESS,
// CONSIDERATION, DECISION or LOYALTY". The closest name is looked for in
// upper case, so `awareness` gets AWARENESS.
std::string unknown_enum_value_message(const google::protobuf::EnumDescriptor& type,
                                       std::string_view value);

// The enum type of the fields called `field` in `root` and the messages
// reachable from it, when they all have one; null when no such field is an
// enum or two have different enum types. (Protobuf's text-format parser
// names only the field of an unknown enum value, not its message.)
const google::protobuf::EnumDescriptor* enum_of_field_named(
    const google::protobuf::Descriptor& root, std::string_view field);

}  // namespace cjsim

#endif  // CJSIM_MODELS_SCHEMA_HINTS_H_
