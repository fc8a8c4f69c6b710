// cli/agent/install.sh in a scratch root (--root): the files it writes, their
// modes, the unit, the config from the flags (and that the agent's own loader
// accepts it), that a second run changes nothing, that an upgrade keeps config,
// key and queue, and that bad flags get precise errors. No real systemd: what it
// would run is read from its output; the unit is checked by systemd-analyze
// where that is installed.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFileSync, chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../cli/agent/config";
import { buildAgentBundle } from "../../scripts/lib/agent-bundle";
import { FixtureExporter } from "./helpers/exporter";
import { FakeReceiver } from "./helpers/receiver";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const SCRIPT = join(REPO, "cli/agent/install.sh");
const KEY = "isk_TestKey-0123456789_abcdefghijklmnopqrstuv";
const NODE = process.execPath;

let work: string;
let artifact: string;

/**
 * The artifact under test: $INFERSCOPE_AGENT_BIN (dist/inferscope.mjs from
 * `npm run build:agent`) when set, else built here by the same code.
 */
async function artifactPath(dir: string): Promise<string> {
  if (process.env.INFERSCOPE_AGENT_BIN) return process.env.INFERSCOPE_AGENT_BIN;
  return (await buildAgentBundle(join(dir, "inferscope.mjs"))).file;
}

