#include "sim/exact_solver.h"

#include <algorithm>
#include <optional>

#include <Eigen/Sparse>
#include <Eigen/SparseLU>

#include "models/check.h"
#include "models/formulas.h"

namespace cjsim {

namespace {

// One persona's chain; see the header.
class PersonaChain {
 public:
  PersonaChain(const CompiledModel& model, int persona) : m_(model), persona_(persona) {}

  // Runs the horizon with `absorbing` touchpoints absorbing; returns the
  // probability of reaching any of them and, when `visits` is given, the
  // expected visits per touchpoint (only meaningful with nothing absorbing).
  // nullopt when the same-session walk has no finite solution (a loop left
  // with a probability too small to tell from 0: validation refuses those
  // by their expected session length, so this is a second line).
  // `entries`, when given, replaces the day-0 entry probabilities.
  std::optional<double> run(const std::vector<bool>& absorbing, std::vector<double>* visits,
                            const std::vector<double>* entries = nullptr) const {
    const int n = m_.touchpoint_count();
    const size_t base = static_cast<size_t>(persona_) * n;
    std::vector<Eigen::Triplet<double>> triplets;
    for (int u = 0; u < n; ++u) {
      triplets.emplace_back(u, u, 1.0);
      if (absorbing[u]) continue;
      const double a = m_.act_probability[base + u];
      for (uint32_t e = m_.edge_begin[u]; e < m_.edge_begin[u + 1]; ++e) {
        const EdgeInfo& edge = m_.edges[e];
        if (edge.target < 0) continue;
        const double q = formulas::delay_continue_probability(edge.mean_delay_days);
        triplets.emplace_back(edge.target, u, -a * edge.probability * (1 - q));
      }
    }
    Eigen::SparseMatrix<double> matrix(n, n);
    matrix.setFromTriplets(triplets.begin(), triplets.end());
    Eigen::SparseLU<Eigen::SparseMatrix<double>> lu;
    lu.compute(matrix);
    if (lu.info() != Eigen::Success) return std::nullopt;

    Eigen::VectorXd arrivals(n);
    for (int u = 0; u < n; ++u) arrivals[u] = entries ? (*entries)[u] : m_.entry_probability[u];
    std::vector<double> pool(m_.edges.size(), 0.0);  // mass parked per edge
    if (visits != nullptr) visits->assign(n, 0.0);
    double absorbed = 0;
    for (int day = 0; day < m_.settings.horizon_days; ++day) {
      if (day > 0) {
        arrivals.setZero();
        bool any = false;
        for (size_t e = 0; e < pool.size(); ++e) {
          if (pool[e] == 0) continue;
          const double q = formulas::delay_continue_probability(m_.edges[e].mean_delay_days);
          arrivals[m_.edges[e].target] += (1 - q) * pool[e];
          pool[e] *= q;
          any = true;
        }
        if (!any) break;
      }
      Eigen::VectorXd y = lu.solve(arrivals);
      if (!y.allFinite()) return std::nullopt;
      for (int u = 0; u < n; ++u) {
        if (absorbing[u]) {
          absorbed += y[u];
          continue;
        }
        if (visits != nullptr) (*visits)[u] += y[u];
        const double a = m_.act_probability[base + u];
        for (uint32_t e = m_.edge_begin[u]; e < m_.edge_begin[u + 1]; ++e) {
          const EdgeInfo& edge = m_.edges[e];
          if (edge.target < 0 || edge.mean_delay_days <= 0) continue;
          const double q = formulas::delay_continue_probability(edge.mean_delay_days);
          pool[e] += y[u] * a * edge.probability * q;
        }
      }
    }
    return absorbed;
  }

