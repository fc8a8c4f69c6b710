// The server-side checks of `inferscope doctor`: /healthz of every worker, each
// key's tenant and scopes (GET /auth/v1/key), and what GET /admin/v1/status
// says of the schema, the cron, partitions and retention, rules, dead letters.
import { call, messageOf, type Answer } from "./doctor-http";
import { fail, ok, warn, type Check } from "./doctor-report";

export interface KeyInfo {
  key: string;
  shown: string;
  tenant: { id: number; name: string } | null;
  scopes: string[];
  bootstrap: boolean;
}

/** A key as doctor prints it: its display prefix (as `inferscope keys list` shows it), never the secret. */
export const shownKey = (key: string) => `${key.slice(0, 10)}…`;
const ago = (iso: string, now: number) => {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : `${(s / 3600).toFixed(1)} h ago`;
};

export async function checkHealth(url: string): Promise<{ checks: Check[]; reachable: boolean }> {
  const a = await call(`${url}/healthz`);
  if ("unreachable" in a)
    return { reachable: false, checks: [fail("url", `cannot reach ${url}: ${a.unreachable}`, "check --url / INFERSCOPE_URL; locally start the stack with `npm start`, else check the deployment's routes")] };
  const j = a.json as { status?: string; worker?: string; workers?: Record<string, string> } | undefined;
  if (!j || typeof j.status !== "string")
    return { reachable: false, checks: [fail("url", `${url}/healthz answered HTTP ${a.status} without Inferscope's health JSON: ${a.text.slice(0, 120)}`, "is --url the Inferscope base URL (the router / query worker), not Grafana or something else?")] };
  if (!j.workers) return { reachable: true, checks: [a.status === 200 ? ok("url", `${url} answers (worker ${j.worker ?? "?"}; ingest and the aggregator are checked by the round trip)`) : fail("url", `${url}/healthz: HTTP ${a.status} ${j.status}`, "see the worker's logs (wrangler tail)")] };
  const checks = Object.entries(j.workers).map(([w, s]) =>
    s === "ok" ? ok(`worker ${w}`, "healthy") : fail(`worker ${w}`, `does not answer /healthz: ${s}`, `see the ${w} worker's logs (wrangler tail inferscope-${w}); a busy query worker answers late while a long query runs`),
  );
  return { reachable: true, checks: [ok("url", `${url} answers`), ...checks] };
}

export async function checkKeys(url: string, keys: string[]): Promise<{ checks: Check[]; infos: KeyInfo[] }> {
  const checks: Check[] = [];
  const infos: KeyInfo[] = [];
  for (const key of keys) {
    const name = `key ${shownKey(key)}`;
    const a = await call(`${url}/auth/v1/key`, { key });
    if ("unreachable" in a) {
      checks.push(fail(name, `not checked: ${a.unreachable}`, "check the server (see url)"));
      continue;
    }
    const d = (a.json as { data?: { bootstrap: boolean; tenant: { id: number; name: string } | null; scopes: string[] } } | undefined)?.data;
    if (a.status === 200 && d) {
      infos.push({ key, shown: shownKey(key), tenant: d.tenant, scopes: d.scopes, bootstrap: d.bootstrap });
      checks.push(ok(name, d.bootstrap ? "the bootstrap key: admin over every tenant" : `tenant ${d.tenant?.name} (id ${d.tenant?.id}), scopes ${d.scopes.join(", ")}`));
    } else if (a.status === 401) {
      checks.push(fail(name, messageOf(a), "use a current key; create one with `inferscope keys create --tenant T --scopes ingest,query` (an admin key); a revoked key stays revoked"));
    } else if (a.status === 404) {
      checks.push(fail(name, "the server has no /auth/v1/key: its workers are older than this doctor", "deploy the current workers (npm run deploy)"));
    } else {
      checks.push(fail(name, `HTTP ${a.status}: ${messageOf(a)}`, "see the query worker's logs; a 503 means its database is unreachable"));
    }
  }
  return { checks, infos };
}

interface Status {
  schema: { applied: number; expected: number; lastApplied: string | null; lastExpected: string | null };
  cron: { lastRun: string | null; durationMs: number | null };
  retention: { days: number };
  partitions: Record<string, { today: boolean; daysAhead: number; oldest: string | null }>;
  rules: { groups: number; rules: number; failing: { namespace: string; name: string; lastError: string }[]; lastEvaluation: string | null; overdue: number };
  deadLetters: { lastDay: { parts: number; items: number; lastReason: string | null } };
}

/** Cron runs are every minute; older than this, it stopped. */
const CRON_LATE_MS = 5 * 60_000;
const NOT_CHECKED = ["schema", "cron", "partitions", "rules", "dead letters"];

