// Numeric flags of the load test, each with its bounds in the message, so a
// typo or an out-of-range load is refused before anything is sent.
import { CliError } from "../errors";

export function numberFlag(raw: string | undefined, flag: string, o: { min: number; max: number; integer?: boolean; fallback: number }): number {
  if (raw === undefined) return o.fallback;
  const n = Number(raw.trim());
  const shape = o.integer ? /^\d+$/ : /^\d+(\.\d+)?$/;
  if (!shape.test(raw.trim()) || n < o.min || n > o.max)
    throw new CliError(`--${flag} takes ${o.integer ? "a whole number" : "a number"} from ${o.min} to ${o.max.toLocaleString("en-US")} (not ${JSON.stringify(raw)})`);
  return n;
}
