/**
 * BGP fault rules (pure): parsing, validation, matching and the drop/flap schedule. Posted to
 * /_vcoroute/v1/chaos/bgp beside the API faults, in the same LocalStack-like shape (a list of rule objects,
 * absent scope fields match everything, `expiresInSeconds` per rule):
 *   {action: "drop",  vpnConnectionId?, tunnelId?, downSeconds?}            close the session (Cease 6/2), refuse
 *                                                                            reconnects for downSeconds (default: while the rule lasts)
 *   {action: "flap",  vpnConnectionId?, tunnelId?, count, intervalSeconds, downSeconds?}   close it (Cease 6/4) count
 *                                                                            times, intervalSeconds apart, the first at once
 *   {action: "delay", vpnConnectionId?, tunnelId?, direction?, latency, jitter?}  hold UPDATEs sent to the peer ("out",
 *                                                                            default), received from it ("in"), or both
 *
 * The schedule is a function of the rule's creation time alone — never of what a server remembers — so every
 * server on one store agrees on it, and a session that moves to another server (lease takeover) is not
 * dropped twice: a drop at time T closes the sessions that started before T (or inside its down window).
 */
import { RuleError } from './fault-rules';

export type BgpFaultAction = 'drop' | 'flap' | 'delay';
export type DelayDirection = 'out' | 'in' | 'both';

export interface BgpFaultRule {
  action: BgpFaultAction;
  vpnConnectionId?: string;
  tunnelId?: string;
  /** drop, flap: reconnects are refused this long after each drop (drop default: as long as the rule lasts; flap default 0) */
  downSeconds?: number;
  /** flap: number of drops, 1–MAX_FLAPS */
  count?: number;
  /** flap: seconds between drops */
  intervalSeconds?: number;
  /** delay */
  direction?: DelayDirection;
  /** delay: milliseconds */
  latency?: number;
  /** delay: uniform extra delay in [0, jitter) milliseconds */
  jitter?: number;
}

/** A stored rule as the speaker sees it. */
export interface LiveBgpFaultRule extends BgpFaultRule {
  id: string;
  /** epoch ms: the schedule's origin (the first drop of a drop or flap rule) */
  createdAt: number;
  expiresAt: number | null;
}

/** Which tunnel's session a rule is asked about. */
export interface SessionScope {
  connectionId: string;
  tunnelId: string;
}

export const MAX_FLAPS = 100;
export const MAX_FLAP_INTERVAL_S = 3600;
export const MAX_DOWN_S = 86_400;
export const MAX_BGP_DELAY_MS = 60_000;
const MAX_RULES_PER_REQUEST = 100;
const MAX_EXPIRY_S = 7 * 24 * 3600;

const SCOPE_KEYS = ['action', 'vpnConnectionId', 'tunnelId', 'expiresInSeconds'];
const KEYS_OF: Record<BgpFaultAction, string[]> = {
  drop: ['downSeconds'],
  flap: ['count', 'intervalSeconds', 'downSeconds'],
  delay: ['direction', 'latency', 'jitter'],
};
const ID_PATTERN = /^[A-Za-z0-9-]{1,64}$/;

function integer(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new RuleError(`${name} must be an integer from ${min} to ${max}`);
  return value;
}

function required<T>(value: T | undefined, name: string, what: string): T {
  if (value === undefined) throw new RuleError(`${name} is required (${what})`);
  return value;
}

function id(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) throw new RuleError(`${name} must match ${ID_PATTERN}`);
  return value;
}

/** One rule object; `where` names it in errors. */
function parseRule(r: unknown, where: string): BgpFaultRule & { expiresInSeconds?: number } {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new RuleError(`${where} must be a JSON object`);
  const o = r as Record<string, unknown>;
  const action = o.action;
  if (action !== 'drop' && action !== 'flap' && action !== 'delay') throw new RuleError(`${where}.action must be drop, flap or delay`);
  for (const key of Object.keys(o)) {
    if (!SCOPE_KEYS.includes(key) && !KEYS_OF[action].includes(key)) throw new RuleError(`${where}: unknown field "${key}" for action ${action}`);
  }
  const rule: BgpFaultRule & { expiresInSeconds?: number } = { action };
  const connection = id(o.vpnConnectionId, `${where}.vpnConnectionId`);
  const tunnel = id(o.tunnelId, `${where}.tunnelId`);
  if (connection !== undefined) rule.vpnConnectionId = connection;
  if (tunnel !== undefined) rule.tunnelId = tunnel;
  if (action === 'drop') {
    const down = integer(o.downSeconds, `${where}.downSeconds`, 0, MAX_DOWN_S);
    if (down !== undefined) rule.downSeconds = down;
  } else if (action === 'flap') {
    rule.count = required(integer(o.count, `${where}.count`, 1, MAX_FLAPS), `${where}.count`, `number of drops, 1–${MAX_FLAPS}`);
    rule.intervalSeconds = required(integer(o.intervalSeconds, `${where}.intervalSeconds`, 1, MAX_FLAP_INTERVAL_S), `${where}.intervalSeconds`, 'seconds between drops');
    rule.downSeconds = integer(o.downSeconds, `${where}.downSeconds`, 0, rule.intervalSeconds - 1) ?? 0;
  } else {
    const direction = o.direction ?? 'out';
    if (direction !== 'out' && direction !== 'in' && direction !== 'both') throw new RuleError(`${where}.direction must be out, in or both`);
    rule.direction = direction;
    rule.latency = required(integer(o.latency, `${where}.latency`, 0, MAX_BGP_DELAY_MS), `${where}.latency`, 'milliseconds');
    rule.jitter = integer(o.jitter, `${where}.jitter`, 0, MAX_BGP_DELAY_MS) ?? 0;
  }
  const expires = integer(o.expiresInSeconds, `${where}.expiresInSeconds`, 1, MAX_EXPIRY_S);
  if (expires !== undefined) rule.expiresInSeconds = expires;
  return rule;
}

