// `inferscope tenants create|list`: tenants through the admin API (bootstrap key to create).
import type { TenantInfo } from "../../shared/admin";
import { adminCall, commonHelp, helpExit, parse, target, UsageError } from "./api-client";
import { table } from "../terminal/table";

const HELP = `usage:
  inferscope tenants create NAME
  inferscope tenants list
${commonHelp("admin")}`;

export async function tenantsCommand(argv: string[]): Promise<number> {
  const { values, positionals: [sub, ...rest] } = parse(argv, {});
  const exit = helpExit(values.help, sub, HELP);
  if (exit !== null) return exit;
  const t = target(values, "admin");
  switch (sub) {
    case "create": {
      if (!rest[0]) throw new UsageError("tenants create takes the new tenant's NAME");
      const created = await adminCall<TenantInfo>(t, "POST", "/tenants", { name: rest[0] });
      process.stdout.write(values.json ? `${JSON.stringify(created, null, 2)}\n` : `tenant ${created.id} ${created.name} created\n`);
      return 0;
    }
    case "list": {
      const all = await adminCall<TenantInfo[]>(t, "GET", "/tenants");
      process.stdout.write(values.json ? `${JSON.stringify(all, null, 2)}\n` : table(all as unknown as Record<string, unknown>[], ["id", "name", "createdAt"]));
      return 0;
    }
    default:
      throw new UsageError(`unknown tenants subcommand ${JSON.stringify(sub)}\n\n${HELP}`);
  }
}
