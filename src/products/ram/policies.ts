/**
 * Policies and their versions: CreatePolicy, GetPolicy, ListPolicies, DeletePolicy, CreatePolicyVersion,
 * GetPolicyVersion, ListPolicyVersions, DeletePolicyVersion, SetDefaultPolicyVersion (ram.md §5, §6).
 * Documents are validated by the policy engine at write time.
 */
import { E, PopError, missingParameter, ramInvalidParameter } from '../../pop/errors';
import type { Params } from '../../pop/signature';
import { compiledPolicy } from '../../iam/effective';
import { ramDate, randomDigits } from '../../iam/ids';
import { PolicySyntaxError, type PolicyKind } from '../../iam/policy';
import {
  customPolicyData, findPolicy, policyKey, POLICY_TYPES, type CustomPolicyData, type PolicyType, type PolicyVersion, type ResolvedPolicy,
} from '../../iam/policy-store';
import { systemPolicies } from '../../iam/system-policies';
import type { Store } from '../../store/store';
import type { OperationContext, ResponseBody } from '../product';
import { quotaExceeded, quotasOf } from '../../quotas/resource-quotas';
import { bool, optional, page, policyName, ramArn, ramOperation, required, text, type Page } from './product';

/** Validates a document for storage (its length is bounded by RAM_PARAMETERS); errors as RAM reports them. */
export function validDocument(params: Params, param: string, kind: PolicyKind): string {
  const doc = required(params, param);
  try {
    compiledPolicy(doc, kind);
  } catch (err) {
    if (err instanceof PolicySyntaxError) throw new PopError(E.MalformedPolicyDocument, `${E.MalformedPolicyDocument.message} ${err.message}.`);
    throw err;
  }
  return doc;
}

export function policyType(params: Params, isRequired: boolean): PolicyType | undefined {
  const v = optional(params, 'PolicyType');
  if (v === undefined) {
    if (isRequired) throw missingParameter('PolicyType');
    return undefined;
  }
  if (!(POLICY_TYPES as readonly string[]).includes(v)) throw new PopError(E.InvalidParameterPolicyType);
  return v as PolicyType;
}

export async function requirePolicy(ctx: OperationContext, type: PolicyType, name: string): Promise<ResolvedPolicy> {
  const p = await findPolicy(ctx.store, ctx.principal.accountId, type, name);
  if (!p) throw new PopError(E.EntityNotExistPolicy);
  return p;
}

const POLICY_LINK_KINDS = ['user-policy', 'group-policy', 'role-policy'] as const;

async function attachmentCount(store: Store, accountId: string, key: string): Promise<number> {
  let n = 0;
  for (const kind of POLICY_LINK_KINDS) n += (await store.listRamLinksTo(accountId, kind, key)).length;
  return n;
}

const versionView = (v: PolicyVersion, p: { defaultVersion: string }): ResponseBody => ({
  VersionId: v.versionId, IsDefaultVersion: v.versionId === p.defaultVersion, PolicyDocument: v.document, CreateDate: ramDate(v.createDate),
});

async function policyView(ctx: OperationContext, p: ResolvedPolicy): Promise<ResponseBody> {
  return {
    PolicyName: p.name, PolicyType: p.type, Description: p.description, DefaultVersion: p.defaultVersion,
    AttachmentCount: await attachmentCount(ctx.store, ctx.principal.accountId, policyKey(p.type, p.name)),
    CreateDate: ramDate(p.createDate), UpdateDate: ramDate(p.updateDate),
  };
}

function findVersion(p: ResolvedPolicy, versionId: string): PolicyVersion {
  const v = p.versions.find((x) => x.versionId === versionId);
  if (!v) throw new PopError(E.EntityNotExistPolicyVersion);
  return v;
}

/** Read-modify-write attempts of a custom policy that lose races to concurrent changes before ServiceUnavailable. */
export const POLICY_WRITE_ATTEMPTS = 8;

/**
 * Runs `attempt` (read the policy, check, write conditionally; undefined when the write lost a race) until it
 * wins: the database decides between racing writers, the loser re-reads and re-applies its change.
 */
async function retryLostRaces<T>(attempt: () => Promise<T | undefined>): Promise<T> {
  for (let i = 1; i <= POLICY_WRITE_ATTEMPTS; i++) {
    const result = await attempt();
    if (result !== undefined) return result;
    await new Promise((resolve) => setTimeout(resolve, 5 * i * Math.random()));
  }
  throw new PopError(E.ServiceUnavailable);
}

/**
 * Changes a custom policy's data: `change` gets the policy as read (it may throw) and returns the new data and
 * the operation's result; the write happens only if nobody wrote the policy since it was read, else it re-runs.
 */
