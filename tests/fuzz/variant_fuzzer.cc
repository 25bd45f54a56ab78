// Fuzz target: the text of one cjsim.v1.Variant, added to each fixed base
// scenario (tests/fuzz/base_scenarios.h) as `cjsim run --variant` would see
// it in the file: the definition is validated with the scenario, applied
// and validated again, and an accepted result is compiled and run.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include "models/diagnostics.h"
#include "models/validation.h"
#include "tests/fuzz/base_scenarios.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

// Syntax errors are expected; they are not reported.
class IgnoreErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int, int, const std::string&) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  cjsim::v1::Variant variant;
  IgnoreErrors errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(cjsim::fuzz::as_text(data, size)), &variant)) return 0;
  for (const cjsim::v1::Scenario& base : cjsim::fuzz::base_scenarios()) {
    cjsim::v1::Scenario scenario = base;
    *scenario.add_variants() = variant;
    cjsim::fuzz::clamp_sizes(scenario);
    cjsim::Diagnostics diagnostics("fuzz.input");
    if (!cjsim::validate_scenario(scenario, nullptr, diagnostics)) continue;
    std::optional<cjsim::v1::Scenario> applied =
        cjsim::apply_and_validate_variant(scenario, variant.name(), diagnostics);
    diagnostics.to_string();
    if (applied) cjsim::fuzz::compile_and_run(*applied, variant.name());
  }
  return 0;
}
