/**
 * Conformance of a raw JSON body (as received on the wire, before any model cast) to an official SDK
 * response model (a $dara.Model class with static names() and types()). Stricter than $dara.cast on
 * purpose (pop-protocol.md §7.2): Alibaba sends exact JSON types, so a 'number' field must be a JSON
 * number (not "45104"), a 'string' field a JSON string, a 'boolean' field a JSON boolean; a nested model
 * must be an object and `{type:'array'}` a plain array (wrapper objects such as {TunnelOptions:[…]} vs
 * plain arrays are told apart); every JSON field must be one of the model's wire names (catches typos
 * such as `VcoRouteEntrie`). Also: the raw-body capture of the official clients, for tests.
 */

/** What a model class offers: its wire names and field types, keyed by the model's (camelCase) field names. */
export interface ModelClass {
  readonly name: string;
  names(): Record<string, string>;
  types(): Record<string, unknown>;
}

export interface Mismatch {
  /** JSON path, e.g. $.TunnelOptionsSpecification.TunnelOptions[0].TunnelBgpConfig.LocalAsn */
  path: string;
  problem: 'unknown field' | 'wrong type' | 'null value' | 'unsupported model type';
  /** the model type at that path (e.g. 'string', 'array<string>', 'DescribeVpnConnectionResponseBodyTags') */
  expected: string;
  /** the JSON type received (string/number/boolean/array/object/null) and a short sample */
  actual: string;
}

