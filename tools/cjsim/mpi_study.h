// `mpirun -np N cjsim curves|optimize ...`: every rank runs the whole
// study, each model's replications are shared out among the ranks by the
// study's replication runner (sim/replication_runner.h), and rank 0 alone
// shows progress and writes the outputs.
//
// A call for replications [first, first + count) runs on rank r the
// contiguous range of shard r + 1 of N within it (sim/shard.h
// shard_range, the rule of --shard: with N > count some ranks run none),
// serializes its counts as a cjsim.v1.ShardCounts (sim/shard.h to_sample),
// and every rank receives every rank's bytes (MPI_Allgatherv): each rank
// then holds the counts of all the replications in order, the same bits a
// single process computes, and takes the same decisions from them.
//
// Every call is collective: every rank must call the runner the same
// number of times in the same order, with the same model and range. That
// holds because each rank runs the same study on the same input, whose
// control flow depends only on the counts, which every rank has alike.
// Each rank sends along what it is running (the model's scenario hash, the
// seed and the range), and a rank that finds another running something
// else (a different build or libm on some node) throws rather than mix
// their counts. The one input that differs between ranks is a signal (the
// stop flag):
// when any rank's counts were cut short by it, every rank learns so in the
// same call and throws, so that no rank goes on to another collective;
// main then ends them together (the stopped rank with 130 or 143, the
// others with 1, nothing written). A rank that fails on its own (an
// exception before the call) never reaches it, and main's MPI_Abort ends
// the others waiting in it.
//
// Main thread only (the one that runs the study); the engine spreads each
// rank's range over the calling thread's task arena.
#ifndef CJSIM_TOOLS_CJSIM_MPI_STUDY_H_
#define CJSIM_TOOLS_CJSIM_MPI_STUDY_H_

#include <functional>
#include <string>
#include <vector>

#include "sim/replication_runner.h"
#include "tools/cjsim/commands.h"
#include "tools/cjsim/study_output.h"

namespace cjsim::cli {

class MpiWorld;

// The runner of `world`'s ranks; run_locally when `world` is null or has
// one rank. REQUIRES: `world` outlives the runner.
ReplicationRunner replications_on(MpiWorld* world);

// Whether this process speaks for the study: shows progress, prints and
// writes the outputs (rank 0, or the one process).
bool speaks(const Invocation& invocation);

// Opens `files` (StudyFiles::open) on the process that speaks, and tells
// every rank whether that worked (collective): false, with the error
// printed by rank 0, ends the command with exit status 2 on every rank.
bool open_study_files(StudyFiles& files, const OutputOptions& output,
                      const std::vector<std::string>& csv_files, const std::string& scenario,
                      const Invocation& invocation);

// The exit status of `finish` (which writes the outputs) run by the process
// that speaks, given to every rank (collective), so that they end together.
int finish_study(const Invocation& invocation, const std::function<int()>& finish);

}  // namespace cjsim::cli

#endif  // CJSIM_TOOLS_CJSIM_MPI_STUDY_H_
