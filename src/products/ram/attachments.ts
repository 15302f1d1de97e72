/**
 * Attaching policies to users, groups and roles: AttachPolicyTo{User,Group,Role},
 * DetachPolicyFrom{User,Group,Role}, ListPoliciesFor{User,Group,Role} (ram.md §6). Account-level
 * attachments only; ResourceGroupId is accepted and ignored (docs/compatibility.md).
 */
import { E, PopError, type ErrorDefinition } from '../../pop/errors';
import type { Params } from '../../pop/signature';
import { ramDate } from '../../iam/ids';
import { findPolicy, policyKey, splitPolicyKey, type PolicyType } from '../../iam/policy-store';
import type { RamEntityKind, RamLinkKind } from '../../store/store';
import type { Operation } from '../product';
import { groupName, policyName, ramArn, ramOperation, requireEntity, roleName, userName } from './product';
import { policyType, requirePolicy } from './policies';
import { quotaExceeded, quotasOf, type ResourceQuotas } from '../../quotas/resource-quotas';

/** LIMITS (ram.md §7): system and custom policies attached per user (20 and 10 by default); applied to groups and roles too. */
const attachedQuota = (type: PolicyType, quotas: Readonly<ResourceQuotas>) =>
  type === 'System' ? quotas.systemPoliciesPerPrincipal : quotas.customPoliciesPerPrincipal;

interface Target {
  kind: RamEntityKind & ('user' | 'group' | 'role');
  link: RamLinkKind;
  nameParam: string;
  name: (p: Params) => string;
  missing: ErrorDefinition;
  already: ErrorDefinition;
  notAttached: ErrorDefinition;
}

const TARGETS: Record<'User' | 'Group' | 'Role', Target> = {
  User: {
    kind: 'user', link: 'user-policy', nameParam: 'UserName', name: (p) => userName(p),
    missing: E.EntityNotExistUser, already: E.EntityAlreadyExistsUserPolicy, notAttached: E.EntityNotExistUserPolicy,
  },
  Group: {
    kind: 'group', link: 'group-policy', nameParam: 'GroupName', name: (p) => groupName(p),
    missing: E.EntityNotExistGroup, already: E.EntityAlreadyExistsGroupPolicy, notAttached: E.EntityNotExistGroupPolicy,
  },
  Role: {
    kind: 'role', link: 'role-policy', nameParam: 'RoleName', name: (p) => roleName(p),
    missing: E.EntityNotExistRole, already: E.EntityAlreadyExistsRolePolicy, notAttached: E.EntityNotExistRolePolicy,
  },
};

interface AttachInput {
  target: string;
  type: PolicyType;
  policy: string;
}

function attachOperations(label: 'User' | 'Group' | 'Role'): Operation[] {
  const t = TARGETS[label];
  const resource = (input: { target: string }, p: { accountId: string }) => ramArn(p.accountId, t.kind, input.target);
  const parseAttach = (params: Params): AttachInput => ({ target: t.name(params), type: policyType(params, true)!, policy: policyName(params) });

  const attach = ramOperation<AttachInput>({
    action: `AttachPolicyTo${label}`,
    write: true,
    resource,
    parse: parseAttach,
    async run(input, ctx) {
      const entity = await requireEntity(ctx, t.kind, input.target, t.missing);
      await requirePolicy(ctx, input.type, input.policy);
      const link = { accountId: entity.accountId, kind: t.link, fromId: entity.id, toId: policyKey(input.type, input.policy), createDate: ctx.now };
      // Added only while the entity and (custom) policy exist and the entity has room for another policy of the
      // type, decided by the store against DeletePolicy, Delete{User,Group,Role} and other attaches; system
      // policies have no entity.
      const policy = input.type === 'Custom' ? { kind: 'policy' as const, name: input.policy } : undefined;
      const max = attachedQuota(input.type, quotasOf(ctx.settings));
      const added = await ctx.store.addRamLink(link, policy, { toPrefix: policyKey(input.type, ''), max });
      if (added === 'missing-from') throw new PopError(t.missing);
      if (added === 'missing-to') throw new PopError(E.EntityNotExistPolicy);
      if (added === 'exists') throw new PopError(t.already);
      if (added === 'limit') throw quotaExceeded(E.LimitExceededAttachment, max);
      return {};
    },
  });

  const detach = ramOperation<AttachInput>({
    action: `DetachPolicyFrom${label}`,
    write: true,
    resource,
    parse: parseAttach,
    async run(input, ctx) {
      const entity = await requireEntity(ctx, t.kind, input.target, t.missing);
      await requirePolicy(ctx, input.type, input.policy);
      if (!(await ctx.store.removeRamLink(entity.accountId, t.link, entity.id, policyKey(input.type, input.policy)))) {
        throw new PopError(t.notAttached);
      }
      return {};
    },
  });

  const list = ramOperation<{ target: string }>({
    action: `ListPoliciesFor${label}`,
    write: false,
    resource,
    parse: (params) => ({ target: t.name(params) }),
    async run(input, ctx) {
      const entity = await requireEntity(ctx, t.kind, input.target, t.missing);
      const policies = [];
      for (const link of await ctx.store.listRamLinksFrom(entity.accountId, t.link, entity.id)) {
        const { type, name } = splitPolicyKey(link.toId);
        const p = await findPolicy(ctx.store, entity.accountId, type, name);
        if (!p) continue;
        policies.push({ PolicyName: p.name, PolicyType: p.type, Description: p.description, DefaultVersion: p.defaultVersion, AttachDate: ramDate(link.createDate) });
      }
      return { Policies: { Policy: policies } };
    },
  });

  return [attach, detach, list];
}

export const ATTACHMENT_OPERATIONS: readonly Operation[] = [...attachOperations('User'), ...attachOperations('Group'), ...attachOperations('Role')];
