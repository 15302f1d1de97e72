/**
 * VPC parameter rules shared by several operations: booleans, names, tags, subnet lists, DryRun, flattened
 * lists (`Name.N.Sub`) and JSON-string configs. Every bad value is an IllegalParam.{Name} 400.
 */
import { E, PopError, illegalParam, missingParameter } from '../../pop/errors';
import type { Params } from '../../pop/signature';
import { hasNonXmlChar } from '../../pop/encoding';
import type { ParameterTable } from '../params';
import { formatCidr, parseCidr } from '../../domain/cidr';
import type { Tag } from '../../store/store';

/** IDs (vco-…, cgw-…, tun-…, rg-…): undocumented length; the admin API accepts up to 68 characters. */
const ID = 128;
/** Booleans (true/false), enums and numbers: longer than any valid value, so the value's own rule answers. */
const WORD = 32;
const NUMBER = 20;
/** JSON-string configurations (IkeConfig, IpsecConfig, BgpConfig, HealthCheckConfig): their fields total well under this. */
const JSON_CONFIG = 2048;
/** Documented: names and descriptions 1–100; tag keys 1–64, tag values up to 128. */
const NAME = 100;
const TAG_KEY = 64;
const TAG_VALUE = 128;

/**
 * Parameter lengths of the VPC operations (vpc-vco-api.md §1, §3; SDK request models): names and descriptions
 * 1–100, tag keys 64 and values 128, AuthKey 64, ClientToken 64, IKE identities and pre-shared keys 100.
 * Where nothing is documented (IDs, CIDRs, JSON configs, certificates) the limit is decided generously above
 * any valid value (docs/compatibility.md). Over-long → IllegalParam.{Name} (of the list, for Name.N.Sub).
 */
export const VPC_PARAMETERS: ParameterTable = {
  maxLength: {
    RegionId: 64, ClientToken: 64, DryRun: WORD, OwnerAccount: 64, ResourceOwnerAccount: 64, OwnerId: NUMBER, ResourceOwnerId: NUMBER,
    VpnConnectionId: ID, CustomerGatewayId: ID, VpnGatewayId: ID, ResourceGroupId: ID,
    PageNumber: NUMBER, PageSize: NUMBER, RouteEntryType: WORD, AttachType: WORD,
    RouteDest: 64, NextHop: ID, Weight: NUMBER, NewWeight: NUMBER, OverlayMode: WORD, Description: NAME, Name: NAME,
    IpAddress: 64, Asn: NUMBER, AuthKey: 64,
    // route-change history (ListVcoRouteChanges, WatchVcoRouteChanges)
    Source: WORD, DestinationCidrBlock: 64, StartTime: WORD, EndTime: WORD, AfterEventId: NUMBER, LastEventId: NUMBER, MaxResults: NUMBER, NextToken: 64,
    'Tags.N.Key': TAG_KEY, 'Tags.N.Value': TAG_VALUE, 'Tag.N.Key': TAG_KEY, 'Tag.N.Value': TAG_VALUE,
    // 10 comma-separated CIDR blocks, with spaces
    LocalSubnet: 256, RemoteSubnet: 256,
    NetworkType: WORD, TunnelBandwidth: WORD, EffectImmediately: WORD, AutoConfigRoute: WORD, EnableDpd: WORD, EnableNatTraversal: WORD,
    EnableTunnelsBgp: WORD, IkeConfig: JSON_CONFIG, IpsecConfig: JSON_CONFIG, BgpConfig: JSON_CONFIG, HealthCheckConfig: JSON_CONFIG,
    // a PEM certificate
    RemoteCaCert: 6144,
    'TunnelOptionsSpecification.N.TunnelIndex': NUMBER, 'TunnelOptionsSpecification.N.TunnelId': ID,
    'TunnelOptionsSpecification.N.CustomerGatewayId': ID, 'TunnelOptionsSpecification.N.EnableDpd': WORD,
    'TunnelOptionsSpecification.N.EnableNatTraversal': WORD,
    'TunnelOptionsSpecification.N.TunnelBgpConfig.LocalAsn': NUMBER, 'TunnelOptionsSpecification.N.TunnelBgpConfig.LocalBgpIp': 64,
    'TunnelOptionsSpecification.N.TunnelBgpConfig.TunnelCidr': 64,
    'TunnelOptionsSpecification.N.TunnelIkeConfig.IkeAuthAlg': WORD, 'TunnelOptionsSpecification.N.TunnelIkeConfig.IkeEncAlg': WORD,
    'TunnelOptionsSpecification.N.TunnelIkeConfig.IkeLifetime': NUMBER, 'TunnelOptionsSpecification.N.TunnelIkeConfig.IkeMode': WORD,
    'TunnelOptionsSpecification.N.TunnelIkeConfig.IkePfs': WORD, 'TunnelOptionsSpecification.N.TunnelIkeConfig.IkeVersion': WORD,
    'TunnelOptionsSpecification.N.TunnelIkeConfig.LocalId': 100, 'TunnelOptionsSpecification.N.TunnelIkeConfig.RemoteId': 100,
    'TunnelOptionsSpecification.N.TunnelIkeConfig.Psk': 100,
    'TunnelOptionsSpecification.N.TunnelIpsecConfig.IpsecAuthAlg': WORD, 'TunnelOptionsSpecification.N.TunnelIpsecConfig.IpsecEncAlg': WORD,
    'TunnelOptionsSpecification.N.TunnelIpsecConfig.IpsecLifetime': NUMBER, 'TunnelOptionsSpecification.N.TunnelIpsecConfig.IpsecPfs': WORD,
  },
  invalid(name, _rule, message) {
    if (name === 'ClientToken') return new PopError(E.IllegalParamClientToken);
    return illegalParam(name.split('.')[0]!, message);
  },
};

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
  if (text.length > NAME || /^https?:\/\//i.test(text)) {
    throw illegalParam(name, `The specified ${name} is invalid. It must be 1 to ${NAME} characters and cannot start with http:// or https://.`);
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
    if (key.length < 1 || key.length > TAG_KEY || bad(key)) {
      throw illegalParam('Tags', `The specified ${prefix}.${n}.Key is invalid. It must be 1 to ${TAG_KEY} characters, not start with aliyun or acs:, and not contain http:// or https://.`);
    }
    if (value.length > TAG_VALUE || bad(value)) {
      throw illegalParam('Tags', `The specified ${prefix}.${n}.Value is invalid. It must be at most ${TAG_VALUE} characters, not start with aliyun or acs:, and not contain http:// or https://.`);
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
    // JSON escapes (\u0001) reach stored values unseen by the table's character check
    if (typeof v === 'string' && hasNonXmlChar(v)) throw illegalParam(name, `${name}.${k} contains a control or non-character code point, which is not allowed.`);
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
