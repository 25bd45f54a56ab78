#include "tools/cjsim/output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver_util.h>

#include "models/check.h"
#include "models/diagnostics.h"
#include "tools/cjsim/exit_codes.h"
#include "tools/cjsim/signals.h"

namespace cjsim::cli {

namespace {

namespace fs = std::filesystem;

// Symbolic links are followed at most this many times (Linux's MAXSYMLINKS).
constexpr int kMaxLinks = 40;
// How often the wait for a FIFO's reader looks at the stop flag.
constexpr auto kReaderPoll = std::chrono::milliseconds(20);

std::string why(int error_number) { return std::strerror(error_number); }

bool under_proc(const fs::path& path) {
  std::error_code ec;
  const fs::path absolute = fs::absolute(path, ec).lexically_normal();
  return !ec && absolute.string().rfind("/proc/", 0) == 0;
}

// `path` with its symbolic links followed to what they name (which need not
// exist). `through_proc`: a step of the way is under /proc, where a link
// such as /proc/self/fd/1 names an open file rather than a path.
struct Resolved {
  fs::path target;
  bool through_proc = false;
};
bool resolve_links(const std::string& path, Resolved* out, std::string* error) {
  fs::path p = path;
  for (int links = 0;; ++links) {
    out->through_proc = out->through_proc || under_proc(p);
    std::error_code ec;
    const fs::file_status status = fs::symlink_status(p, ec);
    if (ec || !fs::is_symlink(status)) break;
    if (links == kMaxLinks) {
      *error = why(ELOOP);
      return false;
    }
    const fs::path link = fs::read_symlink(p, ec);
    if (ec) {
      *error = ec.message();
      return false;
    }
    p = link.is_absolute() ? link : p.parent_path() / link;
  }
  out->target = p;
  return true;
}

// Writes all of `content` to `fd`.
bool write_all(int fd, const std::string& content) {
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    written += static_cast<size_t>(n);
  }
  return true;
}

// Opens a FIFO for writing, waiting for a reader without blocking signals
// out: open(2) would wait in the kernel, where the stop flag is not seen.
// Returns -1 with errno set, or with errno EINTR when a signal came.
int open_fifo(const std::string& path, int flags) {
  while (true) {
    const int fd = ::open(path.c_str(), flags | O_NONBLOCK);
    if (fd >= 0) {
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      return fd;
    }
    if (errno != ENXIO) return -1;  // ENXIO: no reader yet
    if (interrupted()) {
      errno = EINTR;
      return -1;
    }
    std::this_thread::sleep_for(kReaderPoll);
  }
}

}  // namespace

PendingOutput::~PendingOutput() { discard(); }

void PendingOutput::discard() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temporary_.empty()) ::unlink(temporary_.c_str());
  temporary_.clear();
  forget_on_signal(signal_token_);
  signal_token_ = -1;
}

bool OutputSet::Identity::same_as(const Identity& other) const {
  if (exists && other.exists) return device == other.device && inode == other.inode;
  return !path.empty() && path == other.path;
}

OutputSet::Identity OutputSet::identify(const std::string& path) {
  Identity identity;
  struct stat info;
  if (::stat(path.c_str(), &info) == 0) {
    identity.exists = true;
    identity.device = info.st_dev;
    identity.inode = info.st_ino;
  }
  std::error_code ec;
  fs::path normal = fs::weakly_canonical(path, ec);
  if (ec) normal = fs::absolute(path, ec).lexically_normal();
  identity.path = normal.string();
  return identity;
}

std::string OutputSet::clash(const Identity& identity) const {
  for (const Named& input : inputs_) {
    if (identity.same_as(input.identity)) return "the same file as " + input.name;
  }
  for (const Named& output : opened_) {
    if (identity.same_as(output.identity)) return "the same file as " + output.name;
  }
  return "";
}

OutputSet::~OutputSet() {
  if (!finished_) abandon();
}

void OutputSet::add_input(const std::string& name, const std::string& path) {
  if (path.empty() || path == "-") return;
  inputs_.push_back({name + " " + path, identify(path)});
}

