// What `inferscope query` prints: an instant result as a table of series and
// values, a range result as a small chart per series with a legend.
import type { Palette } from "../terminal/colour";
import { columnChart, range, timeAxis } from "../terminal/chart";
import { formatDateTime, formatLabels, formatNumber } from "../terminal/format";
import { renderTable } from "../terminal/table";

export type Sample = [number, string];
export interface VectorItem { metric: Record<string, string>; value: Sample }
export interface MatrixItem { metric: Record<string, string>; values: Sample[] }
export type QueryData =
  | { resultType: "vector"; result: VectorItem[] }
  | { resultType: "matrix"; result: MatrixItem[] }
  | { resultType: "scalar"; result: Sample }
  | { resultType: "string"; result: Sample };

const at = (t: number) => formatDateTime(t * 1000);

export function renderInstant(data: QueryData): string {
  switch (data.resultType) {
    case "scalar":
      return `scalar ${data.result[1]}  at ${at(data.result[0])}\n`;
    case "string":
      return `string ${JSON.stringify(data.result[1])}  at ${at(data.result[0])}\n`;
    case "vector":
      if (!data.result.length) return "no series (empty result)\n";
      return renderTable(data.result, [
        { title: "SERIES", cell: (r) => formatLabels(r.metric) },
        { title: "VALUE", cell: (r) => r.value[1], align: "right" },
      ]);
    case "matrix":
      if (!data.result.length) return "no series (empty result)\n";
      // An instant query of a range selector (foo[5m]): the raw samples per series.
      return data.result.map((s) => `${formatLabels(s.metric)}\n${s.values.map(([t, v]) => `  ${v.padStart(14)}  @ ${at(t)}`).join("\n")}\n`).join("");
  }
}

export interface RangeLayout {
  startMs: number;
  endMs: number;
  stepMs: number;
  width: number;
  height: number;
  maxSeries: number;
}

/** The series' values on the query's step grid (null where it has no sample; NaN and ±Inf are not drawn). */
export function onGrid(values: Sample[], l: RangeLayout): Array<number | null> {
  const n = Math.floor((l.endMs - l.startMs) / l.stepMs) + 1;
  const grid: Array<number | null> = new Array(n).fill(null);
  for (const [t, v] of values) {
    const i = Math.round((t * 1000 - l.startMs) / l.stepMs);
    const x = Number(v);
    if (i >= 0 && i < n && Number.isFinite(x)) grid[i] = x;
  }
  return grid;
}

const SERIES_COLOURS = ["cyan", "yellow", "green", "red"] as const;

export function renderRange(data: QueryData, l: RangeLayout, p: Palette): string {
  if (data.resultType !== "matrix") return renderInstant(data);
  if (!data.result.length) return "no series in this range (empty result)\n";
  const shown = data.result.slice(0, l.maxSeries);
  const blocks = shown.map((s, i) => {
    const grid = onGrid(s.values, l);
    const r = range(grid);
    const last = [...grid].reverse().find((v) => v !== null);
    const colour = p[SERIES_COLOURS[i % SERIES_COLOURS.length]];
    const legend = `${p.bold(`[${i + 1}]`)} ${formatLabels(s.metric)}  ${p.dim(`min ${formatNumber(r?.min)}  max ${formatNumber(r?.max)}  last ${formatNumber(last)}  (${s.values.length} samples)`)}`;
    const chart = columnChart(grid, { width: Math.min(l.width, grid.length), height: l.height });
    const axis = timeAxis(l.startMs, l.endMs, Math.min(l.width, grid.length), chart.gutter);
    // Colour only the blocks, not the axis labels.
    const lines = chart.lines.map((line) => line.slice(0, chart.gutter) + colour(line.slice(chart.gutter)));
    return [legend, ...lines, ...axis].join("\n");
  });
  const more = data.result.length - shown.length;
  const tail = more > 0 ? `\n${p.dim(`+${more} more series not shown (--max-series N, or --json for all)`)}` : "";
  return `${blocks.join("\n\n")}${tail}\n`;
}
