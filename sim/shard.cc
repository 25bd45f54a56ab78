#include "sim/shard.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/message_differencer.h>

#include "models/check.h"
#include "models/diagnostics.h"
#include "models/limits.h"
#include "models/settings.h"
#include "models/validation.h"

namespace cjsim {

ReplicationRange shard_range(int shard, int shards, int replications) {
  CJSIM_CHECK(shard >= 1 && shard <= shards && replications >= 0, "a shard outside 1..N");
  auto boundary = [&](int i) {
    return static_cast<int>(static_cast<int64_t>(i) * replications / shards);
  };
  return {boundary(shard - 1), boundary(shard)};
}

namespace {

template <class Repeated, class Container>
void put(const Container& from, Repeated* to) {
  to->Reserve(static_cast<int>(from.size()));
  to->Add(from.begin(), from.end());
}

template <class Repeated, class T>
void get(const Repeated& from, std::vector<T>& to) {
  to.assign(from.begin(), from.end());
}

// An array's entries; those beyond the message's stay 0 (parse_shard
// refuses a longer list).
template <class Repeated, class T, size_t N>
void get(const Repeated& from, std::array<T, N>& to) {
  to = {};
  std::copy_n(from.begin(), std::min<size_t>(N, static_cast<size_t>(from.size())), to.begin());
}

void put_credit(const std::map<uint64_t, uint64_t>& from, v1::CreditSample* to) {
  for (const auto& [key, count] : from) {
    to->add_keys(key);
    to->add_counts(count);
  }
}

void get_credit(const v1::CreditSample& from, std::map<uint64_t, uint64_t>& to) {
  to.clear();
  const int n = std::min(from.keys_size(), from.counts_size());
  for (int i = 0; i < n; ++i) to[from.keys(i)] = from.counts(i);
}

}  // namespace

void to_sample(const ReplicationCounts& c, int replication, v1::ReplicationSample* out) {
  out->set_replication(replication);
  out->set_converted_agents(c.converted_agents);
  put(c.converted_by_kind, out->mutable_converted_by_kind());
  out->set_exposed_agents(c.exposed_agents);
  put(c.reached, out->mutable_reached());
  put(c.furthest_moves, out->mutable_furthest_moves());
  for (const TouchpointCounts& t : c.touchpoints) {
    out->add_touchpoint_visits(t.visits);
    out->add_touchpoint_acts(t.acts);
    out->add_touchpoint_conversions(t.conversions);
    out->add_touchpoint_declines(t.declines);
  }
  put(c.channel_paid, out->mutable_channel_paid());
  put(c.channel_organic, out->mutable_channel_organic());
  put(c.channel_reach, out->mutable_channel_reach());
  put(c.channel_capped, out->mutable_channel_capped());
  put(c.channel_opt_outs, out->mutable_channel_opt_outs());
  out->set_retargeted_agents(c.retargeted_agents);
  out->set_opted_out_agents(c.opted_out_agents);
  put(c.channel_comments, out->mutable_channel_comments());
  put(c.channel_negative_comments, out->mutable_channel_negative_comments());
  out->set_comments_answered(c.comments_answered);
  out->set_moderation_backlog(c.moderation_backlog);
  put_credit(c.credit.first_touch, out->mutable_first_touch());
  put_credit(c.credit.last_touch, out->mutable_last_touch());
  put_credit(c.credit.assisted, out->mutable_assisted());
  put(c.persona_converted, out->mutable_persona_converted());
  put(c.persona_conversions, out->mutable_persona_conversions());
  out->set_walk_steps(c.walk_steps);
  out->set_sessions(c.sessions);
  out->set_truncated_sessions(c.truncated_sessions);

  const LoyaltyCounts& l = c.loyalty;
  v1::LoyaltySample* loyalty = out->mutable_loyalty();
  loyalty->set_repeats(l.repeats);
  put(l.repeats_by_goal, loyalty->mutable_repeats_by_goal());
  loyalty->set_repeated_customers(l.repeated_customers);
  loyalty->set_churned(l.churned);
  loyalty->set_complaints(l.complaints);
  loyalty->set_answered(l.answered);
  loyalty->set_answered_in_sla(l.answered_in_sla);
  loyalty->set_sla_missed(l.sla_missed);
  loyalty->set_response_days(l.response_days);
  loyalty->set_referrals(l.referrals);
  loyalty->set_praises(l.praises);
  loyalty->set_referred_conversions(l.referred_conversions);
  put(l.churn_age, loyalty->mutable_churn_age());
  put(l.churned_by_conversion_day, loyalty->mutable_churned_by_conversion_day());

  const DailySeries& s = c.series;
  v1::DailySeriesSample* series = out->mutable_series();
  put(s.new_conversions, series->mutable_new_conversions());
  put(s.converted, series->mutable_converted());
  put(s.aware, series->mutable_aware());
  put(s.active_customers, series->mutable_active_customers());
  put(s.open_complaints, series->mutable_open_complaints());
  put(s.open_comments, series->mutable_open_comments());
  put(s.new_conversions_by_kind, series->mutable_new_conversions_by_kind());
  put(s.goal_events_through, series->mutable_goal_events_through());
  put(s.repeats_through, series->mutable_repeats_through());
  put(s.paid_through, series->mutable_paid_through());
  put(s.organic_through, series->mutable_organic_through());
  put(s.audience_members, series->mutable_audience_members());

  out->add_today(c.today.first_conversions);
  out->add_today(c.today.first_aware);
  out->add_today(c.today.churned);
  put(c.today.first_by_kind, out->mutable_today());
}

ReplicationCounts from_sample(const v1::ReplicationSample& in) {
  ReplicationCounts c;
  c.converted_agents = in.converted_agents();
  get(in.converted_by_kind(), c.converted_by_kind);
  c.exposed_agents = in.exposed_agents();
  get(in.reached(), c.reached);
  get(in.furthest_moves(), c.furthest_moves);
  const int touchpoints = in.touchpoint_visits_size();
  c.touchpoints.resize(static_cast<size_t>(touchpoints));
  for (int u = 0; u < touchpoints; ++u) {
    TouchpointCounts& t = c.touchpoints[static_cast<size_t>(u)];
    t.visits = in.touchpoint_visits(u);
    // parse_shard refuses lists of different lengths; a short one reads 0.
    if (u < in.touchpoint_acts_size()) t.acts = in.touchpoint_acts(u);
    if (u < in.touchpoint_conversions_size()) t.conversions = in.touchpoint_conversions(u);
    if (u < in.touchpoint_declines_size()) t.declines = in.touchpoint_declines(u);
  }
  get(in.channel_paid(), c.channel_paid);
  get(in.channel_organic(), c.channel_organic);
  get(in.channel_reach(), c.channel_reach);
  get(in.channel_capped(), c.channel_capped);
  get(in.channel_opt_outs(), c.channel_opt_outs);
  c.retargeted_agents = in.retargeted_agents();
  c.opted_out_agents = in.opted_out_agents();
  get(in.channel_comments(), c.channel_comments);
  get(in.channel_negative_comments(), c.channel_negative_comments);
  c.comments_answered = in.comments_answered();
  c.moderation_backlog = in.moderation_backlog();
  get_credit(in.first_touch(), c.credit.first_touch);
  get_credit(in.last_touch(), c.credit.last_touch);
  get_credit(in.assisted(), c.credit.assisted);
  get(in.persona_converted(), c.persona_converted);
  get(in.persona_conversions(), c.persona_conversions);
  c.walk_steps = in.walk_steps();
  c.sessions = in.sessions();
  c.truncated_sessions = in.truncated_sessions();

  const v1::LoyaltySample& loyalty = in.loyalty();
  LoyaltyCounts& l = c.loyalty;
  l.repeats = loyalty.repeats();
  get(loyalty.repeats_by_goal(), l.repeats_by_goal);
  l.repeated_customers = loyalty.repeated_customers();
  l.churned = loyalty.churned();
  l.complaints = loyalty.complaints();
  l.answered = loyalty.answered();
  l.answered_in_sla = loyalty.answered_in_sla();
  l.sla_missed = loyalty.sla_missed();
  l.response_days = loyalty.response_days();
  l.referrals = loyalty.referrals();
  l.praises = loyalty.praises();
  l.referred_conversions = loyalty.referred_conversions();
  get(loyalty.churn_age(), l.churn_age);
  get(loyalty.churned_by_conversion_day(), l.churned_by_conversion_day);

  const v1::DailySeriesSample& series = in.series();
  DailySeries& s = c.series;
  get(series.new_conversions(), s.new_conversions);
  get(series.converted(), s.converted);
  get(series.aware(), s.aware);
  get(series.active_customers(), s.active_customers);
  get(series.open_complaints(), s.open_complaints);
  get(series.open_comments(), s.open_comments);
  get(series.new_conversions_by_kind(), s.new_conversions_by_kind);
  get(series.goal_events_through(), s.goal_events_through);
  get(series.repeats_through(), s.repeats_through);
  get(series.paid_through(), s.paid_through);
  get(series.organic_through(), s.organic_through);
  get(series.audience_members(), s.audience_members);

  auto today = [&](int i) { return i < in.today_size() ? in.today(i) : 0; };
  c.today.first_conversions = today(0);
  c.today.first_aware = today(1);
  c.today.churned = today(2);
  for (int k = 0; k < limits::kMaxGoalKinds; ++k) {
    c.today.first_by_kind[static_cast<size_t>(k)] = today(3 + k);
  }
  return c;
}

Status check_shape(const ReplicationCounts& c, const CompiledModel& m) {
  const size_t touchpoints = static_cast<size_t>(m.touchpoint_count());
  const size_t channels = static_cast<size_t>(m.channel_count());
  const size_t personas = static_cast<size_t>(m.persona_count());
  const size_t horizon = static_cast<size_t>(m.settings.horizon_days);
  const size_t goals = m.goal_touchpoints.size();
  const size_t kinds = m.goal_kinds.size() > 1 ? m.goal_kinds.size() : 0;
  const size_t commented = m.comments.enabled ? channels : 0;
  struct Expected {
    const char* name;
    size_t size, expected;
  };
  const Expected fixed[] = {
      {"touchpoints", c.touchpoints.size(), touchpoints},
      {"channel_paid", c.channel_paid.size(), channels},
      {"channel_organic", c.channel_organic.size(), channels},
      {"channel_reach", c.channel_reach.size(), channels},
      {"channel_capped", c.channel_capped.size(), channels},
      {"channel_opt_outs", c.channel_opt_outs.size(), channels},
      {"channel_comments", c.channel_comments.size(), commented},
      {"channel_negative_comments", c.channel_negative_comments.size(), commented},
      {"persona_converted", c.persona_converted.size(), personas},
      {"persona_conversions", c.persona_conversions.size(), personas},
      {"loyalty.repeats_by_goal", c.loyalty.repeats_by_goal.size(), touchpoints},
      {"loyalty.churn_age", c.loyalty.churn_age.size(), horizon + 1},
      {"loyalty.churned_by_conversion_day", c.loyalty.churned_by_conversion_day.size(), horizon},
  };
  for (const Expected& e : fixed) {
    if (e.size != e.expected) {
      return Status::bad_input(std::string(e.name) + " has " + std::to_string(e.size) +
                               " entries; the scenario needs " + std::to_string(e.expected));
    }
  }
  // The daily series: none (a single-journey walk keeps none), or a value
  // per day (and per goal kind, goal touchpoint, channel).
  const DailySeries& s = c.series;
  const bool has_series = !s.converted.empty();
  const Expected series[] = {
      {"series.new_conversions", s.new_conversions.size(), horizon},
      {"series.converted", s.converted.size(), horizon},
      {"series.aware", s.aware.size(), horizon},
      {"series.active_customers", s.active_customers.size(), horizon},
      {"series.open_complaints", s.open_complaints.size(), horizon},
      {"series.open_comments", s.open_comments.size(), m.comments.enabled ? horizon : 0},
      {"series.new_conversions_by_kind", s.new_conversions_by_kind.size(), horizon * kinds},
      {"series.goal_events_through", s.goal_events_through.size(), horizon * goals},
      {"series.repeats_through", s.repeats_through.size(), horizon * goals},
      {"series.paid_through", s.paid_through.size(), horizon * channels},
      {"series.organic_through", s.organic_through.size(), horizon * channels},
      {"series.audience_members", s.audience_members.size(),
       horizon * static_cast<size_t>(m.memory.audience_count())},
  };
  for (const Expected& e : series) {
    if (e.size != (has_series ? e.expected : 0)) {
      return Status::bad_input(std::string(e.name) + " has " + std::to_string(e.size) +
                               " entries; the scenario needs " +
                               std::to_string(has_series ? e.expected : 0));
    }
  }
  const uint64_t keys = static_cast<uint64_t>(channels) * touchpoints;
  for (const auto* credit : {&c.credit.first_touch, &c.credit.last_touch, &c.credit.assisted}) {
    if (!credit->empty() && credit->rbegin()->first >= keys) {
      return Status::bad_input("a channel credit names no channel and touchpoint of the scenario");
    }
  }
  return Status::ok();
}

namespace {

// "NAME: why", as bad input.
Status refuse(const std::string& name, const std::string& why) {
  return Status::bad_input(name + ": " + why);
}

// The sample's own consistency: lists that run in parallel have one length,
// arrays have at most their size, credit keys ascend.
std::string sample_problem(const v1::ReplicationSample& s) {
  const int touchpoints = s.touchpoint_visits_size();
  if (s.touchpoint_acts_size() != touchpoints || s.touchpoint_conversions_size() != touchpoints ||
      s.touchpoint_declines_size() != touchpoints) {
    return "the touchpoint counts have different lengths";
  }
  if (s.converted_by_kind_size() > limits::kMaxGoalKinds || s.reached_size() > kStageSlots ||
      s.furthest_moves_size() > kStageSlots || s.today_size() > 3 + limits::kMaxGoalKinds) {
    return "a per-stage or per-goal-kind list is too long";
  }
  for (const v1::CreditSample* credit : {&s.first_touch(), &s.last_touch(), &s.assisted()}) {
    if (credit->keys_size() != credit->counts_size()) return "a channel credit's lists differ";
    for (int i = 1; i < credit->keys_size(); ++i) {
      if (credit->keys(i) <= credit->keys(i - 1)) return "a channel credit's keys do not ascend";
    }
  }
  return "";
}

}  // namespace

Result<v1::ShardResult> parse_shard(std::string_view bytes, const std::string& name) {
  v1::ShardResult shard;
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !shard.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return refuse(name, "not a shard file, or cut short (it does not parse as " +
                            std::string(kShardFormat) + ")");
  }
  if (shard.format() != kShardFormat) {
    return refuse(name, "not a shard file (format '" + shard.format() + "', not '" +
                            std::string(kShardFormat) + "')");
  }
  const std::string& command = shard.command();
  if (command != "run" && command != "compare" && command != "sweep") {
    return refuse(name, "unknown command '" + command + "'");
  }
  if (shard.replications() < 0 || shard.replications() > limits::kMaxReplications) {
    return refuse(name, "replications " + std::to_string(shard.replications()) + " outside 0.." +
                            std::to_string(limits::kMaxReplications));
  }
  if (!(std::isfinite(shard.population()) && shard.population() > 0) ||
      !(shard.confidence() > 0 && shard.confidence() < 1)) {
    return refuse(name, "its population or confidence level is not a valid number");
  }
  if (shard.shards() < 1 || shard.shard() < 1 || shard.shard() > shard.shards()) {
    return refuse(name, "shard " + std::to_string(shard.shard()) + "/" +
                            std::to_string(shard.shards()) + " is not I/N with 1 <= I <= N");
  }
  const ReplicationRange range = shard_range(shard.shard(), shard.shards(), shard.replications());
  if (shard.first_replication() != range.first || shard.end_replication() != range.end) {
    return refuse(name, "holds replications [" + std::to_string(shard.first_replication()) + ", " +
                            std::to_string(shard.end_replication()) + "), not shard " +
                            std::to_string(shard.shard()) + "/" + std::to_string(shard.shards()) +
                            "'s");
  }
  // How many counts sets: a run's one, an arm's each, a sweep point's each.
  size_t sets = 1;
  if (command == "compare") {
    if (shard.scenarios_size() < 2) return refuse(name, "a comparison needs two arms or more");
    sets = static_cast<size_t>(shard.scenarios_size());
  } else {
    if (shard.scenarios_size() != 1) return refuse(name, "needs exactly one scenario");
    if (command == "sweep") {
      if (shard.axes_size() == 0) return refuse(name, "a sweep without axes");
      for (const v1::ShardAxis& axis : shard.axes()) {
        if (axis.values_size() == 0) return refuse(name, "a sweep axis without values");
        sets *= static_cast<size_t>(axis.values_size());
        if (sets > static_cast<size_t>(shard.counts_size())) break;
      }
    }
  }
  if (command != "sweep" && shard.axes_size() != 0) return refuse(name, "axes outside a sweep");
  if (static_cast<size_t>(shard.counts_size()) != sets) {
    return refuse(name, "holds " + std::to_string(shard.counts_size()) +
                            " sets of counts; its study has " + std::to_string(sets));
  }
  for (const v1::ShardCounts& counts : shard.counts()) {
    if (counts.replications_size() != range.count()) {
      return refuse(name, "holds " + std::to_string(counts.replications_size()) +
                              " replications of an arm or point, not " +
                              std::to_string(range.count()));
    }
    for (int i = 0; i < counts.replications_size(); ++i) {
      const v1::ReplicationSample& sample = counts.replications(i);
      if (sample.replication() != range.first + i) {
        return refuse(name, "replication " + std::to_string(sample.replication()) + " where " +
                                std::to_string(range.first + i) + " belongs");
      }
      if (const std::string why = sample_problem(sample); !why.empty()) {
        return refuse(name, "replication " + std::to_string(sample.replication()) + ": " + why);
      }
    }
  }
  return shard;
}

