/**
 * The RAM product (2015-05-01, ram.aliyuncs.com): shared helpers for its operations — the operation
 * factory (RAM action, resource ARN, cache invalidation after writes), parameter rules (ram.md §6) and
 * entity lookups. Every rule of the RAM API lives in src/products/ram, not in the store.
 */
import { E, PopError, missingParameter, ramInvalidParameter, type ErrorDefinition } from '../../pop/errors';
import type { Params } from '../../pop/signature';
import { invalidateAccount } from '../../iam/effective';
import type { Principal } from '../../identity/principal';
import type { RamDependents, RamEntityKind, RamEntityRecord } from '../../store/store';
import { defineOperation, type Operation, type OperationContext, type Product, type ResponseBody } from '../product';
import { NAME_LENGTH, RAM_PARAMETERS } from './ram-params';

export const RAM: Product = { name: 'Ram', version: '2015-05-01', host: 'ram.aliyuncs.com', ramService: 'ram', parameters: RAM_PARAMETERS };

/** acs:ram::{accountId}:{type}/{name} (RAM ARNs have an empty region, ram.md §1). */
export function ramArn(accountId: string, type: 'user' | 'group' | 'role' | 'policy', name: string): string {
  return `acs:ram::${accountId}:${type}/${name}`;
}

interface RamOperationSpec<Input> {
  action: string;
  /** writes drop the account's cached policy sets (iam/effective.ts) */
  write: boolean;
  resource(input: Input, principal: Principal): string;
  parse(params: Params): Input;
  run(input: Input, ctx: OperationContext): Promise<ResponseBody>;
}

export function ramOperation<Input>(spec: RamOperationSpec<Input>): Operation {
  return defineOperation<Input>({
    product: RAM,
    action: spec.action,
    ramAction: `ram:${spec.action}`,
    clientToken: false,
    resource: spec.resource,
    parse: spec.parse,
    run: !spec.write
      ? spec.run
      : async (input, ctx) => {
          try {
            return await spec.run(input, ctx);
          } finally {
            await invalidateAccount(ctx.store, ctx.principal.accountId);
          }
        },
  });
}

// ---- parameters ----

export function optional(params: Params, name: string): string | undefined {
  const v = params[name];
  return v === undefined || v === '' ? undefined : v;
}

export function required(params: Params, name: string): string {
  const v = optional(params, name);
  if (v === undefined) throw missingParameter(name);
  return v;
}

/** A name: `max` characters at most, from `chars` (ram.md §6). */
export function entityName(params: Params, param: string, max: number, chars: RegExp, charsText: string, isRequired = true): string {
  const v = isRequired ? required(params, param) : optional(params, param);
  if (v === undefined) return '';
  if (v.length > max) throw ramInvalidParameter(param, 'Length', `The parameter ${param} must be 1 to ${max} characters long.`);
  if (!chars.test(v)) throw ramInvalidParameter(param, 'InvalidChars', `The parameter ${param} may contain only ${charsText}.`);
  return v;
}

export const USER_NAME = { max: NAME_LENGTH.user, chars: /^[A-Za-z0-9._-]+$/, text: 'letters, digits, ".", "_" and "-"' };
export const GROUP_NAME = { max: NAME_LENGTH.group, chars: /^[A-Za-z0-9.-]+$/, text: 'letters, digits, "." and "-"' };
export const ROLE_NAME = { max: NAME_LENGTH.role, chars: /^[A-Za-z0-9.-]+$/, text: 'letters, digits, "." and "-"' };
export const POLICY_NAME = { max: NAME_LENGTH.policy, chars: /^[A-Za-z0-9-]+$/, text: 'letters, digits and "-"' };

export const userName = (p: Params, param = 'UserName', isRequired = true) => entityName(p, param, USER_NAME.max, USER_NAME.chars, USER_NAME.text, isRequired);
export const groupName = (p: Params, param = 'GroupName') => entityName(p, param, GROUP_NAME.max, GROUP_NAME.chars, GROUP_NAME.text);
export const roleName = (p: Params, param = 'RoleName') => entityName(p, param, ROLE_NAME.max, ROLE_NAME.chars, ROLE_NAME.text);
export const policyName = (p: Params, param = 'PolicyName') => entityName(p, param, POLICY_NAME.max, POLICY_NAME.chars, POLICY_NAME.text);

