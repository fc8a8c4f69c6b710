// The admin API's notifier config (admin scope), mounted at /admin/v1/notifiers:
//   GET /admin/v1/notifiers[?tenant=]   the config with defaults filled in (YAML with Accept: application/yaml)
//   PUT /admin/v1/notifiers[?tenant=]   replace it: a JSON or YAML body (Content-Type says which; YAML otherwise)
import { Hono } from "hono";
import { stringify } from "yaml";
import { useDb } from "../../../shared/http/context";
import { bodyText, err, targetTenant, tenantQuery, type AdminEnv } from "../admin-request";
import { NotifierConfigError, parseNotifierConfig } from "./config";
import { getNotifierConfig, putNotifierConfig, type StoredNotifierConfig } from "./store";

const MAX_BODY_BYTES = 256 * 1024;

export const notifiers = new Hono<AdminEnv>();

const answer = (tenant: number, s: StoredNotifierConfig) => ({ status: "success", data: { tenant, config: s.config, updated_at: s.updatedAt } });

notifiers.get("/", async (c) => {
  const tenant = await targetTenant(c, c.get("principal"), tenantQuery(c));
  if (tenant instanceof Response) return tenant;
  const stored = await getNotifierConfig(useDb(c), tenant);
  if (/yaml/i.test(c.req.header("accept") ?? "")) return c.body(stringify(stored.config), 200, { "content-type": "application/yaml; charset=utf-8" });
  return c.json(answer(tenant, stored));
});

notifiers.put("/", async (c) => {
  const tenant = await targetTenant(c, c.get("principal"), tenantQuery(c));
  if (tenant instanceof Response) return tenant;
  // Bounded as it is read: a larger body is never held whole.
  const text = await bodyText(c.req.raw, MAX_BODY_BYTES);
  if (text === null) return err(c, 413, `config is larger than ${MAX_BODY_BYTES / 1024} KiB`);
  if (text.trim() === "") return err(c, 400, "body: empty; send the config as JSON or YAML (alertmanagers, receivers)");
  let config;
  try {
    config = parseNotifierConfig(text, c.req.header("content-type") ?? "");
  } catch (e) {
    if (e instanceof NotifierConfigError) return err(c, 400, e.message);
    throw e;
  }
  return c.json(answer(tenant, await putNotifierConfig(useDb(c), tenant, config)));
});
