// errorFingerprint on messages as providers and LiteLLM write them: the same
// error with other ids, numbers, addresses or keys is one group; different
// errors stay apart, also when an SDK wraps them in the same dict shape.
import { describe, expect, it } from "vitest";
import { errorFingerprint } from "../../../shared/logs/errors";

const fp = (msg: string, cls: string | null = "E", status: number | null = null) => errorFingerprint(cls, msg, status);
const same = (a: string, b: string) => expect(fp(a)).toBe(fp(b));
const apart = (a: string, b: string) => expect(fp(a)).not.toBe(fp(b));

describe("errorFingerprint", () => {
  it("merges an OpenAI rate limit across organisations (base62 ids), numbers and durations", () => {
    const msg = (org: string, used: number, wait: string) =>
      `Rate limit reached for gpt-4o in organization org-${org} on tokens per min (TPM): Limit 30000, Used ${used}, Requested 1200. Please try again in ${wait}. Visit https://platform.openai.com/account/rate-limits to learn more.`;
    same(msg("x8Yq2LmNab3K", 29500, "20ms"), msg("Qp7zRt2wVb9c", 29998, "1.5s"));
    same(msg("x8Yq2LmNab3K", 29500, "20ms"), msg("Qp7zRt2wVb9c", 29998, "6m0s"));
    expect(fp(msg("x8Yq2LmNab3K", 29500, "20ms"))).toBe(
      "E: Rate limit reached for gpt-<n>o in organization org-<id> on tokens per min (TPM): Limit <n>, Used <n>, Requested <n>. Please try again in <duration>. Visit <url> to learn more.",
    );
  });

  it("merges request ids (Anthropic's base62, hex), UUIDs, addresses and masked keys", () => {
    same("Overloaded request_id: req_011CUeZ2K7hqXbRw", "Overloaded request_id: req_011CUf9aQ3LmPnTs");
    same("upstream failed for 4bf92f3577b34da6a3ce929d0e0e4736", "upstream failed for 00f067aa0ba902b7aa0ba902b7e41234");
    same("Engine loop has died (request 0b7c4a7e-95d2-4c57-9b1e-5f0f1a2b3c4d)", "Engine loop has died (request 9a1b2c3d-0000-4c57-9b1e-aaaaaaaaaaaa)");
    same("connect ECONNREFUSED 10.0.3.17:8000", "connect ECONNREFUSED 192.168.1.2:11434");
    same("Incorrect API key provided: sk-proj-abcd****************wxyz. You can find your API key at https://x", "Incorrect API key provided: sk-proj-Q1b2****************9Zzz. You can find your API key at https://y");
    expect(fp("Incorrect API key provided: sk-proj-abcd****wxyz. Retry.")).toBe("E: Incorrect API key provided: <redacted>. Retry.");
    same("budget exceeded for user jane@example.com", "budget exceeded for user joe@corp.io");
    same("token abcdefghij0123456789XYZ is invalid", "token ZZZ9876543210abcdefghij is invalid");
    same("team_id=WWar0Mv8hvmK not allowed", "team_id=q7Ztp not allowed");
    same("no job with id: job_01HZX3", "no job with id: 7f3a");
    same("Key Hash (Token) = WWar0Mv8hvmK unknown", "Key Hash (Token) = Qp7zRt2wVb9c unknown");
    // Not ids: a word ending in "id", and names without mixed case.
    apart("invalid: temperature", "invalid: top_p");
  });

  it("keeps errors apart that an SDK wraps in the same dict shape", () => {
    const wrap = (m: string) => `Error code: 400 - {'error': {'message': '${m}', 'type': 'invalid_request_error'}}`;
    apart(wrap("messages: at least one message is required"), wrap("Invalid value for 'temperature'"));
    same(wrap("max_tokens is too large: 40000"), wrap("max_tokens is too large: 50000"));
    // Echoed content (a long quoted payload) is not a name: replaced whole.
    same(`Invalid prompt: "${"a".repeat(300)}"`, `Invalid prompt: "${"b".repeat(250)}"`);
  });

  it("keeps names with digits (models, versions) and separates classes and statuses", () => {
    apart("The model `llama3` does not exist", "The model `mistral` does not exist");
    expect(fp("The model `llama3` does not exist")).toBe("E: The model `llama3` does not exist");
    expect(fp("Overloaded", "RateLimitError")).not.toBe(fp("Overloaded", "APIError"));
    expect(errorFingerprint(null, "Overloaded", 529)).toBe("HTTP 529: Overloaded");
    expect(errorFingerprint(null, null, null)).toBe("error:");
  });

  it("is bounded in length and whitespace-normalised", () => {
    expect(fp("a   b\n\tc")).toBe("E: a b c");
    expect(fp("x".repeat(5000)).length).toBe(300);
  });
});
