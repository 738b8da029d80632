/**
 * The reverse-binary cursor of Redis's SCAN (dict.c `dictScan`, by Pieter Noordhuis).
 *
 * The cursor walks bucket indexes with their bits reversed: it increments the *high* bits of
 * the masked index first. A table of 2^k buckets grows to 2^(k+1) by splitting bucket `i` into
 * `i` and `i | 2^k`, and shrinks by merging them back; both stay in the same place of the
 * reversed order, so the buckets a scan has already visited are exactly the ones whose
 * (reversed) index is below the cursor, whatever the size of the table at the next call.
 * That is what guarantees that an entry present from the start to the end of a scan is
 * returned at least once, while the table grows or shrinks between calls.
 *
 *     mask 0b111, cursor order: 000 100 010 110 001 101 011 111 -> 0 (done)
 *
 * Cursors are unsigned 32-bit integers, so a table has at most 2^32 buckets (it stops at 2^30).
 *
 * @packageDocumentation
 */

/**
 * Reverses the 32 bits of `value`, returned as an unsigned integer. O(1).
 *
 * @internal
 */
export function reverseBits(value: number): number {
  let v = value | 0;
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}

/**
 * The cursor after `cursor` for a table whose bucket mask is `mask`: sets the bits above the
 * mask, then increments the reversed value (dict.c: `v |= ~m0; v = rev(v); v++; v = rev(v);`).
 * Returns 0 after the last bucket. O(1).
 *
 * @internal
 */
export function nextCursor(cursor: number, mask: number): number {
  const reversed = reverseBits(cursor | ~mask);
  return reverseBits((reversed + 1) | 0);
}
