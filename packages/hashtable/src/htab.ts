/**
 * `HTab` of the book (chapter 8): one array of bucket heads. A bucket holds the id of the first
 * entry of its chain, 0 for an empty bucket, so that a fresh zero-filled `Int32Array` is an empty
 * table with no initialisation pass: allocating the 2^24 buckets of a 10M-entry table costs a
 * zeroed mapping from the OS, not a 64 MB fill.
 *
 * @packageDocumentation
 */

/**
 * One bucket array and the number of entries chained from it.
 *
 * @internal
 */
export class HTab {
  /** Bucket heads: entry ids, 0 when the bucket is empty. Length is a power of two. */
  readonly buckets: Int32Array;
  /** `buckets.length - 1`: a hash's bucket is `hash & mask` (its low bits, as Redis). */
  readonly mask: number;
  /** Entries chained from this table. */
  size: number;

  constructor(bucketCount: number) {
    this.buckets = new Int32Array(bucketCount);
    this.mask = bucketCount - 1;
    this.size = 0;
  }
}
