/** NOTIFICATION messages (RFC 4271 §4.5) and the shutdown communication of Cease 6/2 and 6/4 (RFC 8203/9003). */
import { CeaseSubcode, ErrorCode, HEADER_LENGTH, MessageType } from './constants';
import { encodeMessage } from './header';

export interface Notification {
  code: number;
  subcode: number;
  data: Buffer;
}

/** The message we put on shutdowns: RFC 8203 allowed 128 octets; RFC 9003 receivers accept up to 255. */
const MAX_SHUTDOWN_MESSAGE_BYTES = 128;

export function notification(code: number, subcode: number, data: Uint8Array = Buffer.alloc(0)): Notification {
  return { code, subcode, data: Buffer.from(data) };
}

export function encodeNotification(n: Notification): Buffer {
  const body = Buffer.allocUnsafe(2 + n.data.length);
  body[0] = n.code;
  body[1] = n.subcode;
  n.data.copy(body, 2);
  return encodeMessage(MessageType.NOTIFICATION, body);
}

/** `body` excludes the 19-byte header; the header check has ensured at least 2 bytes. */
export function decodeNotification(body: Buffer): Notification {
  return { code: body[0]!, subcode: body[1]!, data: Buffer.from(body.subarray(2)) };
}

function carriesShutdownMessage(n: Pick<Notification, 'code' | 'subcode'>): boolean {
  return n.code === ErrorCode.CEASE && (n.subcode === CeaseSubcode.ADMIN_SHUTDOWN || n.subcode === CeaseSubcode.ADMIN_RESET);
}

/** The UTF-8 shutdown communication of a received Cease 6/2 or 6/4, if well formed. */
export function shutdownMessageOf(n: Notification): string | undefined {
  if (!carriesShutdownMessage(n) || n.data.length < 1) return undefined;
  const length = n.data[0]!;
  if (length === 0 || 1 + length > n.data.length) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(n.data.subarray(1, 1 + length));
  } catch {
    return undefined;
  }
}

/** Cease with an optional shutdown communication, cut at a UTF-8 character boundary. */
export function ceaseNotification(subcode: number, message?: string): Notification {
  if (message === undefined || message === '' || !carriesShutdownMessage({ code: ErrorCode.CEASE, subcode })) {
    return notification(ErrorCode.CEASE, subcode);
  }
  let bytes = Buffer.from(message, 'utf8');
  if (bytes.length > MAX_SHUTDOWN_MESSAGE_BYTES) {
    let end = MAX_SHUTDOWN_MESSAGE_BYTES;
    while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // never split a multi-byte character
    bytes = bytes.subarray(0, end);
  }
  return notification(ErrorCode.CEASE, subcode, Buffer.concat([Buffer.from([bytes.length]), bytes]));
}

export const NOTIFICATION_MIN_LENGTH = HEADER_LENGTH + 2;
