import type { ObjectValue } from '../values.js';
import { HashTable } from './hash-table.js';

/**
 * A Redis hash (t_hash.c of redis-server 7.0). Two encodings, as OBJECT ENCODING reports them:
 *
 * - `listpack`: one flat array `[field0, value0, field1, value1, ...]` in insertion order, the
 *   order HGETALL, HKEYS, HVALS and HSCAN reply in. An update keeps the field's place, a delete
 *   closes the gap. Lookups scan the array, as redis-server scans its listpack; small hashes are
 *   the common case and this is the most compact layout V8 offers (one array, no per-entry objects).
 * - `hashtable`: a HashTable of field -> value, in no defined order.
 *
 * A hash converts to a hashtable when it gets more than hash-max-listpack-entries (512) fields or
 * a field or value longer than hash-max-listpack-value (64) bytes, and never converts back.
 * The limits are passed to {@link HashValue.set} because CONFIG SET can change them at any time.
 *
 * @example
 * ```ts
 * const hash = new HashValue();
 * hash.set('name', 'byor', 512, 64); // true: a new field
 * hash.get('name'); // 'byor'
 * hash.encoding(); // 'listpack'
 * ```
 */
export class HashValue implements ObjectValue {
  /** listpack encoding: fields at even indexes, their values after them; null once a hashtable */
  #flat: string[] | null = [];
  #table: HashTable<string> | null = null;

  get type(): 'hash' {
    return 'hash';
  }

  /** 'listpack' or 'hashtable'. O(1). */
  encoding(): 'listpack' | 'hashtable' {
    return this.#flat === null ? 'hashtable' : 'listpack';
  }

