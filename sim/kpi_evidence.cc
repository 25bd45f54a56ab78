#include "sim/kpi_evidence.h"

#include <algorithm>
#include <limits>

#include "models/check.h"
#include "sim/estimate.h"
#include "sim/kpi.h"

namespace cjsim {

bool kpi_fixed_by_model(std::string_view name, bool buys_media) {
  name = name.substr(0, name.find(':'));  // per channel, the same
  return name == "cost" || name == "impressions_bought" ||
         (!buys_media && name == "paid_exposures");
}

std::string kpi_event_source(std::string_view name) {
  const std::optional<KpiInfo> info = kpi_info(name);
  return info ? info->events : "";
}

double simulated_events_per_replication(std::string_view source, double mean, double agents,
                                        double population) {
  const std::optional<KpiInfo> info = kpi_info(source);
  CJSIM_CHECK(info && agents > 0, "events of an unknown KPI or without agents");
  if (info->unit == KpiUnit::kShare) return mean * agents;
  return population > 0 ? mean * agents / population : 0.0;
}

std::optional<double> simulated_events_at(const std::vector<KpiSeries>& kpis,
                                          std::string_view name) {
  const std::string source = kpi_event_source(name);
  if (source.empty()) return std::nullopt;
  const KpiSeries* series = find_kpi(kpis, source);
  if (series == nullptr || !(series->agents > 0)) return std::numeric_limits<double>::quiet_NaN();
  return simulated_events_per_replication(source, series->value(), series->agents,
                                          series->population);
}

std::optional<OneSidedBound> no_variation_bound(std::string_view name, double mean, double agents,
                                                int replications, double population,
                                                double confidence) {
  if (kpi_event_source(name) != name || agents <= 0 || replications <= 0) return std::nullopt;
  const std::optional<KpiInfo> info = kpi_info(name);
  if (!info) return std::nullopt;
  const bool share = info->unit == KpiUnit::kShare;
  if (!share && !(population > 0)) return std::nullopt;
  const double rate = no_event_upper_bound(agents * replications, confidence);
  if (mean == 0) return OneSidedBound{true, share ? std::min(rate, 1.0) : rate * population};
  if (share && mean == 1) return OneSidedBound{false, std::max(0.0, 1 - rate)};
  return std::nullopt;
}

}  // namespace cjsim
