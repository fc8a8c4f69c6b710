// What a direct receiver gets for one flush of a group: Alertmanager's webhook
// payload (version 4, as its webhook_config sends it) or a Slack incoming-webhook
// message (text for notifications and clients without blocks, blocks for the rest).
import type { Labels } from "../../../shared/labels";
import { labelsText } from "./fingerprint";

export interface GroupAlert {
  fingerprint: string;
  labels: Labels;
  annotations: Labels;
  startsAt: number;
  endsAt: number;
  generatorURL: string;
}

export interface Notification {
  receiver: string;
  groupKey: string;
  groupLabels: Labels;
  /** The alerts to send (resolved ones only with send_resolved), firing first is not required. */
  alerts: GroupAlert[];
  now: number;
  externalURL: string;
  maxAlerts: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const isFiring = (a: GroupAlert, now: number) => a.endsAt > now;

/** Labels (or annotations) every alert has with the same value. */
function common(sets: Labels[]): Labels {
  if (!sets.length) return {};
  const out: Labels = { ...sets[0] };
  for (const s of sets.slice(1)) for (const k of Object.keys(out)) if (s[k] !== out[k]) delete out[k];
  return out;
}

/** Alertmanager's alert order: by job, then instance, then the whole label set. */
function sorted(alerts: GroupAlert[]): GroupAlert[] {
  const key = (a: GroupAlert) => [a.labels.job ?? "", a.labels.instance ?? "", labelsText(a.labels)];
  return [...alerts].sort((x, y) => {
    const a = key(x);
    const b = key(y);
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
  });
}

export function webhookPayload(n: Notification) {
  const all = sorted(n.alerts);
  const firing = all.some((a) => isFiring(a, n.now));
  const kept = n.maxAlerts > 0 ? all.slice(0, n.maxAlerts) : all;
  return {
    receiver: n.receiver,
    status: firing ? "firing" : "resolved",
    alerts: kept.map((a) => ({
      status: isFiring(a, n.now) ? "firing" : "resolved",
      labels: a.labels,
      annotations: a.annotations,
      startsAt: iso(a.startsAt),
      endsAt: iso(a.endsAt),
      generatorURL: a.generatorURL,
      fingerprint: a.fingerprint,
    })),
    groupLabels: n.groupLabels,
    commonLabels: common(all.map((a) => a.labels)),
    commonAnnotations: common(all.map((a) => a.annotations)),
    externalURL: n.externalURL,
    version: "4",
    groupKey: n.groupKey,
    truncatedAlerts: all.length - kept.length,
  };
}

// Slack's limits: 50 blocks a message, 3000 characters a section, 150 a header.
const MAX_SLACK_ALERT_BLOCKS = 45;
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const mrkdwnEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function slackPayload(n: Notification) {
  const all = sorted(n.alerts);
  const firing = all.filter((a) => isFiring(a, n.now));
  const status = firing.length ? "FIRING" : "RESOLVED";
  const name = Object.values(n.groupLabels).join(" ") || (common(all.map((a) => a.labels)).alertname ?? "alerts");
  // Alertmanager's default Slack title: [FIRING:2] <group label values>.
  const title = `[${status}${firing.length ? `:${firing.length}` : ""}] ${name}`;
  const limit = Math.min(n.maxAlerts > 0 ? n.maxAlerts : all.length, MAX_SLACK_ALERT_BLOCKS);
  const shown = all.slice(0, limit);
  const blocks: unknown[] = [{ type: "header", text: { type: "plain_text", text: cut(`${firing.length ? "🔥" : "✅"} ${title}`, 150), emoji: true } }];
  for (const a of shown) {
    const state = isFiring(a, n.now) ? "firing" : "resolved";
    const summary = a.annotations.summary ?? a.annotations.message ?? "";
    const lines = [`*${mrkdwnEscape(a.labels.alertname ?? name)}* (${state}${a.labels.severity ? `, ${mrkdwnEscape(a.labels.severity)}` : ""})`];
    if (summary) lines.push(mrkdwnEscape(summary));
    if (a.annotations.description) lines.push(mrkdwnEscape(a.annotations.description));
    const labels = Object.keys(a.labels).sort().filter((k) => k !== "alertname").map((k) => `\`${k}=${a.labels[k]}\``);
    if (labels.length) lines.push(labels.join(" "));
    const links = [a.generatorURL ? `<${a.generatorURL}|source>` : "", a.annotations.runbook_url ? `<${a.annotations.runbook_url}|runbook>` : ""].filter(Boolean);
    if (links.length) lines.push(links.join(" · "));
    blocks.push({ type: "section", text: { type: "mrkdwn", text: cut(lines.join("\n"), 3000) } });
  }
  if (all.length > shown.length) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `and ${all.length - shown.length} more` }] });
  const summaries = shown.map((a) => a.annotations.summary).filter(Boolean);
  return { text: cut([title, ...summaries].join("\n"), 3000), blocks };
}
