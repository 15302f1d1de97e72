/**
 * The STS parameter table (ram.md §9; AssumeRoleRequest.ts): RoleSessionName 2–64, Policy 1–2,048,
 * ExternalId 2–1,224 (documented); RoleArn is acs:ram::{account}:role/{name of at most 64}; SourceIdentity
 * decided at 64. Over-long → InvalidParameter.{Name} like STS's other parameter errors, a session policy
 * InvalidParameter.PolicySize.
 */
import { E, PopError, ramInvalidParameter } from '../../pop/errors';
import type { ParameterTable } from '../params';
import { CLOUD_QUOTAS } from '../../quotas/resource-quotas';

export const STS_PARAMETERS: ParameterTable = {
  maxLength: {
    RoleArn: 128, RoleSessionName: 64, DurationSeconds: 32, Policy: CLOUD_QUOTAS.stsSessionPolicyLength, ExternalId: 1224, SourceIdentity: 64,
  },
  invalid(name, rule, message) {
    if (name === 'Policy' && rule === 'Length') return new PopError(E.InvalidParameterPolicySize);
    return ramInvalidParameter(name, undefined, message);
  },
};
