// The chunk half of QueryStorage.select (read.ts): per selected series, the
// XOR chunks of sample_chunks (chunk-compact.ts writes them) whose window meets
// the range, fetched in the same statement as the head rows (one snapshot: a
// compaction batch moves rows into chunks in one transaction, so a read sees a
// sample in exactly one of the two), decoded here and merged with the rows.
import { sql, type SQL } from "drizzle-orm";
import { decodeXorChunk } from "../chunks/xor";
import { concatSamples, mergeSamples, trimSamples, type SampleArrays } from "../chunks/samples";
import { CHUNK_WINDOW_MS } from "../chunks/window";
import type { TimeRange } from "../types";

/**
 * LATERAL giving `k.cs`: the series' chunks in window order, each behind its
 * int4 length, in one bytea sent as base64 (NULL when none): 1.33 characters a
 * byte on the text protocol against hex's 2, and atob decodes it natively. window_start bounds the PK range
 * scan; a chunk starting up to one window before the range may still hold samples in it.
 */
export const chunksOf = (seriesId: SQL, start: number, end: number) => sql`CROSS JOIN LATERAL (
  SELECT translate(encode(string_agg(int4send(length(ch.data)) || ch.data, ''::bytea ORDER BY ch.window_start), 'base64'), E'\n', '') AS cs
  FROM sample_chunks ch
  WHERE ch.series_id = ${seriesId} AND ch.window_start > ${start - CHUNK_WINDOW_MS} AND ch.window_start <= ${end}
    AND ch.max_t >= ${start} AND ch.min_t <= ${end}) k`;

/** Whether series `s` has a chunk meeting the range (beside the head's EXISTS over samples). */
export const chunkInRange = (start: number, end: number) => sql`EXISTS (SELECT 1 FROM sample_chunks ch
  WHERE ch.series_id = s.id AND ch.window_start > ${start - CHUNK_WINDOW_MS} AND ch.window_start <= ${end}
    AND ch.max_t >= ${start} AND ch.min_t <= ${end})`;

/** chunksOf's base64 text as bytes (a driver that sends bytea as bytes would skip this). */
function fromBase64(raw: unknown): Uint8Array {
  if (raw instanceof Uint8Array) return raw;
  if (typeof raw !== "string") throw new Error(`unexpected chunk list of type ${typeof raw}`);
  const bin = atob(raw);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Decodes the length-prefixed chunks of chunksOf. */
export function decodeChunkList(raw: unknown): SampleArrays[] {
  if (raw === null || raw === undefined) return [];
  const b = fromBase64(raw);
  const out: SampleArrays[] = [];
  for (let p = 0; p < b.length; ) {
    const len = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
    p += 4;
    if (p + len > b.length) throw new Error(`corrupt chunk list: a ${len}-byte chunk at ${p} runs past its ${b.length} bytes`);
    out.push(decodeXorChunk(b.subarray(p, p + len)));
    p += len;
  }
  return out;
}

/** One series' samples in range: its chunks (in window order, never overlapping) merged with its head rows. */
export function withChunks(head: SampleArrays, chunkList: unknown, range: TimeRange): SampleArrays {
  const chunks = decodeChunkList(chunkList);
  if (chunks.length === 0) return head;
  // The chunk's sample wins at an equal time: it was stored first (mergeSamples).
  return mergeSamples(trimSamples(concatSamples(chunks), range.start, range.end), head);
}
