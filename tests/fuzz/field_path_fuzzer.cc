// Fuzz target: a ScenarioField path as `cjsim sweep --set PATH=LO:HI:STEPS`
// writes it, here `PATH` or `PATH=VALUE`. The path is parsed against each
// fixed base scenario (tests/fuzz/base_scenarios.h) and read; with a value
// that check_value accepts it is written on a copy, which is read back,
// validated and, when accepted, compiled and run.
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "models/field_path.h"
#include "tests/fuzz/base_scenarios.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

// The whole text as a finite number, as the sweep command reads LO and HI.
std::optional<double> parse_value(std::string_view text) {
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = cjsim::fuzz::as_text(data, size);
  const size_t equals = input.rfind('=');
  const std::string_view path = input.substr(0, equals);
  std::optional<double> value;
  if (equals != std::string_view::npos) value = parse_value(input.substr(equals + 1));
  for (const cjsim::v1::Scenario& base : cjsim::fuzz::base_scenarios()) {
    cjsim::Result<cjsim::ScenarioField> field = cjsim::ScenarioField::parse(path, base);
    if (!field) continue;
    field->get(base);
    // The sweep writes only values the field's type can hold.
    if (!value || !field->check_value(*value).empty()) continue;
    cjsim::v1::Scenario edited = base;
    edited.clear_variants();
    field->set(edited, *value);
    field->get(edited);
    cjsim::fuzz::check_scenario(std::move(edited), nullptr);
  }
  return 0;
}
