/**
 * Parameters of an RPC request: the query string and a form body, decoded, with their origin kept (V3
 * signs only the query; V1 signs both). Nothing product-specific.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { formDecode } from './encoding';
import { PopError, E, invalidParameter } from './errors';
import type { Params } from './signature';

export type ResponseFormat = 'JSON' | 'XML';

export interface PopRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** decoded query-string parameters */
  query: Params;
  /** query and form body together: what V1 signs and what operations read */
  params: Params;
  format: ResponseFormat;
}

/**
 * The most characters of any parameter value, and of any parameter name, whatever the operation: above
 * every limit of the products' parameter tables (the longest: PolicyDocument, RemoteCaCert and RAM's Tag,
 * 6,144), so hostile sizes stop here, before signatures, lookups or policies.
 */
export const MAX_PARAMETER_VALUE = 8192;
export const MAX_PARAMETER_NAME = 128;

/** Splits `a=1&b=2` into decoded pairs; a repeated key, a malformed escape or an oversized one is a 400. */
export function parseParameterString(text: string, into: Params = Object.create(null) as Params): Params {
  if (text.length === 0) return into;
  for (const pair of text.split('&')) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf('=');
    const key = formDecode(eq < 0 ? pair : pair.slice(0, eq));
    const value = formDecode(eq < 0 ? '' : pair.slice(eq + 1));
    if (key === undefined || value === undefined) {
      throw new PopError(E.InvalidParameterFormat, 'Specified parameter format is not valid: malformed percent-encoding.');
    }
    if (key.length === 0) continue;
    if (key.length > MAX_PARAMETER_NAME) {
      throw new PopError(E.InvalidParameter, `The specified parameter name "${key.slice(0, 32)}…" is not valid: it is longer than ${MAX_PARAMETER_NAME} characters.`);
    }
    if (value.length > MAX_PARAMETER_VALUE) throw invalidParameter(key, `it is longer than ${MAX_PARAMETER_VALUE} characters.`);
    if (Object.prototype.hasOwnProperty.call(into, key)) {
      throw invalidParameter(key, 'the parameter is specified more than once.');
    }
    into[key] = value;
  }
  return into;
}

function isFormBody(headers: IncomingHttpHeaders): boolean {
  const type = headers['content-type'];
  return type !== undefined && type.toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/** Reads the response format first, so even a request that fails to parse gets its error as asked. */
export function guessFormat(rawQuery: string): ResponseFormat {
  return /(^|&)Format=xml(&|$)/i.test(rawQuery) ? 'XML' : 'JSON';
}

export function parsePopRequest(method: string, rawUrl: string, headers: IncomingHttpHeaders, body: Buffer): PopRequest {
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
  const query = parseParameterString(rawQuery);
  const params: Params = Object.assign(Object.create(null) as Params, query);
  if (body.length > 0 && isFormBody(headers)) parseParameterString(body.toString('utf8'), params);
  const format: ResponseFormat = (params.Format ?? '').toUpperCase() === 'XML' ? 'XML' : 'JSON';
  return { method, path, headers, body, query, params, format };
}

/** The header value as one string (first of several). */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
