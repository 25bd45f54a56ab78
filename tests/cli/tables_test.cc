// Every terminal table of every command, on every library scenario, reads
// the same way (tools/report/text_table.h, format.h): split on two or more
// spaces, each row has the header's number of cells, and every cell that
// holds a number is in the one style: thousands separators, "pp" for
// percentage points, no printf defaults ("6000.000000", "1e+06"), no "-0",
// huge ratios as "> 1,000x". The bugs this pins: "11.720.008125" and
// "baselineevening_posting" (columns run together), "6000.000000",
// "-0.000 pp", "CRN gain 1854611x".

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "models/scenario_loader.h"
#include "tests/test_support.h"

namespace cjsim::testing {
namespace {

using Row = std::vector<std::string>;

// The cells of a table line: the indent dropped, split on runs of two or
// more spaces.
Row cells_of(const std::string& line) {
  static const std::regex gap("  +");
  const std::string body = std::regex_replace(line, std::regex("^ +"), "");
  Row out;
  for (std::sregex_token_iterator it(body.begin(), body.end(), gap, -1), end; it != end; ++it) {
    out.push_back(*it);
  }
  return out;
}

// The tables of a command's output: runs of lines indented by two spaces,
// the first of each its header.
std::vector<std::vector<Row>> tables_in(const std::string& out) {
  std::vector<std::vector<Row>> tables;
  bool in_table = false;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    const std::string line = out.substr(start, end - start);
    start = end + 1;
    const bool row = line.size() > 2 && line.compare(0, 2, "  ") == 0 && line[2] != ' ';
    if (row && !in_table) tables.emplace_back();
    if (row) tables.back().push_back(cells_of(line));
    in_table = row;
  }
  return tables;
}

bool looks_numeric(const std::string& cell) {
  static const std::regex number_start(R"(^([+-]?[0-9]|\[|> [0-9]))");
  return std::regex_search(cell, number_start);
}

// One number in the style of format.h: digits grouped by commas, more than
// three decimals only for a small number's significant digits
// ("0.000123"), and no sign on a zero.
bool number_in_style(const std::string& text) {
  static const std::regex shape(R"(^([+-]?)(0|[1-9][0-9]{0,2}(,[0-9]{3})*)(\.([0-9]+))?$)");
  std::smatch m;
  if (!std::regex_match(text, m, shape)) return false;
  const std::string whole = m[2], fraction = m[5];
  if (fraction.size() > 3) {
    if (whole != "0") return false;
    const size_t first = fraction.find_first_not_of('0');
    if (first == std::string::npos || fraction.size() - first > 4) return false;
  }
  const bool zero = whole == "0" && fraction.find_first_not_of('0') == std::string::npos;
  return !(zero && !m[1].str().empty());
}

// A value: a number with an optional unit ("%", " pp", "x", bytes).
bool value_in_style(const std::string& text) {
  if (text == "inf" || text == "-inf" || text == "n/a") return true;
  static const std::regex unit(R"(^(.*?)(%| pp|x| bytes| KiB| MiB| GiB| TiB)?$)");
  std::smatch m;
  std::regex_match(text, m, unit);
  return number_in_style(m[1]);
}

bool cell_in_style(const std::string& cell) {
  if (cell == "> 1,000x") return true;
  // A date (the calendar's days: "2026-11-30").
  static const std::regex date(R"(^[0-9]{4}-[0-9]{2}-[0-9]{2}$)");
  if (std::regex_match(cell, date)) return true;
  static const std::regex interval(R"(^(?:(.+) )?\[(.+), (.+)\]$)");
  std::smatch m;
  if (std::regex_match(cell, m, interval)) {
    return (!m[1].matched || value_in_style(m[1])) && value_in_style(m[2]) && value_in_style(m[3]);
  }
  return value_in_style(cell);
}

// Checks every table of `out` (from `command`); returns how many it found.
size_t check_tables(const std::string& command, const std::string& out) {
  CAPTURE(command);
  const std::vector<std::vector<Row>> tables = tables_in(out);
  for (const std::vector<Row>& table : tables) {
    const size_t columns = table.front().size();
    for (size_t i = 0; i < table.size(); ++i) {
      const Row& row = table[i];
      std::string line;
      for (const std::string& c : row) line += "|" + c;
      CAPTURE(line);
      CHECK(row.size() == columns);
      // Headers are words ("95% interval").
      for (const std::string& cell : row) {
        if (i == 0 || !looks_numeric(cell)) continue;
        CAPTURE(cell);
        CHECK(cell_in_style(cell));
      }
    }
  }
  return tables.size();
}

TEST_CASE("tables: the style check catches the reported bugs") {
  CHECK(cell_in_style("1,234,568"));
  CHECK(cell_in_style("+0.19 pp"));
  CHECK(cell_in_style("0.00123"));
  CHECK(cell_in_style("[2.38%, 2.44%]"));
  CHECK(cell_in_style("[-1.2 pp, +0.004 pp]"));
  CHECK(cell_in_style("0.0012 [0.0004, 0.002]"));
  CHECK(cell_in_style("14x"));
  CHECK(cell_in_style("> 1,000x"));
  CHECK_FALSE(cell_in_style("11.720.008125"));
  CHECK_FALSE(cell_in_style("6000.000000"));
  CHECK_FALSE(cell_in_style("-0.000 pp"));
  CHECK_FALSE(cell_in_style("-0.00"));
  CHECK_FALSE(cell_in_style("1854611x"));
  CHECK_FALSE(cell_in_style("1e+06"));
  CHECK_FALSE(cell_in_style("1234"));
  // Columns run together: the header has fewer cells than the rows.
  const std::vector<std::vector<Row>> tables =
      tables_in("  KPI  baselineevening_posting\n  conversions  12  13\n");
  REQUIRE(tables.size() == 1);
  CHECK(tables[0][0].size() != tables[0][1].size());
}

struct Library {
  std::string path;
  std::string budget_channel;   // the first channel with a weekly budget
  double weekly_budget = 0;     // of every channel
  std::string organic_channel;  // the first channel with organic reach
};

std::vector<Library> library() {
  std::vector<Library> out;
  for (const auto& entry : std::filesystem::directory_iterator(source_path("scenarios"))) {
    Diagnostics diagnostics;
    std::optional<LoadedScenario> loaded = load_scenario(entry.path().string(), diagnostics);
    REQUIRE_MESSAGE(loaded.has_value(), diagnostics.to_string());
    Library l{entry.path().string(), "", 0, ""};
    for (const v1::Channel& c : loaded->scenario.channels()) {
      if (l.organic_channel.empty() && c.organic_reach() > 0) l.organic_channel = c.id();
      if ((c.has_enabled() && !c.enabled()) || c.weekly_budget() <= 0) continue;
      if (l.budget_channel.empty()) l.budget_channel = c.id();
      l.weekly_budget += c.weekly_budget();
    }
    out.push_back(l);
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.path < b.path; });
  return out;
}

