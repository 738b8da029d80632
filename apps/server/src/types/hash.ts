import { Charged, type ObjectValue } from '../values.js';
import { lpFind, lpFlat, lpItem, lpItems, lpRead, lpSkip } from './hash-listpack.js';
import { StringTable } from './string-table.js';

/**
 * A Redis hash (t_hash.c of redis-server 7.0). Two encodings, as OBJECT ENCODING reports them:
 *
 * - `listpack`: every field and value in one packed string (see hash-listpack.ts), in insertion
 *   order, the order HGETALL, HKEYS, HVALS and HSCAN reply in. An update keeps the field's place,
 *   a delete closes the gap. Lookups walk the string, as redis-server walks its listpack.
 * - `hashtable`: a StringTable of field -> value (a HashTable whose short values live in an arena
 *   of its own, see string-table.ts), in no defined order.
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
export class HashValue extends Charged implements ObjectValue {
  /** the listpack (items field, value, ...), or null once a hashtable */
  #packed: string | null = '';
  /** fields in the listpack */
  #count = 0;
  #table: StringTable | null = null;

  get type(): 'hash' {
    return 'hash';
  }

  /** 'listpack' or 'hashtable'. O(1). */
  encoding(): 'listpack' | 'hashtable' {
    return this.#packed === null ? 'hashtable' : 'listpack';
  }

  /** Number of fields (HLEN). O(1). */
  get size(): number {
    return this.#packed === null ? (this.#table as StringTable).size : this.#count;
  }

  /** The value of `field`, or undefined (HGET). O(n) listpack, O(1) hashtable. */
  get(field: string): string | undefined {
    const packed = this.#packed;
    if (packed === null) return (this.#table as StringTable).get(field);
    const entry = lpFind(packed, field);
    return entry < 0 ? undefined : lpRead(packed, lpSkip(packed, entry));
  }

  /** True when `field` exists (HEXISTS). O(n) listpack, O(1) hashtable. */
  has(field: string): boolean {
    const packed = this.#packed;
    if (packed === null) return (this.#table as StringTable).has(field);
    return lpFind(packed, field) >= 0;
  }

  /**
   * Sets `field` to `value` (hashTypeSet); returns true when the field is new. A listpack first
   * converts when the field or value is longer than `maxValueLength`, and after the write when
   * it holds more than `maxEntries` fields. O(n) listpack, O(1) hashtable.
   */
  set(field: string, value: string, maxEntries: number, maxValueLength: number): boolean {
    let packed = this.#packed;
    if (packed !== null && (field.length > maxValueLength || value.length > maxValueLength)) {
      this.convertToHashtable();
      packed = null;
    }
    if (packed === null) return (this.#table as StringTable).set(field, value);
    const entry = lpFind(packed, field);
    let created = false;
    if (entry < 0) {
      this.#packed = lpFlat(packed + lpItem(field) + lpItem(value));
      this.#count++;
      created = true;
    } else {
      const valueAt = lpSkip(packed, entry);
      const end = lpSkip(packed, valueAt);
      this.#packed = lpFlat(packed.slice(0, valueAt) + lpItem(value) + packed.slice(end));
    }
    // checked after updates too: CONFIG SET may have lowered the limit since the last write
    if (this.#count > maxEntries) this.convertToHashtable();
    return created;
  }

  /** Prefetches the lookups of fields (see ObjectValue.touch). */
  touch(fields: readonly string[]): void {
    this.#table?.touch(fields);
  }

  /** Deletes `field`; returns whether it existed (HDEL). O(n) listpack, O(1) hashtable. */
  delete(field: string): boolean {
    const packed = this.#packed;
    if (packed === null) return (this.#table as StringTable).delete(field);
    const entry = lpFind(packed, field);
    if (entry < 0) return false;
    const end = lpSkip(packed, lpSkip(packed, entry));
    this.#packed = lpFlat(packed.slice(0, entry) + packed.slice(end));
    this.#count--;
    return true;
  }

  /** hashTypeConvert: moves the fields into a hashtable (no-op when already one). O(n). */
  convertToHashtable(): void {
    const packed = this.#packed;
    if (packed === null) return;
    const table = new StringTable();
    const items = lpItems(packed);
    for (let i = 0; i < items.length; i += 2) table.set(items[i] as string, items[i + 1] as string);
    this.#table = table;
    this.#packed = null;
    this.#count = 0;
  }

  /** Every field and value as one flat array `[field, value, ...]` in iteration order. O(n). */
  pairs(): string[] {
    const packed = this.#packed;
    if (packed !== null) return lpItems(packed);
    const table = this.#table as StringTable;
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
    const packed = this.#packed;
    if (packed === null) {
      yield* (this.#table as StringTable).entries();
      return;
    }
    const items = lpItems(packed);
    for (let i = 0; i < items.length; i += 2) yield [items[i] as string, items[i + 1] as string];
  }

  /**
   * Appends `count` uniformly random pairs to `out` as `field, value, ...`, repeats allowed
   * (HRANDFIELD with a negative count, lpRandomPairs). The hash must not be empty. O(n + count).
   */
  randomPairs(count: number, out: string[]): void {
    const packed = this.#packed;
    if (packed === null) {
      const table = this.#table as StringTable;
      for (let i = 0; i < count; i++) {
        const entry = table.randomEntry() as [string, string];
        out.push(entry[0], entry[1]);
      }
      return;
    }
    const items = lpItems(packed);
    const n = items.length >>> 1;
    for (let i = 0; i < count; i++) {
      const at = Math.floor(Math.random() * n) << 1;
      out.push(items[at] as string, items[at + 1] as string);
    }
  }

  /**
   * `count` distinct random pairs as `[field, value, ...]`, in random order (HRANDFIELD with a
   * positive count; all pairs when count >= size). O(n) listpack, O(count) hashtable.
   */
  sampleDistinct(count: number): string[] {
    const packed = this.#packed;
    const out: string[] = [];
    if (packed === null) {
      for (const [field, value] of (this.#table as StringTable).sample(count))
        out.push(field, value);
      return out;
    }
    // partial Fisher-Yates over the pair indexes
    const items = lpItems(packed);
    const n = items.length >>> 1;
    const wanted = Math.min(count, n);
    const slots = new Array<number>(n);
    for (let i = 0; i < n; i++) slots[i] = i;
    for (let i = 0; i < wanted; i++) {
      const j = i + Math.floor(Math.random() * (n - i));
      const pick = slots[j] as number;
      slots[j] = slots[i] as number;
      slots[i] = pick;
      out.push(items[pick << 1] as string, items[(pick << 1) + 1] as string);
    }
    return out;
  }

  /**
   * One HSCAN step: a listpack returns every pair with cursor 0 (as Redis does for compact
   * encodings); a hashtable visits about `count` fields from `cursor`. Returns the next cursor.
   */
  scan(cursor: number, count: number, visit: (field: string, value: string) => void): number {
    const packed = this.#packed;
    if (packed === null) return (this.#table as StringTable).scan(cursor, count, visit);
    const items = lpItems(packed);
    for (let i = 0; i < items.length; i += 2) visit(items[i] as string, items[i + 1] as string);
    return 0;
  }

  /** A deep copy with the same encoding (COPY). O(1) listpack (strings are immutable), O(n). */
  clone(): HashValue {
    const copy = new HashValue();
    const packed = this.#packed;
    if (packed !== null) {
      copy.#packed = packed;
      copy.#count = this.#count;
      return copy;
    }
    const table = new StringTable();
    for (const [field, value] of (this.#table as StringTable).entries()) table.set(field, value);
    copy.#packed = null;
    copy.#table = table;
    return copy;
  }

  /** MEMORY USAGE estimate in bytes (V8 heap, pointer compression). O(1) listpack, O(n). */
  memoryUsage(): number {
    const string = (length: number) => 16 + Math.ceil(length / 8) * 8;
    const packed = this.#packed;
    if (packed !== null) return 24 + string(packed.length);
    let bytes = 24 + 64;
    for (const [field, value] of (this.#table as StringTable).entries())
      bytes += 24 + string(field.length) + string(value.length);
    return bytes;
  }

  /** Throws when the encoding's invariants do not hold (for the model tests). O(n^2) listpack. */
  checkInvariants(maxEntries = Infinity, maxValueLength = Infinity): void {
    const packed = this.#packed;
    if ((packed === null) === (this.#table === null))
      throw new Error('hash: not exactly one encoding');
    if (packed === null) {
      (this.#table as StringTable).checkInvariants();
      return;
    }
    let items = 0;
    let at = 0;
    while (at < packed.length) {
      at = lpSkip(packed, at);
      items++;
    }
    if (at !== packed.length) throw new Error(`hash: listpack overruns its end (${at})`);
    if (items % 2 !== 0) throw new Error(`hash: listpack of ${items} items`);
    if (items >>> 1 !== this.#count)
      throw new Error(`hash: ${items >>> 1} fields, count ${this.#count}`);
    if (this.#count > maxEntries) throw new Error(`hash: listpack of ${this.#count} fields`);
    const seen = new Set<string>();
    const decoded = lpItems(packed);
    for (let i = 0; i < decoded.length; i++) {
      const item = decoded[i] as string;
      if (item.length > maxValueLength) throw new Error(`hash: listpack item ${i} is too long`);
      if (i % 2 === 0) {
        if (seen.has(item)) throw new Error(`hash: field ${item} twice`);
        seen.add(item);
      }
    }
  }
}
