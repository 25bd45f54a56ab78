// Exit statuses of the cjsim command (docs/cli.md).
#ifndef CJSIM_TOOLS_CJSIM_EXIT_CODES_H_
#define CJSIM_TOOLS_CJSIM_EXIT_CODES_H_

namespace cjsim::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // anything that is not the input's fault
inline constexpr int kExitBadInput = 2;  // bad input or usage

}  // namespace cjsim::cli

#endif  // CJSIM_TOOLS_CJSIM_EXIT_CODES_H_
