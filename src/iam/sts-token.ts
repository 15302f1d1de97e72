/**
 * STS SecurityTokens: opaque to clients, but self-describing to the server so that the three documented
 * failures are told apart before any lookup (ram.md §9): not ours at all → Malformed; ours but naming
 * another AccessKeyId → MismatchWithAccessKey. Shape: `CAIS` + base64url(JSON {v, ak, n}), like the
 * CAIS… tokens Alibaba issues. The random nonce makes each token unguessable; the stored session holds it.
 */
import { randomBytes } from '../random';

const PREFIX = 'CAIS';

export function issueSecurityToken(accessKeyId: string): string {
  const body = JSON.stringify({ v: 1, ak: accessKeyId, n: randomBytes(32).toString('base64url') });
  return PREFIX + Buffer.from(body, 'utf8').toString('base64url');
}

/** The AccessKeyId a token names, or undefined when the token is malformed. */
export function securityTokenAccessKeyId(token: string): string | undefined {
  if (!token.startsWith(PREFIX) || token.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(token.slice(PREFIX.length))) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token.slice(PREFIX.length), 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { v, ak, n } = parsed as Record<string, unknown>;
    return v === 1 && typeof ak === 'string' && typeof n === 'string' ? ak : undefined;
  } catch {
    return undefined;
  }
}
