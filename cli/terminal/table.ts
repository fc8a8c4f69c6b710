// Plain-text tables: a header of column titles, aligned cells, numbers to the
// right. Widths ignore colour codes, so coloured cells still line up.
import { visibleLength } from "./colour";

export interface Column<R> {
  title: string;
  /** The cell's text; null/undefined print as "-". */
  cell: (row: R) => string | number | null | undefined;
  align?: "left" | "right";
}

const pad = (s: string, width: number, align: "left" | "right") => {
  const gap = " ".repeat(Math.max(0, width - visibleLength(s)));
  return align === "right" ? gap + s : s + gap;
};

export function renderTable<R>(rows: R[], columns: Column<R>[]): string {
  const cells = rows.map((r) => columns.map((c) => {
    const v = c.cell(r);
    return v === null || v === undefined || v === "" ? "-" : String(v);
  }));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((row) => visibleLength(row[i]))));
  const line = (vals: string[]) => vals.map((v, i) => pad(v, widths[i], columns[i].align ?? "left")).join("  ").trimEnd();
  return [line(columns.map((c) => c.title)), ...cells.map(line)].join("\n") + "\n";
}

/** A table of plain objects by key (the admin tools' listings): arrays joined with ",", headers upper-cased. */
export function table(rows: Record<string, unknown>[], keys: string[]): string {
  const text = (v: unknown) => (v === null || v === undefined ? null : Array.isArray(v) ? v.join(",") : String(v));
  return renderTable(rows, keys.map((k) => ({ title: k.toUpperCase(), cell: (r: Record<string, unknown>) => text(r[k]) })));
}
