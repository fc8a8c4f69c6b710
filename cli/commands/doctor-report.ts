// What `inferscope doctor` reports: one line per check, ✓ (ok), ✗ (fail: the
// exit code is 1) or ! (warn: worth a look, not a failure), each failure or
// warning with what to do about it; or all of it as JSON.
export type CheckStatus = "ok" | "fail" | "warn";

export interface Check {
  /** Short and stable, for --json readers: "url", "key 1", "schema", "roundtrip metrics", "agent target job/instance", … */
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

export const ok = (name: string, detail: string): Check => ({ name, status: "ok", detail });
export const fail = (name: string, detail: string, fix: string): Check => ({ name, status: "fail", detail, fix });
export const warn = (name: string, detail: string, fix?: string): Check => ({ name, status: "warn", detail, ...(fix ? { fix } : {}) });

const MARK: Record<CheckStatus, string> = { ok: "✓", fail: "✗", warn: "!" };

export function renderText(checks: Check[]): string {
  const lines = checks.map((c) => `${MARK[c.status]} ${c.name}: ${c.detail}${c.fix ? `\n    fix: ${c.fix}` : ""}`);
  const failed = checks.filter((c) => c.status === "fail").length;
  const warned = checks.filter((c) => c.status === "warn").length;
  lines.push("", failed ? `${failed} check(s) failed${warned ? `, ${warned} warning(s)` : ""}` : `all checks passed${warned ? ` (${warned} warning(s))` : ""}`);
  return `${lines.join("\n")}\n`;
}

export function renderJson(checks: Check[]): string {
  return `${JSON.stringify({ ok: checks.every((c) => c.status !== "fail"), checks }, null, 2)}\n`;
}

export const exitCode = (checks: Check[]): number => (checks.some((c) => c.status === "fail") ? 1 : 0);
