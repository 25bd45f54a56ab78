#include "models/input_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace cjsim {

namespace {

namespace fs = std::filesystem;

// What a path that is not a regular file is, for the message; "" for a
// regular file or one that is not there (opening it says why).
const char* non_regular_kind(fs::file_type type) {
  switch (type) {
    case fs::file_type::directory:
      return "is a directory";
    case fs::file_type::fifo:
      return "is a FIFO (named pipe)";
    case fs::file_type::character:
      return "is a character device";
    case fs::file_type::block:
      return "is a block device";
    case fs::file_type::socket:
      return "is a socket";
    case fs::file_type::unknown:
      return "not a regular file";
    default:
      return "";
  }
}

}  // namespace

std::optional<std::string> read_input_file(const std::string& path, size_t max_bytes,
                                           std::string_view kind, Diagnostics& diagnostics) {
  // Only regular files (or links to them): a FIFO would block for ever, a
  // device never ends or reads as nothing, a folder opens as a stream.
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (const char* what = non_regular_kind(status.type()); *what != '\0') {
    diagnostics.error(std::string("cannot read: ") + what);
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
  if (size == 0) {
    diagnostics.error("the file is empty");
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
