/** src/bgp/stream-decoder.ts: messages cut correctly from any chunking of the byte stream. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StreamDecoder, type Frame } from '../../src/bgp/stream-decoder';
import { hex, message } from '../helpers/bgp-wire';
import { rng } from '../helpers/random';

const MESSAGES: Buffer[] = [
  hex('ffffffffffffffffffffffffffffffff00310104fde9005a0aff0004140206010400010001020641040000fde902020600'),
  message(4, []),
  hex('ffffffffffffffffffffffffffffffff005302000000384001010040021402020000fde900002ee001020000fc000000fc01400304a9fe0a02c00804ffffffe6c0200c0000fde90000000100000001180a1e02'),
  hex('ffffffffffffffffffffffffffffffff001b020004180a1e020000'),
  message(5, [0, 1, 0, 1]),
  message(2, Buffer.alloc(4096 - 19, 7)),
  hex('ffffffffffffffffffffffffffffffff00170200000000'),
  message(3, [6, 2, 3, 0x62, 0x79, 0x65]),
];
const STREAM = Buffer.concat(MESSAGES);

function expected(messages: Buffer[]): Frame[] {
  return messages.map((m) => ({ type: m[18]!, body: m.subarray(19) }));
}

function drain(decoder: StreamDecoder, into: Frame[]): void {
  for (let item = decoder.next(); item !== undefined; item = decoder.next()) {
    assert.ok(item.ok, `unexpected header error ${JSON.stringify(!item.ok && item.notification)}`);
    into.push({ type: item.frame.type, body: Buffer.from(item.frame.body) });
  }
}

function decodeChunks(chunks: Buffer[]): Frame[] {
  const decoder = new StreamDecoder();
  const frames: Frame[] = [];
  for (const chunk of chunks) {
    decoder.push(chunk);
    drain(decoder, frames);
  }
  assert.equal(decoder.pending, 0);
  return frames;
}

describe('stream decoder', () => {
  test('the whole stream in one chunk', () => {
    assert.deepEqual(decodeChunks([STREAM]), expected(MESSAGES));
  });

  test('split in two at every byte boundary', () => {
    const want = expected(MESSAGES);
    for (let cut = 0; cut <= STREAM.length; cut++) {
      assert.deepEqual(decodeChunks([STREAM.subarray(0, cut), STREAM.subarray(cut)]), want, `cut at ${cut}`);
    }
  });

  test('one byte at a time', () => {
    const chunks = Array.from({ length: STREAM.length }, (_, i) => STREAM.subarray(i, i + 1));
    assert.deepEqual(decodeChunks(chunks), expected(MESSAGES));
  });

  test('random chunk sizes from 1 byte to 64 KB over a long stream', () => {
    const random = rng(2026);
    const many: Buffer[] = [];
    for (let i = 0; i < 600; i++) many.push(MESSAGES[random.int(0, MESSAGES.length - 1)]!);
    const stream = Buffer.concat(many);
    const want = expected(many);
    for (let round = 0; round < 20; round++) {
      const chunks: Buffer[] = [];
      const maxChunk = [1, 19, 100, 4096, 65536][round % 5]!;
      for (let p = 0; p < stream.length;) {
        const size = random.int(1, maxChunk);
        chunks.push(stream.subarray(p, p + size));
        p += size;
      }
      const got = decodeChunks(chunks);
      assert.equal(got.length, want.length);
      got.forEach((frame, i) => assert.ok(frame.type === want[i]!.type && frame.body.equals(want[i]!.body), `round ${round} message ${i}`));
    }
  });

  test('messages held back by the reader stay intact while more chunks arrive', () => {
    const decoder = new StreamDecoder();
    decoder.push(STREAM.subarray(0, 100));
    const first = decoder.next();
    decoder.push(STREAM.subarray(100));
    const frames: Frame[] = [];
    assert.ok(first?.ok);
    frames.push({ type: first.frame.type, body: Buffer.from(first.frame.body) });
    drain(decoder, frames);
    assert.deepEqual(frames, expected(MESSAGES));
  });

  test('a header error ends the stream: earlier messages come out, then the error, then nothing else', () => {
    const bad = message(4, []);
    bad[3] = 0;
    const decoder = new StreamDecoder();
    decoder.push(Buffer.concat([MESSAGES[1]!, MESSAGES[3]!, bad, MESSAGES[1]!]));
    assert.equal(decoder.next()?.ok, true);
    assert.equal(decoder.next()?.ok, true);
    const error = decoder.next();
    assert.deepEqual(error, { ok: false, notification: { code: 1, subcode: 1, data: Buffer.alloc(0) } });
    decoder.push(MESSAGES[1]!);
    assert.deepEqual(decoder.next(), error);
  });

  test('a bad length is detected as soon as the header is complete, before the body arrives', () => {
    const decoder = new StreamDecoder();
    const head = Buffer.alloc(19, 0xff);
    head.writeUInt16BE(5000, 16);
    head[18] = 2;
    decoder.push(head.subarray(0, 18));
    assert.equal(decoder.next(), undefined);
    decoder.push(head.subarray(18));
    assert.deepEqual(decoder.next(), { ok: false, notification: { code: 1, subcode: 2, data: Buffer.from([0x13, 0x88]) } });
  });
});
