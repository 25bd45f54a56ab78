// Path logs (`cjsim attribute --paths`): default and named columns, the
// delimiter sniffed or given, separators, repeats collapsed or kept, quoted
// fields, a byte-order mark and CR-LF, and every kind of bad row with its
// file, line and column.

#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "models/path_log.h"

namespace cjsim {
namespace {

std::optional<PathLog> parse_paths(const std::string& text, Diagnostics& diagnostics,
                             const PathLogOptions& options = {}) {
  return parse_path_log(text, "paths.csv", options, diagnostics);
}

// Path k as channel names joined by " > ".
std::string path_text(const PathLog& log, size_t k) {
  std::string out;
  for (int32_t c : log.touches_of(k)) {
    if (!out.empty()) out += " > ";
    out += log.channels[static_cast<size_t>(c)];
  }
  return out;
}

TEST_CASE("path log: the usual layout, semicolon-separated, repeats collapsed, channels sorted") {
  Diagnostics diagnostics;
  std::optional<PathLog> log = parse_paths(
      "path;total_conversions;total_conversion_value;total_null\n"
      "eta > iota > alpha > eta;1;0.244;3\n"
      "iota > iota > iota;2;3.195;6\n"
      "beta>eta ;0;0;3\n",
      diagnostics);
  REQUIRE_MESSAGE(log.has_value(), diagnostics.to_string());
  CHECK(log->delimiter == ';');
  CHECK(log->path_column == "path");
  CHECK(log->conversions_column == "total_conversions");
  CHECK(log->value_column == "total_conversion_value");
  CHECK(log->null_column == "total_null");
  CHECK(log->channels == std::vector<std::string>{"alpha", "beta", "eta", "iota"});
  REQUIRE(log->size() == 3);
  CHECK(path_text(*log, 0) == "eta > iota > alpha > eta");
  CHECK(path_text(*log, 1) == "iota");
  CHECK(log->repeats[static_cast<size_t>(log->offsets[1])] == 3);
  CHECK(path_text(*log, 2) == "beta > eta");
  CHECK(log->raw_touches == 9);
  CHECK(log->total_conversions == 3);
  CHECK(log->total_nulls == 12);
  CHECK(log->total_value == doctest::Approx(3.439));
  CHECK(log->lines == std::vector<int32_t>{2, 3, 4});
}

TEST_CASE("path log: --keep-repeats keeps consecutive repeats") {
  Diagnostics diagnostics;
  PathLogOptions options;
  options.keep_repeats = true;
  std::optional<PathLog> log = parse_paths("path,total_conversions\na > a > b,1\n", diagnostics, options);
  REQUIRE_MESSAGE(log.has_value(), diagnostics.to_string());
  CHECK(path_text(*log, 0) == "a > a > b");
  CHECK(log->null_column.empty());
  CHECK(log->total_nulls == 0);
}

TEST_CASE("path log: commas, tabs, quoted fields, a BOM and CR-LF") {
  Diagnostics diagnostics;
  std::optional<PathLog> commas =
      parse_paths("\xEF\xBB\xBFpath,conversions,null\r\n\"a, inc > b\",2,1\r\n", diagnostics);
  REQUIRE_MESSAGE(commas.has_value(), diagnostics.to_string());
  CHECK(commas->delimiter == ',');
  CHECK(path_text(*commas, 0) == "a, inc > b");
  CHECK(commas->null_column == "null");

  std::optional<PathLog> tabs = parse_paths("path\ttotal_conversions\nsearch > email\t4\n", diagnostics);
  REQUIRE_MESSAGE(tabs.has_value(), diagnostics.to_string());
  CHECK(tabs->delimiter == '\t');
  CHECK(path_text(*tabs, 0) == "search > email");
  CHECK(tabs->channels == std::vector<std::string>{"email", "search"});
}

TEST_CASE("path log: named columns, another separator and a given delimiter") {
  Diagnostics diagnostics;
  PathLogOptions options;
  options.delimiter = ',';
  options.separator = "|";
  options.path_column = "journey";
  options.conversions_column = "conv";
  options.value_column = "revenue";
  options.null_column = "lost";
  std::optional<PathLog> log =
      parse_paths("journey,conv,revenue,lost\nfacebook | search|email,3,30,7\n", diagnostics, options);
  REQUIRE_MESSAGE(log.has_value(), diagnostics.to_string());
  CHECK(path_text(*log, 0) == "facebook > search > email");
  CHECK(log->channels == std::vector<std::string>{"email", "facebook", "search"});
  CHECK(log->total_value == 30);
  CHECK(log->total_nulls == 7);
}

TEST_CASE("path log: bad rows are reported with line and column, nothing is read") {
  Diagnostics diagnostics;
  std::optional<PathLog> log = parse_paths(
      "path,total_conversions,total_conversion_value,total_null\n"
      "a > b,1,2,3\n"
      ",1,0,0\n"          // line 3: empty path
      "a > > b,1,0,0\n"   // line 4: a touch without a channel
      "a,-1,0,0\n"        // line 5: negative conversions
      "a,x,0,0\n"         // line 6: not a number
      "a,0,5,1\n"         // line 7: value without conversions
      "a,1,0\n"           // line 8: a field short
      "\"a > b,1,0,0\n",  // line 9: a quote not closed
      diagnostics);
  CHECK_FALSE(log.has_value());
  const std::string text = diagnostics.to_string();
  CHECK(text.find("paths.csv:3:1: error: the path (column 'path') is empty") != std::string::npos);
  CHECK(text.find("paths.csv:4:1: error: touch 2 of the path 'a > > b' has no channel") !=
        std::string::npos);
  CHECK(text.find("paths.csv:5:3: error: -1 (column 'total_conversions') is negative") !=
        std::string::npos);
  CHECK(text.find("paths.csv:6:3: error: 'x' (column 'total_conversions') is not a number") !=
        std::string::npos);
  CHECK(text.find("paths.csv:7:5: error: a value of 5 (column 'total_conversion_value') with no "
                  "conversions") != std::string::npos);
  CHECK(text.find("paths.csv:8:1: error: 3 fields, but the header has 4") != std::string::npos);
  CHECK(text.find("paths.csv:9:1: error: the quoted field does not end on its line") !=
        std::string::npos);
  CHECK(diagnostics.error_count() == 7);
}

TEST_CASE("path log: an unknown column is named with the header and a hint") {
  Diagnostics diagnostics;
  PathLogOptions options;
  options.conversions_column = "total_conversion";
  std::optional<PathLog> log = parse_paths("path,total_conversions\na,1\n", diagnostics, options);
  CHECK_FALSE(log.has_value());
  CHECK(diagnostics.to_string() ==
        "paths.csv:1:1: error: no column 'total_conversion' for --conversions-column (the header "
        "has: path, total_conversions); did you mean 'total_conversions'?\n");
}

TEST_CASE("path log: missing columns, an empty file, no rows, no journeys") {
  Diagnostics missing;
  CHECK_FALSE(parse_paths("route,total_conversions\na,1\n", missing).has_value());
  CHECK(missing.to_string().find("no path column: name it with --path-column") !=
        std::string::npos);
  Diagnostics empty;
  CHECK_FALSE(parse_paths("", empty).has_value());
  CHECK(empty.to_string().find("the file is empty") != std::string::npos);
  Diagnostics header_only;
  CHECK_FALSE(parse_paths("path,total_conversions\n", header_only).has_value());
  CHECK(header_only.to_string().find("no paths") != std::string::npos);
  Diagnostics no_journeys;
  CHECK_FALSE(parse_paths("path,total_conversions,total_null\na,0,0\n", no_journeys).has_value());
  CHECK(no_journeys.to_string().find("no journeys") != std::string::npos);
  Diagnostics twice;
  PathLogOptions options;
  options.null_column = "total_conversions";
  CHECK_FALSE(parse_paths("path,total_conversions\na,1\n", twice, options).has_value());
  CHECK(twice.to_string().find("is both the conversions and the null column") != std::string::npos);
}

TEST_CASE("path log: an empty separator is refused") {
  Diagnostics diagnostics;
  PathLogOptions options;
  options.separator = "";
  CHECK_FALSE(parse_paths("path,total_conversions\na,1\n", diagnostics, options).has_value());
  CHECK(diagnostics.to_string().find("--separator") != std::string::npos);
}

}  // namespace
}  // namespace cjsim
