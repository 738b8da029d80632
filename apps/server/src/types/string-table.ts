import { HashTable } from '@byor/hashtable';
import { StringArena } from '../string-arena.js';

/**
 * A @byor/hashtable of field -> string value whose short values (1-127 bytes) live in a
 * {@link StringArena} of its own, the table holding their handles: a hash's hashtable encoding.
 * An HSET that replaces a value then leaves no string for V8's young-generation collector to
 * copy and promote (see string-arena.ts), which is what a write-heavy hash costs on the heap.
 * Values read out are new JS strings. The arena goes with the table (no handle is shared); once
 * it holds four times the slots its values use (most fields deleted), the values move to a
 * fresh one and the old pages go.
 *
 * @example
 * ```ts
 * const table = new StringTable();
 * table.set('name', 'byor'); // true: a new field
 * table.get('name'); // 'byor'
 * ```
 */
export class StringTable {
  readonly #table = new HashTable<string | number>();
  #arena = new StringArena();

  /** Number of fields. O(1). */
  get size(): number {
    return this.#table.size;
  }

  /** Bytes of the arena's pages. O(pages). */
  get reservedBytes(): number {
    return this.#arena.reservedBytes;
  }

  /** The value of `field`, or undefined. O(1) expected. */
  get(field: string): string | undefined {
    return this.#arena.resolve(this.#table.get(field));
  }

  /** True when `field` exists. O(1) expected. */
  has(field: string): boolean {
    return this.#table.has(field);
  }

  /** Sets `field` to `value`; returns true when the field is new. O(1) expected + O(value). */
  set(field: string, value: string): boolean {
    const old = this.#table.swap(field, this.#arena.hold(value));
    if (typeof old === 'number') this.#arena.free(old);
    return old === undefined;
  }

  /** Deletes `field`; returns whether it existed. O(1) expected. */
  delete(field: string): boolean {
    const old = this.#table.get(field);
    if (old === undefined) return false;
    this.#table.delete(field);
    if (typeof old === 'number') {
      this.#arena.free(old);
      if (this.#arena.sparse) this.#compactArena();
    }
    return true;
  }

  /**
   * Moves the short values to a fresh arena of their size, dropping the old one's pages. O(n),
   * after at least 3n deletes since the arena was that size.
   */
  #compactArena(): void {
    const old = this.#arena;
    const fresh = new StringArena();
    const table = this.#table;
    // (a value replaced in place: the table's entries and their order do not change)
    for (const [field, stored] of table.entries()) {
      if (typeof stored === 'number') table.set(field, fresh.hold(old.read(stored)));
    }
    this.#arena = fresh;
  }

  /** Prefetches the lookups of fields, which follow in that order (the table's `touch`). */
  touch(fields: readonly string[]): void {
    this.#table.touch(fields);
  }

  /** Every `[field, value]`, in the table's order. O(n). */
  *entries(): IterableIterator<[string, string]> {
    for (const [field, stored] of this.#table.entries()) yield [field, this.#arena.resolve(stored)];
  }

  /** A uniformly random `[field, value]`, or undefined when empty. O(1) expected. */
  randomEntry(): [string, string] | undefined {
    const entry = this.#table.randomEntry();
    return entry === undefined ? undefined : [entry[0], this.#arena.resolve(entry[1])];
  }

  /** Up to `count` distinct random `[field, value]` pairs (the table's `sample`). */
  sample(count: number): [string, string][] {
    return this.#table.sample(count).map(([field, stored]) => [field, this.#arena.resolve(stored)]);
  }

  /** One SCAN step of the table (its cursor semantics): visits fields and values. */
  scan(cursor: number, count: number, visit: (field: string, value: string) => void): number {
    return this.#table.scan(cursor, count, (field, stored) =>
      visit(field, this.#arena.resolve(stored)),
    );
  }

  /** Throws when the table, or its count of arena strings, is inconsistent (model tests). O(n). */
  checkInvariants(): void {
    this.#table.checkInvariants();
    let handles = 0;
    for (const [, stored] of this.#table.entries()) if (typeof stored === 'number') handles++;
    if (handles !== this.#arena.count)
      throw new Error(`${this.#arena.count} strings in the arena for ${handles} handles`);
  }
}
