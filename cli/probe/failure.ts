// The endpoint, not the command line, is what is wrong: unreachable, refusing,
// or serving no model. Exit 1 (the check failed), where a CliError is exit 2
// (bad usage, fix the command). `inferscope probe` prints the message on stderr.
export class ProbeFailure extends Error {}

/** Exit code of a failed probe: the endpoint failed the check. */
export const PROBE_FAILED = 1;
