#include "models/field_path.h"

#include <cmath>
#include <cstdint>

#include <google/protobuf/reflection.h>

#include "models/diagnostics.h"
#include "models/schema_hints.h"
#include "models/stage.h"

namespace cjsim {

namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string hint(std::string_view word, const std::vector<std::string>& candidates) {
  std::string match = closest_match(word, candidates);
  return match.empty() ? "" : " (did you mean " + quoted(match) + "?)";
}

bool is_number(const FieldDescriptor* f) {
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64:
      return true;
    default:
      return false;
  }
}

// The entry of map field `map` (string -> number) in `message` with `key`.
Message* find_map_entry(Message* message, const FieldDescriptor* map, const std::string& key) {
  const Reflection* r = message->GetReflection();
  const FieldDescriptor* key_field = map->message_type()->map_key();
  for (int i = 0; i < r->FieldSize(*message, map); ++i) {
    Message* entry = r->MutableRepeatedMessage(message, map, i);
    if (entry->GetReflection()->GetString(*entry, key_field) == key) return entry;
  }
  return nullptr;
}

double read_number(const Message& m, const FieldDescriptor* f) {
  const Reflection* r = m.GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return r->GetDouble(m, f);
    case FieldDescriptor::CPPTYPE_FLOAT:
      return r->GetFloat(m, f);
    case FieldDescriptor::CPPTYPE_INT32:
      return r->GetInt32(m, f);
    case FieldDescriptor::CPPTYPE_INT64:
      return static_cast<double>(r->GetInt64(m, f));
    case FieldDescriptor::CPPTYPE_UINT32:
      return r->GetUInt32(m, f);
    case FieldDescriptor::CPPTYPE_UINT64:
      return static_cast<double>(r->GetUInt64(m, f));
    default:
      return 0;
  }
}

void write_number(Message* m, const FieldDescriptor* f, double v) {
  const Reflection* r = m->GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_DOUBLE:
      r->SetDouble(m, f, v);
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      r->SetFloat(m, f, static_cast<float>(v));
      break;
    case FieldDescriptor::CPPTYPE_INT32:
      r->SetInt32(m, f, static_cast<int32_t>(v));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      r->SetInt64(m, f, static_cast<int64_t>(v));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      r->SetUInt32(m, f, static_cast<uint32_t>(v));
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      r->SetUInt64(m, f, static_cast<uint64_t>(v));
      break;
    default:
      break;
  }
}

}  // namespace

Result<ScenarioField> ScenarioField::parse(std::string_view text, const v1::Scenario& scenario) {
  ScenarioField field;
  field.text_ = std::string(text);
  const Descriptor* type = nullptr;
  size_t pos = 0;
  if (Status status = field.parse_head(text, scenario, type, pos); !status.is_ok()) return status;
  if (Status status = field.parse_fields(text, scenario, type, pos); !status.is_ok()) {
    return status;
  }
  return field;
}

namespace {

// A bad-input Status quoting `text` up to `end`, where the problem is.
Status path_error(std::string_view text, size_t end, const std::string& message) {
  return Status::bad_input(quoted(text.substr(0, end)) + ": " + message);
}

}  // namespace

