/**
 * The signed-in credentials live in sessionStorage only (gone when the tab closes; never in a URL, a cookie or
 * a log line), with the region the user works in.
 */
import type { SigningKey } from './signer';

export interface Session extends SigningKey {
  regionId: string;
  /** who GetCallerIdentity said we are */
  arn: string;
}

const KEY = 'vcoroute.console.session';

export function loadSession(): Session | undefined {
  try {
    const text = sessionStorage.getItem(KEY);
    return text ? (JSON.parse(text) as Session) : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}
