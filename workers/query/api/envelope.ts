// The Prometheus HTTP API envelope: {status, data, warnings} on success;
// {status, errorType, error} with 400 bad_data, 422 execution, 503 timeout, ...
import type { Context } from "hono";

export type ErrorType = "bad_data" | "execution" | "timeout" | "canceled" | "internal" | "unavailable" | "not_found" | "unauthorized" | "forbidden";

const STATUS: Record<ErrorType, 400 | 401 | 403 | 404 | 422 | 500 | 503> = {
  bad_data: 400,
  execution: 422,
  timeout: 503,
  canceled: 503,
  internal: 500,
  unavailable: 503,
  not_found: 404,
  unauthorized: 401,
  forbidden: 403,
};

export class ApiError extends Error {
  constructor(readonly errorType: ErrorType, message: string) {
    super(message);
  }
  get status() {
    return STATUS[this.errorType];
  }
}

export const badData = (message: string) => new ApiError("bad_data", message);

export function success(c: Context, data: unknown, warnings: string[] = []) {
  return c.json(warnings.length ? { status: "success", data, warnings } : { status: "success", data });
}

export function failure(c: Context, errorType: ErrorType, message: string, status?: number) {
  return c.json({ status: "error", errorType, error: message }, (status ?? STATUS[errorType]) as 400);
}
