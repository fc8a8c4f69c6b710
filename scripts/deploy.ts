// `npm run deploy`: wrangler deploy for the three workers (wrangler.toml envs).
// `npm run deploy -- --dry-run` bundles each without uploading and prints sizes (CI runs it).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";

const WORKERS = ["ingest", "aggregator", "query"] as const;
const dryRun = process.argv.includes("--dry-run");
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true", ...(dryRun ? { CLOUDFLARE_CF_FETCH_ENABLED: "false" } : {}) };

let failed = false;
for (const name of WORKERS) {
  const outdir = mkdtempSync(join(tmpdir(), `inferscope-${name}-`));
  const args = ["wrangler", "deploy", "--env", name, ...(dryRun ? ["--dry-run", "--outdir", outdir] : [])];
  console.log(`$ npx ${args.join(" ")}`);
  const res = spawnSync("npx", args, { stdio: dryRun ? "pipe" : "inherit", env, encoding: "utf8" });
  if (res.status !== 0) {
    failed = true;
    console.error(res.stdout ?? "", res.stderr ?? "");
    console.error(`${name}: wrangler deploy failed (exit ${res.status})`);
    continue;
  }
  if (dryRun) {
    for (const f of readdirSync(outdir).filter((f) => f.endsWith(".js"))) {
      const bytes = statSync(join(outdir, f)).size;
      const gz = gzipSync(readFileSync(join(outdir, f))).length;
      console.log(`${name}: bundle ${f} ${(bytes / 1024).toFixed(1)} KiB, gzip ${(gz / 1024).toFixed(1)} KiB`);
    }
  }
}
process.exit(failed ? 1 : 0);
