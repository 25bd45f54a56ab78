// Writing results: files are written whole or not at all (a temporary file
// in the same folder, renamed over the target), "-" means standard output.
#ifndef CJSIM_TOOLS_CJSIM_OUTPUT_H_
#define CJSIM_TOOLS_CJSIM_OUTPUT_H_

#include <memory>
#include <string>

#include <google/protobuf/message.h>

namespace cjsim::cli {

// An output opened before the work starts, so that a bad path is reported at
// once instead of after a long run. Destroying an uncommitted output removes
// its temporary file.
class PendingOutput {
 public:
  // Opens a temporary file beside `path` ("-": standard output). On failure
  // returns null and sets `error` to a message naming the path.
  static std::unique_ptr<PendingOutput> open(const std::string& path, std::string* error);
  ~PendingOutput();

  // Writes `content` and renames the temporary file onto the path.
  bool commit(const std::string& content, std::string* error);
  bool is_stdout() const { return path_ == "-"; }

 private:
  PendingOutput(std::string path, std::string temporary, int fd)
      : path_(std::move(path)), temporary_(std::move(temporary)), fd_(fd) {}
  std::string path_, temporary_;
  int fd_;
};

// Protobuf JSON with the proto field names and every field printed.
std::string to_json(const google::protobuf::Message& message);

// The --json option of a command: opens `path` (nothing when it is empty).
// On failure prints "error: --json PATH: why" to stderr and returns false.
bool open_json_option(const std::string& path, std::unique_ptr<PendingOutput>* output);

// Writes `message` as JSON to `output` when there is one. On failure prints
// "error: --json PATH: why" to stderr and returns false.
bool commit_json_option(PendingOutput* output, const google::protobuf::Message& message);

}  // namespace cjsim::cli

#endif  // CJSIM_TOOLS_CJSIM_OUTPUT_H_
