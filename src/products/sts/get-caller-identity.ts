/**
 * GetCallerIdentity: who is calling. Every authenticated caller may call it (identity/authorize.ts).
 * IdentityType values beyond the documented RAMUser are decided: Account, AssumedRoleUser.
 */
import { principalArn } from '../../identity/principal';
import { defineOperation } from '../product';
import { STS } from './product';

export const getCallerIdentity = defineOperation<Record<string, never>>({
  product: STS,
  action: 'GetCallerIdentity',
  ramAction: 'sts:GetCallerIdentity',
  resource: () => '*',
  clientToken: false,
  parse: () => ({}),
  async run(_input, { principal: p }) {
    const common = { AccountId: p.accountId, Arn: principalArn(p) };
    switch (p.kind) {
      case 'root':
        return { ...common, IdentityType: 'Account', PrincipalId: p.accountId, UserId: p.accountId };
      case 'user':
        return { ...common, IdentityType: 'RAMUser', PrincipalId: p.userId, UserId: p.userId };
      case 'role':
        return { ...common, IdentityType: 'AssumedRoleUser', PrincipalId: `${p.roleId}:${p.sessionName}`, RoleId: p.roleId };
    }
  },
});
