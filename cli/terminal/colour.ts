// ANSI colour, only for a person at a terminal: never into a pipe or a file,
// and never when NO_COLOR is set to anything but "" (https://no-color.org).
import type { Io, Out } from "./io";

export interface Palette {
  enabled: boolean;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const wrap = (on: boolean, open: number, close: number) => (s: string) => (on && s !== "" ? `\x1b[${open}m${s}\x1b[${close}m` : s);

export function palette(enabled: boolean): Palette {
  return {
    enabled,
    red: wrap(enabled, 31, 39),
    green: wrap(enabled, 32, 39),
    yellow: wrap(enabled, 33, 39),
    cyan: wrap(enabled, 36, 39),
    dim: wrap(enabled, 2, 22),
    bold: wrap(enabled, 1, 22),
  };
}

export function colourEnabled(out: Out, env: Io["env"]): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return out.isTTY === true;
}

/** The palette for what goes to a stream of this command. */
export const paletteFor = (io: Io, stream: "stdout" | "stderr" = "stdout") => palette(colourEnabled(io[stream], io.env));

const ANSI = /\x1b\[[0-9;]*m/g;
export const stripAnsi = (s: string) => s.replace(ANSI, "");
/** Columns a string takes on screen: its characters without escape codes. */
export const visibleLength = (s: string) => [...stripAnsi(s)].length;
