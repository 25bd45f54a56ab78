#include "models/scenario_loader.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <sstream>

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/unknown_field_set.h>
#include <google/protobuf/util/json_util.h>

#include "models/input_file.h"
#include "models/json_source_map.h"
#include "models/schema_hints.h"
#include "models/utf8.h"

namespace cjsim {

namespace pb = google::protobuf;

std::string to_string(const FieldPath& path) {
  std::string out;
  for (const FieldStep& step : path) {
    if (!out.empty()) out += '.';
    out += step.field;
    if (step.index >= 0) out += '[' + std::to_string(step.index) + ']';
  }
  return out;
}

std::optional<ScenarioFormat> format_for_path(std::string_view path) {
  auto ends_with = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  };
  if (ends_with(".textproto") || ends_with(".txtpb") || ends_with(".pbtxt")) {
    return ScenarioFormat::kText;
  }
  if (ends_with(".json")) return ScenarioFormat::kJson;
  if (ends_with(".binpb") || ends_with(".pb")) return ScenarioFormat::kBinary;
  return std::nullopt;
}

namespace {

class TextSourceMap : public SourceMap {
 public:
  TextSourceMap() : tree_(std::make_unique<pb::TextFormat::ParseInfoTree>()) {}

  pb::TextFormat::ParseInfoTree* tree() { return tree_.get(); }

  SourceLocation locate(const FieldPath& path) const override {
    SourceLocation best;
    const pb::Descriptor* descriptor = v1::Scenario::descriptor();
    const pb::TextFormat::ParseInfoTree* tree = tree_.get();
    for (const FieldStep& step : path) {
      const pb::FieldDescriptor* field = descriptor->FindFieldByName(step.field);
      if (field == nullptr || tree == nullptr) break;
      int index = field->is_repeated() ? std::max(step.index, 0) : -1;
      pb::TextFormat::ParseLocation at = tree->GetLocation(field, index);
      if (at.line < 0) break;
      best = {at.line + 1, at.column + 1};
      if (field->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) break;
      tree = tree->GetTreeForNested(field, index);
      descriptor = field->message_type();
    }
    return best;
  }

 private:
  std::unique_ptr<pb::TextFormat::ParseInfoTree> tree_;
};

// The two quoted names in protobuf's `Message type "A" has no field named
// "B".` (or its enum message), when `message` has that form.
std::optional<std::pair<std::string, std::string>> quoted_pair(std::string_view message,
                                                               std::string_view before,
                                                               std::string_view middle) {
  if (message.substr(0, before.size()) != before) return std::nullopt;
  const size_t first_end = message.find('"', before.size());
  if (first_end == std::string_view::npos) return std::nullopt;
  std::string_view rest = message.substr(first_end);
  if (rest.substr(0, middle.size()) != middle) return std::nullopt;
  rest.remove_prefix(middle.size());
  const size_t second_end = rest.find('"');
  if (second_end == std::string_view::npos) return std::nullopt;
  return std::make_pair(std::string(message.substr(before.size(), first_end - before.size())),
                        std::string(rest.substr(0, second_end)));
}

// Protobuf's text-format errors about a name the schema does not have,
// rewritten with the closest name and the choices (schema_hints.h); every
// other message as protobuf wrote it.
std::string with_schema_hint(const std::string& message, const pb::Descriptor& root) {
  if (auto names = quoted_pair(message, "Message type \"", "\" has no field named \"")) {
    const pb::Descriptor* type =
        pb::DescriptorPool::generated_pool()->FindMessageTypeByName(names->first);
    if (type != nullptr) return unknown_field_message(*type, names->second);
  }
  if (auto names = quoted_pair(message, "Unknown enumeration value of \"", "\" for field \"")) {
    if (const pb::EnumDescriptor* type = enum_of_field_named(root, names->second)) {
      return names->second + ": " + unknown_enum_value_message(*type, names->first);
    }
  }
  return message;
}

class CollectingErrors : public pb::io::ErrorCollector {
 public:
  CollectingErrors(Diagnostics& diagnostics, const pb::Descriptor& root)
      : diagnostics_(diagnostics), root_(root) {}
  void AddError(int line, int column, const std::string& message) override {
    diagnostics_.error(with_schema_hint(message, root_), {line + 1, column + 1});
  }
  void AddWarning(int line, int column, const std::string& message) override {
    diagnostics_.warning(message, {line + 1, column + 1});
  }

