// `inferscope keys create|list|revoke`: API keys through the admin API.
import type { KeyInfo } from "../../shared/admin";
import { SCOPES } from "../../shared/auth";
import { adminCall, commonHelp, helpExit, parse, target, UsageError } from "./api-client";
import { table } from "../terminal/table";

const HELP = `usage:
  inferscope keys create --scopes ingest[,query,admin] [--tenant NAME] [--name LABEL]
  inferscope keys list [--tenant NAME]
  inferscope keys revoke ID
${commonHelp("admin")}`;

export async function keysCommand(argv: string[]): Promise<number> {
  const { values, positionals: [sub, ...rest] } = parse(argv, { tenant: { type: "string" }, scopes: { type: "string" }, name: { type: "string" } });
  const exit = helpExit(values.help, sub, HELP);
  if (exit !== null) return exit;
  const t = target(values, "admin");
  switch (sub) {
    case "create": {
      const scopes = (values.scopes ?? "").split(",").map((s) => s.trim()).filter(Boolean);
      const bad = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
      if (scopes.length === 0 || bad.length) throw new UsageError(`--scopes takes a comma-separated list of ${SCOPES.join(", ")}${bad.length ? ` (not: ${bad.join(", ")})` : ""}`);
      const k = await adminCall<KeyInfo & { key: string }>(t, "POST", "/keys", { tenant: values.tenant, scopes, name: values.name });
      if (values.json) process.stdout.write(`${JSON.stringify(k, null, 2)}\n`);
      else process.stdout.write(`${k.key}\n\nkey ${k.id} (${k.prefix}…) for tenant ${k.tenantId}, scopes ${k.scopes.join(",")}. It is shown only now: store it.\n`);
      return 0;
    }
    case "list": {
      const keys = await adminCall<KeyInfo[]>(t, "GET", `/keys${values.tenant ? `?tenant=${encodeURIComponent(values.tenant)}` : ""}`);
      process.stdout.write(values.json ? `${JSON.stringify(keys, null, 2)}\n` : table(keys as unknown as Record<string, unknown>[], ["id", "tenantId", "name", "prefix", "scopes", "createdAt", "revokedAt"]));
      return 0;
    }
    case "revoke": {
      const id = Number(rest[0]);
      if (!Number.isInteger(id) || id <= 0) throw new UsageError("keys revoke takes the key's numeric ID (see `inferscope keys list`)");
      await adminCall(t, "DELETE", `/keys/${id}`);
      process.stdout.write(`key ${id} revoked; workers stop accepting it within a minute (their key cache)\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown keys subcommand ${JSON.stringify(sub)}\n\n${HELP}`);
  }
}