Result<v1::ShardResult> read_shard_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return refuse(path, "cannot be read");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return refuse(path, "cannot be read");
  return parse_shard(bytes.str(), path);
}

Status check_shard_scenario(const v1::ShardScenario& stored, const v1::ShardResult& header) {
  const v1::Scenario& scenario = stored.scenario();
  if (scenario_hash(scenario) != stored.scenario_hash()) {
    return Status::bad_input("its scenario does not have the hash recorded with it (" +
                             stored.scenario_hash() + ")");
  }
  Diagnostics diagnostics;
  if (!validate_scenario(scenario, nullptr, diagnostics, stored.variant())) {
    return Status::bad_input("its scenario is not valid");
  }
  const RunSettings run = resolve_run_settings(scenario.simulation());
  const SimulationSettings settings = resolve_settings(scenario.simulation());
  if (run.replications != header.replications() || run.seed != header.seed() ||
      settings.agents != header.agents() || settings.population != header.population() ||
      run.confidence != header.confidence()) {
    return Status::bad_input("its scenario's run settings are not the shard's");
  }
  if (header.has_window() &&
      (header.window_from_day() < 0 || header.window_from_day() > header.window_to_day() ||
       header.window_to_day() >= settings.horizon_days)) {
    return Status::bad_input("its --window is not inside the horizon");
  }
  return Status::ok();
}