/** Free text, e.g. Comments, Description: its length is bounded by RAM_PARAMETERS before parsing. */
export function text(params: Params, param: string): string | undefined {
  return optional(params, param);
}

export function integer(params: Params, param: string, min: number, max: number, fallback: number): number {
  const v = optional(params, param);
  if (v === undefined) return fallback;
  if (!/^\d{1,9}$/.test(v) || Number(v) < min || Number(v) > max) {
    throw ramInvalidParameter(param, undefined, `The parameter ${param} must be an integer from ${min} to ${max}.`);
  }
  return Number(v);
}

export function bool(params: Params, param: string, fallback: boolean): boolean {
  const v = optional(params, param);
  if (v === undefined) return fallback;
  if (v !== 'true' && v !== 'false') throw ramInvalidParameter(param, undefined, `The parameter ${param} must be true or false.`);
  return v === 'true';
}

// ---- pagination (Marker / MaxItems / IsTruncated) ----

export interface Page {
  marker: string | undefined;
  maxItems: number;
}

/** Marker is opaque to clients: the base64url of the last name returned. */
export function page(params: Params): Page {
  const raw = optional(params, 'Marker');
  let marker: string | undefined;
  if (raw !== undefined) {
    marker = Buffer.from(raw, 'base64url').toString('utf8');
    if (marker.length === 0 || Buffer.from(marker, 'utf8').toString('base64url') !== raw) {
      throw ramInvalidParameter('Marker', undefined, 'The parameter Marker is not valid.');
    }
  }
  return { marker, maxItems: integer(params, 'MaxItems', 1, 1000, 100) };
}

/** Lists one page of entities; `view` renders each. */
export async function listPage(ctx: OperationContext, kind: RamEntityKind, p: Page): Promise<{ items: RamEntityRecord[]; truncation: ResponseBody }> {
  const rows = await ctx.store.listRamEntities(ctx.principal.accountId, kind, p.marker, p.maxItems + 1);
  const items = rows.slice(0, p.maxItems);
  const truncated = rows.length > p.maxItems;
  const truncation: ResponseBody = { IsTruncated: truncated };
  if (truncated) truncation.Marker = Buffer.from(items[items.length - 1]!.name, 'utf8').toString('base64url');
  return { items, truncation };
}

// ---- entities ----

export async function requireEntity(ctx: OperationContext, kind: RamEntityKind, name: string, missing: ErrorDefinition): Promise<RamEntityRecord> {
  const e = await ctx.store.getRamEntity(ctx.principal.accountId, kind, name);
  if (!e) throw new PopError(missing);
  return e;
}

export const requireUser = (ctx: OperationContext, name: string) => requireEntity(ctx, 'user', name, E.EntityNotExistUser);
export const requireGroup = (ctx: OperationContext, name: string) => requireEntity(ctx, 'group', name, E.EntityNotExistGroup);
export const requireRole = (ctx: OperationContext, name: string) => requireEntity(ctx, 'role', name, E.EntityNotExistRole);

/** Something that keeps an entity from being deleted, and the DeleteConflict error it raises. */
export type DeleteBlocker = readonly [RamDependents, ErrorDefinition];

/**
 * Deletes a user, group or role unless something still depends on it: the store decides that together with
 * the delete, against links and AccessKeys added concurrently (store.deleteRamEntityUnlinked). The first
 * blocker found, in the order given, is the error; `missing` when another request deleted the entity first.
 */
export async function deleteUnlinked(ctx: OperationContext, e: RamEntityRecord, blockers: readonly DeleteBlocker[], missing: ErrorDefinition): Promise<void> {
  const outcome = await ctx.store.deleteRamEntityUnlinked(e.accountId, e.kind, e.id, blockers.map(([dependent]) => dependent));
  if (outcome === 'deleted') return;
  if (outcome === 'missing') throw new PopError(missing);
  throw new PopError(blockers.find(([dependent]) => dependent === outcome)![1]);
}

/** Copies the set string fields of `data` into a response object under their API names. */
export function fields(data: Record<string, unknown>, names: Record<string, string>): ResponseBody {
  const out: ResponseBody = {};
  for (const [key, apiName] of Object.entries(names)) {
    const v = data[key];
    if (typeof v === 'string' && v !== '') out[apiName] = v;
  }
  return out;
}
