/**
 * Whose AccessKey signed a request: a root account's key, a RAM user's key, or STS temporary credentials
 * (`STS.` key + SecurityToken). Checks follow ram.md §9: token present → well formed → names this key →
 * known and equal → not expired; the signature is verified afterwards with the returned secret.
 */
import { E, PopError } from '../pop/errors';
import type { Store } from '../store/store';
import { STS_KEY_PREFIX } from '../iam/ids';
import { securityTokenAccessKeyId } from '../iam/sts-token';
import { safeEqual } from '../pop/signature';
import type { Principal } from './principal';

export interface ResolvedCredential {
  accessKeyId: string;
  secret: string;
  principal: Principal;
}

export async function resolveCredential(store: Store, accessKeyId: string, securityToken: string | undefined, now: number): Promise<ResolvedCredential> {
  if (accessKeyId.startsWith(STS_KEY_PREFIX)) return resolveSession(store, accessKeyId, securityToken, now);

  const root = await store.getAccessKey(accessKeyId);
  if (root) {
    if (root.status !== 'Active') throw new PopError(E.InvalidAccessKeyIdInactive);
    return { accessKeyId, secret: root.secret, principal: { kind: 'root', accountId: root.accountId, accessKeyId } };
  }
  const key = await store.getUserAccessKey(accessKeyId);
  if (!key) throw new PopError(E.InvalidAccessKeyIdNotFound);
  if (key.status !== 'Active') throw new PopError(E.InvalidAccessKeyIdInactive);
  const user = await store.getRamEntityById(key.accountId, 'user', key.userId);
  if (!user) throw new PopError(E.InvalidAccessKeyIdNotFound); // the user is gone; its keys went with it
  return {
    accessKeyId,
    secret: key.secret,
    principal: { kind: 'user', accountId: key.accountId, accessKeyId, userId: user.id, userName: user.name },
  };
}

async function resolveSession(store: Store, accessKeyId: string, token: string | undefined, now: number): Promise<ResolvedCredential> {
  if (token === undefined || token === '') throw new PopError(E.MissingSecurityToken);
  const named = securityTokenAccessKeyId(token);
  if (named === undefined) throw new PopError(E.InvalidSecurityTokenMalformed);
  if (named !== accessKeyId) throw new PopError(E.InvalidSecurityTokenMismatch);
  const session = await store.getStsSession(accessKeyId);
  if (!session) throw new PopError(E.InvalidAccessKeyIdNotFound);
  if (!safeEqual(session.token, token)) throw new PopError(E.InvalidSecurityTokenMismatch);
  if (session.expiresAt <= now) throw new PopError(E.InvalidSecurityTokenExpired);
  return {
    accessKeyId,
    secret: session.secret,
    principal: {
      kind: 'role',
      accountId: session.accountId,
      accessKeyId,
      roleId: session.roleId,
      roleName: session.roleName,
      sessionName: session.sessionName,
      sessionPolicy: session.sessionPolicy,
      expiresAt: session.expiresAt,
      chainOrigin: session.originAccountId !== null && session.originUserId !== null ? { accountId: session.originAccountId, userId: session.originUserId } : null,
    },
  };
}