  /** Number of fields (HLEN). O(1). */
  get size(): number {
    const flat = this.#flat;
    return flat === null ? (this.#table as HashTable<string>).size : flat.length >>> 1;
  }

  /** The value of `field`, or undefined (HGET). O(n) listpack, O(1) hashtable. */
  get(field: string): string | undefined {
    const flat = this.#flat;
    if (flat === null) return (this.#table as HashTable<string>).get(field);
    for (let i = 0; i < flat.length; i += 2) if (flat[i] === field) return flat[i + 1];
    return undefined;
  }

  /** True when `field` exists (HEXISTS). O(n) listpack, O(1) hashtable. */
  has(field: string): boolean {
    return this.get(field) !== undefined;
  }

  /**
   * Sets `field` to `value` (hashTypeSet); returns true when the field is new. A listpack first
   * converts when the field or value is longer than `maxValueLength`, and after the write when
   * it holds more than `maxEntries` fields. O(n) listpack, O(1) hashtable.
   */
  set(field: string, value: string, maxEntries: number, maxValueLength: number): boolean {
    let flat = this.#flat;
    if (flat !== null && (field.length > maxValueLength || value.length > maxValueLength)) {
      this.convertToHashtable();
      flat = null;
    }
    if (flat === null) return (this.#table as HashTable<string>).set(field, value);
    let created = true;
    for (let i = 0; i < flat.length; i += 2) {
      if (flat[i] === field) {
        flat[i + 1] = value;
        created = false;
        break;
      }
    }
    if (created) flat.push(field, value);
    // checked after updates too: CONFIG SET may have lowered the limit since the last write
    if (flat.length >>> 1 > maxEntries) this.convertToHashtable();
    return created;
  }

  /** Deletes `field`; returns whether it existed (HDEL). O(n) listpack, O(1) hashtable. */
  delete(field: string): boolean {
    const flat = this.#flat;
    if (flat === null) return (this.#table as HashTable<string>).delete(field);
    for (let i = 0; i < flat.length; i += 2) {
      if (flat[i] === field) {
        flat.splice(i, 2);
        return true;
      }
    }
    return false;
  }

  /** hashTypeConvert: moves the fields into a hashtable (no-op when already one). O(n). */
  convertToHashtable(): void {
    const flat = this.#flat;
    if (flat === null) return;
    const table = new HashTable<string>();
    for (let i = 0; i < flat.length; i += 2) table.set(flat[i] as string, flat[i + 1] as string);
    this.#table = table;
    this.#flat = null;
  }

  /**
   * Every field and value as one flat array `[field, value, ...]` in iteration order (insertion
   * order for a listpack). For a listpack this is the live storage, not a copy: read it before
   * the next write. O(1) listpack, O(n) hashtable.
   */
  pairs(): readonly string[] {
    const flat = this.#flat;
    if (flat !== null) return flat;
    const table = this.#table as HashTable<string>;
    const out = new Array<string>(table.size * 2);
    let i = 0;
    for (const [field, value] of table.entries()) {
      out[i++] = field;
      out[i++] = value;
    }
    return out;
  }

  /** Iterates `[field, value]` pairs in order (persistence). O(n). */
  *entries(): IterableIterator<[string, string]> {
    const flat = this.#flat;
    if (flat === null) {
      yield* (this.#table as HashTable<string>).entries();
      return;
    }
    for (let i = 0; i < flat.length; i += 2) yield [flat[i] as string, flat[i + 1] as string];
  }

  /**
   * Appends `count` uniformly random pairs to `out` as `field, value, ...`, repeats allowed
   * (HRANDFIELD with a negative count, lpRandomPairs). The hash must not be empty. O(count).
   */
  randomPairs(count: number, out: string[]): void {
    const flat = this.#flat;
    if (flat === null) {
      const table = this.#table as HashTable<string>;
      for (let i = 0; i < count; i++) {
        const entry = table.randomEntry() as [string, string];
        out.push(entry[0], entry[1]);
      }
      return;
    }
    const n = flat.length >>> 1;
    for (let i = 0; i < count; i++) {
      const at = Math.floor(Math.random() * n) << 1;
      out.push(flat[at] as string, flat[at + 1] as string);
    }
  }

  /**
   * `count` distinct random pairs as `[field, value, ...]`, in random order (HRANDFIELD with a
   * positive count; all pairs when count >= size). O(n) listpack, O(count) hashtable.
   */
  sampleDistinct(count: number): string[] {
    const flat = this.#flat;
    const out: string[] = [];
    if (flat === null) {
      for (const [field, value] of (this.#table as HashTable<string>).sample(count))
        out.push(field, value);
      return out;
    }
    // partial Fisher-Yates over the pair indexes
    const n = flat.length >>> 1;
    const wanted = Math.min(count, n);
    const slots = new Array<number>(n);
    for (let i = 0; i < n; i++) slots[i] = i;
    for (let i = 0; i < wanted; i++) {
      const j = i + Math.floor(Math.random() * (n - i));
      const pick = slots[j] as number;
      slots[j] = slots[i] as number;
      slots[i] = pick;
      out.push(flat[pick << 1] as string, flat[(pick << 1) + 1] as string);
    }
    return out;
  }

  /**
   * One HSCAN step: a listpack returns every pair with cursor 0 (as Redis does for compact
   * encodings); a hashtable visits about `count` fields from `cursor`. Returns the next cursor.
   */
  scan(cursor: number, count: number, visit: (field: string, value: string) => void): number {
    const flat = this.#flat;
    if (flat === null) return (this.#table as HashTable<string>).scan(cursor, count, visit);
    for (let i = 0; i < flat.length; i += 2) visit(flat[i] as string, flat[i + 1] as string);
    return 0;
  }

  /** A deep copy with the same encoding (COPY). O(n). */
  clone(): HashValue {
    const copy = new HashValue();
    const flat = this.#flat;
    if (flat !== null) {
      copy.#flat = flat.slice();
      return copy;
    }
    const table = new HashTable<string>();
    for (const [field, value] of (this.#table as HashTable<string>).entries())
      table.set(field, value);
    copy.#flat = null;
    copy.#table = table;
    return copy;
  }

  /** MEMORY USAGE estimate in bytes (V8 heap, pointer compression). O(n). */
  memoryUsage(): number {
    const string = (s: string) => 12 + Math.ceil(s.length / 4) * 4;
    const flat = this.#flat;
    let bytes = 24;
    if (flat !== null) {
      bytes += 16 + flat.length * 4;
      for (const item of flat) bytes += string(item);
      return bytes;
    }
    bytes += 64;
    for (const [field, value] of (this.#table as HashTable<string>).entries())
      bytes += 24 + string(field) + string(value);
    return bytes;
  }

  /** Throws when the encoding's invariants do not hold (for the model tests). O(n^2) listpack. */
  checkInvariants(maxEntries = Infinity, maxValueLength = Infinity): void {
    const flat = this.#flat;
    if ((flat === null) === (this.#table === null))
      throw new Error('hash: not exactly one encoding');
    if (flat === null) {
      (this.#table as HashTable<string>).checkInvariants();
      return;
    }
    if (flat.length % 2 !== 0) throw new Error(`hash: listpack of odd length ${flat.length}`);
    if (flat.length >>> 1 > maxEntries) throw new Error(`hash: listpack of ${flat.length >>> 1}`);
    const seen = new Set<string>();
    for (let i = 0; i < flat.length; i++) {
      const item = flat[i];
      if (typeof item !== 'string') throw new Error(`hash: listpack item ${i} is not a string`);
      if (item.length > maxValueLength) throw new Error(`hash: listpack item ${i} is too long`);
      if (i % 2 === 0) {
        if (seen.has(item)) throw new Error(`hash: field ${item} twice`);
        seen.add(item);
      }
    }
  }
}
