// End-to-end tests of `--shard I/N --out FILE` and `cjsim merge`: the
// merged JSON is byte for byte the single-process JSON but for the timing
// fields (wall time, threads) and the command line, for run, compare and
// sweep, any N (N > R too) and thread count; and every refusal exits 2
// naming the option or the files.

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::contains;
using testing::read_file;
using testing::run_cli;
using testing::source_path;
using testing::TempDir;
using testing::without_timing;

// The nonprofit example, small: two goal kinds, loyalty, targets, variants.
const std::string kNonprofit = source_path("scenarios/nonprofit.textproto");
const std::string kStudy =
    kNonprofit + " --agents 800 --replications 4 --horizon-days 365 --seed 5";

void require_ok(const std::string& args) {
  const testing::CliResult r = run_cli(args);
  INFO(args);
  INFO(r.err);
  REQUIRE(r.status == 0);
}

// `command` (run, compare or sweep with its options) in one process and as
// `shards` shards on alternating 1 and 2 threads, merged: the same JSON.
void check_merge_matches(const std::string& command, int shards) {
  TempDir dir;
  const std::string single = dir.file("single.json");
  require_ok(command + " --threads 2 --quiet --json " + single);
  std::string parts;
  for (int i = 1; i <= shards; ++i) {
    const std::string part = dir.file("part-" + std::to_string(i) + ".pb");
    require_ok(command + " --threads " + std::to_string(1 + i % 2) + " --quiet --shard " +
               std::to_string(i) + "/" + std::to_string(shards) + " --out " + part);
    parts = " " + part + parts;  // any order
  }
  const std::string merged = dir.file("merged.json");
  require_ok("merge" + parts + " --quiet --json " + merged);
  const std::string a = read_file(single), b = read_file(merged);
  INFO(command << " in " << shards << " shards");
  REQUIRE_FALSE(a.empty());
  CHECK(without_timing(a) == without_timing(b));
}

TEST_CASE("cli shard: a merged run is the single-process run, for N = 1, 2, 3 and N > R") {
  for (int shards : {1, 2, 3, 6}) check_merge_matches("run " + kStudy, shards);
  // KPIs over a window and a variant.
  check_merge_matches("run " + kStudy + " --variant " + "boost_facebook --window 10:40", 3);
}

TEST_CASE("cli shard: a merged comparison is the single-process comparison") {
  for (int shards : {1, 2, 3, 5}) check_merge_matches("compare " + kStudy, shards);
}

TEST_CASE("cli shard: a merged sweep is the single-process sweep") {
  for (int shards : {1, 2, 3, 5}) {
    check_merge_matches("sweep " + kStudy + " --set 'channels[facebook].weekly_budget=0:700:3'",
                        shards);
  }
}

TEST_CASE("cli shard: merge writes the tables and the report, and the table on stdout") {
  TempDir dir;
  for (int i = 1; i <= 2; ++i) {
    require_ok("run " + kStudy + " --quiet --shard " + std::to_string(i) + "/2 --out " +
               dir.file("p" + std::to_string(i) + ".pb"));
  }
  const testing::CliResult r =
      run_cli("merge " + dir.file("p1.pb") + " " + dir.file("p2.pb") + " --csv " +
              dir.file("tables") + " --report " + dir.file("r.html"));
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(contains(r.out, "conversion"));
  CHECK(std::ifstream(dir.file("tables/kpis.csv")).good());
  CHECK(std::ifstream(dir.file("r.html")).good());
}

// `args` exits 2 and its message has every one of `parts`.
void check_refused(const std::string& args, const std::vector<std::string>& parts) {
  const testing::CliResult r = run_cli(args);
  INFO(args);
  INFO(r.err);
  CHECK(r.status == 2);
  for (const std::string& part : parts) CHECK(contains(r.err, part));
}

