// Diagnostics: formatting, counting, merging, "did you mean" and numbers in
// messages.

#include "models/diagnostics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <doctest/doctest.h>

namespace cjsim {
namespace {

TEST_CASE("diagnostics: format_diagnostic leaves out what is unknown") {
  Diagnostic d{Severity::kError,
               "s.textproto",
               {3, 7},
               "touchpoint 'ad' cta.act_probability: 1.7 is not in [0, 1]"};
  CHECK(format_diagnostic(d) ==
        "s.textproto:3:7: error: touchpoint 'ad' cta.act_probability: 1.7 is not in [0, 1]");

  d.location = {3, 0};
  CHECK(format_diagnostic(d) ==
        "s.textproto:3: error: touchpoint 'ad' cta.act_probability: 1.7 is not in [0, 1]");

  d.location = {};
  CHECK(format_diagnostic(d) ==
        "s.textproto: error: touchpoint 'ad' cta.act_probability: 1.7 is not in [0, 1]");

  d.file.clear();
  CHECK(format_diagnostic(d) == "error: touchpoint 'ad' cta.act_probability: 1.7 is not in [0, 1]");

  Diagnostic w{Severity::kWarning, "s.json", {}, "persona shares sum to 1.2, not 1"};
  CHECK(format_diagnostic(w) == "s.json: warning: persona shares sum to 1.2, not 1");
  w.file.clear();
  CHECK(format_diagnostic(w) == "warning: persona shares sum to 1.2, not 1");
}

TEST_CASE("diagnostics: SourceLocation is known from its line") {
  CHECK_FALSE(SourceLocation{}.known());
  CHECK(SourceLocation{1, 0}.known());
  CHECK(SourceLocation{4, 2}.known());
}

TEST_CASE("diagnostics: errors are counted, warnings are not") {
  Diagnostics diagnostics("a.textproto");
  CHECK_FALSE(diagnostics.has_errors());
  CHECK(diagnostics.error_count() == 0);
  CHECK(diagnostics.to_string().empty());

  diagnostics.warning("first warning");
  CHECK_FALSE(diagnostics.has_errors());
  CHECK(diagnostics.error_count() == 0);

  diagnostics.error("first error", {2, 5});
  diagnostics.set_file("b.textproto");
  diagnostics.error("second error");
  CHECK(diagnostics.has_errors());
  CHECK(diagnostics.error_count() == 2);
  CHECK(diagnostics.file() == "b.textproto");

  // In the order reported, each with the file it was reported in.
  REQUIRE(diagnostics.items().size() == 3);
  CHECK(diagnostics.items()[0].severity == Severity::kWarning);
  CHECK(diagnostics.items()[0].file == "a.textproto");
  CHECK(diagnostics.items()[1].location.line == 2);
  CHECK(diagnostics.items()[1].location.column == 5);
  CHECK(diagnostics.items()[2].file == "b.textproto");
  CHECK(diagnostics.to_string() ==
        "a.textproto: warning: first warning\n"
        "a.textproto:2:5: error: first error\n"
        "b.textproto: error: second error\n");

  Diagnostics anonymous;
  anonymous.error("no file");
  CHECK(anonymous.to_string() == "error: no file\n");
}

TEST_CASE("diagnostics: merge appends items and error counts, keeping files") {
  Diagnostics base("base.textproto");
  base.error("base error");
  Diagnostics other("other.textproto");
  other.warning("other warning");
  other.error("other error", {9, 1});

  base.merge(other);
  CHECK(base.error_count() == 2);
  CHECK(base.file() == "base.textproto");
  CHECK(base.to_string() ==
        "base.textproto: error: base error\n"
        "other.textproto: warning: other warning\n"
        "other.textproto:9:1: error: other error\n");
  // The source is left as it was.
  CHECK(other.items().size() == 2);
  CHECK(other.error_count() == 1);

  Diagnostics warnings_only;
  warnings_only.warning("w");
  Diagnostics target;
  target.merge(warnings_only);
  CHECK_FALSE(target.has_errors());
  CHECK(target.items().size() == 1);
}

TEST_CASE(
    "regression: control characters and NUL in user text were printed raw or cut the "
    "message") {
  using namespace std::string_literals;
  CHECK(printable("plain 'ad' text") == "plain 'ad' text");
  CHECK(printable("a\0b"s) == "a\\x00b");
  CHECK(printable("line\nnext\ttab\rcr") == "line\\nnext\\ttab\\rcr");
  CHECK(printable("\x1b[31mred\x7f") == "\\x1b[31mred\\x7f");
  // UTF-8 text stays; bytes that are not UTF-8 and the C1 controls do not.
  CHECK(printable("caf\xc3\xa9 \xe2\x82\xac") == "caf\xc3\xa9 \xe2\x82\xac");
  CHECK(printable("a\xff"
                  "b\xc3") == "a\\xffb\\xc3");
  CHECK(printable("\xc2\x9b"
                  "2J") == "\\u009b2J");

  // The whole message, NUL and all, is printed on one line.
  const Diagnostic d{Severity::kError, "a\nb.json", {2, 3}, "persona 'x\0y' id: bad"s};
  CHECK(format_diagnostic(d) == "a\\nb.json:2:3: error: persona 'x\\x00y' id: bad");
}

TEST_CASE("diagnostics: report lists a screenful, errors first, then counts the rest") {
  Diagnostics few("s.textproto");
  few.warning("w1");
  few.error("e1", {1, 1});
  CHECK(few.report(true) ==
        "s.textproto:1:1: error: e1\n"
        "s.textproto: warning: w1\n"
        "s.textproto: 1 error\n");
  CHECK(few.report(false) == "s.textproto:1:1: error: e1\ns.textproto: 1 error\n");

  Diagnostics warnings_only("s.textproto");
  warnings_only.warning("w1");
  CHECK(warnings_only.report(true) == "s.textproto: warning: w1\n");
  CHECK(warnings_only.report(false).empty());

  Diagnostics many("s.textproto");
  for (int i = 1; i <= 30; ++i) many.error("e" + std::to_string(i), {i, 1});
  for (int i = 1; i <= 4; ++i) many.warning("w" + std::to_string(i));
  const std::string text = many.report(true);
  CHECK(std::count(text.begin(), text.end(), '\n') == kMaxListedDiagnostics + 2);
  CHECK(text.find("s.textproto:20:1: error: e20\n") != std::string::npos);
  CHECK(text.find("e21") == std::string::npos);
  CHECK(text.find("w1") == std::string::npos);
  CHECK(text.find("s.textproto: ... and 10 more errors and 4 more warnings\n"
                  "s.textproto: 30 errors\n") != std::string::npos);
  // Under --quiet the warnings are not counted either.
  CHECK(many.report(false).find("... and 10 more errors\ns.textproto: 30 errors\n") !=
        std::string::npos);

  // Warnings fill what the errors leave of the screenful.
  Diagnostics mixed("s.textproto");
  for (int i = 0; i < 18; ++i) mixed.error("e");
  for (int i = 0; i < 5; ++i) mixed.warning("w");
  const std::string mixed_text = mixed.report(true);
  CHECK(std::count(mixed_text.begin(), mixed_text.end(), '\n') == 20 + 2);
  CHECK(mixed_text.find("... and 3 more warnings\ns.textproto: 18 errors\n") != std::string::npos);

  // Errors counted but not listed (rows past a reader's screenful).
  Diagnostics rows("t.csv");
  rows.error("row 2");
  rows.add_unlisted_errors(7);
  CHECK(rows.error_count() == 8);
  CHECK(rows.report(true) ==
        "t.csv: error: row 2\nt.csv: ... and 7 more errors\nt.csv: 8 errors\n");
}

TEST_CASE("diagnostics: closest_match suggests likely typos only") {
  const std::vector<std::string> channels = {"social", "web", "email", "search_ads"};
  CHECK(closest_match("socail", channels) == "social");
  CHECK(closest_match("webb", channels) == "web");
  CHECK(closest_match("emial", channels) == "email");
  CHECK(closest_match("search_ad", channels) == "search_ads");
  CHECK(closest_match("social", channels) == "social");
  // Too far from everything: no suggestion.
  CHECK(closest_match("tv", channels).empty());
  CHECK(closest_match("newspaper", channels).empty());
  CHECK(closest_match("socail", {}).empty());
  // The nearest wins; among equals, the first.
  CHECK(closest_match("ab", {"abcd", "abc"}) == "abc");
  CHECK(closest_match("cat", {"bat", "cap"}) == "bat");
  // Long words allow more edits (a third of their length).
  CHECK(closest_match("consideraton_pge", {"consideration_page"}) == "consideration_page");
  // No hint for very long words: the distance costs the product of the
  // lengths (two 100 KB ids took seconds).
  const std::string long_id(kMaxHintedLength + 1, 'a');
  CHECK(closest_match(long_id + "b", {long_id}).empty());
  CHECK(closest_match(long_id.substr(2) + "b", {long_id.substr(1)}) == long_id.substr(1));
}

TEST_CASE(
    "diagnostics: number_text gives the shortest round-trip text, whole numbers below a million in "
    "full") {
  CHECK(number_text(100000) == "100000");
  CHECK(number_text(36500) == "36500");
  CHECK(number_text(1.7) == "1.7");
  CHECK(number_text(0.5) == "0.5");
  CHECK(number_text(-0.1) == "-0.1");
  CHECK(number_text(5) == "5");
  CHECK(number_text(0) == "0");
  CHECK(number_text(0.1 + 0.2) == "0.30000000000000004");
  CHECK(number_text(1e8) == "1e+08");
  CHECK(number_text(2e13) == "2e+13");
  CHECK(number_text(std::numeric_limits<double>::quiet_NaN()) == "nan");
  CHECK(number_text(-std::numeric_limits<double>::quiet_NaN()) == "nan");
  CHECK(number_text(std::numeric_limits<double>::infinity()) == "inf");
  CHECK(number_text(-std::numeric_limits<double>::infinity()) == "-inf");
  CHECK(std::stod(number_text(1.0 / 3)) == 1.0 / 3);
}

}  // namespace
}  // namespace cjsim
