// Parse + validate benchmark for POST /v1/logs/litellm (a measurement, not a test):
//   npx tsx workers/ingest/protocols/litellm/parse.bench.ts [--workerd]
// A 512-record batch (LiteLLM's default batch_size) of realistic payloads, as a
// JSON array and as NDJSON: records/s through parseLitellmBody (JSON.parse,
// the duplicate-key scan, the adapter, the shared validation, normalisation),
// with the stages apart; with --workerd the same inside workerd, timed from Node.
import { DEFAULT_LIMITS } from "../../../../shared/limits";
import { adaptLitellm } from "../../../../shared/logs/adapters/litellm";
import { validateLogRecords } from "../../log-records";
import { findDuplicateKeys } from "../json/duplicate-keys";
import { measure } from "../measure.bench";
import { startWorkerdTimer } from "../remote-write/workerd-timing.bench";
import { parseLitellmBody } from "./parse";
import { samplePayload } from "./sample-payloads";

const RECORDS = 512;
const start = Date.now() / 1000 - 600;
const payloads = Array.from({ length: RECORDS }, (_, i) => samplePayload(i, start));
const array = JSON.stringify(payloads);
const ndjson = payloads.map((p) => JSON.stringify(p)).join("\n");

const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const report = (label: string, f: { ms: number; cpuMs?: number | null }) =>
  console.log(`  ${label.padEnd(40)} ${fmt(f.ms, 3).padStart(8)} ms/batch  ${fmt((RECORDS * 1000) / f.ms).padStart(9)} records/s` + (f.cpuMs == null ? "" : `  (${fmt(f.cpuMs, 3)} CPU ms)`));

const check = parseLitellmBody(array, DEFAULT_LIMITS, Date.now());
if (check.records.length !== RECORDS || check.rejected.length > 0) throw new Error(`bench batch not clean: ${check.records.length} records, ${JSON.stringify(check.rejected.slice(0, 3))}`);

console.log(`Node ${process.version} (V8 ${process.versions.v8}), ${new Date().toISOString()}`);
console.log(`${RECORDS} LiteLLM StandardLoggingPayload records: ${fmt(array.length / 1024, 1)} KiB as a JSON array, ${fmt(array.length / RECORDS)} bytes a record`);
report("parseLitellmBody, json_array", measure(() => parseLitellmBody(array, DEFAULT_LIMITS, Date.now())));
report("parseLitellmBody, ndjson", measure(() => parseLitellmBody(ndjson, DEFAULT_LIMITS, Date.now())));
const parsed = JSON.parse(array) as unknown[];
const adapted = parsed.map((p) => adaptLitellm(p)).map((r, i) => (r.ok ? { path: `[${i}]`, record: r.record, sources: r.sources } : null)).filter((c) => c !== null);
report("  JSON.parse only", measure(() => JSON.parse(array)));
report("  duplicate-key scan only", measure(() => findDuplicateKeys(array)));
report("  duplicate-key count check", measure(() => findDuplicateKeys(array, 100, parsed)));
report("  adaptLitellm only", measure(() => parsed.map((p) => adaptLitellm(p))));
report("  validateLogRecords only", measure(() => validateLogRecords(adapted, DEFAULT_LIMITS, Date.now(), [])));

if (process.argv.includes("--workerd")) {
  const timer = await startWorkerdTimer(`
    import { parseLitellmBody } from ${JSON.stringify(new URL("./parse.ts", import.meta.url).pathname)};
    import { DEFAULT_LIMITS } from ${JSON.stringify(new URL("../../../../shared/limits.ts", import.meta.url).pathname)};
    export default {
      async fetch(request) {
        const n = Number(new URL(request.url).searchParams.get("n"));
        const text = await request.text();
        let records = 0;
        for (let i = 0; i < n; i++) records = parseLitellmBody(text, DEFAULT_LIMITS, Date.now()).records.length;
        return new Response(String(records));
      },
    };`);
  try {
    console.log(`Inside workerd (miniflare ${timer.miniflareVersion}), timed from Node per fetch:`);
    for (const [label, text] of [["json_array", array], ["ndjson", ndjson]] as const) {
      const f = await timer.time(new TextEncoder().encode(text), {
        check: (got) => {
          if (Number(got) !== RECORDS) throw new Error(`workerd parsed ${got} records, expected ${RECORDS}`);
        },
      });
      report(`parseLitellmBody, ${label}`, f);
    }
  } finally {
    await timer.dispose();
  }
}
