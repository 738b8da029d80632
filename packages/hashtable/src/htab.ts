/**
 * `HTab` of the book (chapter 8): one array of bucket heads. A bucket holds the id of the first
 * entry of its chain, 0 for an empty bucket.
 *
 * The buckets are stored in chunks of 2^14 (64 KB), each allocated on the first write to it:
 *
 *     chunks  [ c0 | null | c2 | ... ]     a null chunk is 2^14 empty buckets
 *     c0      Int32Array(2^14): entry ids
 *
 * Why: when a 10M-entry table doubles, one `new Int32Array(2^25)` is a 128 MB allocation that
 * V8 bills to its external memory all at once, which starts garbage collection work in the
 * middle of that insert (about 10 ms measured for 64 MB). In chunks, the new array costs a list
 * of nulls, and its memory arrives 64 KB at a time as the progressive rehash fills it. A table
 * of at most 2^14 buckets has one chunk of its exact size, allocated up front.
 *
 * @packageDocumentation
 */

/** log2 of the buckets in a chunk. */
export const CHUNK_SHIFT = 14;
/** `bucket & CHUNK_MASK` is a bucket's place in its chunk. */
export const CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;

/**
 * One bucket array (in chunks) and the number of entries chained from it. Internal, with public
 * fields that HMap's hot paths read directly.
 *
 * @internal
 */
export class HTab {
  /** Bucket chunks, null until first written. */
  readonly chunks: (Int32Array | null)[];
  /** Buckets minus one: a hash's bucket is `hash & mask` (its low bits, as Redis). */
  readonly mask: number;
  /** Entries chained from this table. */
  size: number;

  constructor(bucketCount: number) {
    if (bucketCount <= 1 << CHUNK_SHIFT) {
      this.chunks = [new Int32Array(bucketCount)];
    } else {
      this.chunks = new Array<Int32Array | null>(bucketCount >>> CHUNK_SHIFT).fill(null);
    }
    this.mask = bucketCount - 1;
    this.size = 0;
  }

  /** The first entry id of `bucket`, 0 when empty. O(1). */
  head(bucket: number): number {
    const chunk = this.chunks[bucket >>> CHUNK_SHIFT]!;
    return chunk === null ? 0 : chunk[bucket & CHUNK_MASK]!;
  }

  /** Sets the first entry id of `bucket`, allocating its chunk if needed. O(1). */
  setHead(bucket: number, id: number): void {
    let chunk = this.chunks[bucket >>> CHUNK_SHIFT]!;
    if (chunk === null) {
      chunk = new Int32Array(1 << CHUNK_SHIFT);
      this.chunks[bucket >>> CHUNK_SHIFT] = chunk;
    }
    chunk[bucket & CHUNK_MASK] = id;
  }
}
