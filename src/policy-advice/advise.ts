/**
 * Policy advice (pure): the least-privilege RAM policy document that allows exactly the (action, resource) pairs
 * a test run asked for — allowed or denied alike, since the point is what the code needs. Actions that need the
 * same resources share a statement; resources stay exact ARNs (no wildcards are invented).
 */
import type { AuthorizationDecision } from './decision-log';

export interface PolicyDocument {
  Version: '1';
  Statement: Array<{ Effect: 'Allow'; Action: string[]; Resource: string[] }>;
}

/** RAM's limit on a policy document (ram.md); advice beyond it needs wildcards a person should choose. */
export const MAX_POLICY_DOCUMENT_LENGTH = 6144;

export function advisePolicy(decisions: readonly Pick<AuthorizationDecision, 'action' | 'resource'>[]): PolicyDocument {
  const resourcesByAction = new Map<string, Set<string>>();
  for (const d of decisions) {
    let set = resourcesByAction.get(d.action);
    if (!set) resourcesByAction.set(d.action, (set = new Set()));
    set.add(d.resource);
  }
  const actionsByResources = new Map<string, { actions: string[]; resources: string[] }>();
  for (const [action, set] of [...resourcesByAction].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const resources = [...set].sort();
    const key = JSON.stringify(resources);
    const group = actionsByResources.get(key);
    if (group) group.actions.push(action);
    else actionsByResources.set(key, { actions: [action], resources });
  }
  return { Version: '1', Statement: [...actionsByResources.values()].map((g) => ({ Effect: 'Allow', Action: g.actions, Resource: g.resources })) };
}
