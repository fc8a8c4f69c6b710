// Loads rule files into the server as Mimir's ruler API takes them: each file
// is a namespace (its name without .yml), each of its groups one
// POST /admin/v1/rules/<namespace> with that group as YAML. A 404 means the
// server has no rules API (an older Inferscope), said once.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { parse, stringify } from "yaml";
import { CliError } from "../errors";

export interface RulesResult {
  namespaces: number;
  groups: number;
  failed: number;
  /** False when the server has no rules API. */
  supported: boolean;
}

export function ruleFiles(dir: string): string[] {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new CliError(`--rules ${dir}: no such file or directory (the shipped rules are in dashboards/alerts)`);
  }
  if (st.isFile()) return [dir];
  const files = readdirSync(dir).filter((f) => [".yml", ".yaml"].includes(extname(f)) && !f.endsWith(".test.yml") && !f.endsWith(".test.yaml")).sort();
  if (files.length === 0) throw new CliError(`--rules ${dir}: no .yml or .yaml rule files there`);
  return files.map((f) => join(dir, f));
}

export async function loadRules(dir: string, t: { url: string; key: string }, fetchFn: typeof fetch, log: (line: string) => void): Promise<RulesResult> {
  const out: RulesResult = { namespaces: 0, groups: 0, failed: 0, supported: true };
  for (const file of ruleFiles(dir)) {
    const namespace = basename(file, extname(file));
    let doc: { groups?: unknown };
    try {
      doc = parse(readFileSync(file, "utf8")) as { groups?: unknown };
    } catch (e) {
      throw new CliError(`${file}: not valid YAML: ${(e as Error).message}`);
    }
    if (!doc || !Array.isArray(doc.groups)) throw new CliError(`${file}: a rule file has a top-level "groups:" list`);
    out.namespaces++;
    for (const group of doc.groups as Array<{ name?: string }>) {
      const res = await fetchFn(`${t.url}/admin/v1/rules/${encodeURIComponent(namespace)}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${t.key}`, "Content-Type": "application/yaml" },
        body: stringify(group),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text().catch(() => "");
      if (res.status === 404) {
        log(`this server has no rules API (POST /admin/v1/rules answered 404): update Inferscope to load alert rules; skipped ${file}`);
        return { ...out, supported: false };
      }
      if (res.status === 401 || res.status === 403) throw new CliError(`loading rules needs an API key with the admin scope (HTTP ${res.status}: ${text.slice(0, 200)})`);
      if (!res.ok) {
        out.failed++;
        log(`rule group ${JSON.stringify(group?.name)} of ${file} refused (HTTP ${res.status}): ${text.slice(0, 400)}`);
        continue;
      }
      out.groups++;
    }
  }
  log(`loaded ${out.groups} rule group(s) in ${out.namespaces} namespace(s)${out.failed ? `, ${out.failed} refused` : ""}`);
  return out;
}

/** Does this key have the admin scope? The admin API answers 200 to it, 403 to others. */
export async function hasAdminScope(t: { url: string; key: string }, fetchFn: typeof fetch): Promise<boolean> {
  try {
    const res = await fetchFn(`${t.url}/admin/v1/tenants`, { headers: { Authorization: `Bearer ${t.key}` }, signal: AbortSignal.timeout(10_000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}
