/**
 * src/store/route-blocks.ts: finding the route at an offset from per-block counts, checked against a naive
 * model (the sorted array of live sequence numbers) on generated block layouts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BLOCK_SIZE, blockOf, locateOffset, type BlockCount } from '../../src/store/route-blocks';
import { rng, type Rng } from '../helpers/random';

/** What the store keeps for a set of live sequence numbers: one row per non-empty block, ordered by block. */
function blocksOf(seqs: readonly number[]): BlockCount[] {
  const counts = new Map<number, number>();
  for (const s of seqs) counts.set(blockOf(s), (counts.get(blockOf(s)) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([block, count]) => ({ block, count }));
}

/** What the store's page query does with locateOffset's answer: seq >= fromSeq, in order, skip `skip`. */
function pageFrom(seqs: readonly number[], start: { fromSeq: number; skip: number }, limit: number): number[] {
  return seqs.filter((s) => s >= start.fromSeq).slice(start.skip, start.skip + limit);
}

/** Sequence numbers 0..n-1 with deletions: sparse blocks, empty blocks, dense blocks. */
function layout(r: Rng): number[] {
  const n = r.int(0, 6 * BLOCK_SIZE);
  const style = r.int(0, 3);
  const seqs: number[] = [];
  for (let s = 0; s < n; s++) {
    const block = blockOf(s);
    const keep =
      style === 0 ? true // nothing deleted
        : style === 1 ? r.next() < 0.5 // random deletions
          : style === 2 ? block % 2 === 1 || r.next() < 0.01 // every other block nearly empty
            : r.next() < (block % 3 === 0 ? 0 : 0.9); // whole blocks deleted
    if (keep) seqs.push(s);
  }
  return seqs;
}

describe('route blocks', () => {
  test('blockOf groups BLOCK_SIZE consecutive sequence numbers', () => {
    assert.equal(BLOCK_SIZE, 1024);
    assert.equal(blockOf(0), 0);
    assert.equal(blockOf(1023), 0);
    assert.equal(blockOf(1024), 1);
    assert.equal(blockOf(5 * 1024 + 7), 5);
  });

  test('locateOffset on hand-made layouts', () => {
    assert.equal(locateOffset([], 0), undefined);
    const blocks = [{ block: 0, count: 3 }, { block: 2, count: 1 }, { block: 5, count: 1024 }];
    assert.deepEqual(locateOffset(blocks, 0), { fromSeq: 0, skip: 0 });
    assert.deepEqual(locateOffset(blocks, 2), { fromSeq: 0, skip: 2 });
    assert.deepEqual(locateOffset(blocks, 3), { fromSeq: 2 * BLOCK_SIZE, skip: 0 });
    assert.deepEqual(locateOffset(blocks, 4), { fromSeq: 5 * BLOCK_SIZE, skip: 0 });
    assert.deepEqual(locateOffset(blocks, 1027), { fromSeq: 5 * BLOCK_SIZE, skip: 1023 });
    assert.equal(locateOffset(blocks, 1028), undefined);
    assert.equal(locateOffset(blocks, 10_000), undefined);
  });

  test('a block with a zero count (not yet pruned) is skipped', () => {
    assert.deepEqual(locateOffset([{ block: 0, count: 0 }, { block: 1, count: 2 }], 1), { fromSeq: BLOCK_SIZE, skip: 1 });
  });

  test('generated layouts: every offset finds the same route as the naive array, with skip < BLOCK_SIZE', () => {
    const r = rng(0xb10c);
    for (let round = 0; round < 60; round++) {
      const seqs = layout(r);
      const blocks = blocksOf(seqs);
      const offsets = new Set<number>([0, seqs.length - 1, seqs.length, seqs.length + 1]);
      for (const b of blocks) offsets.add(seqs.indexOf(b.block * BLOCK_SIZE)); // block starts, when live
      for (let i = 0; i < 300; i++) offsets.add(r.int(0, seqs.length + 5));
      for (const offset of offsets) {
        if (offset < 0) continue;
        const start = locateOffset(blocks, offset);
        if (offset >= seqs.length) {
          assert.equal(start, undefined, `offset ${offset} of ${seqs.length}`);
          continue;
        }
        assert.ok(start, `offset ${offset} of ${seqs.length}`);
        assert.equal(start.fromSeq % BLOCK_SIZE, 0);
        assert.ok(start.skip < BLOCK_SIZE, 'never skips a whole block of index entries');
        const limit = r.int(1, 50);
        assert.deepEqual(pageFrom(seqs, start, limit), seqs.slice(offset, offset + limit), `round ${round}, offset ${offset}`);
      }
    }
  });

  test('generated layouts: consecutive pages are disjoint and their union is the whole list', () => {
    const r = rng(0x9a6e);
    for (let round = 0; round < 20; round++) {
      const seqs = layout(r);
      const blocks = blocksOf(seqs);
      for (const pageSize of [1, 7, 50]) {
        const walked: number[] = [];
        for (let page = 0; ; page++) {
          const start = locateOffset(blocks, page * pageSize);
          if (!start) break;
          walked.push(...pageFrom(seqs, start, pageSize));
        }
        assert.deepEqual(walked, seqs, `round ${round}, page size ${pageSize}`);
      }
    }
  });
});
