#include "sim/mix_verification.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <tuple>

#include "models/check.h"
#include "sim/planning.h"

namespace cjsim {

namespace {

// A move whose screened gain is above this many standard errors is run on
// the confirmation's replications too; the others are judged on the
// screen (a move that is better at the confidence on all of them is
// rarely this far behind on the first ones).
constexpr double kExtendAbove = 0.5;
// With a middle stage (VerificationSettings::middle_replications), a move
// runs on all of the confirmation's replications only if its gain there is
// above this many standard errors: on more replications, a move that will
// be better at the confidence is nearer to it.
constexpr double kExtendFromMiddleAbove = 1.0;

// Shifts run between two channels, or between two cells of a schedule in
// the same week or of the same channel in weeks next to each other: the
// moves a planner weighs (another channel that week, a week earlier or
// later), C (W (C - 1) + 2 (W - 1)) of them for W weeks and C channels, not
// (W C)^2.
bool may_shift(const PlannedChannel& a, const PlannedChannel& b) {
  if (a.week < 0 || b.week < 0) return true;
  return a.week == b.week || (a.channel == b.channel && std::abs(a.week - b.week) == 1);
}

struct Move {
  std::string kind;
  size_t from = 0, to = 0;  // planned channels; `to` for shifts only
  double amount = 0;
  std::vector<double> budgets;
};

class MoveMaker {
 public:
  MoveMaker(const std::vector<PlannedChannel>& channels, const VerificationSettings& settings)
      : channels_(channels), settings_(settings) {
    double locked = 0;
    for (size_t i = 0; i < channels.size(); ++i) {
      if (channels[i].lower == channels[i].upper) {
        locked += channels[i].lower;
      } else {
        free_.push_back(i);
      }
    }
    free_total_ = std::max(0.0, settings.total - locked);
    tiny_ = 1e-6 * (1 + settings.total);
  }

  // Every move from `x`, in a fixed order: per free channel to_lower (the
  // largest first: switching a channel off is the first thing to check),
  // down and up, then the shifts between every ordered pair.
  std::vector<Move> moves(const std::vector<double>& x) const {
    std::vector<Move> out;
    for (size_t i : free_) {
      const double room_down = x[i] - channels_[i].lower;
      const double step = move_step(channels_[i], x[i], free_total_, free_.size());
      if (room_down > tiny_) add(out, x, {"to_lower", i, i, room_down, {}});
      // A schedule's cell cut or raised by a step, spending all, moves the
      // step to or from every other cell at once: a blend of the shifts
      // below and of shifts to weeks further away, whose gain at first
      // order is the blend of theirs. Left out, a third of the moves.
      if (settings_.spend_all && channels_[i].week >= 0) continue;
      if (room_down > step + tiny_) add(out, x, {"down", i, i, step, {}});
      const double room_up = std::min(channels_[i].upper - x[i], available_for(x, i));
      if (room_up > tiny_) add(out, x, {"up", i, i, std::min(step, room_up), {}});
    }
    for (size_t i : free_) {
      for (size_t j : free_) {
        if (i == j || !may_shift(channels_[i], channels_[j])) continue;
        const double amount = std::min({move_step(channels_[i], x[i], free_total_, free_.size()),
                                        x[i] - channels_[i].lower, channels_[j].upper - x[j]});
        if (amount > tiny_) add(out, x, {"shift", i, j, amount, {}});
      }
    }
    return out;
  }

  // The to_lower moves of every free channel whose budget is above its
  // lower bound by less than `share` of the free total, made one after the
  // other from `x`; empty when there is none or one cannot be made.
  std::vector<Move> tidy(const std::vector<double>& x, double share) const {
    std::vector<Move> out;
    std::vector<double> y = x;
    for (size_t i : free_) {
      // Care's staffing is no crumb of ad money: a small desk is a desk.
      if (channels_[i].channel == kCareStaffing) continue;
      const double above = y[i] - channels_[i].lower;
      if (above <= tiny_ || above >= share * free_total_) continue;
      std::vector<Move> one;
      add(one, y, {"to_lower", i, i, above, {}});
      if (one.empty()) return {};
      y = one.front().budgets;
      out.push_back(std::move(one.front()));
    }
    return out;
  }

 private:
  // What an up move of channel i can draw on: the unspent total (spending
  // at most), then the other free channels down to their lower bounds.
  double available_for(const std::vector<double>& x, size_t i) const {
    double have = settings_.spend_all ? 0 : unspent(x);
    for (size_t j : free_) {
      if (j != i) have += x[j] - channels_[j].lower;
    }
    return have;
  }

  double unspent(const std::vector<double>& x) const {
    return std::max(0.0, settings_.total - std::accumulate(x.begin(), x.end(), 0.0));
  }

