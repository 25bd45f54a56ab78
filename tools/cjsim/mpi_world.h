// The processes of `mpirun -np N cjsim run|compare|sweep|curves|optimize
// ...`. Under run, compare and sweep each rank runs the replications of
// shard rank + 1 of N (sim/shard.h), rank 0 gathers the ranks' serialized
// shards and merges them with the code of `cjsim merge`; under curves and
// optimize every rank runs the whole study and shares out each model's
// replications (tools/cjsim/mpi_study.h); docs/scaling.md.
//
// An MpiWorld starts MPI only when a launcher started this process with
// more than one rank (Open MPI's OMPI_COMM_WORLD_SIZE, or PMI_SIZE), and
// only in a build with CJSIM_WITH_MPI; a build without it says how to get
// it (missing_mpi). One per process, made by main before the subcommand
// runs and passed to it (Invocation::world); main thread only. Every
// collective call must be made by every rank in the same order; a rank
// that fails before the collective end of its command aborts them all
// (main calls abort).
#ifndef CJSIM_TOOLS_CJSIM_MPI_WORLD_H_
#define CJSIM_TOOLS_CJSIM_MPI_WORLD_H_

#include <string>
#include <vector>

namespace cjsim::cli {

class MpiWorld {
 public:
  MpiWorld(int* argc, char*** argv);
  ~MpiWorld();
  MpiWorld(const MpiWorld&) = delete;
  MpiWorld& operator=(const MpiWorld&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }
  // More than one rank, with MPI running.
  bool is_parallel() const { return size_ > 1; }
  // Started by a launcher with `launched()` ranks, but built without MPI.
  bool missing_mpi() const { return launched_ > 1 && size_ == 1; }
  int launched() const { return launched_; }

  // Whether `ok` holds on every rank (collective). When it does not, the
  // ranks end their command together (joined).
  bool all_ok(bool ok);
  // Rank 0 receives every rank's `bytes`, in rank order; the others an
  // empty vector (collective).
  std::vector<std::string> gather(const std::string& bytes) const;
  // Every rank receives every rank's `bytes`, in rank order (collective).
  std::vector<std::string> all_gather(const std::string& bytes) const;
  // Every rank receives rank 0's `value` (collective), and the command has
  // ended together: a failure after this needs no abort.
  int broadcast_status(int value);
  // Whether the ranks have ended their command together.
  bool joined() const { return joined_; }
  // Ends every rank with `status`.
  [[noreturn]] void abort(int status) const;

 private:
  int rank_ = 0;
  int size_ = 1;
  int launched_ = 1;
  bool started_ = false;
  bool joined_ = false;
};

}  // namespace cjsim::cli

#endif  // CJSIM_TOOLS_CJSIM_MPI_WORLD_H_
