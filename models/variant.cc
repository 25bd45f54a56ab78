#include "models/variant.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cjsim {

namespace {

// The items by id (the first of duplicate ids, as validation reports the
// rest), so that each edit finds its target at once: a variant of 20,000
// edits on as many touchpoints took tens of seconds with a search per edit.
template <typename Items>
auto index_by_id(Items* items) {
  std::unordered_map<std::string, typename Items::value_type*> index;
  for (auto& item : *items) index.emplace(item.id(), &item);
  return index;
}

template <typename Index>
auto* find_in(const Index& index, const std::string& id) {
  auto it = index.find(id);
  return it == index.end() ? nullptr : it->second;
}

using EdgeEnds = std::pair<std::string, std::string>;

// Removes the elements of `items` for which `drop` is true, keeping order.
template <typename Items, typename Drop>
void remove_if(Items* items, Drop drop) {
  Items kept;
  for (auto& item : *items) {
    if (!drop(item)) *kept.Add() = std::move(item);
  }
  items->Swap(&kept);
}

void set_hours(const v1::Hours& hours, google::protobuf::RepeatedField<double>* out) {
  out->Clear();
  out->Add(hours.values().begin(), hours.values().end());
}

// The journey's edits: touchpoints and edges removed, added, then the
// edges' changes (each edge takes those of its end points, in order).
void apply_journey_edits(const v1::Variant& variant, v1::Scenario& result) {
  std::set<std::string> removed(variant.remove_touchpoints().begin(),
                                variant.remove_touchpoints().end());
  if (!removed.empty()) {
    remove_if(result.mutable_touchpoints(),
              [&](const v1::Touchpoint& t) { return removed.count(t.id()) > 0; });
    remove_if(result.mutable_edges(), [&](const v1::Edge& e) {
      return removed.count(e.from()) > 0 || removed.count(e.to()) > 0;
    });
  }
  if (!variant.remove_edges().empty()) {
    std::set<EdgeEnds> ends;
    for (const v1::EdgeRef& r : variant.remove_edges()) ends.emplace(r.from(), r.to());
    remove_if(result.mutable_edges(), [&](const v1::Edge& e) {
      return ends.count({e.from(), e.to()}) > 0;
    });
  }
  for (const v1::Touchpoint& t : variant.add_touchpoints()) *result.add_touchpoints() = t;
  for (const v1::Edge& e : variant.add_edges()) *result.add_edges() = e;
  std::map<EdgeEnds, std::vector<const v1::EdgeChange*>> changes;
  for (const v1::EdgeChange& change : variant.edge_changes()) {
    changes[{change.from(), change.to()}].push_back(&change);
  }
  if (!changes.empty()) {
    for (v1::Edge& e : *result.mutable_edges()) {
      auto it = changes.find({e.from(), e.to()});
      if (it == changes.end()) continue;
      for (const v1::EdgeChange* change : it->second) {
        if (change->has_weight()) e.set_weight(change->weight());
        if (change->has_delay_days()) e.set_delay_days(change->delay_days());
      }
    }
  }
}

// Each end of the goal window the change gives replaces that end, in
// whichever form (date or day number) the change gives it.
void set_goal_window(const v1::GoalChange& change, v1::Goal& goal) {
  if (!change.open_from().empty()) {
    goal.set_open_from(change.open_from());
    goal.clear_open_from_day();
  } else if (change.has_open_from_day()) {
    goal.set_open_from_day(change.open_from_day());
    goal.clear_open_from();
  }
  if (!change.open_to().empty()) {
    goal.set_open_to(change.open_to());
    goal.clear_open_to_day();
  } else if (change.has_open_to_day()) {
    goal.set_open_to_day(change.open_to_day());
    goal.clear_open_to();
  }
}

// Events removed by name, then set by name (replaced in place, or added).
void apply_event_edits(const v1::Variant& variant, v1::Scenario& result) {
  const std::set<std::string> removed(variant.remove_events().begin(),
                                      variant.remove_events().end());
  remove_if(result.mutable_events(),
            [&](const v1::Event& e) { return removed.count(e.name()) > 0; });
  for (const v1::Event& event : variant.events()) {
    auto same = std::find_if(result.mutable_events()->begin(), result.mutable_events()->end(),
                             [&](const v1::Event& e) { return e.name() == event.name(); });
    if (same != result.mutable_events()->end()) {
      *same = event;
    } else {
      *result.add_events() = event;
    }
  }
}

// The changes of touchpoints' CTAs, goals and entries, channels and personas.
void apply_entity_changes(const v1::Variant& variant, v1::Scenario& result) {
  const auto touchpoints = index_by_id(result.mutable_touchpoints());
  const auto channels = index_by_id(result.mutable_channels());
  const auto personas = index_by_id(result.mutable_personas());
  for (const v1::CtaChange& change : variant.cta_changes()) {
    v1::Touchpoint* tp = find_in(touchpoints, change.touchpoint());
    if (tp == nullptr) continue;
    v1::Cta* cta = tp->mutable_cta();
    if (change.has_act_probability()) cta->set_act_probability(change.act_probability());
    if (change.has_act_probability_scale()) {
      cta->set_act_probability(cta->act_probability() * change.act_probability_scale());
    }
    if (!change.label().empty()) cta->set_label(change.label());
  }
  for (const v1::GoalChange& change : variant.goal_changes()) {
    v1::Touchpoint* tp = find_in(touchpoints, change.touchpoint());
    if (tp == nullptr || !tp->has_goal()) continue;
    if (change.has_value()) tp->mutable_goal()->set_value(change.value());
    if (change.has_kind()) tp->mutable_goal()->set_kind(change.kind());
    set_goal_window(change, *tp->mutable_goal());
  }
  for (const v1::EntryChange& change : variant.entry_changes()) {
    v1::Touchpoint* tp = find_in(touchpoints, change.touchpoint());
    if (tp == nullptr) continue;
    if (change.has_entry_weight()) tp->set_entry_weight(change.entry_weight());
    if (change.has_entry_audience()) {
      // Only an empty one removes it; one with within_days alone is
      // validated once applied (it holds no one).
      if (change.entry_audience().ByteSizeLong() == 0) {
        tp->clear_entry_audience();
      } else {
        *tp->mutable_entry_audience() = change.entry_audience();
      }
    }
  }
  for (const v1::ChannelChange& change : variant.channel_changes()) {
    v1::Channel* channel = find_in(channels, change.channel());
    if (channel == nullptr) continue;
    if (change.has_weekly_budget()) channel->set_weekly_budget(change.weekly_budget());
    if (change.has_budget_scale()) {
      // The whole plan: between the flights and in each of them.
      channel->set_weekly_budget(channel->weekly_budget() * change.budget_scale());
      for (v1::Flight& f : *channel->mutable_flights()) {
        f.set_weekly_budget(f.weekly_budget() * change.budget_scale());
      }
    }
    if (change.has_enabled()) channel->set_enabled(change.enabled());
    if (change.has_posting_hours()) {
      set_hours(change.posting_hours(), channel->mutable_posting_hours());
    }
    if (change.has_organic_reach()) channel->set_organic_reach(change.organic_reach());
    if (change.has_flights()) *channel->mutable_flights() = change.flights().values();
    if (change.has_weekday_weights()) {
      *channel->mutable_weekday_weights() = change.weekday_weights().values();
    }
    if (change.has_posts()) *channel->mutable_posts() = change.posts().values();
    if (change.has_frequency_cap()) {
      if (change.frequency_cap().exposures() == 0) {
        channel->clear_frequency_cap();
      } else {
        *channel->mutable_frequency_cap() = change.frequency_cap();
      }
    }
    if (change.has_comments()) *channel->mutable_comments() = change.comments();
    if (change.has_fatigue()) {
      if (change.fatigue().per_exposure() == 0) {
        channel->clear_fatigue();
      } else {
        *channel->mutable_fatigue() = change.fatigue();
      }
    }
    if (change.has_audience()) {
      if (change.audience().ByteSizeLong() == 0) {
        channel->clear_audience();
      } else {
        *channel->mutable_audience() = change.audience();
      }
    }
  }
  for (const v1::PersonaChange& change : variant.persona_changes()) {
    v1::Persona* persona = find_in(personas, change.persona());
    if (persona == nullptr) continue;
    if (change.has_share()) persona->set_share(change.share());
    for (const auto& [channel, value] : change.channel_affinity()) {
      (*persona->mutable_channel_affinity())[channel] = value;
    }
    for (const auto& [stage, value] : change.responsiveness()) {
      (*persona->mutable_responsiveness())[stage] = value;
    }
    if (change.has_memory_half_life_days()) {
      persona->set_memory_half_life_days(change.memory_half_life_days());
    }
    if (change.has_active_hours())
      set_hours(change.active_hours(), persona->mutable_active_hours());
    if (change.has_privacy_sensitivity()) {
      persona->set_privacy_sensitivity(change.privacy_sensitivity());
    }
  }
}

// The edits in the order documented in scenario.proto. References that do
// not resolve were reported by validation and are skipped here.
void apply_edits(const v1::Variant& variant, v1::Scenario& result) {
  apply_journey_edits(variant, result);
  apply_entity_changes(variant, result);
  if (variant.has_horizon_days()) {
    result.mutable_simulation()->set_horizon_days(variant.horizon_days());
  }
  // Every loyalty field is `optional` or a message, so a merge replaces just
  // what the variant sets (a 0 included).
  if (variant.has_loyalty()) result.mutable_loyalty()->MergeFrom(variant.loyalty());
  apply_event_edits(variant, result);
}

}  // namespace

std::optional<v1::Scenario> apply_variant(const v1::Scenario& scenario, std::string_view name,
                                          Diagnostics& diagnostics) {
  const v1::Variant* variant = nullptr;
  std::vector<std::string> names;
  for (const v1::Variant& v : scenario.variants()) {
    names.push_back(v.name());
    if (v.name() == name) variant = &v;
  }
  if (variant == nullptr) {
    std::string known;
    for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
    std::string hint = closest_match(name, names);
    diagnostics.error("unknown variant '" + std::string(name) + "'" +
                      (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                      (known.empty() ? "; the scenario defines no variants"
                                     : "; the scenario defines: " + known));
    return std::nullopt;
  }

  v1::Scenario result = scenario;
  result.clear_variants();
  apply_edits(*variant, result);
  return result;
}

}  // namespace cjsim
