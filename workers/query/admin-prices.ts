// The admin API's model prices: a tenant's own entries, which win over the
// shipped table when the aggregator prices a log (shared/pricing/cost.ts).
//   GET    /admin/v1/prices[?shipped=1]  the tenant's entries (and the shipped table)
//   PUT    /admin/v1/prices/<model>      set one: token prices, or a GPU-hour price
//   DELETE /admin/v1/prices/<model>
// <model> may contain "/" (openai/gpt-4o-mini), as is or percent-encoded.
// Names are stored in lower case, as the lookup compares them.
import { Hono } from "hono";
import { z } from "zod";
import { useDb } from "../../shared/http/context";
import { textProblem } from "../../shared/labels";
import { PRICES_TAKEN, SHIPPED_PRICES } from "../../shared/pricing/prices";
import { deleteModelPrice, listModelPrices, setModelPrice, type ModelPriceEntry } from "../../shared/storage/postgres/model-prices";
import { body, err, targetTenant, tenantQuery, type AdminContext, type AdminEnv } from "./admin-request";

const MAX_MODEL_LENGTH = 256;
const usd = z.number().nonnegative("must not be negative").finite("must be a finite number");

const PriceBody = z
  .strictObject({
    tenant: z.union([z.string().min(1), z.number().int().positive()]).optional(),
    input_per_mtok: usd.optional(),
    output_per_mtok: usd.optional(),
    cached_per_mtok: usd.optional(),
    gpu_hour_usd: usd.optional(),
    concurrency: z.number().positive("must be more than 0").finite("must be a finite number").optional(),
  })
  .superRefine((b, ctx) => {
    const tokens = b.input_per_mtok !== undefined || b.output_per_mtok !== undefined || b.cached_per_mtok !== undefined;
    if (b.gpu_hour_usd !== undefined) {
      if (tokens) ctx.addIssue({ code: "custom", message: "give either token prices (input_per_mtok, output_per_mtok, cached_per_mtok) or gpu_hour_usd for a self-hosted model, not both" });
      return;
    }
    if (b.concurrency !== undefined) ctx.addIssue({ code: "custom", path: ["concurrency"], message: "concurrency goes with gpu_hour_usd (requests the deployment serves at once)" });
    for (const k of ["input_per_mtok", "output_per_mtok"] as const)
      if (b[k] === undefined) ctx.addIssue({ code: "custom", path: [k], message: `${k} is required (USD per 1M tokens), or give gpu_hour_usd for a self-hosted model` });
  });

/** The model named in the path, lower case, or a response saying what is wrong with it. */
function modelOf(c: AdminContext): string | Response {
  // hono has decoded the path parameter already.
  const model = (c.req.param("model") ?? "").trim().toLowerCase();
  if (model === "") return err(c, 400, "name the model: /admin/v1/prices/<model>");
  if (model.length > MAX_MODEL_LENGTH) return err(c, 400, `model name is longer than ${MAX_MODEL_LENGTH} characters`);
  const problem = textProblem(model);
  if (problem) return err(c, 400, `model name ${problem}`);
  return model;
}

const wire = (p: ModelPriceEntry) => ({
  model: p.model,
  input_per_mtok: p.inputPerMtok,
  output_per_mtok: p.outputPerMtok,
  cached_per_mtok: p.cachedPerMtok,
  gpu_hour_usd: p.gpuHourUsd,
  concurrency: p.concurrency,
  updated_at: p.updatedAt,
});

export const prices = new Hono<AdminEnv>();

prices.get("/", async (c) => {
  const tenant = await targetTenant(c, c.get("principal"), tenantQuery(c));
  if (tenant instanceof Response) return tenant;
  const own = (await listModelPrices(useDb(c), tenant)).map(wire);
  const shipped = c.req.query("shipped");
  if (shipped !== undefined && !["", "1", "true", "0", "false"].includes(shipped)) return err(c, 400, "shipped takes 1 or 0");
  const withShipped = shipped === "" || shipped === "1" || shipped === "true";
  return c.json({
    status: "success",
    data: {
      tenant,
      prices: own,
      ...(withShipped
        ? {
            shipped: {
              taken: PRICES_TAKEN,
              prices: SHIPPED_PRICES.map((p) => ({ model: p.model, provider: p.provider, input_per_mtok: p.inputPerMtok, output_per_mtok: p.outputPerMtok, cached_per_mtok: p.cachedPerMtok ?? null, aliases: p.keys.filter((k) => k !== p.model) })),
            },
          }
        : {}),
    },
  });
});

prices.put("/:model{.+}", async (c) => {
  const model = modelOf(c);
  if (model instanceof Response) return model;
  const b = await body(c, PriceBody);
  if (b instanceof Response) return b;
  const tenant = await targetTenant(c, c.get("principal"), b.tenant);
  if (tenant instanceof Response) return tenant;
  const entry = await setModelPrice(useDb(c), tenant, model, {
    inputPerMtok: b.input_per_mtok ?? null,
    outputPerMtok: b.output_per_mtok ?? null,
    cachedPerMtok: b.cached_per_mtok ?? null,
    gpuHourUsd: b.gpu_hour_usd ?? null,
    concurrency: b.concurrency ?? null,
  });
  return c.json({ status: "success", data: wire(entry) });
});

prices.delete("/:model{.+}", async (c) => {
  const model = modelOf(c);
  if (model instanceof Response) return model;
  const tenant = await targetTenant(c, c.get("principal"), tenantQuery(c));
  if (tenant instanceof Response) return tenant;
  const ok = await deleteModelPrice(useDb(c), tenant, model);
  return ok ? c.json({ status: "success", data: { model, deleted: true } }) : err(c, 404, `no price set for ${JSON.stringify(model)} in this tenant`);
});
