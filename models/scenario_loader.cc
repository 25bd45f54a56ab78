#include "models/scenario_loader.h"

#include <algorithm>

#include <sstream>

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

#include "models/input_file.h"
#include "models/json_source_map.h"

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

class CollectingErrors : public pb::io::ErrorCollector {
 public:
  explicit CollectingErrors(Diagnostics& diagnostics) : diagnostics_(diagnostics) {}
  void AddError(int line, int column, const std::string& message) override {
    diagnostics_.error(message, {line + 1, column + 1});
  }
  void AddWarning(int line, int column, const std::string& message) override {
    diagnostics_.warning(message, {line + 1, column + 1});
  }

 private:
  Diagnostics& diagnostics_;
};

}  // namespace

std::optional<LoadedScenario> parse_scenario(std::string_view content, ScenarioFormat format,
                                             const std::string& path, Diagnostics& diagnostics) {
  diagnostics.set_file(path);
  LoadedScenario loaded;
  loaded.path = path;
  switch (format) {
    case ScenarioFormat::kText: {
      auto map = std::make_shared<TextSourceMap>();
      CollectingErrors errors(diagnostics);
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
      // Our scanner first: protobuf's JSON parser does not say where.
      JsonScan scan = scan_json(content);
      if (scan.syntax_error) {
        diagnostics.error("invalid JSON: " + *scan.syntax_error, scan.error_location);
        return std::nullopt;
      }
      pb::util::JsonParseOptions options;
      options.ignore_unknown_fields = false;
      auto status = pb::util::JsonStringToMessage(std::string(content), &loaded.scenario, options);
      if (!status.ok()) {
        std::string message(status.message());
        diagnostics.error("not a cjsim.v1.Scenario: " + message,
                          locate_json_error(*scan.source_map, message));
        return std::nullopt;
      }
      loaded.source_map = std::move(scan.source_map);
      break;
    }
    case ScenarioFormat::kBinary:
      if (!loaded.scenario.ParseFromString(std::string(content))) {
        diagnostics.error("not a binary cjsim.v1.Scenario message");
        return std::nullopt;
      }
      break;
  }
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
