// The admin API's rule groups, as Mimir's ruler configuration API shapes it
// (namespace = rule file, one group per POST):
//   GET    /admin/v1/rules                     every namespace: YAML map namespace -> groups
//   GET    /admin/v1/rules/<namespace>         one namespace, same shape
//   GET    /admin/v1/rules/<namespace>/<group> one group
//   POST   /admin/v1/rules/<namespace>         body: one rule group in YAML (or JSON) -> 202
//   DELETE /admin/v1/rules/<namespace>/<group> -> 202
//   DELETE /admin/v1/rules/<namespace>         -> 202
// GETs answer YAML (application/yaml) as Mimir does, or our JSON envelope when
// the client asks for application/json (the CLI does). Errors are the admin
// API's JSON. The bootstrap key names the tenant with ?tenant=.
import { Hono } from "hono";
import { parseAllDocuments, stringify } from "yaml";
import { useDb } from "../../shared/http/context";
import { drainUnread } from "../../shared/http/drain";
import { textProblem } from "../../shared/labels";
import { orderedGroup } from "../../shared/rules/group-shape";
import type { RuleGroupSpec } from "../../shared/rules/types";
import {
  deleteRuleGroup,
  deleteRuleNamespace,
  getRuleGroup,
  listRuleGroups,
  ruleCounts,
  upsertRuleGroup,
  type StoredRuleGroup,
} from "../../shared/storage/postgres/rule-groups";
import { bodyText, err, targetTenant, tenantQuery, type AdminContext, type AdminEnv } from "./admin-request";
import { markDeletedStale } from "./rules/cron";
import { initialGroupState } from "./rules/evaluate-group";
import { groupIntervalMs, RuleFileError, validateRuleGroup } from "./rules/rule-file";

export const RULE_LIMITS = {
  bodyBytes: 256 * 1024,
  groupsPerTenant: 100,
  rulesPerGroup: 100,
  rulesPerTenant: 1000,
  /** The cron runs every minute and catches up at most 10 slots a run: shorter intervals would skip slots. */
  minIntervalMs: 10_000,
  nameChars: 256,
};

function byNamespace(groups: StoredRuleGroup[]): Record<string, Record<string, unknown>[]> {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const g of groups) (out[g.namespace] ??= []).push(orderedGroup(g.spec));
  return out;
}

const wantsJson = (c: AdminContext) => {
  const accept = c.req.header("accept") ?? "";
  return accept.includes("application/json") && !accept.includes("yaml");
};

function answer(c: AdminContext, data: unknown) {
  if (wantsJson(c)) return c.json({ status: "success", data });
  return c.body(stringify(data, { lineWidth: 0 }), 200, { "content-type": "application/yaml" });
}

/** A namespace or group name from the path, or a response saying what is wrong with it. */
function nameOf(c: AdminContext, what: "namespace" | "group"): string | Response {
  const v = c.req.param(what) ?? "";
  if (v === "") return err(c, 400, `name the ${what}: /admin/v1/rules/<namespace>${what === "group" ? "/<group>" : ""}`);
  if (v.length > RULE_LIMITS.nameChars) return err(c, 400, `${what} name is longer than ${RULE_LIMITS.nameChars} characters`);
  const problem = textProblem(v);
  return problem ? err(c, 400, `${what} name ${problem}`) : v;
}

const tenantOf = (c: AdminContext) => targetTenant(c, c.get("principal"), tenantQuery(c));

/** The rule group in a POST body: YAML (JSON is YAML too), validated as `promtool check rules` would. */
async function groupOf(c: AdminContext, namespace: string): Promise<{ spec: RuleGroupSpec; source: string } | Response> {
  const source = await bodyText(c.req.raw, RULE_LIMITS.bodyBytes);
  if (source === null) return c.json({ status: "error", error: `request body is over ${RULE_LIMITS.bodyBytes} bytes: send one rule group at a time` }, 413);
  if (source.trim() === "") return err(c, 400, "request body is empty: send one rule group in YAML (name, interval, rules)");
  const docs = parseAllDocuments(source);
  if (!Array.isArray(docs)) return err(c, 400, "request body is not YAML");
  if (docs.length !== 1) return err(c, 400, `request body holds ${docs.length} YAML documents: send one rule group`);
  const doc = docs[0];
  if (doc.errors.length) return err(c, 400, `request body is not valid YAML: ${doc.errors[0].message}`);
  const raw = doc.toJS() as unknown;
  if (raw && typeof raw === "object" && !Array.isArray(raw) && "groups" in raw)
    return err(c, 400, "send one rule group (name, interval, rules), not a rule file with groups: (`inferscope rules sync FILE` uploads a whole file)");
  let spec: RuleGroupSpec;
  try {
    spec = validateRuleGroup(raw, `namespace ${JSON.stringify(namespace)}`);
  } catch (e) {
    if (e instanceof RuleFileError) return err(c, 400, `invalid rule group: ${e.problems.join("; ")}`);
    throw e;
  }
  if (spec.name.length > RULE_LIMITS.nameChars) return err(c, 400, `group name is longer than ${RULE_LIMITS.nameChars} characters`);
  const problem = textProblem(spec.name);
  if (problem) return err(c, 400, `group name ${problem}`);
  return { spec, source };
}