function install(args: string[], env: Record<string, string | undefined> = {}) {
  const r = spawnSync("/bin/sh", [SCRIPT, ...args], { encoding: "utf8", env: { PATH: process.env.PATH, TMPDIR: work, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function installAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn("/bin/sh", [SCRIPT, ...args], { env: { PATH: process.env.PATH, TMPDIR: work } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}

/** Every entry under root: mode, mtime and (files) sha256, keyed by path. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string) => {
    const st = lstatSync(p);
    const rel = p.slice(root.length) || "/";
    out[rel] = `${(st.mode & 0o7777).toString(8)} ${st.mtimeMs}`;
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
    else if (st.isSymbolicLink()) out[rel] += ` -> ${readlinkSync(p)}`;
    else out[rel] += ` ${createHash("sha256").update(readFileSync(p)).digest("hex")}`;
  };
  walk(root);
  return out;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const mode = (p: string) => (lstatSync(p).mode & 0o777).toString(8);

/** systemd unit as key -> values (a key may repeat). */
function unitKeys(text: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const hit = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (hit) m.set(hit[1], [...(m.get(hit[1]) ?? []), hit[2]]);
  }
  return m;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "inferscope-install-"));
  artifact = await artifactPath(work);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const FLAGS = [
  "--url", "https://ingest.example.com",
  "--key", KEY,
  "--scrape", "vllm=127.0.0.1:8000",
  "--scrape", "127.0.0.1:9400",
  "--scrape", "http://[::1]:9100/metrics",
  "--nvidia-smi",
  "--ollama", "http://127.0.0.1:11434",
  "--tail", "/var/log/litellm/requests.jsonl",
  "--tail", "ollama=/var/log/ollama/server.log",
  "--host", "gpu-node-07",
];

describe("install.sh in a scratch root", () => {
  let root: string;

  it("installs the artifact, the command, the config, the key, the queue directory and the unit", () => {
    root = join(work, "root");
    const r = install([...FLAGS, "--artifact", artifact, "--root", root]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);

    const lib = join(root, "usr/local/lib/inferscope/inferscope.mjs");
    expect(readFileSync(lib).equals(readFileSync(artifact))).toBe(true);
    expect(mode(lib)).toBe("644");
    expect(mode(join(root, "usr/local/lib/inferscope"))).toBe("755");

    const wrapper = join(root, "usr/local/bin/inferscope");
    expect(mode(wrapper)).toBe("755");
    expect(readFileSync(wrapper, "utf8")).toMatch(new RegExp(`^#!/bin/sh\n[^]*\nexec ${NODE} /usr/local/lib/inferscope/inferscope\\.mjs "\\$@"\n$`));

    expect(mode(join(root, "etc/inferscope"))).toBe("750");
    const yamlPath = join(root, "etc/inferscope/agent.yaml");
    expect(mode(yamlPath)).toBe("640");
    const yaml = readFileSync(yamlPath, "utf8");
    expect(yaml).not.toContain(KEY);
    expect(yaml).toContain("api_key: ${INFERSCOPE_API_KEY}");

    const envPath = join(root, "etc/inferscope/agent.env");
    expect(mode(envPath)).toBe("600");
    expect(readFileSync(envPath, "utf8")).toMatch(new RegExp(`^INFERSCOPE_API_KEY=${KEY}$`, "m"));

    expect(mode(join(root, "var/lib/inferscope"))).toBe("750");
    expect(mode(join(root, "etc/systemd/system/inferscope-agent.service"))).toBe("644");

    // What it would have run as root on a real host.
    expect(r.stdout).toContain("would run: useradd --system --no-create-home --home-dir /var/lib/inferscope --shell /usr/sbin/nologin --user-group inferscope (if absent)");
    expect(r.stdout).toContain("would run: chown inferscope:inferscope /etc/inferscope/agent.env");
    expect(r.stdout).toContain("would run: chown inferscope:inferscope /var/lib/inferscope");
    expect(r.stdout).toContain("would run: chown root:inferscope /etc/inferscope/agent.yaml");
    expect(r.stdout).toContain("would run: systemctl daemon-reload");
    expect(r.stdout).toContain("would run: systemctl enable --now inferscope-agent");
    expect(r.stdout).not.toContain("restart");
    expect(r.stdout).toContain("/etc/inferscope/agent.yaml: written from the flags (4 scrape target(s) in 4 job(s), 1 ollama, nvidia-smi on, 2 log file(s)");
  });

  it("writes a config the agent's loader accepts, with every flag in it", () => {
    process.env.INFERSCOPE_API_KEY = KEY;
    try {
      const cfg = loadConfig(join(root, "etc/inferscope/agent.yaml"));
      expect(cfg.apiKey).toBe(KEY);
      expect(cfg.endpoint.url).toBe("https://ingest.example.com");
      expect(cfg.data_dir).toBe("/var/lib/inferscope");
      expect(cfg.labels).toEqual({ host: "gpu-node-07" });
      expect(cfg.scrape.map((j) => [j.job, j.targets])).toEqual([
        ["vllm", ["http://127.0.0.1:8000/metrics"]],
        ["metrics", ["http://127.0.0.1:9400/metrics"]],
        ["metrics", ["http://[::1]:9100/metrics"]],
        ["inferscope-agent", ["http://127.0.0.1:9465/metrics"]],
      ]);
      expect(cfg.self.listen).toBe("127.0.0.1:9465");
      expect(cfg.ollama.map((o) => o.url)).toEqual(["http://127.0.0.1:11434"]);
      expect(cfg.nvidia_smi?.path).toMatch(/nvidia-smi$/);
      expect(cfg.logs.map((l) => [l.path, l.format])).toEqual([
        ["/var/log/litellm/requests.jsonl", "litellm"],
        ["/var/log/ollama/server.log", "ollama"],
      ]);
    } finally {
      delete process.env.INFERSCOPE_API_KEY;
    }
    // The installed artifact agrees: `inferscope agent --check`.
    const check = spawnSync(NODE, [join(root, "usr/local/lib/inferscope/inferscope.mjs"), "agent", "--check", "--config", join(root, "etc/inferscope/agent.yaml")], {
      encoding: "utf8", env: { PATH: process.env.PATH, INFERSCOPE_API_KEY: KEY },
    });
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
    expect(check.stdout).toContain("valid: 4 scrape target(s)");
  });

  it("writes a hardened unit for the bundled artifact, run as user inferscope with low-memory Node flags", () => {
    const unitPath = join(root, "etc/systemd/system/inferscope-agent.service");
    const text = readFileSync(unitPath, "utf8");
    const k = unitKeys(text);
    expect(k.get("User")).toEqual(["inferscope"]);
    expect(k.get("Group")).toEqual(["inferscope"]);
    expect(k.get("EnvironmentFile")).toEqual(["/etc/inferscope/agent.env"]);
    expect(k.get("ExecStart")).toEqual([`${NODE} --max-semi-space-size=1 --max-old-space-size=192 --single-threaded --v8-pool-size=1 /usr/local/lib/inferscope/inferscope.mjs agent --config /etc/inferscope/agent.yaml`]);
    expect(k.get("Environment")).toEqual(["MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=65536"]);
    expect(k.get("StateDirectory")).toEqual(["inferscope"]);
    expect(k.get("ReadWritePaths")).toEqual(["/var/lib/inferscope"]);
    expect(k.get("WantedBy")).toEqual(["multi-user.target"]);
    for (const [key, value] of [["NoNewPrivileges", "true"], ["ProtectSystem", "strict"], ["ProtectHome", "read-only"], ["PrivateTmp", "true"], ["CapabilityBoundingSet", ""], ["RestrictSUIDSGID", "true"], ["MemoryMax", "256M"], ["Restart", "always"], ["KillSignal", "SIGTERM"]])
      expect(k.get(key), key).toEqual([value]);
    // nvidia-smi needs /dev/nvidia*, V8 needs W+X pages.
    expect(k.has("PrivateDevices")).toBe(false);
    expect(k.has("MemoryDenyWriteExecute")).toBe(false);
    expect(text).not.toMatch(/tsx|node_modules|\/opt\//);

    // The unit in the repository is this one, bar the node path found at install.
    const repoUnit = readFileSync(join(REPO, "cli/agent/inferscope-agent.service"), "utf8");
    expect(text.replace(`ExecStart=${NODE} `, "ExecStart=/usr/bin/node ")).toBe(repoUnit);

    const analyze = spawnSync("sh", ["-c", "command -v systemd-analyze"], { encoding: "utf8" });
    if (analyze.status === 0) {
      // Unknown keys are only warnings to systemd: any output is a failure here.
      const v = spawnSync("systemd-analyze", ["verify", unitPath], { encoding: "utf8", cwd: work });
      expect(v.stderr + v.stdout).toBe("");
      expect(v.status).toBe(0);
    }
  });

  it("changes nothing on a second run with the same flags: same bytes, modes and mtimes, no restart", () => {
    const before = snapshot(root);
    const r = install([...FLAGS, "--artifact", artifact, "--root", root]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(snapshot(root)).toEqual(before);
    expect(r.stdout).toContain("/usr/local/lib/inferscope/inferscope.mjs: unchanged");
    expect(r.stdout).toContain("/usr/local/bin/inferscope: unchanged");
    expect(r.stdout).toContain("/etc/inferscope/agent.yaml: exists, kept (the same as these flags would write)");
    expect(r.stdout).toContain("/etc/inferscope/agent.env: unchanged");
    expect(r.stdout).toContain("/etc/systemd/system/inferscope-agent.service: unchanged");
    expect(r.stdout).not.toContain("restart");
  });

  it("upgrades to a new artifact keeping an edited config, the key and the queue, and restarts for it", () => {
    const yamlPath = join(root, "etc/inferscope/agent.yaml");
    appendFileSync(yamlPath, "log_level: debug   # edited by hand\n");
    const queueDir = join(root, "var/lib/inferscope/queue");
    mkdirSync(queueDir, { recursive: true });
    writeFileSync(join(queueDir, "000001-m.batch"), "queued bytes");
    const kept = { yaml: readFileSync(yamlPath), env: readFileSync(join(root, "etc/inferscope/agent.env")) };

    const v2 = join(work, "v2.mjs");
    copyFileSync(artifact, v2);
    appendFileSync(v2, "\n// v2\n");
    // No --url or --key: an upgrade needs only the new artifact.
    const r = install(["--artifact", v2, "--root", root]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readFileSync(join(root, "usr/local/lib/inferscope/inferscope.mjs")).equals(readFileSync(v2))).toBe(true);
    expect(readFileSync(yamlPath).equals(kept.yaml)).toBe(true);
    expect(readFileSync(join(root, "etc/inferscope/agent.env")).equals(kept.env)).toBe(true);
    expect(readFileSync(join(queueDir, "000001-m.batch"), "utf8")).toBe("queued bytes");
    expect(r.stdout).toContain("/etc/inferscope/agent.yaml: exists, kept as it is (an upgrade keeps the config)");
    expect(r.stdout).toContain("would run: systemctl try-restart inferscope-agent   (changed: the artifact)");

    // Flags given on an upgrade are not applied to the kept config, and it says so.
    const again = install([...FLAGS, "--artifact", v2, "--root", root]);
    expect(again.code).toBe(0);
    expect(readFileSync(yamlPath).equals(kept.yaml)).toBe(true);
    expect(again.stdout).toContain("kept as it is (an upgrade keeps the config): --url --scrape --nvidia-smi --ollama --tail --host not applied");
    expect(again.stdout).not.toContain("restart");
  });

  it("replaces the key when --key differs, and restarts for it", () => {
    const r = install(["--key", "isk_rotated", "--artifact", artifact, "--root", root]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(root, "etc/inferscope/agent.env"), "utf8")).toContain("INFERSCOPE_API_KEY=isk_rotated\n");
    expect(mode(join(root, "etc/inferscope/agent.env"))).toBe("600");
    expect(r.stdout).toContain("(changed: the artifact, the key)");
  });

  it("refuses an upgrade whose kept config does not validate, and moves nothing", () => {
    const yamlPath = join(root, "etc/inferscope/agent.yaml");
    appendFileSync(yamlPath, "scrape_interval: 15s\n");
    const before = snapshot(root);
    const v3 = join(work, "v3.mjs");
    copyFileSync(artifact, v3);
    appendFileSync(v3, "\n// v3\n");
    const r = install(["--artifact", v3, "--root", root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("install.sh: error: the existing /etc/inferscope/agent.yaml does not pass 'inferscope agent --check' with this artifact; nothing was changed. Fix it:");
    expect(r.stderr).toContain('agent.yaml: (top level): Unrecognized key: "scrape_interval"');
    expect(snapshot(root)).toEqual(before);
  });
});

/**
 * install.sh as root on a host, without touching this one: a private mount
 * namespace (unshare -m) with scratch copies over /etc (useradd writes passwd
 * there), /usr/local/{bin,lib}, /var/lib and /run (/run/systemd/system: "systemd
 * is running"), and a systemctl on PATH that records its calls and plays a unit
 * that stays up. Needs root and unshare, as CI has.
 */
describe("install.sh as root on a host (private mount namespace, recorded systemctl)", () => {
  let host: string;
  const calls = () => (existsSync(join(host, "systemctl.log")) ? readFileSync(join(host, "systemctl.log"), "utf8") : "");
  const MOUNTS = [["etc", "/etc"], ["usr-local-bin", "/usr/local/bin"], ["usr-local-lib", "/usr/local/lib"], ["var-lib", "/var/lib"], ["run", "/run"]];
  /** `sh -c` text that mounts a host's scratch directories over the real ones, then runs "$0" "$@". */
  const inHost = (h: string, exec: string) => `${MOUNTS.map(([from, to]) => `mount --bind ${join(h, from)} ${to}`).join(" && ")} && exec ${exec}`;
  const hostEnv = (h: string) => ({ PATH: `${join(h, "fakebin")}:${process.env.PATH}`, TMPDIR: work, FAKE_SYSTEMCTL_DIR: h });

  function makeHost(): string {
    const h = mkdtempSync(join(work, "host-"));
    for (const d of ["usr-local-bin", "usr-local-lib", "var-lib", "run/systemd/system", "fakebin"]) mkdirSync(join(h, d), { recursive: true });
    const cp = spawnSync("cp", ["-a", "/etc/.", join(h, "etc")], { encoding: "utf8" });
    expect(cp.stderr).toBe("");
    // `is-active` answers from a state file that `enable --now` and `restart` create.
    writeFileSync(join(h, "fakebin/systemctl"), `#!/bin/sh
echo "$*" >>"$FAKE_SYSTEMCTL_DIR/systemctl.log"
case "$*" in
  *is-active*) [ -f "$FAKE_SYSTEMCTL_DIR/active" ] ;;
  *--now*|restart*) : >"$FAKE_SYSTEMCTL_DIR/active" ;;
esac
`);
    chmodSync(join(h, "fakebin/systemctl"), 0o755);
    return h;
  }

  function hostInstall(args: string[], h = host) {
    writeFileSync(join(h, "systemctl.log"), "");
    const r = spawnSync("unshare", ["-m", "--propagation", "private", "/bin/sh", "-c", inHost(h, '/bin/sh "$0" "$@"'), SCRIPT, ...args], { encoding: "utf8", env: hostEnv(h) });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  beforeAll(() => {
    host = makeHost();
  });

  it("installs an agent that runs: the unit's ExecStart as user inferscope scrapes, queues in /var/lib/inferscope, delivers, stops on SIGTERM", async () => {
    expect(process.getuid?.(), "this test runs install.sh as root (CI does)").toBe(0);
    const receiver = new FakeReceiver();
    await receiver.start();
    const exporter = new FixtureExporter(() => "# TYPE install_test_value gauge\ninstall_test_value 42\n");
    await exporter.start();
    const h = makeHost();
    let agent: ChildProcess | undefined;
    try {
      // The fake receiver takes the key "test-key" only.
      const r = hostInstall(["--url", receiver.url, "--key", "test-key", "--scrape", `fixture=127.0.0.1:${exporter.port}`, "--host", "install-test", "--artifact", artifact], h);
      expect(r.stderr).toBe("warning: the key does not start with isk_ (inferscope keys do)\n");
      expect(r.code).toBe(0);
      // Not the fixed 9465: other agents may be running on this machine.
      const selfPort = await freePort();
      const yamlPath = join(h, "etc/inferscope/agent.yaml");
      writeFileSync(yamlPath, readFileSync(yamlPath, "utf8").replaceAll("127.0.0.1:9465", `127.0.0.1:${selfPort}`));

      // What systemd would run: User=, Environment=, EnvironmentFile=, WorkingDirectory=, ExecStart= of the installed unit.
      const k = unitKeys(readFileSync(join(h, "etc/systemd/system/inferscope-agent.service"), "utf8"));
      const asService = `setpriv --reuid ${k.get("User")![0]} --regid ${k.get("Group")![0]} --init-groups /bin/sh -c 'set -a; ${k.get("Environment")![0]}; . ${k.get("EnvironmentFile")![0]}; set +a; cd ${k.get("WorkingDirectory")![0]} && exec ${k.get("ExecStart")![0]}'`;
      agent = spawn("unshare", ["-m", "--propagation", "private", "/bin/sh", "-c", inHost(h, asService)], { env: hostEnv(h), stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      agent.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((res) => agent!.once("close", (code) => res(code)));

      const until = Date.now() + 20_000;
      const delivered = () =>
        [...receiver.batches.values()].some((b) => b.metrics?.timeseries.some((t) => t.labels.some((l) => l.name === "__name__" && l.value === "install_test_value") && t.labels.some((l) => l.name === "host" && l.value === "install-test")));
      while (!delivered() && Date.now() < until && agent.exitCode === null) await new Promise((res) => setTimeout(res, 100));
      expect(delivered(), `agent stderr:\n${stderr}`).toBe(true);
      expect([...receiver.batches.values()][0].headers.authorization).toBe("Bearer test-key");
      const health = await fetch(`http://127.0.0.1:${selfPort}/healthz`);
      expect(health.status).toBe(200);
      const queue = lstatSync(join(h, "var-lib/inferscope/queue"));
      expect(queue.uid).not.toBe(0);

      agent.kill("SIGTERM");
      expect(await exited, stderr).toBe(0);
      agent = undefined;
    } finally {
      agent?.kill("SIGKILL");
      await receiver.stop();
      await exporter.stop();
    }
  });

  it("creates the system user, gives it the key, the queue and the config's group, enables and starts the unit", () => {
    expect(process.getuid?.(), "this test runs install.sh as root (CI does)").toBe(0);
    const r = hostInstall([...FLAGS, "--artifact", artifact]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const passwd = readFileSync(join(host, "etc/passwd"), "utf8");
    const entry = /^inferscope:x:(\d+):(\d+):[^:]*:([^:]*):([^:\n]*)$/m.exec(passwd);
    expect(entry, "inferscope in /etc/passwd").not.toBeNull();
    const [, uid, gid, home, shell] = entry!;
    expect(Number(uid)).toBeLessThan(1000);
    expect(home).toBe("/var/lib/inferscope");
    expect(shell).toMatch(/nologin$|\/false$/);
    expect(readFileSync(join(host, "etc/group"), "utf8")).toMatch(new RegExp(`^inferscope:x:${gid}:`, "m"));
    const owner = (p: string) => { const st = lstatSync(join(host, p)); return `${st.uid}:${st.gid}`; };
    expect(owner("etc/inferscope/agent.env")).toBe(`${uid}:${gid}`);
    expect(owner("var-lib/inferscope")).toBe(`${uid}:${gid}`);
    expect(owner("etc/inferscope/agent.yaml")).toBe(`0:${gid}`);
    expect(owner("etc/inferscope")).toBe(`0:${gid}`);
    expect(owner("usr-local-lib/inferscope/inferscope.mjs")).toBe("0:0");
    expect(mode(join(host, "usr-local-bin/inferscope"))).toBe("755");
    expect(calls()).toBe("daemon-reload\nis-active --quiet inferscope-agent\nenable --now --quiet inferscope-agent\nis-active --quiet inferscope-agent\n");
    expect(r.stdout).toContain("user inferscope: created (system user, no home");
    expect(r.stdout).toContain("inferscope-agent: enabled and started");
  });

  it("on a second run finds the user, changes nothing and does not restart", () => {
    const before = snapshot(host);
    const r = hostInstall([...FLAGS, "--artifact", artifact]);
    expect(r.code).toBe(0);
    const after = snapshot(host);
    delete before["/systemctl.log"];
    delete after["/systemctl.log"];
    expect(after).toEqual(before);
    expect(r.stdout).toContain("user inferscope: present");
    expect(r.stdout).toContain("inferscope-agent: running, nothing changed, not restarted");
    expect(calls()).toBe("daemon-reload\nis-active --quiet inferscope-agent\nenable --quiet inferscope-agent\nis-active --quiet inferscope-agent\n");
  });

  it("restarts the running agent when the artifact changed", () => {
    const v2 = join(work, "host-v2.mjs");
    copyFileSync(artifact, v2);
    appendFileSync(v2, "\n// host v2\n");
    const r = hostInstall(["--artifact", v2]);
    expect(r.code).toBe(0);
    expect(calls()).toContain("restart inferscope-agent\n");
    expect(r.stdout).toContain("inferscope-agent: restarted (changed: the artifact)");
  });

  it("says so and fails when the unit does not stay up", () => {
    rmSync(join(host, "active"));
    writeFileSync(join(host, "fakebin/systemctl"), `#!/bin/sh\necho "$*" >>"$FAKE_SYSTEMCTL_DIR/systemctl.log"\ncase "$*" in *is-active*) exit 3 ;; esac\n`);
    const r = hostInstall(["--artifact", artifact]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("install.sh: error: inferscope-agent did not stay up: journalctl -u inferscope-agent -n 50 says why");
  });
});

describe("install.sh over a config from before it (the checkout route)", () => {
  it("keeps the config's data_dir and makes it writable in the unit", () => {
    const root = join(work, "r-old-config");
    mkdirSync(join(root, "etc/inferscope"), { recursive: true });
    const old = `data_dir: /var/lib/inferscope-agent\nendpoint:\n  url: https://ingest.example.com\n  api_key: \${INFERSCOPE_API_KEY}\n`;
    writeFileSync(join(root, "etc/inferscope/agent.yaml"), old);
    const r = install(["--key", KEY, "--artifact", artifact, "--root", root]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readFileSync(join(root, "etc/inferscope/agent.yaml"), "utf8")).toBe(old);
    const k = unitKeys(readFileSync(join(root, "etc/systemd/system/inferscope-agent.service"), "utf8"));
    expect(k.get("ReadWritePaths")).toEqual(["/var/lib/inferscope /var/lib/inferscope-agent"]);
    expect(mode(join(root, "var/lib/inferscope-agent"))).toBe("750");
    expect(r.stdout).toContain("would run: chown inferscope:inferscope /var/lib/inferscope-agent");
    expect(r.stdout).toContain("/var/lib/inferscope-agent: data_dir of the kept agent.yaml (not /var/lib/inferscope): made writable for the service in the unit");
  });

  it("names a relative data_dir, which the unit cannot make writable", () => {
    const root = join(work, "r-rel-config");
    mkdirSync(join(root, "etc/inferscope"), { recursive: true });
    writeFileSync(join(root, "etc/inferscope/agent.yaml"), `data_dir: queue\nendpoint: { url: "https://i.example.com", api_key: k }\n`);
    const r = install(["--key", KEY, "--artifact", artifact, "--root", root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("install.sh: error: data_dir 'queue' in /etc/inferscope/agent.yaml must be an absolute path (e.g. /var/lib/inferscope)");
    expect(existsSync(join(root, "usr"))).toBe(false);
  });
});

describe("install.sh errors", () => {
  const BASE = ["--url", "https://i.example.com", "--key", KEY];
  const cases: Array<[string, string[], string]> = [
    ["an unknown flag", ["--scrap", "h:1"], "unknown flag '--scrap' (see --help)"],
    ["a flag without its value", [...BASE, "--url"], "--url needs a value (see --help)"],
    ["a flag taken as a value", ["--url", "--key", KEY], "--url needs a value, got the flag '--key'"],
    ["a value on a switch", [...BASE, "--nvidia-smi=yes"], "--nvidia-smi takes no value"],
    ["a URL that is not http(s)", ["--url", "ftp://i.example.com", "--key", KEY], "--url must be an http:// or https:// URL, got 'ftp://i.example.com'"],
    ["a URL with a space", ["--url", "http://a b", "--key", KEY], "--url: http://a b: a URL with characters that need quoting"],
    ["a target without a port", [...BASE, "--scrape", "localhost"], "--scrape: 'localhost': expected host:port (e.g. 127.0.0.1:8000) or a URL"],
    ["a port out of range", [...BASE, "--scrape", "127.0.0.1:99999"], "--scrape: '127.0.0.1:99999': port 99999 is not in 1-65535"],
    ["a bad job name", [...BASE, "--scrape", "my job=127.0.0.1:1"], "--scrape: job name 'my job' may use letters, digits, _ . - only"],
    ["a relative log path", [...BASE, "--tail", "logs/a.jsonl"], "--tail: 'logs/a.jsonl' must be an absolute path"],
    ["a jsonl log from flags", [...BASE, "--tail", "jsonl=/var/log/a.jsonl"], "--tail: format jsonl needs a field mapping (fields.time at least)"],
    ["an unknown log format", [...BASE, "--tail", "xml=/var/log/a.xml"], "--tail: unknown format 'xml': use one of litellm canonical openai ollama_response ollama"],
    ["the same log twice", [...BASE, "--tail", "/var/log/a", "--tail", "ollama=/var/log/a"], "--tail: /var/log/a given twice"],
    ["a key with a space", ["--url", "https://i.example.com", "--key", "isk_a b"], "--key: the key has characters an API key never has"],
    ["no --url on a first install", ["--key", KEY], "first install: --url is required (/etc/inferscope/agent.yaml does not exist yet)"],
    ["no --key on a first install", ["--url", "https://i.example.com"], "first install: --key is required (or env INFERSCOPE_API_KEY): /etc/inferscope/agent.env does not exist yet"],
    ["a missing artifact", [...BASE, "--artifact", "/nonexistent/inferscope.mjs"], "--artifact: /nonexistent/inferscope.mjs: no such file"],
    ["a missing node", [...BASE, "--node", "/nonexistent/node"], "--node: /nonexistent/node is not an executable file"],
  ];
  for (const [what, args, message] of cases) {
    it(`names ${what}`, () => {
      const root = mkdtempSync(join(work, "bad-"));
      // The case's flags last: a dangling flag must be the final argument.
      const r = install(["--root", root, ...(args.includes("--artifact") ? [] : ["--artifact", artifact]), ...args]);
      expect(r.stderr).toContain(`install.sh: error: ${message}`);
      expect(r.code).toBe(2);
      expect(existsSync(join(root, "etc"))).toBe(false);
    });
  }

  it("downloads an artifact given as a URL, and names a URL that does not answer 200", async () => {
    const body = readFileSync(artifact);
    const srv = createHttpServer((req, res) => (req.url === "/inferscope.mjs" ? res.writeHead(200).end(body) : res.writeHead(404).end("not found")));
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const base = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
    try {
      const root = join(work, "r-url");
      // spawn, not spawnSync: the server answers from this process.
      const ok = await installAsync([...BASE, "--artifact", `${base}/inferscope.mjs`, "--root", root]);
      expect(ok.stderr).toBe("");
      expect(ok.code).toBe(0);
      expect(readFileSync(join(root, "usr/local/lib/inferscope/inferscope.mjs")).equals(body)).toBe(true);
      const missing = await installAsync([...BASE, "--artifact", `${base}/v9.mjs`, "--root", join(work, "r-url404")]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain(`install.sh: error: --artifact: could not download ${base}/v9.mjs`);
    } finally {
      await new Promise((r) => srv.close(r));
    }
  });

  it("names a file that is not the artifact", () => {
    const notIt = join(work, "page.html");
    writeFileSync(notIt, "<html>404</html>\n");
    const r = install([...BASE, "--artifact", notIt, "--root", join(work, "r-html")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`install.sh: error: --artifact: ${notIt} does not run with ${NODE}`);
    expect(r.stderr).toContain("is it dist/inferscope.mjs from 'npm run build:agent'?");
  });

  it("names a Node that is too old", () => {
    const old = join(work, "node18");
    writeFileSync(old, "#!/bin/sh\nprintf 18.19.0\n");
    chmodSync(old, 0o755);
    const r = install([...BASE, "--artifact", artifact, "--node", old, "--root", join(work, "r-old")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`install.sh: error: ${old} is Node.js v18.19.0; the agent needs >= 20.11: upgrade Node, or pass --node PATH to a newer one`);
  });

  it("names a missing node on PATH", () => {
    // A PATH with the few tools the script needs before it looks for node.
    const bin = join(work, "bin-without-node");
    mkdirSync(bin);
    symlinkSync(spawnSync("sh", ["-c", "command -v mkdir"], { encoding: "utf8" }).stdout.trim(), join(bin, "mkdir"));
    const r = install([...BASE, "--artifact", artifact, "--root", join(work, "r-nonode")], { PATH: bin });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("install.sh: error: node is not on PATH: install Node.js >= 20.11 system-wide");
  });

  it("prints its usage with --help", () => {
    const r = install(["--help"]);
    expect(r.code).toBe(0);
    for (const f of ["--url URL", "--key KEY", "--scrape [JOB=]T", "--nvidia-smi", "--ollama URL", "--tail [FORMAT=]FILE", "--artifact PATH|URL", "--root DIR", "--no-start"])
      expect(r.stdout).toContain(f);
  });
});
