/**
 * Condition blocks of the RAM policy language (ram.md §3): operator families String*, Numeric*, Date*,
 * Bool, IpAddress/NotIpAddress, each with an `…IfExists` form; plus `Null` and the `ForAnyValue:` /
 * `ForAllValues:` qualifiers (not on the RAM pages consulted; supported as elsewhere, see
 * docs/compatibility.md). Values of one key are OR-ed, keys under one operator and operators in a block
 * AND-ed. Condition keys are case-insensitive; the context holds them lower-cased.
 */
import { BlockList, isIP } from 'node:net';
import { compileWildcard } from './wildcard';

/** Request attributes by lower-case key, e.g. `acs:sourceip` → ['127.0.0.1']. */
export type ConditionContext = ReadonlyMap<string, readonly string[]>;

export class PolicySyntaxError extends Error {}

type Test = (contextValue: string) => boolean;
type Family = (policyValues: string[], op: string) => Test;

const anyOf = (tests: Test[]): Test => (v) => tests.some((t) => t(v));

function parseNumber(text: string): number | undefined {
  return /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : undefined;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
/** ISO 8601 (`2012-11-11T23:59:59Z`) or epoch seconds. */
export function parseDate(text: string): number | undefined {
  if (/^\d{1,12}$/.test(text)) return Number(text) * 1000;
  if (!ISO_DATE.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function parseBool(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

/** IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) are compared as IPv4. */
export function normalizeIp(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

function compare(op: string): (a: number, b: number) => boolean {
  if (op.endsWith('LessThanEquals')) return (a, b) => a <= b;
  if (op.endsWith('LessThan')) return (a, b) => a < b;
  if (op.endsWith('GreaterThanEquals')) return (a, b) => a >= b;
  if (op.endsWith('GreaterThan')) return (a, b) => a > b;
  return (a, b) => a === b; // Equals / NotEquals (negation applied by the caller)
}

function ordered(parse: (t: string) => number | undefined, kind: string): Family {
  return (values, op) => {
    const cmp = compare(op);
    return anyOf(
      values.map((pv) => {
        const p = parse(pv);
        if (p === undefined) throw new PolicySyntaxError(`${op}: "${pv}" is not a valid ${kind}`);
        return (cv: string) => {
          const c = parse(cv);
          return c !== undefined && cmp(c, p);
        };
      }),
    );
  };
}

// A Map, not an object literal: operator names come from the policy text, and a plain object would answer
// `toString`, `constructor` or `__proto__` from its prototype instead of "unknown operator".
const FAMILIES = new Map<string, { family: Family; negated: boolean }>();
function register(names: string[], family: Family, negated = false): void {
  for (const name of names) FAMILIES.set(name, { family, negated });
}

const stringEquals: Family = (values) => anyOf(values.map((pv) => (cv: string) => cv === pv));
const stringEqualsIgnoreCase: Family = (values) => anyOf(values.map((pv) => equalsIgnoringCase(pv)));
function equalsIgnoringCase(pv: string): Test {
  const lower = pv.toLowerCase();
  return (cv) => cv.toLowerCase() === lower;
}
const stringLike: Family = (values) => anyOf(values.map((pv) => compileWildcard(pv, false)));
const bool: Family = (values, op) =>
  anyOf(
    values.map((pv) => {
      const p = parseBool(pv);
      if (p === undefined) throw new PolicySyntaxError(`${op}: "${pv}" is not true or false`);
      return (cv: string) => parseBool(cv) === p;
    }),
  );
const ipAddress: Family = (values, op) => {
  const list = new BlockList();
  for (const pv of values) {
    const [address, prefixText, extra] = pv.split('/');
    const type = isIP(address ?? '');
    const prefix = prefixText === undefined ? undefined : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : -1;
    if (type === 0 || extra !== undefined || (prefix !== undefined && (prefix < 0 || prefix > (type === 4 ? 32 : 128)))) {
      throw new PolicySyntaxError(`${op}: "${pv}" is not an IP address or CIDR block`);
    }
    const family = type === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address!, family);
    else list.addSubnet(address!, prefix, family);
  }
  return (cv) => {
    const ip = normalizeIp(cv);
    const type = isIP(ip);
    return type !== 0 && list.check(ip, type === 4 ? 'ipv4' : 'ipv6');
  };
};

register(['StringEquals'], stringEquals);
register(['StringNotEquals'], stringEquals, true);
register(['StringEqualsIgnoreCase'], stringEqualsIgnoreCase);
register(['StringNotEqualsIgnoreCase'], stringEqualsIgnoreCase, true);
register(['StringLike'], stringLike);
register(['StringNotLike'], stringLike, true);
const numeric = ordered(parseNumber, 'number');
register(['NumericEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals'], numeric);
register(['NumericNotEquals'], numeric, true);
const date = ordered(parseDate, 'date (ISO 8601 or epoch seconds)');
register(['DateEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals'], date);
register(['DateNotEquals'], date, true);
register(['Bool'], bool);
register(['IpAddress'], ipAddress);
register(['NotIpAddress'], ipAddress, true);

/** A compiled condition block: true when every operator/key pair holds for the request. */
export type CompiledCondition = (context: ConditionContext) => boolean;

function valuesOf(op: string, key: string, raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw new PolicySyntaxError(`${op}: "${key}" has no values`);
  return list.map((v) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new PolicySyntaxError(`${op}: the values of "${key}" must be strings`);
  });
}

function compileOne(operator: string, key: string, raw: unknown): CompiledCondition {
  const lowerKey = key.toLowerCase();
  const values = valuesOf(operator, key, raw);
  if (operator === 'Null') {
    return compileNull(values, key, lowerKey);
  }
  const qualifier = /^(ForAnyValue|ForAllValues):/.exec(operator)?.[1];
  let base = qualifier ? operator.slice(qualifier.length + 1) : operator;
  const ifExists = base.endsWith('IfExists');
  if (ifExists) base = base.slice(0, -'IfExists'.length);
  const entry = FAMILIES.get(base);
  if (!entry) throw new PolicySyntaxError(`unknown condition operator "${operator}"`);
  const positive = entry.family(values, base);
  const perValue: Test = entry.negated ? (v) => !positive(v) : positive;
  const whenAbsent = ifExists || qualifier === 'ForAllValues' ? true : qualifier === 'ForAnyValue' ? false : entry.negated;
  const all = qualifier === 'ForAllValues';
  return (context) => {
    const present = context.get(lowerKey);
    if (present === undefined || present.length === 0) return whenAbsent;
    return all ? present.every(perValue) : present.some(perValue);
  };
}

function compileNull(values: string[], key: string, lowerKey: string): CompiledCondition {
  const tests = values.map((v) => {
    const b = parseBool(v);
    if (b === undefined) throw new PolicySyntaxError(`Null: the value of "${key}" must be true or false`);
    return b;
  });
  return (context) => {
    const absent = (context.get(lowerKey)?.length ?? 0) === 0;
    return tests.some((expectAbsent) => expectAbsent === absent);
  };
}

export function compileConditionBlock(block: unknown): CompiledCondition {
  if (block === null || typeof block !== 'object' || Array.isArray(block)) throw new PolicySyntaxError('Condition must be an object');
  const parts: CompiledCondition[] = [];
  for (const [operator, keys] of Object.entries(block as Record<string, unknown>)) {
    if (keys === null || typeof keys !== 'object' || Array.isArray(keys) || Object.keys(keys).length === 0) {
      throw new PolicySyntaxError(`Condition operator "${operator}" must map condition keys to values`);
    }
    for (const [key, raw] of Object.entries(keys as Record<string, unknown>)) parts.push(compileOne(operator, key, raw));
  }
  return (context) => parts.every((p) => p(context));
}
