// One error for malformed protobuf input, with the byte offset where it went wrong,
// so protocol decoders can turn it into a precise 400 message.
export class ProtobufDecodeError extends Error {
  override name = "ProtobufDecodeError";
  constructor(
    message: string,
    /** Offset in the protobuf bytes (after decompression) where decoding failed. */
    readonly offset: number,
  ) {
    super(message);
  }
}
