// Tidy CSV output for spreadsheets and pandas: UTF-8, a header row, one
// observation per row, fields quoted where RFC 4180 needs it, numbers in
// their shortest round-trip form (so they parse back to the JSON's values).
// `--csv DIR` writes several tables into one folder, replaced as a whole,
// with the command's other outputs, all or none (output.h).
#ifndef CJSIM_TOOLS_REPORT_CSV_H_
#define CJSIM_TOOLS_REPORT_CSV_H_

#include <string>
#include <vector>

namespace cjsim::report {

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

}  // namespace cjsim::report

#endif  // CJSIM_TOOLS_REPORT_CSV_H_
