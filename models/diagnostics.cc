#include "models/diagnostics.h"

#include <algorithm>
#include <cstdio>
#include <numeric>

#include "models/utf8.h"

namespace cjsim {

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto escape = [&out](const char* format, unsigned value) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, format, value);
    out += buffer;
  };
  size_t at = 0;
  while (at < text.size()) {
    const auto c = static_cast<unsigned char>(text[at]);
    const size_t length = utf8_sequence_length(text, at);
    if (length == 0) {
      escape("\\x%02x", c);
      ++at;
      continue;
    }
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      escape("\\x%02x", c);
    } else if (c == 0xC2 && static_cast<unsigned char>(text[at + 1]) < 0xA0) {
      // U+0080 to U+009F, the C1 controls (0x9b starts a terminal escape).
      escape("\\u%04x", static_cast<unsigned char>(text[at + 1]));
    } else {
      out.append(text.substr(at, length));
    }
    at += length;
  }
  return out;
}

std::string format_diagnostic(const Diagnostic& d) {
  std::string out;
  if (!d.file.empty()) {
    out += printable(d.file);
    if (d.location.known()) {
      out += ':' + std::to_string(d.location.line);
      if (d.location.column > 0) out += ':' + std::to_string(d.location.column);
    }
    out += ": ";
  }
  out += d.severity == Severity::kError ? "error: " : "warning: ";
  out += printable(d.message);
  return out;
}

void Diagnostics::error(std::string message, SourceLocation location) {
  items_.push_back({Severity::kError, file_, location, std::move(message)});
  ++error_count_;
}

void Diagnostics::warning(std::string message, SourceLocation location) {
  items_.push_back({Severity::kWarning, file_, location, std::move(message)});
}

std::string Diagnostics::to_string() const {
  std::string out;
  for (const Diagnostic& d : items_) out += format_diagnostic(d) + '\n';
  return out;
}

std::string Diagnostics::report(bool with_warnings, int max_listed) const {
  std::string out;
  int listed = 0, errors_listed = 0, warnings = 0, warnings_listed = 0;
  for (const Diagnostic& d : items_) {
    if (d.severity != Severity::kError || listed >= max_listed) continue;
    out += format_diagnostic(d) + '\n';
    ++listed;
    ++errors_listed;
  }
  if (with_warnings) {
    for (const Diagnostic& d : items_) {
      if (d.severity != Severity::kWarning) continue;
      ++warnings;
      if (listed >= max_listed) continue;
      out += format_diagnostic(d) + '\n';
      ++listed;
      ++warnings_listed;
    }
  }
  const std::string prefix = file_.empty() ? "" : printable(file_) + ": ";
  auto count = [](int n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
  };
  const int more_errors = error_count_ - errors_listed;
  const int more_warnings = warnings - warnings_listed;
  if (more_errors > 0 || more_warnings > 0) {
    std::string more;
    if (more_errors > 0) more = count(more_errors, "more error");
    if (more_warnings > 0) {
      more += (more.empty() ? "" : " and ") + count(more_warnings, "more warning");
    }
    out += prefix + "... and " + more + '\n';
  }
  if (error_count_ > 0) out += prefix + count(error_count_, "error") + '\n';
  return out;
}

void Diagnostics::merge(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
  error_count_ += other.error_count_;
}

namespace {

// Levenshtein distance (small strings: ids and field names).
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), size_t{0});
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  if (word.size() > kMaxHintedLength) return best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (const std::string& candidate : candidates) {
    // The distance is at least the difference of the lengths.
    const size_t shortest = std::min(word.size(), candidate.size());
    if (std::max(word.size(), candidate.size()) - shortest >= best_distance) continue;
    size_t d = edit_distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

}  // namespace cjsim

#include <charconv>
#include <cmath>

namespace cjsim {
std::string number_text(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[32];
  // Whole numbers as people write them below a million ("100000", not the shorter "1e+05").
  auto result = value == std::floor(value) && std::abs(value) < 1e6
                    ? std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed)
                    : std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}
}  // namespace cjsim