PendingOutput* OutputSet::open(const std::string& option, const std::string& path,
                               std::string* error) {
  CJSIM_CHECK(!finished_, "an output opened after the commit");
  if (path.empty()) {
    *error = option + ": the path is empty; give a file name";
    return nullptr;
  }
  auto fail = [&](const std::string& message) -> PendingOutput* {
    *error = option + " " + path + ": " + message;
    return nullptr;
  };
  auto output = std::unique_ptr<PendingOutput>(new PendingOutput());
  output->option_ = option;
  output->path_ = path;
  if (path == "-") {
    output->kind_ = PendingOutput::Kind::kStdout;
    outputs_.push_back(std::move(output));
    return outputs_.back().get();
  }

  struct stat info;
  const bool exists = ::stat(path.c_str(), &info) == 0;
  if (!exists && errno != ENOENT) return fail("cannot write: " + why(errno));
  Resolved resolved;
  std::string link_error;
  if (!resolve_links(path, &resolved, &link_error)) return fail("cannot write: " + link_error);
  if (exists && S_ISDIR(info.st_mode)) return fail("is a folder; give a file path");
  const bool stream = exists && (S_ISCHR(info.st_mode) || S_ISFIFO(info.st_mode) ||
                                 (S_ISREG(info.st_mode) && resolved.through_proc));
  if (exists && !stream && !S_ISREG(info.st_mode)) {
    return fail("not a regular file, character device or FIFO");
  }
  const Identity identity = identify(stream ? path : resolved.target.string());
  if (std::string problem = clash(identity); !problem.empty()) return fail(problem);

  if (stream) {
    // Written through at the commit, never replaced. A regular file behind
    // /proc (/dev/stdout redirected to a file) is appended to, after what
    // the command printed there.
    output->kind_ = PendingOutput::Kind::kStream;
    const int flags = O_WRONLY | O_CLOEXEC | O_NOCTTY | (S_ISREG(info.st_mode) ? O_APPEND : 0);
    output->fd_ = S_ISFIFO(info.st_mode) ? open_fifo(path, flags) : ::open(path.c_str(), flags);
    if (output->fd_ < 0) {
      if (errno == EINTR && interrupted()) {
        error->clear();
        return nullptr;
      }
      return fail("cannot write: " + why(errno));
    }
  } else {
    output->target_ = resolved.target.string();
    std::string pattern = output->target_ + ".tmp.XXXXXX";
    output->fd_ = ::mkstemp(pattern.data());
    if (output->fd_ < 0) return fail("cannot write: " + why(errno));
    output->temporary_ = pattern;
    output->signal_token_ = remove_on_signal(pattern, false);
    if (output->signal_token_ < 0) return fail("too many output files");
  }
  opened_.push_back({option + " " + path, identity});
  outputs_.push_back(std::move(output));
  return outputs_.back().get();
}

bool OutputSet::open_folder(const std::string& option, const std::string& dir, std::string* error) {
  if (dir.empty()) {
    *error = option + ": the path is empty; give a folder name";
    return false;
  }
  auto fail = [&](const std::string& message) {
    *error = option + " " + dir + ": " + message;
    return false;
  };
  struct stat info;
  if (::stat(dir.c_str(), &info) == 0) {
    if (!S_ISDIR(info.st_mode)) return fail("not a folder");
  } else if (errno != ENOENT) {
    return fail("cannot use the folder: " + why(errno));
  } else {
    if (::mkdir(dir.c_str(), 0777) != 0) return fail("cannot create the folder: " + why(errno));
    made_folders_.push_back({dir, remove_on_signal(dir, true)});
  }
  // Whether it takes new files (permissions, a read-only file system).
  std::string probe = dir + "/.cjsim-probe.XXXXXX";
  const int fd = ::mkstemp(probe.data());
  if (fd < 0) return fail("cannot write into the folder: " + why(errno));
  const int token = remove_on_signal(probe, false);
  ::close(fd);
  ::unlink(probe.c_str());
  forget_on_signal(token);
  return true;
}

