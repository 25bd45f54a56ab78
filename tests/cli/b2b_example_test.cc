// The B2B example (scenarios/b2b_saas.textproto) teaches what its header
// says: the LinkedIn ads pay and the bigger budget adds meetings, both
// detected by a compare at the scenario's own settings, with budgets that
// buy about what the channels can show.

#include <string>

#include <doctest/doctest.h>

#include "cjsim/v1/result.pb.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::parse_json;
using testing::run_cli;
using testing::source_path;

const v1::CompareDifference& difference(const v1::CompareResult& result,
                                        const std::string& variant) {
  for (const v1::CompareDifference& d : result.differences()) {
    if (d.variant() == variant) return d;
  }
  FAIL("no difference for " << variant);
  return result.differences(0);
}

TEST_CASE("regression: the B2B example spent 72k on LinkedIn with no detectable effect") {
  // At the scenario's defaults (20,000 agents, 16 replications, seed 23).
  testing::CliResult r =
      run_cli("compare " + source_path("scenarios/b2b_saas.textproto") +
              " --variants linkedin_ads_paused,linkedin_plus_50 --threads 2 --quiet --json -");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto result = parse_json<v1::CompareResult>(r.out);
  // Pausing the ads loses meetings and profit; 50% more budget adds
  // meetings (its profit gain is within the noise, as the header says).
  const v1::CompareDifference& paused = difference(result, "linkedin_ads_paused");
  CHECK(paused.verdict().at("conversions") == "worse");
  CHECK(paused.verdict().at("profit") == "worse");
  const v1::CompareDifference& more = difference(result, "linkedin_plus_50");
  CHECK(more.verdict().at("conversions") == "better");
  CHECK(more.kpis().at("conversions").mean() < -paused.kpis().at("conversions").mean());

  // What the paid budgets buy (budget / CPM) and the paid exposures agree
  // within a factor of 3 either way.
  testing::CliResult run = run_cli("run " + source_path("scenarios/b2b_saas.textproto") +
                                   " --replications 2 --threads 2 --quiet --json -");
  REQUIRE(run.status == 0);
  const auto baseline = parse_json<v1::RunResult>(run.out);
  int paid = 0;
  for (const v1::ChannelResult& channel : baseline.channels()) {
    const double bought = channel.impressions_bought().mean();
    if (bought == 0) continue;
    ++paid;
    CAPTURE(channel.id());
    const double ratio = bought / channel.paid_exposures().mean();
    CHECK(ratio > 1.0 / 3);
    CHECK(ratio < 3);
  }
  CHECK(paid == 2);
}

}  // namespace
}  // namespace cjsim
