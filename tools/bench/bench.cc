// cjsim-bench: throughput figures for docs/performance.md.
//
// A program that prints figures, not a timed test. Two measurements:
//
//  1. Walk steps per second on a 200-touchpoint journey graph in
//     single-journey form (every agent enters once on day 0 and walks until
//     it does not act): the engine (cjsim::compile + cjsim::Engine::run), and
//     a tight reference loop written here (one customer at a time, a plain
//     xoshiro256++, plain Walker/Vose alias tables), each on 1 thread and on
//     all threads. The ratio engine/reference says what the engine's
//     bookkeeping (identity-addressed Philox streams, per-touchpoint tallies,
//     agent state) costs per step.
//  2. Agent-days per second of one replication of a 1,000,000-agent,
//     365-day campaign over 6 paid channels (budgets, adstock, Hill
//     saturation, organic reach, posting hours), on 1 thread and on all
//     threads, and the bytes of agent state per agent.
//  2b. The campaign with customers: a loyalty block with BG/NBD repeats
//     (CDNOW's parameters, per day), customer care (complaints, an answer
//     queue, praise) and referrals. What the customers' events cost beside
//     the journeys.
//  2c. The campaign restated with a calendar (a start date, each budget as
//     a flight over the whole horizon): the same model, so the same counts,
//     at the same speed: what the calendar costs when it changes nothing.
//
// Scenarios are built in code from a fixed seed, so every run measures the
// same work. Each measurement runs once as a warm-up, then the best of 3 is
// reported (steady_clock). --quick shrinks everything to a smoke test.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <CLI/CLI.hpp>

#include "cjsim/v1/scenario.pb.h"
#include "models/compiled_model.h"
#include "models/diagnostics.h"
#include "models/field_path.h"
#include "models/scenario_loader.h"
#include "models/validation.h"
#include "sim/calibration.h"
#include "sim/engine.h"
#include "sim/tally.h"
#include "tools/validate/calibrate_or_exit.h"

namespace {

using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------- random --

// SplitMix64 (Steele, Lea & Flood 2014): seeds the generators below and
// drives the scenario generators.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t operator()() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  int below(int n) { return static_cast<int>(uniform() * n); }

 private:
  uint64_t state_;
};

