/**
 * Transit-router routing: the pure core (core.ts) and the entry points that keep the materialised CLOUD routes
 * right (propagation.ts; read its header for the contract). The BGP speaker calls propagateFromConnection
 * whenever it learns or loses a prefix on a connection.
 */
export { propagateFromConnection, recomputeTransitRouter, routeTableEntries, MAX_ROUTES_PER_ORIGIN } from './propagation';
export { attachConnection, canAttach, detachAttachment, detachConnection, recordAutoAttachment } from './attach';
export type { TableEntry, EntryStatus } from './core';
