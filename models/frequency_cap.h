// The re-spread of a frequency-capped channel's paid reach (docs/model.md
// "Frequency caps").
//
// Within one cap window a person of one persona is offered the channel's
// paid exposure on day t with probability p_t (what the money buys: the
// channel's Hill reach times the persona's affinity), independently from
// day to day, and takes at most `cap` of them. The exposures the cap stops
// are paid for all the same, so the platform shows them to people still
// under the cap: the offer probability becomes q_t = min(c_t, m p_t), with
// the ceiling c_t the channel's max_reach times the affinity (the most a
// channel reaches in a day, whatever the money), and m >= 1 the least boost
// for which the expected delivered exposures equal sum_t p_t. When even the
// ceiling cannot deliver them (too few people under the cap), q_t = c_t and
// the rest of the money is not spent.
#ifndef CJSIM_MODELS_FREQUENCY_CAP_H_
#define CJSIM_MODELS_FREQUENCY_CAP_H_

#include <span>

namespace cjsim {

// Expected exposures delivered in a window where day t offers one with
// probability q[t] and a person takes at most `cap`: sum_t P(fewer than cap
// taken before t) q_t, by the distribution of the count taken so far.
// REQUIRES: cap >= 1, each q in [0, 1].
double capped_delivery(std::span<const double> q, int cap);

// Sets `q` to the re-spread offer probabilities of one window (above) and
// returns the expected exposures delivered: sum_t p_t, or less when the
// ceiling binds. REQUIRES: equal sizes, 0 <= p_t <= ceiling_t <= 1, cap >= 1.
double respread_capped(std::span<const double> p, std::span<const double> ceiling, int cap,
                       std::span<double> q);

}  // namespace cjsim

#endif  // CJSIM_MODELS_FREQUENCY_CAP_H_
