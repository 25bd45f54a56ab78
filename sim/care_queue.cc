#include "sim/care_queue.h"

#include <algorithm>

namespace cjsim {

namespace {
// What is left of a cohort below this share of it counts as answered (sums
// of floating-point portions).
constexpr double kDone = 1e-12;
}  // namespace

void CareQueue::arrive(int32_t day, double size, std::vector<Complaint> complaints) {
  if (size <= 0 && complaints.empty()) return;
  queue_.push_back({day, size, size, 0, std::move(complaints)});
  open_ += size;
}

void CareQueue::arrive_comments(int32_t day, double size) {
  if (!(size > 0)) return;
  Cohort cohort{day, size, size, 0, {}};
  cohort.comments = true;
  queue_.push_back(std::move(cohort));
  open_comments_ += size;
}

CareQueue::DayOutcome CareQueue::end_day(
    int32_t day, const std::function<void(const Complaint&, double)>& on_decided) {
  DayOutcome out;
  double budget = capacity_;
  for (Cohort& c : queue_) {
    if (budget <= 0) break;
    const double take = std::min(budget, c.left);
    if (take <= 0) continue;  // answered already, waiting for its decision
    budget -= take;
    c.left -= take;
    double& open = c.comments ? open_comments_ : open_;
    open -= take;
    if (c.left <= kDone * c.size) {
      open -= c.left;
      c.left = 0;
    }
    if (c.comments) {
      out.comments_answered += take;
      continue;
    }
    const int32_t response = day - c.day;
    out.answered += take;
    out.response_days += take * response;
    if (response <= sla_days_) {
      c.in_sla += take;
      out.answered_in_sla += take;
    }
  }
  open_ = std::max(open_, 0.0);
  open_comments_ = std::max(open_comments_, 0.0);
  // The SLA has passed when day + 1 - arrival > sla_days: tomorrow's answer
  // would be late. Each cohort is decided once, then.
  for (Cohort& c : queue_) {
    if (day + 1 - c.day <= sla_days_) break;
    if (c.decided) continue;
    c.decided = true;
    if (c.comments) continue;
    out.missed += c.size - c.in_sla;
    const double share = c.size > 0 ? c.in_sla / c.size : 1.0;
    for (const Complaint& complaint : c.complaints) on_decided(complaint, share);
    c.complaints.clear();
  }
  while (!queue_.empty() && queue_.front().decided && queue_.front().left == 0) {
    queue_.pop_front();
  }
  return out;
}

}  // namespace cjsim
