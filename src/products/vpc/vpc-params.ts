/**
 * VPC parameter rules shared by several operations: booleans, names, tags, subnet lists, DryRun, flattened
 * lists (`Name.N.Sub`) and JSON-string configs. Every bad value is an IllegalParam.{Name} 400.
 */
import { illegalParam, missingParameter } from '../../pop/errors';
import type { Params } from '../../pop/signature';
import { formatCidr, parseCidr } from '../../domain/cidr';
import type { Tag } from '../../store/store';

export function booleanParam(params: Params, name: string, fallback: boolean): boolean {
  const text = params[name];
  if (text === undefined || text === '') return fallback;
  if (/^true$/i.test(text)) return true;
  if (/^false$/i.test(text)) return false;
  throw illegalParam(name, `The specified ${name} is invalid. It must be true or false.`);
}

export function isDryRun(params: Params): boolean {
  return booleanParam(params, 'DryRun', false);
}

export function enumParam<T extends string>(params: Params, name: string, values: readonly T[], fallback: T): T;
export function enumParam<T extends string>(params: Params, name: string, values: readonly T[], fallback?: undefined): T | undefined;
export function enumParam<T extends string>(params: Params, name: string, values: readonly T[], fallback?: T): T | undefined {
  return enumValue(name, params[name], values, fallback);
}

export function enumValue<T extends string>(name: string, text: string | undefined, values: readonly T[], fallback?: T): T | undefined {
  if (text === undefined || text === '') return fallback;
  if (!(values as readonly string[]).includes(text)) {
    throw illegalParam(name, `The specified ${name} is invalid. Valid values: ${values.join(', ')}.`);
  }
  return text as T;
}

/** Names and descriptions: 1–100 characters, not starting with http:// or https://. */
export function nameValue(name: string, text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  if (text.length > 100 || /^https?:\/\//i.test(text)) {
    throw illegalParam(name, `The specified ${name} is invalid. It must be 1 to 100 characters and cannot start with http:// or https://.`);
  }
  return text;
}

/** Comma-separated IPv4 CIDR blocks (LocalSubnet, RemoteSubnet); normalised, host bits rejected. */
export function subnetListParam(params: Params, name: string): string {
  const text = params[name];
  if (text === undefined || text === '') throw missingParameter(name);
  const parts = text.split(',').map((p) => p.trim());
  const blocks = parts.map((p) => parseCidr(p));
  if (parts.length > 10 || blocks.some((b) => b === undefined)) {
    throw illegalParam(name, `The specified ${name} is invalid. It must be up to 10 comma-separated IPv4 CIDR blocks such as 192.168.0.0/16.`);
  }
  return blocks.map((b) => formatCidr(b!)).join(',');
}

/**
 * Flattened lists `Prefix.N.Rest`: returns, by N ascending, the map of `Rest` → value. N must be 1..max.
 */
export function flattenedList(params: Params, prefix: string, max: number): Map<number, Record<string, string>> {
  const items = new Map<number, Record<string, string>>();
  const head = `${prefix}.`;
  for (const key of Object.keys(params)) {
    if (!key.startsWith(head)) continue;
    const m = /^(\d{1,3})\.(.+)$/.exec(key.slice(head.length));
    const n = m ? Number(m[1]) : NaN;
    if (!m || n < 1 || n > max) throw illegalParam(prefix, `The parameter ${key} is invalid: ${prefix}.N must use N from 1 to ${max}.`);
    let item = items.get(n);
    // Null prototype: `Rest` is the client's text, and `item.Key` must never find Object.prototype's members.
    if (!item) items.set(n, (item = Object.create(null) as Record<string, string>));
    item[m[2]!] = params[key]!;
  }
  return new Map([...items.entries()].sort((a, b) => a[0] - b[0]));
}

/** Tags.N.Key / Tags.N.Value: at most 20; key 1–64, value ≤128, neither starting with aliyun or acs: nor containing http(s)://. */
export function tagsParam(params: Params, prefix = 'Tags'): Tag[] {
  const tags: Tag[] = [];
  for (const [n, item] of flattenedList(params, prefix, 20)) {
    const key = item.Key ?? '';
    const value = item.Value ?? '';
    const bad = (t: string) => /^(aliyun|acs:)/i.test(t) || /https?:\/\//i.test(t);
    if (key.length < 1 || key.length > 64 || bad(key)) {
      throw illegalParam('Tags', `The specified ${prefix}.${n}.Key is invalid. It must be 1 to 64 characters, not start with aliyun or acs:, and not contain http:// or https://.`);
    }
    if (value.length > 128 || bad(value)) {
      throw illegalParam('Tags', `The specified ${prefix}.${n}.Value is invalid. It must be at most 128 characters, not start with aliyun or acs:, and not contain http:// or https://.`);
    }
    if (tags.some((t) => t.key === key)) throw illegalParam('Tags', `The tag key ${key} is specified more than once.`);
    tags.push({ key, value });
  }
  return tags;
}

/** A JSON-string parameter (BgpConfig, IkeConfig, …): an object of string/number/boolean values. */
export function jsonObjectParam(params: Params, name: string): Record<string, string> | undefined {
  const text = params[name];
  if (text === undefined || text === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw illegalParam(name, `The specified ${name} is not valid JSON.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw illegalParam(name, `The specified ${name} must be a JSON object.`);
  const out = Object.create(null) as Record<string, string>; // keys are the client's (see flattenedList)
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw illegalParam(name, `${name}.${k} must be a string, number or boolean.`);
    out[k] = String(v);
  }
  return out;
}

export function boolValue(name: string, text: string | undefined, fallback: boolean): boolean {
  return booleanParam(text === undefined ? {} : { [name]: text }, name, fallback);
}

/** An integer in [min, max] from a string value; undefined when absent. */
export function intValue(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw illegalParam(name, `The specified ${name} is invalid. It must be an integer from ${min} to ${max}.`);
  return value;
}