// Plain xoshiro256++ (Blackman & Vigna 2021) for the reference loop.
class Xoshiro {
 public:
  explicit Xoshiro(uint64_t seed) {
    SplitMix64 mix(seed);
    for (uint64_t& word : s_) word = mix();
  }
  uint64_t operator()() {
    const uint64_t result = rotl(s_[0] + s_[3], 23) + s_[0];
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1) from the top 53 bits.
  double uniform() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// ------------------------------------------------------------- scenarios --

cjsim::v1::Touchpoint* add_touchpoint(cjsim::v1::Scenario& s, const std::string& id,
                                      cjsim::v1::Stage stage, const std::string& channel,
                                      double act_probability, double entry_weight = 0) {
  cjsim::v1::Touchpoint* t = s.add_touchpoints();
  t->set_id(id);
  t->set_stage(stage);
  t->set_channel(channel);
  t->mutable_cta()->set_label("cta");
  t->mutable_cta()->set_act_probability(act_probability);
  t->set_entry_weight(entry_weight);
  return t;
}

void add_edge(cjsim::v1::Scenario& s, const std::string& from, const std::string& to,
              double weight = 1, double delay_days = 0) {
  cjsim::v1::Edge* e = s.add_edges();
  e->set_from(from);
  e->set_to(to);
  e->set_weight(weight);
  e->set_delay_days(delay_days);
}

constexpr int kJourneyTouchpoints = 200;
constexpr int kJourneyEdgesPerTouchpoint = 4;
constexpr int kJourneyEntries = 5;

// 200 touchpoints with random stages and act probabilities uniform in
// [act_low, act_high] (default [0.6, 0.9]),
// 4 same-session edges out of each to random other touchpoints, one goal,
// entry weights on a few awareness touchpoints and channels without reach:
// single-journey form.
cjsim::v1::Scenario journey_scenario(int64_t agents, double act_low, double act_high) {
  SplitMix64 gen(20240601);
  cjsim::v1::Scenario s;
  s.set_name("bench_journey");
  s.mutable_simulation()->set_horizon_days(1);
  s.mutable_simulation()->set_agents(agents);
  s.mutable_simulation()->set_replications(2);
  s.mutable_simulation()->set_seed(1);
  const char* channels[] = {"facebook", "instagram", "tiktok", "search", "website", "email"};
  for (const char* c : channels) s.add_channels()->set_id(c);
  s.add_personas()->set_id("everyone");

  const int n = kJourneyTouchpoints;
  auto id = [](int u) { return "tp" + std::to_string(u); };
  for (int u = 0; u < n; ++u) {
    // The first few are the awareness entries; the rest get random stages.
    const auto stage = u < kJourneyEntries ? cjsim::v1::AWARENESS
                                           : static_cast<cjsim::v1::Stage>(1 + gen.below(4));
    add_touchpoint(s, id(u), stage, channels[gen.below(6)], gen.uniform(act_low, act_high),
                   u < kJourneyEntries ? 1.0 + gen.below(4) : 0.0);
  }
  // One goal, somewhere past the entries (reachable: 800 random edges).
  const int goal = kJourneyEntries + gen.below(n - kJourneyEntries);
  s.mutable_touchpoints(goal)->mutable_goal()->set_kind("purchase");
  s.mutable_touchpoints(goal)->mutable_goal()->set_value(100);
  for (int u = 0; u < n; ++u) {
    for (int k = 0; k < kJourneyEdgesPerTouchpoint; ++k) {
      int v = gen.below(n - 1);
      if (v >= u) ++v;  // no self-loops
      add_edge(s, id(u), id(v), 0.5 + 2.0 * gen.uniform());
    }
  }
  return s;
}

// A one-year, 6-channel campaign: 3 personas, paid budgets with adstock and
// Hill saturation, organic reach with posting hours, 43 touchpoints over the
// four stages, delayed returns, forgetting.
cjsim::v1::Scenario campaign_scenario(int64_t agents) {
  using cjsim::v1::AWARENESS;
  using cjsim::v1::CONSIDERATION;
  using cjsim::v1::DECISION;
  using cjsim::v1::LOYALTY;
  cjsim::v1::Scenario s;
  s.set_name("bench_campaign");
  s.mutable_simulation()->set_horizon_days(365);
  s.mutable_simulation()->set_agents(agents);
  s.mutable_simulation()->set_population(20'000'000);
  s.mutable_simulation()->set_replications(2);
  s.mutable_simulation()->set_seed(7);

  struct ChannelSpec {
    const char* id;
    double weekly_budget, cpm, max_reach, adstock_decay, hill_shape, organic_reach;
    std::vector<double> posting_hours;  // empty: always there
  };
  const std::vector<ChannelSpec> media = {
      {"facebook", 10500, 9.0, 0.045, 0.3, 1.1, 0.005, {0,  0, 0, 0, 0, 0, 0, .15, .15, 0, 0, 0,
                                                        .2, 0, 0, 0, 0, 0, 0, .25, .25, 0, 0, 0}},
      {"instagram", 10500, 8.5, 0.05, 0.4, 1.2, 0.015, {0,  0, 0,   0,  0,   0,  0, 0,
                                                        .1, 0, 0,   0,  .2,  .1, 0, 0,
                                                        0,  0, .15, .2, .15, .1, 0, 0}},
      {"tiktok", 14000, 6.5, 0.06, 0.5, 1.3, 0.02, {0,   0, 0, 0, 0, 0,  0,   0,  0,  0,  0,  0,
                                                    .05, 0, 0, 0, 0, .1, .15, .2, .2, .2, .1, 0}},
      {"youtube", 7000, 11.0, 0.04, 0.5, 1.2, 0.01, {0,  0, 0, 0, 0,  0, 0,  0,  0,  0, 0, 0,
                                                     .2, 0, 0, 0, .2, 0, .2, .2, .2, 0, 0, 0}},
      {"search", 2100, 25.0, 0.02, 0.2, 1.0, 0.015, {}},
      {"display", 3500, 3.0, 0.03, 0.3, 1.0, 0.0, {}},
  };
  for (const ChannelSpec& m : media) {
    cjsim::v1::Channel* c = s.add_channels();
    c->set_id(m.id);
    c->set_weekly_budget(m.weekly_budget);
    c->set_cpm(m.cpm);
    c->set_max_reach(m.max_reach);
    c->set_adstock_decay(m.adstock_decay);
    // Half saturation at the steady-state adstock: today's budget buys
    // about half of max_reach.
    c->set_half_saturation(m.weekly_budget / 7.0 / (1.0 - m.adstock_decay));
    c->set_hill_shape(m.hill_shape);
    c->set_organic_reach(m.organic_reach);
    for (double h : m.posting_hours) c->add_posting_hours(h);
  }
  s.add_channels()->set_id("website");  // reached through edges only

  struct PersonaSpec {
    const char* id;
    double share;
    std::vector<double> affinity;  // per media channel, in order
    std::vector<double> active_hours;
    double responsiveness[4];
    double half_life;
  };
  const std::vector<PersonaSpec> personas = {
      {"young_urban",
       0.4,
       {0.1, 0.65, 0.7, 0.5, 0.4, 0.3},
       {.5, .3,  .15, .05, .02, .02, .05, .2,  .3,  .3, .3, .35,
        .5, .45, .35, .4,  .5,  .6,  .7,  .85, .95, 1,  .9, .7},
       {1.2, 1.0, 0.85, 0.9},
       14},
      {"families",
       0.35,
       {0.6, 0.4, 0.15, 0.45, 0.5, 0.3},
       {.02, .01, .01, .01, .02, .1, .5, .8, .4, .3, .35, .4,
        .5,  .4,  .3,  .1,  .05, .3, .5, .6, .9, 1,  .5,  .1},
       {0.9, 1.1, 1.0, 1.1},
       21},
      {"professionals",
       0.25,
       {0.5, 0.3, 0.05, 0.3, 0.6, 0.3},
       {.05, .02, .01, .01, .02, .1, .4, .8, .7, .4, .35, .4,
        .7,  .6,  .35, .3,  .35, .5, .7, .9, 1,  .8, .4,  .15},
       {0.8, 1.1, 1.15, 1.2},
       28},
  };
  const char* stage_keys[] = {"awareness", "consideration", "decision", "loyalty"};
  for (const PersonaSpec& spec : personas) {
    cjsim::v1::Persona* p = s.add_personas();
    p->set_id(spec.id);
    p->set_share(spec.share);
    for (size_t c = 0; c < media.size(); ++c) {
      (*p->mutable_channel_affinity())[media[c].id] = spec.affinity[c];
    }
    (*p->mutable_channel_affinity())["website"] = 1.0;
    for (double h : spec.active_hours) p->add_active_hours(h);
    for (int k = 0; k < 4; ++k) {
      (*p->mutable_responsiveness())[stage_keys[k]] = spec.responsiveness[k];
    }
    p->set_memory_half_life_days(spec.half_life);
  }

  // The web shop: 13 pages.
  add_touchpoint(s, "landing_page", AWARENESS, "website", 0.35);
  add_touchpoint(s, "product_page", CONSIDERATION, "website", 0.4);
  add_touchpoint(s, "reviews", CONSIDERATION, "website", 0.3);
  add_touchpoint(s, "size_guide", CONSIDERATION, "website", 0.45);
  add_touchpoint(s, "compare", CONSIDERATION, "website", 0.3);
  add_touchpoint(s, "newsletter_signup", CONSIDERATION, "website", 0.2);
  add_touchpoint(s, "cart", DECISION, "website", 0.5);
  add_touchpoint(s, "checkout", DECISION, "website", 0.75);
  add_touchpoint(s, "purchase", DECISION, "website", 0.3)->mutable_goal()->set_kind("purchase");
  add_touchpoint(s, "account", LOYALTY, "website", 0.3);
  add_touchpoint(s, "help_center", LOYALTY, "website", 0.4);
  add_touchpoint(s, "reorder_page", LOYALTY, "website", 0.3);
  add_touchpoint(s, "repeat_purchase", LOYALTY, "website", 0.2)
      ->mutable_goal()
      ->set_kind("purchase");
  for (int u = 0; u < s.touchpoints_size(); ++u) {
    if (s.touchpoints(u).has_goal()) s.mutable_touchpoints(u)->mutable_goal()->set_value(90);
  }
  add_edge(s, "landing_page", "product_page", 3);
  add_edge(s, "landing_page", "reviews", 1);
  add_edge(s, "landing_page", "newsletter_signup", 0.5);
  add_edge(s, "product_page", "cart", 2);
  add_edge(s, "product_page", "cart", 1, 2.0);  // comes back in a couple of days
  add_edge(s, "product_page", "reviews", 1);
  add_edge(s, "product_page", "size_guide", 1);
  add_edge(s, "product_page", "compare", 1);
  add_edge(s, "reviews", "product_page", 1);
  add_edge(s, "reviews", "cart", 1);
  add_edge(s, "size_guide", "cart", 1);
  add_edge(s, "compare", "product_page", 1, 3.0);
  add_edge(s, "newsletter_signup", "product_page", 1, 5.0);
  add_edge(s, "cart", "checkout", 3);
  add_edge(s, "cart", "product_page", 1, 1.0);
  add_edge(s, "checkout", "purchase", 1);
  add_edge(s, "purchase", "account", 1, 7.0);
  add_edge(s, "account", "reorder_page", 2, 14.0);
  add_edge(s, "account", "help_center", 1);
  add_edge(s, "help_center", "account", 1, 2.0);
  add_edge(s, "reorder_page", "repeat_purchase", 1);
  add_edge(s, "repeat_purchase", "account", 1, 30.0);

  // Per media channel: two awareness ads, a consideration retargeting ad, a
  // decision offer, a loyalty post; all are landing spots for exposures.
  for (const ChannelSpec& m : media) {
    const std::string c = m.id;
    const double ctr = c == "search" ? 0.04 : c == "display" ? 0.008 : 0.02;
    add_touchpoint(s, c + "_video_ad", AWARENESS, c, ctr, 2);
    add_touchpoint(s, c + "_static_ad", AWARENESS, c, 0.8 * ctr, 1);
    add_touchpoint(s, c + "_retargeting", CONSIDERATION, c, 2 * ctr, 1);
    add_touchpoint(s, c + "_offer", DECISION, c, 2.5 * ctr, 1);
    add_touchpoint(s, c + "_community_post", LOYALTY, c, 1.5 * ctr, 1);
    add_edge(s, c + "_video_ad", "landing_page", 2);
    add_edge(s, c + "_video_ad", "product_page", 1);
    add_edge(s, c + "_static_ad", "landing_page", 1);
    add_edge(s, c + "_retargeting", "product_page", 2);
    add_edge(s, c + "_retargeting", "reviews", 1);
    add_edge(s, c + "_offer", "cart", 1);
    add_edge(s, c + "_community_post", "reorder_page", 1);
    add_edge(s, c + "_community_post", "help_center", 0.3);
  }
  return s;
}

// The campaign with customers who repeat, complain and refer.
cjsim::v1::Scenario loyalty_scenario(int64_t agents) {
  cjsim::v1::Scenario s = campaign_scenario(agents);
  s.set_name("bench_loyalty");
  cjsim::v1::Loyalty* l = s.mutable_loyalty();
  // CDNOW's BG/NBD parameters (Fader, Hardie & Lee 2005), weeks -> days.
  cjsim::v1::BgNbd* repeat = l->mutable_bg_nbd();
  repeat->set_r(0.243);
  repeat->set_alpha(4.414 * 7);
  repeat->set_a(0.793);
  repeat->set_b(2.426);
  cjsim::v1::Care* care = l->mutable_care();
  care->set_channel("facebook");
  care->set_complaint_rate(0.001);
  care->set_daily_capacity(200);
  care->set_sla_days(1);
  care->set_churn_if_unanswered(0.3);
  care->set_public_share(0.3);
  care->set_sentiment_impact(1.0);
  care->set_praise_rate(0.05);
  cjsim::v1::Referral* referral = l->mutable_referral();
  referral->set_rate(0.002);
  referral->set_channel("instagram");
  return s;
}

void require_valid(const cjsim::v1::Scenario& scenario) {
  cjsim::Diagnostics diagnostics("<" + scenario.name() + ">");
  if (!cjsim::validate_scenario(scenario, nullptr, diagnostics)) {
    std::fprintf(stderr, "cjsim-bench: the generated scenario is invalid:\n%s",
                 diagnostics.to_string().c_str());
    std::exit(1);
  }
}

// ---------------------------------------------------------- measurement --

// CPU time of the whole process, all threads (POSIX).
double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

struct Sample {
  double seconds = 0;      // wall clock
  double cpu_seconds = 0;  // process CPU time over the same interval
  uint64_t work = 0;       // steps, agent-days, ...
  double rate() const { return seconds > 0 ? static_cast<double>(work) / seconds : 0; }
  // Threads busy on average: about the thread count when undisturbed; less
  // when other programs took the cores.
  double busy() const { return seconds > 0 ? cpu_seconds / seconds : 0; }
};

template <class F>
Sample time_once(F&& f) {
  const double cpu_start = process_cpu_seconds();
  const auto start = Clock::now();
  const uint64_t work = f();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return {seconds, process_cpu_seconds() - cpu_start, work};
}

// One warm-up run, then the best (highest rate) of `runs`.
template <class F>
Sample best_of(int runs, F&& f) {
  time_once(f);
  Sample best;
  for (int i = 0; i < runs; ++i) {
    Sample s = time_once(f);
    if (s.rate() > best.rate()) best = s;
  }
  return best;
}

// Scale of a measurement so one run takes about `target` seconds, from a
// trial run at scale 1.
template <class F>
int64_t calibrate(double target, int64_t max_scale, F&& run_at_scale) {
  run_at_scale(1);  // first touch, thread start-up
  const Sample trial = time_once([&] { return run_at_scale(1); });
  const double scale = trial.seconds > 0 ? target / trial.seconds : static_cast<double>(max_scale);
  return std::clamp<int64_t>(static_cast<int64_t>(std::ceil(scale)), 1, max_scale);
}

// FNV-1a 64 over every count of a replication: equal fingerprints mean
// bit-identical results (to compare engine changes that must not alter them).
uint64_t fingerprint(const cjsim::ReplicationCounts& c) {
  uint64_t hash = 14695981039346656037ull;
  auto mix = [&](uint64_t x) {
    for (int i = 0; i < 8; ++i) {
      hash ^= (x >> (8 * i)) & 0xff;
      hash *= 1099511628211ull;
    }
  };
  mix(c.converted_agents);
  mix(c.exposed_agents);
  for (uint64_t x : c.reached) mix(x);
  for (const cjsim::TouchpointCounts& t : c.touchpoints) {
    mix(t.visits);
    mix(t.acts);
    mix(t.conversions);
  }
  for (const auto* v :
       {&c.channel_paid, &c.channel_organic, &c.persona_converted, &c.persona_conversions}) {
    for (uint64_t x : *v) mix(x);
  }
  mix(c.walk_steps);
  mix(c.sessions);
  mix(c.truncated_sessions);
  return hash;
}

std::string millions(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f M", x / 1e6);
  return text;
}

std::string thread_label(int threads) {
  return std::to_string(threads) + (threads == 1 ? " thread " : " threads");
}

// ------------------------------------------------------------ reference --

// The journey graph in plain form: doubles, CSR edges and classic Walker
// alias tables with one column per item.
struct ReferenceGraph {
  std::vector<double> act;  // [u] act probability
  std::vector<uint8_t> goal;
  std::vector<uint32_t> begin;   // [u] first edge; size n + 1
  std::vector<uint32_t> target;  // [edge]
  std::vector<double> keep;      // [edge slot] alias column: keep probability
  std::vector<uint32_t> alias;   // [edge slot] alias column: other item (local index)
  std::vector<uint32_t> entry;   // entry touchpoints
  std::vector<double> entry_keep;
  std::vector<uint32_t> entry_alias;
};

// Vose's construction: keep[i] and alias[i] for weights w (sum > 0).
void vose(const std::vector<double>& w, std::vector<double>& keep, std::vector<uint32_t>& alias) {
  const size_t n = w.size();
  double total = 0;
  for (double x : w) total += x;
  std::vector<double> scaled(n);
  std::vector<uint32_t> small, large;
  for (size_t i = 0; i < n; ++i) {
    scaled[i] = w[i] * static_cast<double>(n) / total;
    (scaled[i] < 1 ? small : large).push_back(static_cast<uint32_t>(i));
  }
  const size_t base = keep.size();
  keep.resize(base + n, 1.0);
  alias.resize(base + n);
  for (size_t i = 0; i < n; ++i) alias[base + i] = static_cast<uint32_t>(i);
  while (!small.empty() && !large.empty()) {
    const uint32_t s = small.back(), l = large.back();
    small.pop_back();
    keep[base + s] = scaled[s];
    alias[base + s] = l;
    scaled[l] = (scaled[l] + scaled[s]) - 1.0;
    if (scaled[l] < 1) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // Leftovers (rounding) keep themselves with probability 1.
}

ReferenceGraph reference_graph(const cjsim::v1::Scenario& s) {
  ReferenceGraph g;
  const int n = s.touchpoints_size();
  std::vector<std::vector<std::pair<uint32_t, double>>> out(n);
  auto index = [&](const std::string& id) {
    for (int u = 0; u < n; ++u) {
      if (s.touchpoints(u).id() == id) return static_cast<uint32_t>(u);
    }
    std::abort();
  };
  for (const cjsim::v1::Edge& e : s.edges()) {
    out[index(e.from())].push_back({index(e.to()), e.has_weight() ? e.weight() : 1.0});
  }
  std::vector<double> entry_weights;
  g.begin.push_back(0);
  for (int u = 0; u < n; ++u) {
    const cjsim::v1::Touchpoint& t = s.touchpoints(u);
    g.act.push_back(t.cta().act_probability());
    g.goal.push_back(t.has_goal() ? 1 : 0);
    std::vector<double> weights;
    for (auto [v, w] : out[u]) {
      g.target.push_back(v);
      weights.push_back(w);
    }
    if (!weights.empty()) vose(weights, g.keep, g.alias);
    g.begin.push_back(static_cast<uint32_t>(g.target.size()));
    if (t.entry_weight() > 0) {
      g.entry.push_back(static_cast<uint32_t>(u));
      entry_weights.push_back(t.entry_weight());
    }
  }
  vose(entry_weights, g.entry_keep, g.entry_alias);
  return g;
}

struct WalkTotals {
  uint64_t steps = 0;
  uint64_t conversions = 0;
};

// One customer: enter by weight, then at each touchpoint act with its
// probability, and on acting follow an edge by weight; stop on not acting or
// at a touchpoint without edges. A step is a visit, as the engine counts.
inline void reference_walk(const ReferenceGraph& g, Xoshiro& random, WalkTotals& totals) {
  const double entries = static_cast<double>(g.entry.size());
  uint32_t column = static_cast<uint32_t>(random.uniform() * entries);
  uint32_t u = g.entry[random.uniform() < g.entry_keep[column] ? column : g.entry_alias[column]];
  for (;;) {
    ++totals.steps;
    totals.conversions += g.goal[u];
    if (random.uniform() >= g.act[u]) break;
    const uint32_t first = g.begin[u];
    const uint32_t n = g.begin[u + 1] - first;
    if (n == 0) break;
    column = first + static_cast<uint32_t>(random.uniform() * static_cast<double>(n));
    const uint32_t k = random.uniform() < g.keep[column] ? column - first : g.alias[column];
    u = g.target[first + k];
  }
}

WalkTotals reference_run(const ReferenceGraph& g, int64_t customers, int threads, uint64_t seed) {
  if (threads == 1) {
    Xoshiro random(seed);
    WalkTotals totals;
    for (int64_t i = 0; i < customers; ++i) reference_walk(g, random, totals);
    return totals;
  }
  struct Local {
    Xoshiro random;
    WalkTotals totals;
  };
  std::atomic<uint64_t> next_seed{seed};
  tbb::enumerable_thread_specific<Local> locals([&] {
    return Local{Xoshiro(next_seed.fetch_add(1) * 0x9e3779b97f4a7c15ull), {}};
  });
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, customers, 4096),
                    [&](const tbb::blocked_range<int64_t>& range) {
                      Local& local = locals.local();
                      WalkTotals totals;
                      for (int64_t i = range.begin(); i != range.end(); ++i) {
                        reference_walk(g, local.random, totals);
                      }
                      local.totals.steps += totals.steps;
                      local.totals.conversions += totals.conversions;
                    });
  WalkTotals totals;
  for (const Local& local : locals) {
    totals.steps += local.totals.steps;
    totals.conversions += local.totals.conversions;
  }
  return totals;
}

