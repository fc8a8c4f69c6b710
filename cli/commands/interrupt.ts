// Ctrl-C and SIGTERM as an AbortSignal, for a command that runs until stopped
// (tail) or must stop cleanly mid-run (probe, loadtest, demo): the command
// finishes what it can, prints, and returns, instead of the process dying with
// output half written.
import { setMaxListeners } from "node:events";

export interface InterruptOptions {
  /** The signals that stop the command; default SIGINT and SIGTERM. */
  signals?: NodeJS.Signals[];
  /**
   * What each later signal does once the first has aborted (loadtest: stop
   * waiting for markers; demo: exit at once). Without it the handlers go after
   * the first signal, so a second Ctrl-C kills the process the default way.
   */
  again?: () => void;
}

/** An abort signal for Ctrl-C / SIGTERM while the command runs; release() removes the handlers. */
export function interruptSignal(opts: InterruptOptions = {}): { signal: AbortSignal; release: () => void } {
  const ac = new AbortController();
  // Every request in flight may listen on it (a probe sweep at concurrency 50 is 50
  // listeners): that is not a leak, so no MaxListenersExceeded warning.
  setMaxListeners(0, ac.signal);
  const signals = opts.signals ?? ["SIGINT", "SIGTERM"];
  const again = opts.again;
  const stop = again ? () => (ac.signal.aborted ? again() : ac.abort()) : () => ac.abort();
  for (const s of signals) {
    if (again) process.on(s, stop);
    else process.once(s, stop);
  }
  return { signal: ac.signal, release: () => signals.forEach((s) => process.off(s, stop)) };
}