/** The tenant, namespace and group a /:namespace/:group route names, or the answer refusing them. */
async function groupTarget(c: AdminContext): Promise<{ tenant: number; ns: string; name: string } | Response> {
  const ns = nameOf(c, "namespace");
  if (ns instanceof Response) return ns;
  const name = nameOf(c, "group");
  if (name instanceof Response) return name;
  const tenant = await tenantOf(c);
  if (tenant instanceof Response) return tenant;
  return { tenant, ns, name };
}

export const rules = new Hono<AdminEnv>();

rules.get("/", async (c) => {
  const tenant = await tenantOf(c);
  if (tenant instanceof Response) return tenant;
  return answer(c, byNamespace(await listRuleGroups(useDb(c), tenant)));
});

rules.get("/:namespace", async (c) => {
  const ns = nameOf(c, "namespace");
  if (ns instanceof Response) return ns;
  const tenant = await tenantOf(c);
  if (tenant instanceof Response) return tenant;
  const groups = await listRuleGroups(useDb(c), tenant, ns);
  if (groups.length === 0) return err(c, 404, `no rule groups in namespace ${JSON.stringify(ns)}`);
  return answer(c, byNamespace(groups));
});

rules.get("/:namespace/:group", async (c) => {
  const t = await groupTarget(c);
  if (t instanceof Response) return t;
  const { tenant, ns, name } = t;
  const g = await getRuleGroup(useDb(c), tenant, ns, name);
  if (!g) return err(c, 404, `no rule group ${JSON.stringify(name)} in namespace ${JSON.stringify(ns)}`);
  return answer(c, orderedGroup(g.spec));
});

rules.post("/:namespace", async (c) => {
  const ns = nameOf(c, "namespace");
  if (ns instanceof Response) return drainUnread(c.req.raw).then(() => ns);
  const group = await groupOf(c, ns);
  if (group instanceof Response) return group;
  const tenant = await tenantOf(c);
  if (tenant instanceof Response) return tenant;
  const { spec, source } = group;
  const intervalMs = groupIntervalMs(spec);
  if (intervalMs < RULE_LIMITS.minIntervalMs)
    return err(c, 400, `group ${JSON.stringify(spec.name)}: interval ${spec.interval} is shorter than ${RULE_LIMITS.minIntervalMs / 1000}s, the shortest the cron evaluates`);
  if (spec.rules.length > RULE_LIMITS.rulesPerGroup)
    return err(c, 400, `group ${JSON.stringify(spec.name)} has ${spec.rules.length} rules, over the limit of ${RULE_LIMITS.rulesPerGroup} per group: split it`);
  const db = useDb(c);
  const others = await ruleCounts(db, tenant, { namespace: ns, name: spec.name });
  if (others.groups + 1 > RULE_LIMITS.groupsPerTenant)
    return err(c, 400, `this tenant has ${others.groups} rule groups already, the limit is ${RULE_LIMITS.groupsPerTenant}: delete some first`);
  if (others.rules + spec.rules.length > RULE_LIMITS.rulesPerTenant)
    return err(c, 400, `this group would bring the tenant to ${others.rules + spec.rules.length} rules, over the limit of ${RULE_LIMITS.rulesPerTenant}`);
  const result = await upsertRuleGroup(db, tenant, ns, { spec, source, intervalMs }, (prev) => initialGroupState(spec, prev));
  return c.json({ status: "success", data: { namespace: ns, group: spec.name, result } }, 202);
});

rules.delete("/:namespace/:group", async (c) => {
  const t = await groupTarget(c);
  if (t instanceof Response) return t;
  const { tenant, ns, name } = t;
  const deleted = await deleteRuleGroup(useDb(c), tenant, ns, name);
  if (!deleted) return err(c, 404, `no rule group ${JSON.stringify(name)} in namespace ${JSON.stringify(ns)}`);
  await markDeletedStale(useDb(c), tenant, [deleted], Date.now());
  return c.json({ status: "success", data: { namespace: ns, group: name, deleted: true } }, 202);
});

rules.delete("/:namespace", async (c) => {
  const ns = nameOf(c, "namespace");
  if (ns instanceof Response) return ns;
  const tenant = await tenantOf(c);
  if (tenant instanceof Response) return tenant;
  const deleted = await deleteRuleNamespace(useDb(c), tenant, ns);
  const n = deleted.length;
  if (n === 0) return err(c, 404, `no rule groups in namespace ${JSON.stringify(ns)}`);
  await markDeletedStale(useDb(c), tenant, deleted, Date.now());
  return c.json({ status: "success", data: { namespace: ns, deleted: n } }, 202);
});
