// Where a command writes, and what it may know of the terminal: the process's
// own streams in real use, captured ones in tests.
export interface Out {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Io {
  stdout: Out;
  stderr: Out;
  env: Record<string, string | undefined>;
  /** Aborted when the user asks to stop (Ctrl-C); long-running commands end cleanly on it. */
  signal?: AbortSignal;
  /** The clock, so tests can pin "now". */
  now?: () => number;
}

export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

export const nowOf = (io: Io) => (io.now ?? Date.now)();

/** Terminal width for layout; 100 when not a terminal (pipes, tests). */
export const widthOf = (out: Out) => (out.isTTY && out.columns ? out.columns : 100);
