// Rule files as Prometheus 2.42 reads them (model/rulefmt): YAML, unknown keys
// refused, every problem collected and spelled as promtool spells it
// ("group \"g\", rule 2, \"HighErrors\": could not parse expression: ...").
import { parseDocument, type Document } from "yaml";
import { LABEL_NAME_RE, METRIC_NAME_RE, textProblem } from "../../../shared/labels";
import type { AlertingRuleSpec, RecordingRuleSpec, RuleFileSpec, RuleGroupSpec, RuleSpec } from "../../../shared/rules/types";
import { parseExpr } from "../promql/parse";
import { DurationRangeError, parseDuration } from "../promql/literals";
import { templateProblem } from "./template";

export class RuleFileError extends Error {
  readonly problems: string[];
  constructor(where: string, problems: string[]) {
    super(`${where}: ${problems.join("; ")}`);
    this.name = "RuleFileError";
    this.problems = problems;
  }
}

export const DEFAULT_GROUP_INTERVAL_MS = 60_000;

/** model.ParseDuration in milliseconds ("0" allowed); null when not a duration. */
export function ruleDurationMs(text: string): number | null {
  if (text === "0") return 0;
  try {
    return parseDuration(text);
  } catch (e) {
    if (e instanceof DurationRangeError) return null;
    throw e;
  }
}

export function groupIntervalMs(group: RuleGroupSpec): number {
  if (!group.interval) return DEFAULT_GROUP_INTERVAL_MS;
  return ruleDurationMs(group.interval) || DEFAULT_GROUP_INTERVAL_MS;
}

export function isAlertingRule(r: RuleSpec): r is AlertingRuleSpec {
  return "alert" in r;
}

const GROUP_KEYS = ["name", "interval", "limit", "rules"];
const RULE_KEYS = ["record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"];

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** yaml.v3 decodes any scalar into a Go string field; we do the same for numbers and booleans. */
function scalarText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

function stringMap(v: unknown, field: string, problems: string[], prefix: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) {
    problems.push(`${prefix}field '${field}' must be a map of strings`);
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    const s = scalarText(x);
    if (s === undefined) problems.push(`${prefix}${field} ${JSON.stringify(k)} must be a string`);
    else out[k] = s;
  }
  return out;
}

function durationField(v: unknown, field: string, problems: string[], prefix: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = scalarText(v);
  if (s === undefined || ruleDurationMs(s) === null) {
    problems.push(`${prefix}field '${field}': not a valid duration string: ${JSON.stringify(s ?? v)}`);
    return undefined;
  }
  return s;
}

function validateRule(raw: unknown, group: string, index: number, problems: string[]): RuleSpec | undefined {
  const at = (name: string) => `group ${JSON.stringify(group)}, rule ${index + 1}, ${JSON.stringify(name)}: `;
  if (!isObj(raw)) {
    problems.push(`group ${JSON.stringify(group)}, rule ${index + 1}: a rule must be a map with 'record' or 'alert' and 'expr'`);
    return undefined;
  }
  const record = scalarText(raw.record) ?? "";
  const alert = scalarText(raw.alert) ?? "";
  const prefix = at(alert || record);
  const before = problems.length;
  for (const k of Object.keys(raw)) if (!RULE_KEYS.includes(k)) problems.push(`${prefix}field ${k} not found in type rulefmt.Rule`);
  if (record && alert) problems.push(`${prefix}only one of 'record' and 'alert' must be set`);
  if (!record && !alert) problems.push(`${prefix}one of 'record' or 'alert' must be set`);
  const expr = scalarText(raw.expr) ?? "";
  if (!expr) problems.push(`${prefix}field 'expr' must be set in rule`);
  else {
    try {
      parseExpr(expr);
    } catch (e) {
      problems.push(`${prefix}could not parse expression: ${(e as Error).message}`);
    }
  }
  const forText = durationField(raw.for, "for", problems, prefix);
  const keepText = durationField(raw.keep_firing_for, "keep_firing_for", problems, prefix);
  const labels = stringMap(raw.labels, "labels", problems, prefix);
  const annotations = stringMap(raw.annotations, "annotations", problems, prefix);
  if (record) {
    if (annotations && Object.keys(annotations).length > 0) problems.push(`${prefix}invalid field 'annotations' in recording rule`);
    if (forText && ruleDurationMs(forText) !== 0) problems.push(`${prefix}invalid field 'for' in recording rule`);
    if (keepText && ruleDurationMs(keepText) !== 0) problems.push(`${prefix}invalid field 'keep_firing_for' in recording rule`);
    if (!METRIC_NAME_RE.test(record)) problems.push(`${prefix}invalid recording rule name: ${record}`);
  }
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (!LABEL_NAME_RE.test(k) || k === "__name__") problems.push(`${prefix}invalid label name: ${k}`);
    if (textProblem(v)) problems.push(`${prefix}invalid label value: ${v}`);
  }
  for (const k of Object.keys(annotations ?? {})) if (!LABEL_NAME_RE.test(k)) problems.push(`${prefix}invalid annotation name: ${k}`);
  if (alert) {
    for (const [k, v] of Object.entries(labels ?? {})) {
      const p = templateProblem(v, alert);
      if (p) problems.push(`${prefix}label ${JSON.stringify(k)}: ${p}`);
    }
    for (const [k, v] of Object.entries(annotations ?? {})) {
      const p = templateProblem(v, alert);
      if (p) problems.push(`${prefix}annotation ${JSON.stringify(k)}: ${p}`);
    }
  }
  if (problems.length > before) return undefined;
  if (alert) {
    const r: AlertingRuleSpec = { alert, expr };
    if (forText !== undefined) r.for = forText;
    if (keepText !== undefined) r.keep_firing_for = keepText;
    if (labels && Object.keys(labels).length) r.labels = labels;
    if (annotations && Object.keys(annotations).length) r.annotations = annotations;
    return r;
  }
  const r: RecordingRuleSpec = { record, expr };
  if (labels && Object.keys(labels).length) r.labels = labels;
  return r;
}

