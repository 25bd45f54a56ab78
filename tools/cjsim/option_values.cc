#include "tools/cjsim/option_values.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "models/diagnostics.h"

namespace cjsim::cli {

namespace {

// The option's text as a message quotes it: one line, whatever was typed.
std::string shown(std::string_view text) { return printable(text); }

// An integer of type T written in decimal, or a number with a whole value
// within T's range; nullopt otherwise.
template <typename T>
std::optional<T> parse_integer(std::string_view text) {
  T value{};
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  if (error == std::errc() && stop == end) return value;
  if (error == std::errc::result_out_of_range) return std::nullopt;
  // "2e4", "20000.0": whole values in T's range, [min, 2^digits) exactly in
  // doubles.
  std::optional<double> number = parse_finite(text);
  if (!number || *number != std::floor(*number)) return std::nullopt;
  const double low = static_cast<double>(std::numeric_limits<T>::min());
  const double end_value = std::ldexp(1.0, std::numeric_limits<T>::digits);
  if (*number < low || *number >= end_value) return std::nullopt;
  return static_cast<T>(*number);
}

template <typename T>
CLI::Validator make_integer_in(T low, T high) {
  const std::string range = "[" + std::to_string(low) + ", " + std::to_string(high) + "]";
  return CLI::Validator(
      [low, high, range](std::string& text) -> std::string {
        std::optional<T> value = parse_integer<T>(text);
        if (!value || *value < low || *value > high) {
          return shown(text) + " is not an integer in " + range;
        }
        text = std::to_string(*value);
        return "";
      },
      "INTEGER in " + range);
}

}  // namespace

std::optional<double> parse_finite(std::string_view text) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || stop != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

CLI::Validator finite_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        return parse_finite(text) ? "" : shown(text) + " is not a finite number";
      },
      "NUMBER");
}

CLI::Validator positive_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        std::optional<double> value = parse_finite(text);
        return value && *value > 0 ? "" : shown(text) + " is not a finite number > 0";
      },
      "NUMBER > 0");
}

CLI::Validator number_in(double low, double high) {
  const std::string range = "[" + number_text(low) + ", " + number_text(high) + "]";
  return CLI::Validator(
      [low, high, range](std::string& text) -> std::string {
        std::optional<double> value = parse_finite(text);
        return value && *value >= low && *value <= high
                   ? ""
                   : shown(text) + " is not a number in " + range;
      },
      "NUMBER in " + range);
}

CLI::Validator signed_integer_in(int64_t low, int64_t high) {
  return make_integer_in<int64_t>(low, high);
}

CLI::Validator unsigned_integer_in(uint64_t low, uint64_t high) {
  return make_integer_in<uint64_t>(low, high);
}

CLI::Option* add_list_option(CLI::App& command, const std::string& name,
                             std::vector<std::string>& items, const std::string& help) {
  auto split = [](const std::string& argument) {
    std::vector<std::string> pieces;
    size_t start = 0;
    while (true) {
      const size_t comma = argument.find(',', start);
      pieces.push_back(argument.substr(start, comma - start));
      if (comma == std::string::npos) return pieces;
      start = comma + 1;
    }
  };
  // No CLI11 delimiter: it drops empty items silently, and an argument of
  // commas only leaves the option wanting a value, so it takes the next
  // option ("--variants , --json x") as one.
  return command
      .add_option_function<std::vector<std::string>>(
          name,
          [&items, split](const std::vector<std::string>& arguments) {
            items.clear();
            for (const std::string& argument : arguments) {
              for (std::string& piece : split(argument)) items.push_back(std::move(piece));
            }
          },
          help)
      ->check(CLI::Validator(
          [split](std::string& argument) -> std::string {
            for (const std::string& piece : split(argument)) {
              if (piece.empty()) {
                return "'" + shown(argument) + "' has an empty item; write ITEM or ITEM,ITEM";
              }
            }
            return "";
          },
          "LIST"));
}

}  // namespace cjsim::cli
