/**
 * Policies as the rest of the code sees them: system policies (code, system-policies.ts) and custom
 * policies (store entities of kind 'policy' with their versions in the payload). Attachments point at a
 * policy by key `System:<name>` / `Custom:<name>`; a custom policy cannot be deleted while attached.
 */
import type { RamEntityRecord, Store } from '../store/store';
import { systemPolicy } from './system-policies';

export type PolicyType = 'System' | 'Custom';
export const POLICY_TYPES: readonly PolicyType[] = ['System', 'Custom'];

export interface PolicyVersion {
  versionId: string; // v1, v2, …
  document: string;
  createDate: number;
}

/** The payload of a custom policy entity. */
export interface CustomPolicyData {
  description: string;
  defaultVersion: string;
  versions: PolicyVersion[];
  nextVersion: number;
}

export interface ResolvedPolicy {
  type: PolicyType;
  name: string;
  description: string;
  defaultVersion: string;
  versions: PolicyVersion[];
  createDate: number;
  updateDate: number;
  entity?: RamEntityRecord;
}

export const policyKey = (type: PolicyType, name: string): string => `${type}:${name}`;

export function splitPolicyKey(key: string): { type: PolicyType; name: string } {
  const i = key.indexOf(':');
  return { type: key.slice(0, i) as PolicyType, name: key.slice(i + 1) };
}

export function customPolicyData(entity: RamEntityRecord): CustomPolicyData {
  return entity.data as unknown as CustomPolicyData;
}

export function defaultDocument(policy: ResolvedPolicy): string {
  return policy.versions.find((v) => v.versionId === policy.defaultVersion)!.document;
}

export async function findPolicy(store: Store, accountId: string, type: PolicyType, name: string): Promise<ResolvedPolicy | undefined> {
  if (type === 'System') {
    const p = systemPolicy(name);
    if (!p) return undefined;
    return {
      type, name, description: p.description, defaultVersion: 'v1', createDate: p.createDate, updateDate: p.createDate,
      versions: [{ versionId: 'v1', document: p.document, createDate: p.createDate }],
    };
  }
  const entity = await store.getRamEntity(accountId, 'policy', name);
  if (!entity) return undefined;
  const data = customPolicyData(entity);
  return {
    type, name, description: data.description, defaultVersion: data.defaultVersion, versions: data.versions,
    createDate: entity.createDate, updateDate: entity.updateDate, entity,
  };
}
