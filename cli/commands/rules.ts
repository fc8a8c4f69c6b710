// `inferscope rules sync|list|delete|test`: a tenant's rule groups through the
// admin API (Mimir's ruler API shape: namespace = rule file). sync makes the
// server hold exactly the groups of the given files, in the namespaces those
// files name; namespaces of no given file are left alone.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { stringify } from "yaml";
import { basename, dirname, extname, join, resolve } from "node:path";
import { canonical, orderedGroup } from "../../shared/rules/group-shape";
import type { RuleGroupSpec } from "../../shared/rules/types";
import { parseRuleFile, RuleFileError } from "../../workers/query/rules/rule-file";
import { table } from "../terminal/table";
import { adminCall, ApiFailure, commonHelp, helpExit, parse, target, UsageError, type ApiTarget } from "./api-client";

const HELP = `usage:
  inferscope rules sync PATH... [--namespace-from file|dir] [--dry-run] [--tenant NAME]
  inferscope rules list [NAMESPACE] [--tenant NAME]
  inferscope rules delete NAMESPACE [GROUP] [--tenant NAME]
  inferscope rules test FILE...     run promtool-format rule tests on our evaluator

sync reads every .yml / .yaml file in PATH (files, or directories searched
recursively, leaving out promtool test files *.test.yml), checks them as \`promtool check rules\` does, then uploads each
group and deletes the server's groups of those namespaces that the files no
longer hold. A file's namespace is its name without the extension, or with
--namespace-from dir the name of the directory it is in.
  --dry-run    print what would change and change nothing
  --tenant     the tenant (name or id) when using the bootstrap key
${commonHelp("admin")}`;

type Remote = Record<string, Record<string, unknown>[]>;

export interface RuleChange {
  op: "create" | "update" | "delete" | "unchanged";
  namespace: string;
  group: string;
  spec?: RuleGroupSpec;
  /** What the server holds now (update, delete). */
  remote?: Record<string, unknown>;
}

/** Lines of a and b marked "-" (only in a), "+" (only in b) or " ", by their longest common subsequence. */
export function lineDiff(a: string[], b: string[]): string[] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push(`  ${a[i++]}`);
      j++;
    } else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) out.push(`- ${a[i++]}`);
    else out.push(`+ ${b[j++]}`);
  }
  return out;
}

const yamlLines = (g: Record<string, unknown> | undefined) => (g ? stringify(g, { lineWidth: 0 }).trimEnd().split("\n") : []);

/** The change as YAML lines: the group's, with what it adds and removes marked. */
export function changeDiff(ch: RuleChange): string[] {
  return lineDiff(yamlLines(ch.remote), ch.spec ? yamlLines(orderedGroup(ch.spec)) : []);
}

function ruleFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new UsageError(`no such file or directory: ${p}`);
    }
    if (st.isDirectory()) {
      // promtool's test files (x.test.yml) sit beside rule files, as in dashboards/alerts/tests.
      for (const e of readdirSync(p).sort()) if (!/\.test\.ya?ml$/.test(e)) walk(join(p, e));
    } else if ([".yml", ".yaml"].includes(extname(p))) out.push(p);
    else if (paths.includes(p)) throw new UsageError(`${p}: rule files end in .yml or .yaml`);
  };
  for (const p of paths) walk(p);
  if (out.length === 0) throw new UsageError(`no .yml or .yaml files in ${paths.join(" ")}`);
  return out;
}

/** namespace -> its groups, from the files; every problem of every file at once. */
export function readRuleFiles(paths: string[], from: "file" | "dir"): Map<string, RuleGroupSpec[]> {
  const byNs = new Map<string, { groups: RuleGroupSpec[]; files: string[] }>();
  const problems: string[] = [];
  for (const f of ruleFiles(paths)) {
    const ns = from === "dir" ? basename(dirname(resolve(f))) : basename(f, extname(f));
    let groups: RuleGroupSpec[];
    try {
      groups = parseRuleFile(readFileSync(f, "utf8"), f).groups;
    } catch (e) {
      if (e instanceof RuleFileError) {
        problems.push(...e.problems.map((p) => (p.startsWith(f) ? p : `${f}: ${p}`)));
        continue;
      }
      throw e;
    }
    const entry = byNs.get(ns) ?? { groups: [], files: [] };
    if (from === "file" && entry.files.length) problems.push(`${f}: namespace ${JSON.stringify(ns)} comes from ${entry.files[0]} too; rename one file or use --namespace-from dir`);
    for (const g of groups)
      if (entry.groups.some((h) => h.name === g.name)) problems.push(`${f}: group ${JSON.stringify(g.name)} is in namespace ${JSON.stringify(ns)} twice (${entry.files.join(", ")})`);
    entry.groups.push(...groups);
    entry.files.push(f);
    byNs.set(ns, entry);
  }
  if (problems.length) throw new UsageError(`rule files have problems, nothing uploaded:\n  ${problems.join("\n  ")}`);
  return new Map([...byNs].map(([ns, e]) => [ns, e.groups]));
}

