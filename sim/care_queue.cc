#include "sim/care_queue.h"

#include <cmath>

namespace cjsim {

void CareQueue::add(const Complaint& complaint) {
  queue_.push_back(complaint);
  if (complaint.is_public) ++open_public_;
}

CareQueue::DayOutcome CareQueue::end_day(
    int32_t day, const std::function<void(const Complaint&, bool)>& on_answered,
    const std::function<void(const Complaint&)>& on_overdue) {
  DayOutcome out;
  // Fractional capacity: 2.5 a day answers 2, 3, 2, 3, ... while there is
  // work; what an idle day does not use is lost.
  credit_ += capacity_;
  const double whole = std::floor(credit_);
  credit_ -= whole;
  for (double served = 0; served < whole && !queue_.empty(); ++served) {
    const Complaint c = queue_.front();
    queue_.pop_front();
    if (overdue_prefix_ > 0) --overdue_prefix_;
    if (c.is_public) --open_public_;
    const int32_t response = day - c.day;
    const bool in_sla = response <= sla_days_;
    ++out.answered;
    out.response_days += static_cast<uint64_t>(response);
    if (in_sla) ++out.answered_in_sla;
    on_answered(c, in_sla);
  }
  // Answered tomorrow at the earliest: overdue when day + 1 - arrival > SLA.
  // The queue is in arrival order, so the overdue complaints are a prefix.
  while (overdue_prefix_ < queue_.size() && day + 1 - queue_[overdue_prefix_].day > sla_days_) {
    ++out.overdue;
    on_overdue(queue_[overdue_prefix_]);
    ++overdue_prefix_;
  }
  return out;
}

}  // namespace cjsim
