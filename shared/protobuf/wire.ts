// Protobuf wire format basics shared by our decoders (workers) and encoders (agent).
// Spec: https://protobuf.dev/programming-guides/encoding/

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

export const WIRE_TYPE_NAMES = ["varint", "fixed64", "length-delimited", "start-group", "end-group", "fixed32"];

/** The key that precedes a field: (field number << 3) | wire type. */
export function fieldKey(field: number, wireType: number): number {
  return ((field << 3) | wireType) >>> 0;
}
