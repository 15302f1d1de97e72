/**
 * Every random value the server makes — resource IDs, RequestIds, keys, secrets, pre-shared keys, STS tokens —
 * comes from here. By default from node:crypto; with `--seed` from a deterministic stream (SHA-256 over the seed
 * and a counter), so a test suite that makes the same calls in the same order gets the same IDs every run (as
 * moto's seed does). A seeded server's secrets are predictable: never seed a server others can reach.
 */
import crypto from 'node:crypto';

let stream: { seed: string; counter: number; pool: Buffer } | undefined;

/** Seeds the process's random values (undefined: back to node:crypto). */
export function seedRandom(seed: string | undefined): void {
  stream = seed === undefined ? undefined : { seed, counter: 0, pool: Buffer.alloc(0) };
}

export function randomBytes(size: number): Buffer {
  if (!stream) return crypto.randomBytes(size);
  while (stream.pool.length < size) {
    const block = crypto.createHash('sha256').update(`${stream.seed}:${stream.counter++}`).digest();
    stream.pool = Buffer.concat([stream.pool, block]);
  }
  const out = stream.pool.subarray(0, size);
  stream.pool = stream.pool.subarray(size);
  return Buffer.from(out);
}

/** An integer in [min, max) (or [0, min) with one argument), without modulo bias. */
export function randomInt(min: number, max?: number): number {
  if (max === undefined) [min, max] = [0, min];
  if (!stream) return crypto.randomInt(min, max);
  const range = max - min;
  const limit = Math.floor(0x1_0000_0000 / range) * range;
  for (;;) {
    const n = randomBytes(4).readUInt32BE(0);
    if (n < limit) return min + (n % range);
  }
}

/** An RFC 4122 version-4 UUID. */
export function randomUUID(): string {
  if (!stream) return crypto.randomUUID();
  const b = randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
