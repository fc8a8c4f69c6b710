// Grafana's side of a dashboard query: its JSON model (panels, targets,
// template variables) and the way its Prometheus datasource substitutes
// variables before sending a query (public/app/features/templating/template_srv.ts
// and the Prometheus datasource's interpolateQueryExpr), so a test can send
// exactly what Grafana would.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

export interface Target {
  refId: string;
  expr: string;
  instant?: boolean;
  range?: boolean;
  format?: string;
  datasource?: { type?: string; uid?: string };
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  fieldConfig?: { defaults?: { unit?: string }; overrides?: Array<{ properties: Array<{ id: string; value: unknown }> }> };
  targets?: Target[];
  panels?: Panel[];
}

export interface Variable {
  name: string;
  type: string;
  query?: string | { query?: string };
  definition?: string;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string | null;
  datasource?: { type?: string; uid?: string };
}

export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  tags: string[];
  panels: Panel[];
  templating: { list: Variable[] };
}

export interface DashboardFile {
  file: string;
  dashboard: Dashboard;
}

export function loadDashboards(dir: string): DashboardFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(dir, file), "utf8")) as Dashboard }));
}

/** Every panel, those inside collapsed rows too. */
export function allPanels(d: Dashboard): Panel[] {
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** The variable query text of a query variable (string form or the editor's object form). */
export function variableQuery(v: Variable): string {
  return typeof v.query === "string" ? v.query : (v.query?.query ?? v.definition ?? "");
}

/** label_values(metric, label) or label_values(label), as the Prometheus datasource reads it. */
export function parseLabelValues(query: string): { metric?: string; label: string } | undefined {
  const m = /^\s*label_values\(\s*(?:(.+),\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$/.exec(query);
  return m ? { metric: m[1]?.trim(), label: m[2] } : undefined;
}

// template_srv.ts's variable syntaxes: $var, [[var:fmt]], ${var.field:fmt}.
const VARIABLE_RE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

/** Names of the variables a text refers to; Grafana's own ($__interval, ...) and regex group references ($1) left out. */
export function referencedVariables(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(VARIABLE_RE)) {
    const name = m[1] ?? m[2] ?? m[4];
    if (!name.startsWith("__") && !/^\d+$/.test(name)) out.add(name);
  }
  return [...out];
}

/** What the user picked: All, or some values. */
export type Selection = "all" | string[];

export interface Builtins {
  /** $__rate_interval: max(4 × scrape interval, $__interval + scrape interval). */
  rateInterval: string;
  interval: string;
  intervalMs: number;
  range: string;
  rangeS: number;
}

// The Prometheus datasource's escapes (datasource.ts).
const regularEscape = (v: string) => v.replace(/\\/g, "\\\\").replace(/'/g, "\\\\'");
const specialRegexEscape = (v: string) => v.replace(/\\/g, "\\\\\\\\").replace(/[$^*{}[\]'+?.()|]/g, "\\\\$&");
// template_srv's "regex" format (lodash-free regexEscape).
const regexFormatEscape = (v: string) => v.replace(/[\\^$*+?.()|[\]{}/]/g, "\\$&");

function interpolateQueryExpr(values: string[], v: Variable): string {
  if (!v.multi && !v.includeAll) return regularEscape(values[0] ?? "");
  const escaped = values.map(specialRegexEscape);
  return escaped.length === 1 ? escaped[0] : `(${escaped.join("|")})`;
}

function explicitFormat(values: string[], fmt: string): string {
  switch (fmt) {
    case "regex": {
      const escaped = values.map(regexFormatEscape);
      return escaped.length === 1 ? escaped[0] : `(${escaped.join("|")})`;
    }
    case "pipe":
      return values.join("|");
    case "csv":
      return values.join(",");
    case "raw":
      return values.join(",");
    default:
      throw new Error(`variable format ${fmt} is not handled by this test`);
  }
}

/**
 * Substitutes variables in a query as Grafana does before sending it to a
 * Prometheus datasource. An unknown name is left as written (Grafana does too:
 * label_replace's "$1" survives).
 */
export function interpolate(text: string, vars: Variable[], selected: Record<string, Selection>, b: Builtins): string {
  const builtins: Record<string, string> = {
    __rate_interval: b.rateInterval,
    __interval: b.interval,
    __interval_ms: String(b.intervalMs),
    __range: b.range,
    __range_s: String(b.rangeS),
    __range_ms: String(b.rangeS * 1000),
  };
  return text.replace(VARIABLE_RE, (whole, n1?: string, n2?: string, f2?: string, n4?: string, _field?: string, f4?: string) => {
    const name = (n1 ?? n2 ?? n4)!;
    const fmt = f2 ?? f4;
    if (name in builtins) return builtins[name];
    const v = vars.find((x) => x.name === name);
    const sel = selected[name];
    if (!v || sel === undefined) return whole;
    if (sel === "all") {
      // A custom all value is sent as is unless a format is asked for explicitly.
      const all = v.allValue ?? undefined;
      if (all !== undefined && !fmt) return all;
      if (all !== undefined) return explicitFormat([all], fmt!);
      throw new Error(`variable ${name}: All without an allValue needs every value; give the variable allValue`);
    }
    return fmt ? explicitFormat(sel, fmt) : interpolateQueryExpr(sel, v);
  });
}

/** Grafana's $__rate_interval for a datasource scrape interval and a query step, both in seconds. */
export function rateIntervalSeconds(scrapeS: number, stepS: number): number {
  return Math.max(4 * scrapeS, stepS + scrapeS);
}
