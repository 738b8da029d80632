import { normalize, type Int64 } from '../util/numbers.js';

/**
 * redis-server's intset: the distinct int64 members of a small set, sorted ascending in one
 * array. Like intset's int16/int32/int64 encodings it starts narrow and widens once, never back:
 * an array of numbers while every member is a safe integer (|v| < 2^53, exact in a double), an
 * array of bigints once a member needs all 64 bits.
 *
 * A plain array rather than a typed array, measured: V8 stores small integers in an array as
 * 4-byte tagged slots (larger ones as unboxed 8-byte doubles), while every typed array carries an
 * ArrayBuffer and an off-heap store; 100k sets of 10 integers took about 130 bytes each as arrays
 * against about 320 as Float64Arrays.
 *
 * Binary search for lookups, O(log n); insert and remove shift the tail (splice), O(n), as
 * intset's memmove does (the set converts to a hashtable past set-max-intset-entries, 512).
 *
 * @internal
 */
export class IntSet {
  /** members while narrow: safe integers, ascending; empty once wide */
  #narrow: number[] = [];
  /** members once wide, ascending, or null */
  #wide: bigint[] | null = null;

  /** Number of members. O(1). */
  get size(): number {
    return this.#wide === null ? this.#narrow.length : this.#wide.length;
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
    const wide = this.#wide;
    if (wide === null) this.#narrow.splice(at, 0, value as number);
    else wide.splice(at, 0, BigInt(value));
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
    if (this.#wide === null) this.#narrow.splice(index, 1);
    else this.#wide.splice(index, 1);
  }

  /** A deep copy. O(n). */
  clone(): IntSet {
    const copy = new IntSet();
    copy.#narrow = this.#narrow.slice();
    copy.#wide = this.#wide === null ? null : this.#wide.slice();
    return copy;
  }

  /** Bytes of member storage (MEMORY USAGE): 4 per small integer, 8 per double, 24 per bigint. */
  get byteLength(): number {
    const wide = this.#wide;
    if (wide !== null) return 16 + wide.length * 28;
    let bytes = 16;
    for (const value of this.#narrow) bytes += value >= -(2 ** 30) && value < 2 ** 30 ? 4 : 8;
    return bytes;
  }

  /** Throws unless the members are strictly ascending and narrow ones are safe integers. O(n). */
  checkInvariants(): void {
    const wide = this.#wide;
    if (wide !== null && this.#narrow.length !== 0) throw new Error('intset: wide and narrow');
    const size = this.size;
    for (let i = 0; i < size; i++) {
      if (wide === null && !Number.isSafeInteger(this.#narrow[i]))
        throw new Error(`intset: ${this.#narrow[i]} is not a safe integer`);
      if (wide !== null && typeof wide[i] !== 'bigint')
        throw new Error(`intset: ${i} not a bigint`);
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
    const wide = this.#wide;
    if (wide === null) {
      const data = this.#narrow;
      let high = data.length - 1;
      // a bigint is beyond 2^53: never stored narrow (add() widens first)
      if (typeof value === 'bigint') return value < 0n ? -1 : -data.length - 1;
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
    let high = wide.length - 1;
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
    this.#wide = this.#narrow.map((value) => BigInt(value));
    this.#narrow = [];
  }
}
