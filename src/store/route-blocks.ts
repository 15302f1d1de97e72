/**
 * Deep pages without scans. Each route of a connection has a sequence number (its position in creation
 * order). Sequence numbers are grouped in blocks of BLOCK_SIZE, and the store keeps a row count per block,
 * updated in the same transaction as the routes. To find the route at offset N, sum block counts (≤ 100
 * small rows for a 100,000-route connection), then skip fewer than BLOCK_SIZE index entries inside one
 * block. Both backends use this module, so the algorithm exists once.
 */
export const BLOCK_SIZE = 1024;

export function blockOf(seq: number): number {
  return Math.floor(seq / BLOCK_SIZE);
}

export interface BlockCount {
  block: number;
  count: number;
}

/** Where a page starting at `offset` begins: the first sequence number to read from and how many to skip. */
export function locateOffset(blocks: readonly BlockCount[], offset: number): { fromSeq: number; skip: number } | undefined {
  let remaining = offset;
  for (const { block, count } of blocks) {
    if (remaining < count) return { fromSeq: block * BLOCK_SIZE, skip: remaining };
    remaining -= count;
  }
  return undefined;
}
