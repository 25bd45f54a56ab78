// Writing results: the outputs of one command (--json, --csv, --report,
// --svg) are one OutputSet, committed together at the end or not at all.
//
// Every output is opened before the work starts, so that a bad path fails at
// once (exit 2): a file as a temporary file beside its target, a stream
// (standard output "-", a character device such as /dev/null, a FIFO, or a
// path through /proc such as /dev/stdout) by opening it. The results are
// then written to the temporary files, each synced to disk; only when every
// write has succeeded does the commit write the streams and rename every
// temporary file onto its target. A folder of tables (open_folder_of) is
// written as a whole into a new folder beside its target and put in place
// by one rename, so that it never holds a mix of two results. When anything
// fails, or a signal arrives (signals.h), every temporary file and every
// folder the set made is removed, nothing is renamed, and what was there
// before is left as it was.
// A symbolic link is followed: its target is replaced (the temporary file
// sits beside the target), and the link stays a link.
//
// An OutputSet belongs to the main thread.
#ifndef CJSIM_TOOLS_CJSIM_OUTPUT_H_
#define CJSIM_TOOLS_CJSIM_OUTPUT_H_

#include <sys/types.h>

#include <cerrno>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/message.h>
#include <CLI/CLI.hpp>

#include "models/status.h"

namespace cjsim::cli {

// One output of an OutputSet, opened by OutputSet::open.
class PendingOutput {
 public:
  ~PendingOutput();
  PendingOutput(const PendingOutput&) = delete;
  PendingOutput& operator=(const PendingOutput&) = delete;

  bool is_stdout() const { return kind_ == Kind::kStdout; }
  const std::string& path() const { return path_; }

 private:
  friend class OutputSet;
  enum class Kind { kFile, kStream, kStdout };
  PendingOutput() = default;
  // Closes the descriptor and removes the temporary file, if any.
  void discard();

  Kind kind_ = Kind::kFile;
  std::string option_;     // "--json", for messages
  std::string path_;       // as given
  std::string target_;     // a file's: the path with symbolic links followed
  std::string temporary_;  // a file's: beside target_, or in a staged folder
  bool staged_ = false;    // in a folder of OutputSet::open_folder_of
  int fd_ = -1;
  int signal_token_ = -1;  // signals.h
  bool written_ = false;
  std::string content_;  // a stream's, until the commit
};

class OutputSet {
 public:
  OutputSet() = default;
  // Abandons the set unless it was committed.
  ~OutputSet();
  OutputSet(const OutputSet&) = delete;
  OutputSet& operator=(const OutputSet&) = delete;

  // An input file of the command, `name` saying what it is ("the
  // scenario", "--transactions"): no output may be the same file.
  void add_input(const std::string& name, const std::string& path);

  // Opens the output of `option` at `path`. Refused (a bad-input Status,
  // "OPTION PATH: why"): an empty path, a folder, a block device or socket,
  // the same file as an input or as another output of the set, a path that
  // cannot be written. An interrupted Status when a signal came during the
  // wait for a FIFO's reader.
  Result<PendingOutput*> open(const std::string& option, const std::string& path);

  // Makes sure `dir` is a folder that takes new files, creating it when it
  // is missing (its parent must exist); a folder made here is removed again
  // when the set is abandoned. Refused as open is.
  Status open_folder(const std::string& option, const std::string& dir);

  // Opens folder `dir` for the files `names`, to be put in place all
  // together: they are written into a new folder beside it
  // (DIR.tmp.XXXXXX, with the mode of the folder it replaces), which the
  // commit renames to `dir`. A folder already at `dir` is replaced as a
  // whole, so it may hold only files by those names (an earlier result, or
  // nothing); anything else there is refused, never deleted. Returns the
  // outputs of the files in the order of `names`, or a bad-input Status as
  // open does. A symbolic link is followed, and stays a link.
  // REQUIRES: `names` not empty.
  Result<std::vector<PendingOutput*>> open_folder_of(const std::string& option,
                                                     const std::string& dir,
                                                     const std::vector<std::string>& names);

