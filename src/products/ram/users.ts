/** RAM users: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser (ram.md §6). */
import { E, PopError, ramInvalidParameter } from '../../pop/errors';
import type { Params } from '../../pop/signature';
import { newUserId, ramDate } from '../../iam/ids';
import type { RamEntityRecord } from '../../store/store';
import { quotaExceeded, quotasOf } from '../../quotas/resource-quotas';
import type { ResponseBody } from '../product';
import { deleteUnlinked, fields, listPage, page, ramArn, ramOperation, requireUser, text, userName, type Page } from './product';

const USER_FIELDS = { displayName: 'DisplayName', mobilePhone: 'MobilePhone', email: 'Email', comments: 'Comments' };

interface UserFields {
  displayName?: string;
  comments?: string;
  mobilePhone?: string;
  email?: string;
}

function userFields(params: Params, prefix: '' | 'New'): UserFields {
  const email = text(params, `${prefix}Email`);
  if (email !== undefined && !/^[^@\s]+@[^@\s]+$/.test(email)) {
    throw ramInvalidParameter(`${prefix}Email`, 'Format', `The parameter ${prefix}Email is not an email address.`);
  }
  const mobilePhone = text(params, `${prefix}MobilePhone`);
  if (mobilePhone !== undefined && !/^\d{1,4}-[\d*]{4,20}$/.test(mobilePhone)) {
    throw ramInvalidParameter(`${prefix}MobilePhone`, 'Format', `The parameter ${prefix}MobilePhone must look like 86-1868888****.`);
  }
  return {
    displayName: text(params, `${prefix}DisplayName`),
    comments: text(params, `${prefix}Comments`),
    mobilePhone,
    email,
  };
}

export function userView(e: RamEntityRecord, withUpdateDate: boolean): ResponseBody {
  const out: ResponseBody = { UserId: e.id, UserName: e.name, ...fields(e.data, USER_FIELDS), CreateDate: ramDate(e.createDate) };
  if (withUpdateDate) out.UpdateDate = ramDate(e.updateDate);
  return out;
}

export const createUser = ramOperation<{ name: string; fields: UserFields }>({
  action: 'CreateUser',
  write: true,
  resource: (input, p) => ramArn(p.accountId, 'user', input.name),
  parse: (params) => ({ name: userName(params), fields: userFields(params, '') }),
  async run(input, ctx) {
    const entity: RamEntityRecord = {
      accountId: ctx.principal.accountId, kind: 'user', id: newUserId(), name: input.name, createDate: ctx.now, updateDate: ctx.now, data: { ...input.fields },
    };
    // The store counts and inserts in one step under the account's RAM lock: concurrent creates never overshoot.
    const limit = quotasOf(ctx.settings).ramUsersPerAccount;
    const created = await ctx.store.createRamEntity(entity, limit);
    if (created === 'limit') throw quotaExceeded(E.LimitExceededUser, limit);
    if (created === 'exists') throw new PopError(E.EntityAlreadyExistsUser);
    return { User: userView(entity, false) };
  },
});

export const getUser = ramOperation<{ name: string }>({
  action: 'GetUser',
  write: false,
  resource: (input, p) => ramArn(p.accountId, 'user', input.name),
  parse: (params) => ({ name: userName(params) }),
  async run(input, ctx) {
    return { User: userView(await requireUser(ctx, input.name), true) };
  },
});

export const listUsers = ramOperation<Page>({
  action: 'ListUsers',
  write: false,
  resource: (_input, p) => ramArn(p.accountId, 'user', '*'),
  parse: page,
  async run(input, ctx) {
    const { items, truncation } = await listPage(ctx, 'user', input);
    return { ...truncation, Users: { User: items.map((e) => userView(e, true)) } };
  },
});

export const updateUser = ramOperation<{ name: string; newName?: string; fields: UserFields }>({
  action: 'UpdateUser',
  write: true,
  resource: (input, p) => ramArn(p.accountId, 'user', input.name),
  parse: (params) => ({
    name: userName(params),
    newName: userName(params, 'NewUserName', false) || undefined,
    fields: userFields(params, 'New'),
  }),
  async run(input, ctx) {
    const user = await requireUser(ctx, input.name);
    const data: Record<string, unknown> = { ...user.data };
    for (const [k, v] of Object.entries(input.fields)) if (v !== undefined) data[k] = v;
    const updated: RamEntityRecord = { ...user, name: input.newName ?? user.name, data, updateDate: ctx.now };
    if (!(await ctx.store.updateRamEntity(updated))) throw new PopError(E.EntityAlreadyExistsUser);
    return { User: userView(updated, true) };
  },
});

export const deleteUser = ramOperation<{ name: string }>({
  action: 'DeleteUser',
  write: true,
  resource: (input, p) => ramArn(p.accountId, 'user', input.name),
  parse: (params) => ({ name: userName(params) }),
  async run(input, ctx) {
    const user = await requireUser(ctx, input.name);
    await deleteUnlinked(ctx, user, [
      [{ accessKeysOf: user.id }, E.DeleteConflictUserAccessKey],
      [{ links: 'user-policy', from: user.id }, E.DeleteConflictUserPolicy],
      [{ links: 'user-group', from: user.id }, E.DeleteConflictUserGroup],
    ], E.EntityNotExistUser);
    return {};
  },
});