export async function checkStatus(url: string, keys: KeyInfo[], now = Date.now()): Promise<Check[]> {
  const admin = keys.find((k) => k.scopes.includes("admin"));
  if (!admin) return [warn(NOT_CHECKED.join(", "), "not checked: no key with the admin scope was given", "pass a tenant's admin key or the bootstrap key with another --key")];
  const a = await call(`${url}/admin/v1/status`, { key: admin.key });
  if ("unreachable" in a || a.status !== 200) {
    const why = "unreachable" in a ? a.unreachable : a.status === 404 ? "the server has no /admin/v1/status (workers older than this doctor)" : `HTTP ${a.status}: ${messageOf(a as Answer)}`;
    return [fail("status", `GET /admin/v1/status with ${admin.shown}: ${why}`, "deploy the current workers; a 503 means the query worker cannot reach its database")];
  }
  const s = (a.json as { data: Status }).data;
  return [schema(s), cron(s, now), partitions(s), rules(s, now), deadLetters(s)];
}

function schema(s: Status): Check {
  const { applied, expected, lastApplied, lastExpected } = s.schema;
  if (applied < expected)
    return fail("schema", `the database has ${applied} of the ${expected} migrations this build expects (last applied ${lastApplied ?? "none"}, expected up to ${lastExpected})`, "apply them: DATABASE_URL=… npm run db:migrate");
  if (applied > expected)
    return fail("schema", `the database has ${applied} migrations; these workers were built with ${expected} (up to ${lastExpected})`, "deploy the workers built from the same revision as the migrations (npm run deploy)");
  if (lastApplied !== lastExpected)
    return fail("schema", `${applied} migrations applied, but the newest applied is not this build's last (${lastExpected})`, "the migrations folder differs from the one applied; apply this revision's (npm run db:migrate)");
  return ok("schema", `${applied} migrations applied, last ${lastApplied} (as this build expects)`);
}

function cron(s: Status, now: number): Check {
  const { lastRun, durationMs } = s.cron;
  const fix = "the query worker's cron trigger runs it every minute: check [triggers] crons in wrangler.toml for the query worker and that it is deployed (locally `npm start` runs it)";
  if (!lastRun) return fail("cron", "the cron never ran (no finished run recorded)", fix);
  if (now - Date.parse(lastRun) > CRON_LATE_MS) return fail("cron", `last finished run ${ago(lastRun, now)} (${lastRun}); it runs every minute`, `${fix}; a run that throws records nothing: see the query worker's logs`);
  return ok("cron", `last run ${ago(lastRun, now)}, took ${durationMs} ms`);
}

function partitions(s: Status): Check {
  const bad = Object.entries(s.partitions).filter(([, p]) => !p.today || p.daysAhead < 1);
  if (bad.length)
    return fail(
      "partitions",
      bad.map(([t, p]) => `${t}: ${p.today ? "today's partition exists" : "no partition for today"}, ${p.daysAhead} day(s) ahead`).join("; "),
      "the cron's retention step creates today's and tomorrow's partitions: check that the cron runs (see cron)",
    );
  const oldest = Object.values(s.partitions).map((p) => p.oldest).filter((d): d is string => !!d).sort()[0];
  const ahead = Math.min(...Object.values(s.partitions).map((p) => p.daysAhead));
  const detail = `retention ${s.retention.days} days; partitions for today and ${ahead} day(s) ahead (${Object.keys(s.partitions).join(", ")}), oldest ${oldest ?? "?"}`;
  if (oldest) {
    const oldestMs = Date.parse(`${oldest.slice(0, 4)}-${oldest.slice(4, 6)}-${oldest.slice(6)}T00:00:00Z`);
    if (Date.now() - oldestMs > (s.retention.days + 2) * 86_400_000)
      return warn("partitions", `${detail}: older than the retention, so retention is not dropping them`, "see the query worker's logs for the retention step of the cron");
  }
  return ok("partitions", detail);
}

function rules(s: Status, now: number): Check {
  const r = s.rules;
  if (r.failing.length)
    return fail(
      "rules",
      `${r.failing.length} of ${r.groups} rule group(s) failing: ${r.failing.map((g) => `${g.namespace}/${g.name}: ${g.lastError || "health err"}`).join("; ")}`,
      "fix the rule's expression and load it again (`inferscope rules sync`); `inferscope rules list` shows each rule's health",
    );
  if (r.groups === 0) return ok("rules", "no rule groups loaded");
  const last = r.lastEvaluation ? `last evaluation ${ago(r.lastEvaluation, now)}` : "not evaluated yet";
  if (r.overdue) return warn("rules", `${r.groups} group(s), ${r.rules} rule(s), ${last}; ${r.overdue} group(s) not evaluated for over 3 intervals`, "check that the cron runs (see cron)");
  return ok("rules", `${r.groups} group(s), ${r.rules} rule(s) loaded, none failing, ${last}`);
}

function deadLetters(s: Status): Check {
  const d = s.deadLetters.lastDay;
  if (d.items > 0)
    return warn("dead letters", `${d.items} item(s) in ${d.parts} part(s) dead-lettered in the last day; last reason: ${d.lastReason}`, "the reason says what the aggregator could not write; the series inferscope_dead_letter_items_total counts them");
  return ok("dead letters", "none in the last day");
}
