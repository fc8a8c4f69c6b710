// Compression bombs without compressing gigabytes: a deflate block of 1 MiB of
// zeros ended by a full flush (byte-aligned, history reset) can be repeated
// as is, so N copies inflate to N MiB. Wrapped as gzip (with the right CRC
// and size) or zlib ("deflate").
import { constants, crc32, deflateRawSync } from "node:zlib";

const MIB = 1024 * 1024;
const zeros = Buffer.alloc(MIB);
const block = deflateRawSync(zeros, { level: 9, finishFlush: constants.Z_FULL_FLUSH });
const FINAL_EMPTY_BLOCK = Buffer.from([0x03, 0x00]);

function repeated(mib: number): Buffer {
  const out = Buffer.alloc(block.length * mib + FINAL_EMPTY_BLOCK.length);
  for (let i = 0; i < mib; i++) block.copy(out, i * block.length);
  FINAL_EMPTY_BLOCK.copy(out, block.length * mib);
  return out;
}

/** gzip of `mib` MiB of zeros (about 1 KB per MiB). */
export function gzipBomb(mib: number): Uint8Array {
  let crc = 0;
  for (let i = 0; i < mib; i++) crc = crc32(zeros, crc);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE((mib * MIB) % 2 ** 32, 4);
  return Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff]), repeated(mib), trailer]);
}

/** zlib ("Content-Encoding: deflate") of `mib` MiB of zeros. */
export function deflateBomb(mib: number): Uint8Array {
  // Adler-32 of n zero bytes: a = 1, b = n mod 65521.
  const adler = (((mib * MIB) % 65521) * 65536 + 1) >>> 0;
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32BE(adler, 0);
  return Buffer.concat([Buffer.from([0x78, 0xda]), repeated(mib), trailer]);
}
