/**
 * member -> tree node, the hashtable half of the "skiplist" encoding. A temporary Map-backed
 * stand-in with the interface of @byor/hashtable, used until that package lands.
 *
 * @internal
 */
export class MemberIndex {
  readonly #map = new Map<string, number>();

  get size(): number {
    return this.#map.size;
  }

  get(member: string): number | undefined {
    return this.#map.get(member);
  }

  set(member: string, node: number): void {
    this.#map.set(member, node);
  }

  delete(member: string): boolean {
    return this.#map.delete(member);
  }

  clear(): void {
    this.#map.clear();
  }

  entries(): IterableIterator<[string, number]> {
    return this.#map.entries();
  }
}
