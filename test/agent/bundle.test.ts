// The release artifact: `npm run build:agent` (scripts/build-agent.ts) makes
// one file that runs with plain node and nothing beside it.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { buildVersion, checkMetafile, dynamicImports, ROOT } from "../../scripts/lib/agent-bundle";
import { POSTJECT_VERSION } from "../../scripts/lib/agent-sea";
import { lonely } from "./helpers/lone-artifact";

const run = promisify(execFile);
const TSX = join(ROOT, "node_modules/.bin/tsx");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
/** The command names of cli/bin.ts's COMMANDS table: a new command is checked without editing this file. */
const COMMAND_NAMES = [...readFileSync(join(ROOT, "cli/bin.ts"), "utf8").matchAll(/^ {2}(\w+): \{/gm)].map((m) => m[1]);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "inferscope-build-"));
  dirs.push(d);
  return d;
};
/** Runs a command to its end; a non-zero exit is returned, not thrown. */
async function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd, env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : -1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}

describe("npm run build:agent", () => {
  it("builds one self-contained dist/inferscope.mjs that runs alone with plain node: --version, --help and every command", async () => {
    const out = tmp();
    const build = await sh(TSX, ["scripts/build-agent.ts", "--outdir", out], ROOT);
    expect(build.stderr).toBe("");
    expect(build.code).toBe(0);
    expect(build.stdout).toMatch(/^built .*inferscope\.mjs \(\d+\.\d MiB, \d+ modules, inferscope /);
    expect(readdirSync(out)).toEqual(["inferscope.mjs"]);
    const file = join(out, "inferscope.mjs");
    const text = readFileSync(file, "utf8");
    expect(text.split("\n")[0]).toBe("#!/usr/bin/env node");
    // Non-ASCII would make V8 keep the 1.5 MB source as UTF-16 (3 MB) for the process's life.
    expect(text.match(/[^\x00-\x7f]/g) ?? []).toEqual([]);
    expect(statSync(file).mode & 0o111).toBe(0o111);

    const bin = lonely(file);
    dirs.push(join(bin, ".."));
    const cwd = join(bin, "..");
    // No tsx, no loader, no NODE_PATH: what a host with only Node has.
    const env = { PATH: process.env.PATH, HOME: cwd };
    const version = await sh(process.execPath, [bin, "--version"], cwd, env);
    expect(version).toMatchObject({ code: 0, stderr: "" });
    expect(version.stdout).toBe(`inferscope ${buildVersion()}\n`);
    // Built in a checkout: the revision too.
    const rev = existsSync(join(ROOT, ".git")) ? " \\(git [0-9a-f]{12}(-dirty)?\\)" : "";
    expect(version.stdout).toMatch(new RegExp(`^inferscope ${pkg.version.replace(/\./g, "\\.")}${rev}\\n$`));
    const help = await sh(bin, ["--help"], cwd, env); // through its shebang
    expect(help).toMatchObject({ code: 0, stderr: "" });
    expect(COMMAND_NAMES.length).toBeGreaterThanOrEqual(11);
    for (const name of COMMAND_NAMES) expect(help.stdout).toMatch(new RegExp(`^  ${name} `, "m"));
    // Each command's module is loaded on demand: its --help proves it is inside the file.
    for (const name of COMMAND_NAMES) {
      const r = await sh(process.execPath, [bin, name, "--help"], cwd, env);
      expect({ name, code: r.code, stderr: r.stderr }).toEqual({ name, code: 0, stderr: "" });
      expect(r.stdout).toMatch(/usage/);
    }
    const unknown = await sh(process.execPath, [bin, "frobnicate"], cwd, env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^inferscope: unknown command "frobnicate"/);
  }, 120_000);

  it("prints the package version from sources too", async () => {
    const r = await sh(TSX, ["cli/bin.ts", "--version"], ROOT);
    expect(r).toEqual({ code: 0, stdout: `inferscope ${pkg.version} (sources)\n`, stderr: "" });
  });

  it("refuses a bundle that would need node_modules or leaves a command out", () => {
    expect(dynamicImports()).toEqual(expect.arrayContaining(["./agent/main", "./commands/keys", "./commands/query", "./version"]));
    const out = "dist/inferscope.mjs";
    const inputs = Object.fromEntries(dynamicImports().map((s) => [`cli/${s.slice(2)}.ts`, { bytesInOutput: 1 }]));
    const meta = (extraImports: Array<{ path: string; kind: string; external?: boolean }>, drop?: string) => ({
      inputs: {},
      outputs: {
        [out]: {
          bytes: 1,
          inputs: Object.fromEntries(Object.entries(inputs).filter(([k]) => k !== drop)),
          imports: [{ path: "node:fs", kind: "import-statement", external: true }, { path: "zlib", kind: "require-call", external: true }, ...extraImports],
          exports: [],
        },
      },
    });
    const check = (m: ReturnType<typeof meta>) => checkMetafile(m as never, join(process.cwd(), out));
    expect(check(meta([]))).toEqual([]);
    expect(check(meta([{ path: "pg", kind: "require-call", external: true }]))).toEqual([
      'import of "pg" left outside the bundle: it would need node_modules at run time',
    ]);
    expect(check(meta([], "cli/commands/keys.ts"))).toEqual(['cli/bin.ts: import("./commands/keys") is not inside the bundle']);
  });

  it("--sea makes one executable that runs alone, or says exactly what it needs", async () => {
    const out = tmp();
    const r = await sh(TSX, ["scripts/build-agent.ts", "--outdir", out, "--sea"], ROOT);
    let postject = true;
    try {
      (await import("node:module")).createRequire(join(ROOT, "package.json")).resolve("postject/package.json");
    } catch {
      postject = false;
    }
    if (!postject) {
      // Not a devDependency (yet): the .mjs is still built, and the error names the package to add.
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`build:agent: --sea needs postject: npm install --save-dev postject@${POSTJECT_VERSION}\n`);
      expect(readdirSync(out)).toEqual(["inferscope.mjs"]);
      return;
    }
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(/built .*inferscope \(\d+\.\d MiB, single executable, Node v20\./);
    const exe = lonely(join(out, "inferscope"));
    dirs.push(join(exe, ".."));
    const cwd = join(exe, "..");
    const v = await sh(exe, ["--version"], cwd, { PATH: "/usr/bin:/bin", HOME: cwd }); // no node on PATH needed
    expect(v).toEqual({ code: 0, stdout: `inferscope ${buildVersion()}\n`, stderr: "" });
    const help = await sh(exe, ["agent", "--help"], cwd, { PATH: "/usr/bin:/bin", HOME: cwd });
    expect(help).toMatchObject({ code: 0, stdout: expect.stringMatching(/^usage: inferscope agent --config agent\.yaml/) });
  }, 120_000);
});
