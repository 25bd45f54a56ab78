// Positions in protobuf JSON text, which protobuf's own JSON parser does not
// report: a small scanner that finds the first syntax error with its line
// and column, and otherwise records where every object key was written, so
// that errors about a field can point at its line like text-format ones do.
// Given the message type, it also refuses what protobuf's parser lets pass
// without a word: a key written twice in one object (protobuf keeps the last
// value, or appends to a list) and an object where the schema has a list;
// and, at their line and with the closest name (protobuf says neither), a
// key the schema does not have and an enum value its type does not name.
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
  // Set when the text is not JSON (RFC 8259, strings in UTF-8): what is
  // wrong; error_location says where.
  std::optional<std::string> syntax_error;
  // Set when the text is JSON but does not fit the message type: a duplicate
  // key, an object for a list or a list for an object, an unknown key or
  // enum value name.
  std::optional<std::string> schema_error;
  SourceLocation error_location;
  // Where each field was written; set when there is no error.
  std::shared_ptr<const SourceMap> source_map;
  // The scan's work, which the tests check grows linearly with the text:
  // characters counted to give lines and columns, and bytes of keys and
  // element indices kept in the source map.
  size_t counted_characters = 0;
  size_t kept_key_bytes = 0;
};

// Scans `text`; with `type`, also checks the keys, the shape of the values
// and the names of enum values against that message type.
JsonScan scan_json(std::string_view text, const google::protobuf::Descriptor* type = nullptr);

// The location of protobuf's JSON error message, which names a field path
// in parentheses ("(touchpoints[0].stage): invalid value ...") or a field
// ("personaz: Cannot find field."); for a path not written whole, the
// closest enclosing part that was; unknown when it names neither.
SourceLocation locate_json_error(const SourceMap& map, std::string_view message);

}  // namespace cjsim

#endif  // CJSIM_MODELS_JSON_SOURCE_MAP_H_