/** What sync does: per namespace of the files, each group created, updated or unchanged, and the server's other groups deleted. */
export function planSync(local: Map<string, RuleGroupSpec[]>, remote: Remote): RuleChange[] {
  const out: RuleChange[] = [];
  for (const [ns, groups] of [...local].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const theirs = new Map((remote[ns] ?? []).map((g) => [String(g.name), g]));
    for (const g of groups) {
      const r = theirs.get(g.name);
      out.push({ op: !r ? "create" : canonical(orderedGroup(g)) === canonical(r) ? "unchanged" : "update", namespace: ns, group: g.name, spec: g, remote: r });
      theirs.delete(g.name);
    }
    for (const [name, r] of theirs) out.push({ op: "delete", namespace: ns, group: name, remote: r });
  }
  return out;
}

const SIGN = { create: "+", update: "~", delete: "-", unchanged: "=" } as const;
const seg = encodeURIComponent;

async function remoteRules(t: ApiTarget, q: string, namespace?: string): Promise<Remote> {
  try {
    return await adminCall<Remote>(t, "GET", `/rules${namespace ? `/${seg(namespace)}` : ""}${q}`);
  } catch (e) {
    // Mimir answers 404 for a namespace with no groups.
    if (e instanceof ApiFailure && e.status === 404 && namespace) return {};
    throw e;
  }
}

export async function rulesCommand(argv: string[]): Promise<number> {
  if (argv[0] === "test") return (await import("./rules-test")).rulesTestCommand(argv.slice(1));
  const { values, positionals: [sub, ...rest] } = parse(argv, {
    tenant: { type: "string" },
    "dry-run": { type: "boolean", default: false },
    "namespace-from": { type: "string", default: "file" },
  });
  const exit = helpExit(values.help, sub, HELP);
  if (exit !== null) return exit;
  const q = values.tenant ? `?tenant=${seg(values.tenant)}` : "";
  switch (sub) {
    case "sync": {
      if (rest.length === 0) throw new UsageError("rules sync takes one or more rule files or directories");
      const from = values["namespace-from"];
      if (from !== "file" && from !== "dir") throw new UsageError(`--namespace-from takes file or dir (not ${JSON.stringify(from)})`);
      const local = readRuleFiles(rest, from);
      const t = target(values, "admin");
      const plan = planSync(local, await remoteRules(t, q));
      const dry = values["dry-run"];
      for (const ch of plan) {
        if (!dry) {
          if (ch.op === "create" || ch.op === "update") await adminCall(t, "POST", `/rules/${seg(ch.namespace)}${q}`, orderedGroup(ch.spec!));
          if (ch.op === "delete") await adminCall(t, "DELETE", `/rules/${seg(ch.namespace)}/${seg(ch.group)}${q}`);
        }
        if (values.json) continue;
        process.stdout.write(`${SIGN[ch.op]} ${ch.namespace}/${ch.group}${ch.op === "unchanged" ? "" : dry ? ` (would ${ch.op})` : ` ${ch.op}d`}\n`);
        // A dry run shows what each change does to the group's YAML.
        if (dry && ch.op !== "unchanged") process.stdout.write(changeDiff(ch).map((l) => `    ${l}\n`).join(""));
      }
      const n = (op: RuleChange["op"]) => plan.filter((c) => c.op === op).length;
      if (values.json) process.stdout.write(`${JSON.stringify({ dryRun: dry, changes: plan.map(({ spec: _s, remote: _r, ...c }) => c) }, null, 2)}\n`);
      else process.stdout.write(`${dry ? "dry run: " : ""}${n("create")} created, ${n("update")} updated, ${n("delete")} deleted, ${n("unchanged")} unchanged\n`);
      return 0;
    }
    case "list": {
      if (rest.length > 1) throw new UsageError(`rules list takes at most one NAMESPACE (got ${rest.join(" ")})`);
      const t = target(values, "admin");
      const remote = await remoteRules(t, q, rest[0]);
      if (values.json) {
        process.stdout.write(`${JSON.stringify(remote, null, 2)}\n`);
        return 0;
      }
      const rows = Object.entries(remote).flatMap(([ns, groups]) =>
        groups.map((g) => {
          const rules = (g.rules as Record<string, unknown>[]) ?? [];
          return { namespace: ns, group: g.name, interval: g.interval ?? "1m", alerting: rules.filter((r) => "alert" in r).length, recording: rules.filter((r) => "record" in r).length };
        }),
      );
      process.stdout.write(rows.length ? table(rows, ["namespace", "group", "interval", "alerting", "recording"]) : `no rule groups${rest[0] ? ` in namespace ${rest[0]}` : ""}\n`);
      return 0;
    }
    case "delete": {
      const [ns, group, ...more] = rest;
      if (!ns || more.length) throw new UsageError("rules delete takes NAMESPACE and optionally one GROUP");
      const t = target(values, "admin");
      const res = await adminCall<{ deleted: number | boolean }>(t, "DELETE", `/rules/${seg(ns)}${group ? `/${seg(group)}` : ""}${q}`);
      process.stdout.write(group ? `rule group ${ns}/${group} deleted\n` : `namespace ${ns} deleted (${res.deleted} group${res.deleted === 1 ? "" : "s"})\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown rules subcommand ${JSON.stringify(sub)}\n\n${HELP}`);
  }
}
