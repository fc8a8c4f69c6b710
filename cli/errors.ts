// An error whose message is for the user (bad usage, an API's refusal): the
// CLI prints it on one line and exits 2, without a stack.
export class CliError extends Error {}
