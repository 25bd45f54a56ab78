// Presentation helpers of the cjsim command.

#include <doctest/doctest.h>

#include "tools/cjsim/progress.h"
#include "tools/cjsim/table.h"

namespace cjsim::cli {
namespace {

TEST_CASE("table: numbers read the way people write them") {
  CHECK(format_count(1234567.8) == "1,234,568");
  CHECK(format_count(999) == "999");
  CHECK(format_count(-1500) == "-1,500");
  CHECK(format_count(0.25) == "0.25");
  CHECK(format_percent(0.02413) == "2.41%");
  CHECK(format_percent(0.0004) == "0.040%");
  CHECK(format_percent(0) == "0.00%");
}

TEST_CASE("progress: the bar shows the share done and the time left") {
  CHECK(ProgressBar::render("simulating", 0, 10, 1.0).find("0%") != std::string::npos);
  const std::string half = ProgressBar::render("simulating", 5, 10, 4.0);
  CHECK(half.find("50%") != std::string::npos);
  CHECK(half.find("4s left") != std::string::npos);
  CHECK(half.find("###############...............") != std::string::npos);
}

}  // namespace
}  // namespace cjsim::cli
