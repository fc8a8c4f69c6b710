// The loopback check accepts every spelling of a loopback address, including
// the IPv4-mapped form Node's URL parser turns [::ffff:127.0.0.1] into.
import { describe, expect, it } from "vitest";
import { checkTarget, isLoopbackAddress } from "../../cli/loadtest/safety";

const noDns = async (host: string): Promise<string[]> => {
  throw new Error(`no lookup expected for ${host}`);
};

describe("IPv4-mapped loopback", () => {
  it("is loopback in any spelling; a mapped non-loopback address is not", () => {
    for (const a of ["::ffff:7f00:1", "[::ffff:7f00:1]", "::ffff:127.0.0.1", "0:0:0:0:0:ffff:7f00:1", "::FFFF:7F00:1", "::ffff:7fff:ffff", "0:0:0:0:0:0:0:1", "0::1"])
      expect(isLoopbackAddress(a), a).toBe(true);
    for (const a of ["::ffff:a00:1", "::ffff:10.0.0.1", "::ffff:8000:1", "::ffff:7e00:1", "::7f00:1", "::2"]) expect(isLoopbackAddress(a), a).toBe(false);
  });

  it("lets a URL with [::ffff:127.0.0.1] through, and still refuses a mapped remote address", async () => {
    expect(new URL("http://[::ffff:127.0.0.1]:8000/v1").hostname).toBe("[::ffff:7f00:1]");
    await checkTarget("http://[::ffff:127.0.0.1]:8000/v1", "endpoint", false, noDns);
    await expect(checkTarget("http://[::ffff:10.0.0.1]:8000/v1", "endpoint", false, noDns)).rejects.toThrow(/refusing to load-test \[::ffff:a00:1\]: loadtest only targets loopback/);
  });
});
