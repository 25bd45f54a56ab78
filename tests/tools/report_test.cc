// The HTML reports and SVG files of the study commands (docs/report.md):
// structure, self-containment, the charts each page promises, determinism
// of the charts, the flow diagram's numbers, and bad output paths. The
// pages are opened in a real browser in report_browser_test.cc.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "cjsim/v1/result.pb.h"
#include "tests/test_support.h"
#include "tools/report/format.h"
#include "tools/report/html.h"

namespace cjsim {
namespace {

using testing::parse_json;
using testing::read_file;
using testing::run_cli;
using testing::source_path;
using testing::TempDir;

using testing::kConsumer;
const std::string kSmall = " --agents 3000 --replications 4 --quiet";

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The <figure id="..."> names of a page.
std::set<std::string> figures(const std::string& html) {
  std::set<std::string> names;
  const std::string tag = "<figure id=\"";
  for (size_t at = html.find(tag); at != std::string::npos; at = html.find(tag, at + 1)) {
    const size_t begin = at + tag.size();
    names.insert(html.substr(begin, html.find('"', begin) - begin));
  }
  return names;
}

std::vector<std::string> files_in(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Nothing in the page refers to anything outside it. The SVG namespace
// URI is a name, not a fetch.
void check_self_contained(const std::string& html) {
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("Content-Security-Policy\" content=\"default-src 'none'") != std::string::npos);
  std::string rest = html;
  for (size_t at; (at = rest.find("http://www.w3.org/2000/svg")) != std::string::npos;) {
    rest.erase(at, 26);
  }
  CHECK(rest.find("http://") == std::string::npos);
  CHECK(rest.find("https://") == std::string::npos);
  CHECK(rest.find("<script") == std::string::npos);
  CHECK(rest.find(" src=") == std::string::npos);
  CHECK(rest.find(" href=") == std::string::npos);
  CHECK(rest.find("url(") == std::string::npos);
  CHECK(rest.find("@import") == std::string::npos);
}

// Each --svg file is the chart of the same name in the page.
void check_svg_files(const std::string& html, const std::filesystem::path& dir) {
  const std::set<std::string> names = figures(html);
  std::vector<std::string> expected;
  for (const std::string& n : names) expected.push_back(n + ".svg");
  CHECK(files_in(dir) == expected);
  for (const std::string& n : names) {
    const std::string svg = read_file((dir / (n + ".svg")).string());
    CHECK(svg.rfind("<svg", 0) == 0);
    CHECK(html.find("<figure id=\"" + n + "\">\n" + svg) != std::string::npos);
  }
  CHECK(count(html, "<svg") == names.size());
}

TEST_CASE("report: a run's page has every chart docs/report.md lists, and nothing external") {
  TempDir dir;
  const std::string html_path = dir.file("run.html");
  const auto result = run_cli("run " + kConsumer + kSmall + " --report " + html_path + " --svg " +
                              dir.file("charts") + " --json " + dir.file("run.json"));
  REQUIRE(result.status == 0);
  const std::string html = read_file(html_path);
  check_self_contained(html);
  const std::set<std::string> expected = {"funnel", "flow",
                                          // All goals are on the web shop, so no
                                          // conversions by channel, but credit.
                                          "channel-visits", "channel-credit", "exposures", "spend",
                                          "personas", "new-conversions", "aware", "converted",
                                          "active-customers", "open-complaints", "retention",
                                          // The scenario's targets.
                                          "target-orders_by_end_of_june", "target-quarter_budget"};
  CHECK(figures(html) == expected);
  check_svg_files(html, dir.path() / "charts");
  // Provenance ties the page to its run.
  const auto json = parse_json<v1::RunResult>(read_file(dir.file("run.json")));
  CHECK(html.find(json.scenario_hash()) != std::string::npos);
  CHECK(html.find("<dd>" + std::to_string(json.seed()) + "</dd>") != std::string::npos);
  CHECK(html.find("cjsim run " + kConsumer) != std::string::npos);
  CHECK(html.find(json.engine_version()) != std::string::npos);
  // Headline figures are the JSON's.
  CHECK(html.find(report::format_value(json.kpis().at("conversion_rate").mean(),
                                       report::Unit::kShare)) != std::string::npos);
}

TEST_CASE("report: a dated run's targets get a panel each, and its day charts shade the calendar") {
  TempDir dir;
  const std::string html_path = dir.file("bf.html");
  const auto result =
      run_cli("run " + testing::source_path("scenarios/black_friday.textproto") + kSmall +
              " --report " + html_path + " --svg " + dir.file("charts"));
  REQUIRE(result.status == 0);
  const std::string html = read_file(html_path);
  check_self_contained(html);
  const std::set<std::string> names = figures(html);
  CHECK(names.count("target-orders_by_cyber_monday") == 1);
  CHECK(names.count("target-season_budget") == 1);
  check_svg_files(html, dir.path() / "charts");
  CHECK(html.find("<h2>Targets</h2>") != std::string::npos);
  CHECK(html.find("orders_by_cyber_monday: purchase conversions at least 10,400 by 2026-11-30. "
                  "Chance ") != std::string::npos);
  // The day charts: dated, with the burst's flights as one span and the
  // events named.
  const std::string chart = read_file(dir.file("charts/new-conversions.svg"));
  CHECK(chart.find("day (0 = 2026-11-02)") != std::string::npos);
  CHECK(chart.find("<title>flight: tiktok 14,000/wk, instagram 9,000/wk, search 5,000/wk</title>") !=
        std::string::npos);
  CHECK(chart.find("<title>black_friday_weekend</title>") != std::string::npos);
}

TEST_CASE("report: the charts are the same bytes on 1 and 2 threads") {
  TempDir dir;
  for (const char* threads : {"1", "2"}) {
    const auto result = run_cli("run " + kConsumer + kSmall + " --threads " + threads + " --svg " +
                                dir.file(std::string("t") + threads));
    REQUIRE(result.status == 0);
  }
  const std::vector<std::string> names = files_in(dir.path() / "t1");
  REQUIRE(names == files_in(dir.path() / "t2"));
  REQUIRE(!names.empty());
  for (const std::string& n : names) {
    CHECK_MESSAGE(read_file(dir.file("t1/" + n)) == read_file(dir.file("t2/" + n)), n);
  }
}

TEST_CASE("report: an exact run has a funnel without error bars and no daily series") {
  TempDir dir;
  const std::string scenario = dir.write("small.textproto", testing::kSmallJourney);
  const auto result =
      run_cli("run " + scenario + " --exact --quiet --report " + dir.file("exact.html"));
  REQUIRE(result.status == 0);
  const std::string html = read_file(dir.file("exact.html"));
  check_self_contained(html);
  const std::set<std::string> names = figures(html);
  CHECK(names.count("funnel") == 1);
  CHECK(names.count("flow") == 1);
  CHECK(names.count("new-conversions") == 0);
  CHECK(html.find("exact (absorbing Markov chain)") != std::string::npos);
}

TEST_CASE("report: compare, sweep, curves and optimize pages have their charts") {
  TempDir dir;
  struct Case {
    std::string args;
    std::set<std::string> charts;
  };
  const std::vector<Case> cases = {
      {"compare " + kConsumer + " --variants shop_now_cta,shift_facebook_to_tiktok",
       // Both variants keep the total spend, so the cost is not plotted.
       {"difference-conversion_rate", "difference-conversions", "difference-value",
        "difference-cost_per_conversion", "difference-roas", "difference-retention_rate",
        "funnel"}},
      {"sweep " + kConsumer + " --set channels[tiktok].weekly_budget=0:4000:3",
       {"sweep-conversion_rate", "sweep-conversions", "sweep-value", "sweep-cost",
        "sweep-cost_per_conversion", "sweep-roas", "sweep-retention_rate", "marginal-conversions",
        "marginal-value"}},
      {"curves " + kConsumer + " --channels tiktok,facebook --points 3",
       {"curve-tiktok", "curve-facebook", "marginal", "roi"}},
      {"optimize " + kConsumer +
           " --weekly-budget 12000 --max-evaluations 4 --confirm-replications 4 "
           "--curve-points 3",
       {"mix", "marginal", "curve-tiktok", "curve-instagram", "curve-facebook", "curve-search",
        "curve-youtube", "curve-display"}},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string html_path = dir.file("page" + std::to_string(i) + ".html");
    const std::string svg_dir = dir.file("svg" + std::to_string(i));
    const auto result =
        run_cli(cases[i].args + kSmall + " --report " + html_path + " --svg " + svg_dir);
    INFO(cases[i].args, "\n", result.err);
    REQUIRE(result.status == 0);
    const std::string html = read_file(html_path);
    check_self_contained(html);
    CHECK(figures(html) == cases[i].charts);
    check_svg_files(html, svg_dir);
  }
}

TEST_CASE("report: every scenario in the library gives run and comparison pages") {
  // Every variant of every example, including those that leave a ratio
  // undefined in one arm (ROAS once the spend is gone).
  TempDir dir;
  for (const auto& entry : std::filesystem::directory_iterator(source_path("scenarios"))) {
    if (entry.path().extension() != ".textproto") continue;
    const std::string name = entry.path().stem().string();
    for (const std::string command : {"run", "compare"}) {
      const std::string page = dir.file(name + "-" + command + ".html");
      const auto result =
          run_cli(command + " " + entry.path().string() + kSmall + " --report " + page);
      INFO(command, " ", name, "\n", result.err);
      REQUIRE(result.status == 0);
      const std::string html = read_file(page);
      check_self_contained(html);
      CHECK(!figures(html).empty());
    }
  }
}

TEST_CASE("report: a page says what its variants change, in the scenario's words") {
  TempDir dir;
  const auto run = run_cli("run " + kConsumer + kSmall + " --variant shop_now_cta --report " +
                           dir.file("run.html"));
  REQUIRE(run.status == 0);
  const std::string html = read_file(dir.file("run.html"));
  CHECK(html.find("Run of variant shop_now_cta") != std::string::npos);
  CHECK(html.find("<p>Variant shop_now_cta: Instagram prospecting ad says &#39;Shop now&#39;") !=
        std::string::npos);
  const auto compare = run_cli("compare " + kConsumer + kSmall +
                               " --variants shop_now_cta,shift_facebook_to_tiktok --report " +
                               dir.file("compare.html"));
  REQUIRE(compare.status == 0);
  const std::string page = read_file(dir.file("compare.html"));
  CHECK(page.find("<td>shift_facebook_to_tiktok</td><td>Move 30% of the Facebook budget to "
                  "TikTok; total spend unchanged.</td>") != std::string::npos);
}

TEST_CASE("report: conversions by channel are drawn when goals sit on two channels") {
  TempDir dir;
  std::string text = testing::kSmallJourney;
  text += R"(
touchpoints { id: "dm_signup" stage: DECISION channel: "social" goal { kind: "signup" } }
edges { from: "ad" to: "dm_signup" }
)";
  const std::string one = dir.write("one.textproto", testing::kSmallJourney);
  const std::string two = dir.write("two.textproto", text);
  REQUIRE(run_cli("run " + one + " --quiet --svg " + dir.file("one")).status == 0);
  REQUIRE(run_cli("run " + two + " --quiet --svg " + dir.file("two")).status == 0);
  CHECK(!std::filesystem::exists(dir.file("one/channel-conversions.svg")));
  CHECK(std::filesystem::exists(dir.file("two/channel-conversions.svg")));
  // No loyalty block: no active-customers line (it would repeat the
  // converted count) and no retention curve.
  CHECK(!std::filesystem::exists(dir.file("two/active-customers.svg")));
  CHECK(!std::filesystem::exists(dir.file("two/retention.svg")));
}

TEST_CASE("report: a ribbon of the flow is the acts at its source split by edge weight") {
  // The small journey has page -> checkout (weight 3) and page -> exit
  // (weight 1): three quarters of the acts at the page go to the checkout.
  TempDir dir;
  const std::string scenario = dir.write("flow.textproto", testing::kSmallJourney);
  const auto result = run_cli("run " + scenario + " --quiet --svg " + dir.file("svg") + " --json " +
                              dir.file("r.json"));
  REQUIRE(result.status == 0);
  const auto json = parse_json<v1::RunResult>(read_file(dir.file("r.json")));
  double acts = 0;
  for (const v1::TouchpointResult& t : json.touchpoints()) {
    if (t.id() == "page") acts = t.acts().mean();
  }
  REQUIRE(acts > 0);
  const std::string flow = read_file(dir.file("svg/flow.svg"));
  INFO(flow);
  CHECK(flow.find("page -&gt; checkout: " + report::format_count(acts * 3 / 4) + " people") !=
        std::string::npos);
  CHECK(flow.find("page -&gt; exit: " + report::format_count(acts / 4) + " people") !=
        std::string::npos);
}

TEST_CASE("report: the flow's expected moves match the moves simulated and solved exactly") {
  // The checkout is reached only from the page, in the same session, so its
  // visits are the moves page -> checkout: the ribbon (3/4 of the acts at
  // the page) must agree with them. Exactly in the absorbing chain; in the
  // simulation within the two estimates' intervals (each is a mean over the
  // same replications, so the sum of half-widths bounds their difference
  // at a confidence of at least 90%).
  TempDir dir;
  const std::string scenario = dir.write("flow.textproto", testing::kSmallJourney);
  for (const std::string mode : {" --exact", " --agents 20000 --replications 8"}) {
    const auto result = run_cli("run " + scenario + mode + " --quiet --json -");
    INFO(mode, "\n", result.err);
    REQUIRE(result.status == 0);
    const auto json = parse_json<v1::RunResult>(result.out);
    const v1::Estimate *acts = nullptr, *checkout = nullptr;
    for (const v1::TouchpointResult& t : json.touchpoints()) {
      if (t.id() == "page") acts = &t.acts();
      if (t.id() == "checkout") checkout = &t.visits();
    }
    REQUIRE(acts != nullptr);
    REQUIRE(checkout != nullptr);
    const double ribbon = acts->mean() * 3 / 4;
    const double tolerance = json.method() == "exact"
                                 ? 1e-9 * checkout->mean()
                                 : (checkout->ci_high() - checkout->ci_low()) / 2 +
                                       (acts->ci_high() - acts->ci_low()) * 3 / 8;
    CHECK(std::abs(checkout->mean() - ribbon) <= tolerance);
  }
}

TEST_CASE("report: bad --report and --svg paths fail at once with status 2, writing nothing") {
  TempDir dir;
  const std::string file = dir.write("plain-file", "x");
  struct Case {
    std::string options, message;
  };
  const std::vector<Case> cases = {
      {"--report " + dir.file("missing/folder/r.html"), "error: --report"},
      {"--report -", "error: --report -: give a file path"},
      {"--report " + dir.file("r.html") + " --svg " + file,
       "error: --svg " + file + ": not a folder"},
      {"--report " + dir.file("r.html") + " --svg " + dir.file("missing/folder"), "error: --svg"},
      // The CSV folder made for this run goes again when the SVG folder fails.
      {"--csv " + dir.file("tables") + " --svg " + file, "error: --svg " + file},
  };
  for (const Case& c : cases) {
    const auto result = run_cli("run " + kConsumer + " " + c.options + " --quiet");
    INFO(c.options, "\n", result.err);
    CHECK(result.status == 2);
    CHECK(result.err.find(c.message) != std::string::npos);
    CHECK(!std::filesystem::exists(dir.file("r.html")));
  }
  // Nothing but the plain file is left in the folder (no temporary files).
  CHECK(files_in(dir.path()) == std::vector<std::string>{"plain-file"});
}

TEST_CASE("report: text is escaped and chart names are checked") {
  report::Report report("<A & B>", "Run", "\"quoted\" 'text'");
  report.headline("rate", "1 < 2");
  report.section("S & T");
  report.table({"a<b"}, {{"x&y"}});
  report.provenance("command", "cjsim run 'a b'");
  const std::string html = report.html();
  CHECK(html.find("<h1>&lt;A &amp; B&gt;</h1>") != std::string::npos);
  CHECK(html.find("&quot;quoted&quot; &#39;text&#39;") != std::string::npos);
  CHECK(html.find("1 &lt; 2") != std::string::npos);
  CHECK(html.find("<th>a&lt;b</th>") != std::string::npos);
  CHECK(html.find("<td>x&amp;y</td>") != std::string::npos);
  CHECK(report.chart_count() == 0);
  CHECK(report.svg_files().empty());
}

}  // namespace
}  // namespace cjsim