 private:
  Diagnostics& diagnostics_;
  const pb::Descriptor& root_;
};

// "byte 0xff at offset 3" for the first byte of `text` that is not UTF-8.
// REQUIRES: `text` is not valid UTF-8.
std::string utf8_error(std::string_view text) {
  const size_t at = utf8_valid_prefix(text);
  char byte[8];
  std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(text[at]));
  return "not valid UTF-8 (byte " + std::string(byte) + " at offset " + std::to_string(at) + ")";
}

// The path of the first `string` field in binary `data` (a message of
// `type`) whose bytes are not UTF-8, and why; nullopt when there is none.
// Read with protobuf's schema-less UnknownFieldSet, because the generated
// parser refuses such a message without saying which field it was.
std::optional<std::pair<FieldPath, std::string>> find_invalid_utf8(std::string_view data,
                                                                   const pb::Descriptor* type,
                                                                   const FieldPath& path) {
  pb::UnknownFieldSet fields;
  if (data.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !fields.ParseFromArray(data.data(), static_cast<int>(data.size()))) {
    return std::nullopt;
  }
  std::map<int, int> seen;  // occurrences of each repeated field so far
  for (int i = 0; i < fields.field_count(); ++i) {
    const pb::UnknownField& wire = fields.field(i);
    const pb::FieldDescriptor* field = type->FindFieldByNumber(wire.number());
    if (field == nullptr || wire.type() != pb::UnknownField::TYPE_LENGTH_DELIMITED) continue;
    FieldPath here = path;
    here.push_back({field->name(), field->is_repeated() ? seen[wire.number()]++ : -1});
    const std::string& bytes = wire.length_delimited();
    if (field->type() == pb::FieldDescriptor::TYPE_STRING && !is_valid_utf8(bytes)) {
      return std::make_pair(here, utf8_error(bytes));
    }
    if (field->type() == pb::FieldDescriptor::TYPE_MESSAGE) {
      if (auto found = find_invalid_utf8(bytes, field->message_type(), here)) return found;
    }
  }
  return std::nullopt;
}

// What every format must also satisfy once parsed: no field outside the
// schema (a binary parse keeps them as unknown fields) and UTF-8 in every
// string (text format and JSON escapes can write any bytes). Reports each
// problem with the field's path, located through `map` when there is one.
void check_parsed(const pb::Message& message, const FieldPath& path, const SourceMap* map,
                  Diagnostics& diagnostics) {
  const pb::Reflection* reflection = message.GetReflection();
  auto where = [&](const FieldPath& at) { return map ? map->locate(at) : SourceLocation{}; };
  const pb::UnknownFieldSet& unknown = reflection->GetUnknownFields(message);
  for (int i = 0; i < unknown.field_count(); ++i) {
    diagnostics.error((path.empty() ? std::string("the scenario") : to_string(path)) +
                          ": unknown field number " + std::to_string(unknown.field(i).number()) +
                          "; " + message.GetDescriptor()->full_name() + " has no such field",
                      where(path));
  }
  std::vector<const pb::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const pb::FieldDescriptor* field : fields) {
    const int count = field->is_repeated() ? reflection->FieldSize(message, field) : 1;
    for (int i = 0; i < count; ++i) {
      FieldPath here = path;
      here.push_back({field->name(), field->is_repeated() ? i : -1});
      if (field->type() == pb::FieldDescriptor::TYPE_STRING) {
        std::string scratch;
        const std::string& text =
            field->is_repeated()
                ? reflection->GetRepeatedStringReference(message, field, i, &scratch)
                : reflection->GetStringReference(message, field, &scratch);
        if (!is_valid_utf8(text))
          diagnostics.error(to_string(here) + ": " + utf8_error(text), where(here));
      } else if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
        check_parsed(field->is_repeated() ? reflection->GetRepeatedMessage(message, field, i)
                                          : reflection->GetMessage(message, field),
                     here, map, diagnostics);
      }
    }
  }
}

