#include "sim/tally.h"

#include <algorithm>

namespace cjsim {

ReplicationCounts::ReplicationCounts(const CompiledModel& model)
    : touchpoints(model.touchpoint_count()),
      channel_paid(model.channel_count()),
      channel_organic(model.channel_count()),
      channel_reach(model.channel_count()),
      channel_capped(model.channel_count()),
      channel_opt_outs(model.channel_count()),
      channel_comments(model.comments.enabled ? model.channel_count() : 0),
      channel_negative_comments(model.comments.enabled ? model.channel_count() : 0),
      persona_converted(model.persona_count()),
      persona_conversions(model.persona_count()) {
  loyalty.repeats_by_goal.assign(model.touchpoint_count(), 0);
  loyalty.churn_age.assign(model.settings.horizon_days + 1, 0);
  loyalty.churned_by_conversion_day.assign(model.settings.horizon_days, 0);
  audience_moves.assign(
      static_cast<size_t>(model.memory.audience_count()) * (model.settings.horizon_days + 1), 0);
}

namespace {
void add_into(std::vector<uint64_t>& into, const std::vector<uint64_t>& from) {
  if (into.size() < from.size()) into.resize(from.size());
  for (size_t i = 0; i < from.size(); ++i) into[i] += from[i];
}
void add_into(std::map<uint64_t, uint64_t>& into, const std::map<uint64_t, uint64_t>& from) {
  for (const auto& [key, count] : from) into[key] += count;
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
  add_into(channel_reach, o.channel_reach);
  add_into(channel_capped, o.channel_capped);
  add_into(channel_opt_outs, o.channel_opt_outs);
  retargeted_agents += o.retargeted_agents;
  opted_out_agents += o.opted_out_agents;
  if (channel_comments.size() < o.channel_comments.size()) {
    channel_comments.resize(o.channel_comments.size());
    channel_negative_comments.resize(o.channel_negative_comments.size());
  }
  for (size_t c = 0; c < o.channel_comments.size(); ++c) {
    channel_comments[c] += o.channel_comments[c];
    channel_negative_comments[c] += o.channel_negative_comments[c];
  }
  comments_answered += o.comments_answered;
  // A peak of the day's end, which only the end-of-day step counts.
  moderation_backlog = std::max(moderation_backlog, o.moderation_backlog);
  add_into(credit.first_touch, o.credit.first_touch);
  add_into(credit.last_touch, o.credit.last_touch);
  add_into(credit.assisted, o.credit.assisted);
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
  audience_moves = {};
  for (TouchpointCounts& t : touchpoints) t.acts = t.visits - t.declines;
}

uint64_t ReplicationCounts::conversions() const {
  uint64_t total = 0;
  for (const TouchpointCounts& t : touchpoints) total += t.conversions;
  return total;
}

}  // namespace cjsim
