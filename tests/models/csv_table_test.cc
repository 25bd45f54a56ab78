// CSV tables: fields with their places, quoting, and every malformed row
// reported in line order with a cap.

#include <sys/resource.h>

#include <string>

#include <doctest/doctest.h>

#include "models/csv_table.h"

namespace cjsim {
namespace {

std::optional<CsvTable> parse_csv(const std::string& text, Diagnostics& diagnostics) {
  RowErrors row_errors(diagnostics, 3);
  std::optional<CsvTable> table = parse_csv(text, "t.csv", diagnostics, row_errors);
  row_errors.finish();
  return table;
}

TEST_CASE("csv table: header, rows, quotes, blanks, CR-LF and a byte-order mark") {
  Diagnostics diagnostics("t.csv");
  std::optional<CsvTable> table =
      parse_csv("\xEF\xBB\xBFid, date ,\"note\"\r\n\n1, 1997-01-01 ,\"a, \"\"b\"\"\"\r\n  \n2,x,\n",
            diagnostics);
  REQUIRE_MESSAGE(table.has_value(), diagnostics.to_string());
  CHECK_FALSE(diagnostics.has_errors());
  CHECK(table->header == std::vector<std::string>{"id", "date", "note"});
  CHECK(table->header_line == 1);
  CHECK(table->column_index("date") == 1);
  CHECK(table->column_index("Date") == -1);
  CHECK(table->column_list() == "id, date, note");
  REQUIRE(table->rows.size() == 2);
  CHECK(table->rows[0].line == 3);
  CHECK(table->rows[0].fields == std::vector<std::string>{"1", "1997-01-01", "a, \"b\""});
  CHECK(table->rows[0].columns == std::vector<int>{1, 4, 16});
  CHECK(table->rows[1].line == 5);
  CHECK(table->rows[1].fields == std::vector<std::string>{"2", "x", ""});
}

TEST_CASE("csv table: an empty file and a bad header are errors") {
  for (const char* text : {"", "\n  \n"}) {
    Diagnostics diagnostics("t.csv");
    CHECK_FALSE(parse_csv(text, diagnostics).has_value());
    CHECK(diagnostics.to_string().find("t.csv: error: the file is empty") != std::string::npos);
  }
  Diagnostics twice("t.csv");
  CHECK_FALSE(parse_csv("a,b,a\n1,2,3\n", twice).has_value());
  CHECK(twice.to_string() == "t.csv:1:5: error: header: column 'a' appears twice\n");
  Diagnostics unnamed("t.csv");
  CHECK_FALSE(parse_csv("a,,c\n", unnamed).has_value());
  CHECK(unnamed.to_string() == "t.csv:1:3: error: header: column 2 has no name\n");
}

TEST_CASE("regression: a binary file given as CSV was read as rows of garbage") {
  Diagnostics diagnostics("t.csv");
  CHECK_FALSE(parse_csv(std::string("id,date\n1,\0\0\x01\n", 14), diagnostics).has_value());
  CHECK(diagnostics.to_string() == "t.csv: error: not a CSV file (it contains NUL bytes)\n");
}

TEST_CASE("csv table: bad rows are left out, reported in line order, the rest counted") {
  Diagnostics diagnostics("t.csv");
  std::optional<CsvTable> table =
      parse_csv("a,b\n1\n1,2\n\"x,2\n1,2,3\n1,\"q\"z\n4,5\n6\n7\n", diagnostics);
  REQUIRE(table.has_value());
  CHECK(table->rows.size() == 2);
  CHECK(diagnostics.to_string() ==
        "t.csv:2:1: error: 1 field, but the header has 2 (a, b)\n"
        "t.csv:4:1: error: the quoted field does not end on its line\n"
        "t.csv:5:1: error: 3 fields, but the header has 2 (a, b)\n");
  CHECK(diagnostics.error_count() == 6);
  CHECK(diagnostics.report(true) ==
        diagnostics.to_string() + "t.csv: ... and 3 more errors\nt.csv: 6 errors\n");
}

TEST_CASE("csv table: row errors reported out of line order keep the first by line and column") {
  Diagnostics diagnostics("t.csv");
  RowErrors errors(diagnostics, 2);
  // Far more than the cap, latest lines first, as the reading of one table
  // reports them (a check after parsing can go back to an earlier line).
  for (int line = 1000; line >= 3; --line) errors.error("late " + std::to_string(line), {line, 1});
  errors.error("second at 2:4", {2, 4});
  errors.error("first at 2:4", {2, 1});
  errors.error("third, after its twin", {2, 4});
  CHECK(errors.count() == 1001);
  errors.finish();
  CHECK(diagnostics.to_string() ==
        "t.csv:2:1: error: first at 2:4\n"
        "t.csv:2:4: error: second at 2:4\n");
  CHECK(diagnostics.error_count() == 1001);
}

TEST_CASE("csv table: semicolons and tabs as delimiters, and the delimiter sniffed") {
  CHECK(sniff_delimiter("a,b,c\n1,2,3\n") == ',');
  CHECK(sniff_delimiter("\xEF\xBB\xBF\n  \npath;total_conversions;total_null\n") == ';');
  CHECK(sniff_delimiter("path\ttotal_conversions\n") == '\t');
  CHECK(sniff_delimiter("\"a;b;c\",d\n") == ',');  // inside quotes: not counted
  CHECK(sniff_delimiter("") == ',');
  CHECK(sniff_delimiter("one\n") == ',');

  Diagnostics diagnostics("t.csv");
  RowErrors row_errors(diagnostics);
  std::optional<CsvTable> tabs =
      parse_csv("a\t b \n x y\t\n", "t.csv", diagnostics, row_errors, '\t');
  row_errors.finish();
  REQUIRE(tabs.has_value());
  CHECK(tabs->header == std::vector<std::string>{"a", "b"});
  REQUIRE(tabs->rows.size() == 1);
  CHECK(tabs->rows[0].fields == std::vector<std::string>{"x y", ""});
  CHECK(tabs->rows[0].columns == std::vector<int>{2, 6});

  std::optional<CsvTable> semicolons =
      parse_csv("a;b\n\"1;2\";3,4\n", "t.csv", diagnostics, row_errors, ';');
  row_errors.finish();
  REQUIRE(semicolons.has_value());
  CHECK(semicolons->rows[0].fields == std::vector<std::string>{"1;2", "3,4"});
  CHECK(diagnostics.error_count() == 0);
}

// Found by reading the CSV reader while writing its fuzz target: every row
// error was kept until the end, each quoting the header, so a 110 KB file of
// 20,000 short rows under a 10,000-column header took 1.6 GB (and a 1 MB
// one, the machine).
TEST_CASE("csv table: regression: every row error was kept, each with the header's names") {
  std::string text;
  for (int c = 0; c < 3000; ++c) text += (c ? ",c" : "c") + std::to_string(100000 + c);
  text += '\n';
  for (int row = 0; row < 100000; ++row) text += "1\n";
  Diagnostics diagnostics("t.csv");
  RowErrors row_errors(diagnostics);
  std::optional<CsvTable> table = parse_csv(text, "t.csv", diagnostics, row_errors);
  row_errors.finish();
  REQUIRE(table.has_value());
  CHECK(table->rows.empty());
  CHECK(diagnostics.items().size() == 20);
  CHECK(diagnostics.error_count() == 100000);
  // The errors kept would take 2.1 GB; CTest runs each case in a process of
  // its own, so the peak is this reading's.
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  CHECK(usage.ru_maxrss < 1024 * 1024);  // KiB
}

}  // namespace
}  // namespace cjsim