// Text is not binary: a NUL byte means the wrong format (or not a scenario).
bool check_no_nul(std::string_view content, const char* format, Diagnostics& diagnostics) {
  if (content.find('\0') == std::string_view::npos) return true;
  diagnostics.error(std::string("not a ") + format +
                    " scenario (it contains NUL bytes; use .binpb for binary)");
  return false;
}

}  // namespace

std::optional<LoadedScenario> parse_scenario(std::string_view content, ScenarioFormat format,
                                             const std::string& path, Diagnostics& diagnostics) {
  diagnostics.set_file(path);
  LoadedScenario loaded;
  loaded.path = path;
  switch (format) {
    case ScenarioFormat::kText: {
      if (!check_no_nul(content, "text-format", diagnostics)) return std::nullopt;
      auto map = std::make_shared<TextSourceMap>();
      CollectingErrors errors(diagnostics, *v1::Scenario::descriptor());
      pb::TextFormat::Parser parser;
      parser.RecordErrorsTo(&errors);
      parser.WriteLocationsTo(map->tree());
      if (!parser.ParseFromString(std::string(content), &loaded.scenario)) {
        if (!diagnostics.has_errors()) diagnostics.error("cannot parse text format");
        return std::nullopt;
      }
      loaded.source_map = std::move(map);
      break;
    }
    case ScenarioFormat::kJson: {
      if (!check_no_nul(content, "JSON", diagnostics)) return std::nullopt;
      // Our scanner first: protobuf's JSON parser does not say where, and
      // takes duplicate keys and an object for a list without a word.
      JsonScan scan = scan_json(content, v1::Scenario::descriptor());
      if (scan.syntax_error) {
        diagnostics.error("invalid JSON: " + *scan.syntax_error, scan.error_location);
        return std::nullopt;
      }
      if (scan.schema_error) {
        diagnostics.error("not a cjsim.v1.Scenario: " + *scan.schema_error, scan.error_location);
        return std::nullopt;
      }
      pb::util::JsonParseOptions options;
      options.ignore_unknown_fields = false;
      auto status = pb::util::JsonStringToMessage(std::string(content), &loaded.scenario, options);
      if (!status.ok()) {
        // Its first line: the rest quotes the text around the fault, which
        // the line and column replace.
        std::string message(status.message().substr(0, status.message().find('\n')));
        diagnostics.error("not a cjsim.v1.Scenario: " + message,
                          locate_json_error(*scan.source_map, message));
        return std::nullopt;
      }
      loaded.source_map = std::move(scan.source_map);
      break;
    }
    case ScenarioFormat::kBinary: {
      bool parsed = false;
      {
        // Protobuf logs why it refuses a string that is not UTF-8; the
        // message below says it instead.
        pb::LogSilencer quiet;
        parsed = loaded.scenario.ParseFromString(std::string(content));
      }
      if (!parsed) {
        if (auto bad = find_invalid_utf8(content, v1::Scenario::descriptor(), {})) {
          diagnostics.error(to_string(bad->first) + ": " + bad->second);
        } else {
          diagnostics.error("not a binary cjsim.v1.Scenario message");
        }
        return std::nullopt;
      }
      break;
    }
  }
  const int errors_before = diagnostics.error_count();
  check_parsed(loaded.scenario, {}, loaded.source_map.get(), diagnostics);
  if (diagnostics.error_count() > errors_before) return std::nullopt;
  return loaded;
}

std::optional<LoadedScenario> load_scenario(const std::string& path, Diagnostics& diagnostics) {
  diagnostics.set_file(path);
  auto format = format_for_path(path);
  if (!format) {
    diagnostics.error(
        "unknown scenario format: use .textproto, .txtpb or .pbtxt (text "
        "format), .json (protobuf JSON) or .binpb or .pb (binary)");
    return std::nullopt;
  }
  std::optional<std::string> content =
      read_input_file(path, kMaxScenarioBytes, "scenarios", diagnostics);
  if (!content) return std::nullopt;
  return parse_scenario(*content, *format, path, diagnostics);
}

}  // namespace cjsim
