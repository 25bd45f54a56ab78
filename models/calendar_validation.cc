#include "models/calendar_validation.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <unordered_set>
#include <vector>

#include "models/calendar.h"
#include "models/diagnostics.h"
#include "models/limits.h"
#include "models/settings.h"
#include "models/validation.h"

namespace cjsim {

namespace {

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

class CalendarChecks {
 public:
  CalendarChecks(const v1::Scenario& scenario, const Report& error, const Report& warning)
      : s_(scenario),
        error_(error),
        warning_(warning),
        horizon_(resolve_settings(scenario.simulation()).horizon_days) {}

  bool run() {
    Result<Calendar> calendar = Calendar::of(s_.simulation());
    if (!calendar) {
      error({{"simulation"}, {"start_date"}}, calendar.status().message());
      // Dates cannot be placed; day numbers still can.
    } else {
      calendar_ = *calendar;
    }
    check_formats();
    for (int c = 0; c < s_.channels_size(); ++c) {
      check_channel(c);
      check_posts(c);
    }
    check_events();
    for (int u = 0; u < s_.touchpoints_size(); ++u) check_goal_window(u);
    check_targets();
    return ok_;
  }

 private:
  void error(const FieldPath& path, const std::string& message) {
    ok_ = false;
    error_(path, message);
  }

  // A day given as a date or a number; nullopt (after reporting it) when
  // it cannot be read, or when it is `required` and missing.
  std::optional<int32_t> day(const FieldPath& path, const std::string& what,
                             const std::string& date, bool has_day, int32_t number, bool required) {
    Result<std::optional<int32_t>> resolved =
        resolve_day(calendar_, date, has_day ? std::optional<int32_t>(number) : std::nullopt, what);
    if (!resolved) {
      error(path, resolved.status().message());
      return std::nullopt;
    }
    if (!resolved->has_value()) {
      if (required) error(path, what + ": missing; give a date (YYYY-MM-DD) or a day number");
      return std::nullopt;
    }
    const int32_t d = **resolved;
    if (d < -limits::kMaxHorizonDays || d > 2 * limits::kMaxHorizonDays) {
      error(path, what + ": day " + std::to_string(d) + " is more than " +
                      std::to_string(limits::kMaxHorizonDays) + " days from the horizon");
      return std::nullopt;
    }
    return d;
  }

  // Both ends of a flight or an event, `from` <= `to`; nullopt after
  // reporting otherwise.
  template <typename Span>
  std::optional<DaySpan> span(const FieldPath& path, const std::string& who, const Span& s) {
    const std::optional<int32_t> from =
        day(path, who + " from", s.from(), s.has_from_day(), s.from_day(), true);
    const std::optional<int32_t> to =
        day(path, who + " to", s.to(), s.has_to_day(), s.to_day(), true);
    if (!from || !to) return std::nullopt;
    if (*from > *to) {
      error(path, who + ": ends (" + calendar_.label(*to) + ") before it starts (" +
                      calendar_.label(*from) + ")");
      return std::nullopt;
    }
    return DaySpan{*from, *to};
  }

  bool finite_at_least_0(const FieldPath& path, const std::string& what, double value,
                         double most) {
    if (std::isfinite(value) && value >= 0 && value <= most) return true;
    error(path, what + ": " + number_text(value) + " must be a finite number in [0, " +
                    number_text(most) + "]");
    return false;
  }

  void check_channel(int c) {
    const v1::Channel& ch = s_.channels(c);
    const std::string who = "channel " + quoted(ch.id());
    auto at = [c](const char* field, int index = -1) {
      return FieldPath{{"channels", c}, {field, index}};
    };
    std::vector<std::pair<DaySpan, int>> spans;
    for (int f = 0; f < ch.flights_size(); ++f) {
      const v1::Flight& flight = ch.flights(f);
      const std::string what = who + " flights[" + std::to_string(f) + "]";
      finite_at_least_0(at("flights", f), what + " weekly_budget", flight.weekly_budget(),
                        limits::kMaxMoney);
      const std::optional<DaySpan> days = span(at("flights", f), what, flight);
      if (!days) continue;
      spans.push_back({*days, f});
      if (days->from >= horizon_) {
        warning_(at("flights", f), what + ": starts on " + calendar_.label(days->from) +
                                       ", after the horizon's last day (" +
                                       calendar_.label(horizon_ - 1) + "); it spends nothing");
      }
    }
    std::sort(spans.begin(), spans.end(),
              [](const auto& a, const auto& b) { return a.first.from < b.first.from; });
    for (size_t k = 1; k < spans.size(); ++k) {
      const auto& [before, b] = spans[k - 1];
      const auto& [after, a] = spans[k];
      if (after.from <= before.to) {
        error(at("flights", a), who + " flights[" + std::to_string(a) + "] (from " +
                                    calendar_.label(after.from) + ") overlaps flights[" +
                                    std::to_string(b) + "] (to " + calendar_.label(before.to) +
                                    "); flights of a channel may not overlap");
      }
    }
    const auto& weights = ch.weekday_weights();
    if (weights.empty()) return;
    if (weights.size() != 7) {
      error(at("weekday_weights", 0),
            who + " weekday_weights: has " + std::to_string(weights.size()) +
                " values; give none or one per weekday (7, Monday first)");
      return;
    }
    double total = 0;
    for (int d = 0; d < 7; ++d) {
      if (!finite_at_least_0(at("weekday_weights", d),
                             who + " weekday_weights[" + std::to_string(d) + "]", weights[d],
                             limits::kMaxWeight)) {
        return;
      }
      total += weights[d];
    }
    if (total <= 0) {
      error(at("weekday_weights", 0),
            who + " weekday_weights: all 7 are 0; give at least one positive weight");
    }
  }

