/**
 * Who made a request, once its signature is verified: an account's root identity, a RAM user (through one
 * of its AccessKeys) or an assumed-role session (through STS temporary credentials).
 */
export type Principal = RootPrincipal | UserPrincipal | RolePrincipal;

export interface RootPrincipal {
  kind: 'root';
  accountId: string;
  accessKeyId: string;
}

export interface UserPrincipal {
  kind: 'user';
  accountId: string;
  accessKeyId: string;
  userId: string;
  userName: string;
}

export interface RolePrincipal {
  kind: 'role';
  /** the role's account */
  accountId: string;
  /** the temporary STS.… AccessKeyId */
  accessKeyId: string;
  roleId: string;
  roleName: string;
  sessionName: string;
  /** the session policy passed to AssumeRole, if any */
  sessionPolicy: string | null;
  expiresAt: number;
  /** the RAM user at the root of the role chain (StsSessionRecord); null for sessions older than its record */
  chainOrigin: { accountId: string; userId: string } | null;
}

/** RAM ARN of the principal (GetCallerIdentity, trust policies, AssumeRole responses). */
export function principalArn(p: Principal): string {
  switch (p.kind) {
    case 'root':
      return `acs:ram::${p.accountId}:root`;
    case 'user':
      return `acs:ram::${p.accountId}:user/${p.userName}`;
    case 'role':
      // The AssumeRole example shows the role name lower-cased here (acs:ram::…:role/adminrole/alice).
      return `acs:ram::${p.accountId}:role/${p.roleName.toLowerCase()}/${p.sessionName}`;
  }
}
