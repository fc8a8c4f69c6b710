// The agent bench's --unit reads the systemd unit's node flags and Environment=,
// so what it measures is what install.sh deploys.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { memorySplit, unitSettings } from "../../cli/agent/bench-proc";

const repo = (p: string) => readFileSync(new URL(`../../${p}`, import.meta.url), "utf8");

describe("agent bench: the unit's settings", () => {
  it("reads the flags and environment of cli/agent/inferscope-agent.service, the same as install.sh writes", () => {
    const u = unitSettings(repo("cli/agent/inferscope-agent.service"));
    const sh = repo("cli/agent/install.sh");
    expect(u.nodeFlags).toEqual(/^NODE_FLAGS="([^"]*)"$/m.exec(sh)![1].split(" "));
    expect(u.env).toEqual(Object.fromEntries(/^MALLOC_ENV="([^"]*)"$/m.exec(sh)![1].split(" ").map((a) => a.split("="))));
    expect(u.nodeFlags).toContain("--single-threaded");
  });

  it("parses quoted Environment= lines and a unit without them", () => {
    expect(unitSettings('[Service]\nEnvironment="A=1" B=2\nExecStart=/usr/bin/node --x app.mjs run\n')).toEqual({ nodeFlags: ["--x"], env: { A: "1", B: "2" } });
    expect(unitSettings("ExecStart=/usr/bin/node a.js\n")).toEqual({ nodeFlags: [], env: {} });
    expect(() => unitSettings("[Service]\n")).toThrow(/no ExecStart/);
  });

  it("splits this process's RSS into private and shared pages", () => {
    const m = memorySplit(process.pid)!;
    expect(m.privateBytes).toBeGreaterThan(1024 * 1024);
    expect(m.sharedBytes).toBeGreaterThan(0);
  });
});
