/**
 * AssumeRole (ram.md §9): a RAM user or role (never a root account) with sts:AssumeRole permission on
 * the role's ARN (checked by the pipeline's authorization stage) and trusted by the role's trust policy
 * receives temporary credentials: an `STS.` AccessKeyId, a secret and a SecurityToken. The session's
 * permissions are the role's policies intersected with the optional session policy.
 */
import { E, PopError, missingParameter } from '../../pop/errors';
import { accessDenied, requestContext } from '../../identity/authorize';
import { principalArn, type Principal } from '../../identity/principal';
import { compiledPolicy } from '../../iam/effective';
import { newStsAccessKeyId, newStsSecret, ramDate } from '../../iam/ids';
import { evaluateTrust, PolicySyntaxError } from '../../iam/policy';
import { issueSecurityToken } from '../../iam/sts-token';
import { roleData } from '../ram/roles';
import { defineOperation, type OperationContext } from '../product';
import { STS } from './product';
import { quotasOf } from '../../quotas/resource-quotas';

export const MIN_DURATION_SECONDS = 900;
export const DEFAULT_DURATION_SECONDS = 3600;
/** Role chaining: a session obtained with a role session's credentials lasts at most 1 hour (docs/compatibility.md). */
export const MAX_CHAINED_DURATION_SECONDS = 3600;

interface AssumeRoleInput {
  roleArn: string;
  roleAccountId: string;
  roleName: string;
  sessionName: string;
  durationSeconds?: number;
  policy?: string;
  externalId?: string;
  sourceIdentity?: string;
}

const ROLE_ARN = /^acs:ram::(\d{1,32}):role\/([A-Za-z0-9.-]{1,64})$/;

function parse(params: Record<string, string | undefined>): AssumeRoleInput {
  const roleArn = params.RoleArn;
  if (!roleArn) throw missingParameter('RoleArn');
  const m = ROLE_ARN.exec(roleArn);
  if (!m) throw new PopError(E.InvalidParameterRoleArn);
  const sessionName = params.RoleSessionName;
  if (!sessionName) throw missingParameter('RoleSessionName');
  if (!/^[A-Za-z0-9.@_-]{2,64}$/.test(sessionName)) throw new PopError(E.InvalidParameterRoleSessionName);
  let durationSeconds: number | undefined;
  if (params.DurationSeconds) {
    if (!/^\d{1,9}$/.test(params.DurationSeconds)) throw new PopError(E.InvalidParameterDurationSeconds);
    durationSeconds = Number(params.DurationSeconds);
  }
  const policy = params.Policy || undefined;
  if (policy !== undefined) {
    try {
      compiledPolicy(policy, 'identity');
    } catch (err) {
      if (err instanceof PolicySyntaxError) throw new PopError(E.InvalidParameterPolicyGrammar, `${E.InvalidParameterPolicyGrammar.message} ${err.message}.`);
      throw err;
    }
  }
  const externalId = params.ExternalId || undefined;
  if (externalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(externalId)) throw new PopError(E.InvalidParameterExternalId);
  return {
    roleArn, roleAccountId: m[1]!, roleName: m[2]!, sessionName, durationSeconds, policy, externalId,
    sourceIdentity: params.SourceIdentity || undefined,
  };
}

/** Identities a trust policy may name for this caller: its account (root ARN or bare ID) or itself. */
function trustCaller(p: Exclude<Principal, { kind: 'root' }>): Map<string, string[]> {
  const own = p.kind === 'user' ? [principalArn(p)] : [`acs:ram::${p.accountId}:role/${p.roleName}`, `acs:ram::${p.accountId}:role/${p.roleName.toLowerCase()}`];
  return new Map([['RAM', [`acs:ram::${p.accountId}:root`, p.accountId, ...own]]]);
}

type ChainOrigin = { accountId: string; userId: string };

/**
 * Role chaining — a role session calling AssumeRole — decided here and nowhere else (docs/compatibility.md):
 * every session records the RAM user at the root of its chain; a chained call is refused once that user is
 * gone (or was never recorded), so a chain cannot outlive its origin by renewing itself; and a chained session
 * lasts at most MAX_CHAINED_DURATION_SECONDS whatever the role's MaxSessionDuration (refused above it, as
 * DurationSeconds above MaxSessionDuration is).
 */
