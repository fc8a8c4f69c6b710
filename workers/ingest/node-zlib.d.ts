// The part of node:zlib (workerd's nodejs_compat) that body.ts uses; the worker
// build has no @types/node.
declare module "node:zlib" {
  interface ZlibOptions {
    /** Inflating stops with a RangeError once the output would pass this many bytes. */
    maxOutputLength?: number;
  }
  export function gunzipSync(buf: Uint8Array, options?: ZlibOptions): Uint8Array;
  export function inflateSync(buf: Uint8Array, options?: ZlibOptions): Uint8Array;
}
