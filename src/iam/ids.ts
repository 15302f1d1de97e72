/** Identifier and secret shapes, modelled on the SDK examples (216959339000****, g-FpMEHiMysofp****, STS.L4aBSCSJVMuKg5U1****). */
import { randomBytes, randomInt } from '../random';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomAlnum(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[randomInt(ALNUM.length)];
  return out;
}

export function randomDigits(length: number): string {
  let out = String(randomInt(1, 10));
  while (out.length < length) out += String(randomInt(10));
  return out;
}

export const newAccountId = () => randomDigits(16);
export const newUserId = () => randomDigits(16);
export const newRoleId = () => randomDigits(16);
export const newGroupId = () => `g-${randomAlnum(14)}`;
/** Long-term AccessKeys (root and RAM users) look like LTAI + 20 characters. */
export const newAccessKeyId = () => `LTAI${randomAlnum(20)}`;
export const newAccessKeySecret = () => randomAlnum(30);
/** STS temporary AccessKeys carry the `STS.` prefix (pop-protocol.md §6, ram.md §9). */
export const STS_KEY_PREFIX = 'STS.';
export const newStsAccessKeyId = () => `${STS_KEY_PREFIX}${randomAlnum(24)}`;
export const newStsSecret = () => randomBytes(33).toString('base64url');

/** RAM dates: UTC ISO 8601 without milliseconds, 2015-01-23T12:33:18Z. */
export function ramDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
