/**
 * Attaching a VPN connection to a transit router and detaching it — the one rule the CEN API
 * (Create/DeleteTransitRouterVpnAttachment), the admin attach/detach and --auto-attach share. A connection in
 * state init (no change in progress) attaches: `attaching` for the change delay, then `attached`. When the
 * transit router is a CEN resource of the connection's account, the VPN attachment record (tr-attach-…) is
 * created in the same transaction; a transit router ID that is no CEN resource (admin and --auto-attach only)
 * attaches the connection alone, as before the CEN API existed (no routing). Detaching removes the record with
 * its associations, propagations and static entries pointing at it, and the connection's propagated CLOUD routes.
 */
import { attachTransition, detachTransition, isChanging } from '../domain/vpn';
import { newCenId, settlesAt, type VpnAttachmentDoc } from '../domain/cen';
import type { CenDeleteOutcome, CenResourceRecord, ConnectionRecord, Store, TokenCompletion } from '../store/store';
import { recomputeTransitRouter } from './propagation';

export type AttachOutcome = { outcome: 'attached'; attachmentId: string | null } | { outcome: 'refused' | 'exists' | 'no-parent' };

/** The attachment fields a caller may set; the rest are the API's defaults. */
export type AttachmentSettings = Partial<Pick<VpnAttachmentDoc, 'name' | 'description' | 'autoPublish' | 'tags' | 'zones' | 'chargeType'>> & { attachmentId?: string };

export function vpnAttachmentRecord(c: ConnectionRecord, transitRouter: CenResourceRecord, now: number, delayMs: number, settings: AttachmentSettings, ownerId: number): CenResourceRecord {
  const doc: VpnAttachmentDoc = {
    name: settings.name ?? '',
    description: settings.description ?? '',
    autoPublish: settings.autoPublish ?? true,
    tags: settings.tags ?? [],
    zones: settings.zones ?? [],
    cenId: transitRouter.parentId ?? '',
    chargeType: settings.chargeType ?? 'POSTPAY',
    vpnOwnerId: ownerId,
  };
  return {
    id: settings.attachmentId ?? newCenId('tr-attach'),
    kind: 'vpnAttachment',
    accountId: c.accountId,
    parentId: transitRouter.id,
    regionId: transitRouter.regionId,
    uniqueKey: c.connectionId,
    refId: c.connectionId,
    createTime: now,
    readyAt: settlesAt(now, delayMs),
    goneAt: null,
    doc: doc as unknown as Record<string, unknown>,
  };
}

/** Whether the connection may attach now (the rule of the admin attach: state init, nothing in progress). */
export function canAttach(c: ConnectionRecord, now: number): boolean {
  return !isChanging(c, now) && c.state === 'init';
}

export async function attachConnection(
  store: Store, c: ConnectionRecord, transitRouterId: string, now: number, delayMs: number,
  settings: AttachmentSettings = {}, completion?: TokenCompletion,
): Promise<AttachOutcome> {
  if (!canAttach(c, now)) return { outcome: 'refused' };
  const transition = attachTransition(transitRouterId, now, delayMs);
  const transitRouter = await store.getCenResource(c.accountId, 'transitRouter', transitRouterId, now);
  if (!transitRouter) {
    const done = await store.transitionConnection(c.connectionId, ['init'], transition, now);
    return done ? { outcome: 'attached', attachmentId: null } : { outcome: 'refused' };
  }
  const record = vpnAttachmentRecord(c, transitRouter, now, delayMs, settings, Number(c.accountId) || 0);
  const outcome = await store.createVpnAttachment(record, transition, now, completion);
  if (outcome === 'created') return { outcome: 'attached', attachmentId: record.id };
  return { outcome: outcome === 'connection-busy' ? 'refused' : outcome };
}

/** --auto-attach: the connection was created attached; give it its attachment record when its transit router is a CEN resource. */
export async function recordAutoAttachment(store: Store, c: ConnectionRecord, now: number, delayMs: number): Promise<void> {
  if (c.transitRouterId === null) return;
  const transitRouter = await store.getCenResource(c.accountId, 'transitRouter', c.transitRouterId, now);
  if (!transitRouter || transitRouter.regionId !== c.regionId) return;
  await store.createVpnAttachment(vpnAttachmentRecord(c, transitRouter, now, delayMs, {}, Number(c.accountId) || 0), null, now);
}

/** Detaches the attachment's connection; `force` removes its links and the static entries pointing at it (else they block). */
export async function detachAttachment(
  store: Store, attachment: CenResourceRecord, now: number, delayMs: number, force: boolean, completion?: TokenCompletion,
): Promise<CenDeleteOutcome | { outcome: 'connection-busy' }> {
  const goneAt = now + Math.max(delayMs, 0);
  const result = await store.deleteVpnAttachment(attachment.accountId, attachment.id, goneAt, detachTransition(now, delayMs), now, force, completion);
  if (result.outcome === 'deleted') {
    await recomputeTransitRouter(store, attachment.accountId, attachment.parentId!, now, { cleared: [attachment.refId!] });
  }
  return result;
}

/** The admin detach: an attached connection (nothing in progress) detaches, with its attachment record if it has one (as Force=true). */
export async function detachConnection(store: Store, c: ConnectionRecord, now: number, delayMs: number): Promise<boolean> {
  if (isChanging(c, now) || c.state !== 'attached') return false;
  const attachment = await store.findCenResourceByUniqueKey('vpnAttachment', c.connectionId, now);
  if (!attachment) return store.transitionConnection(c.connectionId, ['attached'], detachTransition(now, delayMs), now);
  return (await detachAttachment(store, attachment, now, delayMs, true)).outcome === 'deleted';
}
