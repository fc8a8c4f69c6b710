// --report-to for --target openai: every answered request of the load also goes
// to an Inferscope as a canonical request-log record tagged "synthetic" and
// "loadtest" (not "probe"), with ids loadtest-<run>-<n> and attributes.loadtest_run
// like --target ingest's records, through the probe's reporter (cli/probe/reporter.ts, which maps
// with cli/probe/to-log-record.ts), so a load test's records are the same
// records as a probe's and show in the same searches and counters. Reporting
// never changes the run's result or exit code: what could not be sent is said
// in one stderr line after the load.
import { CliError } from "../errors";
import { DEFAULT_URL, target, type ApiTarget } from "../commands/api-client";
import type { CompletionResult } from "../probe/openai-client";
import { Reporter, type ReportOutcome } from "../probe/reporter";

export const LOADTEST_TAG = "loadtest";

/** What --report-to did, for the stderr line and the JSON report. */
export interface Reported extends ReportOutcome {
  /** The load test's run id: attributes.loadtest_run of every record of this run. */
  run: string;
}

export interface RunReport {
  add(r: CompletionResult, requestedModel: string): void;
  /** Delivers what is pending and waits for it; never throws. */
  close(): Promise<Reported>;
}

/** --report-to and --key (the Inferscope's ingest key), or null without --report-to. */
export function reportTarget(values: { "report-to"?: string; key?: string }, env: Record<string, string | undefined>): ApiTarget | null {
  const raw = values["report-to"];
  if (raw === undefined) {
    if (values.key !== undefined) throw new CliError("--key is the Inferscope ingest key for --report-to; the endpoint's key is --api-key");
    return null;
  }
  // Checked here, not by target(), so the message names the flag that was typed.
  if (!/^https?:\/\/[^/]/i.test(raw.trim())) throw new CliError(`--report-to takes the http(s) URL of an Inferscope, such as ${DEFAULT_URL} (not ${JSON.stringify(raw)})`);
  return target({ url: raw.trim(), key: values.key }, "ingest", env);
}

export function startReport(to: ApiTarget, endpoint: string, scenario: string, runId: string, fetchImpl?: typeof fetch): RunReport {
  const reporter = new Reporter(to, fetchImpl, { baseTag: LOADTEST_TAG, requestIdPrefix: LOADTEST_TAG, runId, attributes: { loadtest_run: runId } });
  const source = `loadtest ${scenario}`;
  return {
    add(r, requestedModel) {
      // An abort is the hard stop or Ctrl-C, not the endpoint's doing: not a synthetic failure to record.
      if (r.errorKind === "aborted") return;
      reporter.add(r, { endpoint, requestedModel, source });
    },
    async close() {
      return { ...(await reporter.close()), run: reporter.runId };
    },
  };
}

/** The one stderr line after the load: what was sent where, or why not. */
export function reportedLine(o: Reported): string {
  if (!o.failed) return `reported ${o.sent} synthetic request log(s) to ${o.url} (tags synthetic, loadtest; attributes.loadtest_run ${o.run})`;
  return `reporting to ${o.url} failed for ${o.failed} of ${o.sent + o.failed} record(s): ${o.problem} (the load test's results and exit code are unaffected)`;
}