function checkGroup(raw: unknown, index: number, problems: string[]): RuleGroupSpec | undefined {
  if (!isObj(raw)) {
    problems.push(`group ${index + 1}: a group must be a map with 'name' and 'rules'`);
    return undefined;
  }
  const before = problems.length;
  const name = scalarText(raw.name) ?? "";
  const gp = `group ${JSON.stringify(name)}: `;
  for (const k of Object.keys(raw)) if (!GROUP_KEYS.includes(k)) problems.push(`${gp}field ${k} not found in type rulefmt.RuleGroup`);
  if (!name) problems.push(`Groupname must not be empty`);
  const interval = durationField(raw.interval, "interval", problems, gp);
  let limit: number | undefined;
  if (raw.limit !== undefined && raw.limit !== null) {
    if (typeof raw.limit !== "number" || !Number.isInteger(raw.limit)) problems.push(`${gp}field 'limit' must be an integer, got ${JSON.stringify(raw.limit)}`);
    else limit = raw.limit;
  }
  const rules: RuleSpec[] = [];
  if (raw.rules !== undefined && raw.rules !== null && !Array.isArray(raw.rules)) problems.push(`${gp}field 'rules' must be a list of rules`);
  else (raw.rules as unknown[] | undefined ?? []).forEach((r, i) => {
    const rule = validateRule(r, name, i, problems);
    if (rule) rules.push(rule);
  });
  if (problems.length > before) return undefined;
  const g: RuleGroupSpec = { name, rules };
  if (interval !== undefined && ruleDurationMs(interval) !== 0) g.interval = interval;
  if (limit) g.limit = limit;
  return g;
}

/** One group, as the admin API takes it (Mimir's ruler API: one group per POST). Throws RuleFileError. */
export function validateRuleGroup(group: unknown, where: string): RuleGroupSpec {
  const problems: string[] = [];
  const g = checkGroup(group, 0, problems);
  if (!g) throw new RuleFileError(where, problems);
  return g;
}

function yamlErrors(doc: Document): string[] {
  return doc.errors.map((e) => {
    const pos = e.linePos?.[0];
    return pos ? `yaml: line ${pos.line}: ${e.message.split("\n")[0]}` : `yaml: ${e.message.split("\n")[0]}`;
  });
}

/** Parses YAML text into plain data, refusing duplicate keys and syntax errors. */
export function parseYaml(text: string, fileName: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, merge: false });
  const errs = yamlErrors(doc);
  if (errs.length) throw new RuleFileError(fileName, errs);
  return doc.toJS({ maxAliasCount: 100 }) as unknown;
}

/** A whole rule file (what `promtool check rules` reads). Throws RuleFileError with every problem found. */
export function parseRuleFile(text: string, fileName: string): RuleFileSpec {
  const data = parseYaml(text, fileName);
  if (data === null || data === undefined) return { groups: [] };
  if (!isObj(data)) throw new RuleFileError(fileName, ["yaml: a rule file must be a map with a 'groups' list"]);
  const problems: string[] = [];
  for (const k of Object.keys(data)) if (k !== "groups") problems.push(`field ${k} not found in type rulefmt.RuleGroups`);
  if (data.groups !== undefined && data.groups !== null && !Array.isArray(data.groups)) problems.push("field 'groups' must be a list of groups");
  const groups: RuleGroupSpec[] = [];
  const seen = new Set<string>();
  ((Array.isArray(data.groups) ? data.groups : []) as unknown[]).forEach((raw, i) => {
    const name = isObj(raw) ? scalarText(raw.name) ?? "" : "";
    if (name && seen.has(name)) problems.push(`groupname: "${name}" is repeated in the same file`);
    seen.add(name);
    const g = checkGroup(raw, i, problems);
    if (g) groups.push(g);
  });
  if (problems.length) throw new RuleFileError(fileName, problems);
  return { groups };
}