bool OutputSet::write(PendingOutput* output, std::string content, std::string* error) {
  CJSIM_CHECK(!output->written_, "an output written twice");
  output->written_ = true;
  if (output->kind_ != PendingOutput::Kind::kFile) {
    output->content_ = std::move(content);
    return true;
  }
  ++writes_;
  const bool injected = writes_ == fail_write_;
  if (injected) errno = fail_errno_;
  // Files made by mkstemp are private; results are ordinary files.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  if (injected || !write_all(output->fd_, content) || ::fchmod(output->fd_, 0666 & ~mask) != 0 ||
      ::fsync(output->fd_) != 0) {
    const int saved = errno;
    output->discard();
    *error = output->option_ + " " + output->path_ + ": cannot write: " + why(saved);
    return false;
  }
  const int fd = output->fd_;
  output->fd_ = -1;
  if (::close(fd) != 0) {
    const int saved = errno;
    output->discard();
    *error = output->option_ + " " + output->path_ + ": cannot write: " + why(saved);
    return false;
  }
  return true;
}

OutputSet::Outcome OutputSet::commit(std::string* error, const std::function<void()>& before) {
  CJSIM_CHECK(!finished_, "an output set committed twice");
  for (const auto& output : outputs_) {
    CJSIM_CHECK(output->written_, "an output was opened but not written");
  }
  if (!begin_commit()) {
    abandon();
    return Outcome::kInterrupted;
  }
  if (before) before();
  auto fail = [&](const PendingOutput& output, int error_number) {
    *error = output.option_ + " " + output.path_ + ": cannot write: " + why(error_number);
    abandon();
    return Outcome::kFailed;
  };
  for (const auto& output : outputs_) {
    if (output->kind_ == PendingOutput::Kind::kStdout) {
      std::fwrite(output->content_.data(), 1, output->content_.size(), stdout);
      if (std::fflush(stdout) != 0 || std::ferror(stdout)) return fail(*output, errno);
    } else if (output->kind_ == PendingOutput::Kind::kStream) {
      const bool ok = write_all(output->fd_, output->content_);
      const int saved = errno;
      const int fd = output->fd_;
      output->fd_ = -1;
      if (!ok || ::close(fd) != 0) return fail(*output, ok ? errno : saved);
    }
  }
  for (const auto& output : outputs_) {
    if (output->kind_ != PendingOutput::Kind::kFile) continue;
    if (std::rename(output->temporary_.c_str(), output->target_.c_str()) != 0) {
      return fail(*output, errno);
    }
    output->temporary_.clear();
    forget_on_signal(output->signal_token_);
    output->signal_token_ = -1;
  }
  for (const Folder& folder : made_folders_) forget_on_signal(folder.signal_token);
  made_folders_.clear();
  finished_ = true;
  return Outcome::kCommitted;
}

void OutputSet::abandon() {
  for (const auto& output : outputs_) output->discard();
  for (auto it = made_folders_.rbegin(); it != made_folders_.rend(); ++it) {
    ::rmdir(it->path.c_str());
    forget_on_signal(it->signal_token);
  }
  made_folders_.clear();
  finished_ = true;
}

void print_output_error(const std::string& error) {
  if (!error.empty()) std::fprintf(stderr, "error: %s\n", printable(error).c_str());
}

int commit_outputs(OutputSet& set, const std::function<void()>& before) {
  std::string error;
  switch (set.commit(&error, before)) {
    case OutputSet::Outcome::kCommitted:
      return kExitOk;
    case OutputSet::Outcome::kInterrupted:
      return interrupted_exit();
    case OutputSet::Outcome::kFailed:
      break;
  }
  print_output_error(error);
  return kExitFailure;
}

CLI::Validator non_empty_path() {
  return CLI::Validator(
      [](const std::string& path) {
        return path.empty() ? std::string("the path is empty; give a file or folder name")
                            : std::string();
      },
      "", "non-empty path");
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

}  // namespace cjsim::cli
