// Tidy CSV output for spreadsheets and pandas: UTF-8, a header row, one
// observation per row, fields quoted where RFC 4180 needs it, numbers in
// their shortest round-trip form (so they parse back to the JSON's values).
// `--csv DIR` writes several tables into one folder, all or none: every
// file is opened (as a temporary) before the work starts and renamed into
// place only when all are written.
#ifndef CJSIM_TOOLS_CJSIM_CSV_H_
#define CJSIM_TOOLS_CJSIM_CSV_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tools/cjsim/output.h"

namespace cjsim::cli {

class CsvTable {
 public:
  explicit CsvTable(std::vector<std::string> header) : header_(std::move(header)) {}
  // REQUIRES: row.size() == header size.
  void add(std::vector<std::string> row);
  std::string text() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Shortest text that parses back to `value`; "inf", "-inf", "nan".
std::string csv_number(double value);

// Creates `dir` if it is missing (its parent must exist). On failure sets
// `error` to a message naming the path and returns false.
bool make_folder(const std::string& dir, std::string* error);

class CsvFolder {
 public:
  // Creates `dir` if it is missing (its parent must exist) and opens a
  // pending output for each of `names`. On failure returns null and sets
  // `error` to a message naming the path.
  static std::unique_ptr<CsvFolder> open(const std::string& dir,
                                         const std::vector<std::string>& names, std::string* error);
  // Writes every table (one per name given to open) and renames them into
  // place.
  bool commit(const std::map<std::string, CsvTable>& tables, std::string* error);

 private:
  std::map<std::string, std::unique_ptr<PendingOutput>> files_;
};

}  // namespace cjsim::cli

#endif  // CJSIM_TOOLS_CJSIM_CSV_H_