  // Gives `amount` (> 0) to the free channels other than `skip`, in
  // proportion to their budgets (evenly when they have none), within their
  // upper bounds; returns what did not fit.
  double give(std::vector<double>& x, size_t skip, double amount) const {
    for (int pass = 0; pass < static_cast<int>(free_.size()) + 1 && amount > tiny_; ++pass) {
      double weight = 0;
      size_t open = 0;
      for (size_t j : free_) {
        if (j == skip || x[j] >= channels_[j].upper - tiny_) continue;
        weight += x[j];
        ++open;
      }
      if (open == 0) break;
      double given = 0;
      for (size_t j : free_) {
        if (j == skip || x[j] >= channels_[j].upper - tiny_) continue;
        const double share = weight > 0 ? x[j] / weight : 1.0 / static_cast<double>(open);
        const double add = std::min(amount * share, channels_[j].upper - x[j]);
        x[j] += add;
        given += add;
      }
      amount -= given;
    }
    return amount;
  }

  // Takes `amount` (> 0) from the free channels other than `skip`, in
  // proportion to what they have above their lower bounds.
  double take(std::vector<double>& x, size_t skip, double amount) const {
    for (int pass = 0; pass < static_cast<int>(free_.size()) + 1 && amount > tiny_; ++pass) {
      double weight = 0;
      for (size_t j : free_) {
        if (j != skip) weight += x[j] - channels_[j].lower;
      }
      if (weight <= tiny_) break;
      double taken = 0;
      for (size_t j : free_) {
        if (j == skip) continue;
        const double cut =
            std::min(amount * (x[j] - channels_[j].lower) / weight, x[j] - channels_[j].lower);
        x[j] -= cut;
        taken += cut;
      }
      amount -= taken;
    }
    return amount;
  }

  // The moved mix, when it can be made within the bounds and the total.
  void add(std::vector<Move>& out, const std::vector<double>& x, Move move) const {
    std::vector<double> y = x;
    const size_t i = move.from;
    if (move.kind == "shift") {
      y[i] -= move.amount;
      y[move.to] += move.amount;
    } else if (move.kind == "up") {
      y[i] += move.amount;
      double owed = move.amount;
      if (!settings_.spend_all) owed -= std::min(owed, unspent(x));
      if (owed > tiny_ && take(y, i, owed) > tiny_) return;
    } else {
      y[i] -= move.amount;
      // Spending all, the money goes to the others; else it stays unspent.
      if (settings_.spend_all && give(y, i, move.amount) > tiny_) return;
    }
    for (size_t k = 0; k < y.size(); ++k) {
      y[k] = std::clamp(y[k], channels_[k].lower, channels_[k].upper);
    }
    move.budgets = std::move(y);
    out.push_back(std::move(move));
  }