// --------------------------------------------------------------- main --

struct Options {
  bool quick = false;
  int threads = 0;
  std::string only;  // "", "walk", "campaign" or "loyalty"
  std::vector<double> act_range = {0.6, 0.9};
};

void bench_walk(const Options& options) {
  // Engine runs are whole replications of `agents`; reference runs are
  // multiples of `agents` customers; both scaled to about `target` seconds.
  const int64_t agents = options.quick ? 20'000 : 1'000'000;
  const double target = options.quick ? 0.05 : 1.5;
  const int runs = options.quick ? 1 : 3;

  const cjsim::v1::Scenario scenario =
      journey_scenario(agents, options.act_range[0], options.act_range[1]);
  require_valid(scenario);
  const cjsim::CompiledModel model = cjsim::compile(scenario, "");
  const uint64_t seed = cjsim::resolve_run_settings(scenario.simulation()).seed;
  if (!model.single_journey) {
    std::fprintf(stderr, "cjsim-bench: the journey scenario is not in single-journey form\n");
    std::exit(1);
  }
  const ReferenceGraph graph = reference_graph(scenario);

  std::printf("[1] Walk steps per second, single-journey form\n");
  std::printf(
      "    graph: %d touchpoints, %d edges (%d per touchpoint, same session), "
      "act probabilities in [%g, %g], 1 goal, %d entry touchpoints\n",
      scenario.touchpoints_size(), scenario.edges_size(), kJourneyEdgesPerTouchpoint,
      options.act_range[0], options.act_range[1], kJourneyEntries);

  const int thread_counts[2] = {1, options.threads};
  Sample engine[2], reference[2];
  double engine_walk[2] = {}, engine_conv[2] = {}, reference_walk_len[2] = {},
         reference_conv[2] = {};
  int64_t engine_reps[2] = {}, reference_customers[2] = {};
  uint64_t walk_fingerprint = 0;
  const int shown = options.threads == 1 ? 1 : 2;
  for (int k = 0; k < shown; ++k) {
    const int threads = thread_counts[k];
    tbb::task_arena arena(threads);
    arena.execute([&] {
      const cjsim::Engine simulator(model, seed);
      uint64_t sessions = 0, conversions = 0;
      auto engine_at = [&](int64_t replications) {
        std::vector<cjsim::ReplicationCounts> counts =
            simulator.run(0, static_cast<int>(replications));
        walk_fingerprint = fingerprint(counts[0]);
        uint64_t steps = 0;
        sessions = conversions = 0;
        for (const cjsim::ReplicationCounts& c : counts) {
          steps += c.walk_steps;
          sessions += c.sessions;
          conversions += c.conversions();
        }
        return steps;
      };
      engine_reps[k] = calibrate(target, 10'000, engine_at);
      engine[k] = best_of(runs, [&] { return engine_at(engine_reps[k]); });
      engine_walk[k] = static_cast<double>(engine[k].work) / static_cast<double>(sessions);
      engine_conv[k] = static_cast<double>(conversions) / static_cast<double>(sessions);

      WalkTotals totals;
      uint64_t reference_seed = 1;
      auto reference_at = [&](int64_t scale) {
        totals = reference_run(graph, scale * agents, threads, reference_seed++);
        return totals.steps;
      };
      const int64_t scale = calibrate(target, 10'000, reference_at);
      reference_customers[k] = scale * agents;
      reference[k] = best_of(runs, [&] { return reference_at(scale); });
      reference_walk_len[k] =
          static_cast<double>(totals.steps) / static_cast<double>(reference_customers[k]);
      reference_conv[k] =
          static_cast<double>(totals.conversions) / static_cast<double>(reference_customers[k]);
    });
  }
  for (int k = 0; k < shown; ++k) {
    std::printf(
        "    engine    %s: %lld agents x %lld replications, %s steps in %.3f s "
        "-> %s steps/s   (busy %.2f; %.3f steps/walk, %.4f conversions/walk)\n",
        thread_label(thread_counts[k]).c_str(), static_cast<long long>(agents),
        static_cast<long long>(engine_reps[k]),
        millions(static_cast<double>(engine[k].work)).c_str(), engine[k].seconds,
        millions(engine[k].rate()).c_str(), engine[k].busy(), engine_walk[k], engine_conv[k]);
  }
  for (int k = 0; k < shown; ++k) {
    std::printf(
        "    reference %s: %lld customers, %s steps in %.3f s "
        "-> %s steps/s   (busy %.2f; %.3f steps/walk, %.4f conversions/walk)\n",
        thread_label(thread_counts[k]).c_str(), static_cast<long long>(reference_customers[k]),
        millions(static_cast<double>(reference[k].work)).c_str(), reference[k].seconds,
        millions(reference[k].rate()).c_str(), reference[k].busy(), reference_walk_len[k],
        reference_conv[k]);
  }
  for (int k = 0; k < shown; ++k) {
    std::printf("    ratio engine/reference, %s: %.2f   (>= 1: engine no slower per step)\n",
                thread_label(thread_counts[k]).c_str(), engine[k].rate() / reference[k].rate());
  }
  if (shown == 2) {
    std::printf("    speedup 1 -> %d threads: engine %.2fx, reference %.2fx\n", options.threads,
                engine[1].rate() / engine[0].rate(), reference[1].rate() / reference[0].rate());
  }
  std::printf("    engine counts fingerprint (replication 0): %016llx\n",
              static_cast<unsigned long long>(walk_fingerprint));
  std::fflush(stdout);
}

// The campaign restated with a calendar: dated, each channel's budget as a
// flight over the whole horizon (weekly_budget 0 outside it). The same
// spend every day, so the same model: the counts must match measurement 2,
// at the same speed.
cjsim::v1::Scenario calendar_scenario(int64_t agents) {
  cjsim::v1::Scenario s = campaign_scenario(agents);
  s.mutable_simulation()->set_start_date("2026-01-05");
  for (cjsim::v1::Channel& c : *s.mutable_channels()) {
    if (c.weekly_budget() <= 0) continue;
    cjsim::v1::Flight* f = c.add_flights();
    f->set_from("2026-01-05");
    f->set_to_day(s.simulation().horizon_days() - 1);
    f->set_weekly_budget(c.weekly_budget());
    c.set_weekly_budget(0);
  }
  return s;
}

// The campaign with every media channel capped at 3 paid exposures a week
// and wearing out (fatigue 0.15 a recent exposure, half-life 7 days):
// what the channel memory costs (docs/model.md "Frequency caps").
cjsim::v1::Scenario memory_scenario(int64_t agents) {
  cjsim::v1::Scenario s = campaign_scenario(agents);
  for (cjsim::v1::Channel& c : *s.mutable_channels()) {
    if (c.weekly_budget() <= 0) continue;
    c.mutable_frequency_cap()->set_exposures(3);
    c.mutable_frequency_cap()->set_per_days(7);
    c.mutable_fatigue()->set_per_exposure(0.15);
    c.mutable_fatigue()->set_recovery_half_life_days(7);
  }
  return s;
}

// The campaign with display retargeting the product-page and cart visitors
// of the last 30 days who have not bought, and every persona a little wary
// of it: what audiences and privacy backlash cost (docs/model.md
// "Retargeting audiences").
cjsim::v1::Scenario audience_scenario(int64_t agents) {
  cjsim::v1::Scenario s = campaign_scenario(agents);
  for (cjsim::v1::Channel& c : *s.mutable_channels()) {
    if (c.id() != "display") continue;
    cjsim::v1::Audience* a = c.mutable_audience();
    a->add_visited("product_page");
    a->add_visited("cart");
    a->set_within_days(30);
    a->set_not_converted(true);
    c.set_max_reach(0.3);
  }
  for (cjsim::v1::Persona& p : *s.mutable_personas()) p.set_privacy_sensitivity(0.02);
  return s;
}

// The campaign with every media channel's consideration retargeting ad
// gated by an entry audience of the product page's visitors of the last 30
// days (six entry audiences): what entry audiences cost (docs/model.md
// "Retargeting audiences").
cjsim::v1::Scenario entry_audience_scenario(int64_t agents) {
  cjsim::v1::Scenario s = campaign_scenario(agents);
  for (cjsim::v1::Touchpoint& t : *s.mutable_touchpoints()) {
    if (!t.id().ends_with("_retargeting")) continue;
    cjsim::v1::Audience* a = t.mutable_entry_audience();
    a->add_visited("product_page");
    a->set_within_days(30);
  }
  return s;
}

enum class CampaignKind { kPlain, kCustomers, kCalendar, kMemory, kAudience, kEntryAudience };

// kCustomers: with the loyalty block (measurement 2b); kCalendar: restated
// with a calendar (2c).
void bench_campaign(const Options& options, CampaignKind kind) {
  const bool customers = kind == CampaignKind::kCustomers;
  const int64_t agents = options.quick ? 20'000 : 1'000'000;
  const int runs = options.quick ? 1 : 3;
  const cjsim::v1::Scenario scenario = customers                         ? loyalty_scenario(agents)
                                       : kind == CampaignKind::kCalendar ? calendar_scenario(agents)
                                       : kind == CampaignKind::kMemory   ? memory_scenario(agents)
                                       : kind == CampaignKind::kAudience ? audience_scenario(agents)
                                       : kind == CampaignKind::kEntryAudience
                                           ? entry_audience_scenario(agents)
                                           : campaign_scenario(agents);
  require_valid(scenario);
  const cjsim::CompiledModel model = cjsim::compile(scenario, "");
  const uint64_t seed = cjsim::resolve_run_settings(scenario.simulation()).seed;
  const int days = model.settings.horizon_days;

  if (customers) {
    std::printf(
        "\n[2b] Campaign with customers (BG/NBD repeats, care, referrals): agent-days "
        "per second, one replication\n");
  } else if (kind == CampaignKind::kCalendar) {
    std::printf(
        "\n[2c] Campaign restated with a calendar (dated, budgets as whole-horizon flights): "
        "agent-days per second, one replication\n");
  } else if (kind == CampaignKind::kMemory) {
    std::printf(
        "\n[2d] Campaign with frequency caps (3 a week) and fatigue on every media channel: "
        "agent-days per second, one replication\n");
  } else if (kind == CampaignKind::kAudience) {
    std::printf(
        "\n[2e] Campaign with display retargeting an audience (product page and cart in 30 "
        "days, not converted) and privacy backlash: agent-days per second, one replication\n");
  } else if (kind == CampaignKind::kEntryAudience) {
    std::printf(
        "\n[2f] Campaign with each media channel's retargeting ad gated by an entry audience "
        "(product-page visitors of 30 days): agent-days per second, one replication\n");
  } else {
    std::printf("\n[2] Campaign: agent-days per second, one replication\n");
  }
  std::printf(
      "    scenario: %lld agents x %d days, %d personas, %d media channels (+ web shop), "
      "%d touchpoints, %d edges\n",
      static_cast<long long>(agents), days, model.persona_count(), model.channel_count() - 1,
      model.touchpoint_count(), scenario.edges_size());
  std::printf("    daily exposure probability (any source, mean over the year):");
  for (int p = 0; p < model.persona_count(); ++p) {
    const double hazard = model.exposure[p].cumulative_hazard[days];
    std::printf(" %s %.1f%%%s", model.persona_ids[p].c_str(), 100.0 * -std::expm1(-hazard / days),
                p + 1 < model.persona_count() ? "," : "\n");
  }

  const int thread_counts[2] = {1, options.threads};
  Sample sample[2];
  cjsim::ReplicationCounts counts;
  const int shown = options.threads == 1 ? 1 : 2;
  for (int k = 0; k < shown; ++k) {
    tbb::task_arena arena(thread_counts[k]);
    arena.execute([&] {
      const cjsim::Engine simulator(model, seed);
      sample[k] = best_of(runs, [&] {
        counts = simulator.run_replication(0);
        return static_cast<uint64_t>(agents) * static_cast<uint64_t>(days);
      });
    });
  }
  uint64_t paid = 0, organic = 0;
  for (uint64_t x : counts.channel_paid) paid += x;
  for (uint64_t x : counts.channel_organic) organic += x;
  std::printf(
      "    per replication: %s exposures (%s paid), %s sessions, %s walk steps, "
      "%llu conversions, %.2f%% of agents converted\n",
      millions(static_cast<double>(paid + organic)).c_str(),
      millions(static_cast<double>(paid)).c_str(),
      millions(static_cast<double>(counts.sessions)).c_str(),
      millions(static_cast<double>(counts.walk_steps)).c_str(),
      static_cast<unsigned long long>(counts.conversions()),
      100.0 * static_cast<double>(counts.converted_agents) / static_cast<double>(agents));
  if (customers) {
    const cjsim::LoyaltyCounts& l = counts.loyalty;
    std::printf(
        "    customers' events: %llu repeats, %llu complaints, %llu referrals, %llu "
        "churned\n",
        static_cast<unsigned long long>(l.repeats), static_cast<unsigned long long>(l.complaints),
        static_cast<unsigned long long>(l.referrals), static_cast<unsigned long long>(l.churned));
  }
  for (int k = 0; k < shown; ++k) {
    std::printf("    %s: %.3f s per replication -> %s agent-days/s   (busy %.2f)\n",
                thread_label(thread_counts[k]).c_str(), sample[k].seconds,
                millions(sample[k].rate()).c_str(), sample[k].busy());
  }
  if (shown == 2) {
    std::printf("    speedup 1 -> %d threads: %.2fx\n", options.threads,
                sample[1].rate() / sample[0].rate());
  }
  if (kind == CampaignKind::kAudience) {
    const size_t display = static_cast<size_t>(
        std::find(model.channel_ids.begin(), model.channel_ids.end(), "display") -
        model.channel_ids.begin());
    uint64_t members = 0;
    for (uint64_t x : counts.series.audience_members) members += x;
    std::printf("    display: %llu paid exposures, %llu opt-outs, %.0f agents in the audience on "
                "an average day\n",
                static_cast<unsigned long long>(counts.channel_paid[display]),
                static_cast<unsigned long long>(counts.channel_opt_outs[display]),
                static_cast<double>(members) / days);
  }
  if (kind == CampaignKind::kMemory) {
    uint64_t capped = 0;
    for (uint64_t x : counts.channel_capped) capped += x;
    std::printf("    paid exposures stopped by the caps: %s\n",
                millions(static_cast<double>(capped)).c_str());
  }
  std::printf("    counts fingerprint: %016llx\n",
              static_cast<unsigned long long>(fingerprint(counts)));
  const cjsim::v1::Loyalty& l = scenario.loyalty();
  std::printf(
      "    agent state: %lld bytes per agent (AgentRecord %zu + next_event %zu",
      static_cast<long long>(cjsim::limits::agent_state_bytes(
          scenario.channels_size(), scenario.has_loyalty(), l.has_referral() || l.has_care(),
          static_cast<int64_t>(model.memory.bytes()))),
      sizeof(cjsim::AgentRecord), sizeof(uint16_t));
  if (customers) {
    std::printf(" + CustomerRecord %zu + word of mouth %zu", sizeof(cjsim::CustomerRecord),
                sizeof(uint16_t));
  }
  if (model.memory.enabled()) std::printf(" + channel memory %zu", model.memory.bytes());
  std::printf(")\n");
  std::fflush(stdout);
}

}  // namespace

// 3. `cjsim calibrate` of the consumer example (scenarios/consumer_brand):
//    4 free parameters (the max reach of TikTok, Instagram and Facebook and
//    the product page's act probability, each started 30% below the truth)
//    fitted to 12 weekly observations (weeks 1-3 of the conversions and of
//    each channel's paid exposures) that cjsim made on another seed. Run
//    once (a calibration is minutes, not a loop): the wall time, the
//    evaluations and what one costs. Only with --only calibrate.
void bench_calibration(const Options& options) {
  cjsim::Diagnostics diagnostics(CJSIM_CONSUMER_SCENARIO);
  std::optional<cjsim::LoadedScenario> loaded =
      cjsim::load_scenario(CJSIM_CONSUMER_SCENARIO, diagnostics);
  if (!loaded) {
    std::fprintf(stderr, "%s\n", diagnostics.to_string().c_str());
    std::exit(1);
  }
  cjsim::v1::Scenario truth = loaded->scenario;
  truth.clear_variants();
  if (options.quick) {
    truth.mutable_simulation()->set_agents(2000);
    truth.mutable_simulation()->set_replications(4);
  }
  std::vector<cjsim::Observation> specs;
  for (int w = 0; w < 3; ++w) {
    for (const char* kpi : {"conversions", "paid_exposures:tiktok", "paid_exposures:instagram",
                            "paid_exposures:facebook"}) {
      cjsim::Observation o;
      o.kpi = kpi;
      o.window = {7 * w, 7 * w + 6};
      o.line = static_cast<int>(specs.size()) + 2;
      o.std_error = 1;
      specs.push_back(o);
    }
  }
  const std::vector<std::string> free = {"channels[tiktok].max_reach=0.03:0.4",
                                         "channels[instagram].max_reach=0.015:0.2",
                                         "channels[facebook].max_reach=0.02:0.25",
                                         "touchpoints[product_page].cta.act_probability=0.1:0.8"};
  tbb::task_arena arena(options.threads);
  arena.execute([&] {
    const std::vector<cjsim::Observation> observed =
        cjsim::simulated_observations(truth, specs, 4242).value();
    cjsim::v1::Scenario start = truth;
    for (const std::string& spec : free) {
      const std::string path = spec.substr(0, spec.find('='));
      cjsim::Result<cjsim::ScenarioField> field = cjsim::ScenarioField::parse(path, start);
      field->set(start, *field->get(start) * 0.7);
    }
    cjsim::CalibrationSettings settings;
    settings.threads = options.threads;
    const auto started = Clock::now();
    const cjsim::Calibration c =
        cjsim::validate::calibrate_or_exit(start, observed, free, settings);
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    const auto& r = c.result;
    const int evaluations = r.evaluations() + r.curvature_evaluations();
    std::printf(
        "calibrate consumer_brand: 4 free parameters, %d observations, %lld agents x %d "
        "replications x %d days, %d threads\n",
        r.observations_size(), static_cast<long long>(truth.simulation().agents()),
        truth.simulation().replications(), truth.simulation().horizon_days(), options.threads);
    std::printf(
        "  %.1f s: %d evaluations by the optimizer + %d for the curvature, %.2f s each; "
        "chi-square %.2f on %d degrees of freedom\n",
        seconds, r.evaluations(), r.curvature_evaluations(), seconds / evaluations, r.chi_square(),
        r.degrees_of_freedom());
    for (const auto& p : r.parameters()) {
      std::printf("  %-45s %.4f [%.4f, %.4f]\n", p.path().c_str(), p.estimate(), p.ci_low(),
                  p.ci_high());
    }
    std::fflush(stdout);
  });
}

int main(int argc, char** argv) {
  Options options;
  options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  CLI::App app{
      "cjsim-bench: walk steps/s (engine vs a reference loop), campaign "
      "agent-days/s without and with customers, on 1 thread and on all threads"};
  app.add_flag("--quick", options.quick, "Small sizes, one run each: a smoke test");
  app.add_option("--threads", options.threads,
                 "Threads for the 'all threads' figures (default: hardware concurrency)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--only", options.only,
                 "Run one measurement: walk, campaign, loyalty, calendar, memory, audience, entry "
                 "or calibrate (calibrate runs only when asked for)")
      ->check(CLI::IsMember(
          {"walk", "campaign", "loyalty", "calendar", "memory", "audience", "entry", "calibrate"}));
  app.add_option("--act-range", options.act_range,
                 "Act probabilities of the walk graph: uniform in [LO, HI] (default 0.6 0.9; "
                 "higher gives longer walks)")
      ->expected(2)
      ->check(CLI::Range(0.0, 0.99));
  CLI11_PARSE(app, argc, argv);

  if (options.act_range[0] > options.act_range[1]) {
    std::fprintf(stderr, "--act-range: LO %g is above HI %g\n", options.act_range[0],
                 options.act_range[1]);
    return 2;
  }
  std::printf(
      "cjsim-bench%s: 1 thread and %d thread%s (hardware concurrency %u); "
      "warm-up, then best of %d\n\n",
      options.quick ? " --quick" : "", options.threads, options.threads == 1 ? "" : "s",
      std::thread::hardware_concurrency(), options.quick ? 1 : 3);
  std::fflush(stdout);
  if (options.only.empty() || options.only == "walk") bench_walk(options);
  if (options.only.empty() || options.only == "campaign") {
    bench_campaign(options, CampaignKind::kPlain);
  }
  if (options.only.empty() || options.only == "loyalty") {
    bench_campaign(options, CampaignKind::kCustomers);
  }
  if (options.only.empty() || options.only == "calendar") {
    bench_campaign(options, CampaignKind::kCalendar);
  }
  if (options.only.empty() || options.only == "memory") {
    bench_campaign(options, CampaignKind::kMemory);
  }
  if (options.only.empty() || options.only == "audience") {
    bench_campaign(options, CampaignKind::kAudience);
  }
  if (options.only.empty() || options.only == "entry") {
    bench_campaign(options, CampaignKind::kEntryAudience);
  }
  if (options.only == "calibrate") bench_calibration(options);
  return 0;
}
