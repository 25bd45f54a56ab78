// The readable summary of a run on stdout: KPIs with their intervals, the
// funnel, the top touchpoints, channels and personas.
#ifndef CJSIM_TOOLS_CJSIM_TABLE_H_
#define CJSIM_TOOLS_CJSIM_TABLE_H_

#include <cstddef>
#include <string>

#include "cjsim/v1/result.pb.h"
#include "tools/cjsim/format.h"

namespace cjsim::cli {

std::string format_run_table(const v1::RunResult& result);

}  // namespace cjsim::cli

#endif  // CJSIM_TOOLS_CJSIM_TABLE_H_
