/**
 * The policy-advice endpoints of the admin API:
 *   GET /_vcoroute/v1/decisions?principal=ARN&after=SEQ&limit=N&waitMs=MS  recorded decisions (waitMs: long-poll
 *       until one after SEQ arrives — how a tool watches them)
 *   GET /_vcoroute/v1/policy-advice?principal=ARN[&after=SEQ]  the least-privilege policy for that principal's calls
 */
import { badRequest } from '../admin/admin-errors';
import { advisePolicy, MAX_POLICY_DOCUMENT_LENGTH } from './advise';
import { DECISION_LOG_SIZE, MAX_WAIT_MS, type DecisionLog } from './decision-log';

function integer(params: URLSearchParams, name: string, max: number, fallback: number): number {
  const text = params.get(name);
  if (text === null) return fallback;
  if (!/^\d{1,10}$/.test(text) || Number(text) > max) throw badRequest(`${name} must be an integer from 0 to ${max}`);
  return Number(text);
}

function principalParam(params: URLSearchParams, required: boolean): string | undefined {
  const principal = params.get('principal') ?? undefined;
  if (principal === undefined && required) throw badRequest('principal is required: the ARN of a RAM user, role or role session');
  if (principal !== undefined && !/^acs:ram::\d{1,32}:[\x21-\x7e]{1,512}$/.test(principal)) throw badRequest('principal must be a RAM ARN (acs:ram::<account>:user/<name>, …:role/<name>[/<session>] or …:root)');
  return principal;
}

export async function handlePolicyAdvice(log: DecisionLog, method: string, url: URL): Promise<{ status: number; body: unknown } | undefined> {
  const path = url.pathname;
  if (method !== 'GET' || (path !== '/_vcoroute/v1/decisions' && path !== '/_vcoroute/v1/policy-advice')) return undefined;
  const p = url.searchParams;
  const after = integer(p, 'after', Number.MAX_SAFE_INTEGER, 0);
  if (path === '/_vcoroute/v1/decisions') {
    const decisions = await log.watch(after, principalParam(p, false), integer(p, 'waitMs', MAX_WAIT_MS, 0), integer(p, 'limit', DECISION_LOG_SIZE, 1000));
    return { status: 200, body: { decisions, last: decisions.at(-1)?.seq ?? after } };
  }
  const principal = principalParam(p, true)!;
  const decisions = log.list(after, principal);
  const policy = advisePolicy(decisions);
  const length = JSON.stringify(policy).length;
  return { status: 200, body: { principal, decisions: decisions.length, policy, length, fitsRamLimit: length <= MAX_POLICY_DOCUMENT_LENGTH } };
}
