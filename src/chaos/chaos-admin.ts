/**
 * The chaos endpoints of the admin API, shaped like LocalStack's (`/_localstack/chaos/faults|effects`):
 *   /_vcoroute/v1/chaos/faults   GET list · POST replace all · PATCH add · DELETE remove the posted rules (no body: all)
 *   /_vcoroute/v1/chaos/effects  GET list · POST replace all · PATCH add · DELETE remove all
 *   /_vcoroute/v1/chaos/bgp      BGP faults (bgp-fault-rules.ts), as faults
 * Listed rules carry `id` and `expiresAt` (ISO 8601) beside the posted fields.
 */
import type { FaultRuleRecord, Store } from '../store/store';
import { AdminError, badRequest } from '../admin/admin-errors';
import { parseEffects, parseFaults, RuleError } from './fault-rules';
import { toRecords, type FaultInjector, type StorableRule } from './fault-injector';
import { parseBgpFaults } from './bgp-fault-rules';
import type { BgpFaultSource } from './bgp-fault-source';

export const CHAOS_PATH = /^\/_vcoroute\/v1\/chaos\/(faults|effects|bgp)$/;
const KIND_OF_PATH: Record<string, FaultRuleRecord['kind']> = { faults: 'fault', effects: 'effect', bgp: 'bgp' };
const PARSE: Record<FaultRuleRecord['kind'], (body: unknown) => Array<StorableRule & { expiresInSeconds?: number }>> = {
  fault: parseFaults, effect: parseEffects, bgp: parseBgpFaults,
};

export interface ChaosDependencies {
  store: Store;
  injector: FaultInjector;
  /** the BGP rules this server's speaker applies (re-read after a change) */
  bgpFaults?: BgpFaultSource;
}

function view(r: FaultRuleRecord): Record<string, unknown> {
  return { id: r.ruleId, ...JSON.parse(r.rule), expiresAt: r.expiresAt === null ? null : new Date(r.expiresAt).toISOString() };
}

function parseRules(kind: FaultRuleRecord['kind'], body: unknown, now: number): FaultRuleRecord[] {
  try {
    return toRecords(kind, PARSE[kind](body), now);
  } catch (err) {
    if (err instanceof RuleError) throw badRequest(err.message);
    throw err;
  }
}

/** Handles a chaos endpoint; `json()` reads the body (undefined when there is none). */
export async function handleChaos(
  deps: ChaosDependencies, method: string, path: string, json: () => unknown, now: number,
): Promise<{ status: number; body: unknown } | undefined> {
  const m = CHAOS_PATH.exec(path);
  if (!m) return undefined;
  const kind = KIND_OF_PATH[m[1]!]!;
  const { store, injector } = deps;
  const list = async () => ({ status: 200, body: (await store.listFaultRules(kind, now)).map(view) });
  switch (method) {
    case 'GET':
      return list();
    case 'POST':
      await store.replaceFaultRules(kind, parseRules(kind, json(), now));
      break;
    case 'PATCH':
      await store.addFaultRules(parseRules(kind, json(), now));
      break;
    case 'DELETE': {
      const body = json();
      if (body === undefined || kind === 'effect') {
        await store.replaceFaultRules(kind, []);
      } else {
        // LocalStack removes the rules equal to the posted ones.
        const doomed = new Set(parseRules(kind, body, now).map((r) => r.rule));
        const current = await store.listFaultRules(kind, now);
        await store.deleteFaultRules(current.filter((r) => doomed.has(r.rule)).map((r) => r.ruleId));
      }
      break;
    }
    default:
      throw new AdminError(405, 'MethodNotAllowed', `${method} is not supported on ${path}`);
  }
  injector.invalidate();
  if (kind === 'bgp') await deps.bgpFaults?.invalidate();
  return list();
}
