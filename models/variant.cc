#include "models/variant.h"

#include <string>
#include <vector>

namespace cjsim {

namespace {

template <typename Items>
auto* find_by_id(Items* items, const std::string& id) {
  for (auto& item : *items) {
    if (item.id() == id) return &item;
  }
  return static_cast<typename Items::value_type*>(nullptr);
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
  for (const v1::CtaChange& change : variant->cta_changes()) {
    v1::Touchpoint* tp = find_by_id(result.mutable_touchpoints(), change.touchpoint());
    if (tp == nullptr) continue;  // validation reported it
    v1::Cta* cta = tp->mutable_cta();
    if (change.has_act_probability()) cta->set_act_probability(change.act_probability());
    if (change.has_act_probability_scale()) {
      cta->set_act_probability(cta->act_probability() * change.act_probability_scale());
    }
    if (!change.label().empty()) cta->set_label(change.label());
  }
  for (const v1::ChannelChange& change : variant->channel_changes()) {
    v1::Channel* channel = find_by_id(result.mutable_channels(), change.channel());
    if (channel == nullptr) continue;
    if (change.has_weekly_budget()) channel->set_weekly_budget(change.weekly_budget());
    if (change.has_budget_scale()) {
      channel->set_weekly_budget(channel->weekly_budget() * change.budget_scale());
    }
    if (change.has_enabled()) channel->set_enabled(change.enabled());
  }
  return result;
}

}  // namespace cjsim