  const std::vector<PlannedChannel>& channels_;
  const VerificationSettings& settings_;
  std::vector<size_t> free_;
  double free_total_ = 0, tiny_ = 0;
};

const std::vector<double>& samples_of(const MixRunner::Run& run, bool on_conversions) {
  return on_conversions ? run.conversions : run.objective;
}

void set_move(const Move& m, const v1::Scenario& scenario,
              const std::vector<PlannedChannel>& channels, int round, const KpiComparison& gain,
              v1::MixMove* out) {
  out->set_round(round);
  out->set_kind(m.kind);
  out->set_channel(planned_name(scenario, channels[m.from]));
  if (m.kind == "shift") out->set_to_channel(planned_name(scenario, channels[m.to]));
  out->set_amount(m.amount);
  v1::Estimate* e = out->mutable_gain();
  e->set_mean(gain.difference.mean);
  e->set_std_error(gain.difference.std_error);
  e->set_ci_low(gain.difference.ci_low);
  e->set_ci_high(gain.difference.ci_high);
  e->set_n(static_cast<int32_t>(gain.difference.n));
  out->set_verdict(std::string(verdict_name(gain.verdict)));
}

// Round 0: budgets too small to matter (under 1% of the total) go to their
// lower bounds, unless the tidied mix is worse (paired, at the
// confirmation's replications), so that a channel's last crumbs do not pass
// for a recommendation. False once progress is stopped.
bool tidy_round(MixRunner& runner, const v1::Scenario& scenario,
                const std::vector<PlannedChannel>& channels, const MoveMaker& maker,
                const VerificationSettings& settings, StudyProgress* progress, VerifiedMix& out) {
  if (const std::vector<Move> crumbs = maker.tidy(out.run.budgets, 0.01); !crumbs.empty()) {
    if (progress != nullptr && progress->stopped()) return false;
    MixRunner::Run tidied = runner.run(crumbs.back().budgets, settings.replications);
    const KpiComparison gain = paired_gain(
        samples_of(out.run, settings.on_conversions), samples_of(tidied, settings.on_conversions),
        runner.cvar(), settings.confidence, settings.seed, runner.draws());
    const bool take = gain.verdict != Verdict::kWorse;
    for (const Move& m : crumbs) {
      v1::MixMove* record = out.record.add_moves();
      set_move(m, scenario, channels, 0, gain, record);
      record->set_taken(take);
    }
    if (take) out.run = std::move(tidied);
  }
  return true;
}

}  // namespace

double move_step(const PlannedChannel& channel, double budget, double free_total,
                 size_t free_channels) {
  const double mean = free_total / static_cast<double>(std::max<size_t>(1, free_channels));
  if (channel.channel == kCareStaffing) return std::max(0.01 * mean, 0.1 * budget);
  return std::max(0.1 * mean, 0.1 * budget);
}

VerifiedMix verify_mix(MixRunner& runner, const v1::Scenario& scenario,
                       const std::vector<PlannedChannel>& channels, MixRunner::Run start,
                       const VerificationSettings& settings, StudyProgress* progress) {
  CJSIM_CHECK(settings.max_rounds >= 1 && settings.screen_replications >= 2 &&
                  settings.replications >= settings.screen_replications,
              "verification settings");
  const MoveMaker maker(channels, settings);
  const int screen = settings.screen_replications;
  const size_t full = static_cast<size_t>(settings.replications);
  VerifiedMix out;
  out.run = std::move(start);
  out.record.set_max_rounds(settings.max_rounds);
  out.record.set_outcome("none_helps");
  if (!tidy_round(runner, scenario, channels, maker, settings, progress, out)) return out;
  // The screened gain of each move in the round before, in units of its
  // standard error: the moves that came nearest are tried first.
  std::map<std::tuple<std::string, size_t, size_t>, double> promise;
  for (int round = 1; round <= settings.max_rounds; ++round) {
    out.record.set_rounds(round);
    const std::vector<double>& base = samples_of(out.run, settings.on_conversions);
    const std::vector<double> base_screen = first_samples(base, static_cast<size_t>(screen));
    std::vector<Move> moves = maker.moves(out.run.budgets);
    auto promise_of = [&](const Move& m) {
      auto it = promise.find({m.kind, m.from, m.to});
      return it == promise.end() ? 0.0 : it->second;
    };
    std::stable_sort(moves.begin(), moves.end(),
                     [&](const Move& x, const Move& y) { return promise_of(x) > promise_of(y); });
    promise.clear();
    // Mixes two moves share (two free channels: down one is up the other)
    // are run once.
    std::map<std::vector<double>, KpiComparison> seen;
    std::optional<MixRunner::Run> better;
    int better_move = -1;
    for (const Move& m : moves) {
      if (progress != nullptr && progress->stopped()) return out;
      KpiComparison gain;
      auto hit = seen.find(m.budgets);
      if (hit != seen.end()) {
        gain = hit->second;
      } else {
        MixRunner::Run moved = runner.run(m.budgets, screen);
        gain = paired_gain(base_screen, samples_of(moved, settings.on_conversions), runner.cvar(),
                           settings.confidence, settings.seed, runner.draws());
        promise[{m.kind, m.from, m.to}] =
            gain.difference.std_error > 0 ? gain.difference.mean / gain.difference.std_error : 0;
        // A promising move runs on more replications: on the middle
        // stage's first, if there is one, then on all of them.
        double above = kExtendAbove;
        auto promising = [&] { return gain.difference.mean > above * gain.difference.std_error; };
        const size_t middle = static_cast<size_t>(settings.middle_replications);
        if (promising() && middle > static_cast<size_t>(screen) && middle < full) {
          runner.extend(moved, settings.middle_replications);
          gain =
              paired_gain(first_samples(base, middle), samples_of(moved, settings.on_conversions),
                          runner.cvar(), settings.confidence, settings.seed, runner.draws());
          above = kExtendFromMiddleAbove;
        }
        if (promising() && full > moved.reps.size()) {
          runner.extend(moved, settings.replications);
          gain = paired_gain(base, samples_of(moved, settings.on_conversions), runner.cvar(),
                             settings.confidence, settings.seed, runner.draws());
        }
        seen.emplace(m.budgets, gain);
        if (gain.verdict == Verdict::kBetter && gain.difference.n == static_cast<int64_t>(full)) {
          better = std::move(moved);
          better_move = out.record.moves_size();
        }
      }
      set_move(m, scenario, channels, round, gain, out.record.add_moves());
      if (better_move >= 0) break;  // the first move that helps is taken
    }
    if (better_move < 0) {
      out.record.set_outcome("none_helps");
      return out;
    }
    if (round == settings.max_rounds) {
      out.record.set_outcome("rounds_exhausted");
      *out.record.mutable_still_helps() = out.record.moves(better_move);
      return out;
    }
    out.record.mutable_moves(better_move)->set_taken(true);
    out.run = std::move(*better);
  }
  return out;
}

}  // namespace cjsim
