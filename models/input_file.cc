#include "models/input_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace cjsim {

std::optional<std::string> read_input_file(const std::string& path, size_t max_bytes,
                                           std::string_view kind, Diagnostics& diagnostics) {
  // A folder opens as a stream on Linux and then reports a nonsense size.
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    diagnostics.error("cannot read: is a directory");
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diagnostics.error(std::string("cannot open: ") + std::strerror(errno));
    return std::nullopt;
  }
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size < 0) {
    diagnostics.error("cannot read: not a regular file");
    return std::nullopt;
  }
  if (static_cast<size_t>(size) > max_bytes) {
    diagnostics.error("file is " + std::to_string(size >> 20) + " MiB; " + std::string(kind) +
                      " are limited to " + std::to_string(max_bytes >> 20) + " MiB");
    return std::nullopt;
  }
  in.seekg(0);
  std::string content(static_cast<size_t>(size), '\0');
  in.read(content.data(), size);
  if (!in) {
    diagnostics.error(std::string("cannot read: ") + std::strerror(errno));
    return std::nullopt;
  }
  return content;
}

}  // namespace cjsim
