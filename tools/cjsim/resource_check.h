// Before a command simulates anything: its memory and work, against what
// this machine allows (sim/resources.h). A command that would not fit is
// refused with exit status 2, the estimate and what to lower; `--estimate`
// prints the estimate and stops.
//
// The memory allowed is 80% of the physical memory, or of the control
// group's limit (a container's, a batch job's) when that is lower, or the
// amount in the environment variable CJSIM_MEMORY_LIMIT ("6GiB", "512MiB",
// bytes). Call from the main thread.
#ifndef CJSIM_TOOLS_CJSIM_RESOURCE_CHECK_H_
#define CJSIM_TOOLS_CJSIM_RESOURCE_CHECK_H_

#include <optional>
#include <string>

#include "sim/resources.h"

namespace cjsim::cli {

// What this machine allows, or nullopt (after printing why) when
// CJSIM_MEMORY_LIMIT is set but not an amount of memory.
std::optional<ResourceLimits> machine_limits();

// Checks `estimate` for the command `plan.command` on scenario `path`.
// Returns an exit status when the command should stop here: 2 (after
// printing the reasons) when it does not fit, 0 (after printing the
// estimate to stdout) when `estimate_only`; nullopt to go on.
std::optional<int> check_resources(const std::string& path, const ResourceEstimate& estimate,
                                   const std::string& command, bool estimate_only);

}  // namespace cjsim::cli

#endif  // CJSIM_TOOLS_CJSIM_RESOURCE_CHECK_H_
