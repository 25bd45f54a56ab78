#include "tools/cjsim/commands.h"

namespace cjsim::cli {

namespace {

// Single quotes around an argument the shell would split or expand.
std::string shell_word(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789-_./=:,+@%") == std::string::npos) {
    return word;
  }
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace

void add_invocation(const Invocation& invocation, const std::string& scenario_file,
                    const std::string& variant_description, v1::Provenance* provenance) {
  provenance->set_command_line(invocation.command_line);
  provenance->set_scenario_file(scenario_file);
  provenance->set_variant_description(variant_description);
}

std::string command_line_of(int argc, char** argv) {
  std::string line = "cjsim";
  for (int i = 1; i < argc; ++i) line += " " + shell_word(argv[i]);
  return line;
}

std::string command_line_without(const Invocation& invocation,
                                 const std::vector<std::string>& dropped) {
  std::string line = "cjsim";
  const std::vector<std::string>& args = invocation.arguments;
  for (size_t i = 0; i < args.size(); ++i) {
    bool drop = false;
    for (const std::string& option : dropped) {
      if (args[i] == option) {
        drop = true;
        ++i;  // and its value
        break;
      }
      if (args[i].rfind(option + "=", 0) == 0) drop = true;
    }
    if (!drop) line += " " + shell_word(args[i]);
  }
  return line;
}

}  // namespace cjsim::cli
