import type { Operation } from '../product';
import { createAccessKey, deleteAccessKey, listAccessKeys, updateAccessKey } from './access-keys';
import { ATTACHMENT_OPERATIONS } from './attachments';
import {
  addUserToGroup, createGroup, deleteGroup, getGroup, listGroups, listGroupsForUser, listUsersForGroup, removeUserFromGroup, updateGroup,
} from './groups';
import {
  createPolicy, createPolicyVersion, deletePolicy, deletePolicyVersion, getPolicy, getPolicyVersion, listPolicies, listPolicyVersions,
  setDefaultPolicyVersion,
} from './policies';
import { createRole, deleteRole, getRole, listRoles, updateRole } from './roles';
import { createUser, deleteUser, getUser, listUsers, updateUser } from './users';

export const RAM_OPERATIONS: readonly Operation[] = [
  createUser, getUser, listUsers, updateUser, deleteUser,
  createAccessKey, listAccessKeys, updateAccessKey, deleteAccessKey,
  createPolicy, getPolicy, listPolicies, deletePolicy,
  createPolicyVersion, getPolicyVersion, listPolicyVersions, deletePolicyVersion, setDefaultPolicyVersion,
  ...ATTACHMENT_OPERATIONS,
  createGroup, getGroup, listGroups, updateGroup, deleteGroup, addUserToGroup, removeUserFromGroup, listGroupsForUser, listUsersForGroup,
  createRole, getRole, listRoles, updateRole, deleteRole,
];
