// Status and Result<T>: the outcome of an operation that can fail (on bad
// input, in the environment, or by a signal), as a value, in the manner of
// LevelDB's Status. A Status is ok or carries a code and a message that
// names where the problem is (a file and line, an entity and field, an
// option); Result<T> holds a T or the Status saying why there is none. Validation, which finds many
// errors at once, reports them in a Diagnostics (models/diagnostics.h) instead. Broken internal
// invariants are not statuses: they abort through CJSIM_CHECK (models/check.h).
//
// Plain values; safe to copy and to move between threads.
#ifndef CJSIM_MODELS_STATUS_H_
#define CJSIM_MODELS_STATUS_H_

#include <optional>
#include <string>
#include <utility>

#include "models/check.h"

namespace cjsim {

class Status {
 public:
  enum class Code {
    kOk,
    kBadInput,     // the user's input is wrong: exit status 2
    kFailure,      // the environment failed (a full disk, a file gone): exit status 1
    kInterrupted,  // a signal asked the command to stop: exit status 130 or 143
  };

  Status() = default;
  static Status ok() { return Status(); }
  static Status bad_input(std::string message) { return {Code::kBadInput, std::move(message)}; }
  static Status failure(std::string message) { return {Code::kFailure, std::move(message)}; }
  static Status interrupted() { return {Code::kInterrupted, ""}; }

  bool is_ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  // Empty when ok.
  const std::string& message() const { return message_; }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

template <class T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit, as a return value
  // REQUIRES: !status.is_ok().
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit, as a return value
    CJSIM_CHECK(!status_.is_ok(), "a Result without a value needs a failed Status");
  }

  bool is_ok() const { return value_.has_value(); }
  explicit operator bool() const { return is_ok(); }
  const Status& status() const { return status_; }

  // REQUIRES: is_ok().
  const T& value() const& { return checked(); }
  T& value() & { return const_cast<T&>(checked()); }
  T&& value() && { return std::move(const_cast<T&>(checked())); }
  const T& operator*() const& { return checked(); }
  const T* operator->() const { return &checked(); }

 private:
  const T& checked() const {
    CJSIM_CHECK(value_.has_value(), "the value of a failed Result");
    return *value_;
  }

  std::optional<T> value_;
  Status status_;
};

}  // namespace cjsim

#endif  // CJSIM_MODELS_STATUS_H_
