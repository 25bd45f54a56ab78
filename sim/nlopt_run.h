// Running an NLopt optimizer through its C++ API (nlopt.hpp) without letting
// its exceptions out: nlopt.hpp reports every negative result as an
// exception (nlopt::roundoff_limited, nlopt::forced_stop, std::runtime_error
// for a failure, std::invalid_argument, std::bad_alloc), while cjsim's
// libraries return a status and let no exception cross their boundary.
// Header-only; call from any thread, one optimizer per thread.
#ifndef CJSIM_SIM_NLOPT_RUN_H_
#define CJSIM_SIM_NLOPT_RUN_H_

#include <exception>
#include <vector>

#include <nlopt.hpp>

#include "models/check.h"

namespace cjsim {

// Sets `optimizer` up with `configure(optimizer)` (bounds, objective,
// constraints, tolerances), then runs it from `x`: on return `x` is the best
// point found and `*value` the objective there. Returns NLopt's result, a
// negative one (nlopt::FORCED_STOP, nlopt::ROUNDOFF_LIMITED, ...) included,
// as the C API does. A setting NLopt refuses is a bug in the caller
// (CJSIM_CHECK). REQUIRES: x.size() is the optimizer's dimension.
template <typename Configure>
nlopt::result run_nlopt(nlopt::opt& optimizer, Configure configure, std::vector<double>& x,
                        double* value) {
  try {
    CJSIM_CHECK(optimizer.get_dimension() == x.size(), "NLopt run from a point of another size");
    configure(optimizer);
  } catch (const std::exception& e) {
    CJSIM_CHECK(false, e.what());
  }
  try {
    return optimizer.optimize(x, *value);
  } catch (const std::exception&) {
    // optimize() records the result before throwing it; the point and the
    // value are those of the best evaluation, as with the C API.
    return optimizer.last_optimize_result();
  }
}

}  // namespace cjsim

#endif  // CJSIM_SIM_NLOPT_RUN_H_
