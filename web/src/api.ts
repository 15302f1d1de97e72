/**
 * The console's API client: every call is a signed POP request to `/` of the server that served the page,
 * exactly what an SDK sends (V3, parameters in the query, no body). What the console shows is what the API
 * answers — RAM denials included, shown with the API's own Code, Message and RequestId.
 */
import { EMPTY_BODY_SHA256, acsDate, authorization, newNonce, percentEncode, type SigningKey } from './signer';

export const VPC_VERSION = '2016-04-28';
export const STS_VERSION = '2015-04-01';

export type Params = Record<string, string | number | undefined>;

/** An error answer of the API, as it worded it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly apiMessage: string,
    readonly requestId: string,
  ) {
    super(`${code}: ${apiMessage}`);
  }
}

function wireParams(params: Params): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') out[k] = String(v);
  return out;
}

export interface SignedRequest {
  url: string;
  init: RequestInit & { headers: Record<string, string> };
}

/** A signed fetch for one action; `extraHeaders` are sent unsigned (Accept, Last-Event-ID). */
export async function signRequest(key: SigningKey, method: 'GET' | 'POST', action: string, version: string, params: Params,
  extraHeaders: Record<string, string> = {}): Promise<SignedRequest> {
  const query = wireParams(params);
  const signed: Record<string, string> = {
    host: location.host,
    'x-acs-action': action,
    'x-acs-version': version,
    'x-acs-date': acsDate(new Date()),
    'x-acs-signature-nonce': newNonce(),
    'x-acs-content-sha256': EMPTY_BODY_SHA256,
  };
  if (key.securityToken) {
    signed['x-acs-security-token'] = key.securityToken;
    signed['x-acs-accesskey-id'] = key.accessKeyId;
  }
  const auth = await authorization(key, { method, query, headers: signed, payloadHash: EMPTY_BODY_SHA256 });
  // The browser sets Host itself (to location.host, what was signed); it may not be set by a script.
  const { host: _host, ...sent } = signed;
  const search = Object.keys(query).map((k) => `${percentEncode(k)}=${percentEncode(query[k]!)}`).join('&');
  return {
    url: `/${search ? `?${search}` : ''}`,
    init: { method, headers: { ...sent, authorization: auth, accept: 'application/json', ...extraHeaders }, cache: 'no-store', credentials: 'omit' },
  };
}

/** Turns an error response into ApiError (the body is the API's JSON error; anything else is described). */
export async function errorOf(res: Response): Promise<ApiError> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    return new ApiError(res.status, String(body.Code ?? `HTTP${res.status}`), String(body.Message ?? ''), String(body.RequestId ?? ''));
  } catch {
    return new ApiError(res.status, `HTTP${res.status}`, text.slice(0, 300), '');
  }
}

export class ApiClient {
  constructor(readonly key: SigningKey) {}

  async call<T = any>(action: string, params: Params, version = VPC_VERSION, signal?: AbortSignal): Promise<T> {
    const { url, init } = await signRequest(this.key, 'POST', action, version, params);
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new ApiError(0, 'NetworkError', `The server did not answer (${(err as Error).message}).`, '');
    }
    if (!res.ok) throw await errorOf(res);
    return (await res.json()) as T;
  }
}
