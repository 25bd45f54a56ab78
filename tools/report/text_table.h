// TextTable: the one writer of the aligned tables cjsim prints on a
// terminal. Every command's table goes through it, so that every table reads
// (and parses) alike: an indent, columns separated by at least two spaces,
// text left-aligned and numbers right-aligned, no cell empty (an empty cell
// prints "-") and no cell holding two spaces in a row, so that splitting a
// line on two or more spaces gives its cells back. Numbers are formatted
// before they reach the table, with format.h.
// A value type; not for concurrent use.
#ifndef CJSIM_TOOLS_REPORT_TEXT_TABLE_H_
#define CJSIM_TOOLS_REPORT_TEXT_TABLE_H_

#include <cstddef>
#include <string>
#include <vector>

namespace cjsim::report {

class TextTable {
 public:
  enum class Align { kLeft, kRight };
  struct Column {
    std::string header;
    Align align = Align::kLeft;
  };
  // The gap between columns and the default indent of every line.
  static constexpr size_t kGap = 2;

  explicit TextTable(std::vector<Column> columns, size_t indent = kGap);

  // REQUIRES: cells.size() == the number of columns.
  void add(std::vector<std::string> cells);
  size_t rows() const { return rows_.size(); }

  // The header line and the rows, each ending in a newline, without
  // trailing spaces.
  std::string text() const;

 private:
  std::vector<Column> columns_;
  size_t indent_;
  std::vector<std::vector<std::string>> rows_;
};

// A left-aligned text column and a right-aligned number column.
inline TextTable::Column text_column(std::string header) {
  return {std::move(header), TextTable::Align::kLeft};
}
inline TextTable::Column number_column(std::string header) {
  return {std::move(header), TextTable::Align::kRight};
}

}  // namespace cjsim::report

#endif  // CJSIM_TOOLS_REPORT_TEXT_TABLE_H_
