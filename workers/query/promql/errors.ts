// Errors carry Prometheus's errorType so the HTTP layer can map them to status
// codes without parsing messages: bad_data -> 400, execution -> 422,
// timeout / canceled -> 503.

export type ErrorType = "bad_data" | "execution" | "timeout" | "canceled";

export class PromQLError extends Error {
  readonly errorType: ErrorType;
  constructor(errorType: ErrorType, message: string) {
    super(message);
    this.name = "PromQLError";
    this.errorType = errorType;
  }
}

/** A parse error. message is spelled as Prometheus does: "1:5: parse error: ...". */
export class ParseError extends PromQLError {
  /** Character offsets into the query (start inclusive, end exclusive). */
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
  /** The bare reason, without the position prefix. */
  readonly reason: string;
  constructor(query: string, start: number, end: number, reason: string) {
    // Prometheus counts lines from 1 and columns as pos - lastLineBreak.
    let line = 1;
    let lastBreak = -1;
    const pos = Math.max(0, Math.min(start, query.length));
    for (let i = 0; i < pos; i++) {
      if (query[i] === "\n") {
        line++;
        lastBreak = i;
      }
    }
    const column = pos - lastBreak;
    super("bad_data", `${line}:${column}: parse error: ${reason}`);
    this.name = "ParseError";
    this.start = start;
    this.end = end;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

/** Runtime failure of the query itself (Prometheus's 422 "execution"). */
export function execError(message: string): PromQLError {
  return new PromQLError("execution", message);
}

export function badData(message: string): PromQLError {
  return new PromQLError("bad_data", message);
}
