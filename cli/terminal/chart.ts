// Small charts from unicode block characters: a one-line sparkline and a
// column chart of a few rows with a y axis (min and max) and a time axis.
// Eighth blocks give each row eight levels, so 6 rows resolve 48.
import { formatNumber } from "./format";

const BLOCKS = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

type V = number | null;
const usable = (v: V): v is number => v !== null && Number.isFinite(v);

/** Squeezes values into `width` columns, each the mean of its share of the points (nulls skipped; all-null stays a gap). */
export function resample(values: V[], width: number): V[] {
  if (values.length <= width) return values.slice();
  const out: V[] = [];
  for (let j = 0; j < width; j++) {
    const from = Math.floor((j * values.length) / width);
    const to = Math.floor(((j + 1) * values.length) / width);
    let sum = 0;
    let n = 0;
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (usable(v)) {
        sum += v;
        n++;
      }
    }
    out.push(n ? sum / n : null);
  }
  return out;
}

export function range(values: V[]): { min: number; max: number } | null {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!usable(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min === Infinity ? null : { min, max };
}

/** Level 1..levels of each value between min and max (the minimum still shows: level 1); 0 for a gap; a flat series sits mid-height. */
function levels(values: V[], levelsTotal: number, r: { min: number; max: number }): number[] {
  return values.map((v) => {
    if (!usable(v)) return 0;
    if (r.max === r.min) return Math.ceil(levelsTotal / 2);
    return 1 + Math.round(((v - r.min) / (r.max - r.min)) * (levelsTotal - 1));
  });
}

/** One row of eighth blocks: ▁▂▄█ ; a gap is a space. */
export function sparkline(values: V[], width = values.length): string {
  const cols = resample(values, width);
  const r = range(cols);
  if (!r) return " ".repeat(cols.length);
  return levels(cols, 8, r).map((l) => BLOCKS[l]).join("");
}

export interface ChartOptions {
  width: number;
  height: number;
  /** Text of the y-axis labels; formatNumber by default. */
  format?: (v: number) => string;
}

/**
 * A column chart: `height` rows of blocks, the y axis labelled with the
 * maximum (top) and minimum (bottom). Returns the lines and the width of the
 * axis gutter, so a time axis can be lined up under the columns.
 */
export function columnChart(values: V[], opts: ChartOptions): { lines: string[]; gutter: number } {
  const cols = resample(values, opts.width);
  const r = range(cols);
  const fmt = opts.format ?? formatNumber;
  const top = r ? fmt(r.max) : "";
  const bottom = r ? fmt(r.min) : "";
  const labelWidth = Math.max(top.length, bottom.length, 1);
  const lv = r ? levels(cols, opts.height * 8, r) : cols.map(() => 0);
  const lines: string[] = [];
  for (let row = opts.height - 1; row >= 0; row--) {
    const label = row === opts.height - 1 ? top : row === 0 ? bottom : "";
    const cells = lv.map((l) => BLOCKS[Math.max(0, Math.min(8, l - row * 8))]).join("");
    lines.push(`${label.padStart(labelWidth)} ${row === opts.height - 1 || row === 0 ? "┤" : "│"}${cells}`);
  }
  return { lines, gutter: labelWidth + 2 };
}

const two = (n: number) => String(n).padStart(2, "0");

/** The label of a time on an axis spanning `spanMs`: seconds for short spans, the date for long ones. */
export function axisTime(ms: number, spanMs: number): string {
  const d = new Date(ms);
  const hm = `${two(d.getHours())}:${two(d.getMinutes())}`;
  if (spanMs > 86_400_000) return `${two(d.getMonth() + 1)}-${two(d.getDate())} ${hm}`;
  return spanMs < 600_000 ? `${hm}:${two(d.getSeconds())}` : hm;
}

/** A time axis under `width` columns after a gutter: └───┘ with the start, middle and end times below. */
export function timeAxis(startMs: number, endMs: number, width: number, gutter: number): string[] {
  const span = endMs - startMs;
  const first = axisTime(startMs, span);
  const last = axisTime(endMs, span);
  const rule = `${" ".repeat(gutter - 1)}└${"─".repeat(width)}`;
  let labels = first;
  const room = width - first.length - last.length;
  if (room > 0) {
    const mid = axisTime(startMs + span / 2, span);
    const midAt = Math.floor(width / 2 - mid.length / 2) - first.length;
    labels = room > mid.length + 4 && midAt > 1
      ? first + " ".repeat(midAt) + mid + " ".repeat(Math.max(1, width - first.length - midAt - mid.length - last.length)) + last
      : first + " ".repeat(room) + last;
  }
  return [rule, " ".repeat(gutter) + labels];
}
