#include "tools/report/text_table.h"

#include <algorithm>

#include "models/check.h"

namespace cjsim::report {

namespace {

// Terminal columns of UTF-8 text (one per code point: the tables hold no
// wide characters).
size_t columns_of(const std::string& text) {
  size_t columns = 0;
  for (unsigned char c : text) columns += (c & 0xc0) != 0x80;
  return columns;
}

// A cell as printed: "-" for nothing, runs of spaces (and tabs or line
// breaks from user-given names) folded to one space, so the gap between
// columns stays the only place with two spaces in a row.
std::string printable_cell(const std::string& cell) {
  std::string out;
  for (char c : cell) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out.empty() ? "-" : out;
}

}  // namespace

TextTable::TextTable(std::vector<Column> columns, size_t indent)
    : columns_(std::move(columns)), indent_(indent) {
  CJSIM_CHECK(!columns_.empty(), "a table without columns");
  for (Column& c : columns_) c.header = printable_cell(c.header);
}

void TextTable::add(std::vector<std::string> cells) {
  CJSIM_CHECK(cells.size() == columns_.size(), "a table row with the wrong number of cells");
  for (std::string& cell : cells) cell = printable_cell(cell);
  rows_.push_back(std::move(cells));
}

std::string TextTable::text() const {
  std::vector<size_t> width(columns_.size());
  for (size_t c = 0; c < columns_.size(); ++c) {
    width[c] = columns_of(columns_[c].header);
    for (const std::vector<std::string>& row : rows_) {
      width[c] = std::max(width[c], columns_of(row[c]));
    }
  }
  auto line = [&](auto cell_of) {
    std::string out(indent_, ' ');
    for (size_t c = 0; c < columns_.size(); ++c) {
      const std::string& cell = cell_of(c);
      const std::string fill(width[c] - columns_of(cell), ' ');
      if (c > 0) out += std::string(kGap, ' ');
      out += columns_[c].align == Align::kRight ? fill + cell : cell + fill;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line([&](size_t c) -> const std::string& { return columns_[c].header; });
  for (const std::vector<std::string>& row : rows_) {
    out += line([&](size_t c) -> const std::string& { return row[c]; });
  }
  return out;
}

}  // namespace cjsim::report
