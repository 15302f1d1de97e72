/** The 19-byte message header (RFC 4271 §4.1) and its checks (§6.1). */
import { HEADER_LENGTH, HeaderSubcode, ErrorCode, MARKER_LENGTH, MAX_MESSAGE_LENGTH, MessageType } from './constants';
import type { Notification } from './notification';

/** Smallest and largest valid total length per message type (RFC 4271 §4, RFC 2918 §3). */
const LENGTH_LIMITS: ReadonlyArray<readonly [number, number] | undefined> = [
  undefined,
  [29, MAX_MESSAGE_LENGTH], // OPEN
  [23, MAX_MESSAGE_LENGTH], // UPDATE
  [21, MAX_MESSAGE_LENGTH], // NOTIFICATION
  [19, 19], // KEEPALIVE
  [23, 23], // ROUTE-REFRESH
];

export type HeaderCheck = { ok: true; type: number; length: number } | { ok: false; notification: Notification };

function headerError(subcode: number, data: Buffer): HeaderCheck {
  return { ok: false, notification: { code: ErrorCode.HEADER, subcode, data } };
}

/** Checks the header at `offset` (the caller guarantees 19 bytes are there). */
export function checkHeader(buf: Buffer, offset: number): HeaderCheck {
  for (let i = 0; i < MARKER_LENGTH; i++) {
    if (buf[offset + i] !== 0xff) return headerError(HeaderSubcode.NOT_SYNCHRONIZED, Buffer.alloc(0));
  }
  const length = buf.readUInt16BE(offset + MARKER_LENGTH);
  const type = buf[offset + MARKER_LENGTH + 2]!;
  const lengthField = () => Buffer.from(buf.subarray(offset + MARKER_LENGTH, offset + MARKER_LENGTH + 2));
  if (length < HEADER_LENGTH || length > MAX_MESSAGE_LENGTH) return headerError(HeaderSubcode.BAD_LENGTH, lengthField());
  const limits = LENGTH_LIMITS[type];
  if (limits === undefined) return headerError(HeaderSubcode.BAD_TYPE, Buffer.from([type]));
  if (length < limits[0] || length > limits[1]) return headerError(HeaderSubcode.BAD_LENGTH, lengthField());
  return { ok: true, type, length };
}

export function encodeMessage(type: number, body: Uint8Array): Buffer {
  const message = Buffer.allocUnsafe(HEADER_LENGTH + body.length);
  message.fill(0xff, 0, MARKER_LENGTH);
  message.writeUInt16BE(HEADER_LENGTH + body.length, MARKER_LENGTH);
  message[MARKER_LENGTH + 2] = type;
  message.set(body, HEADER_LENGTH);
  return message;
}

export function encodeKeepalive(): Buffer {
  return encodeMessage(MessageType.KEEPALIVE, Buffer.alloc(0));
}
