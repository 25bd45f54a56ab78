// Loading scenario files: text format (.textproto, .txtpb, .pbtxt), protobuf
// JSON (.json) and binary (.binpb, .pb), chosen by the file's extension.
//
// Syntax errors are reported as "file:line:col: message". For text-format
// and JSON files a SourceMap remembers where every field was written, so
// later semantic checks can point at the offending line too. Loading is a pure
// function of the file; call it from any thread.
#ifndef CJSIM_MODELS_SCENARIO_LOADER_H_
#define CJSIM_MODELS_SCENARIO_LOADER_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cjsim/v1/scenario.pb.h"
#include "models/diagnostics.h"

namespace google::protobuf {
class Descriptor;
}

namespace cjsim {

// One step of a path to a field inside a message: a field name and, for a
// repeated field, the element's index (-1 for a singular field).
struct FieldStep {
  std::string field;
  int index = -1;
};
using FieldPath = std::vector<FieldStep>;

// "touchpoints[3].cta.act_probability".
std::string to_string(const FieldPath& path);

// Where each field of a parsed text-format message was written.
class SourceMap {
 public:
  virtual ~SourceMap() = default;
  // The most specific known location of `path`: the field itself if it was
  // written, else the closest enclosing message that was.
  virtual SourceLocation locate(const FieldPath& path) const = 0;
};

enum class ScenarioFormat { kText, kJson, kBinary };

// The format an extension stands for; nullopt for an unknown extension.
std::optional<ScenarioFormat> format_for_path(std::string_view path);

struct LoadedScenario {
  v1::Scenario scenario;
  std::string path;
  std::shared_ptr<const SourceMap> source_map;  // null for binary files

  SourceLocation locate(const FieldPath& field) const {
    return source_map ? source_map->locate(field) : SourceLocation{};
  }
};

// Largest scenario file accepted; larger input is reported, not read.
inline constexpr size_t kMaxScenarioBytes = size_t{256} << 20;

// Reads and parses `path`. On failure returns nullopt with the reasons in
// `diagnostics` (whose file is set to `path`).
std::optional<LoadedScenario> load_scenario(const std::string& path, Diagnostics& diagnostics);

// Parses `content` as if read from `path` in `format`.
std::optional<LoadedScenario> parse_scenario(std::string_view content, ScenarioFormat format,
                                             const std::string& path, Diagnostics& diagnostics);

}  // namespace cjsim

#endif  // CJSIM_MODELS_SCENARIO_LOADER_H_