Status ScenarioField::parse_head(std::string_view text, const v1::Scenario& scenario,
                                 const Descriptor*& type, size_t& pos) {
  const Descriptor* scenario_type = v1::Scenario::descriptor();
  auto fail = [&](size_t end, const std::string& message) {
    return path_error(text, end, message);
  };
  pos = text.find_first_of(".[");
  const std::string head(text.substr(0, pos));
  if (head == "simulation" || head == "loyalty") {
    chain_.push_back(scenario_type->FindFieldByName(head));
    type = chain_.back()->message_type();
  } else if (head == "channels" || head == "touchpoints" || head == "personas" || head == "edges") {
    collection_ = scenario_type->FindFieldByName(head);
    type = collection_->message_type();
    if (pos == std::string_view::npos || text[pos] != '[') {
      return fail(head.size(),
                  "name one with " + head + "[" + (head == "edges" ? "FROM->TO" : "ID") + "]");
    }
    const size_t close = text.find(']', pos);
    if (close == std::string_view::npos) return fail(text.size(), "missing ']'");
    const std::string inside(text.substr(pos + 1, close - pos - 1));
    const std::string kind = head.substr(0, head.size() - 1);
    if (head == "edges") {
      const size_t arrow = inside.find("->");
      if (arrow == std::string::npos) return fail(close + 1, "write an edge as edges[FROM->TO]");
      const std::string from = inside.substr(0, arrow), to = inside.substr(arrow + 2);
      for (int i = 0; i < scenario.edges_size(); ++i) {
        if (scenario.edges(i).from() == from && scenario.edges(i).to() == to) {
          entities_.push_back(i);
        }
      }
      if (entities_.empty()) {
        return fail(close + 1,
                    "the scenario has no edge from " + quoted(from) + " to " + quoted(to));
      }
    } else {
      const Reflection* r = scenario.GetReflection();
      std::vector<std::string> ids;
      for (int i = 0; i < r->FieldSize(scenario, collection_); ++i) {
        const Message& item = r->GetRepeatedMessage(scenario, collection_, i);
        const std::string id =
            item.GetReflection()->GetString(item, item.GetDescriptor()->FindFieldByName("id"));
        ids.push_back(id);
        if (id == inside) entities_.push_back(i);
      }
      if (entities_.empty()) {
        return fail(close + 1, "no " + kind + " " + quoted(inside) + hint(inside, ids));
      }
    }
    pos = close + 1;
  } else {
    return fail(head.size(), "unknown part " + quoted(head) +
                                 "; paths start with channels[ID], touchpoints[ID], "
                                 "personas[ID], edges[FROM->TO], simulation or loyalty");
  }

  return Status::ok();
}

Status ScenarioField::parse_fields(std::string_view text, const v1::Scenario& scenario,
                                   const Descriptor* type, size_t pos) {
  auto fail = [&](size_t end, const std::string& message) {
    return path_error(text, end, message);
  };
  while (true) {
    if (pos >= text.size() || text[pos] != '.') {
      const std::string fields = [&] {
        std::string all;
        for (const std::string& n : field_names(*type)) all += (all.empty() ? "" : ", ") + n;
        return all;
      }();
      return fail(pos, "name a field: one of " + fields);
    }
    const size_t begin = pos + 1;
    const size_t end = std::min(text.find_first_of(".[", begin), text.size());
    const std::string name(text.substr(begin, end - begin));
    const FieldDescriptor* f = type->FindFieldByName(name);
    if (f == nullptr) {
      return fail(end, unknown_field_message(*type, name));
    }
    chain_.push_back(f);
    pos = end;
    if (f->is_map()) {
      const FieldDescriptor* value = f->message_type()->map_value();
      if (pos >= text.size() || text[pos] != '[') {
        return fail(pos, quoted(name) + " is a map; name an entry with " + name + "[KEY]");
      }
      const size_t close = text.find(']', pos);
      if (close == std::string_view::npos) return fail(text.size(), "missing ']'");
      map_key_ = std::string(text.substr(pos + 1, close - pos - 1));
      if (name == "channel_affinity") {
        std::vector<std::string> ids;
        bool known = false;
        for (const v1::Channel& c : scenario.channels()) {
          ids.push_back(c.id());
          known |= c.id() == map_key_;
        }
        if (!known) {
          return fail(close + 1, "no channel " + quoted(map_key_) + hint(map_key_, ids));
        }
      } else if (name == "responsiveness" && !parse_stage_name(map_key_)) {
        return fail(close + 1, "unknown stage " + quoted(map_key_) +
                                   "; use awareness, consideration, decision or loyalty");
      }
      if (!is_number(value)) return fail(close + 1, "the map's values are not numbers");
      if (close + 1 != text.size()) return fail(close + 1, "a map entry has no fields");
      return Status::ok();
    }
    if (f->is_repeated()) {
      return fail(end, quoted(name) + " is a list; a sweep sets one number");
    }
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      type = f->message_type();
      continue;
    }
    if (!is_number(f)) {
      return fail(end, quoted(name) + " is not a number (it is a " + f->cpp_type_name() + ")");
    }
    if (end != text.size()) return fail(end, quoted(name) + " is a number; it has no parts");
    return Status::ok();
  }
}

