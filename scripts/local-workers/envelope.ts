// How a message travels through the local queue when it went through the
// outbox: its outbox key beside the body the aggregator reads. Messages sent
// to the queue directly (tests) have no envelope and pass through as they are.
export interface OutboxEnvelope<T = unknown> {
  outboxKey: string;
  body: T;
}

export function wrapBody<T>(outboxKey: string, body: T): OutboxEnvelope<T> {
  return { outboxKey, body };
}

export function isEnvelope(body: unknown): body is OutboxEnvelope {
  return typeof body === "object" && body !== null && typeof (body as OutboxEnvelope).outboxKey === "string" && "body" in body;
}
