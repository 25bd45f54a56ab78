// CareQueue: the customer-care queue of one replication (docs/model.md
// "Customer care").
//
// A fluid first-come first-served queue of real complaints. Each day's
// arrivals (the complaints the day's active customers make, in
// expectation: rate x active customers x population / agents) join as one
// cohort, and the daily answering capacity works through the cohorts
// oldest first. When a cohort's SLA has passed, the share of it answered in
// time is known; each simulated complaint of that day (the individual
// events, which say *who* complained) then learns that share, and its
// customer may stop. Being fluid, the queue behaves like the real
// population's at any number of agents: a simulated complaint standing for
// 40 real ones does not arrive, or wait, as one lump. The open public
// complaints (public_share of those open) make up the public backlog.
// Every decision is made in a fixed order from the complaint's identity,
// never from timing or threads. Not thread-safe: the engine calls it from
// its end-of-day step.
#ifndef CJSIM_SIM_CARE_QUEUE_H_
#define CJSIM_SIM_CARE_QUEUE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

namespace cjsim {

// One simulated complaint: its customer and the loyalty event that made it.
struct Complaint {
  int64_t agent;
  uint32_t event;
};

class CareQueue {
 public:
  // `capacity`: real complaints answered per day (what an idle day does not
  // use is lost); `public_share`: the share made in public.
  CareQueue(double capacity, double sla_days, double public_share)
      : capacity_(capacity), sla_days_(sla_days), public_share_(public_share) {}

  // The day's arrivals: `size` real complaints, and the simulated complaints
  // of the day, in a fixed order.
  void arrive(int32_t day, double size, std::vector<Complaint> complaints);
  // The day's negative comments (docs/model.md "Comments and moderation"):
  // `size` real ones, all public, in a cohort of their own (before the
  // day's complaints when both arrive). They take the same capacity, and
  // nobody leaves over them.
  void arrive_comments(int32_t day, double size);

  // Real complaints, over the day; and the negative comments answered.
  struct DayOutcome {
    double answered = 0, answered_in_sla = 0, response_days = 0, missed = 0;
    double comments_answered = 0;
  };
  // Ends `day`: answers what the capacity allows, oldest first; then, for
  // each cohort whose SLA has just passed, calls `on_decided(complaint,
  // share_in_sla)` for every simulated complaint of that cohort.
  DayOutcome end_day(int32_t day, const std::function<void(const Complaint&, double)>& on_decided);

  // Real complaints not yet answered, all and public; and negative comments
  // not yet answered (public all).
  double open() const { return open_; }
  double open_public() const { return open_ * public_share_ + open_comments_; }
  double open_comments() const { return open_comments_; }

 private:
  struct Cohort {
    int32_t day;
    double size, left, in_sla;
    std::vector<Complaint> complaints;
    bool decided = false;
    bool comments = false;  // negative comments, not complaints
  };
  double capacity_, sla_days_, public_share_;
  // Arrival order. The answered cohorts are a prefix (oldest first), and so
  // are the decided ones (by arrival day); a cohort leaves when both.
  std::deque<Cohort> queue_;
  double open_ = 0;           // complaints
  double open_comments_ = 0;  // negative comments
};

}  // namespace cjsim

#endif  // CJSIM_SIM_CARE_QUEUE_H_
