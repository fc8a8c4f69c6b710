// A zod error as one line a user can act on: "field: problem; field: problem".
import type { z } from "zod";

type Issue = z.core.$ZodIssue;

/** A branch that failed only because the value has another type says nothing about the value. */
const typeMismatch = (issues: readonly Issue[]) => issues.every((i) => i.code === "invalid_type" && i.expected !== "int" && !("received" in i));

/**
 * What to say for one issue. A union's own message is "Invalid input": say
 * instead why the branch of the value's type refused it (time 1.5: not an
 * integer), or all the branches' demands when no type matched.
 */
function message(issue: Issue): string {
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    const near = issue.errors.find((branch) => branch.length > 0 && !typeMismatch(branch));
    if (near) return message(near[0]);
    return [...new Set(issue.errors.map((branch) => (branch[0] ? message(branch[0]) : "")).filter(Boolean))].join(", or ");
  }
  // JSON.parse reads a number past the float64 range (1e309) as Infinity.
  const received = (issue as { received?: unknown }).received;
  if (issue.code === "invalid_type" && (received === "Infinity" || received === "-Infinity"))
    return "number is out of the range of a 64-bit float (e.g. 1e309)";
  return issue.message;
}

/** `rename` gives the sender's name of a top-level field (a LiteLLM record's prompt_tokens for input_tokens). */
export function zodReason(error: z.ZodError, rename: (field: string) => string | undefined = () => undefined): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const [head, ...tail] = issue.path;
      const top = head === undefined ? "" : typeof head === "number" ? `[${head}]` : (rename(String(head)) ?? String(head));
      const where = top + tail.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
      return where ? `${where}: ${message(issue as Issue)}` : message(issue as Issue);
    })
    .join("; ");
}