async function changeCustom<T>(
  ctx: OperationContext, name: string, change: (p: ResolvedPolicy, data: CustomPolicyData) => { data: CustomPolicyData; result: T },
): Promise<T> {
  return retryLostRaces(async () => {
    const p = await requirePolicy(ctx, 'Custom', name);
    const { data, result } = change(p, customPolicyData(p.entity!));
    const entity = { ...p.entity!, data: data as unknown as Record<string, unknown>, updateDate: ctx.now };
    return (await ctx.store.updateRamEntity(entity, p.entity!.revision ?? 0)) ? { result } : undefined;
  }).then((r) => r.result);
}

const arn = (input: { name: string }, pr: { accountId: string }) => ramArn(pr.accountId, 'policy', input.name);

export const createPolicy = ramOperation<{ name: string; document: string; description: string }>({
  action: 'CreatePolicy',
  write: true,
  resource: arn,
  parse: (params) => ({ name: policyName(params), document: validDocument(params, 'PolicyDocument', 'identity'), description: text(params, 'Description') ?? '' }),
  async run(input, ctx) {
    const accountId = ctx.principal.accountId;
    const data: CustomPolicyData = {
      description: input.description, defaultVersion: 'v1', nextVersion: 2, versions: [{ versionId: 'v1', document: input.document, createDate: ctx.now }],
    };
    // Counted and inserted in one step under the account's RAM lock: concurrent creates never overshoot.
    const limit = quotasOf(ctx.settings).customPoliciesPerAccount;
    const created = await ctx.store.createRamEntity({
      accountId, kind: 'policy', id: randomDigits(16), name: input.name, createDate: ctx.now, updateDate: ctx.now, data: data as unknown as Record<string, unknown>,
    }, limit);
    if (created === 'limit') throw quotaExceeded(E.LimitExceededPolicy, limit);
    if (created === 'exists') throw new PopError(E.EntityAlreadyExistsPolicy);
    return { Policy: { PolicyName: input.name, PolicyType: 'Custom', Description: input.description, DefaultVersion: 'v1', CreateDate: ramDate(ctx.now) } };
  },
});

export const getPolicy = ramOperation<{ name: string; type: PolicyType }>({
  action: 'GetPolicy',
  write: false,
  resource: arn,
  parse: (params) => ({ name: policyName(params), type: policyType(params, true)! }),
  async run(input, ctx) {
    const p = await requirePolicy(ctx, input.type, input.name);
    const def = findVersion(p, p.defaultVersion);
    return { Policy: { ...(await policyView(ctx, p)), PolicyDocument: def.document }, DefaultPolicyVersion: versionView(def, p) };
  },
});

export const listPolicies = ramOperation<Page & { type?: PolicyType }>({
  action: 'ListPolicies',
  write: false,
  resource: (_input, pr) => ramArn(pr.accountId, 'policy', '*'),
  parse: (params) => ({ ...page(params), type: policyType(params, false) }),
  async run(input, ctx) {
    // Order: system policies, then custom ones, each by name; the Marker is the last policy key returned.
    const { marker, maxItems } = input;
    const accountId = ctx.principal.accountId;
    const systemNames = input.type === 'Custom' ? [] : systemPolicies().map((sp) => sp.name).sort();
    let customAfter: string | undefined;
    let systemFrom = 0;
    if (marker?.startsWith('System:')) {
      systemFrom = systemNames.filter((n) => n <= marker.slice(7)).length;
    } else if (marker?.startsWith('Custom:')) {
      systemFrom = systemNames.length;
      customAfter = marker.slice(7);
    } else if (marker !== undefined) {
      throw ramInvalidParameter('Marker', undefined, 'The parameter Marker is not valid.');
    }
    const found: ResolvedPolicy[] = [];
    for (const name of systemNames.slice(systemFrom)) found.push((await findPolicy(ctx.store, accountId, 'System', name))!);
    if (input.type !== 'System' && found.length <= maxItems) {
      for (const e of await ctx.store.listRamEntities(accountId, 'policy', customAfter, maxItems + 1 - found.length)) {
        found.push((await findPolicy(ctx.store, accountId, 'Custom', e.name))!);
      }
    }
    const items = found.slice(0, maxItems);
    const out: ResponseBody = { IsTruncated: found.length > maxItems };
    if (found.length > maxItems) out.Marker = Buffer.from(policyKey(items.at(-1)!.type, items.at(-1)!.name), 'utf8').toString('base64url');
    out.Policies = { Policy: await Promise.all(items.map((p) => policyView(ctx, p))) };
    return out;
  },
});

