// Replays saved inputs through a fuzz target without libFuzzer, so that the
// seed corpus and every regression input run in each build (CTest "fuzz
// replay: TARGET", any compiler, with or without sanitizers).
//
//   fuzz_replay_TARGET PATH...
//
// Each PATH is a file or a folder of files (not searched below); files are
// run in name order. A missing folder counts as empty, so a target without
// regression inputs yet still passes; no input at all is an error (a wrong
// path). A failing input aborts the process (as under libFuzzer); the last
// "replay:" line names it.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::vector<std::filesystem::path> inputs_in(const std::filesystem::path& path) {
  std::vector<std::filesystem::path> files;
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
      if (entry.is_regular_file(error)) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
  } else if (std::filesystem::exists(path, error)) {
    files.push_back(path);
  }
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PATH... (input files or folders of them)\n", argv[0]);
    return 2;
  }
  int count = 0;
  for (int i = 1; i < argc; ++i) {
    for (const std::filesystem::path& file : inputs_in(argv[i])) {
      std::ifstream in(file, std::ios::binary);
      const std::string content{std::istreambuf_iterator<char>(in),
                                std::istreambuf_iterator<char>()};
      if (!in.good() && !in.eof()) {
        std::fprintf(stderr, "replay: cannot read %s\n", file.c_str());
        return 1;
      }
      std::fprintf(stderr, "replay: %s\n", file.c_str());
      // A copy the size of the input, so that reading past it is caught
      // under AddressSanitizer as it is under libFuzzer.
      const std::vector<uint8_t> data(content.begin(), content.end());
      LLVMFuzzerTestOneInput(data.data(), data.size());
      ++count;
    }
  }
  if (count == 0) {
    std::fprintf(stderr, "replay: no input files in the paths given\n");
    return 1;
  }
  std::printf("replayed %d inputs\n", count);
  return 0;
}