/** A rule list (or one rule) as posted to /_vcoroute/v1/chaos/bgp. */
export function parseBgpFaults(body: unknown): Array<BgpFaultRule & { expiresInSeconds?: number }> {
  const items = Array.isArray(body) ? body : [body];
  if (items.length > MAX_RULES_PER_REQUEST) throw new RuleError(`at most ${MAX_RULES_PER_REQUEST} rules per request`);
  return items.map((item, i) => parseRule(item, `rules[${i}]`));
}

export function matchesSession(rule: BgpFaultRule, s: SessionScope): boolean {
  return (rule.vpnConnectionId === undefined || rule.vpnConnectionId === s.connectionId)
    && (rule.tunnelId === undefined || rule.tunnelId === s.tunnelId);
}

const live = (rule: LiveBgpFaultRule, now: number) => rule.expiresAt === null || rule.expiresAt > now;

/** The drop times of a drop or flap rule (epoch ms): one for drop, `count` for flap. */
export function dropTimes(rule: LiveBgpFaultRule): number[] {
  if (rule.action === 'drop') return [rule.createdAt];
  if (rule.action !== 'flap') return [];
  return Array.from({ length: rule.count ?? 1 }, (_, k) => rule.createdAt + k * (rule.intervalSeconds ?? 1) * 1000);
}

/** How long reconnects are refused after each drop, ms (Infinity: while the rule lasts). */
function downMs(rule: LiveBgpFaultRule): number {
  if (rule.action === 'drop' && rule.downSeconds === undefined) return Infinity;
  return (rule.downSeconds ?? 0) * 1000;
}

/** The last drop time of the rule at or before `now`, if any. */
function lastDrop(rule: LiveBgpFaultRule, now: number): number | undefined {
  let last: number | undefined;
  for (const t of dropTimes(rule)) if (t <= now) last = t;
  return last;
}

/**
 * The drop or flap rule that closes a session started at `startedAt`, if one is due: its last drop time has
 * passed and the session started before it, or inside its down window (accepted before this server saw the rule).
 */
export function dueDrop(rules: readonly LiveBgpFaultRule[], s: SessionScope, startedAt: number, now: number): LiveBgpFaultRule | undefined {
  for (const rule of rules) {
    if (!live(rule, now) || !matchesSession(rule, s)) continue;
    const at = lastDrop(rule, now);
    if (at !== undefined && startedAt < at + downMs(rule)) return rule;
  }
  return undefined;
}

/** The rule that refuses a new session for this tunnel now (inside a drop's down window), if any. */
export function refusingRule(rules: readonly LiveBgpFaultRule[], s: SessionScope, now: number): LiveBgpFaultRule | undefined {
  for (const rule of rules) {
    if (!live(rule, now) || !matchesSession(rule, s)) continue;
    const at = lastDrop(rule, now);
    if (at !== undefined && now < at + downMs(rule)) return rule;
  }
  return undefined;
}

/** The next drop time after `now` of any live rule (Infinity: none): when the speaker must look again. */
export function nextDropAt(rules: readonly LiveBgpFaultRule[], now: number): number {
  let next = Infinity;
  for (const rule of rules) {
    if (!live(rule, now)) continue;
    for (const t of dropTimes(rule)) if (t > now && t < next && (rule.expiresAt === null || t < rule.expiresAt)) next = t;
  }
  return next;
}

/** Delay for one UPDATE in `direction`, ms: the matching delay rules' latency plus jitter, summed and capped. */
export function updateDelay(rules: readonly LiveBgpFaultRule[], s: SessionScope, direction: 'out' | 'in', now: number, random: () => number): { delayMs: number; rule?: LiveBgpFaultRule } {
  let total = 0;
  let first: LiveBgpFaultRule | undefined;
  for (const rule of rules) {
    if (rule.action !== 'delay' || !live(rule, now) || !matchesSession(rule, s)) continue;
    if (rule.direction !== direction && rule.direction !== 'both') continue;
    first ??= rule;
    total += (rule.latency ?? 0) + Math.floor(random() * (rule.jitter ?? 0));
  }
  return first ? { delayMs: Math.min(total, MAX_BGP_DELAY_MS), rule: first } : { delayMs: 0 };
}
