// RequestLogView records for CLI tests, as the log API answers them.
import type { RequestLogView } from "../../shared/contracts/log-api";

export function view(id: string, time: string, o: Partial<RequestLogView> = {}): RequestLogView {
  return {
    request_id: id, trace_id: null, time, end_time: null, received_at: time, latency_ms: 1200, ttft_ms: 300,
    model: "gpt-4o-mini", requested_model: "", provider: "openai", api_base: "", deployment_id: "", call_type: "", stream: null,
    status: "success", http_status: null, error_type: null, error_class: null, error_message: null, error_fingerprint: null,
    input_tokens: 100, output_tokens: 50, total_tokens: 150, cached_tokens: null, cost_usd: 0.0004, cost_source: "reported", cache_hit: null,
    user: "", end_user: "", team: "", team_alias: "", api_key_alias: "", api_key_hash: "", project: "", environment: "", tags: [], attributes: {},
    ...o,
  };
}
