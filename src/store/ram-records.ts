/**
 * Records of the RAM & STS tables (see the `---- RAM & STS ----` section of store.ts). The store keeps
 * them; naming rules, limits and policy validation live above it (src/iam, src/products/ram, sts).
 * Users, groups, roles and custom policies are one generic "entity" shape: an id, a name unique per
 * account and kind, and a JSON payload owned by the product code.
 */

export type RamEntityKind = 'user' | 'group' | 'role' | 'policy';

export interface RamEntityRecord {
  accountId: string;
  kind: RamEntityKind;
  id: string;
  /** unique per (accountId, kind), compared exactly */
  name: string;
  createDate: number; // epoch ms
  updateDate: number; // epoch ms
  data: Record<string, unknown>;
  /**
   * Set by the store when it reads an entity (createRamEntity ignores it): moves on with every update, so a
   * read-modify-write can be made conditional (updateRamEntity with expectedRevision).
   */
  revision?: number;
}

/** user-group: user → group membership; *-policy: attachment of a policy (toId = a policy key, see iam/policy-store). */
export type RamLinkKind = 'user-group' | 'user-policy' | 'group-policy' | 'role-policy';

export interface RamLinkRecord {
  accountId: string;
  kind: RamLinkKind;
  fromId: string;
  toId: string;
  createDate: number; // epoch ms
}

/** The kind of entity each kind of link goes from (by its id). */
export const RAM_LINK_FROM: Readonly<Record<RamLinkKind, 'user' | 'group' | 'role'>> = {
  'user-group': 'user', 'user-policy': 'user', 'group-policy': 'group', 'role-policy': 'role',
};

/** An entity a write needs to exist: by id, or by name (links name a custom policy by its key, not its id). */
export type RamEntityRef = { kind: RamEntityKind; id: string } | { kind: RamEntityKind; name: string };

/**
 * What keeps an entity from being deleted: links of a kind from or to an id (or a policy key), or the
 * AccessKeys of a RAM user.
 */
export type RamDependents = { links: RamLinkKind; from: string } | { links: RamLinkKind; to: string } | { accessKeysOf: string };

/** A bound on the links of the link's kind from one entity, counting those whose toId starts with `toPrefix`. */
export interface RamLinkLimit {
  toPrefix: string;
  max: number;
}

/** An AccessKey of a RAM user (root keys stay in AccessKeyRecord). */
export interface UserAccessKeyRecord {
  accessKeyId: string;
  accountId: string;
  userId: string;
  secret: string;
  status: 'Active' | 'Inactive';
  createDate: number; // epoch ms
}

/** Temporary credentials issued by STS AssumeRole. */
export interface StsSessionRecord {
  accessKeyId: string;
  /** the role's account */
  accountId: string;
  secret: string;
  token: string;
  roleId: string;
  roleName: string;
  sessionName: string;
  /** the session policy document, as given */
  sessionPolicy: string | null;
  sourceIdentity: string | null;
  /**
   * The RAM user at the root of the role chain that led here (the caller of the first AssumeRole; a chained
   * session inherits its caller's). Null only for sessions stored before it was recorded (migration 8).
   */
  originAccountId: string | null;
  originUserId: string | null;
  expiresAt: number; // epoch ms
  createDate: number; // epoch ms
}