  void check_formats() {
    if (s_.formats_size() > limits::kMaxFormats) {
      error({{"formats", limits::kMaxFormats}}, "formats: " + std::to_string(s_.formats_size()) +
                                                    " defined; at most " +
                                                    std::to_string(limits::kMaxFormats));
    }
    for (int f = 0; f < s_.formats_size(); ++f) {
      const v1::Format& format = s_.formats(f);
      const std::string who = format.id().empty() ? "formats[" + std::to_string(f) + "]"
                                                  : "format " + quoted(format.id());
      auto at = [f](const char* field) { return FieldPath{{"formats", f}, {field}}; };
      check_name(at("id"), who, format.id(), format_ids_, "format", "id");
      if (format.has_reach_multiplier()) {
        finite_at_least_0(at("reach_multiplier"), who + " reach_multiplier",
                          format.reach_multiplier(), limits::kMaxMultiplier);
      }
      if (format.has_act_multiplier()) {
        finite_at_least_0(at("act_multiplier"), who + " act_multiplier", format.act_multiplier(),
                          limits::kMaxMultiplier);
      }
    }
  }

  void check_posts(int c) {
    const v1::Channel& ch = s_.channels(c);
    const std::string who = "channel " + quoted(ch.id());
    if (ch.posts_size() > limits::kMaxPostsPerChannel) {
      error({{"channels", c}, {"posts", limits::kMaxPostsPerChannel}},
            who + " posts: " + std::to_string(ch.posts_size()) + " defined; at most " +
                std::to_string(limits::kMaxPostsPerChannel) +
                " (a post recurs on its weekdays: one per weekday and hour is enough)");
    }
    for (int k = 0; k < ch.posts_size(); ++k) {
      const v1::Post& post = ch.posts(k);
      const std::string what = who + " posts[" + std::to_string(k) + "]";
      const FieldPath at = {{"channels", c}, {"posts", k}};
      if (!post.has_hour()) {
        error(at, what + " hour: missing; give the hour it goes out, 0 to 23");
      } else if (post.hour() < 0 || post.hour() > 23) {
        error(at, what + " hour: " + std::to_string(post.hour()) + " is not in [0, 23]");
      }
      for (int d = 0; d < post.weekdays_size(); ++d) {
        if (post.weekdays(d) == v1::WEEKDAY_UNSPECIFIED) {
          error(at, what + " weekdays[" + std::to_string(d) + "]: use MONDAY to SUNDAY");
        }
      }
      if (!post.format().empty() && !format_ids_.count(post.format())) {
        error(at, what + " format: unknown format " + quoted(post.format()) +
                      "; define it in the scenario's formats");
      }
    }
    if (!ch.posts().empty() && !ch.posting_hours().empty()) {
      warning_(FieldPath{{"channels", c}, {"posting_hours", 0}},
               who + " posting_hours: not used, since the channel has a publishing plan (posts)");
    }
  }

  void check_events() {
    if (s_.events_size() > limits::kMaxEvents) {
      error({{"events", limits::kMaxEvents}}, "events: " + std::to_string(s_.events_size()) +
                                                  " defined; at most " +
                                                  std::to_string(limits::kMaxEvents));
    }
    std::unordered_set<std::string> channels, personas, names;
    for (const v1::Channel& c : s_.channels()) channels.insert(c.id());
    for (const v1::Persona& p : s_.personas()) personas.insert(p.id());
    for (int e = 0; e < s_.events_size(); ++e) {
      const v1::Event& event = s_.events(e);
      const std::string who = event.name().empty() ? "events[" + std::to_string(e) + "]"
                                                   : "event " + quoted(event.name());
      auto at = [e](const char* field, int index = -1) {
        return FieldPath{{"events", e}, {field, index}};
      };
      check_name(at("name"), who, event.name(), names, "event");
      span(FieldPath{{"events", e}}, who, event);
      if (event.has_act_multiplier()) {
        finite_at_least_0(at("act_multiplier"), who + " act_multiplier", event.act_multiplier(),
                          limits::kMaxMultiplier);
      }
      if (event.has_reach_multiplier()) {
        finite_at_least_0(at("reach_multiplier"), who + " reach_multiplier",
                          event.reach_multiplier(), limits::kMaxMultiplier);
      }
      if (event.has_negative_share_multiplier()) {
        finite_at_least_0(at("negative_share_multiplier"), who + " negative_share_multiplier",
                          event.negative_share_multiplier(), limits::kMaxMultiplier);
      }
      if (!event.has_act_multiplier() && !event.has_reach_multiplier() &&
          !event.has_negative_share_multiplier()) {
        error(FieldPath{{"events", e}}, who +
                                            ": changes nothing; set act_multiplier, "
                                            "reach_multiplier or negative_share_multiplier");
      }
      for (int k = 0; k < event.channels_size(); ++k) {
        if (!channels.count(event.channels(k))) {
          error(at("channels", k), who + " channels[" + std::to_string(k) + "]: unknown channel " +
                                       quoted(event.channels(k)));
        }
      }
      for (int k = 0; k < event.personas_size(); ++k) {
        if (!personas.count(event.personas(k))) {
          error(at("personas", k), who + " personas[" + std::to_string(k) + "]: unknown persona " +
                                       quoted(event.personas(k)));
        }
      }
      for (int k = 0; k < event.stages_size(); ++k) {
        if (event.stages(k) == v1::STAGE_UNSPECIFIED) {
          error(at("stages", k), who + " stages[" + std::to_string(k) +
                                     "]: use AWARENESS, CONSIDERATION, DECISION or LOYALTY");
        }
      }
    }
  }

