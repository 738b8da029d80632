import { normalize, type Int64 } from '../util/numbers.js';

const MIN_CAPACITY = 4;

/**
 * redis-server's intset: the distinct int64 members of a small set, sorted ascending in one typed
 * array. Like intset's int16/int32/int64 encodings it starts narrow and widens once, never back:
 * a Float64Array while every member is a safe integer (|v| < 2^53, exact in a double), a
 * BigInt64Array once a member needs all 64 bits.
 *
 * Binary search for lookups, O(log n); insert and remove shift the tail, O(n), as intset's
 * memmove does (the set converts to a hashtable past set-max-intset-entries, 512 by default).
 *
 * @internal
 */
export class IntSet {
  /** members while narrow: safe integers, sorted, in [0, size) */
  #narrow: Float64Array;
  /** members once wide, or null */
  #wide: BigInt64Array | null = null;
  #size = 0;

  constructor(capacity = MIN_CAPACITY) {
    this.#narrow = new Float64Array(Math.max(capacity, MIN_CAPACITY));
  }

  /** Number of members. O(1). */
  get size(): number {
    return this.#size;
  }

  /** True once a member beyond 2^53 made the storage 64-bit wide. */
  get wide(): boolean {
    return this.#wide !== null;
  }

  /** The member at `index` (0 = smallest). O(1). */
  at(index: number): Int64 {
    const wide = this.#wide;
    return wide === null ? (this.#narrow[index] as number) : normalize(wide[index] as bigint);
  }

  /** The member at `index` as the decimal text Redis replies with. O(1). */
  textAt(index: number): string {
    const wide = this.#wide;
    return wide === null ? String(this.#narrow[index]) : String(wide[index]);
  }

  /** True when `value` is a member. O(log n). */
  has(value: Int64): boolean {
    return this.#search(value) >= 0;
  }

  /** Adds `value`; returns false when it was already a member. O(n). */
  add(value: Int64): boolean {
    if (this.#wide === null && typeof value === 'bigint') this.#widen();
    const found = this.#search(value);
    if (found >= 0) return false;
    const at = -found - 1;
    const size = this.#size;
    const wide = this.#wide;
    if (wide === null) {
      let data = this.#narrow;
      if (size === data.length) {
        const grown = new Float64Array(size * 2);
        grown.set(data);
        this.#narrow = data = grown;
      }
      data.copyWithin(at + 1, at, size);
      data[at] = value as number;
    } else {
      let data = wide;
      if (size === data.length) {
        const grown = new BigInt64Array(size * 2);
        grown.set(data);
        this.#wide = data = grown;
      }
      data.copyWithin(at + 1, at, size);
      data[at] = BigInt(value);
    }
    this.#size = size + 1;
    return true;
  }

  /** Removes `value`; returns whether it was a member. O(n). */
  remove(value: Int64): boolean {
    const at = this.#search(value);
    if (at < 0) return false;
    this.removeAt(at);
    return true;
  }

  /** Removes the member at `index`. O(n). */
  removeAt(index: number): void {
    const size = this.#size;
    if (this.#wide === null) this.#narrow.copyWithin(index, index + 1, size);
    else this.#wide.copyWithin(index, index + 1, size);
    this.#size = size - 1;
    this.#shrinkIfSparse();
  }

  /** A deep copy. O(n). */
  clone(): IntSet {
    const copy = new IntSet(this.#size);
    copy.#size = this.#size;
    if (this.#wide === null) copy.#narrow.set(this.#narrow.subarray(0, this.#size));
    else copy.#wide = this.#wide.slice(0, Math.max(this.#size, MIN_CAPACITY));
    return copy;
  }

  /** Bytes of member storage (MEMORY USAGE). */
  get byteLength(): number {
    return this.#wide === null ? this.#narrow.byteLength : this.#wide.byteLength;
  }

  /** Throws unless the members are strictly ascending and narrow ones are safe integers. O(n). */
  checkInvariants(): void {
    const size = this.#size;
    const wide = this.#wide;
    const capacity = wide === null ? this.#narrow.length : wide.length;
    if (size < 0 || size > capacity) throw new Error(`intset: size ${size} of ${capacity}`);
    for (let i = 0; i < size; i++) {
      if (wide === null && !Number.isSafeInteger(this.#narrow[i]))
        throw new Error(`intset: ${this.#narrow[i]} is not a safe integer`);
      if (i > 0) {
        const ordered =
          wide === null
            ? (this.#narrow[i - 1] as number) < (this.#narrow[i] as number)
            : (wide[i - 1] as bigint) < (wide[i] as bigint);
        if (!ordered) throw new Error(`intset: members ${i - 1} and ${i} are not ascending`);
      }
    }
  }

  /** Index of `value`, or -(insertion point) - 1 when absent. */
  #search(value: Int64): number {
    let low = 0;
    let high = this.#size - 1;
    const wide = this.#wide;
    if (wide === null) {
      if (typeof value === 'bigint') return -1; // never stored narrow; only asked by has/remove
      const data = this.#narrow;
      while (low <= high) {
        const mid = (low + high) >>> 1;
        const probe = data[mid] as number;
        if (probe < value) low = mid + 1;
        else if (probe > value) high = mid - 1;
        else return mid;
      }
      return -low - 1;
    }
    const target = BigInt(value);
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const probe = wide[mid] as bigint;
      if (probe < target) low = mid + 1;
      else if (probe > target) high = mid - 1;
      else return mid;
    }
    return -low - 1;
  }

  #widen(): void {
    const wide = new BigInt64Array(Math.max(this.#narrow.length, MIN_CAPACITY));
    for (let i = 0; i < this.#size; i++) wide[i] = BigInt(this.#narrow[i] as number);
    this.#wide = wide;
    this.#narrow = new Float64Array(0);
  }

  #shrinkIfSparse(): void {
    const size = this.#size;
    const wide = this.#wide;
    const capacity = wide === null ? this.#narrow.length : wide.length;
    if (capacity <= MIN_CAPACITY * 4 || size * 4 > capacity) return;
    const target = Math.max(size * 2, MIN_CAPACITY);
    if (wide === null) this.#narrow = this.#narrow.slice(0, target);
    else this.#wide = wide.slice(0, target);
  }
}
