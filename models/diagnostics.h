// Diagnostics: the errors and warnings found in a user's input.
//
// Bad input is an expected failure, so loaders and validators report it here
// as values instead of throwing: every problem at once, each with the file
// and, where known, the line and column (1-based) of the offending text.
// A Diagnostics object is not thread-safe; give each thread its own.
#ifndef CJSIM_MODELS_DIAGNOSTICS_H_
#define CJSIM_MODELS_DIAGNOSTICS_H_

#include <string>
#include <string_view>
#include <vector>

namespace cjsim {

struct SourceLocation {
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based; 0 = unknown
  bool known() const { return line > 0; }
};

enum class Severity { kError, kWarning };

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string file;  // may be empty (input not from a file)
  SourceLocation location;
  std::string message;
};

// "FILE:LINE:COL: error: MESSAGE", leaving out the parts that are unknown.
// File and message are passed through printable(): one line, whatever they
// quote.
std::string format_diagnostic(const Diagnostic& diagnostic);

// `text` safe to print on one line of a terminal: control characters (NUL
// included), DEL and the C1 controls escaped (`\n`, `\t`, `\r`, `\x00`,
// `\u009b`), and bytes that are not UTF-8 written `\xff`; everything else,
// including any other Unicode text, is kept as it is.
std::string printable(std::string_view text);

// Diagnostics listed on the terminal before the rest are only counted: a
// screenful.
inline constexpr int kMaxListedDiagnostics = 20;

class Diagnostics {
 public:
  Diagnostics() = default;
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}

  // The file later diagnostics are attributed to.
  void set_file(std::string file) { file_ = std::move(file); }
  const std::string& file() const { return file_; }

  void error(std::string message, SourceLocation location = {});
  void warning(std::string message, SourceLocation location = {});

  // Errors found but not kept (a reader that stops listing the errors of
  // rows after a screenful): they count in error_count(), not in items().
  void add_unlisted_errors(int count) { error_count_ += count; }

  bool has_errors() const { return error_count_ > 0; }
  int error_count() const { return error_count_; }
  const std::vector<Diagnostic>& items() const { return items_; }

  // All diagnostics, one formatted line each, in the order reported.
  std::string to_string() const;

  // What a command prints: the errors, then the warnings unless
  // `with_warnings` is false, at most `max_listed` lines in all; then, when
  // some were left out, "FILE: ... and N more errors and M more warnings";
  // then, when there are errors, "FILE: N errors". Empty when there is
  // nothing to say.
  std::string report(bool with_warnings, int max_listed = kMaxListedDiagnostics) const;

  // Appends another object's diagnostics (keeping their files).
  void merge(const Diagnostics& other);

 private:
  std::string file_;
  std::vector<Diagnostic> items_;
  int error_count_ = 0;
};

// The closest candidate to `word` by edit distance, for "did you mean" hints;
// empty when nothing is close enough to be a likely typo, and for words
// longer than kMaxHintedLength (no typo hint is useful there, and the
// distance costs the product of the lengths).
inline constexpr size_t kMaxHintedLength = 64;
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace cjsim

#endif  // CJSIM_MODELS_DIAGNOSTICS_H_

namespace cjsim {
// Shortest round-trip text of a number, for messages ("1.7", "nan", "inf").
std::string number_text(double value);
}  // namespace cjsim
