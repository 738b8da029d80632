/**
 * TEMPORARY stand-in for @byor/hashtable's `HashTable<V>` while that package is being written:
 * the same method names and semantics (set returns whether the key is new, `sample`,
 * `randomEntry`, a visitor `scan` whose cursor guarantees every entry present for the whole scan
 * is returned), over a Map from key to slot and two dense arrays. The hash and set types import
 * `HashTable` from here; when the package lands, the import moves to '@byor/hashtable' and this
 * file goes.
 *
 * Slots are dense (a delete moves the last entry into the freed slot), which makes random picks
 * O(1). Scans walk the slots from the top down, so a delete never moves an unvisited entry below
 * the cursor (the moved entry comes from the top, already visited).
 *
 * @internal
 */
export class HashTable<V> {
  readonly #slots = new Map<string, number>();
  #keys: string[] = [];
  #values: V[] = [];

  /** Number of entries. O(1). */
  get size(): number {
    return this.#keys.length;
  }

  /** The value of `key`, or undefined. O(1). */
  get(key: string): V | undefined {
    const slot = this.#slots.get(key);
    return slot === undefined ? undefined : this.#values[slot];
  }

  /** True when `key` is present. O(1). */
  has(key: string): boolean {
    return this.#slots.has(key);
  }

  /** Sets `key`; returns true when it is new. O(1) amortized. */
  set(key: string, value: V): boolean {
    const slot = this.#slots.get(key);
    if (slot !== undefined) {
      this.#values[slot] = value;
      return false;
    }
    this.#slots.set(key, this.#keys.length);
    this.#keys.push(key);
    this.#values.push(value);
    return true;
  }

  /** Deletes `key`; returns whether it was present. O(1). */
  delete(key: string): boolean {
    const slot = this.#slots.get(key);
    if (slot === undefined) return false;
    this.#slots.delete(key);
    const last = this.#keys.length - 1;
    if (slot !== last) {
      const movedKey = this.#keys[last] as string;
      this.#keys[slot] = movedKey;
      this.#values[slot] = this.#values[last] as V;
      this.#slots.set(movedKey, slot);
    }
    this.#keys.pop();
    this.#values.pop();
    return true;
  }

  /** Deletes every entry. O(1). */
  clear(): void {
    this.#slots.clear();
    this.#keys = [];
    this.#values = [];
  }

  /** The keys in storage order. */
  keys(): IterableIterator<string> {
    return this.#keys.values();
  }

  /** The values in storage order. */
  values(): IterableIterator<V> {
    return this.#values.values();
  }

  /** The entries in storage order. */
  *entries(): IterableIterator<[string, V]> {
    for (let i = 0; i < this.#keys.length; i++)
      yield [this.#keys[i] as string, this.#values[i] as V];
  }

  /** A uniformly random key, or undefined when empty. O(1). */
  randomKey(): string | undefined {
    const n = this.#keys.length;
    return n === 0 ? undefined : this.#keys[Math.floor(Math.random() * n)];
  }

  /** A uniformly random entry, or undefined when empty. O(1). */
  randomEntry(): [string, V] | undefined {
    const n = this.#keys.length;
    if (n === 0) return undefined;
    const slot = Math.floor(Math.random() * n);
    return [this.#keys[slot] as string, this.#values[slot] as V];
  }

  /** `count` distinct entries chosen uniformly, in random order (all of them when count >= size). */
  sample(count: number): Array<[string, V]> {
    const n = this.#keys.length;
    const wanted = Math.min(count, n);
    // partial Fisher-Yates over slot numbers
    const slots = new Array<number>(n);
    for (let i = 0; i < n; i++) slots[i] = i;
    const out = new Array<[string, V]>(wanted);
    for (let i = 0; i < wanted; i++) {
      const j = i + Math.floor(Math.random() * (n - i));
      const pick = slots[j] as number;
      slots[j] = slots[i] as number;
      slots[i] = pick;
      out[i] = [this.#keys[pick] as string, this.#values[pick] as V];
    }
    return out;
  }

  /**
   * One step of a cursor scan: 0 starts, the returned cursor continues, 0 again when done.
   * Visits about `count` entries per call.
   */
  scan(cursor: number, count: number, visit: (key: string, value: V) => void): number {
    // cursor c > 0: slots below c - 1 remain; cursor 0: start at the top
    let next = cursor === 0 ? this.#keys.length : Math.min(cursor - 1, this.#keys.length);
    const keys: string[] = [];
    const values: V[] = [];
    for (let visited = 0; next > 0 && visited < count; visited++) {
      next--;
      keys.push(this.#keys[next] as string);
      values.push(this.#values[next] as V);
    }
    for (let i = 0; i < keys.length; i++) visit(keys[i] as string, values[i] as V);
    return next === 0 ? 0 : next + 1;
  }

  /** Throws when the slots and the index disagree. O(n). */
  checkInvariants(): void {
    if (this.#keys.length !== this.#values.length || this.#keys.length !== this.#slots.size)
      throw new Error('hashtable shim: sizes differ');
    for (const [key, slot] of this.#slots)
      if (this.#keys[slot] !== key) throw new Error(`hashtable shim: slot ${slot} of ${key}`);
  }
}
