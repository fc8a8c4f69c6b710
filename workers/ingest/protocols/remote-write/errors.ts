// The one error decodeWriteRequest throws: the body can never be decoded, so the
// handler answers 400 with `message` (and drops the whole request: nothing in a
// body that fails to decode is trustworthy).
export type RemoteWriteDecodeErrorKind = "snappy" | "too_large" | "protobuf";

export class RemoteWriteDecodeError extends Error {
  override name = "RemoteWriteDecodeError";
  readonly status = 400;
  constructor(
    readonly kind: RemoteWriteDecodeErrorKind,
    message: string,
    /** Byte offset in the decompressed protobuf, where known. */
    readonly offset?: number,
  ) {
    super(message);
  }
}
