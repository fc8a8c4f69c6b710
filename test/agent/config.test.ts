import { describe, expect, it } from "vitest";
import { ConfigError, parseBytes, parseConfig, parseDuration } from "../../cli/agent/config";

const base = `data_dir: /tmp/x\nendpoint: { url: "http://127.0.0.1:8787", api_key: k }\n`;

describe("agent config", () => {
  it("fills defaults and normalises targets", () => {
    const cfg = parseConfig(base + 'scrape: [{ job: vllm, targets: ["127.0.0.1:8000", "https://h:9/m"], interval: 5s }]\nlogs: [{ path: /var/log/a b.jsonl, format: litellm }]\n', "a.yaml");
    expect(cfg.scrape[0].targets).toEqual(["http://127.0.0.1:8000/metrics", "https://h:9/m"]);
    expect(cfg.scrape[0].interval).toBe(5000);
    expect(cfg.defaults).toEqual({ interval: 15000, timeout: 10000 });
    expect(cfg.delivery.queue_max_bytes).toBe(512 * 1024 ** 2);
    expect(cfg.logs[0].name).toBe("_var_log_a_b.jsonl");
    expect(cfg.apiKey).toBe("k");
  });

  it("names file, path and reason for every problem", () => {
    const text = base + "labels: { __bad: x }\nscrape: [{ job: j, targets: [], interval: soon }]\nlogs: [{ path: /a, format: xml }]\nbogus: 1\n";
    let msg = "";
    try {
      parseConfig(text, "/etc/agent.yaml");
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      msg = (e as Error).message;
    }
    expect(msg).toContain("/etc/agent.yaml: labels.__bad: label names starting with __ are reserved");
    expect(msg).toContain("/etc/agent.yaml: scrape[0].targets:");
    expect(msg).toContain('/etc/agent.yaml: scrape[0].interval: invalid duration "soon"');
    expect(msg).toContain("/etc/agent.yaml: logs[0].format:");
    expect(msg).toMatch(/\/etc\/agent\.yaml: \(top level\): Unrecognized key: "bogus"/);
  });

  it("reports YAML syntax errors and missing env vars", () => {
    expect(() => parseConfig("a: [1,", "b.yaml")).toThrow(/^b\.yaml: invalid YAML/);
    delete process.env.NO_SUCH_KEY_VAR;
    expect(() => parseConfig(`data_dir: /x\nendpoint: { url: "http://h", api_key: "\${NO_SUCH_KEY_VAR}" }\n`, "c.yaml")).toThrow(
      "c.yaml: endpoint.api_key: environment variable NO_SUCH_KEY_VAR is not set",
    );
    process.env.SOME_KEY_VAR = "s3cret";
    expect(parseConfig(`data_dir: /x\nendpoint: { url: "http://h", api_key: "\${SOME_KEY_VAR}" }\n`, "c.yaml").apiKey).toBe("s3cret");
  });

  it("parses durations and sizes", () => {
    expect(parseDuration("1m30s")).toBe(90_000);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("1.5s")).toBe(1500);
    expect(parseDuration(2)).toBe(2000);
    expect(parseDuration("")).toBeNull();
    expect(parseDuration("5 s")).toBeNull();
    expect(parseBytes("512MiB")).toBe(512 * 1024 ** 2);
    expect(parseBytes("2GB")).toBe(2e9);
    expect(parseBytes("12 parsecs")).toBeNull();
  });
});
