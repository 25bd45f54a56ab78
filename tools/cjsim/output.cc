#include "tools/cjsim/output.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver_util.h>

#include "models/diagnostics.h"

namespace cjsim::cli {

std::unique_ptr<PendingOutput> PendingOutput::open(const std::string& path, std::string* error) {
  if (path == "-") return std::unique_ptr<PendingOutput>(new PendingOutput(path, "", -1));
  if (path.empty()) {
    *error = "output path is empty";
    return nullptr;
  }
  std::string pattern = path + ".tmp.XXXXXX";
  int fd = mkstemp(pattern.data());
  if (fd < 0) {
    *error = path + ": cannot write: " + std::strerror(errno);
    return nullptr;
  }
  return std::unique_ptr<PendingOutput>(new PendingOutput(path, pattern, fd));
}

PendingOutput::~PendingOutput() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temporary_.c_str());
  }
}

bool PendingOutput::commit(const std::string& content, std::string* error) {
  if (is_stdout()) {
    std::fwrite(content.data(), 1, content.size(), stdout);
    std::fflush(stdout);
    return true;
  }
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd_, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *error = path_ + ": cannot write: " + std::strerror(errno);
      return false;
    }
    written += static_cast<size_t>(n);
  }
  // Files made by mkstemp are private; results are ordinary files.
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd_, 0666 & ~mask);
  if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
    fd_ = -1;
    ::unlink(temporary_.c_str());
    *error = path_ + ": cannot write: " + std::strerror(errno);
    return false;
  }
  fd_ = -1;
  if (std::rename(temporary_.c_str(), path_.c_str()) != 0) {
    *error = path_ + ": cannot write: " + std::strerror(errno);
    ::unlink(temporary_.c_str());
    return false;
  }
  return true;
}

std::string to_json(const google::protobuf::Message& message) {
  // Through deterministic binary form, which sorts map keys: the same result
  // prints the same JSON byte for byte (MessageToJsonString follows the
  // map's hash order).
  std::string binary;
  {
    google::protobuf::io::StringOutputStream stream(&binary);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  static const std::unique_ptr<google::protobuf::util::TypeResolver> resolver(
      google::protobuf::util::NewTypeResolverForDescriptorPool(
          "type.googleapis.com", google::protobuf::DescriptorPool::generated_pool()));
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string out;
  auto status = google::protobuf::util::BinaryToJsonString(
      resolver.get(), "type.googleapis.com/" + message.GetDescriptor()->full_name(), binary, &out,
      options);
  if (!status.ok()) {
    std::fprintf(stderr, "cjsim internal error: cannot print JSON: %s\n",
                 std::string(status.message()).c_str());
    std::abort();
  }
  return out;
}

bool open_json_option(const std::string& path, std::unique_ptr<PendingOutput>* output) {
  if (path.empty()) return true;
  std::string error;
  *output = PendingOutput::open(path, &error);
  if (!*output) {
    std::fprintf(stderr, "error: --json %s\n", printable(error).c_str());
    return false;
  }
  return true;
}

bool commit_json_option(PendingOutput* output, const google::protobuf::Message& message) {
  if (output == nullptr) return true;
  std::string error;
  if (!output->commit(to_json(message), &error)) {
    std::fprintf(stderr, "error: --json %s\n", printable(error).c_str());
    return false;
  }
  return true;
}

}  // namespace cjsim::cli
