// Chunk windows: fixed, UTC-aligned spans of time, one chunk per series and
// window. Fixed windows keep chunks from ever overlapping, so a late sample
// has exactly one chunk to be merged into, and a read knows how far before its
// start a chunk holding its first sample can begin. 2 h divides a day (retention
// drops whole days) and holds 480 samples at a 15 s scrape: a chunk row costs
// ~270 B beside its payload, so on the storage bench 2 h windows take 3.95
// B/sample where 120-sample chunks would take ~5.7 (scripts/bench-storage.ts);
// at a 1 s scrape a window's 7,200 samples stay within the chunk's uint16 count.
export const CHUNK_WINDOW_MS = 2 * 3_600_000;

/** Start of the window holding t. */
export function windowOf(t: number): number {
  return Math.floor(t / CHUNK_WINDOW_MS) * CHUNK_WINDOW_MS;
}
