// How much simulated evidence a KPI's estimate rests on, for honest labels
// (docs/report.md "Labels and warnings"): whether the model fixes the KPI
// (no randomness enters it), which simulated events it is computed from and
// how many of them a replication had, and, for a random KPI that came out
// the same in every replication, the one-sided bound that replaces its
// zero-width interval. Pure functions; call from any thread.
#ifndef CJSIM_SIM_KPI_EVIDENCE_H_
#define CJSIM_SIM_KPI_EVIDENCE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/kpi.h"

namespace cjsim {

// Whether the model fixes KPI `name` whatever the random draws: the cost and
// the impressions it buys, set by the budgets, and, when nothing is bought
// (`buys_media` false: no budget, so no paid reach), the paid exposures (0).
// Only these (and every KPI of an exact solution) are "(exact)"; a random
// KPI that does not vary across replications is not. The same holds per
// channel ("cost:facebook"), `buys_media` then telling whether that channel
// buys any.
bool kpi_fixed_by_model(std::string_view name, bool buys_media = true);

// The KPI counting the simulated events that KPI `name` is estimated from:
// itself for a count of events or a share of people ("conversions",
// "reach_rate"), the conversions for value, profit, ROAS and cost per
// conversion (of the same goal kind), the converted people
// ("conversion_rate") for the per-customer KPIs, the complaints for the
// care KPIs. Empty for the cost and impressions and for a KPI it does not
// know.
std::string kpi_event_source(std::string_view name);

// The simulated events per replication behind an estimate `mean` of the
// event-counting KPI `source` (a count scaled to `population`, or a share
// of `agents`). REQUIRES: source is a count or share KPI, agents > 0.
double simulated_events_per_replication(std::string_view source, double mean, double agents,
                                        double population);

// The simulated events per replication behind KPI `name` at a study's
// point whose KPIs are `kpis` (kpi_series): those of its event source,
// from that KPI's mean and the agents and population of the series; NaN
// when the point does not count the source. nullopt when `name` has no
// event source (the model fixes it).
std::optional<double> simulated_events_at(const std::vector<KpiSeries>& kpis,
                                          std::string_view name);

// For a random KPI `name` with the same value `mean` in each of
// `replications` replications of `agents` agents: the one-sided bound at
// `confidence` from the rule of three (no_event_upper_bound, sim/estimate.h)
// over n = agents x replications simulated people, each a trial. With no
// event at all (mean 0), an upper bound on the events per person, times
// `population` for a count; for a share every person had (mean 1), a lower
// bound, 1 - the bound on the share that did not. nullopt when the KPI does
// not count its own events (value, ratios) or sits strictly between, and
// for a count without a population (population <= 0).
struct OneSidedBound {
  bool upper = true;  // an upper bound ("at most"); else a lower one
  double value = 0;
};
std::optional<OneSidedBound> no_variation_bound(std::string_view name, double mean, double agents,
                                                int replications, double population,
                                                double confidence);

}  // namespace cjsim

#endif  // CJSIM_SIM_KPI_EVIDENCE_H_