  // Writes `content` to the temporary file of `output` and syncs it; a
  // stream keeps it for the commit. On failure a failure Status; the caller
  // then drops the set (which abandons it).
  Status write(PendingOutput* output, std::string content);

  // REQUIRES: every output opened was written. When a signal has arrived,
  // abandons the set (an interrupted Status). Otherwise calls `before` (to
  // print what goes to the terminal), writes the streams, then puts every
  // folder of open_folder_of in place and renames every temporary file onto
  // its target: ok. A failure there (a failure Status) abandons what is not
  // yet in place: a stream cannot take back what it was sent.
  Status commit(const std::function<void()>& before = {});

  // Removes every temporary file and every folder the set made.
  void abandon();

  // For tests: the k-th write to a temporary file (counting from 1) fails
  // with `error_number`, as on a full disk.
  void fail_write_for_testing(int k, int error_number = ENOSPC) {
    fail_write_ = k;
    fail_errno_ = error_number;
  }
  // For tests: folders are put in place as on a file system that cannot
  // exchange two paths (the earlier result renamed aside first).
  void no_exchange_for_testing() { no_exchange_for_testing_ = true; }

 private:
  // What names a file: its device and inode when it exists, else its path
  // made absolute, with symbolic links and "..", "." resolved.
  struct Identity {
    bool exists = false;
    dev_t device = 0;
    ino_t inode = 0;
    std::string path;
    bool same_as(const Identity& other) const;
  };
  static Identity identify(const std::string& path);
  // The message when `identity` is an input or an output already opened.
  std::string clash(const Identity& identity) const;
  // Why folder `dir` (at `target`) cannot be opened by open_folder_of, as
  // the message; "" when it can. Sets `identities`, one per name.
  std::string folder_refusal(const std::string& option, const std::string& dir,
                             const std::string& target, bool exists,
                             const std::vector<std::string>& names,
                             std::vector<Identity>* identities) const;
  // "OPTION DIR" of the folder of open_folder_of that `identity` is in, or "".
  std::string staged_folder_of(const Identity& identity) const;

  struct Named {
    std::string name;  // "the scenario", "--json out.json"
    Identity identity;
  };
  std::vector<Named> inputs_, opened_;
  std::vector<std::unique_ptr<PendingOutput>> outputs_;
  struct Folder {
    std::string path;
    int signal_token;
  };
  std::vector<Folder> made_folders_;
  // A folder of open_folder_of: its files are written into `staging`.
  struct StagedFolder {
    std::string option, path;  // as given
    std::string target;        // the path with symbolic links followed
    std::string canonical;     // target, with every link and "..", "." resolved
    std::string staging;       // beside target
    std::vector<std::string> names;
    std::vector<PendingOutput*> files;
    int signal_token;
  };
  std::vector<StagedFolder> staged_;
  // Puts `folder` in place (see the .cc).
  Status put_in_place(StagedFolder& folder) const;
  int writes_ = 0;
  int fail_write_ = 0, fail_errno_ = 0;
  bool no_exchange_for_testing_ = false;
  bool finished_ = false;
};

// Logs "error: MESSAGE"; nothing for an interrupted Status, which has none.
void print_output_error(const Status& status);

// Commits `set` and gives the exit status: 0; 1 after printing why a write
// failed; 130 or 143 after saying that nothing was written (signals.h).
int commit_outputs(OutputSet& set, const std::function<void()>& before);

// Refuses an empty output path on the command line (exit 2).
CLI::Validator non_empty_path();

// Protobuf JSON with the proto field names and every field printed.
std::string to_json(const google::protobuf::Message& message);

}  // namespace cjsim::cli

#endif  // CJSIM_TOOLS_CJSIM_OUTPUT_H_
