// `inferscope prices list|set|delete`: a tenant's model prices through the
// admin API. They win over the shipped table when logs without a cost are priced.
import { adminCall, commonHelp, helpExit, parse, target, UsageError } from "./api-client";
import { numberFlag } from "../terminal/number-args";
import { table } from "../terminal/table";

const HELP = `usage:
  inferscope prices list [--shipped] [--tenant NAME]
  inferscope prices set MODEL --input USD --output USD [--cached USD] [--tenant NAME]
  inferscope prices set MODEL --gpu-hour USD [--concurrency N] [--tenant NAME]
  inferscope prices delete MODEL [--tenant NAME]

Token prices are USD per 1M tokens (--cached: cached input; default the input
price). A self-hosted model is priced by GPU time instead: --gpu-hour is what
its GPUs cost per hour, all together, and --concurrency how many requests it
serves at once (default 1); a request costs gpu-hour × latency / 3600 / concurrency.
MODEL is matched in lower case, with or without a provider prefix
(openai/gpt-4o-mini), and without a date suffix (gpt-4o-mini-2024-07-18).
  --shipped    also list the shipped price table
  --tenant     the tenant (name or id) when using the bootstrap key
${commonHelp("admin")}`;

interface PriceWire {
  model: string;
  input_per_mtok: number | null;
  output_per_mtok: number | null;
  cached_per_mtok: number | null;
  gpu_hour_usd?: number | null;
  concurrency?: number | null;
  updated_at?: string;
  provider?: string;
}

interface PriceList {
  tenant: number;
  prices: PriceWire[];
  shipped?: { taken: string; prices: PriceWire[] };
}

const COLUMNS = ["model", "input_per_mtok", "output_per_mtok", "cached_per_mtok", "gpu_hour_usd", "concurrency", "updated_at"];

const usd = (flag: string, raw: string | undefined): number | undefined => numberFlag(raw, flag, { min: 0 });

export async function pricesCommand(argv: string[]): Promise<number> {
  const { values, positionals: [sub, ...rest] } = parse(argv, {
    tenant: { type: "string" },
    shipped: { type: "boolean", default: false },
    input: { type: "string" },
    output: { type: "string" },
    cached: { type: "string" },
    "gpu-hour": { type: "string" },
    concurrency: { type: "string" },
  });
  const exit = helpExit(values.help, sub, HELP);
  if (exit !== null) return exit;
  const t = target(values, "admin");
  const tenantQuery = values.tenant ? `tenant=${encodeURIComponent(values.tenant)}` : "";
  const modelPath = () => {
    if (!rest[0]) throw new UsageError(`prices ${sub} takes the MODEL, e.g. openai/gpt-4o-mini`);
    if (rest.length > 1) throw new UsageError(`prices ${sub} takes one MODEL (got ${rest.length}: ${rest.join(" ")})`);
    return `/prices/${encodeURIComponent(rest[0])}`;
  };
  switch (sub) {
    case "list": {
      const q = [values.shipped ? "shipped=1" : "", tenantQuery].filter(Boolean).join("&");
      const list = await adminCall<PriceList>(t, "GET", `/prices${q ? `?${q}` : ""}`);
      if (values.json) {
        process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        return 0;
      }
      process.stdout.write(list.prices.length ? table(list.prices as unknown as Record<string, unknown>[], COLUMNS) : `no prices set for tenant ${list.tenant}: the shipped table applies\n`);
      if (list.shipped) {
        process.stdout.write(`\nshipped prices (taken ${list.shipped.taken}), USD per 1M tokens:\n`);
        process.stdout.write(table(list.shipped.prices as unknown as Record<string, unknown>[], ["model", "provider", "input_per_mtok", "output_per_mtok", "cached_per_mtok"]));
      }
      return 0;
    }
    case "set": {
      const path = modelPath();
      const gpu = usd("gpu-hour", values["gpu-hour"]);
      const concurrency = usd("concurrency", values.concurrency);
      const tokens = { input_per_mtok: usd("input", values.input), output_per_mtok: usd("output", values.output), cached_per_mtok: usd("cached", values.cached) };
      if (gpu === undefined && (tokens.input_per_mtok === undefined || tokens.output_per_mtok === undefined))
        throw new UsageError("prices set takes --input and --output (USD per 1M tokens), or --gpu-hour for a self-hosted model");
      const body = gpu === undefined ? { ...tokens, concurrency } : { gpu_hour_usd: gpu, concurrency, ...tokens };
      const set = await adminCall<PriceWire>(t, "PUT", path, { ...body, tenant: values.tenant });
      process.stdout.write(values.json ? `${JSON.stringify(set, null, 2)}\n` : table([set as unknown as Record<string, unknown>], COLUMNS));
      return 0;
    }
    case "delete": {
      const path = modelPath();
      await adminCall(t, "DELETE", `${path}${tenantQuery ? `?${tenantQuery}` : ""}`);
      process.stdout.write(`price of ${rest[0]} deleted: the shipped table applies to it again\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown prices subcommand ${JSON.stringify(sub)}\n\n${HELP}`);
  }
}
