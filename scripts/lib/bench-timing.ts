// Times GET requests to the query worker: one warm-up, then `runs` timed calls.
export interface Timing {
  p50: number;
  p95: number;
  max: number;
}

/** A refusal (the API's status and message) is reported, not timed. */
export async function timeApi(url: string, key: string, path: string, params: Record<string, string>, runs: number): Promise<Timing | { refused: string }> {
  const target = `${url}${path}?${new URLSearchParams(params)}`;
  const call = async () => {
    const res = await fetch(target, { headers: { authorization: `Bearer ${key}` } });
    const text = await res.text();
    if (res.status !== 200) throw new Refused(`refused: ${res.status} ${text.slice(0, 200)}`);
  };
  try {
    await call();
  } catch (err) {
    if (err instanceof Refused) return { refused: err.message };
    throw err;
  }
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await call();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)];
  return { p50: at(0.5), p95: at(0.95), max: ms[ms.length - 1] };
}

class Refused extends Error {}
