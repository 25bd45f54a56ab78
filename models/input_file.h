// Reading a user's input file whole into memory, with the failures a user can
// cause (missing file, a folder, a FIFO or device, an empty file, a file too
// large) reported as Diagnostics naming the path. A pure function of the file
// system; call from any thread.
#ifndef CJSIM_MODELS_INPUT_FILE_H_
#define CJSIM_MODELS_INPUT_FILE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "models/diagnostics.h"

namespace cjsim {

// The content of `path`, which must be a regular file (or a link to one)
// and not empty. On failure returns nullopt with an error in
// `diagnostics` (attributed to its current file, which callers set to
// `path`). `kind` names the files for the size message ("scenarios are
// limited to 256 MiB").
std::optional<std::string> read_input_file(const std::string& path, size_t max_bytes,
                                           std::string_view kind, Diagnostics& diagnostics);

}  // namespace cjsim

#endif  // CJSIM_MODELS_INPUT_FILE_H_
