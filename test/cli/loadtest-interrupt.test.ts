// interruptSignal, as loadtest and demo use it: the first signal aborts; with
// `again`, each later one calls it (loadtest stops waiting for markers, demo
// exits) and the handlers stay until release(); without it (probe, tail) the
// handlers go after the first, so a second Ctrl-C kills the default way. The
// handlers are called directly, not by process.emit, so the test runner's own
// SIGINT handling is never triggered.
import { describe, expect, it } from "vitest";
import { interruptSignal } from "../../cli/commands/interrupt";

function added(sig: NodeJS.Signals, before: Set<unknown>) {
  return process.rawListeners(sig).filter((l) => !before.has(l)) as ((s: NodeJS.Signals) => void)[];
}

describe("interruptSignal", () => {
  it("by default aborts on the first SIGINT or SIGTERM and leaves the second to the process", () => {
    const int = new Set(process.rawListeners("SIGINT"));
    const term = new Set(process.rawListeners("SIGTERM"));
    const { signal, release } = interruptSignal();
    const [onInt] = added("SIGINT", int);
    expect(added("SIGTERM", term)).toHaveLength(1);
    expect(signal.aborted).toBe(false);
    onInt("SIGINT");
    expect(signal.aborted).toBe(true);
    // once: the SIGINT handler is gone, so another Ctrl-C is Node's default (the process ends).
    expect(added("SIGINT", int)).toHaveLength(0);
    release();
    expect(added("SIGTERM", term)).toHaveLength(0);
  });

  it("with `again`, calls it for every later signal until released, and listens only to the signals asked for", () => {
    const int = new Set(process.rawListeners("SIGINT"));
    const term = new Set(process.rawListeners("SIGTERM"));
    let later = 0;
    const { signal, release } = interruptSignal({ signals: ["SIGINT"], again: () => later++ });
    expect(added("SIGTERM", term)).toHaveLength(0);
    const handlers = () => added("SIGINT", int);
    expect(handlers()).toHaveLength(1);
    handlers()[0]("SIGINT");
    expect(signal.aborted).toBe(true);
    expect(later).toBe(0);
    handlers()[0]("SIGINT");
    handlers()[0]("SIGINT");
    expect(later).toBe(2);
    release();
    expect(handlers()).toHaveLength(0);
  });
});
