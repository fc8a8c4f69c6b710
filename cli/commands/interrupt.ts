// Ctrl-C and SIGTERM as an AbortSignal, for a command that runs until stopped
// (tail) or must stop cleanly mid-run (probe): the command finishes what it can,
// prints, and returns, instead of the process dying with output half written.
import { setMaxListeners } from "node:events";

/** An abort signal for Ctrl-C / SIGTERM while the command runs; release() removes the handlers. */
export function interruptSignal(): { signal: AbortSignal; release: () => void } {
  const ac = new AbortController();
  // Every request in flight may listen on it (a probe sweep at concurrency 50 is 50
  // listeners): that is not a leak, so no MaxListenersExceeded warning.
  setMaxListeners(0, ac.signal);
  const stop = () => ac.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return { signal: ac.signal, release: () => (process.off("SIGINT", stop), process.off("SIGTERM", stop)) };
}
