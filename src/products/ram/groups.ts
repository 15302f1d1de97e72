/**
 * Groups and membership: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup, AddUserToGroup,
 * RemoveUserFromGroup, ListGroupsForUser, ListUsersForGroup. A user's permissions include those of its
 * groups (iam/effective.ts).
 */
import { E, PopError } from '../../pop/errors';
import { newGroupId, ramDate } from '../../iam/ids';
import type { RamEntityRecord } from '../../store/store';
import type { ResponseBody } from '../product';
import { quotaExceeded, quotasOf } from '../../quotas/resource-quotas';
import { deleteUnlinked, fields, groupName, listPage, page, ramArn, ramOperation, requireGroup, requireUser, text, userName, type Page } from './product';

function groupView(e: RamEntityRecord, withUpdateDate: boolean): ResponseBody {
  const out: ResponseBody = { GroupId: e.id, GroupName: e.name, ...fields(e.data, { comments: 'Comments' }), CreateDate: ramDate(e.createDate) };
  if (withUpdateDate) out.UpdateDate = ramDate(e.updateDate);
  return out;
}

const arn = (input: { group: string }, p: { accountId: string }) => ramArn(p.accountId, 'group', input.group);

export const createGroup = ramOperation<{ group: string; comments?: string }>({
  action: 'CreateGroup',
  write: true,
  resource: arn,
  parse: (params) => ({ group: groupName(params), comments: text(params, 'Comments') }),
  async run(input, ctx) {
    const e: RamEntityRecord = {
      accountId: ctx.principal.accountId, kind: 'group', id: newGroupId(), name: input.group, createDate: ctx.now, updateDate: ctx.now,
      data: input.comments === undefined ? {} : { comments: input.comments },
    };
    // Counted and inserted in one step under the account's RAM lock: concurrent creates never overshoot.
    const limit = quotasOf(ctx.settings).ramGroupsPerAccount;
    const created = await ctx.store.createRamEntity(e, limit);
    if (created === 'limit') throw quotaExceeded(E.LimitExceededGroup, limit);
    if (created === 'exists') throw new PopError(E.EntityAlreadyExistsGroup);
    return { Group: groupView(e, false) };
  },
});

export const getGroup = ramOperation<{ group: string }>({
  action: 'GetGroup',
  write: false,
  resource: arn,
  parse: (params) => ({ group: groupName(params) }),
  async run(input, ctx) {
    return { Group: groupView(await requireGroup(ctx, input.group), true) };
  },
});

export const listGroups = ramOperation<Page>({
  action: 'ListGroups',
  write: false,
  resource: (_input, p) => ramArn(p.accountId, 'group', '*'),
  parse: page,
  async run(input, ctx) {
    const { items, truncation } = await listPage(ctx, 'group', input);
    return { ...truncation, Groups: { Group: items.map((e) => groupView(e, true)) } };
  },
});

export const updateGroup = ramOperation<{ group: string; newName?: string; comments?: string }>({
  action: 'UpdateGroup',
  write: true,
  resource: arn,
  parse: (params) => ({
    group: groupName(params),
    newName: params.NewGroupName ? groupName(params, 'NewGroupName') : undefined,
    comments: text(params, 'NewComments'),
  }),
  async run(input, ctx) {
    const g = await requireGroup(ctx, input.group);
    const updated = { ...g, name: input.newName ?? g.name, data: input.comments === undefined ? g.data : { ...g.data, comments: input.comments }, updateDate: ctx.now };
    if (!(await ctx.store.updateRamEntity(updated))) throw new PopError(E.EntityAlreadyExistsGroup);
    return { Group: groupView(updated, true) };
  },
});

export const deleteGroup = ramOperation<{ group: string }>({
  action: 'DeleteGroup',
  write: true,
  resource: arn,
  parse: (params) => ({ group: groupName(params) }),
  async run(input, ctx) {
    const g = await requireGroup(ctx, input.group);
    await deleteUnlinked(ctx, g, [
      [{ links: 'user-group', to: g.id }, E.DeleteConflictGroupUser],
      [{ links: 'group-policy', from: g.id }, E.DeleteConflictGroupPolicy],
    ], E.EntityNotExistGroup);
    return {};
  },
});

export const addUserToGroup = ramOperation<{ group: string; user: string }>({
  action: 'AddUserToGroup',
  write: true,
  resource: arn,
  parse: (params) => ({ group: groupName(params), user: userName(params) }),
  async run(input, ctx) {
    const g = await requireGroup(ctx, input.group);
    const u = await requireUser(ctx, input.user);
    // Added only while both the user and the group exist, decided by the store against DeleteUser/DeleteGroup.
    const added = await ctx.store.addRamLink({ accountId: g.accountId, kind: 'user-group', fromId: u.id, toId: g.id, createDate: ctx.now }, { kind: 'group', id: g.id });
    if (added === 'missing-from') throw new PopError(E.EntityNotExistUser);
    if (added === 'missing-to') throw new PopError(E.EntityNotExistGroup);
    if (added !== 'added') throw new PopError(E.EntityAlreadyExistsUserGroup);
    return {};
  },
});

export const removeUserFromGroup = ramOperation<{ group: string; user: string }>({
  action: 'RemoveUserFromGroup',
  write: true,
  resource: arn,
  parse: (params) => ({ group: groupName(params), user: userName(params) }),
  async run(input, ctx) {
    const g = await requireGroup(ctx, input.group);
    const u = await requireUser(ctx, input.user);
    if (!(await ctx.store.removeRamLink(g.accountId, 'user-group', u.id, g.id))) throw new PopError(E.EntityNotExistUserGroup);
    return {};
  },
});

export const listGroupsForUser = ramOperation<{ user: string }>({
  action: 'ListGroupsForUser',
  write: false,
  resource: (input, p) => ramArn(p.accountId, 'user', input.user),
  parse: (params) => ({ user: userName(params) }),
  async run(input, ctx) {
    const u = await requireUser(ctx, input.user);
    const groups: ResponseBody[] = [];
    for (const link of await ctx.store.listRamLinksFrom(u.accountId, 'user-group', u.id)) {
      const g = await ctx.store.getRamEntityById(u.accountId, 'group', link.toId);
      if (g) groups.push({ GroupId: g.id, GroupName: g.name, ...fields(g.data, { comments: 'Comments' }), JoinDate: ramDate(link.createDate) });
    }
    return { Groups: { Group: groups } };
  },
});

/** Decided: all members in one page (IsTruncated false); Marker/MaxItems are accepted. */
export const listUsersForGroup = ramOperation<{ group: string }>({
  action: 'ListUsersForGroup',
  write: false,
  resource: arn,
  parse: (params) => ({ group: groupName(params) }),
  async run(input, ctx) {
    const g = await requireGroup(ctx, input.group);
    const users: ResponseBody[] = [];
    for (const link of await ctx.store.listRamLinksTo(g.accountId, 'user-group', g.id)) {
      const u = await ctx.store.getRamEntityById(g.accountId, 'user', link.fromId);
      if (u) users.push({ UserName: u.name, ...fields(u.data, { displayName: 'DisplayName' }), JoinDate: ramDate(link.createDate) });
    }
    return { IsTruncated: false, Users: { User: users } };
  },
});
