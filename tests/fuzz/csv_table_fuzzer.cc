// Fuzz target: the generic CSV reader (models/csv_table.h) under every
// table the command line reads. Besides surviving any bytes, a table it
// returns must be consistent: every kept row has one field and one column
// per header name.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "models/csv_table.h"
#include "models/diagnostics.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  cjsim::Diagnostics diagnostics("fuzz.csv");
  cjsim::RowErrors row_errors(diagnostics);
  std::optional<cjsim::CsvTable> table =
      cjsim::parse_csv(cjsim::fuzz::as_text(data, size), "fuzz.csv", diagnostics, row_errors);
  row_errors.finish();
  diagnostics.to_string();
  if (!table) return 0;
  using cjsim::fuzz::require;
  require(!table->header.empty(), "a table has a header");
  require(table->header_columns.size() == table->header.size(), "a column per header name");
  for (const std::string& name : table->header) {
    require(table->column_index(name) >= 0, "every header name is found");
  }
  table->column_list();
  int previous_line = table->header_line;
  for (const cjsim::CsvRow& row : table->rows) {
    require(row.fields.size() == table->header.size(), "a kept row has a field per column");
    require(row.columns.size() == row.fields.size(), "a row has a column per field");
    require(row.line > previous_line, "rows are in line order, after the header");
    previous_line = row.line;
  }
  return 0;
}
