/**
 * TEMPORARY stand-in for @byor/hashtable while it is being written: the same method names over a
 * Map. To be removed when the package lands (the keyspace imports HashTable from it).
 */
export class HashTable<V> {
  readonly #map = new Map<string, V>();
  get size(): number {
    return this.#map.size;
  }
  get(key: string): V | undefined {
    return this.#map.get(key);
  }
  has(key: string): boolean {
    return this.#map.has(key);
  }
  set(key: string, value: V): void {
    this.#map.set(key, value);
  }
  delete(key: string): boolean {
    return this.#map.delete(key);
  }
  keys(): IterableIterator<string> {
    return this.#map.keys();
  }
  entries(): IterableIterator<[string, V]> {
    return this.#map.entries();
  }
  randomKey(): string | undefined {
    if (this.#map.size === 0) return undefined;
    let n = Math.floor(Math.random() * this.#map.size);
    for (const key of this.#map.keys()) if (n-- === 0) return key;
    return undefined;
  }
  scan(cursor: number, count: number, visit: (key: string, value: V) => void): number {
    const keys = [...this.#map.keys()];
    let i = cursor;
    for (; i < keys.length && i < cursor + count; i++) {
      const key = keys[i] ?? '';
      visit(key, this.#map.get(key) as V);
    }
    return i >= keys.length ? 0 : i;
  }
  rehashStep(_budget: number): boolean {
    return false;
  }
}
