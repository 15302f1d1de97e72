/**
 * Response bodies: JSON (default) and XML, success and error, with RequestId, HostId and Recommend.
 */
import { randomUUID } from '../random';
import { replaceNonXmlChars } from './encoding';
import type { PopError } from './errors';
import type { ResponseFormat } from './request';

export const JSON_CONTENT_TYPE = 'application/json;charset=utf-8';
/** Exactly this string: the V3 SDK path parses XML errors only under it (pop-protocol.md §7.2). */
export const XML_CONTENT_TYPE = 'text/xml;charset=utf-8';

/** Request IDs look like Alibaba's: an upper-case UUID. */
export function newRequestId(): string {
  return randomUUID().toUpperCase();
}

export interface RenderedResponse {
  status: number;
  contentType: string;
  /** text, or UTF-8 bytes in pieces written one after the other (a cached page is sent as it is kept: no copy) */
  body: string | readonly Buffer[];
  /** extra response headers (e.g. x-acs-retry-after) */
  headers?: Record<string, string>;
  /** a body written over time (Server-Sent Events) instead of `body`: the HTTP shell pumps it (server/event-streams.ts) */
  stream?: StreamedBody;
}

/** A response body written over time, e.g. Server-Sent Events. */
export interface StreamedBody {
  contentType: string;
  /** Writes the body (each write resolves when the client may take more) until done or `signal` aborts. */
  pump(write: (chunk: string) => Promise<void>, signal: AbortSignal): Promise<void>;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Text content: markup characters escaped, and any character XML 1.0 cannot carry (a control character, U+FFFE,
 * an unpaired surrogate, e.g. in data stored before input was checked) replaced by U+FFFD, so that a strict
 * parser accepts every response.
 */
function escapeXml(text: string): string {
  return replaceNonXmlChars(text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!));
}

/**
 * JSON → XML: an object becomes child elements; a plain array repeats its element name once per item
 * (decided; Alibaba's XML for plain arrays is not documented); null/undefined are omitted.
 */
function toXml(name: string, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((item) => toXml(name, item)).join('');
  if (typeof value === 'object') {
    let inner = '';
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) inner += toXml(k, v);
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/**
 * A success body already rendered as JSON members: the text that follows `{"RequestId":"…",` in the response
 * (e.g. from a cache of rendered pages). `json` must be exactly what JSON.stringify gives for the body's
 * members, so the body object is recovered from it wherever one is needed (XML, ClientToken records).
 */
export class RenderedMembers {
  /** the members' JSON, as text or as UTF-8 bytes */
  constructor(readonly json: string | Buffer) {}

  toObject(): Record<string, unknown> {
    return JSON.parse(`{${this.json.toString()}}`) as Record<string, unknown>;
  }
}

const CLOSE_BRACE = Buffer.from('}');

export type SuccessBody = Record<string, unknown> | RenderedMembers;

export function bodyObject(body: SuccessBody): Record<string, unknown> {
  return body instanceof RenderedMembers ? body.toObject() : body;
}

export function renderSuccess(action: string, requestId: string, success: SuccessBody, format: ResponseFormat): RenderedResponse {
  if (success instanceof RenderedMembers && format === 'JSON' && typeof success.json !== 'string' && success.json.length > 0) {
    // Bytes in, bytes out: the members are neither decoded and encoded again nor copied.
    return { status: 200, contentType: JSON_CONTENT_TYPE, body: [Buffer.from(`{"RequestId":${JSON.stringify(requestId)},`), success.json, CLOSE_BRACE] };
  }
  if (success instanceof RenderedMembers && format === 'JSON') {
    const members = success.json.length === 0 ? '' : `,${success.json.toString()}`;
    return { status: 200, contentType: JSON_CONTENT_TYPE, body: `{"RequestId":${JSON.stringify(requestId)}${members}}` };
  }
  const body = bodyObject(success);
  if (format === 'XML') {
    return {
      status: 200,
      contentType: XML_CONTENT_TYPE,
      body: `<?xml version="1.0" encoding="UTF-8"?>${toXml(`${action}Response`, { RequestId: requestId, ...body })}`,
    };
  }
  return { status: 200, contentType: JSON_CONTENT_TYPE, body: JSON.stringify({ RequestId: requestId, ...body }) };
}

export function errorBody(error: PopError, requestId: string, hostId: string, product: string): Record<string, unknown> {
  return {
    RequestId: requestId,
    HostId: hostId,
    Code: error.code,
    Message: error.message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}&product=${product}&requestId=${requestId}`,
    ...error.extra,
  };
}

export function renderError(error: PopError, requestId: string, hostId: string, product: string, format: ResponseFormat): RenderedResponse & { body: string } {
  const body = errorBody(error, requestId, hostId, product);
  const headers = error.headers;
  if (format === 'XML') {
    return { status: error.status, contentType: XML_CONTENT_TYPE, body: `<?xml version="1.0" encoding="UTF-8"?>${toXml('Error', body)}`, headers };
  }
  return { status: error.status, contentType: JSON_CONTENT_TYPE, body: JSON.stringify(body), headers };
}
