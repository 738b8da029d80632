import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextCursor, reverseBits } from '../src/cursor.js';

describe('reverseBits', () => {
  it.each([
    [0, 0],
    [1, 0x8000_0000],
    [0x8000_0000, 1],
    [0xffff_ffff, 0xffff_ffff],
    [0x0000_ffff, 0xffff_0000],
    [0b1011, 0xd000_0000],
  ])('reverses %d to %d', (value, reversed) => {
    expect(reverseBits(value)).toBe(reversed);
  });

  it('is an involution on 32-bit values', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), (value) => {
        expect(reverseBits(reverseBits(value))).toBe(value);
      }),
    );
  });
});

describe('nextCursor', () => {
  it('walks the buckets of an 8-bucket table in reverse-binary order', () => {
    const order: number[] = [];
    let cursor = 0;
    do {
      order.push(cursor);
      cursor = nextCursor(cursor, 7);
    } while (cursor !== 0);
    expect(order).toEqual([0, 4, 2, 6, 1, 5, 3, 7]);
  });

  it('visits every bucket exactly once for any power-of-two table', () => {
    for (let bits = 0; bits <= 12; bits++) {
      const mask = (1 << bits) - 1;
      const seen = new Uint8Array(mask + 1);
      let cursor = 0;
      let steps = 0;
      do {
        seen[cursor & mask]!++;
        cursor = nextCursor(cursor, mask);
        steps++;
      } while (cursor !== 0 && steps <= mask + 1);
      expect(steps).toBe(mask + 1);
      expect(seen.every((count) => count === 1)).toBe(true);
    }
  });

  it('ends after the last bucket of the largest table', () => {
    expect(nextCursor(0xffff_ffff, 0xffff_ffff)).toBe(0);
    expect(nextCursor(0x3fff_ffff, 0x3fff_ffff)).toBe(0);
    expect(nextCursor(0, 0x3fff_ffff)).toBe(0x2000_0000);
  });
});