 private:
  const CompiledModel& m_;
  int persona_;
};

// Why the model has no exact solution here, or nothing if it may have one:
// exposures and customers' events are the simulation's alone.
std::optional<std::string> outside_exact_form(const CompiledModel& model) {
  for (int p = 0; p < model.persona_count(); ++p) {
    if (!model.exposure[p].sources.empty()) {
      const ExposureSource& s = model.exposure[p].sources.front();
      return "exact mode needs the single-journey form, where no channel reaches "
             "anyone, but channel '" +
             model.channel_ids[s.channel] + "' gives persona '" + model.persona_ids[p] + "' " +
             (s.paid ? "paid" : "organic") + " reach (" +
             (s.paid ? "weekly_budget, max_reach" : "organic_reach") +
             " and channel_affinity are > 0); switch its reach off or drop --exact";
    }
  }
  if (!model.act_events.empty()) {
    return "exact mode solves a journey without time, but event '" + model.act_events.front().name +
           "' changes act probabilities on some days only, which only the simulation plays out; "
           "drop --exact";
  }
  if (model.has_goal_windows) {
    return "exact mode solves a journey without time, but a goal is open only on some days "
           "(goal.open_from, open_to), which only the simulation plays out; drop --exact";
  }
  const LoyaltyModel& loyalty = model.loyalty;
  if (loyalty.enabled || loyalty.care.enabled || loyalty.referral.enabled) {
    return "exact mode solves the journey alone, but the scenario's loyalty block gives customers "
           "repeats, customer care or referrals, which only the simulation plays out; remove the "
           "loyalty block or drop --exact";
  }
  return std::nullopt;
}

// Channel credit: the day-0 entry is an agent's one touch, so each channel
// is credited what the agents entering on it go on to convert (persona
// weight `share`).
void credit_channels(const CompiledModel& model, const PersonaChain& chain, double share,
                     const std::vector<bool>& goals, ExactSolution& out) {
  const int n = model.touchpoint_count();
  const std::vector<bool> none(static_cast<size_t>(n), false);
  for (int c = 0; c < model.channel_count(); ++c) {
    std::vector<double> entries(static_cast<size_t>(n), 0.0);
    bool any = false;
    for (int u = 0; u < n; ++u) {
      if (model.touchpoint_channel[u] != c || !(model.entry_probability[u] > 0)) continue;
      entries[u] = model.entry_probability[u];
      any = true;
    }
    if (!any) continue;
    std::vector<double> from_channel;
    // The same chain solved above from part of the same entries.
    CJSIM_CHECK(chain.run(none, &from_channel, &entries).has_value(),
                "a walk solved from all entries failed from some");
    for (int u = 0; u < n; ++u) {
      if (!goals[u]) continue;
      out.channel_conversions[c] += share * from_channel[u];
      out.channel_value[c] += share * from_channel[u] * model.touchpoint_value[u];
    }
  }
}

}  // namespace

Result<ExactSolution> solve_exact(const CompiledModel& model) {
  if (std::optional<std::string> reason = outside_exact_form(model)) {
    return Status::bad_input(std::move(*reason));
  }
  const int n = model.touchpoint_count();
  ExactSolution out;
  out.touchpoint_visits.assign(n, 0.0);
  out.touchpoint_acts.assign(n, 0.0);
  out.touchpoint_conversions.assign(n, 0.0);
  out.persona_conversion_rate.assign(model.persona_count(), 0.0);
  out.persona_conversions.assign(model.persona_count(), 0.0);
  out.channel_conversions.assign(model.channel_count(), 0.0);
  out.channel_value.assign(model.channel_count(), 0.0);

  const size_t kinds = model.goal_kinds.size();
  out.kind_conversion_rate.assign(kinds, 0.0);
  std::vector<std::vector<bool>> of_kind(kinds, std::vector<bool>(n, false));
  for (int u = 0; u < n; ++u) {
    if (model.touchpoint_goal_kind[u] >= 0) of_kind[model.touchpoint_goal_kind[u]][u] = true;
  }
  std::vector<bool> goals(n), none(n, false);
  std::array<std::vector<bool>, kStageSlots> at_least;
  for (int u = 0; u < n; ++u) goals[u] = model.nodes[u].is_goal;
  for (int s = 1; s <= kStageCount; ++s) {
    at_least[s].resize(n);
    for (int u = 0; u < n; ++u) at_least[s][u] = model.nodes[u].stage >= s || goals[u];
  }

  for (int p = 0; p < model.persona_count(); ++p) {
    const double share = model.persona_share[p];
    PersonaChain chain(model, p);
    std::vector<double> visits;
    std::optional<double> converts = chain.run(goals, nullptr);
    std::array<std::optional<double>, kStageCount + 1> reached;
    for (int s = 1; s <= kStageCount; ++s) reached[s] = chain.run(at_least[s], nullptr);
    // With one kind, its rate is the conversion rate.
    std::vector<std::optional<double>> by_kind(kinds, converts);
    if (kinds > 1) {
      for (size_t k = 0; k < kinds; ++k) by_kind[k] = chain.run(of_kind[k], nullptr);
    }
    auto solved_all = [](auto first, auto last) {
      return std::all_of(first, last, [](const std::optional<double>& r) { return r.has_value(); });
    };
    const bool solved = converts && solved_all(reached.begin() + 1, reached.end()) &&
                        solved_all(by_kind.begin(), by_kind.end()) && chain.run(none, &visits);
    if (!solved) {
      return Status::bad_input(
          "the same-session walk of persona '" + model.persona_ids[p] +
          "' has no finite solution: some loop of CTAs is left with a probability too "
          "small to compute; lower an act_probability in it or add an exit edge");
    }
    out.persona_conversion_rate[p] = *converts;
    out.conversion_rate += share * *converts;
    for (int s = 1; s <= kStageCount; ++s) out.reached[s] += share * *reached[s];
    for (size_t k = 0; k < kinds; ++k) out.kind_conversion_rate[k] += share * *by_kind[k];
    for (int u = 0; u < n; ++u) {
      const double a = model.act_probability[static_cast<size_t>(p) * n + u];
      out.touchpoint_visits[u] += share * visits[u];
      out.touchpoint_acts[u] += share * visits[u] * a;
      if (goals[u]) {
        out.touchpoint_conversions[u] += share * visits[u];
        out.persona_conversions[p] += visits[u];
      }
    }
    credit_channels(model, chain, share, goals, out);
  }
  return out;
}

}  // namespace cjsim
