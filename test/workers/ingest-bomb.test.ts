// Compression bombs: the inflater stops at the decompressed-size cap, so a
// bomb costs the ingest worker milliseconds past the cap, not the inflated size.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { constants, createDeflate, createGzip, gzipSync } from "node:zlib";
import { startTestStack, type TestStack } from "../helpers/stack";

let stack: TestStack;
// 1 GiB of zeros, ~1 MB compressed: the old code inflated all of it (1-2 s, ~1 GB).
let gzipBomb: Buffer;
let deflateBomb: Buffer;

/** `mib` MiB of zeros through a compressor, without holding them in memory. */
async function compressZeros(make: typeof createGzip, mib: number): Promise<Buffer> {
  // Run-length strategy: the best ratio for zeros (1032:1), five times faster than level 9.
  const z = make({ level: 1, strategy: constants.Z_RLE });
  const out: Buffer[] = [];
  z.on("data", (d: Buffer) => out.push(d));
  const done = new Promise((resolve, reject) => z.on("end", resolve).on("error", reject));
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < mib; i++) if (!z.write(chunk)) await new Promise((r) => z.once("drain", r));
  z.end();
  await done;
  return Buffer.concat(out);
}

beforeAll(async () => {
  stack = await startTestStack();
  gzipBomb = await compressZeros(createGzip, 1024);
  deflateBomb = await compressZeros(createDeflate, 1024);
});
afterAll(async () => {
  await stack?.close();
});

const post = (body: Uint8Array | string, headers: Record<string, string> = {}) =>
  fetch(`${stack.url}/v1/metrics`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${stack.key}`, ...headers },
    body: body as unknown as BodyInit,
  });

describe("compression bombs", () => {
  it("a 1 GiB gzip bomb gets 413 within 2 s, and a request sent alongside is not held up", async () => {
    expect(gzipBomb.length).toBeLessThan(1_200_000);
    // Warm the isolate and the key cache, so the timing below is the bomb's alone.
    expect((await post(JSON.stringify({ series: [{ name: "bomb_warmup", samples: [[Date.now() - 1000, 1]] }] }))).status).toBe(202);
    const started = Date.now();
    const bomb = post(gzipBomb, { "content-encoding": "gzip" }).then(async (r) => ({ status: r.status, body: (await r.json()) as { error: string }, ms: Date.now() - started }));
    await new Promise((r) => setTimeout(r, 20));
    const smallStarted = Date.now();
    const small = await post(JSON.stringify({ series: [{ name: "beside_bomb", samples: [[Date.now() - 1000, 1]] }] }));
    const smallMs = Date.now() - smallStarted;
    const answer = await bomb;
    expect(answer.status).toBe(413);
    expect(answer.body.error).toMatch(/decompressed request body is larger than the limit of 33554432 bytes/);
    console.log(`gzip bomb of ${gzipBomb.length} bytes: 413 after ${answer.ms} ms; request beside it ${smallMs} ms`);
    expect(answer.ms).toBeLessThan(2000);
    expect(small.status).toBe(202);
    expect(smallMs).toBeLessThan(2000);
  });

  it("a deflate bomb gets 413 as fast", async () => {
    const started = Date.now();
    const res = await post(deflateBomb, { "content-encoding": "deflate" });
    expect(res.status).toBe(413);
    console.log(`deflate bomb of ${deflateBomb.length} bytes: 413 after ${Date.now() - started} ms`);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("a body that inflates to just under the cap is still accepted; corrupt gzip is 400", async () => {
    const body = JSON.stringify({ series: [{ name: "near_cap", samples: [[Date.now() - 1000, 1]] }] });
    const padded = body.slice(0, -1) + " ".repeat(32 * 1024 * 1024 - body.length - 16) + "}";
    const res = await post(gzipSync(padded), { "content-encoding": "gzip" });
    expect(res.status).toBe(202);
    const bad = await post(Buffer.concat([gzipSync(body).subarray(0, 20), Buffer.from("garbage!")]), { "content-encoding": "gzip" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/not valid gzip data/);
  });
});
