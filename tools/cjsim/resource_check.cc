#include "tools/cjsim/resource_check.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string_view>

#include <spdlog/spdlog.h>

#include "models/diagnostics.h"
#include "models/limits.h"
#include "tools/cjsim/exit_codes.h"
#include "tools/report/format.h"
#include "tools/report/text_table.h"

namespace cjsim::cli {

using namespace ::cjsim::report;

namespace {

constexpr double kShareOfMemory = 0.8;

// "6GiB", "6G", "512MiB", "1.5 GiB", "123456": bytes, or nullopt.
std::optional<double> parse_amount(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || !std::isfinite(value) || value <= 0) return std::nullopt;
  std::string unit(end, text.data() + text.size());
  unit.erase(
      std::remove_if(unit.begin(), unit.end(), [](unsigned char c) { return std::isspace(c); }),
      unit.end());
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::pair<const char*, double> units[] = {
      {"", 1},          {"b", 1},       {"k", 1024.0},    {"kib", 1024.0},   {"m", 1 << 20},
      {"mib", 1 << 20}, {"g", 1 << 30}, {"gib", 1 << 30}, {"t", 1ull << 40}, {"tib", 1ull << 40}};
  for (const auto& [name, bytes] : units) {
    if (unit == name) return value * bytes;
  }
  return std::nullopt;
}

// The control group's memory limit (v2, else v1), or 0 when there is none.
double cgroup_limit() {
  for (const char* path :
       {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    std::ifstream in(path);
    std::string text;
    if (!(in >> text) || text == "max") continue;
    double bytes = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), bytes);
    // v1 reports "no limit" as a number near 2^63.
    if (error == std::errc() && bytes > 0 && bytes < 1e18) return bytes;
  }
  return 0;
}

}  // namespace

std::optional<ResourceLimits> machine_limits() {
  ResourceLimits limits;
  limits.agent_days = limits::kMaxAgentDays;
  if (const char* text = std::getenv("CJSIM_MEMORY_LIMIT"); text != nullptr && *text != '\0') {
    std::optional<double> bytes = parse_amount(text);
    if (!bytes) {
      spdlog::error(
          "error: CJSIM_MEMORY_LIMIT: '{}' is not an amount of memory (write it like 6GiB, 512MiB "
          "or a number of bytes)",
          text);
      return std::nullopt;
    }
    limits.memory_bytes = *bytes;
    limits.memory_source = "CJSIM_MEMORY_LIMIT";
    return limits;
  }
  const double physical =
      static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
  const double group = cgroup_limit();
  const bool by_group = group > 0 && group < physical;
  limits.memory_bytes = kShareOfMemory * (by_group ? group : physical);
  limits.memory_source =
      "80% of the " + format_bytes(by_group ? group : physical) +
      (by_group ? " of this control group's memory limit" : " of physical memory") +
      "; CJSIM_MEMORY_LIMIT sets another";
  return limits;
}

std::optional<int> check_resources(const std::string& path, const ResourceEstimate& estimate,
                                   const std::string& command, bool estimate_only) {
  std::optional<ResourceLimits> limits = machine_limits();
  if (!limits) return kExitBadInput;
  const std::vector<std::string> reasons = over_limits(estimate, *limits);
  for (const std::string& reason : reasons) {
    spdlog::error("{}: error: this {} {}", printable(path), command, reason);
  }
  if (!reasons.empty()) return kExitBadInput;
  spdlog::debug(
      "{}: this {} needs about {} of memory at the peak (allowed here: {}, {}) and {} "
      "agent-days",
      printable(path), command, format_bytes(estimate.bytes), format_bytes(limits->memory_bytes),
      limits->memory_source, format_real(estimate.agent_days, 3));
  if (!estimate_only) return std::nullopt;
  std::printf(
      "cjsim %s | scenario %s | about %s of memory at the peak (allowed here: %s, %s) | "
      "%s agent-days\n",
      command.c_str(), printable(path).c_str(), format_bytes(estimate.bytes).c_str(),
      format_bytes(limits->memory_bytes).c_str(), limits->memory_source.c_str(),
      format_real(estimate.agent_days, 3).c_str());
  TextTable parts({number_column("memory"), text_column("for")});
  for (const ResourcePart& part : estimate.parts) {
    parts.add({format_bytes(part.bytes),
               part.what + (part.lower.empty() ? "" : " (lower: " + part.lower + ")")});
  }
  std::fputs(parts.text().c_str(), stdout);
  return kExitOk;
}

}  // namespace cjsim::cli
