// CareQueue: the customer-care queue of one replication (docs/model.md
// "Customer care").
//
// Complaints arrive during a day (from any block of agents), are appended
// at the end of the day in a fixed order, and wait first-come first-served
// for the daily answering capacity. A complaint answered within the SLA
// keeps its customer; one still unanswered once the SLA has passed is
// overdue, and its customer may become inactive. The open public complaints
// make up the public backlog. Every decision is a function of the
// complaint's identity (its customer and event number), never of timing or
// threads. Not thread-safe: the engine calls it from its end-of-day step.
#ifndef CJSIM_SIM_CARE_QUEUE_H_
#define CJSIM_SIM_CARE_QUEUE_H_

#include <cstdint>
#include <deque>
#include <functional>

namespace cjsim {

struct Complaint {
  int64_t agent;
  int32_t day;     // of arrival
  uint32_t event;  // the customer's loyalty event that made it
  bool is_public;
};

class CareQueue {
 public:
  // `capacity`: complaints answered per day (fractional capacities carry
  // over as credit within a day's rounding, never across idle days).
  CareQueue(double capacity, double sla_days) : capacity_(capacity), sla_days_(sla_days) {}

  void add(const Complaint& complaint);

  struct DayOutcome {
    uint64_t answered = 0, answered_in_sla = 0, response_days = 0, overdue = 0;
  };
  // Ends `day`: answers what the capacity allows, oldest first, calling
  // `on_answered(complaint, in_sla)` for each; then calls
  // `on_overdue(complaint)` once for every complaint that can no longer be
  // answered within the SLA (it stays in the queue and may be answered late).
  DayOutcome end_day(int32_t day, const std::function<void(const Complaint&, bool)>& on_answered,
                     const std::function<void(const Complaint&)>& on_overdue);

  size_t open() const { return queue_.size(); }
  int64_t open_public() const { return open_public_; }

 private:
  double capacity_, sla_days_;
  double credit_ = 0;
  std::deque<Complaint> queue_;
  size_t overdue_prefix_ = 0;  // the first this many are known to be overdue
  int64_t open_public_ = 0;
};

}  // namespace cjsim

#endif  // CJSIM_SIM_CARE_QUEUE_H_
