// The agent's end-to-end delivery and fault scenarios (the same ones
// fault.test.ts runs from sources), run on the release artifact: built once
// here, copied alone into an empty temp dir, started as `node inferscope.mjs agent`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAgentBundle } from "../../scripts/lib/agent-bundle";
import { agentCommandLine } from "./helpers/agent-process";
import { processDeliveryScenarios } from "./helpers/delivery-scenarios";
import { faultScenarios } from "./helpers/fault-scenarios";
import { lonely } from "./helpers/lone-artifact";

let bin: string | undefined;
const artifact = () => {
  if (!bin) throw new Error("the bundle was not built (see beforeAll)");
  return bin;
};
beforeAll(async () => {
  const build = mkdtempSync(join(tmpdir(), "inferscope-build-"));
  try {
    bin = lonely((await buildAgentBundle(join(build, "inferscope.mjs"))).file);
  } finally {
    rmSync(build, { recursive: true, force: true });
  }
}, 60_000);
afterAll(() => {
  if (bin) rmSync(dirname(bin), { recursive: true, force: true });
});

it("starts the bundle with plain node, outside the checkout", () => {
  const [cmd, args, cwd] = agentCommandLine(artifact());
  expect([cmd, args, cwd]).toEqual([process.execPath, [artifact()], dirname(artifact())]);
});
describe("bundled agent under faults", () => faultScenarios(artifact));
describe("bundled agent process delivery", () => processDeliveryScenarios(artifact));
