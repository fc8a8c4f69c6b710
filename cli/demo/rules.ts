// Loads rule files into the server as Mimir's ruler API takes them: each file
// is a namespace (its name without .yml), each of its groups one
// POST /admin/v1/rules/<namespace> with that group as YAML. A 404 means the
// server has no rules API (an older Inferscope), said once.
import { stringify } from "yaml";
import { readRuleFiles } from "../commands/rules";
import { CliError } from "../errors";

export interface RulesResult {
  namespaces: number;
  groups: number;
  failed: number;
  /** False when the server has no rules API. */
  supported: boolean;
}

export async function loadRules(dir: string, t: { url: string; key: string }, fetchFn: typeof fetch, log: (line: string) => void): Promise<RulesResult> {
  const out: RulesResult = { namespaces: 0, groups: 0, failed: 0, supported: true };
  // The files as `inferscope rules sync` reads them: checked whole before anything is sent.
  for (const [namespace, groups] of readRuleFiles([dir], "file")) {
    out.namespaces++;
    for (const group of groups) {
      const res = await fetchFn(`${t.url}/admin/v1/rules/${encodeURIComponent(namespace)}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${t.key}`, "Content-Type": "application/yaml" },
        body: stringify(group),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text().catch(() => "");
      if (res.status === 404) {
        log(`this server has no rules API (POST /admin/v1/rules answered 404): update Inferscope to load alert rules; skipped namespace ${namespace}`);
        return { ...out, supported: false };
      }
      if (res.status === 401 || res.status === 403) throw new CliError(`loading rules needs an API key with the admin scope (HTTP ${res.status}: ${text.slice(0, 200)})`);
      if (!res.ok) {
        out.failed++;
        log(`rule group ${JSON.stringify(group.name)} of namespace ${namespace} refused (HTTP ${res.status}): ${text.slice(0, 400)}`);
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
