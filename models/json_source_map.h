// Positions in protobuf JSON text, which protobuf's own JSON parser does not
// report: a small scanner that finds the first syntax error with its line
// and column, and otherwise records where every object key was written, so
// that errors about a field can point at its line like text-format ones do.
// Time and memory are linear in the text (the positions of the first 2^20
// keys and array elements are kept). Pure functions; call from any thread.
#ifndef CJSIM_MODELS_JSON_SOURCE_MAP_H_
#define CJSIM_MODELS_JSON_SOURCE_MAP_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "models/diagnostics.h"
#include "models/scenario_loader.h"

namespace cjsim {

struct JsonScan {
  // Set when the text is not JSON: what is wrong and where.
  std::optional<std::string> syntax_error;
  SourceLocation error_location;
  // Where each field was written; set when there is no syntax error.
  std::shared_ptr<const SourceMap> source_map;
};

JsonScan scan_json(std::string_view text);

// The location of protobuf's JSON error message, which names a field path
// in parentheses ("(touchpoints[0].stage): invalid value ...") or a field
// ("personaz: Cannot find field."); unknown when it names neither.
SourceLocation locate_json_error(const SourceMap& map, std::string_view message);

}  // namespace cjsim

#endif  // CJSIM_MODELS_JSON_SOURCE_MAP_H_
