#include "tools/cjsim/mpi_world.h"

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string_view>

#ifdef CJSIM_WITH_MPI
#include <mpi.h>
#endif

#include "models/check.h"

namespace cjsim::cli {

namespace {

// The ranks a launcher started, from its environment; 1 when none did.
int launched_ranks() {
  for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"}) {
    if (const char* value = std::getenv(variable); value != nullptr) {
      const int n = std::atoi(value);
      if (n > 0) return n;
    }
  }
  return 1;
}

}  // namespace

MpiWorld::MpiWorld(int* argc, char*** argv) : launched_(launched_ranks()) {
#ifdef CJSIM_WITH_MPI
  if (launched_ > 1) {
    MPI_Init(argc, argv);
    started_ = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
#else
  (void)argc;
  (void)argv;
#endif
}

MpiWorld::~MpiWorld() {
#ifdef CJSIM_WITH_MPI
  if (started_) MPI_Finalize();
#endif
}

bool MpiWorld::all_ok(bool ok) {
#ifdef CJSIM_WITH_MPI
  if (started_) {
    int mine = ok ? 1 : 0, all = 0;
    MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    // Every rank has learnt that the command fails: they end it together.
    if (all == 0) joined_ = true;
    return all != 0;
  }
#endif
  return ok;
}

std::vector<std::string> MpiWorld::gather(const std::string& bytes) const {
#ifdef CJSIM_WITH_MPI
  if (started_) {
    CJSIM_CHECK(bytes.size() <= static_cast<size_t>(std::numeric_limits<int>::max()),
                "a rank's shard is larger than MPI counts (2 GB): use more ranks");
    const int size = static_cast<int>(bytes.size());
    std::vector<int> sizes(is_root() ? static_cast<size_t>(size_) : 0);
    MPI_Gather(&size, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    std::vector<int> offsets(sizes.size());
    int64_t total = 0;
    for (size_t r = 0; r < sizes.size(); ++r) {
      offsets[r] = static_cast<int>(total);
      total += sizes[r];
    }
    CJSIM_CHECK(total <= std::numeric_limits<int>::max(),
                "the ranks' shards together are larger than MPI counts (2 GB)");
    std::string all(static_cast<size_t>(total), '\0');
    MPI_Gatherv(bytes.data(), size, MPI_BYTE, all.data(), sizes.data(), offsets.data(), MPI_BYTE, 0,
                MPI_COMM_WORLD);
    std::vector<std::string> out;
    for (size_t r = 0; r < sizes.size(); ++r) {
      out.push_back(all.substr(static_cast<size_t>(offsets[r]), static_cast<size_t>(sizes[r])));
    }
    return out;
  }
#endif
  return {bytes};
}

int MpiWorld::broadcast_status(int value) {
#ifdef CJSIM_WITH_MPI
  if (started_) MPI_Bcast(&value, 1, MPI_INT, 0, MPI_COMM_WORLD);
#endif
  joined_ = true;
  return value;
}

void MpiWorld::abort(int status) const {
#ifdef CJSIM_WITH_MPI
  if (started_) MPI_Abort(MPI_COMM_WORLD, status);
#endif
  std::exit(status);
}

}  // namespace cjsim::cli