  // `field`: "name" (events, targets) or "id" (formats).
  void check_name(const FieldPath& path, const std::string& who, const std::string& name,
                  std::unordered_set<std::string>& seen, const char* kind,
                  const std::string& field = "name") {
    if (name.empty()) {
      error(path, who + " " + field + ": missing");
    } else if (!is_valid_id(name)) {
      error(path, who + " " + field + ": may use only letters, digits, '_', '-' and '.'");
    } else if (!seen.insert(name).second) {
      error(path, std::string("duplicate ") + kind + " " + field + " " + quoted(name));
    }
  }

  void check_goal_window(int u) {
    const v1::Touchpoint& t = s_.touchpoints(u);
    if (!t.has_goal()) return;
    const v1::Goal& g = t.goal();
    const std::string who = "touchpoint " + quoted(t.id()) + " goal";
    const FieldPath path = {{"touchpoints", u}, {"goal"}};
    const std::optional<int32_t> from = day(path, who + " open_from", g.open_from(),
                                            g.has_open_from_day(), g.open_from_day(), false);
    const std::optional<int32_t> to =
        day(path, who + " open_to", g.open_to(), g.has_open_to_day(), g.open_to_day(), false);
    if (from && to && *from > *to) {
      error(path, who + ": closes (" + calendar_.label(*to) + ") before it opens (" +
                      calendar_.label(*from) + ")");
    } else if ((from && *from >= horizon_) || (to && *to < 0)) {
      warning_(path, who + ": is open only outside the horizon (" + calendar_.label(0) + " to " +
                         calendar_.label(horizon_ - 1) + "); no one can reach it");
    }
  }

  void check_targets() {
    if (s_.targets_size() > limits::kMaxTargets) {
      error({{"targets", limits::kMaxTargets}}, "targets: " + std::to_string(s_.targets_size()) +
                                                    " defined; at most " +
                                                    std::to_string(limits::kMaxTargets));
    }
    std::unordered_set<std::string> names;
    for (int k = 0; k < s_.targets_size(); ++k) {
      const v1::Target& t = s_.targets(k);
      const std::string who =
          t.name().empty() ? "targets[" + std::to_string(k) + "]" : "target " + quoted(t.name());
      auto at = [k](const char* field) { return FieldPath{{"targets", k}, {field}}; };
      check_name(at("name"), who, t.name(), names, "target");
      if (t.kpi().empty()) error(at("kpi"), who + " kpi: missing; name a KPI, e.g. conversions");
      if (t.has_at_least() == t.has_at_most()) {
        error(FieldPath{{"targets", k}},
              who + ": give exactly one of at_least and at_most (the threshold)");
      } else {
        const double threshold = t.has_at_least() ? t.at_least() : t.at_most();
        if (!std::isfinite(threshold)) {
          error(at(t.has_at_least() ? "at_least" : "at_most"),
                who + (t.has_at_least() ? " at_least: " : " at_most: ") + number_text(threshold) +
                    " must be a finite number");
        }
      }
      const std::optional<int32_t> by =
          day(at("by"), who + " by", t.by(), t.has_by_day(), t.by_day(), false);
      if (by && (*by < 0 || *by >= horizon_)) {
        error(at("by"), who + " by: " + calendar_.label(*by) + " is not in the horizon (" +
                            calendar_.label(0) + " to " + calendar_.label(horizon_ - 1) +
                            "); move the date or change simulation.horizon_days");
      }
    }
  }

  const v1::Scenario& s_;
  const Report& error_;
  const Report& warning_;
  const int horizon_;
  Calendar calendar_;
  std::unordered_set<std::string> format_ids_;
  bool ok_ = true;
};

}  // namespace

bool check_calendar(const v1::Scenario& scenario, const Report& error, const Report& warning) {
  return CalendarChecks(scenario, error, warning).run();
}

}  // namespace cjsim
