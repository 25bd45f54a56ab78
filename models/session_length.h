// How long a session walk lasts: the expected number of steps (touchpoint
// visits) of one session, by the absorbing Markov chain of the same-session
// walk (docs/model.md "Session walk" and "Validation").
//
// At touchpoint u a person acts with probability a(u) and then follows edge
// e = u -> v with probability w(e) / W(u); the walk stays in the session when
// the edge's geometric delay is 0, with probability 1 - q(e). So the session
// continues from u to v with P(u, v) = a(u) sum_e w(e) / W(u) (1 - q(e)), and
// the expected steps t of a session started at u solve t = 1 + P t (Kemeny &
// Snell 1960, "Finite Markov Chains", the fundamental matrix). Solved one
// strongly connected group of touchpoints at a time, sinks first, so that a
// journey with small loops costs little however many touchpoints it has.
// Validation uses it to refuse loops that would keep the engine walking for
// ever. A pure function; call from any thread.
#ifndef CJSIM_MODELS_SESSION_LENGTH_H_
#define CJSIM_MODELS_SESSION_LENGTH_H_

#include <span>
#include <vector>

#include "cjsim/v1/scenario.pb.h"
#include "models/journey_graph.h"

namespace cjsim {

struct SessionLength {
  // The most expected steps of a session over the touchpoints it may start
  // at (every enabled one); +infinity when some walk never ends (a loop left
  // with a probability too small to tell from 0 in double precision).
  double steps = 0;
  int start = -1;  // the touchpoint of that session
  // The loop that keeps sessions going longest: the strongly connected
  // group of touchpoints (sorted) with the most expected steps inside it,
  // counting a step out of it as the end; empty when the walk has no loop.
  std::vector<int> loop;
  double loop_steps = 0;
};

// `act[u]`: one persona's act probability at touchpoint u (after its
// responsiveness). REQUIRES: `graph` was built from `scenario`, whose
// references are valid and whose edge weights are finite and >= 0.
SessionLength longest_session(const v1::Scenario& scenario, const JourneyGraph& graph,
                              std::span<const double> act);

}  // namespace cjsim

#endif  // CJSIM_MODELS_SESSION_LENGTH_H_
