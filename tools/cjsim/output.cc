#include "tools/cjsim/output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
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
#include <spdlog/spdlog.h>

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

// `target` (links followed) as an absolute path without a trailing
// separator, so that "out/" and "." name the folder itself and DIR.tmp.X
// lands beside it.
fs::path folder_path(const fs::path& target, std::error_code& ec) {
  fs::path path = fs::absolute(target, ec).lexically_normal();
  if (!path.has_filename() && path.has_relative_path()) path = path.parent_path();
  return path;
}

// Whether `dir` holds only regular files named in `names`: the first entry
// that is something else goes to `stray` (empty when there is none). False
// with `error` set when the folder cannot be read.
bool find_stray_entry(const std::string& dir, const std::vector<std::string>& names,
                      std::string* stray, std::string* error) {
  std::error_code ec;
  stray->clear();
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const bool is_table = std::find(names.begin(), names.end(), name) != names.end();
    if (!is_table || !it->is_regular_file(ec) || it->is_symlink(ec)) {
      *stray = name;
      return true;
    }
  }
  if (ec) *error = ec.message();
  return !ec;
}

// Removes a folder of `names` that has just been replaced.
void remove_replaced(const std::string& dir, const std::vector<std::string>& names) {
  for (const std::string& name : names) ::unlink((dir + "/" + name).c_str());
  ::rmdir(dir.c_str());
}

