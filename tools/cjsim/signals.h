// SIGINT and SIGTERM: how the command line stops (docs/cli.md "Exit status").
//
// The first signal sets the stop flag that the work reads (sim/stop.h):
// the simulation ends at the next simulated day, the command writes no
// result, its OutputSet removes every temporary file and every folder it
// made, and the command prints "cjsim: interrupted; nothing was written" and
// exits 130 (SIGINT) or 143 (SIGTERM). A second signal does not wait: the
// handler itself removes the files and folders registered below with
// unlink and rmdir, prints the same line and calls _exit with the same
// status. Once the outputs are being committed (begin_commit) a first
// signal no longer stops the command: the outputs are complete and are
// written; a second one still stops it at once.
//
// This is the only process-wide state of cjsim, as signal handlers need it;
// the libraries see only the flag. The registry of paths is a fixed table
// filled by the main thread, so the handler needs no allocation or lock.
#ifndef CJSIM_TOOLS_CJSIM_SIGNALS_H_
#define CJSIM_TOOLS_CJSIM_SIGNALS_H_

#include <atomic>
#include <string>

namespace cjsim::cli {

inline constexpr int kExitSigint = 130;   // 128 + SIGINT
inline constexpr int kExitSigterm = 143;  // 128 + SIGTERM

// Installs the handlers of SIGINT and SIGTERM (leaving a signal that was
// ignored when cjsim started ignored, as for background jobs). Called once by
// main before any other thread starts.
void install_signal_handlers();

// The flag the first signal sets, for the libraries (sim/stop.h).
const std::atomic<bool>* stop_flag();

// True when a signal arrived before the outputs began to be committed.
bool interrupted();

// Prints "cjsim: interrupted; nothing was written" (once) and returns 130
// or 143 for the first signal received. REQUIRES: interrupted().
int interrupted_exit();

// Called by the OutputSet when it starts to commit: false when a signal has
// arrived (then the outputs must be abandoned); true when it has not, and
// from then on a first signal no longer interrupts the command.
bool begin_commit();

// Registers a temporary file (or a folder the command made) for the second
// signal to remove. Returns a token for forget_on_signal, or -1 when the
// fixed table is full. Main thread only.
int remove_on_signal(const std::string& path, bool folder);
// The path is no longer the handler's to remove (it was renamed into place
// or removed already). Ignores -1.
void forget_on_signal(int token);

}  // namespace cjsim::cli

#endif  // CJSIM_TOOLS_CJSIM_SIGNALS_H_
