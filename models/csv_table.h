// A comma-separated table read from a user's file: a header row naming the
// columns, then data rows, each field remembered with its line and column so
// that later checks can point at it.
//
// Bad input is reported as Diagnostics, never thrown: a row with the wrong
// number of fields, an unterminated quote, a duplicate column name. Reading
// is a pure function of the file; call it from any thread. RowErrors is not
// thread-safe (it writes to one Diagnostics object).
#ifndef CJSIM_MODELS_CSV_TABLE_H_
#define CJSIM_MODELS_CSV_TABLE_H_

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/diagnostics.h"

namespace cjsim {

struct CsvRow {
  int line = 0;  // 1-based line of the file
  std::vector<std::string> fields;
  std::vector<int> columns;  // 1-based character column where each field starts
};

struct CsvTable {
  std::string path;
  int header_line = 0;
  std::vector<std::string> header;
  std::vector<int> header_columns;
  std::vector<CsvRow> rows;  // rows that have as many fields as the header

  // Index of the column called `name` (exact match); -1 when there is none.
  int column_index(std::string_view name) const;
  // "a, b, c": the header, for messages.
  std::string column_list() const;
};

// The column `wanted` (given with command-line option `option`), or when it
// is empty the first of `defaults` found in the header. Returns -1 when
// there is none, after reporting it at the header line when `wanted` was
// given or the column is `required` (`what` names it: "customer id").
int find_csv_column(const CsvTable& table, const std::string& wanted,
                    std::initializer_list<std::string_view> defaults, std::string_view what,
                    std::string_view option, bool required, Diagnostics& diagnostics);

// Largest file accepted; larger input is reported, not read.
inline constexpr size_t kMaxCsvBytes = size_t{1} << 30;

// Errors about single rows, collected while reading and written out by
// finish() in line order: at most `cap` of them; the rest are counted as
// unlisted errors (Diagnostics::report says "... and 7 more errors"). Only
// the first `cap` (by line and column) are kept, so that a file of a million
// bad rows costs no more memory than one of twenty.
class RowErrors {
 public:
  explicit RowErrors(Diagnostics& diagnostics, int cap = 20)
      : diagnostics_(diagnostics), cap_(cap) {}
  void error(std::string message, SourceLocation location);
  // Writes the errors to the Diagnostics. Call once, at the end.
  void finish();
  // Errors reported so far, kept or not.
  int count() const { return count_; }

 private:
  struct Entry {
    SourceLocation location;
    int order;  // among errors at one location, the first reported comes first
    std::string message;
  };
  // Sorts the kept errors and drops all but the first `cap_`.
  void trim();

  Diagnostics& diagnostics_;
  int cap_;
  int count_ = 0;
  std::vector<Entry> errors_;
};

// The delimiter of a file whose delimiter is not given: of ',', ';' and tab,
// the one found most often outside quotes on the first non-blank line (the
// header); ',' on a tie or when there is none.
char sniff_delimiter(std::string_view content);

// Parses `content` read from `path`. Fields are separated by `delimiter` (a
// comma unless given: ';' and tab are the other usual ones) and may be
// quoted ("a, b" with "" for a quote inside); spaces around unquoted fields
// are dropped (and tabs, unless tab is the delimiter); blank lines are
// skipped; a UTF-8 byte-order mark and CR-LF line ends are accepted. Returns nullopt when the
// content has NUL bytes (binary data, not text), when there is no header (an empty file) or the
// header is bad; rows with a wrong number of fields are reported through `row_errors` and left out
// of the table.
std::optional<CsvTable> parse_csv(std::string_view content, const std::string& path,
                                  Diagnostics& diagnostics, RowErrors& row_errors,
                                  char delimiter = ',');

// Reads `path` and parses it as above; a file that cannot be read is an error
// naming the path.
std::optional<CsvTable> read_csv(const std::string& path, Diagnostics& diagnostics,
                                 RowErrors& row_errors, char delimiter = ',');

// The whole reading of a CSV-based input: parses `content`, or when it is
// nullopt reads the file `path`, with fields separated by `delimiter`, gives the table to `build`
// (a callable (const CsvTable&, Diagnostics&, RowErrors&) -> std::optional<T>), then writes out the
// row errors. Returns nullopt when anything was reported.
template <typename Build>
auto build_from_csv(const std::string& path, std::optional<std::string_view> content,
                    Diagnostics& diagnostics, Build build, char delimiter = ',')
    -> decltype(build(std::declval<const CsvTable&>(), diagnostics, std::declval<RowErrors&>())) {
  diagnostics.set_file(path);
  RowErrors row_errors(diagnostics);
  std::optional<CsvTable> table =
      content ? parse_csv(*content, path, diagnostics, row_errors, delimiter)
              : read_csv(path, diagnostics, row_errors, delimiter);
  decltype(build(*table, diagnostics, row_errors)) result;
  if (table) result = build(*table, diagnostics, row_errors);
  row_errors.finish();
  if (diagnostics.has_errors()) result.reset();
  return result;
}

}  // namespace cjsim

#endif  // CJSIM_MODELS_CSV_TABLE_H_
