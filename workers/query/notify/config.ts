// A tenant's notifier config: Alertmanagers to send alerts to (their v2 API, as
// Prometheus's notifier does) and direct receivers (webhook in Alertmanager's
// format, Slack) grouped here as Alertmanager's dispatcher would. Validated
// with zod; defaults are filled in so what is stored is what runs.
import { parse as parseYaml, YAMLParseError } from "yaml";
import { z } from "zod";
import { parseDuration } from "../promql/literals";
import { LABEL_NAME_RE } from "../../../shared/labels";

export const MAX_ALERTMANAGERS = 10;
export const MAX_RECEIVERS = 20;
const MAX_TIMEOUT_MS = 60_000;

/** Milliseconds of a duration text, or null: Prometheus's syntax ("30s", "1h30m"). */
export function durationMs(text: string): number | null {
  try {
    return parseDuration(text);
  } catch {
    return null;
  }
}

const httpUrl = z.string().superRefine((s, ctx) => {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    ctx.addIssue({ code: "custom", message: `${JSON.stringify(s)} is not a URL; give an absolute http:// or https:// URL` });
    return;
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") ctx.addIssue({ code: "custom", message: `URL scheme must be http or https (not ${u.protocol.slice(0, -1)})` });
});

const duration = (dflt: string, opts: { min?: number; max?: number } = {}) =>
  z
    .string()
    .default(dflt)
    .superRefine((s, ctx) => {
      const ms = durationMs(s);
      if (ms === null) ctx.addIssue({ code: "custom", message: `${JSON.stringify(s)} is not a duration such as 30s, 5m or 4h` });
      else if (opts.min !== undefined && ms < opts.min) ctx.addIssue({ code: "custom", message: `must be at least ${opts.min / 1000}s (not ${s})` });
      else if (opts.max !== undefined && ms > opts.max) ctx.addIssue({ code: "custom", message: `must be at most ${opts.max / 1000}s (not ${s})` });
    });


const Alertmanager = z
  .strictObject({
    url: httpUrl,
    bearer_token: z.string().min(1, "bearer_token must not be empty").optional(),
    basic_auth: z.strictObject({ username: z.string().min(1, "username must not be empty"), password: z.string() }).optional(),
    timeout: duration("10s", { min: 1, max: MAX_TIMEOUT_MS }),
  })
  .superRefine((a, ctx) => {
    if (a.bearer_token !== undefined && a.basic_auth !== undefined) ctx.addIssue({ code: "custom", message: "give bearer_token or basic_auth, not both" });
  });

const Receiver = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "receiver name: 1-64 characters of A-Z a-z 0-9 _ . -, starting with a letter or digit"),
  type: z.enum(["webhook", "slack"], { message: 'type must be "webhook" or "slack"' }),
  url: httpUrl,
  group_by: z
    .array(z.string())
    .default(["alertname"])
    .superRefine((labels, ctx) => {
      if (labels.includes("...")) {
        if (labels.length > 1) ctx.addIssue({ code: "custom", message: 'group_by ["..."] groups by all labels and takes no other label' });
        return;
      }
      labels.forEach((l, i) => {
        if (!LABEL_NAME_RE.test(l)) ctx.addIssue({ code: "custom", path: [i], message: `${JSON.stringify(l)} is not a label name` });
        else if (labels.indexOf(l) !== i) ctx.addIssue({ code: "custom", path: [i], message: `label ${l} is listed twice` });
      });
    }),
  group_wait: duration("30s", { min: 0 }),
  group_interval: duration("5m", { min: 1000 }),
  repeat_interval: duration("4h", { min: 1000 }),
  send_resolved: z.boolean().default(true),
  max_alerts: z.number().int("max_alerts must be a whole number").nonnegative("max_alerts must not be negative").default(0),
});

export const NotifierConfigSchema = z
  .strictObject({
    alertmanagers: z.array(Alertmanager).max(MAX_ALERTMANAGERS, `at most ${MAX_ALERTMANAGERS} alertmanagers`).default([]),
    receivers: z.array(Receiver).max(MAX_RECEIVERS, `at most ${MAX_RECEIVERS} receivers`).default([]),
  })
  .superRefine((c, ctx) => {
    c.alertmanagers.forEach((a, i) => {
      if (c.alertmanagers.findIndex((b) => b.url === a.url) !== i) ctx.addIssue({ code: "custom", path: ["alertmanagers", i, "url"], message: `alertmanager ${a.url} is listed twice` });
    });
    c.receivers.forEach((r, i) => {
      if (c.receivers.findIndex((b) => b.name === r.name) !== i) ctx.addIssue({ code: "custom", path: ["receivers", i, "name"], message: `receiver name ${JSON.stringify(r.name)} is used twice` });
    });
  });

export type NotifierConfig = z.infer<typeof NotifierConfigSchema>;
export type AlertmanagerConfig = NotifierConfig["alertmanagers"][number];
export type ReceiverConfig = NotifierConfig["receivers"][number];

export const EMPTY_CONFIG: NotifierConfig = { alertmanagers: [], receivers: [] };

/** Thrown with every problem found, each "where: what" (receivers[1].group_wait: ...). */
export class NotifierConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("; "));
  }
}

const where = (path: PropertyKey[]) =>
  path.reduce<string>((s, p) => (typeof p === "number" ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)), "") || "config";

/** Validates a parsed config (JSON or YAML), filling defaults. */
export function validateNotifierConfig(raw: unknown): NotifierConfig {
  if (raw === null || raw === undefined) throw new NotifierConfigError(["config: empty; give alertmanagers and/or receivers"]);
  const parsed = NotifierConfigSchema.safeParse(raw);
  if (!parsed.success) throw new NotifierConfigError(parsed.error.issues.map((i) => `${where(i.path)}: ${i.message}`));
  return parsed.data;
}

/** Parses the text of a config: JSON when the content type says so, YAML (a superset of JSON) otherwise. */
export function parseNotifierConfig(text: string, contentType = ""): NotifierConfig {
  let raw: unknown;
  if (/json/i.test(contentType)) {
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new NotifierConfigError([`body: not JSON (${(err as Error).message})`]);
    }
  } else {
    try {
      raw = parseYaml(text);
    } catch (err) {
      const e = err as YAMLParseError;
      throw new NotifierConfigError([`body: not YAML (${e.message.split("\n")[0]})`]);
    }
  }
  return validateNotifierConfig(raw);
}

/** The receiver's timings in ms (validated already). */
export function receiverTimings(r: ReceiverConfig) {
  return { groupWait: durationMs(r.group_wait)!, groupInterval: durationMs(r.group_interval)!, repeatInterval: durationMs(r.repeat_interval)! };
}
