#include "sim/observations.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "models/csv_table.h"
#include "models/settings.h"
#include "models/validation.h"
#include "sim/kpi.h"

namespace cjsim {

namespace {

// A finite number written in full, or nullopt.
std::optional<double> number_of(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// A day number ("14", "-3") or, on a dated calendar, an ISO date.
Result<int32_t> day_of(const Calendar& calendar, const std::string& text, const std::string& what) {
  const size_t digits = !text.empty() && text[0] == '-' ? 1 : 0;
  const bool plain =
      text.size() > digits && text.find_first_not_of("0123456789", digits) == std::string::npos;
  if (plain) {
    int32_t day = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), day);
    if (error != std::errc() || end != text.data() + text.size()) {
      return Status::bad_input(what + " '" + text + "' is not a day number");
    }
    return day;
  }
  if (!calendar.dated()) {
    return Status::bad_input(what + " '" + text +
                             "': give a day number (0 is the first day); a date needs "
                             "simulation.start_date in the scenario");
  }
  Result<std::optional<int32_t>> day = resolve_day(calendar, text, std::nullopt, what);
  if (!day) return day.status();
  return **day;
}

std::optional<std::vector<Observation>> build(const CsvTable& table, const v1::Scenario& scenario,
                                              Diagnostics& diagnostics, RowErrors& row_errors) {
  const SourceLocation header_at{table.header_line, 1};
  std::map<std::string, int> at;
  const std::set<std::string> known(std::begin(kObservationColumns), std::end(kObservationColumns));
  bool ok = true;
  for (size_t c = 0; c < table.header.size(); ++c) {
    if (!known.count(table.header[c])) {
      diagnostics.error("unknown column '" + table.header[c] +
                            "'; OBS.csv has the columns kpi, from, to, value, std_error and, "
                            "for a lift, variant",
                        {table.header_line, table.header_columns[c]});
      ok = false;
    }
    at[table.header[c]] = static_cast<int>(c);
  }
  for (const char* name : kObservationColumns) {
    if (std::string(name) == "variant" || at.count(name)) continue;
    diagnostics.error("missing column '" + std::string(name) + "' (the header has " +
                          table.column_list() + "; OBS.csv needs kpi, from, to, value, std_error)",
                      header_at);
    ok = false;
  }
  if (!ok) return std::nullopt;

  Result<Calendar> calendar = Calendar::of(scenario.simulation());
  CJSIM_CHECK(calendar.is_ok(), "a start date that validation should refuse");
  const int32_t last_day = resolve_settings(scenario.simulation()).horizon_days - 1;
  // Each variant a row names, applied once; nullopt for a variant that
  // does not apply (reported at the first row naming it).
  std::map<std::string, std::optional<v1::Scenario>> variants;
  std::vector<std::string> variant_names;
  for (const v1::Variant& v : scenario.variants()) variant_names.push_back(v.name());

  std::vector<Observation> observations;
  for (const CsvRow& row : table.rows) {
    auto field = [&](const char* name) -> const std::string& { return row.fields[at[name]]; };
    auto where = [&](const char* name) { return SourceLocation{row.line, row.columns[at[name]]}; };
    Observation o;
    o.line = row.line;
    o.kpi = field("kpi");
    bool row_ok = true;
    auto refuse = [&](const char* column, std::string message) {
      row_errors.error(std::move(message), where(column));
      row_ok = false;
    };
    const v1::Scenario* arm = &scenario;
    if (at.count("variant") && !field("variant").empty()) {
      o.variant = field("variant");
      auto found = variants.find(o.variant);
      if (found == variants.end()) {
        std::optional<v1::Scenario> applied;
        const bool named =
            std::find(variant_names.begin(), variant_names.end(), o.variant) != variant_names.end();
        if (named) {
          Diagnostics why("");
          applied = apply_and_validate_variant(scenario, o.variant, why);
          if (!applied) {
            refuse("variant", "variant '" + o.variant + "' does not apply: " + why.to_string());
          }
        }
        found = variants.emplace(o.variant, std::move(applied)).first;
        if (named) {
          if (!found->second) continue;
        }
      }
      if (!found->second) {
        std::string names;
        for (const std::string& n : variant_names) names += (names.empty() ? "" : ", ") + n;
        refuse("variant",
               "variant '" + o.variant + "': the scenario has no such variant" +
                   (names.empty() ? std::string(" (it has none)") : " (it has " + names + ")"));
      } else {
        arm = &*found->second;
      }
    }
    if (o.kpi.empty()) {
      refuse("kpi", "kpi: empty; name a KPI such as conversions or cost:facebook");
    } else if (std::string why = kpi_not_counted(*arm, o.kpi, true); !why.empty()) {
      refuse("kpi", "kpi '" + o.kpi + "': " + why);
    } else if (std::optional<KpiInfo> info = kpi_info(o.kpi); info && !info->by_day) {
      refuse("kpi", "kpi '" + o.kpi +
                        "' is not counted day by day, so it has no value over a window; use "
                        "conversions, value, cost, profit, roas, cost_per_conversion, "
                        "conversion_rate, awareness_rate, paid_exposures, organic_exposures, "
                        "impressions_bought or repeat_conversions (per goal kind as NAME:KIND, "
                        "per channel as NAME:CHANNEL where the KPI has one)");
    }
    std::optional<int32_t> from, to;
    for (const char* column : {"from", "to"}) {
      Result<int32_t> day = day_of(*calendar, field(column), column);
      if (!day) {
        refuse(column, day.status().message());
        continue;
      }
      if (*day < 0 || *day > last_day) {
        refuse(column, std::string(column) + " '" + field(column) + "' (day " +
                           std::to_string(*day) + ") is outside the horizon, days 0 to " +
                           std::to_string(last_day) +
                           (calendar->dated()
                                ? " (" + calendar->date(0) + " to " + calendar->date(last_day) + ")"
                                : std::string()));
        continue;
      }
      (std::string(column) == "from" ? from : to) = *day;
    }
    if (from && to && *from > *to) {
      refuse("from", "from '" + field("from") + "' is after to '" + field("to") + "'");
    }
    if (from && to) o.window = {*from, *to};
    if (std::optional<double> v = number_of(field("value"))) {
      o.value = *v;
    } else {
      refuse("value", "value '" + field("value") + "' is not a finite number");
    }
    if (std::optional<double> se = number_of(field("std_error")); se && *se > 0) {
      o.std_error = *se;
    } else {
      refuse("std_error", "std_error '" + field("std_error") +
                              "' must be a finite number > 0 (the observation's standard error "
                              "weighs it in the fit)");
    }
    if (row_ok) observations.push_back(std::move(o));
  }
  if (table.rows.empty() && row_errors.count() == 0) {
    diagnostics.error("no observations: the file has a header and no rows", header_at);
    return std::nullopt;
  }
  return observations;
}

}  // namespace

std::optional<std::vector<Observation>> read_observations(const std::string& path,
                                                          std::optional<std::string_view> content,
                                                          const v1::Scenario& scenario,
                                                          Diagnostics& diagnostics) {
  return build_from_csv(path, content, diagnostics,
                        [&](const CsvTable& table, Diagnostics& d, RowErrors& r) {
                          return build(table, scenario, d, r);
                        });
}

}  // namespace cjsim
