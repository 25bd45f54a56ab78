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

#ifdef CJSIM_WITH_MPI
namespace {

// The ranks' parts of `sizes` bytes laid end to end in rank order: where
// each starts, and the bytes of all, which MPI counts in an int.
struct Layout {
  std::vector<int> offsets;
  size_t total = 0;
};
Layout layout_of(const std::vector<int>& sizes) {
  Layout layout;
  int64_t total = 0;
  for (int size : sizes) {
    layout.offsets.push_back(static_cast<int>(total));
    total += size;
    CJSIM_CHECK(total <= std::numeric_limits<int>::max(),
                "the ranks' parts together are larger than MPI counts (2 GB): use more ranks");
  }
  layout.total = static_cast<size_t>(total);
  return layout;
}

// The parts of `all`, laid out by `layout`.
std::vector<std::string> split(const std::string& all, const std::vector<int>& sizes,
                               const Layout& layout) {
  std::vector<std::string> out;
  for (size_t r = 0; r < sizes.size(); ++r) {
    out.push_back(
        all.substr(static_cast<size_t>(layout.offsets[r]), static_cast<size_t>(sizes[r])));
  }
  return out;
}

// A rank's part's size, which MPI counts in an int.
int part_size(const std::string& bytes) {
  CJSIM_CHECK(bytes.size() <= static_cast<size_t>(std::numeric_limits<int>::max()),
              "a rank's part is larger than MPI counts (2 GB): use more ranks");
  return static_cast<int>(bytes.size());
}

}  // namespace
#endif

std::vector<std::string> MpiWorld::gather(const std::string& bytes) const {
#ifdef CJSIM_WITH_MPI
  if (started_) {
    const int size = part_size(bytes);
    std::vector<int> sizes(is_root() ? static_cast<size_t>(size_) : 0);
    MPI_Gather(&size, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    const Layout layout = layout_of(sizes);
    std::string all(layout.total, '\0');
    MPI_Gatherv(bytes.data(), size, MPI_BYTE, all.data(), sizes.data(), layout.offsets.data(),
                MPI_BYTE, 0, MPI_COMM_WORLD);
    return split(all, sizes, layout);
  }
#endif
  return {bytes};
}

std::vector<std::string> MpiWorld::all_gather(const std::string& bytes) const {
#ifdef CJSIM_WITH_MPI
  if (started_) {
    const int size = part_size(bytes);
    std::vector<int> sizes(static_cast<size_t>(size_));
    MPI_Allgather(&size, 1, MPI_INT, sizes.data(), 1, MPI_INT, MPI_COMM_WORLD);
    const Layout layout = layout_of(sizes);
    std::string all(layout.total, '\0');
    MPI_Allgatherv(bytes.data(), size, MPI_BYTE, all.data(), sizes.data(), layout.offsets.data(),
                   MPI_BYTE, MPI_COMM_WORLD);
    return split(all, sizes, layout);
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
