import { randomBytes } from 'node:crypto';

let lastMs = 0;
let seq = 0;

/**
 * Random bytes drawn from the CSPRNG 4 KiB at a time (as crypto.randomUUID does): one call per
 * 256 ids instead of two per id, a measurable share of a busy server's time.
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolAt = 0;
function randomInto(target: Buffer, length: number): void {
  if (poolAt + length > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  pool.copy(target, 0, poolAt, poolAt + length);
  poolAt += length;
}
const seqSeed = Buffer.alloc(2);

/**
 * `length` fresh bytes from the same CSPRNG pool, never handed out twice: for values that must be
 * unpredictable and unique but need no secrecy of their own (AES-GCM nonces are stored beside
 * their ciphertext). Keys are drawn straight from the CSPRNG, not from here.
 */
export function randomPoolBytes(length: number): Buffer {
  if (length > POOL_BYTES) return randomBytes(length);
  const b = Buffer.allocUnsafe(length);
  randomInto(b, length);
  return b;
}

/**
 * UUID version 7 (RFC 9562): 48-bit Unix milliseconds, then random bits. Ids sort by creation
 * time, which keeps B-tree inserts local. A 12-bit counter keeps ids from one process monotonic
 * within a millisecond.
 */
export function newId(now: number = Date.now()): string {
  if (now === lastMs) {
    seq = (seq + 1) & 0xfff;
  } else {
    lastMs = now;
    randomInto(seqSeed, 2);
    seq = seqSeed.readUInt16BE(0) & 0x7ff;
  }
  const b = Buffer.allocUnsafe(16);
  randomInto(b, 16);
  b.writeUIntBE(now, 0, 6);
  b[6] = 0x70 | (seq >> 8);
  b[7] = seq & 0xff;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
