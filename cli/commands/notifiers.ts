// `inferscope notifiers get|set`: a tenant's notifier config (Alertmanagers,
// direct webhook and Slack receivers) through the admin API.
import { readFile } from "node:fs/promises";
import { parse as parseYaml, stringify } from "yaml";
import { adminCall, commonHelp, helpExit, parse, target, UsageError } from "./api-client";

const HELP = `usage:
  inferscope notifiers get [--tenant NAME]          print the config as YAML (defaults filled in)
  inferscope notifiers set FILE.yml [--tenant NAME]  replace the config with the file's (YAML or JSON)

The file:
  alertmanagers:                 # sent alerts as Prometheus sends them (POST /api/v2/alerts)
    - url: https://alertmanager.example.com
      bearer_token: ...          # or basic_auth: {username, password}
      timeout: 10s
  receivers:                     # grouped here, as Alertmanager would, for those without one
    - name: oncall
      type: webhook              # Alertmanager's webhook payload (version 4); or slack (incoming webhook)
      url: https://hooks.example.com/alerts
      group_by: [alertname]      # ["..."]: every label
      group_wait: 30s
      group_interval: 5m
      repeat_interval: 4h
      send_resolved: true
      max_alerts: 0              # 0: no limit
  --tenant     the tenant (name or id) when using the bootstrap key
${commonHelp("admin", "print the API's JSON instead of YAML")}`;

interface ConfigAnswer {
  tenant: number;
  config: Record<string, unknown>;
  updated_at: string | null;
}

export async function notifiersCommand(argv: string[]): Promise<number> {
  const { values, positionals: [sub, ...rest] } = parse(argv, { tenant: { type: "string" } });
  const exit = helpExit(values.help, sub, HELP);
  if (exit !== null) return exit;
  const query = values.tenant ? `?tenant=${encodeURIComponent(values.tenant)}` : "";
  switch (sub) {
    case "get": {
      if (rest.length) throw new UsageError(`notifiers get takes no arguments (got: ${rest.join(" ")})`);
      const got = await adminCall<ConfigAnswer>(target(values, "admin"), "GET", `/notifiers${query}`);
      process.stdout.write(values.json ? `${JSON.stringify(got, null, 2)}\n` : got.updated_at === null ? `# no notifiers configured for tenant ${got.tenant}\n${stringify(got.config)}` : stringify(got.config));
      return 0;
    }
    case "set": {
      if (rest.length !== 1) throw new UsageError(`notifiers set takes one FILE (YAML or JSON)${rest.length ? `, got ${rest.length}` : ""}`);
      let text: string;
      try {
        text = await readFile(rest[0], "utf8");
      } catch (err) {
        throw new UsageError(`cannot read ${rest[0]}: ${(err as Error).message}`);
      }
      let config: unknown;
      try {
        config = parseYaml(text);
      } catch (err) {
        throw new UsageError(`${rest[0]} is not YAML or JSON: ${(err as Error).message.split("\n")[0]}`);
      }
      // The server validates (and says what is wrong, field by field).
      const t = target(values, "admin");
      const set = await adminCall<ConfigAnswer>(t, "PUT", `/notifiers${query}`, config ?? null);
      const c = set.config as { alertmanagers: unknown[]; receivers: unknown[] };
      process.stdout.write(values.json ? `${JSON.stringify(set, null, 2)}\n` : `notifiers of tenant ${set.tenant} set: ${c.alertmanagers.length} alertmanager(s), ${c.receivers.length} receiver(s)\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown notifiers subcommand ${JSON.stringify(sub)}\n\n${HELP}`);
  }
}
