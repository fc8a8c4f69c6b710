// Numeric flags given on the command line. Every command reads them through
// here so that the same typo gets the same refusal, with the accepted range in
// the message: `--vus takes a whole number from 1 to 1,000 (not "5000")`.
import { CliError } from "../errors";

export interface NumberBounds {
  /** Smallest value accepted (inclusive). */
  min?: number;
  /** Largest value accepted (inclusive). */
  max?: number;
  /** Values must be strictly greater than this (for "a timeout > 0"). */
  above?: number;
  /** Whole numbers only (counts, seeds, sizes). */
  integer?: boolean;
  /** What the number counts, for the message: "seconds" gives "a number of seconds". */
  unit?: string;
}

// Plain decimal notation only: "1e3", "0x10", ".5" and "" are typos on a
// command line far more often than intended, and Number() would take them.
// No sign either: no flag of ours takes a negative number.
const WHOLE = /^\d+$/;
const DECIMAL = /^\d+(\.\d+)?$/;

const shown = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 20 });

/** The "takes …" part of the refusal, e.g. "a whole number from 1 to 50". */
export function describeNumber(b: NumberBounds): string {
  const kind = `${b.integer ? "a whole number" : "a number"}${b.unit ? ` of ${b.unit}` : ""}`;
  if (b.above !== undefined) return `${kind} > ${shown(b.above)}${b.max !== undefined ? ` and at most ${shown(b.max)}` : ""}`;
  if (b.min !== undefined && b.max !== undefined) return `${kind} from ${shown(b.min)} to ${shown(b.max)}`;
  if (b.min === 0) return `${b.integer ? "a non-negative whole number" : "a non-negative number"}${b.unit ? ` of ${b.unit}` : ""}`;
  if (b.min !== undefined) return `${kind} of at least ${shown(b.min)}`;
  if (b.max !== undefined) return `${kind} of at most ${shown(b.max)}`;
  return kind;
}

/**
 * The value of a numeric flag, or `fallback` when the flag was not given.
 * Surrounding spaces are ignored; anything else outside the bounds is refused.
 */
export function numberFlag(raw: string | undefined, flag: string, o: NumberBounds & { fallback: number }): number;
export function numberFlag(raw: string | undefined, flag: string, o?: NumberBounds & { fallback?: undefined }): number | undefined;
export function numberFlag(raw: string | undefined, flag: string, o: NumberBounds & { fallback?: number } = {}): number | undefined {
  if (raw === undefined) return o.fallback;
  const n = readNumber(raw, o);
  if (n === null) throw new CliError(`--${flag} takes ${describeNumber(o)} (not ${JSON.stringify(raw)})`);
  return n;
}

/** `raw` as a number within the bounds, or null: for a flag that holds several (a list), which says all that are wrong at once. */
export function readNumber(raw: string, o: NumberBounds): number | null {
  const s = raw.trim();
  const n = Number(s);
  const ok =
    (o.integer ? WHOLE : DECIMAL).test(s) &&
    Number.isFinite(n) &&
    (!o.integer || Number.isSafeInteger(n)) &&
    (o.min === undefined || n >= o.min) &&
    (o.max === undefined || n <= o.max) &&
    (o.above === undefined || n > o.above);
  return ok ? n : null;
}

const PERCENT = /^(\d+(?:\.\d+)?)%$/;
const PERCENT_OR_BARE = /^(\d+(?:\.\d+)?)%?$/;

export interface FractionOptions {
  fallback?: number;
  /**
   * How a number without "%" reads: "fraction" (the default: 0.01 is 1%) or
   * "percent", for a flag that was always a percentage (probe's --min-success
   * 99), so that 99 and 99% both mean 99%.
   */
  bare?: "fraction" | "percent";
}

/**
 * A share of something, as a fraction (`0.01`) or a percentage (`1%`), read as
 * a fraction from 0 to 1; `fallback` when the flag was not given. A bare
 * number above 1 is refused with the percentage it probably meant ("5" → 5%):
 * taking it as 5% would guess, and a threshold that silently means 500% or 5%
 * depending on a sign is worse than a refusal. With `bare: "percent"` a bare
 * number is a percentage and there is nothing to guess.
 */
export function fractionFlag(raw: string | undefined, flag: string, o: FractionOptions & { fallback: number }): number;
export function fractionFlag(raw: string | undefined, flag: string, o?: FractionOptions & { fallback?: undefined }): number | undefined;
export function fractionFlag(raw: string | undefined, flag: string, o: FractionOptions = {}): number | undefined {
  if (raw === undefined) return o.fallback;
  const s = raw.trim();
  const bare = o.bare ?? "fraction";
  const pct = (bare === "percent" ? PERCENT_OR_BARE : PERCENT).exec(s);
  // toPrecision: 1.1% is 0.011, not 0.011000000000000001.
  const n = pct ? Number((Number(pct[1]) / 100).toPrecision(15)) : DECIMAL.test(s) ? Number(s) : NaN;
  if (Number.isFinite(n) && n >= 0 && n <= 1) return n;
  if (bare === "percent") throw new CliError(`--${flag} takes a percentage from 0 to 100, such as 99 or 99.5% (not ${JSON.stringify(raw)})`);
  const meant = !pct && Number.isFinite(n) && n <= 100 ? `; for ${shown(n)} percent write ${shown(n)}%` : "";
  throw new CliError(`--${flag} takes a fraction from 0 to 1 or a percentage from 0% to 100%, such as 0.01 or 1% (not ${JSON.stringify(raw)}${meant})`);
}