export function isModelClass(t: unknown): t is ModelClass {
  return typeof t === 'function' && typeof (t as Partial<ModelClass>).names === 'function' && typeof (t as Partial<ModelClass>).types === 'function';
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function sample(v: unknown): string {
  const t = jsonType(v);
  if (t === 'object') return `object {${Object.keys(v as object).slice(0, 4).join(', ')}${Object.keys(v as object).length > 4 ? ', …' : ''}}`;
  if (t === 'array') return `array (${(v as unknown[]).length} items)`;
  const text = JSON.stringify(v);
  return `${t} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}

/** A model type descriptor as text: 'string', 'array<…>', 'map<string,…>', or a model class name. */
export function describeType(t: unknown): string {
  if (typeof t === 'string') return t;
  if (isModelClass(t)) return t.name;
  if (t && typeof t === 'object') {
    const d = t as { type?: unknown; itemType?: unknown; keyType?: unknown; valueType?: unknown };
    if (d.type === 'array') return `array<${describeType(d.itemType)}>`;
    if (d.type === 'map') return `map<${describeType(d.keyType)},${describeType(d.valueType)}>`;
  }
  return String(t);
}

function checkValue(type: unknown, value: unknown, path: string, out: Mismatch[]): void {
  const actual = jsonType(value);
  const wrong = (hint = '') => out.push({ path, problem: 'wrong type', expected: describeType(type) + hint, actual: sample(value) });
  if (value === null) {
    // Alibaba omits absent fields; a JSON null is cast to undefined by the SDK but is not what the service sends.
    out.push({ path, problem: 'null value', expected: describeType(type), actual: 'null' });
    return;
  }
  if (type === 'any') return;
  if (type === 'string' || type === 'number' || type === 'boolean') {
    if (actual !== type) wrong();
    return;
  }
  if (isModelClass(type)) {
    if (actual === 'array') wrong(' (an object; the JSON has a plain array where the model has a wrapper object)');
    else if (actual !== 'object') wrong(' (an object)');
    else checkModel(type, value as Record<string, unknown>, path, out);
    return;
  }
  if (type && typeof type === 'object') {
    const d = type as { type?: unknown; itemType?: unknown; valueType?: unknown };
    if (d.type === 'array') {
      if (actual === 'object') wrong(' (a plain array; the JSON has a wrapper object where the model has a plain array)');
      else if (actual !== 'array') wrong();
      else (value as unknown[]).forEach((item, i) => checkValue(d.itemType, item, `${path}[${i}]`, out));
      return;
    }
    if (d.type === 'map') {
      if (actual !== 'object') wrong();
      else for (const [k, v] of Object.entries(value as Record<string, unknown>)) checkValue(d.valueType, v, `${path}.${k}`, out);
      return;
    }
  }
  out.push({ path, problem: 'unsupported model type', expected: describeType(type), actual: sample(value) });
}

function checkModel(model: ModelClass, json: Record<string, unknown>, path: string, out: Mismatch[]): void {
  const names = model.names();
  const types = model.types();
  const byWire = new Map<string, string>();
  for (const [field, wire] of Object.entries(names)) byWire.set(wire, field);
  for (const [wire, value] of Object.entries(json)) {
    const at = `${path}.${wire}`;
    const field = byWire.get(wire);
    if (field === undefined) {
      out.push({ path: at, problem: 'unknown field', expected: `a field of ${model.name}`, actual: sample(value) });
      continue;
    }
    checkValue(types[field], value, at, out);
  }
}

/**
 * Every mismatch between a raw JSON response body and a response body model. `RequestId` is checked like
 * any other field (every response body model declares it); it is tolerated only if a model lacks it.
 */
export function modelMismatches(model: ModelClass, json: unknown): Mismatch[] {
  const out: Mismatch[] = [];
  if (jsonType(json) !== 'object') {
    out.push({ path: '$', problem: 'wrong type', expected: model.name, actual: sample(json) });
    return out;
  }
  const body = json as Record<string, unknown>;
  const hasRequestId = Object.values(model.names()).includes('RequestId');
  const { RequestId: _ignored, ...rest } = body;
  checkModel(model, hasRequestId ? body : rest, '$', out);
  return out;
}

export function formatMismatch(m: Mismatch): string {
  return m.problem === 'unknown field'
    ? `${m.path}: unknown field (${m.actual}), not ${m.expected}`
    : `${m.path}: ${m.problem}: expected ${m.expected}, got ${m.actual}`;
}

/** Unwraps `{type:'array'}` descriptors: the item type and how many `[]` it takes to get there. */
function itemOf(t: unknown): { type: unknown; depth: number } {
  let depth = 0;
  while (t && typeof t === 'object' && (t as { type?: unknown }).type === 'array') {
    t = (t as { itemType?: unknown }).itemType;
    depth++;
  }
  return { type: t, depth };
}

/** Every wire path a model can have, e.g. `$.TunnelOptionsSpecification.TunnelOptions[].TunnelBgpConfig.LocalAsn`. */
export function modelPaths(model: ModelClass, path = '$'): string[] {
  const out: string[] = [];
  const types = model.types();
  for (const [field, wire] of Object.entries(model.names())) {
    const { type, depth } = itemOf(types[field]);
    const at = `${path}.${wire}${'[]'.repeat(depth)}`;
    out.push(at);
    if (isModelClass(type)) out.push(...modelPaths(type, at));
  }
  return out;
}

/** The wire paths (as modelPaths names them) that a JSON body has, walking every array item. */
export function presentPaths(model: ModelClass, json: unknown, path = '$', out = new Set<string>()): Set<string> {
  if (jsonType(json) !== 'object') return out;
  const body = json as Record<string, unknown>;
  const types = model.types();
  for (const [field, wire] of Object.entries(model.names())) {
    if (!(wire in body)) continue;
    const { type, depth } = itemOf(types[field]);
    const at = `${path}.${wire}${'[]'.repeat(depth)}`;
    out.add(at);
    let values: unknown[] = [body[wire]];
    for (let i = 0; i < depth; i++) values = values.flatMap((v) => (Array.isArray(v) ? v : []));
    if (isModelClass(type)) for (const v of values) presentPaths(type, v, at, out);
  }
  return out;
}

// ---------- raw bodies through the official clients ----------

export interface RawExchange {
  /** `${version}/${action}` */
  operation: string;
  action: string;
  version: string;
  status: number;
  /** the body as JSON on the wire (a deep copy of what the client parsed, before any model cast) */
  body: unknown;
  /** true for a 4xx/5xx (the body is the error body) */
  error: boolean;
}

/**
 * Wraps an openapi-core based client (@alicloud/vpc20160428, ram20150501, sts20150401) so that every call
 * through it hands the raw body to `onExchange`. Their operation methods all go through `callApi`, which
 * (bodyType 'json') returns the body as JSON.parse gave it, before `$dara.cast` into the model; error
 * bodies come back in the thrown error's `data`.
 */
export function captureRawBodies<C extends object>(client: C, onExchange: (x: RawExchange) => void): C {
  const c = client as unknown as { callApi: (params: any, request: any, runtime: any) => Promise<any> };
  const original = c.callApi.bind(client);
  c.callApi = async (params, request, runtime) => {
    const action = String(params.action);
    const version = String(params.version);
    const base = { operation: `${version}/${action}`, action, version };
    let res: any;
    try {
      res = await original(params, request, runtime);
    } catch (err: any) {
      if (typeof err?.statusCode === 'number' && err.data !== undefined) {
        onExchange({ ...base, status: err.statusCode, body: JSON.parse(JSON.stringify(err.data)), error: true });
      }
      throw err;
    }
    onExchange({ ...base, status: res.statusCode, body: JSON.parse(JSON.stringify(res.body)), error: false });
    return res;
  };
  return client;
}
