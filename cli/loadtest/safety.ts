// A load test sends a lot of traffic on purpose, so by default it only goes
// to this machine: the target's host must be loopback (a literal 127.0.0.0/8,
// ::1 or IPv4-mapped ::ffff:127.0.0.0/104, or a name that resolves only to those). Anything else needs
// --allow-remote, the user's word that the host is theirs to load.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { CliError } from "../errors";

export function isLoopbackAddress(addr: string): boolean {
  const a = addr.replace(/^\[|\]$/g, "").toLowerCase();
  if (isIP(a) === 4) return a.startsWith("127.");
  if (isIP(a) !== 6) return false;
  // The URL parser's canonical form: compressed, lower case, and an IPv4-mapped
  // address in hex (http://[::ffff:127.0.0.1] has the hostname [::ffff:7f00:1]),
  // so every spelling of ::1 and of ::ffff:127.x.y.z is recognised.
  const canon = new URL(`http://[${a}]`).hostname.slice(1, -1);
  return canon === "::1" || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(canon);
}

export type Resolve = (host: string) => Promise<string[]>;
const resolveAll: Resolve = async (host) => (await lookup(host, { all: true })).map((r) => r.address);

/** Throws unless `url`'s host is loopback or the user passed --allow-remote; `flag` names the URL's option in the message. */
export async function checkTarget(url: string, flag: string, allowRemote: boolean, resolve: Resolve = resolveAll): Promise<void> {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw new CliError(`--${flag} takes an http(s) URL such as http://127.0.0.1:8787 (not ${JSON.stringify(url)})`);
  }
  if (allowRemote) return;
  const bare = host.replace(/^\[|\]$/g, "");
  let addrs: string[];
  if (isIP(bare)) addrs = [bare];
  else {
    try {
      addrs = await resolve(bare);
    } catch (e) {
      throw new CliError(`--${flag}: cannot resolve ${bare}: ${(e as Error).message}`);
    }
  }
  const remote = addrs.filter((a) => !isLoopbackAddress(a));
  if (remote.length > 0 || addrs.length === 0)
    throw new CliError(
      `refusing to load-test ${host}${isIP(bare) ? "" : ` (resolves to ${addrs.join(", ") || "nothing"})`}: loadtest only targets loopback by default; ` +
        `pass --allow-remote if this host is yours and you may load it`,
    );
}
