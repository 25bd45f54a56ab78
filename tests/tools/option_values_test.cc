// Option values: the number validators every command shares and the list
// option, at the level of CLI11 (the end-to-end cases are in
// tests/cli/hardening_input_test.cc).

#include "tools/cjsim/option_values.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <doctest/doctest.h>

namespace cjsim::cli {
namespace {

// What `validator` says of `text` ("" = accepted), and the text it leaves.
std::pair<std::string, std::string> run(const CLI::Validator& validator, std::string text) {
  std::string error = validator(text);
  return {error, text};
}

TEST_CASE("option values: parse_finite takes finite numbers written in full") {
  CHECK(parse_finite("0.25") == 0.25);
  CHECK(parse_finite("-3") == -3);
  CHECK(parse_finite("1e5") == 1e5);
  for (const char* bad : {"nan", "NaN", "inf", "-inf", "infinity", "1e400", "", " 1", "1 ", "+1",
                          "0x10", "1,5", "1e"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_finite(bad));
  }
}

TEST_CASE("regression: NaN and infinity passed CLI11's Range and PositiveNumber") {
  CHECK(run(finite_number(), "nan").first == "nan is not a finite number");
  CHECK(run(finite_number(), "-2.5").first.empty());
  CHECK(run(positive_number(), "inf").first == "inf is not a finite number > 0");
  CHECK(run(positive_number(), "0").first == "0 is not a finite number > 0");
  CHECK(run(positive_number(), "1e-300").first.empty());
  CHECK(run(number_in(0, 1), "nan").first == "nan is not a number in [0, 1]");
  CHECK(run(number_in(0, 1), "1.5").first == "1.5 is not a number in [0, 1]");
  CHECK(run(number_in(0, 1), "0.2").first.empty());
  // No 300-digit bounds in the messages.
  CHECK(run(positive_number(), "-1").first.size() < 40);
}

TEST_CASE("regression: --seed -1 and seeds past 2^64 - 1 wrapped or clamped") {
  const CLI::Validator seed = integer_in(uint64_t{0}, std::numeric_limits<uint64_t>::max());
  CHECK(run(seed, "-1").first == "-1 is not an integer in [0, 18446744073709551615]");
  CHECK(run(seed, "18446744073709551616").first ==
        "18446744073709551616 is not an integer in [0, 18446744073709551615]");
  CHECK(run(seed, "1e30").first == "1e30 is not an integer in [0, 18446744073709551615]");
  CHECK(run(seed, "18446744073709551615") ==
        std::make_pair(std::string(), std::string("18446744073709551615")));
  CHECK(run(seed, "0").second == "0");
}

TEST_CASE("option values: integer_in reads decimal, or a whole number, and rewrites it") {
  const CLI::Validator agents = integer_in(int64_t{1}, int64_t{306783378});
  CHECK(run(agents, "1e308").first == "1e308 is not an integer in [1, 306783378]");
  CHECK(run(agents, "2e4") == std::make_pair(std::string(), std::string("20000")));
  CHECK(run(agents, "010") == std::make_pair(std::string(), std::string("10")));  // not octal
  CHECK(run(agents, "300.0").second == "300");
  for (const char* bad : {"0", "1.5", "0x10", "nan", "-5", "", "99999999999999999999"}) {
    CAPTURE(bad);
    CHECK_FALSE(run(agents, bad).first.empty());
  }
  CHECK(run(integer_in(-5, 5), "-5").first.empty());
}

TEST_CASE("regression: --variants , swallowed the next option") {
  CLI::App app;
  std::vector<std::string> variants = {"all"};
  std::string json;
  add_list_option(app, "--variants", variants, "");
  app.add_option("--json", json);

  auto parse = [&](std::vector<std::string> args) -> std::string {
    std::vector<const char*> argv = {"cjsim"};
    for (const std::string& a : args) argv.push_back(a.c_str());
    try {
      app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ParseError& e) {
      return e.what();
    }
    return "";
  };
  CHECK(parse({"--variants", ",", "--json", "x.json"}) ==
        "--variants: ',' has an empty item; write ITEM or ITEM,ITEM");
  CHECK(parse({"--variants", "a,,b"}) ==
        "--variants: 'a,,b' has an empty item; write ITEM or ITEM,ITEM");
  CHECK(parse({"--variants", ""}) == "--variants: '' has an empty item; write ITEM or ITEM,ITEM");
  CHECK(parse({"--variants", "a,b", "--variants", "c", "--json", "x.json"}).empty());
  CHECK(variants == std::vector<std::string>{"a", "b", "c"});
  CHECK(json == "x.json");
}

}  // namespace
}  // namespace cjsim::cli