// Syncs a folder's entries to disk.
bool sync_folder(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool synced = ::fsync(fd) == 0;
  return ::close(fd) == 0 && synced;
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

std::string OutputSet::staged_folder_of(const Identity& identity) const {
  const fs::path parent = fs::path(identity.path).parent_path();
  for (const StagedFolder& folder : staged_) {
    if (parent == fs::path(folder.canonical)) return folder.option + " " + folder.path;
  }
  return "";
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

Result<PendingOutput*> OutputSet::open(const std::string& option, const std::string& path) {
  CJSIM_CHECK(!finished_, "an output opened after the commit");
  if (path.empty()) return Status::bad_input(option + ": the path is empty; give a file name");
  auto fail = [&](const std::string& message) {
    return Status::bad_input(option + " " + path + ": " + message);
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
  if (std::string folder = staged_folder_of(identity); !folder.empty()) {
    return fail("in the folder of " + folder +
                ", which is replaced as a whole; write it elsewhere");
  }

  if (stream) {
    // Written through at the commit, never replaced. A regular file behind
    // /proc (/dev/stdout redirected to a file) is appended to, after what
    // the command printed there.
    output->kind_ = PendingOutput::Kind::kStream;
    const int flags = O_WRONLY | O_CLOEXEC | O_NOCTTY | (S_ISREG(info.st_mode) ? O_APPEND : 0);
    output->fd_ = S_ISFIFO(info.st_mode) ? open_fifo(path, flags) : ::open(path.c_str(), flags);
    if (output->fd_ < 0) {
      if (errno == EINTR && interrupted()) return Status::interrupted();
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

Status OutputSet::open_folder(const std::string& option, const std::string& dir) {
  if (dir.empty()) return Status::bad_input(option + ": the path is empty; give a folder name");
  auto fail = [&](const std::string& message) {
    return Status::bad_input(option + " " + dir + ": " + message);
  };
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(dir, ec);
  for (const StagedFolder& folder : staged_) {
    if (!ec && canonical == fs::path(folder.canonical)) {
      return fail("the same folder as " + folder.option + " " + folder.path +
                  ", which is replaced as a whole; give another folder");
    }
  }
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
  return Status::ok();
}

// A file of the folder is an input or another output, another output would
// go into it, or it holds something else.
std::string OutputSet::folder_refusal(const std::string& option, const std::string& dir,
                                      const std::string& target, bool exists,
                                      const std::vector<std::string>& names,
                                      std::vector<Identity>* identities) const {
  const std::string prefix = option + " " + dir;
  for (const std::string& name : names) {
    identities->push_back(identify(target + "/" + name));
    if (std::string problem = clash(identities->back()); !problem.empty()) {
      return prefix + "/" + name + ": " + problem;
    }
  }
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(target, ec);
  for (const Named& other : opened_) {
    if (fs::path(other.identity.path).parent_path() == canonical) {
      return prefix + ": would hold " + other.name +
             ", but the folder is replaced as a whole; write that elsewhere";
    }
  }
  if (!exists) return "";
  std::string stray, reason;
  if (!find_stray_entry(target, names, &stray, &reason)) {
    return prefix + ": cannot use the folder: " + reason;
  }
  if (stray.empty()) return "";
  return prefix + ": holds '" + stray +
         "', which this command does not write there; the folder is replaced as a whole, so "
         "give a new or empty folder, or one that holds only an earlier result";
}

Result<std::vector<PendingOutput*>> OutputSet::open_folder_of(
    const std::string& option, const std::string& dir, const std::vector<std::string>& names) {
  CJSIM_CHECK(!finished_, "an output opened after the commit");
  CJSIM_CHECK(!names.empty(), "a folder of no files");
  if (dir.empty()) return Status::bad_input(option + ": the path is empty; give a folder name");
  auto fail = [&](const std::string& path, const std::string& message) {
    return Status::bad_input(option + " " + path + ": " + message);
  };
  Resolved resolved;
  std::string reason;
  if (!resolve_links(dir, &resolved, &reason)) return fail(dir, "cannot use the folder: " + reason);
  std::error_code ec;
  const fs::path target = folder_path(resolved.target, ec);
  if (ec) return fail(dir, "cannot use the folder: " + ec.message());
  struct stat info;
  const bool exists = ::stat(target.c_str(), &info) == 0;
  if (!exists && errno != ENOENT) return fail(dir, "cannot use the folder: " + why(errno));
  if (exists && !S_ISDIR(info.st_mode)) return fail(dir, "not a folder");
  std::vector<Identity> identities;
  if (std::string refusal = folder_refusal(option, dir, target, exists, names, &identities);
      !refusal.empty()) {
    return Status::bad_input(refusal);
  }
  const fs::path canonical = fs::weakly_canonical(target, ec);
  std::string staging = target.string() + ".tmp.XXXXXX";
  if (::mkdtemp(staging.data()) == nullptr) {
    return fail(dir, (exists ? "cannot write beside the folder: " : "cannot create the folder: ") +
                         why(errno));
  }
  staged_.push_back({option,
                     dir,
                     target.string(),
                     canonical.string(),
                     staging,
                     names,
                     {},
                     remove_on_signal(staging, true)});
  StagedFolder& folder = staged_.back();
  // The mode of the folder it replaces, else that of a new folder.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  if (::chmod(staging.c_str(), exists ? info.st_mode & 07777 : 0777 & ~mask) != 0) {
    return fail(dir, "cannot write beside the folder: " + why(errno));
  }
  if (folder.signal_token < 0) return fail(dir, "too many output files");
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    const std::string path = dir + "/" + name;
    auto output = std::unique_ptr<PendingOutput>(new PendingOutput());
    output->option_ = option;
    output->path_ = path;
    output->staged_ = true;
    const std::string temporary = staging + "/" + name;
    output->fd_ = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (output->fd_ < 0) return fail(path, "cannot write: " + why(errno));
    output->temporary_ = temporary;
    output->signal_token_ = remove_on_signal(temporary, false);
    if (output->signal_token_ < 0) return fail(path, "too many output files");
    opened_.push_back({option + " " + path, identities[i]});
    folder.files.push_back(output.get());
    outputs_.push_back(std::move(output));
  }
  return folder.files;
}

// The staging folder becomes the target in one step: renamed when nothing
// is there, exchanged with the earlier result (renameat2 RENAME_EXCHANGE)
// when there is one, which is then removed. Where the file system cannot
// exchange, the earlier result is first renamed aside (TARGET.old.XXXXXX);
// a crash between the two renames leaves both folders complete.
Status OutputSet::put_in_place(StagedFolder& folder) const {
  auto failed = [&](const std::string& message) {
    return Status::failure(folder.option + " " + folder.path + ": " + message);
  };
  if (!sync_folder(folder.staging)) return failed("cannot write: " + why(errno));
  struct stat info;
  if (::lstat(folder.target.c_str(), &info) != 0) {
    if (errno != ENOENT) return failed("cannot write: " + why(errno));
    if (::rename(folder.staging.c_str(), folder.target.c_str()) != 0) {
      return failed("cannot write: " + why(errno));
    }
    folder.staging.clear();
    return Status::ok();
  }
  // What was checked at the start may have changed while the work ran.
  std::string stray, reason;
  if (!S_ISDIR(info.st_mode)) return failed("is no longer a folder; nothing was replaced");
  if (!find_stray_entry(folder.target, folder.names, &stray, &reason)) {
    return failed("cannot write: " + reason);
  }
  if (!stray.empty()) {
    return failed("'" + stray +
                  "' appeared in the folder while the command ran; nothing was replaced");
  }
  if (!no_exchange_for_testing_ && ::renameat2(AT_FDCWD, folder.staging.c_str(), AT_FDCWD,
                                               folder.target.c_str(), RENAME_EXCHANGE) == 0) {
    remove_replaced(folder.staging, folder.names);  // the earlier result, now at the staging name
    folder.staging.clear();
    return Status::ok();
  }
  if (!no_exchange_for_testing_ && errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) {
    return failed("cannot write: " + why(errno));
  }
  std::string aside = folder.target + ".old.XXXXXX";
  if (::mkdtemp(aside.data()) == nullptr) return failed("cannot write: " + why(errno));
  if (::rename(folder.target.c_str(), aside.c_str()) != 0) {
    const int saved = errno;
    ::rmdir(aside.c_str());
    return failed("cannot write: " + why(saved));
  }
  if (::rename(folder.staging.c_str(), folder.target.c_str()) != 0) {
    const int saved = errno;
    ::rename(aside.c_str(), folder.target.c_str());
    return failed("cannot write: " + why(saved));
  }
  folder.staging.clear();
  remove_replaced(aside, folder.names);
  return Status::ok();
}

Status OutputSet::write(PendingOutput* output, std::string content) {
  CJSIM_CHECK(!output->written_, "an output written twice");
  output->written_ = true;
  if (output->kind_ != PendingOutput::Kind::kFile) {
    output->content_ = std::move(content);
    return Status::ok();
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
    return Status::failure(output->option_ + " " + output->path_ + ": cannot write: " +
                           why(saved));
  }
  const int fd = output->fd_;
  output->fd_ = -1;
  if (::close(fd) != 0) {
    const int saved = errno;
    output->discard();
    return Status::failure(output->option_ + " " + output->path_ + ": cannot write: " +
                           why(saved));
  }
  return Status::ok();
}

Status OutputSet::commit(const std::function<void()>& before) {
  CJSIM_CHECK(!finished_, "an output set committed twice");
  for (const auto& output : outputs_) {
    CJSIM_CHECK(output->written_, "an output was opened but not written");
  }
  if (!begin_commit()) {
    abandon();
    return Status::interrupted();
  }
  if (before) before();
  auto fail = [&](const PendingOutput& output, int error_number) {
    abandon();
    return Status::failure(output.option_ + " " + output.path_ + ": cannot write: " +
                           why(error_number));
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
  // The folders first: a folder that cannot be put in place leaves every
  // file as it was.
  for (StagedFolder& folder : staged_) {
    if (Status placed = put_in_place(folder); !placed.is_ok()) {
      abandon();
      return placed;
    }
    for (PendingOutput* file : folder.files) {
      file->temporary_.clear();
      forget_on_signal(file->signal_token_);
      file->signal_token_ = -1;
    }
    forget_on_signal(folder.signal_token);
  }
  for (const auto& output : outputs_) {
    if (output->kind_ != PendingOutput::Kind::kFile || output->staged_) continue;
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
  for (const auto& output : outputs_) {
    spdlog::debug("{} {}: written", output->option_, printable(output->path_));
  }
  return Status::ok();
}

void OutputSet::abandon() {
  for (const auto& output : outputs_) output->discard();
  for (StagedFolder& folder : staged_) {
    if (!folder.staging.empty()) ::rmdir(folder.staging.c_str());
    forget_on_signal(folder.signal_token);
  }
  staged_.clear();
  for (auto it = made_folders_.rbegin(); it != made_folders_.rend(); ++it) {
    ::rmdir(it->path.c_str());
    forget_on_signal(it->signal_token);
  }
  made_folders_.clear();
  finished_ = true;
}

void print_output_error(const Status& status) {
  if (!status.message().empty()) spdlog::error("error: {}", printable(status.message()));
}

int commit_outputs(OutputSet& set, const std::function<void()>& before) {
  const Status committed = set.commit(before);
  if (committed.is_ok()) return kExitOk;
  if (committed.code() == Status::Code::kInterrupted) return interrupted_exit();
  print_output_error(committed);
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
    spdlog::error("cjsim internal error: cannot print JSON: {}", std::string(status.message()));
    std::abort();
  }
  return out;
}

}  // namespace cjsim::cli
