/**
 * AccessKeys of RAM users: CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey (ram.md §6).
 * UserName omitted → the calling RAM user. Decided: a root account must name the user (its own keys are
 * managed through the admin API), see docs/compatibility.md.
 */
import { E, PopError, missingParameter } from '../../pop/errors';
import type { Params } from '../../pop/signature';
import { newAccessKeyId, newAccessKeySecret, ramDate } from '../../iam/ids';
import type { Principal } from '../../identity/principal';
import type { RamEntityRecord, UserAccessKeyRecord } from '../../store/store';
import type { OperationContext } from '../product';
import { quotaExceeded, quotasOf } from '../../quotas/resource-quotas';
import { ramArn, ramOperation, required, requireUser, userName } from './product';

interface KeyInput {
  name?: string;
}

const targetArn = (input: KeyInput, p: Principal) =>
  ramArn(p.accountId, 'user', input.name ?? (p.kind === 'user' ? p.userName : '*'));

async function targetUser(ctx: OperationContext, input: KeyInput): Promise<RamEntityRecord> {
  if (input.name !== undefined) return requireUser(ctx, input.name);
  const p = ctx.principal;
  if (p.kind !== 'user') throw missingParameter('UserName');
  const self = await ctx.store.getRamEntityById(p.accountId, 'user', p.userId);
  if (!self) throw new PopError(E.EntityNotExistUser);
  return self;
}

const keyTarget = (params: Params): KeyInput => ({ name: userName(params, 'UserName', false) || undefined });

async function userKey(ctx: OperationContext, user: RamEntityRecord, accessKeyId: string): Promise<UserAccessKeyRecord> {
  const key = await ctx.store.getUserAccessKey(accessKeyId);
  if (!key || key.accountId !== user.accountId || key.userId !== user.id) throw new PopError(E.EntityNotExistUserAccessKey);
  return key;
}

export const createAccessKey = ramOperation<KeyInput>({
  action: 'CreateAccessKey',
  write: true,
  resource: targetArn,
  parse: keyTarget,
  async run(input, ctx) {
    const user = await targetUser(ctx, input);
    const key: UserAccessKeyRecord = {
      accessKeyId: newAccessKeyId(), accountId: user.accountId, userId: user.id, secret: newAccessKeySecret(), status: 'Active', createDate: ctx.now,
    };
    // Counted and inserted in one step while the user exists, against concurrent creates and DeleteUser.
    const limit = quotasOf(ctx.settings).accessKeysPerUser;
    const created = await ctx.store.createUserAccessKey(key, limit);
    if (created === 'missing') throw new PopError(E.EntityNotExistUser);
    if (created === 'limit') throw quotaExceeded(E.LimitExceededUserAccessKey, limit);
    return { AccessKey: { AccessKeyId: key.accessKeyId, AccessKeySecret: key.secret, Status: key.status, CreateDate: ramDate(key.createDate) } };
  },
});

export const listAccessKeys = ramOperation<KeyInput>({
  action: 'ListAccessKeys',
  write: false,
  resource: targetArn,
  parse: keyTarget,
  async run(input, ctx) {
    const user = await targetUser(ctx, input);
    const keys = await ctx.store.listUserAccessKeys(user.accountId, user.id);
    return { AccessKeys: { AccessKey: keys.map((k) => ({ AccessKeyId: k.accessKeyId, Status: k.status, CreateDate: ramDate(k.createDate) })) } };
  },
});

export const updateAccessKey = ramOperation<KeyInput & { accessKeyId: string; status: 'Active' | 'Inactive' }>({
  action: 'UpdateAccessKey',
  write: true,
  resource: targetArn,
  parse(params) {
    const accessKeyId = required(params, 'UserAccessKeyId');
    const status = required(params, 'Status');
    if (status !== 'Active' && status !== 'Inactive') throw new PopError(E.InvalidParameterStatus);
    return { ...keyTarget(params), accessKeyId, status };
  },
  async run(input, ctx) {
    const key = await userKey(ctx, await targetUser(ctx, input), input.accessKeyId);
    // Conditional on the key still existing: a DeleteAccessKey that lands in between must not be undone.
    if (!(await ctx.store.setUserAccessKeyStatus(key.accessKeyId, input.status))) throw new PopError(E.EntityNotExistUserAccessKey);
    return {};
  },
});

export const deleteAccessKey = ramOperation<KeyInput & { accessKeyId: string }>({
  action: 'DeleteAccessKey',
  write: true,
  resource: targetArn,
  parse: (params) => ({ ...keyTarget(params), accessKeyId: required(params, 'UserAccessKeyId') }),
  async run(input, ctx) {
    const key = await userKey(ctx, await targetUser(ctx, input), input.accessKeyId);
    await ctx.store.deleteUserAccessKey(key.accessKeyId);
    return {};
  },
});