const roleChaining = {
  async origin(caller: Exclude<Principal, { kind: 'root' }>, ctx: OperationContext): Promise<ChainOrigin> {
    if (caller.kind === 'user') return { accountId: caller.accountId, userId: caller.userId };
    const origin = caller.chainOrigin;
    if (origin === null || !(await ctx.store.getRamEntityById(origin.accountId, 'user', origin.userId))) {
      throw new PopError(E.NoPermissionChainOriginGone);
    }
    return origin;
  },
  /** The DurationSeconds to grant, or the documented refusal. */
  duration(caller: Exclude<Principal, { kind: 'root' }>, requested: number | undefined, roleMax: number): number {
    const chained = caller.kind === 'role';
    const max = chained ? Math.min(MAX_CHAINED_DURATION_SECONDS, roleMax) : roleMax;
    const duration = requested ?? Math.min(DEFAULT_DURATION_SECONDS, max);
    if (chained && duration > max && duration <= roleMax) throw new PopError(E.InvalidParameterDurationSecondsChained);
    if (duration < MIN_DURATION_SECONDS || duration > max) throw new PopError(E.InvalidParameterDurationSeconds);
    return duration;
  },
};

/**
 * A configured session policy length below the documented 2,048 (which the parameter table checks before the
 * request is read): the same error, naming the figure in force.
 */
function checkSessionPolicyLength(policy: string | undefined, ctx: OperationContext): void {
  const max = quotasOf(ctx.settings).stsSessionPolicyLength;
  if (policy !== undefined && policy.length > max) throw new PopError(E.InvalidParameterPolicySize, `The parameter Policy is longer than ${max} characters.`);
}

async function run(input: AssumeRoleInput, ctx: OperationContext) {
  checkSessionPolicyLength(input.policy, ctx);
  const caller = ctx.principal;
  if (caller.kind === 'root') throw new PopError(E.NoPermissionRootAssumeRole);
  const origin = await roleChaining.origin(caller, ctx);
  const role = await ctx.store.getRamEntity(input.roleAccountId, 'role', input.roleName);
  if (!role) throw new PopError(E.EntityNotExistRole);
  const data = roleData(role);
  const context = new Map(requestContext({ store: ctx.store, now: ctx.now, sourceIp: ctx.sourceIp, secureTransport: ctx.secureTransport }));
  if (input.externalId !== undefined) context.set('sts:externalid', [input.externalId]);
  const trust = evaluateTrust(compiledPolicy(data.trustPolicy, 'trust'), trustCaller(caller), context);
  if (trust !== 'Allow') {
    // Decided: another account's role that does not trust the caller stays invisible (404, not 403).
    if (role.accountId !== caller.accountId) throw new PopError(E.EntityNotExistRole);
    throw accessDenied(E.NoPermissionSts, caller, 'sts:AssumeRole', { decision: trust, policyType: 'AssumeRolePolicy' });
  }
  const duration = roleChaining.duration(caller, input.durationSeconds, data.maxSessionDuration);

  const accessKeyId = newStsAccessKeyId();
  const session = {
    accessKeyId, accountId: role.accountId, secret: newStsSecret(), token: issueSecurityToken(accessKeyId), roleId: role.id, roleName: role.name,
    sessionName: input.sessionName, sessionPolicy: input.policy ?? null, sourceIdentity: input.sourceIdentity ?? null,
    originAccountId: origin.accountId, originUserId: origin.userId,
    expiresAt: ctx.now + duration * 1000, createDate: ctx.now,
  };
  await ctx.store.putStsSession(session);
  const body: Record<string, unknown> = {
    Credentials: { AccessKeyId: accessKeyId, AccessKeySecret: session.secret, SecurityToken: session.token, Expiration: ramDate(session.expiresAt) },
    AssumedRoleUser: {
      Arn: `acs:ram::${role.accountId}:role/${role.name.toLowerCase()}/${input.sessionName}`,
      AssumedRoleId: `${role.id}:${input.sessionName}`,
    },
  };
  if (input.sourceIdentity !== undefined) body.SourceIdentity = input.sourceIdentity;
  return body;
}

export const assumeRole = defineOperation<AssumeRoleInput>({
  product: STS,
  action: 'AssumeRole',
  ramAction: 'sts:AssumeRole',
  resource: (input) => input.roleArn,
  clientToken: false,
  parse,
  run,
});