TEST_CASE("tables: every command's tables parse on every library scenario") {
  const std::string small = " --agents 2000 --replications 3 --threads 2";
  for (const Library& l : library()) {
    CAPTURE(l.path);
    std::vector<std::string> commands = {"run " + l.path + small, "compare " + l.path + small,
                                         "run " + l.path + " --estimate"};
    if (!l.budget_channel.empty()) {
      const std::string total = std::to_string(static_cast<long>(l.weekly_budget));
      commands.push_back("sweep " + l.path + small + " --set channels[" + l.budget_channel +
                         "].weekly_budget=0:" + total + ":3");
      commands.push_back("curves " + l.path + small + " --points 3");
      commands.push_back("optimize " + l.path +
                         " --agents 1000 --replications 2 --threads 2 --confirm-replications 4 "
                         "--max-evaluations 4 --weekly-budget " +
                         total);
    } else {
      // Nothing paid: curves and optimize refuse (exit 2); sweep organic reach.
      REQUIRE_FALSE(l.organic_channel.empty());
      commands.push_back("sweep " + l.path + small + " --set channels[" + l.organic_channel +
                         "].organic_reach=0.01:0.05:3");
      CHECK(run_cli("curves " + l.path + small).status == 2);
      CHECK(run_cli("optimize " + l.path + small + " --weekly-budget 1000").status == 2);
    }
    for (const std::string& command : commands) {
      const CliResult r = run_cli(command);
      REQUIRE_MESSAGE(r.status == 0, command << "\n" << r.err);
      CHECK_MESSAGE(check_tables(command, r.out) > 0, r.out);
    }
    // The exact solution where the scenario has the single-journey form.
    const CliResult exact = run_cli("run " + l.path + " --exact");
    if (exact.status == 0) check_tables("run --exact " + l.path, exact.out);
  }
}

TEST_CASE("tables: the exact solution's table parses, every interval exact") {
  TempDir dir;
  const std::string path = dir.write("small.textproto", kSmallJourney);
  const CliResult r = run_cli("run " + path + " --exact");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(check_tables("run --exact", r.out) > 0);
  CHECK(r.out.find("no variation") == std::string::npos);
  CHECK(r.out.find("(exact)") != std::string::npos);
}

TEST_CASE("tables: fit-retention's parameter table parses") {
  TempDir dir;
  // 120 customers with 1 to 6 purchases spread over 2020, deterministic.
  std::string log = "id,date\n";
  for (int c = 0; c < 120; ++c) {
    const int purchases = 1 + (c * 7) % 6;
    for (int k = 0; k < purchases; ++k) {
      const int day = 1 + (c * 13 + k * 37) % 28;
      const int month = 1 + (c % 2) + k * 2;
      char date[16];
      std::snprintf(date, sizeof date, "2020-%02d-%02d", month, day);
      log += std::to_string(c) + "," + date + "\n";
    }
  }
  const std::string path = dir.write("tx.csv", log);
  // (Pareto/NBD prints the same parameter table; on this log its fit runs
  // for minutes, so it is left out here.)
  for (const std::string& model :
       {std::string("bg-nbd --time-unit week"), std::string("bg-bb --period-days 30")}) {
    const std::string command = "fit-retention --transactions " + path + " --model " + model +
                                " --calibration-end 2020-09-30";
    const CliResult r = run_cli(command);
    REQUIRE_MESSAGE(r.status == 0, command << "\n" << r.err);
    CHECK_MESSAGE(check_tables(command, r.out) > 0, r.out);
  }
}

}  // namespace
}  // namespace cjsim::testing
