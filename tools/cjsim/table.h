// The readable summary of a run on stdout: KPIs with their intervals, the
// funnel, the top touchpoints, channels and personas.
#ifndef CJSIM_TOOLS_CJSIM_TABLE_H_
#define CJSIM_TOOLS_CJSIM_TABLE_H_

#include <cstddef>
#include <string>

#include "cjsim/v1/result.pb.h"

namespace cjsim::cli {

std::string format_run_table(const v1::RunResult& result);

// 1234567.8 -> "1,234,568"; small numbers keep significant digits.
std::string format_count(double value);
// 0.02413 -> "2.41%".
std::string format_percent(double share);

// One number through a printf format ("%.3g").
std::string printf_string(const char* format, double value);
// `text` filled with spaces to `width`, on the right (or, with `right`, on
// the left, for numbers).
std::string pad(const std::string& text, size_t width, bool right = false);

}  // namespace cjsim::cli

#endif  // CJSIM_TOOLS_CJSIM_TABLE_H_
