/**
 * Fault-injection rules (pure): parsing, validation and matching. The shape follows LocalStack's chaos API so
 * its users feel at home — a fault is `{service, region, operation, probability, error: {statusCode, code}}`,
 * every field optional (an absent field matches everything) — plus what LocalStack lacks: latency with jitter
 * per operation (`effects`) and an expiry per rule (`expiresInSeconds`).
 */
export interface RuleScope {
  /** RAM service prefix: vpc, ram, sts, cen (case-insensitive) */
  service?: string;
  region?: string;
  /** API action, e.g. CreateVcoRouteEntry (exact) */
  operation?: string;
  /** 0–1, default 1 */
  probability: number;
}

export interface FaultRule extends RuleScope {
  error: { statusCode: number; code: string };
}

export interface EffectRule extends RuleScope {
  /** added delay, milliseconds */
  latency: number;
  /** uniform extra delay in [0, jitter) milliseconds */
  jitter: number;
}

export interface CallScope {
  service: string;
  region: string;
  operation: string;
}

export class RuleError extends Error {}

/** The error LocalStack injects when a rule names none. */
export const DEFAULT_FAULT_ERROR = { statusCode: 503, code: 'ServiceUnavailable' };
const MAX_RULES_PER_REQUEST = 100;
const MAX_LATENCY_MS = 60_000;
const MAX_EXPIRY_S = 7 * 24 * 3600;

const SCOPE_KEYS = ['service', 'region', 'operation', 'probability', 'expiresInSeconds'];

function object(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RuleError(`${where} must be a JSON object`);
  return value as Record<string, unknown>;
}

function text(value: unknown, name: string, pattern: RegExp): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) throw new RuleError(`${name} must match ${pattern}`);
  return value;
}

function number(value: unknown, name: string, min: number, max: number, fallback: number, integer = true): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new RuleError(`${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return value;
}

function scope(r: Record<string, unknown>, where: string): RuleScope & { expiresInSeconds?: number } {
  const s: RuleScope & { expiresInSeconds?: number } = {
    service: text(r.service, `${where}.service`, /^[a-z][a-z0-9-]{0,31}$/i)?.toLowerCase(),
    region: text(r.region, `${where}.region`, /^[a-z0-9-]{1,64}$/),
    operation: text(r.operation, `${where}.operation`, /^[A-Za-z][A-Za-z0-9]{0,99}$/),
    probability: number(r.probability, `${where}.probability`, 0, 1, 1, false),
  };
  if (r.expiresInSeconds !== undefined) s.expiresInSeconds = number(r.expiresInSeconds, `${where}.expiresInSeconds`, 1, MAX_EXPIRY_S, 0);
  return s;
}

function list(body: unknown, what: string): Record<string, unknown>[] {
  const items = Array.isArray(body) ? body : [body];
  if (items.length > MAX_RULES_PER_REQUEST) throw new RuleError(`at most ${MAX_RULES_PER_REQUEST} ${what} per request`);
  return items.map((item, i) => object(item, `${what}[${i}]`));
}

/** A fault list (or one fault) as posted to /_vcoroute/v1/chaos/faults. */
export function parseFaults(body: unknown): Array<FaultRule & { expiresInSeconds?: number }> {
  return list(body, 'faults').map((r, i) => {
    const where = `faults[${i}]`;
    for (const key of Object.keys(r)) if (![...SCOPE_KEYS, 'error'].includes(key)) throw new RuleError(`${where}: unknown field "${key}"`);
    const e = r.error === undefined ? {} : object(r.error, `${where}.error`);
    for (const key of Object.keys(e)) if (!['statusCode', 'code'].includes(key)) throw new RuleError(`${where}.error: unknown field "${key}"`);
    return {
      ...scope(r, where),
      error: {
        statusCode: number(e.statusCode, `${where}.error.statusCode`, 400, 599, DEFAULT_FAULT_ERROR.statusCode),
        code: text(e.code, `${where}.error.code`, /^[A-Za-z][A-Za-z0-9.]{0,63}$/) ?? DEFAULT_FAULT_ERROR.code,
      },
    };
  });
}

/**
 * Effects as posted to /_vcoroute/v1/chaos/effects: LocalStack's global `{"latency": ms}`, or a list of
 * per-operation effects `[{service?, region?, operation?, probability?, latency, jitter?, expiresInSeconds?}]`.
 */
export function parseEffects(body: unknown): Array<EffectRule & { expiresInSeconds?: number }> {
  return list(body, 'effects').map((r, i) => {
    const where = `effects[${i}]`;
    for (const key of Object.keys(r)) if (![...SCOPE_KEYS, 'latency', 'jitter'].includes(key)) throw new RuleError(`${where}: unknown field "${key}"`);
    if (r.latency === undefined) throw new RuleError(`${where}.latency is required (milliseconds)`);
    return {
      ...scope(r, where),
      latency: number(r.latency, `${where}.latency`, 0, MAX_LATENCY_MS, 0),
      jitter: number(r.jitter, `${where}.jitter`, 0, MAX_LATENCY_MS, 0),
    };
  });
}

export function matches(rule: RuleScope, call: CallScope): boolean {
  return (rule.service === undefined || rule.service === call.service.toLowerCase())
    && (rule.region === undefined || rule.region === call.region)
    && (rule.operation === undefined || rule.operation === call.operation);
}

/** The first matching fault that fires (a rule fires with its probability; `random` in [0, 1)). */
export function pickFault(rules: readonly FaultRule[], call: CallScope, random: () => number): FaultRule | undefined {
  for (const rule of rules) if (matches(rule, call) && random() < rule.probability) return rule;
  return undefined;
}

/** Total delay of the matching effects that fire, milliseconds. */
export function delayFor(effects: readonly EffectRule[], call: CallScope, random: () => number): number {
  let total = 0;
  for (const e of effects) if (matches(e, call) && random() < e.probability) total += e.latency + Math.floor(random() * e.jitter);
  return Math.min(total, MAX_LATENCY_MS);
}
