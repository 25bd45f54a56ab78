#include "models/schema_hints.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "models/diagnostics.h"

namespace cjsim {

namespace pb = google::protobuf;

std::vector<std::string> field_names(const pb::Descriptor& type, bool json_names) {
  std::vector<std::string> names;
  for (int i = 0; i < type.field_count(); ++i) names.push_back(type.field(i)->name());
  if (json_names) {
    for (int i = 0; i < type.field_count(); ++i) {
      if (type.field(i)->json_name() != type.field(i)->name()) {
        names.push_back(type.field(i)->json_name());
      }
    }
  }
  return names;
}

std::string unknown_field_message(const pb::Descriptor& type, std::string_view name,
                                  bool json_names) {
  const std::string match = closest_match(name, field_names(type, json_names));
  return type.name() + " has no field '" + std::string(name) + "'" +
         (match.empty() ? "" : " (did you mean '" + match + "'?)");
}

std::string enum_choices(const pb::EnumDescriptor& type) {
  std::vector<std::string> names;
  for (int k = 0; k < type.value_count(); ++k) {
    if (type.value(k)->number() != 0) names.push_back(type.value(k)->name());
  }
  std::string out;
  for (size_t k = 0; k < names.size(); ++k) {
    out += (k == 0 ? "" : k + 1 == names.size() ? " or " : ", ") + names[k];
  }
  return out;
}

std::string unknown_enum_value_message(const pb::EnumDescriptor& type, std::string_view value) {
  std::vector<std::string> names;
  for (int k = 0; k < type.value_count(); ++k) {
    if (type.value(k)->number() != 0) names.push_back(type.value(k)->name());
  }
  std::string upper(value);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  const std::string match = closest_match(upper, names);
  return "'" + std::string(value) + "' is not a " + type.name() + "; " +
         (match.empty() ? "" : "did you mean " + match + "? ") + "use " + enum_choices(type);
}

namespace {

void collect_enums(const pb::Descriptor& type, std::string_view field,
                   std::set<const pb::Descriptor*>& seen,
                   std::set<const pb::EnumDescriptor*>& found) {
  if (!seen.insert(&type).second) return;
  for (int i = 0; i < type.field_count(); ++i) {
    const pb::FieldDescriptor& f = *type.field(i);
    if (f.name() == field && f.enum_type() != nullptr) found.insert(f.enum_type());
    if (f.message_type() != nullptr) collect_enums(*f.message_type(), field, seen, found);
  }
}

}  // namespace

const pb::EnumDescriptor* enum_of_field_named(const pb::Descriptor& root, std::string_view field) {
  std::set<const pb::Descriptor*> seen;
  std::set<const pb::EnumDescriptor*> found;
  collect_enums(root, field, seen, found);
  return found.size() == 1 ? *found.begin() : nullptr;
}

}  // namespace cjsim
