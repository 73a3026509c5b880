#ifndef TSERVE_SERVER_SIGNALS_H_
#define TSERVE_SERVER_SIGNALS_H_

namespace tserve::server {

// Blocks SIGTERM and SIGINT in the calling thread. Call it first thing in
// main(), before any thread exists: threads inherit the mask, so the signals
// stay pending until WaitForTerminationSignal() takes them. No handler runs,
// so nothing has to be async-signal-safe.
void BlockTerminationSignals();

// Waits until SIGTERM or SIGINT arrives and returns its number.
int WaitForTerminationSignal();

// Starts a thread that ends the process with status 128 + signal at the next
// SIGTERM or SIGINT: a second Ctrl-C during a slow drain means "now".
void ExitOnNextTerminationSignal();

}  // namespace tserve::server

#endif  // TSERVE_SERVER_SIGNALS_H_
