// A zod error as one line a user can act on: "field: problem; field: problem".
import type { z } from "zod";

export function zodReason(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const where = issue.path.length ? issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "") : "";
      return where ? `${where}: ${issue.message}` : issue.message;
    })
    .join("; ");
}
