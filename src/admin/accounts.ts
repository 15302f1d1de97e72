/**
 * Admin: more root accounts. `POST /_vcoroute/v1/accounts` creates an isolated account with a fresh root
 * AccessKey and returns `{ accountId, accessKeyId, accessKeySecret }` (the only time the secret is shown).
 */
import { newAccessKeyId, newAccessKeySecret, newAccountId } from '../iam/ids';
import type { Store } from '../store/store';

export interface CreatedAccount {
  accountId: string;
  accessKeyId: string;
  accessKeySecret: string;
}

export async function createAccount(store: Store, now: number): Promise<CreatedAccount> {
  let accountId = newAccountId();
  while (await store.hasAccount(accountId)) accountId = newAccountId();
  const accessKeyId = newAccessKeyId();
  const accessKeySecret = newAccessKeySecret();
  await store.upsertAccount(accountId, now);
  await store.upsertAccessKey({ accessKeyId, accountId, secret: accessKeySecret, status: 'Active' }, now);
  return { accountId, accessKeyId, accessKeySecret };
}
