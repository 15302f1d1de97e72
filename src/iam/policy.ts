/**
 * The RAM policy engine: a pure module. `compilePolicy` validates a policy document (ram.md §1) and turns
 * it into matchers once; `evaluate` decides one request against a set of compiled policies (ram.md §4):
 * a matching Deny wins, else a matching Allow allows, else the request is implicitly denied.
 * Actions match case-insensitively, resources case-sensitively (docs/compatibility.md).
 */
import { compileConditionBlock, PolicySyntaxError, type CompiledCondition, type ConditionContext } from './conditions';
import { compileWildcards, type Matcher } from './wildcard';

export { PolicySyntaxError } from './conditions';
export type { ConditionContext } from './conditions';

/** identity: attached to users, groups, roles, or a session policy; trust: a role's AssumeRolePolicyDocument */
export type PolicyKind = 'identity' | 'trust';
export type Effect = 'Allow' | 'Deny';
export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

interface CompiledStatement {
  effect: Effect;
  action: Matcher;
  notAction: boolean;
  /** absent in trust policies */
  resource?: Matcher;
  notResource: boolean;
  condition?: CompiledCondition;
  /** trust policies: principal type (RAM, Service, Federated) → accepted values */
  principal?: Map<string, Set<string>> | '*';
}

export interface CompiledPolicy {
  readonly statements: readonly CompiledStatement[];
}

export interface AccessRequest {
  action: string;
  resource: string;
  context: ConditionContext;
}

const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition', 'Principal']);
const ACTION = /^(\*|[A-Za-z0-9*?-]+:[A-Za-z0-9*?_.-]+)$/;
const PRINCIPAL_TYPES = new Set(['RAM', 'Service', 'Federated']);

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function stringList(v: unknown, what: string): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || list.some((x) => typeof x !== 'string' || x.length === 0)) {
    throw new PolicySyntaxError(`${what} must be a non-empty string or a non-empty array of non-empty strings`);
  }
  return list as string[];
}

/** Own members only: `in` would also see the prototype's (harmless for these names, but never a habit here). */
const has = (o: Record<string, unknown>, key: string): boolean => Object.hasOwn(o, key);

function exactlyOne(st: Record<string, unknown>, a: string, b: string, i: number, required: boolean): string | undefined {
  if (has(st, a) && has(st, b)) throw new PolicySyntaxError(`Statement ${i}: ${a} and ${b} are exclusive`);
  if (has(st, a)) return a;
  if (has(st, b)) return b;
  if (required) throw new PolicySyntaxError(`Statement ${i}: ${a} or ${b} is required`);
  return undefined;
}

function compilePrincipal(raw: unknown, i: number): Map<string, Set<string>> | '*' {
  if (raw === '*') return '*';
  if (!isObject(raw) || Object.keys(raw).length === 0) throw new PolicySyntaxError(`Statement ${i}: Principal must be "*" or an object`);
  const out = new Map<string, Set<string>>();
  for (const [type, values] of Object.entries(raw)) {
    if (!PRINCIPAL_TYPES.has(type)) throw new PolicySyntaxError(`Statement ${i}: unknown principal type "${type}"`);
    out.set(type, new Set(stringList(values, `Statement ${i}: Principal.${type}`)));
  }
  return out;
}

function compileStatement(raw: unknown, i: number, kind: PolicyKind): CompiledStatement {
  if (!isObject(raw)) throw new PolicySyntaxError(`Statement ${i} must be an object`);
  for (const key of Object.keys(raw)) {
    if (!STATEMENT_KEYS.has(key)) throw new PolicySyntaxError(`Statement ${i}: unknown element "${key}"`);
  }
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') throw new PolicySyntaxError(`Statement ${i}: Effect must be Allow or Deny`);
  const actionKey = exactlyOne(raw, 'Action', 'NotAction', i, true)!;
  const actions = stringList(raw[actionKey], `Statement ${i}: ${actionKey}`);
  for (const a of actions) if (!ACTION.test(a)) throw new PolicySyntaxError(`Statement ${i}: "${a}" is not an action (service:Name)`);
  const resourceKey = exactlyOne(raw, 'Resource', 'NotResource', i, kind === 'identity');
  let resource: Matcher | undefined;
  if (resourceKey) {
    const resources = stringList(raw[resourceKey], `Statement ${i}: ${resourceKey}`);
    for (const r of resources) if (r !== '*' && !r.startsWith('acs:')) throw new PolicySyntaxError(`Statement ${i}: "${r}" is not a resource ARN (acs:…)`);
    resource = compileWildcards(resources, false);
  }
  if (kind === 'identity' && has(raw, 'Principal')) throw new PolicySyntaxError(`Statement ${i}: Principal is allowed only in trust policies`);
  if (kind === 'trust' && !has(raw, 'Principal')) throw new PolicySyntaxError(`Statement ${i}: a trust policy statement needs a Principal`);
  return {
    effect: raw.Effect,
    action: compileWildcards(actions, true),
    notAction: actionKey === 'NotAction',
    resource,
    notResource: resourceKey === 'NotResource',
    condition: has(raw, 'Condition') ? compileConditionBlock(raw.Condition) : undefined,
    principal: kind === 'trust' ? compilePrincipal(raw.Principal, i) : undefined,
  };
}