export const deletePolicy = ramOperation<{ name: string; cascading: boolean }>({
  action: 'DeletePolicy',
  write: true,
  resource: arn,
  parse: (params) => ({ name: policyName(params), cascading: bool(params, 'CascadingDelete', false) }),
  async run(input, ctx) {
    const accountId = ctx.principal.accountId;
    return retryLostRaces(async () => {
      const p = await requirePolicy(ctx, 'Custom', input.name);
      const key = policyKey('Custom', p.name);
      if ((await attachmentCount(ctx.store, accountId, key)) > 0) throw new PopError(E.DeleteConflictPolicyAttachment);
      if (!input.cascading && p.versions.length > 1) throw new PopError(E.DeleteConflictPolicyVersion);
      // The store decides "no attachments" again together with the delete (and only if the versions checked are
      // current), against AttachPolicyTo* racing with it (store.addRamLinkToEntity).
      const dependents = POLICY_LINK_KINDS.map((links) => ({ links, to: key }));
      const outcome = await ctx.store.deleteRamEntityUnlinked(accountId, 'policy', p.entity!.id, dependents, p.entity!.revision ?? 0);
      if (outcome === 'deleted') return {};
      if (outcome === 'missing') return undefined;
      throw new PopError(E.DeleteConflictPolicyAttachment);
    });
  },
});

export const createPolicyVersion = ramOperation<{ name: string; document: string; setAsDefault: boolean; rotate: boolean }>({
  action: 'CreatePolicyVersion',
  write: true,
  resource: arn,
  parse(params) {
    const rotate = optional(params, 'RotateStrategy') ?? 'None';
    if (rotate !== 'None' && rotate !== 'DeleteOldestNonDefaultVersionWhenLimitExceeded') {
      throw ramInvalidParameter('RotateStrategy', undefined, 'The parameter RotateStrategy must be None or DeleteOldestNonDefaultVersionWhenLimitExceeded.');
    }
    return {
      name: policyName(params), document: validDocument(params, 'PolicyDocument', 'identity'),
      setAsDefault: bool(params, 'SetAsDefault', false), rotate: rotate !== 'None',
    };
  },
  async run(input, ctx) {
    const limit = quotasOf(ctx.settings).versionsPerPolicy;
    return changeCustom(ctx, input.name, (_p, data) => {
      let versions = [...data.versions];
      if (versions.length >= limit) {
        const oldest = versions.find((v) => v.versionId !== data.defaultVersion);
        if (!input.rotate || !oldest) throw quotaExceeded(E.LimitExceededPolicyVersion, limit);
        versions = versions.filter((v) => v !== oldest);
      }
      const version: PolicyVersion = { versionId: `v${data.nextVersion}`, document: input.document, createDate: ctx.now };
      versions.push(version);
      const next: CustomPolicyData = { ...data, versions, nextVersion: data.nextVersion + 1, defaultVersion: input.setAsDefault ? version.versionId : data.defaultVersion };
      return { data: next, result: { PolicyVersion: versionView(version, next) } };
    });
  },
});

export const getPolicyVersion = ramOperation<{ name: string; type: PolicyType; versionId: string }>({
  action: 'GetPolicyVersion',
  write: false,
  resource: arn,
  parse: (params) => ({ name: policyName(params), type: policyType(params, true)!, versionId: required(params, 'VersionId') }),
  async run(input, ctx) {
    const p = await requirePolicy(ctx, input.type, input.name);
    return { PolicyVersion: versionView(findVersion(p, input.versionId), p) };
  },
});

export const listPolicyVersions = ramOperation<{ name: string; type: PolicyType }>({
  action: 'ListPolicyVersions',
  write: false,
  resource: arn,
  parse: (params) => ({ name: policyName(params), type: policyType(params, true)! }),
  async run(input, ctx) {
    const p = await requirePolicy(ctx, input.type, input.name);
    return { PolicyVersions: { PolicyVersion: p.versions.map((v) => versionView(v, p)) } };
  },
});

export const deletePolicyVersion = ramOperation<{ name: string; versionId: string }>({
  action: 'DeletePolicyVersion',
  write: true,
  resource: arn,
  parse: (params) => ({ name: policyName(params), versionId: required(params, 'VersionId') }),
  async run(input, ctx) {
    return changeCustom(ctx, input.name, (p, data) => {
      findVersion(p, input.versionId);
      if (input.versionId === p.defaultVersion) throw new PopError(E.DeleteConflictPolicyVersionDefault);
      return { data: { ...data, versions: data.versions.filter((v) => v.versionId !== input.versionId) }, result: {} };
    });
  },
});

export const setDefaultPolicyVersion = ramOperation<{ name: string; versionId: string }>({
  action: 'SetDefaultPolicyVersion',
  write: true,
  resource: arn,
  parse: (params) => ({ name: policyName(params), versionId: required(params, 'VersionId') }),
  async run(input, ctx) {
    return changeCustom(ctx, input.name, (p, data) => {
      findVersion(p, input.versionId);
      return { data: { ...data, defaultVersion: input.versionId }, result: {} };
    });
  },
});