bool ScenarioField::is_integer() const {
  const FieldDescriptor* leaf = chain_.back();
  if (leaf->is_map()) leaf = leaf->message_type()->map_value();
  return leaf->cpp_type() != FieldDescriptor::CPPTYPE_DOUBLE &&
         leaf->cpp_type() != FieldDescriptor::CPPTYPE_FLOAT;
}

std::optional<FieldRange> ScenarioField::range() const { return field_range(*chain_.back()); }

std::string ScenarioField::check_value(double value) const {
  const FieldDescriptor* leaf = chain_.back();
  if (leaf->is_map()) leaf = leaf->message_type()->map_value();
  if (!std::isfinite(value)) return text_ + ": " + number_text(value) + " is not a finite number";
  // The type's range as [low, high] for the message and [low, end) exactly
  // in doubles (2^63 and 2^64 are, their predecessors are not).
  auto range = [&](const char* type, const std::string& low, const std::string& high,
                   double low_value, double end) -> std::string {
    if (value == std::floor(value) && value >= low_value && value < end) return "";
    return text_ + " is " + type + ": " + number_text(value) + " is not a whole number in [" + low +
           ", " + high + "]";
  };
  switch (leaf->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return range("a 32-bit integer", std::to_string(INT32_MIN), std::to_string(INT32_MAX),
                   INT32_MIN, std::ldexp(1.0, 31));
    case FieldDescriptor::CPPTYPE_UINT32:
      return range("an unsigned 32-bit integer", "0", std::to_string(UINT32_MAX), 0,
                   std::ldexp(1.0, 32));
    case FieldDescriptor::CPPTYPE_INT64:
      return range("a 64-bit integer", std::to_string(INT64_MIN), std::to_string(INT64_MAX),
                   -std::ldexp(1.0, 63), std::ldexp(1.0, 63));
    case FieldDescriptor::CPPTYPE_UINT64:
      return range("an unsigned 64-bit integer", "0", std::to_string(UINT64_MAX), 0,
                   std::ldexp(1.0, 64));
    default:
      return "";  // double or float: any finite number
  }
}

std::optional<double> ScenarioField::get(const v1::Scenario& scenario) const {
  const Message* m = &scenario;
  if (collection_ != nullptr) {
    m = &scenario.GetReflection()->GetRepeatedMessage(scenario, collection_, entities_.front());
  }
  for (size_t i = 0; i + 1 < chain_.size(); ++i) {
    m = &m->GetReflection()->GetMessage(*m, chain_[i]);
  }
  const FieldDescriptor* leaf = chain_.back();
  if (!leaf->is_map()) return read_number(*m, leaf);
  const Reflection* r = m->GetReflection();
  const FieldDescriptor* key = leaf->message_type()->map_key();
  for (int i = 0; i < r->FieldSize(*m, leaf); ++i) {
    const Message& entry = r->GetRepeatedMessage(*m, leaf, i);
    if (entry.GetReflection()->GetString(entry, key) == map_key_) {
      return read_number(entry, leaf->message_type()->map_value());
    }
  }
  return std::nullopt;
}

void ScenarioField::set(v1::Scenario& scenario, double value) const {
  std::vector<Message*> targets;
  if (collection_ == nullptr) {
    targets.push_back(&scenario);
  } else {
    for (int i : entities_) {
      targets.push_back(
          scenario.GetReflection()->MutableRepeatedMessage(&scenario, collection_, i));
    }
  }
  for (Message* m : targets) {
    for (size_t i = 0; i + 1 < chain_.size(); ++i) {
      m = m->GetReflection()->MutableMessage(m, chain_[i]);
    }
    const FieldDescriptor* leaf = chain_.back();
    if (!leaf->is_map()) {
      write_number(m, leaf, value);
      continue;
    }
    Message* entry = find_map_entry(m, leaf, map_key_);
    if (entry == nullptr) {
      entry = m->GetReflection()->AddMessage(m, leaf);
      entry->GetReflection()->SetString(entry, leaf->message_type()->map_key(), map_key_);
    }
    write_number(entry, leaf->message_type()->map_value(), value);
  }
}

}  // namespace cjsim
