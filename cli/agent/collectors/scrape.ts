// HTTP scrape of a Prometheus/OpenMetrics endpoint (vLLM, llama.cpp,
// dcgm-exporter, node_exporter, LiteLLM): fetch within the target's timeout,
// the target loop parses (against its series cache). Any failure rejects, which the target loop reports as up=0.
import { exchange } from "../http-exchange";
import type { CollectFn } from "./target-loop";
import { isOpenMetrics } from "./text-format";

// Same preference order Prometheus sends: the classic text format first (cheapest
// and what every exporter speaks), OpenMetrics accepted.
const ACCEPT = "text/plain;version=0.0.4;q=1,application/openmetrics-text;version=1.0.0;q=0.5,*/*;q=0.1";

/** Bodies above this are refused: a runaway exporter must not take the agent's memory. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export function httpScrape(url: string, headers: Record<string, string> = {}, timeoutMs?: number): CollectFn {
  return async (signal) => {
    const res = await exchange(url, {
      headers: { Accept: ACCEPT, "User-Agent": "inferscope-agent", ...(timeoutMs ? { "X-Prometheus-Scrape-Timeout-Seconds": String(timeoutMs / 1000) } : {}), ...headers },
      signal,
      maxBodyBytes: MAX_BODY_BYTES,
    });
    if (res.status !== 200) throw new Error(`HTTP ${res.status} from ${url}`);
    return { text: res.body.toString("utf8"), openMetrics: isOpenMetrics(res.headers["content-type"]) };
  };
}

/** Prometheus's instance label: host:port of the target URL. */
export function instanceOf(url: string): string {
  const u = new URL(url);
  const port = u.port || (u.protocol === "https:" ? "443" : "80");
  return `${u.hostname}:${port}`; // WHATWG URL keeps IPv6 brackets in hostname
}
