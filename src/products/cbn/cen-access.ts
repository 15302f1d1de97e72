/**
 * Finding a caller's CEN resources — the rules every Cbn operation shares: unknown IDs, other accounts' IDs and
 * resources already gone are the operation's NotFound error; a resource being created or deleted refuses
 * writes with the given status error (only queries are allowed in a transient state, cen-api.md §2).
 */
import { E, PopError, type ErrorDefinition } from '../../pop/errors';
import { isTransient } from '../../domain/cen';
import type { CenResourceKind, CenResourceRecord } from '../../store/store';
import type { OperationContext } from '../product';

export async function findResource(ctx: OperationContext, kind: CenResourceKind, id: string, notFound: ErrorDefinition): Promise<CenResourceRecord> {
  const r = await ctx.store.getCenResource(ctx.principal.accountId, kind, id, ctx.now);
  if (!r) throw new PopError(notFound);
  return r;
}

/** The resource, settled (neither being created nor deleted); else `busy`. */
export async function findSettled(ctx: OperationContext, kind: CenResourceKind, id: string, notFound: ErrorDefinition, busy: ErrorDefinition): Promise<CenResourceRecord> {
  const r = await findResource(ctx, kind, id, notFound);
  if (isTransient(r, ctx.now)) throw new PopError(busy);
  return r;
}

export function dryRunPassed(): never {
  throw new PopError(E.DryRunOperation);
}
