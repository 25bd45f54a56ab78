// The values of command-line options: CLI11 validators for numbers and a
// comma-separated list option, shared by every subcommand so that they all
// accept and refuse the same text. Every floating-point option takes one of
// the number validators (all refuse NaN and infinity); every integer option
// takes integer_in, which is strict where CLI11's own conversion wraps
// ("-1" as 2^64 - 1) or clamps. Messages are written here, short: CLI11 puts
// the option's name in front ("--agents: 1e308 is not an integer in [1,
// 306783378]"). Registration runs on one thread; the validators are pure.
#ifndef CJSIM_TOOLS_CJSIM_OPTION_VALUES_H_
#define CJSIM_TOOLS_CJSIM_OPTION_VALUES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <CLI/CLI.hpp>

namespace cjsim::cli {

// A finite number written in full ("0.25", "-3", "1e5"); nullopt for any
// other text, NaN and infinity included.
std::optional<double> parse_finite(std::string_view text);

// Any finite number.
CLI::Validator finite_number();
// A finite number > 0.
CLI::Validator positive_number();
// A finite number in [low, high].
CLI::Validator number_in(double low, double high);

// An integer in [low, high], written in decimal ("20000") or as a number
// with a whole value ("2e4"). The text is rewritten in plain decimal for
// CLI11's conversion (which would read "010" as octal and refuse "2e4"), so
// add it with Option::transform, not check (a check may not rewrite).
CLI::Validator signed_integer_in(int64_t low, int64_t high);
CLI::Validator unsigned_integer_in(uint64_t low, uint64_t high);
template <typename T>
CLI::Validator integer_in(T low, T high) {
  static_assert(std::is_integral_v<T>);
  if constexpr (std::is_signed_v<T>) {
    return signed_integer_in(low, high);
  } else {
    return unsigned_integer_in(low, high);
  }
}

// Adds option `name` taking a list: comma-separated ("a,b") and/or given
// again ("--lock a --lock b"), one argument each time. An empty item
// ("--variants ,", "a,,b", "") is refused naming the option. After parsing,
// `items` holds the items in order (or stays as it was if the option is not
// given).
CLI::Option* add_list_option(CLI::App& command, const std::string& name,
                             std::vector<std::string>& items, const std::string& help);

}  // namespace cjsim::cli

#endif  // CJSIM_TOOLS_CJSIM_OPTION_VALUES_H_