/** Parses and validates a policy document; throws PolicySyntaxError with the reason. */
export function compilePolicy(text: string, kind: PolicyKind = 'identity'): CompiledPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new PolicySyntaxError('the policy document is not valid JSON');
  }
  if (!isObject(doc)) throw new PolicySyntaxError('the policy document must be a JSON object');
  for (const key of Object.keys(doc)) {
    if (key !== 'Version' && key !== 'Statement') throw new PolicySyntaxError(`unknown element "${key}"`);
  }
  if (doc.Version !== '1') throw new PolicySyntaxError('Version must be "1"');
  // Decided: a single statement object is accepted as well as an array (docs/compatibility.md).
  const raw = Array.isArray(doc.Statement) ? doc.Statement : isObject(doc.Statement) ? [doc.Statement] : undefined;
  if (!raw || raw.length === 0) throw new PolicySyntaxError('Statement must be a non-empty array');
  return { statements: raw.map((st, i) => compileStatement(st, i + 1, kind)) };
}

function matchesRequest(st: CompiledStatement, req: AccessRequest): boolean {
  if (st.action(req.action) === st.notAction) return false;
  if (st.resource && st.resource(req.resource) === st.notResource) return false;
  return st.condition === undefined || st.condition(req.context);
}

/** A statement that denies explicitly: its policy (named by the caller) and its number in the document (from 1). */
export interface DenyingStatement {
  policy: string;
  statement: number;
}

/** The first statement of `policies` that explicitly denies `req` (`names[i]` names `policies[i]`). Denials only: off the allow path. */
export function denyingStatement(policies: readonly CompiledPolicy[], names: readonly string[], req: AccessRequest): DenyingStatement | undefined {
  for (let p = 0; p < policies.length; p++) {
    const statements = policies[p]!.statements;
    for (let s = 0; s < statements.length; s++) {
      if (statements[s]!.effect === 'Deny' && matchesRequest(statements[s]!, req)) return { policy: names[p]!, statement: s + 1 };
    }
  }
  return undefined;
}

/** Deny beats Allow; no match is an implicit deny. */
export function evaluate(policies: readonly CompiledPolicy[], req: AccessRequest): Decision {
  let allowed = false;
  for (const policy of policies) {
    for (const st of policy.statements) {
      if (!matchesRequest(st, req)) continue;
      if (st.effect === 'Deny') return 'ExplicitDeny';
      allowed = true;
    }
  }
  return allowed ? 'Allow' : 'ImplicitDeny';
}

/** Who asks to assume a role, by principal type: e.g. RAM → ['acs:ram::123:root', '123', 'acs:ram::123:user/alice']. */
export type TrustCaller = ReadonlyMap<string, readonly string[]>;

function principalMatches(principal: CompiledStatement['principal'], caller: TrustCaller): boolean {
  if (principal === undefined) return false;
  if (principal === '*') return true;
  for (const [type, accepted] of principal) {
    // Only the caller's own principal type: {"Service": "*"} trusts any service, never a RAM identity.
    const ids = caller.get(type);
    if (ids === undefined) continue;
    if (accepted.has('*')) return true;
    for (const id of ids) if (accepted.has(id)) return true;
  }
  return false;
}

/** A trust policy decides sts:AssumeRole for a caller: same Deny/Allow rules, statements filtered by Principal. */
export function evaluateTrust(policy: CompiledPolicy, caller: TrustCaller, context: ConditionContext, action = 'sts:AssumeRole'): Decision {
  let allowed = false;
  for (const st of policy.statements) {
    if (!principalMatches(st.principal, caller)) continue;
    if (st.action(action) === st.notAction) continue;
    if (st.condition !== undefined && !st.condition(context)) continue;
    if (st.effect === 'Deny') return 'ExplicitDeny';
    allowed = true;
  }
  return allowed ? 'Allow' : 'ImplicitDeny';
}

/** A context for evaluation from the global condition keys (ram.md §3) plus any service keys. */
export function conditionContext(values: Record<string, string | readonly string[] | undefined>): ConditionContext {
  const out = new Map<string, readonly string[]>();
  for (const [key, v] of Object.entries(values)) {
    if (v === undefined) continue;
    out.set(key.toLowerCase(), typeof v === 'string' ? [v] : v);
  }
  return out;
}
