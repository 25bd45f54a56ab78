// The HTML reports in a real browser (tests/browser_check.h): first the
// harness itself on small pages written here, each with one known fault,
// then the reports cjsim writes. Each case prints "skipped: chromium not
// found" and returns when there is no Chromium (tools/setup-deps.sh installs
// it).

#include <filesystem>
#include <string>

#include <doctest/doctest.h>

#include "tests/browser_check.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::check_page;
using testing::PageCheck;
using testing::TempDir;

#define CJSIM_SKIP_WITHOUT_CHROMIUM()                                 \
  if (::cjsim::testing::find_chromium().empty()) {                    \
    MESSAGE(                                                          \
        "skipped: chromium not found (chromium, chromium-browser or " \
        "google-chrome on PATH, or $CJSIM_CHROMIUM)");                \
    return;                                                           \
  }

// The report's policy (tools/report/html.cc): nothing may be loaded.
const std::string kPolicy =
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
    "style-src 'unsafe-inline'; img-src data:\">\n";

// A page like a report: the policy (or not), a heading, then `body`.
std::string page(const std::string& body, bool with_policy = true) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" +
         (with_policy ? kPolicy : std::string()) +
         "<title>test page</title>\n"
         "<style>body { font-family: sans-serif; margin: 2em } svg { display: block }</style>\n"
         "</head>\n<body>\n<h1>A test page</h1>\n<p>Some text to read.</p>\n" +
         body + "</body>\n</html>\n";
}

// An inline chart as svg_chart draws one: a title, a background rect, then
// `shapes`.
std::string chart(const std::string& title, const std::string& shapes) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"480\" height=\"240\" "
         "viewBox=\"0 0 480 240\" role=\"img\">\n<title>" +
         title +
         "</title>\n<rect class=\"background\" x=\"0\" y=\"0\" width=\"480\" height=\"240\" "
         "fill=\"#fff\"/>\n" +
         shapes + "</svg>\n";
}

const std::string kLine =
    "<line x1=\"40\" y1=\"200\" x2=\"460\" y2=\"200\" stroke=\"#333\"/>\n"
    "<path d=\"M40 200 L150 120 L260 140 L460 30\" stroke=\"#0072b2\" fill=\"none\"/>\n"
    "<text x=\"40\" y=\"20\">conversions</text>\n";
const std::string kBars =
    "<rect x=\"60\" y=\"40\" width=\"300\" height=\"30\" fill=\"#e69f00\"/>\n"
    "<rect x=\"60\" y=\"100\" width=\"180\" height=\"30\" fill=\"#56b4e9\"/>\n";

// The parsing parts need no browser: they read text as Chromium 156 writes it.

TEST_CASE("report browser: the probe copy keeps the policy but lets the probe's script run") {
  const std::string copy = testing::browser_detail::probe_copy(page(chart("Revenue", kBars)));
  CHECK(copy.find("content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                  "script-src 'nonce-cjsim-probe'\"") != std::string::npos);
  CHECK(copy.find("<script nonce=\"cjsim-probe\">") < copy.rfind("</body>"));
  // A script-src of the page's own is replaced, not added to.
  const std::string own = testing::browser_detail::probe_copy(
      "<meta http-equiv=Content-Security-Policy content='script-src * ; default-src none'>");
  CHECK(own.find("content=\" default-src none; script-src 'nonce-cjsim-probe'\"") !=
        std::string::npos);
  CHECK(own.find("script-src *") == std::string::npos);
  // No policy, no body: the probe goes at the end.
  const std::string bare = testing::browser_detail::probe_copy("<p>x</p>");
  CHECK(bare.rfind("<p>x</p><script nonce=", 0) == 0);
  CHECK(bare.substr(bare.size() - 10) == "</script>\n");
}

TEST_CASE("report browser: console lines and net log requests are read as Chromium writes them") {
  const std::string log =
      "/usr/bin/chromium: 9: [: 25275973632: unexpected operator\n"
      "[41:41:1202/011044.858844:INFO:CONSOLE:7] \"Loading the image 'http://x.invalid/a.png' "
      "violates ...\", source: file:///tmp/p.html (7)\n"
      "[41:41:1202/011044.900000:INFO:CONSOLE(3)] \"two\nlines\", source: file:///tmp/p.html (3)\n"
      "[41:52:1202/011044.171776:ERROR:dbus/bus.cc:405] Failed to connect to the bus\n"
      "18185 bytes written to file /tmp/shot.png\n";
  const std::vector<std::string> messages = testing::browser_detail::console_messages(log);
  REQUIRE(messages.size() == 2);
  CHECK(messages[0].rfind("\"Loading the image", 0) == 0);
  CHECK(messages[1] == "\"two\nlines\", source: file:///tmp/p.html (3)");

  const std::string net_log = R"json({"constants": {"logEventTypes": {"URL_REQUEST_START_JOB": 7}},
    "events": [
      {"type": 7, "phase": 1, "params": {"url": "https://update.googleapis.com/u",
       "initiator": "not an origin", "network_isolation_key": "null null"}},
      {"type": 7, "phase": 1, "params": {"url": "http://x.invalid/a.png", "initiator": "null",
       "network_isolation_key": "file:// [internally: file://] file:// [internally: file://]"}},
      {"type": 7, "phase": 1, "params": {"url": "http://x.invalid/a.png", "initiator": "null"}},
      {"type": 7, "phase": 1, "params": {"url": "data:image/png;base64,AAAA", "initiator": "null"}},
      {"type": 8, "phase": 1, "params": {"url": "wss://other.invalid/", "initiator": "null"}},
      {"type": 7, "phase": 2}]})json";
  PageCheck check;
  std::string error;
  REQUIRE(testing::browser_detail::read_net_log(net_log, &check, &error));
  CHECK(check.network_requests == std::vector<std::string>{"http://x.invalid/a.png"});
  CHECK(check.browser_requests == std::vector<std::string>{"https://update.googleapis.com/u"});
  CHECK_FALSE(testing::browser_detail::read_net_log("{\"events\": [", &check, &error));
}

