/**
 * The policies that apply to a principal, compiled and cached, and the decision for one request
 * (ram.md §4): session policy, then identity policies (the user's own and its groups', or the role's).
 *
 * Caching keeps the read path fast: documents compile once (by text), and each principal's compiled set
 * is kept while the account's RAM generation — a counter in the store that every RAM write bumps — is
 * unchanged. The generation is read from the store on every decision, so a change made through any server
 * sharing the database is seen by the next request everywhere: the cache is never stale.
 */
import type { Principal, RolePrincipal, UserPrincipal } from '../identity/principal';
import type { Store } from '../store/store';
import { cacheOwner } from '../store/read-ahead';
import { compilePolicy, denyingStatement, evaluate, type AccessRequest, type CompiledPolicy, type DenyingStatement, type PolicyKind } from './policy';
import { defaultDocument, findPolicy, splitPolicyKey } from './policy-store';

export type PolicyTypeName = 'AccountLevelIdentityBasedPolicy' | 'SessionPolicy' | 'AssumeRolePolicy';

export interface Verdict {
  decision: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
  /** the policy type that decided a denial (AccessDeniedDetail.PolicyType) */
  policyType: PolicyTypeName;
  /** an explicit denial: the statement that denied (policy `Custom:name`, `System:name` or `SessionPolicy`) */
  deniedBy?: DenyingStatement;
}

const MAX_COMPILED = 2000;
const compiled = new Map<string, CompiledPolicy>();

/** Compiles a document once per text (throws PolicySyntaxError). */
export function compiledPolicy(text: string, kind: PolicyKind = 'identity'): CompiledPolicy {
  const key = `${kind}\n${text}`;
  let c = compiled.get(key);
  if (!c) {
    c = compilePolicy(text, kind);
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(key, c);
  }
  return c;
}

interface PolicySet {
  policies: CompiledPolicy[];
  /** `Custom:name` / `System:name` of each policy, in the same order */
  names: string[];
}
interface CachedPolicies extends PolicySet {
  generation: number;
}
/** Per Store instance (i.e. per server process): principal key → policies under a generation. */
const caches = new WeakMap<Store, Map<string, CachedPolicies>>();
const MAX_CACHED_PRINCIPALS = 10_000;

function principalCache(store: Store): Map<string, CachedPolicies> {
  const owner = cacheOwner(store); // a request's read-ahead view shares its store's cache
  let c = caches.get(owner);
  if (!c) caches.set(owner, (c = new Map()));
  return c;
}

/** Every RAM write calls this: cached policy sets of the account become stale on every server. */
export async function invalidateAccount(store: Store, accountId: string): Promise<void> {
  await store.bumpRamGeneration(accountId);
}

/** Drops every cached policy set of a store (admin reset). */
export function forgetPolicyCache(store: Store): void {
  caches.delete(cacheOwner(store));
}

async function loadPolicies(store: Store, accountId: string, keys: string[]): Promise<PolicySet> {
  const out: PolicySet = { policies: [], names: [] };
  for (const key of keys) {
    const { type, name } = splitPolicyKey(key);
    const policy = await findPolicy(store, accountId, type, name);
    if (policy) {
      out.policies.push(compiledPolicy(defaultDocument(policy)));
      out.names.push(key);
    }
  }
  return out;
}

async function attachedKeys(store: Store, principal: UserPrincipal | RolePrincipal): Promise<string[]> {
  const { accountId } = principal;
  if (principal.kind === 'role') return (await store.listRamLinksFrom(accountId, 'role-policy', principal.roleId)).map((l) => l.toId);
  const keys = (await store.listRamLinksFrom(accountId, 'user-policy', principal.userId)).map((l) => l.toId);
  for (const membership of await store.listRamLinksFrom(accountId, 'user-group', principal.userId)) {
    for (const l of await store.listRamLinksFrom(accountId, 'group-policy', membership.toId)) keys.push(l.toId);
  }
  return keys;
}

/** The identity-based policies of a user (own + groups) or a role, compiled, from the cache when fresh. */
export async function identityPolicies(store: Store, principal: UserPrincipal | RolePrincipal): Promise<CompiledPolicy[]> {
  return (await identityPolicySet(store, principal)).policies;
}

async function identityPolicySet(store: Store, principal: UserPrincipal | RolePrincipal): Promise<PolicySet> {
  const cache = principalCache(store);
  const key = principal.kind === 'role' ? `${principal.accountId}:role:${principal.roleId}` : `${principal.accountId}:user:${principal.userId}`;
  const generation = await store.getRamGeneration(principal.accountId);
  const hit = cache.get(key);
  if (hit && hit.generation === generation) return hit;
  // Loaded after reading the generation: if a write lands meanwhile, the generation it bumps makes this
  // entry stale at the next request, so a newer policy set is never hidden.
  const loaded = await loadPolicies(store, principal.accountId, await attachedKeys(store, principal));
  if (cache.size >= MAX_CACHED_PRINCIPALS) cache.clear();
  cache.set(key, { generation, ...loaded });
  return loaded;
}

/** The decision for a RAM user or an assumed role; root principals never get here. */
export async function decide(store: Store, principal: Exclude<Principal, { kind: 'root' }>, request: AccessRequest): Promise<Verdict> {
  const set = await identityPolicySet(store, principal);
  const identity = evaluate(set.policies, request);
  if (principal.kind === 'role' && principal.sessionPolicy !== null) {
    const sessionPolicy = compiledPolicy(principal.sessionPolicy);
    const session = evaluate([sessionPolicy], request);
    // An explicit deny anywhere wins; the session policy comes first in the chain (ram.md §4.2), so its
    // denial is the one reported when both deny the same way. Allowed only when both allow (intersection).
    if (session === 'ExplicitDeny' || (session === 'ImplicitDeny' && identity !== 'ExplicitDeny')) {
      const deniedBy = session === 'ExplicitDeny' ? denyingStatement([sessionPolicy], ['SessionPolicy'], request) : undefined;
      return { decision: session, policyType: 'SessionPolicy', deniedBy };
    }
  }
  const deniedBy = identity === 'ExplicitDeny' ? denyingStatement(set.policies, set.names, request) : undefined;
  return { decision: identity, policyType: 'AccountLevelIdentityBasedPolicy', deniedBy };
}