namespace {

// The header of `shard`: what every part of a study shares.
v1::ShardResult header_of(const v1::ShardResult& shard) {
  v1::ShardResult header = shard;
  header.clear_counts();
  header.clear_shard();
  header.clear_first_replication();
  header.clear_end_replication();
  header.clear_threads();
  header.clear_wall_seconds();
  header.clear_command_line();
  return header;
}

// The first difference between two headers that a user can act on, or "".
std::string header_difference(const v1::ShardResult& a, const v1::ShardResult& b) {
  if (a.command() != b.command()) return "commands (" + a.command() + ", " + b.command() + ")";
  if (a.engine_version() != b.engine_version() || a.schema_version() != b.schema_version()) {
    return "engine versions (" + a.engine_version() + ", " + b.engine_version() + ")";
  }
  if (a.shards() != b.shards()) {
    return "shard counts N (" + std::to_string(a.shards()) + ", " + std::to_string(b.shards()) +
           ")";
  }
  if (a.scenarios_size() != b.scenarios_size()) return "arms";
  for (int i = 0; i < a.scenarios_size(); ++i) {
    const std::string &x = a.scenarios(i).variant(), &y = b.scenarios(i).variant();
    if (x != y) return "variants ('" + x + "', '" + y + "')";
  }
  // The run settings (part of the scenario, and named before its hash).
  auto number = [](auto v) {
    std::ostringstream text;
    text << v;
    return text.str();
  };
  auto differs = [&](const char* what, auto x, auto y) {
    // (The same NaN in two parts is no difference: parse_shard refuses it.)
    return x == y || (x != x && y != y)
               ? std::string()
               : std::string(what) + " (" + number(x) + ", " + number(y) + ")";
  };
  for (const std::string& why :
       {differs("seeds", a.seed(), b.seed()),
        differs("replications", a.replications(), b.replications()),
        differs("agents", a.agents(), b.agents()),
        differs("horizons", a.horizon_days(), b.horizon_days()),
        differs("populations", a.population(), b.population()),
        differs("confidence levels", a.confidence(), b.confidence()),
        differs("--window from days", a.has_window() ? a.window_from_day() : -1,
                b.has_window() ? b.window_from_day() : -1),
        differs("--window to days", a.has_window() ? a.window_to_day() : -1,
                b.has_window() ? b.window_to_day() : -1)}) {
    if (!why.empty()) return why;
  }
  if (a.rank_by() != b.rank_by()) return "--rank-by (" + a.rank_by() + ", " + b.rank_by() + ")";
  for (int i = 0; i < a.scenarios_size(); ++i) {
    const std::string &x = a.scenarios(i).scenario_hash(), &y = b.scenarios(i).scenario_hash();
    if (x != y) return "scenarios (hash " + x + ", " + y + ")";
  }
  // A NaN in a part's scenario (which the scenario check then refuses) is
  // the same NaN in every part, not a difference: a file equals itself.
  google::protobuf::util::DefaultFieldComparator numbers;
  numbers.set_treat_nan_as_equal(true);
  google::protobuf::util::MessageDifferencer same;
  same.set_field_comparator(&numbers);
  if (!same.Compare(a, b)) {
    return "sweep axes or scenario files (the scenarios as simulated)";
  }
  return "";
}

// "shard 3 is", "shards 3 and 5 are", "shards 3, 5 and 7 are" (of N).
std::string missing_list(const std::vector<int>& missing) {
  std::string list;
  for (size_t i = 0; i < missing.size(); ++i) {
    list += (i == 0 ? "" : i + 1 == missing.size() ? " and " : ", ") + std::to_string(missing[i]);
  }
  return (missing.size() == 1 ? "shard " : "shards ") + list;
}

}  // namespace

