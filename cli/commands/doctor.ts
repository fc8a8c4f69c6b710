// `inferscope doctor`: checks a deployment end to end and says what to fix.
// Server: /healthz of every worker, each key's tenant and scopes, then with an
// admin key GET /admin/v1/status (schema, cron, partitions and retention,
// rules, dead letters), and a marker round trip through ingest, queue,
// Postgres and the query API. With --agent: the agent's own health, queue and
// targets. Exit 1 when any check fails, 2 on bad usage, else 0.
import { parseArgs } from "node:util";
import { CliError } from "../errors";
import { numberFlag } from "../terminal/number-args";
import { DEFAULT_URL } from "./api-client";
import { checkAgent } from "./doctor-agent";
import { exitCode, renderJson, renderText, type Check } from "./doctor-report";
import { checkRoundTrip } from "./doctor-roundtrip";
import { checkHealth, checkKeys, checkStatus } from "./doctor-server";

const HELP = `usage: inferscope doctor [--url URL] [--key KEY]... [--agent URL] [--timeout S] [--json]

Checks a deployment and says what to fix; exits 1 when a check fails.
  server   /healthz of every worker; each key's tenant and scopes; with an admin key the
           schema against this build's migrations, the cron's last run, retention and
           partitions ahead, rule groups, dead letters; with an ingest and a query key of
           one tenant a round trip: a marker sample and a marker request log (model
           "inferscope-doctor", they stay stored) sent, then read back through the query API
  agent    with --agent: the agent's /healthz, disk queue against its bound, sends, and
           every target's last collection

options:
  --url URL      Inferscope base URL (env INFERSCOPE_URL, default ${DEFAULT_URL});
                 with only --agent and neither --url nor a key, the server is not checked
  --key KEY      an API key, repeatable: e.g. an ingest+query key and an admin key
                 (env INFERSCOPE_API_KEY when no --key)
  --agent URL    the agent's self server (self.listen in agent.yaml), e.g. http://127.0.0.1:9465
  --timeout S    seconds to wait for the marker to come back (default 30)
  --json         print {ok, checks:[{name, status: ok|fail|warn, detail, fix}]}`;

const httpUrl = (v: string, flag: string) => {
  const u = v.replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]/i.test(u)) throw new CliError(`${flag} takes an http(s) URL such as ${flag === "--agent" ? "http://127.0.0.1:9465" : DEFAULT_URL} (not ${JSON.stringify(v)})`);
  return u;
};

export interface DoctorIo {
  out: { write(s: string): unknown };
  env: Record<string, string | undefined>;
}

export async function runDoctor(argv: string[], io: DoctorIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        url: { type: "string" },
        key: { type: "string", multiple: true },
        agent: { type: "string" },
        timeout: { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    }));
  } catch (err) {
    throw new CliError(`${(err as Error).message} (see --help)`);
  }
  if (values.help) {
    io.out.write(`${HELP}\n`);
    return 0;
  }
  const timeoutS = numberFlag(values.timeout, "timeout", { above: 0, unit: "seconds", fallback: 30 });
  const keys = values.key?.length ? values.key : io.env.INFERSCOPE_API_KEY ? [io.env.INFERSCOPE_API_KEY] : [];
  const agent = values.agent === undefined ? undefined : httpUrl(values.agent, "--agent");
  const serverAsked = values.url !== undefined || !!io.env.INFERSCOPE_URL || keys.length > 0 || !agent;
  const checks: Check[] = [];
  if (serverAsked) checks.push(...(await serverChecks(httpUrl(values.url ?? (io.env.INFERSCOPE_URL || DEFAULT_URL), "--url"), keys, timeoutS * 1000)));
  if (agent) checks.push(...(await checkAgent(agent)));
  io.out.write(values.json ? renderJson(checks) : renderText(checks));
  return exitCode(checks);
}

async function serverChecks(url: string, keys: string[], timeoutMs: number): Promise<Check[]> {
  const health = await checkHealth(url);
  if (!health.reachable) return health.checks;
  if (!keys.length) return [...health.checks, { name: "keys", status: "fail", detail: "no API key given: nothing past /healthz can be checked", fix: "pass --key (repeatable) or set INFERSCOPE_API_KEY" }];
  const { checks: keyChecks, infos } = await checkKeys(url, keys);
  const [status, roundTrip] = await Promise.all([checkStatus(url, infos), checkRoundTrip(url, infos, timeoutMs)]);
  return [...health.checks, ...keyChecks, ...status, ...roundTrip];
}

export function doctorCommand(args: string[]): Promise<number> {
  return runDoctor(args, { out: process.stdout, env: process.env });
}