TEST_CASE("report browser: a page with two inline charts passes") {
  CJSIM_SKIP_WITHOUT_CHROMIUM();
  TempDir dir;
  const std::string html =
      dir.write("good.html", page(chart("Conversions by day", kLine) + chart("Revenue", kBars)));
  const PageCheck check = check_page(html, dir.path().string());
  INFO(check.describe());
  REQUIRE(check.ran);
  CHECK(check.ok());
  CHECK(check.console_errors.empty());
  CHECK(check.network_requests.empty());
  CHECK(check.charts == 2);
  CHECK(check.empty_charts.empty());
  REQUIRE(check.chart_details.size() == 2);
  CHECK(check.chart_details[0].title == "Conversions by day");
  CHECK(check.chart_details[0].shapes == 2);  // the background rect does not count
  CHECK(check.chart_details[1].shapes == 2);
  CHECK(check.chart_details[1].width == 480);
  CHECK(check.screenshot_problem == "");
  CHECK(check.screenshot_width == 1280);
  CHECK(check.screenshot_height >= 800);
  CHECK(check.screenshot_bytes > 4096);
}

TEST_CASE("report browser: a long page is shot whole") {
  CJSIM_SKIP_WITHOUT_CHROMIUM();
  TempDir dir;
  std::string charts;
  for (int i = 0; i < 8; ++i) charts += chart("Chart " + std::to_string(i + 1), kBars);
  const PageCheck check = check_page(dir.write("long.html", page(charts)), dir.path().string());
  INFO(check.describe());
  REQUIRE(check.ran);
  CHECK(check.ok());
  CHECK(check.charts == 8);
  CHECK(check.page_height > 8 * 240);
  CHECK(check.screenshot_height == check.page_height);
}

TEST_CASE("report browser: an image from the network is caught, by the policy or the net log") {
  CJSIM_SKIP_WITHOUT_CHROMIUM();
  const std::string fetches =
      "<img src=\"http://example.invalid/x.png\" alt=\"\">\n"
      "<link rel=\"stylesheet\" href=\"https://example.invalid/a.css\">\n" +
      chart("Revenue", kBars);

  SUBCASE("the policy blocks it before the network: console errors") {
    TempDir dir;
    const PageCheck check = check_page(dir.write("img.html", page(fetches)), dir.path().string());
    INFO(check.describe());
    REQUIRE(check.ran);
    CHECK_FALSE(check.ok());
    REQUIRE(check.console_errors.size() == 2);
    CHECK(check.console_errors[0].find("https://example.invalid/a.css") != std::string::npos);
    CHECK(check.console_errors[1].find("http://example.invalid/x.png") != std::string::npos);
    CHECK(check.console_errors[1].find("Content Security Policy") != std::string::npos);
    CHECK(check.network_requests.empty());
  }
  SUBCASE("without the policy the requests reach the network stack: the net log has them") {
    TempDir dir;
    const PageCheck check =
        check_page(dir.write("img.html", page(fetches, false)), dir.path().string());
    INFO(check.describe());
    REQUIRE(check.ran);
    CHECK_FALSE(check.ok());
    REQUIRE(check.network_requests.size() == 2);
    CHECK(check.network_requests[0] == "http://example.invalid/x.png");
    CHECK(check.network_requests[1] == "https://example.invalid/a.css");
    // The browser's own requests (if any) are not the page's.
    for (const std::string& url : check.browser_requests) {
      CHECK(url.find("example.invalid") == std::string::npos);
    }
  }
}

