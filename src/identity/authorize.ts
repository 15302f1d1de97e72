/**
 * Authorization stage, driven by each operation's ramAction and resource ARN. A root account may do
 * everything on its own resources (another account's resources are invisible to it: operations answer
 * NotFound). RAM users and assumed roles go through the policy engine (iam/effective.ts, iam/policy.ts).
 *
 * Denials, decided in one place (ram.md §11, docs/compatibility.md):
 *   - VPC: implicit deny → 403 Forbbiden.SubUser (sic), explicit deny → 403 Forbidden;
 *   - RAM: 403 NoPermission; STS: 403 NoPermission with the STS message;
 *   - CEN: 400 Unauthorized, the one denial every CEN API page documents (cen-api.md §1);
 * every denial carries AccessDeniedDetail.
 */
import { E, PopError, type ErrorDefinition } from '../pop/errors';
import type { Operation } from '../products/product';
import type { Store } from '../store/store';
import { decide, type Verdict } from '../iam/effective';
import { conditionContext, type ConditionContext } from '../iam/policy';
import { normalizeIp } from '../iam/conditions';
import { ramDate } from '../iam/ids';
import { principalArn, type Principal } from './principal';
import type { AuthorizationDecision, DecisionLog } from '../policy-advice/decision-log';

export interface AuthorizationContext {
  store: Store;
  now: number;
  /** the TCP peer address; acs:SourceIp */
  sourceIp?: string;
  /** request arrived over TLS; acs:SecureTransport */
  secureTransport?: boolean;
  /** where every decision is recorded (policy advice) */
  decisions?: DecisionLog;
}

/** Actions every authenticated caller may perform (decided: like GetCallerIdentity elsewhere). */
const ALWAYS_ALLOWED = new Set(['sts:getcalleridentity']);

/** Global condition keys of a request (ram.md §3). MFA never applies to AccessKey calls. */
export function requestContext(ctx: AuthorizationContext): ConditionContext {
  return conditionContext({
    'acs:SourceIp': ctx.sourceIp === undefined ? undefined : normalizeIp(ctx.sourceIp),
    'acs:SecureTransport': ctx.secureTransport ? 'true' : 'false',
    'acs:CurrentTime': ramDate(ctx.now),
    'acs:MFAPresent': 'false',
  });
}

function denialError(ramService: string, verdict: Verdict): ErrorDefinition {
  if (ramService === 'vpc') return verdict.decision === 'ExplicitDeny' ? E.Forbidden : E.ForbiddenSubUser;
  if (ramService === 'sts') return E.NoPermissionSts;
  if (ramService === 'cen') return E.CenUnauthorized;
  return E.NoPermission;
}

/** AccessDeniedDetail (ram.md §10); AuthPrincipalDisplayName is the user name, or role:session. */
export function accessDenied(definition: ErrorDefinition, principal: Exclude<Principal, { kind: 'root' }>, action: string, verdict: Verdict): PopError {
  return new PopError(definition, undefined, {
    AccessDeniedDetail: {
      AuthAction: action,
      AuthPrincipalType: principal.kind === 'user' ? 'SubUser' : 'AssumedRoleUser',
      AuthPrincipalOwnerId: principal.accountId,
      AuthPrincipalDisplayName: principal.kind === 'user' ? principal.userName : `${principal.roleName}:${principal.sessionName}`,
      PolicyType: verdict.policyType,
      NoPermissionType: verdict.decision === 'ExplicitDeny' ? 'ExplicitDeny' : 'ImplicitDeny',
    },
  });
}

export async function authorize(principal: Principal, operation: Operation, input: unknown, ctx: AuthorizationContext): Promise<void> {
  if (ALWAYS_ALLOWED.has(operation.ramAction.toLowerCase())) return;
  const resource = operation.resource(input, principal);
  const record = (decision: AuthorizationDecision['decision'], policyType?: string, deniedBy?: AuthorizationDecision['deniedBy']) =>
    ctx.decisions?.record(ctx.now, { principal: principalArn(principal), principalType: principal.kind,
      accountId: principal.accountId, action: operation.ramAction, resource, decision, policyType, deniedBy });
  if (principal.kind === 'root') {
    record('Root');
    return;
  }
  const request = { action: operation.ramAction, resource, context: requestContext(ctx) };
  const verdict = await decide(ctx.store, principal, request);
  record(verdict.decision, verdict.decision === 'Allow' ? undefined : verdict.policyType, verdict.deniedBy);
  if (verdict.decision === 'Allow') return;
  throw accessDenied(denialError(operation.product.ramService, verdict), principal, operation.ramAction, verdict);
}
