/**
 * RAM roles, assumable through STS: CreateRole (with a trust policy), GetRole, ListRoles, UpdateRole,
 * DeleteRole (ram.md §6). Trust policies are validated by the policy engine as kind 'trust'.
 */
import { E, PopError } from '../../pop/errors';
import { newRoleId, ramDate } from '../../iam/ids';
import type { RamEntityRecord } from '../../store/store';
import type { ResponseBody } from '../product';
import { quotaExceeded, quotasOf } from '../../quotas/resource-quotas';
import { deleteUnlinked, integer, listPage, page, ramArn, ramOperation, requireRole, roleName, text, type Page } from './product';
import { validDocument } from './policies';

/** MaxSessionDuration 3,600–43,200 s, default 3,600 (CreateRoleRequest.ts). */
export const MIN_SESSION_DURATION = 3600;
export const MAX_SESSION_DURATION = 43200;

export interface RoleData {
  description: string;
  trustPolicy: string;
  maxSessionDuration: number;
}

export const roleData = (e: RamEntityRecord): RoleData => e.data as unknown as RoleData;

function roleView(e: RamEntityRecord, detail: boolean): ResponseBody {
  const d = roleData(e);
  const out: ResponseBody = {
    RoleId: e.id, RoleName: e.name, Arn: ramArn(e.accountId, 'role', e.name), Description: d.description,
    MaxSessionDuration: d.maxSessionDuration, CreateDate: ramDate(e.createDate),
  };
  if (detail) out.AssumeRolePolicyDocument = d.trustPolicy;
  return out;
}

const arn = (input: { role: string }, p: { accountId: string }) => ramArn(p.accountId, 'role', input.role);

export const createRole = ramOperation<{ role: string } & RoleData>({
  action: 'CreateRole',
  write: true,
  resource: arn,
  parse: (params) => ({
    role: roleName(params),
    trustPolicy: validDocument(params, 'AssumeRolePolicyDocument', 'trust'),
    description: text(params, 'Description') ?? '',
    maxSessionDuration: integer(params, 'MaxSessionDuration', MIN_SESSION_DURATION, MAX_SESSION_DURATION, MIN_SESSION_DURATION),
  }),
  async run(input, ctx) {
    const data: RoleData = { description: input.description, trustPolicy: input.trustPolicy, maxSessionDuration: input.maxSessionDuration };
    const e: RamEntityRecord = {
      accountId: ctx.principal.accountId, kind: 'role', id: newRoleId(), name: input.role, createDate: ctx.now, updateDate: ctx.now,
      data: data as unknown as Record<string, unknown>,
    };
    // Counted and inserted in one step under the account's RAM lock: concurrent creates never overshoot.
    const limit = quotasOf(ctx.settings).ramRolesPerAccount;
    const created = await ctx.store.createRamEntity(e, limit);
    if (created === 'limit') throw quotaExceeded(E.LimitExceededRole, limit);
    if (created === 'exists') throw new PopError(E.EntityAlreadyExistsRole);
    return { Role: roleView(e, true) };
  },
});

export const getRole = ramOperation<{ role: string }>({
  action: 'GetRole',
  write: false,
  resource: arn,
  parse: (params) => ({ role: roleName(params) }),
  async run(input, ctx) {
    const e = await requireRole(ctx, input.role);
    return { Role: { ...roleView(e, true), UpdateDate: ramDate(e.updateDate) } };
  },
});

export const listRoles = ramOperation<Page>({
  action: 'ListRoles',
  write: false,
  resource: (_input, p) => ramArn(p.accountId, 'role', '*'),
  parse: page,
  async run(input, ctx) {
    const { items, truncation } = await listPage(ctx, 'role', input);
    return { ...truncation, Roles: { Role: items.map((e) => ({ ...roleView(e, false), UpdateDate: ramDate(e.updateDate) })) } };
  },
});

export const updateRole = ramOperation<{ role: string; trustPolicy?: string; description?: string; maxSessionDuration?: number }>({
  action: 'UpdateRole',
  write: true,
  resource: arn,
  parse: (params) => ({
    role: roleName(params),
    trustPolicy: params.NewAssumeRolePolicyDocument ? validDocument(params, 'NewAssumeRolePolicyDocument', 'trust') : undefined,
    description: text(params, 'NewDescription'),
    maxSessionDuration: params.NewMaxSessionDuration
      ? integer(params, 'NewMaxSessionDuration', MIN_SESSION_DURATION, MAX_SESSION_DURATION, MIN_SESSION_DURATION)
      : undefined,
  }),
  async run(input, ctx) {
    const e = await requireRole(ctx, input.role);
    const d = roleData(e);
    const data: RoleData = {
      trustPolicy: input.trustPolicy ?? d.trustPolicy,
      description: input.description ?? d.description,
      maxSessionDuration: input.maxSessionDuration ?? d.maxSessionDuration,
    };
    const updated = { ...e, data: data as unknown as Record<string, unknown>, updateDate: ctx.now };
    // A role is never renamed here, so false means it was deleted meanwhile.
    if (!(await ctx.store.updateRamEntity(updated))) throw new PopError(E.EntityNotExistRole);
    return { Role: { ...roleView(updated, true), UpdateDate: ramDate(updated.updateDate) } };
  },
});

export const deleteRole = ramOperation<{ role: string }>({
  action: 'DeleteRole',
  write: true,
  resource: arn,
  parse: (params) => ({ role: roleName(params) }),
  async run(input, ctx) {
    const e = await requireRole(ctx, input.role);
    await deleteUnlinked(ctx, e, [[{ links: 'role-policy', from: e.id }, E.DeleteConflictRolePolicy]], E.EntityNotExistRole);
    return {};
  },
});