TEST_CASE("cli shard: shard options that cannot work are refused, naming the option") {
  TempDir dir;
  const std::string out = " --out " + dir.file("p.pb");
  check_refused("run " + kStudy + " --shard 1/2", {"--shard needs --out"});
  check_refused("run " + kStudy + out, {"--out", "--shard I/N"});
  check_refused("run " + kStudy + " --shard 0/2" + out, {"--shard 0/2", "from 1 to N"});
  check_refused("run " + kStudy + " --shard 3/2" + out, {"--shard 3/2", "from 1 to N"});
  check_refused("run " + kStudy + " --shard 1/0" + out, {"--shard 1/0", "N"});
  check_refused("run " + kStudy + " --shard 2" + out, {"--shard 2", "I/N"});
  check_refused("run " + kStudy + " --shard a/b" + out, {"--shard a/b", "I/N"});
  check_refused("run " + kStudy + " --shard -1/2" + out, {"--shard -1/2"});
  check_refused("run " + source_path("scenarios/b2b_saas.textproto") + " --exact --shard 1/2" + out,
                {"--exact with --shard"});
  for (const std::string option : {"--json", "--report", "--csv", "--svg"}) {
    check_refused("run " + kStudy + " --shard 1/2" + out + " " + option + " " + dir.file("whole"),
                  {option + " with --shard", "cjsim merge"});
  }
  check_refused("compare " + kStudy + " --target-half-width 0.01 --shard 1/2" + out,
                {"--target-half-width with --shard"});
  check_refused("sweep " + kStudy +
                    " --set 'channels[facebook].weekly_budget=0:700:3' --shard "
                    "1/2 --json x.json" +
                    out,
                {"--json with --shard"});
  CHECK_FALSE(std::ifstream(dir.file("p.pb")).good());  // nothing written
}

TEST_CASE("cli shard: curves and optimize refuse --shard and --out, saying why") {
  TempDir dir;
  const std::string out = " --out " + dir.file("p.pb");
  check_refused("curves " + kStudy + " --shard 1/2" + out,
                {"--shard: curves does not write shards", "mpirun", "sweep --set"});
  check_refused("optimize " + kStudy + " --weekly-budget 700" + out,
                {"--out: optimize does not write shards", "mpirun"});
  CHECK_FALSE(std::ifstream(dir.file("p.pb")).good());
}

TEST_CASE("cli shard: merge refuses corrupt files and parts that are not one study") {
  TempDir dir;
  auto shard = [&](const std::string& options, int i, int n, const std::string& name) {
    const std::string path = dir.file(name);
    require_ok(options + " --quiet --shard " + std::to_string(i) + "/" + std::to_string(n) +
               " --out " + path);
    return path;
  };
  const std::string p1 = shard("run " + kStudy, 1, 3, "p1.pb");
  const std::string p2 = shard("run " + kStudy, 2, 3, "p2.pb");
  const std::string p3 = shard("run " + kStudy, 3, 3, "p3.pb");
  require_ok("merge " + p1 + " " + p2 + " " + p3 + " --quiet");

  check_refused("merge " + p1 + " " + p3, {"shard 2 of 3 is missing"});
  check_refused("merge " + p1 + " " + p2 + " " + p2 + " " + p3, {"are both shard 2 of 3"});
  const std::string seed =
      shard("run " + kNonprofit + " --agents 800 --replications 4 --horizon-days 365 --seed 6", 2,
            3, "seed.pb");
  check_refused("merge " + p1 + " " + seed + " " + p3, {"seed.pb", "seeds (5, 6)"});
  const std::string variant =
      shard("run " + kStudy + " --variant boost_facebook", 2, 3, "variant.pb");
  check_refused("merge " + p1 + " " + variant + " " + p3, {"variant.pb", "variants"});
  const std::string agents = shard("run " + source_path("scenarios/nonprofit.textproto") +
                                       " --agents 900 --replications 4 --horizon-days 365 --seed 5",
                                   2, 3, "agents.pb");
  check_refused("merge " + p1 + " " + agents + " " + p3, {"agents.pb", "agents (800, 900)"});
  const std::string four = shard("run " + kStudy, 2, 4, "four.pb");
  check_refused("merge " + p1 + " " + four + " " + p3, {"shard counts N (3, 4)"});
  const std::string compare = shard("compare " + kStudy, 2, 3, "compare.pb");
  check_refused("merge " + p1 + " " + compare + " " + p3, {"commands (run, compare)"});

  const std::string bytes = read_file(p2);
  const std::string cut = dir.write("cut.pb", bytes.substr(0, bytes.size() - 7));
  check_refused("merge " + p1 + " " + cut + " " + p3, {"cut.pb: ", "cut short"});
  const std::string text = dir.write("text.pb", "hello\n");
  check_refused("merge " + text, {"text.pb: ", "not a shard file"});
  check_refused("merge " + dir.file("absent.pb"), {"absent.pb: cannot be read"});
  // An output onto a part is refused before anything is written.
  check_refused("merge " + p1 + " " + p2 + " " + p3 + " --json " + p3, {"--json"});
  CHECK(read_file(p3).size() > 0);
}

}  // namespace
}  // namespace cjsim