Result<MergedShards> merge_shards(std::vector<ShardPart> parts) {
  if (parts.empty()) return Status::bad_input("no shard files to merge");
  const v1::ShardResult header = header_of(parts.front().shard);
  const int shards = header.shards();
  std::vector<const ShardPart*> by_shard(static_cast<size_t>(shards) + 1, nullptr);
  MergedShards merged;
  for (const ShardPart& part : parts) {
    const std::string difference = header_difference(header, header_of(part.shard));
    if (!difference.empty()) {
      return Status::bad_input(parts.front().name + " and " + part.name +
                               " are not parts of one study: their " + difference + " differ");
    }
    const ShardPart*& slot = by_shard[static_cast<size_t>(part.shard.shard())];
    if (slot != nullptr) {
      return Status::bad_input(slot->name + " and " + part.name + " are both shard " +
                               std::to_string(part.shard.shard()) + " of " +
                               std::to_string(shards));
    }
    slot = &part;
    merged.threads = std::max(merged.threads, part.shard.threads());
    merged.wall_seconds += part.shard.wall_seconds();
  }
  std::vector<int> missing;
  for (int i = 1; i <= shards; ++i) {
    if (by_shard[static_cast<size_t>(i)] == nullptr) missing.push_back(i);
  }
  if (!missing.empty()) {
    return Status::bad_input(missing_list(missing) + " of " + std::to_string(shards) +
                             (missing.size() == 1 ? " is" : " are") +
                             " missing; merge needs every shard");
  }
  // Shards in order hold contiguous ranges (parse_shard checked each), so
  // replications 0 .. R-1 follow in order.
  merged.counts.resize(static_cast<size_t>(parts.front().shard.counts_size()));
  for (int i = 1; i <= shards; ++i) {
    const v1::ShardResult& shard = by_shard[static_cast<size_t>(i)]->shard;
    for (int set = 0; set < shard.counts_size(); ++set) {
      for (const v1::ReplicationSample& sample : shard.counts(set).replications()) {
        merged.counts[static_cast<size_t>(set)].push_back(from_sample(sample));
      }
    }
  }
  merged.header = header;
  merged.header.set_command_line(parts.front().shard.command_line());
  return merged;
}

}  // namespace cjsim
