// Endpoints Grafana calls that have fixed or (for now) empty answers; rules
// and alerts are in rules-routes.ts.
import type { Hono } from "hono";
import { success } from "./envelope";

export const BUILD_INFO = {
  version: "2.42.0",
  revision: "inferscope",
  branch: "main",
  buildUser: "inferscope",
  buildDate: "20261122-00:00:00",
  goVersion: "inferscope (Cloudflare Workers)",
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function mountInfoRoutes(app: Hono<any>): void {
  // Grafana reads the version to decide which API features to use; we speak 2.42's API.
  app.get("/api/v1/status/buildinfo", (c) => success(c, BUILD_INFO));
  app.on(["GET", "POST"], "/api/v1/query_exemplars", (c) => success(c, []));
}
