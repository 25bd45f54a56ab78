// CareQueue: a fluid first-come first-served queue of day cohorts, the
// daily capacity, the SLA decision and the public backlog.

#include "sim/care_queue.h"

#include <vector>

#include <doctest/doctest.h>

namespace cjsim {
namespace {

struct Decided {
  int64_t agent;
  double share_in_sla;
};

TEST_CASE("care queue: the capacity answers the oldest cohorts first") {
  // 30 complaints on day 0 and 10 on day 1; 12 answered a day; SLA 1 day.
  CareQueue queue(12, 1, 0.5);
  std::vector<Decided> decided;
  auto on_decided = [&](const Complaint& c, double share) { decided.push_back({c.agent, share}); };
  queue.arrive(0, 30, {{1, 0}, {2, 0}});
  CareQueue::DayOutcome d0 = queue.end_day(0, on_decided);
  CHECK(d0.answered == 12);
  CHECK(d0.answered_in_sla == 12);
  CHECK(queue.open() == 18);
  CHECK(queue.open_public() == 9);
  CHECK(decided.empty());  // day 0's SLA passes at the end of day 1
  queue.arrive(1, 10, {{3, 0}});
  CareQueue::DayOutcome d1 = queue.end_day(1, on_decided);
  CHECK(d1.answered == 12);         // all still from day 0
  CHECK(d1.answered_in_sla == 12);  // a day late is within the SLA
  CHECK(d1.response_days == 12);
  // Day 0's cohort is decided: 24 of 30 in time, for both its complaints.
  REQUIRE(decided.size() == 2);
  CHECK(decided[0].agent == 1);
  CHECK(decided[0].share_in_sla == doctest::Approx(0.8));
  CHECK(d1.missed == doctest::Approx(6));
  // Day 2: the last 6 of day 0 (late) and 6 of day 1's 10 (in time); day
  // 1's cohort is decided with 6 of 10.
  CareQueue::DayOutcome d2 = queue.end_day(2, on_decided);
  CHECK(d2.answered == 12);
  CHECK(d2.answered_in_sla == 6);
  REQUIRE(decided.size() == 3);
  CHECK(decided[2].agent == 3);
  CHECK(decided[2].share_in_sla == doctest::Approx(0.6));
  CHECK(queue.open() == doctest::Approx(4));
}

TEST_CASE("care queue: a cohort answered at once is decided when its SLA passes, in full") {
  CareQueue queue(100, 2, 0);
  std::vector<Decided> decided;
  queue.arrive(0, 5, {{9, 4}});
  for (int32_t day = 0; day < 2; ++day) {
    queue.end_day(day, [&](const Complaint& c, double s) { decided.push_back({c.agent, s}); });
  }
  CHECK(decided.empty());  // SLA of 2 days: passes at the end of day 2
  queue.end_day(2, [&](const Complaint& c, double s) { decided.push_back({c.agent, s}); });
  REQUIRE(decided.size() == 1);
  CHECK(decided[0].share_in_sla == 1);
  CHECK(queue.open() == 0);
}

TEST_CASE("care queue: with no capacity nothing is answered and the backlog stays") {
  CareQueue queue(0, 0, 1);
  std::vector<Decided> decided;
  queue.arrive(0, 3, {{7, 0}});
  for (int32_t day = 0; day < 5; ++day) {
    const CareQueue::DayOutcome o = queue.end_day(day, [&](const Complaint& c, double s) {
      decided.push_back({c.agent, s});
    });
    CHECK(o.answered == 0);
  }
  REQUIRE(decided.size() == 1);  // SLA 0: decided at the end of day 0
  CHECK(decided[0].share_in_sla == 0);
  CHECK(queue.open_public() == 3);
}

}  // namespace
}  // namespace cjsim
