#include "sim/tally.h"

namespace cjsim {

ReplicationCounts::ReplicationCounts(const CompiledModel& model)
    : touchpoints(model.touchpoint_count()),
      channel_paid(model.channel_count()),
      channel_organic(model.channel_count()),
      persona_converted(model.persona_count()),
      persona_conversions(model.persona_count()) {
  loyalty.repeats_by_goal.assign(model.touchpoint_count(), 0);
  loyalty.churn_age.assign(model.settings.horizon_days + 1, 0);
  loyalty.churned_by_conversion_day.assign(model.settings.horizon_days, 0);
}

namespace {
void add_into(std::vector<uint64_t>& into, const std::vector<uint64_t>& from) {
  if (into.size() < from.size()) into.resize(from.size());
  for (size_t i = 0; i < from.size(); ++i) into[i] += from[i];
}
}  // namespace

void ReplicationCounts::add(const ReplicationCounts& o) {
  converted_agents += o.converted_agents;
  for (size_t k = 0; k < converted_by_kind.size(); ++k) {
    converted_by_kind[k] += o.converted_by_kind[k];
  }
  exposed_agents += o.exposed_agents;
  for (size_t s = 0; s < reached.size(); ++s) {
    reached[s] += o.reached[s];
    furthest_moves[s] += o.furthest_moves[s];
  }
  if (touchpoints.size() < o.touchpoints.size()) touchpoints.resize(o.touchpoints.size());
  for (size_t u = 0; u < o.touchpoints.size(); ++u) {
    touchpoints[u].visits += o.touchpoints[u].visits;
    touchpoints[u].acts += o.touchpoints[u].acts;
    touchpoints[u].conversions += o.touchpoints[u].conversions;
    touchpoints[u].declines += o.touchpoints[u].declines;
  }
  add_into(channel_paid, o.channel_paid);
  add_into(channel_organic, o.channel_organic);
  add_into(persona_converted, o.persona_converted);
  add_into(persona_conversions, o.persona_conversions);
  LoyaltyCounts& l = loyalty;
  const LoyaltyCounts& ol = o.loyalty;
  l.repeats += ol.repeats;
  add_into(l.repeats_by_goal, ol.repeats_by_goal);
  l.repeated_customers += ol.repeated_customers;
  l.churned += ol.churned;
  l.complaints += ol.complaints;
  l.answered += ol.answered;
  l.answered_in_sla += ol.answered_in_sla;
  l.sla_missed += ol.sla_missed;
  l.response_days += ol.response_days;
  l.referrals += ol.referrals;
  l.praises += ol.praises;
  l.referred_conversions += ol.referred_conversions;
  add_into(l.churn_age, ol.churn_age);
  add_into(l.churned_by_conversion_day, ol.churned_by_conversion_day);
  walk_steps += o.walk_steps;
  sessions += o.sessions;
  truncated_sessions += o.truncated_sessions;
}

void ReplicationCounts::finish() {
  uint64_t at_or_beyond = 0;
  for (size_t s = reached.size(); s-- > 1;) {
    at_or_beyond += furthest_moves[s];
    reached[s] += at_or_beyond;
  }
  furthest_moves = {};
  for (TouchpointCounts& t : touchpoints) t.acts = t.visits - t.declines;
}

uint64_t ReplicationCounts::conversions() const {
  uint64_t total = 0;
  for (const TouchpointCounts& t : touchpoints) total += t.conversions;
  return total;
}

}  // namespace cjsim
