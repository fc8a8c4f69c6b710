// Local stand-in for Cloudflare's routes: one base URL, requests sent to the
// worker that owns the path, as the routes in wrangler.toml do in production.
// GET /healthz asks every worker, each with a deadline: the query worker runs
// in its own single-threaded workerd, busy for as long as a long query runs,
// and a worker that never answers must make the stack "degraded", not hang it.
interface RouterEnv {
  INGEST: Fetcher;
  QUERY: Fetcher;
  AGGREGATOR: Fetcher;
}

/** How long /healthz waits for a worker's answer. */
const HEALTH_DEADLINE_MS = 5_000;

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms)));
  return Promise.race([p, late]).finally(() => timer !== undefined && clearTimeout(timer));
}

export function ownerOf(pathname: string): "ingest" | "query" {
  if (pathname === "/api/v1/write" || pathname.startsWith("/v1/")) return "ingest";
  return "query";
}

async function health(env: RouterEnv, url: URL): Promise<Response> {
  const names = ["ingest", "aggregator", "query"] as const;
  const results = await Promise.all(
    names.map(async (n) => {
      const fetcher = n === "ingest" ? env.INGEST : n === "query" ? env.QUERY : env.AGGREGATOR;
      try {
        const res = await withDeadline(fetcher.fetch(new URL("/healthz", url)), HEALTH_DEADLINE_MS);
        return [n, res.ok ? "ok" : `http ${res.status}`] as const;
      } catch (err) {
        return [n, (err as Error).message] as const;
      }
    }),
  );
  const ok = results.every(([, s]) => s === "ok");
  return Response.json({ status: ok ? "ok" : "degraded", workers: Object.fromEntries(results) }, { status: ok ? 200 : 503 });
}

export default {
  fetch(req: Request, env: RouterEnv): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === "/healthz") return health(env, url);
    if (ownerOf(url.pathname) === "ingest") return env.INGEST.fetch(req);
    // The query worker is reached over HTTP. Miniflare hands every worker
    // "Accept-Encoding: br, gzip" whatever the client sent, so the query
    // instance answered brotli, and a client that accepts no encoding (curl
    // without --compressed) got it as is. Asked for identity, it answers plain,
    // and this instance encodes for the client as its own Accept-Encoding says.
    const headers = new Headers(req.headers);
    headers.set("accept-encoding", "identity");
    const forward = () => new Request(req, { headers });
    if (req.method !== "GET" && req.method !== "HEAD") return env.QUERY.fetch(forward());
    // A pooled keep-alive connection the query instance has just closed fails
    // the request ("Network connection lost"); a safe request is sent again once,
    // as browsers do.
    return env.QUERY.fetch(forward()).catch(() => env.QUERY.fetch(forward()));
  },
} satisfies ExportedHandler<RouterEnv>;