TEST_CASE("report browser: a script is caught, on the console or by the policy") {
  CJSIM_SKIP_WITHOUT_CHROMIUM();
  const std::string script =
      chart("Revenue", kBars) + "<script>console.error('something broke');</script>\n";

  SUBCASE("console.error without the policy") {
    TempDir dir;
    const PageCheck check =
        check_page(dir.write("script.html", page(script, false)), dir.path().string());
    INFO(check.describe());
    REQUIRE(check.ran);
    CHECK_FALSE(check.ok());
    REQUIRE(check.console_errors.size() == 1);
    CHECK(check.console_errors[0].find("something broke") != std::string::npos);
  }
  SUBCASE("the policy refuses the inline script; the probe's own script still runs") {
    TempDir dir;
    const PageCheck check = check_page(dir.write("script.html", page(script)), dir.path().string());
    INFO(check.describe());
    REQUIRE(check.ran);
    REQUIRE(check.console_errors.size() == 1);
    CHECK(check.console_errors[0].find("Executing inline script violates") != std::string::npos);
    CHECK(check.charts == 1);
  }
  SUBCASE("an uncaught error") {
    TempDir dir;
    const PageCheck check =
        check_page(dir.write("throw.html", page("<script>no_such_thing.x = 1;</script>\n", false)),
                   dir.path().string());
    INFO(check.describe());
    REQUIRE(check.ran);
    REQUIRE(check.console_errors.size() == 1);
    CHECK(check.console_errors[0].find("Uncaught ReferenceError") != std::string::npos);
  }
}

TEST_CASE("report browser: a chart with nothing drawn is reported by its title") {
  CJSIM_SKIP_WITHOUT_CHROMIUM();
  TempDir dir;
  const std::string body =
      chart("Revenue", kBars) +
      chart("Retention curve", "<text x=\"10\" y=\"20\">no data</text>\n") +
      chart("Zero bars", "<rect x=\"60\" y=\"40\" width=\"0\" height=\"0\"/>\n") +
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"0\" height=\"0\"><title>Collapsed</title>"
      "<rect x=\"1\" y=\"1\" width=\"5\" height=\"5\"/></svg>\n";
  const PageCheck check = check_page(dir.write("empty.html", page(body)), dir.path().string());
  INFO(check.describe());
  REQUIRE(check.ran);
  CHECK_FALSE(check.ok());
  CHECK(check.console_errors.empty());
  CHECK(check.charts == 4);
  REQUIRE(check.empty_charts.size() == 3);
  CHECK(check.empty_charts[0] == "Retention curve");
  CHECK(check.empty_charts[1] == "Zero bars");
  CHECK(check.empty_charts[2] == "Collapsed");
}

TEST_CASE("report browser: a page that is not there does not run") {
  CJSIM_SKIP_WITHOUT_CHROMIUM();
  TempDir dir;
  const PageCheck check = check_page(dir.file("missing.html"), dir.path().string());
  CHECK_FALSE(check.ran);
  CHECK_FALSE(check.ok());
  CHECK(check.why_not.find("missing.html") != std::string::npos);
}

// ---------------------------------------------------------------------------
// Reports written by cjsim: every kind of page, on a small run of the
// consumer example (it has loyalty and care, so every run chart is drawn),
// and a run of every scenario in the library.

void check_report(const std::string& args, size_t min_charts) {
  TempDir dir;
  const auto result = testing::run_cli(args + " --agents 3000 --replications 4 --quiet --report " +
                                       dir.file("report.html"));
  INFO(args, "\n", result.err);
  REQUIRE(result.status == 0);
  const PageCheck check = check_page(dir.file("report.html"), dir.file("browser"));
  INFO(check.describe());
  REQUIRE(check.ran);
  CHECK(check.ok());
  CHECK(check.console_errors.empty());
  CHECK(check.network_requests.empty());
  CHECK(check.empty_charts.empty());
  CHECK(check.charts >= static_cast<int>(min_charts));
  CHECK(check.screenshot_bytes > 0);
}

using testing::kConsumer;

TEST_CASE("report browser: a run report renders, every chart drawn, nothing fetched") {
  CJSIM_SKIP_WITHOUT_CHROMIUM();
  check_report("run " + kConsumer, 12);
}

TEST_CASE("report browser: a comparison report renders") {
  CJSIM_SKIP_WITHOUT_CHROMIUM();
  check_report("compare " + kConsumer + " --variants shop_now_cta,shift_facebook_to_tiktok", 7);
}

TEST_CASE("report browser: a sweep report renders") {
  CJSIM_SKIP_WITHOUT_CHROMIUM();
  check_report("sweep " + kConsumer + " --set channels[tiktok].weekly_budget=0:4000:3", 9);
}

TEST_CASE("report browser: a curves report renders") {
  CJSIM_SKIP_WITHOUT_CHROMIUM();
  check_report("curves " + kConsumer + " --channels tiktok,facebook --points 3", 3);
}

TEST_CASE("report browser: an optimize report renders") {
  CJSIM_SKIP_WITHOUT_CHROMIUM();
  check_report("optimize " + kConsumer +
                   " --weekly-budget 12000 --max-evaluations 4 --confirm-replications 4 "
                   "--curve-points 3",
               8);
}

TEST_CASE("report browser: every scenario in the library gives a run report that renders") {
  CJSIM_SKIP_WITHOUT_CHROMIUM();
  for (const auto& entry : std::filesystem::directory_iterator(testing::source_path("scenarios"))) {
    if (entry.path().extension() != ".textproto") continue;
    check_report("run " + entry.path().string(), 6);
  }
}

}  // namespace
}  // namespace cjsim
