/**
 * Cuts a TCP byte stream into BGP messages. Pull-based so the session can stop between messages
 * (back-pressure): push() chunks, then next() until it returns undefined. Messages within a chunk are
 * returned as views without copying; only a message split across chunks is copied (once, its own bytes).
 */
import { HEADER_LENGTH } from './codec/constants';
import { checkHeader } from './codec/header';
import type { Notification } from './codec/notification';

export interface Frame {
  type: number;
  /** the message after its 19-byte header */
  body: Buffer;
}

export type StreamItem = { ok: true; frame: Frame } | { ok: false; notification: Notification };

export class StreamDecoder {
  private chunks: Buffer[] = [];
  private offset = 0; // into chunks[0]
  private buffered = 0;
  private failed: StreamItem | undefined;
  /** the checked header of the message being assembled */
  private header: { type: number; length: number } | undefined;

  push(chunk: Buffer): void {
    if (this.failed !== undefined || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** bytes received and not yet returned as messages */
  get pending(): number {
    return this.buffered;
  }

  /** The next complete message, a header error (then nothing more), or undefined when more bytes are needed. */
  next(): StreamItem | undefined {
    if (this.failed !== undefined) return this.failed;
    if (this.header === undefined) {
      if (this.buffered < HEADER_LENGTH) return undefined;
      const header = checkHeader(this.contiguous(HEADER_LENGTH), this.offset);
      if (!header.ok) {
        this.failed = header;
        this.chunks = [];
        this.buffered = 0;
        return header;
      }
      this.header = header;
    }
    const { type, length } = this.header;
    if (this.buffered < length) return undefined;
    const buf = this.contiguous(length);
    const body = buf.subarray(this.offset + HEADER_LENGTH, this.offset + length);
    this.header = undefined;
    this.consume(length);
    return { ok: true, frame: { type, body } };
  }

  /** Makes the first `n` pending bytes one slice of chunks[0]; copies only those bytes. */
  private contiguous(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length - this.offset >= n) return first;
    const joined = Buffer.allocUnsafe(n);
    let filled = 0;
    let used = 0; // chunks fully copied
    let offset = this.offset;
    while (filled < n) {
      const chunk = this.chunks[used]!;
      const take = Math.min(chunk.length - offset, n - filled);
      chunk.copy(joined, filled, offset, offset + take);
      filled += take;
      if (offset + take === chunk.length) {
        used++;
        offset = 0;
      } else {
        this.chunks[used] = chunk.subarray(offset + take);
        offset = 0;
      }
    }
    this.chunks.splice(0, used, joined);
    this.offset = 0;
    return joined;
  }

  private consume(n: number): void {
    this.offset += n;
    this.buffered -= n;
    if (this.offset === this.chunks[0]!.length) {
      this.chunks.shift();
      this.offset = 0;
    }
  }
}
