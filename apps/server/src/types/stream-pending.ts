import { compareIds, type StreamId } from './stream-id.js';

/** Chunks split past this many items (into two halves). */
const CHUNK_MAX = 128;

/**
 * Items kept in ID order, as redis-server keeps a consumer group's pending entries list in a
 * radix tree keyed by the 128-bit ID: O(log n) lookup, insert and delete, in-order walks from any
 * ID. A sorted array of chunks (at most {@link CHUNK_MAX} items each): the common cases (a
 * delivery appends the highest ID, an acknowledgement removes one of the oldest) move at most one
 * chunk's worth of pointers, plus the chunk list when a chunk empties or splits.
 *
 * @example
 * ```ts
 * const pending = new PendingList<{ id: StreamId }>();
 * pending.insert({ id: StreamId.of(5, 0) });
 * pending.get(StreamId.of(5, 0)); // the item
 * pending.first()?.id.toString(); // '5-0'
 * ```
 */
export class PendingList<T extends { readonly id: StreamId }> {
  #chunks: T[][] = [];
  #size = 0;

  /** Number of items. O(1). */
  get size(): number {
    return this.#size;
  }

  /** The item with this ID, or undefined. O(log n). */
  get(id: StreamId): T | undefined {
    const chunk = this.#chunkFor(id);
    if (chunk < 0) return undefined;
    const items = this.#chunks[chunk] ?? [];
    const at = lowerBound(items, id);
    const item = items[at];
    return item !== undefined && compareIds(item.id, id) === 0 ? item : undefined;
  }

  /** Adds an item; false (and nothing changes) when its ID is already there. O(log n + chunk). */
  insert(item: T): boolean {
    const chunks = this.#chunks;
    const last = chunks[chunks.length - 1];
    if (last === undefined) {
      chunks.push([item]);
      this.#size++;
      return true;
    }
    let chunk = this.#chunkFor(item.id);
    if (chunk < 0) chunk = chunks.length - 1;
    const items = chunks[chunk] ?? [];
    const at = lowerBound(items, item.id);
    const found = items[at];
    if (found !== undefined && compareIds(found.id, item.id) === 0) return false;
    if (at === items.length) items.push(item);
    else items.splice(at, 0, item);
    this.#size++;
    if (items.length > CHUNK_MAX) chunks.splice(chunk + 1, 0, items.splice(CHUNK_MAX >>> 1));
    return true;
  }

  /** Removes the item with this ID; returns it, or undefined when absent. O(log n + chunk). */
  delete(id: StreamId): T | undefined {
    const chunk = this.#chunkFor(id);
    if (chunk < 0) return undefined;
    const items = this.#chunks[chunk] ?? [];
    const at = lowerBound(items, id);
    const item = items[at];
    if (item === undefined || compareIds(item.id, id) !== 0) return undefined;
    items.splice(at, 1);
    if (items.length === 0) this.#chunks.splice(chunk, 1);
    this.#size--;
    return item;
  }

  /** The item with the lowest ID. O(1). */
  first(): T | undefined {
    return this.#chunks[0]?.[0];
  }

  /** The item with the highest ID. O(1). */
  last(): T | undefined {
    const chunk = this.#chunks[this.#chunks.length - 1];
    return chunk?.[chunk.length - 1];
  }

  /** The first item whose ID is above `id`, or undefined. O(log n). */
  firstAfter(id: StreamId): T | undefined {
    let found: T | undefined;
    this.forEachFrom(id, (item) => {
      if (compareIds(item.id, id) > 0) {
        found = item;
        return false;
      }
      return true;
    });
    return found;
  }

  /**
   * Visits items in ID order from the first whose ID is >= `start`, until `visit` returns false.
   * The list must not change during the walk. O(log n + visited).
   */
  forEachFrom(start: StreamId, visit: (item: T) => boolean): void {
    const chunks = this.#chunks;
    let chunk = this.#chunkFor(start);
    if (chunk < 0) return;
    let at = lowerBound(chunks[chunk] ?? [], start);
    for (; chunk < chunks.length; chunk++, at = 0) {
      const items = chunks[chunk] ?? [];
      for (; at < items.length; at++) if (!visit(items[at] as T)) return;
    }
  }

  /** Every item in ID order. O(n). */
  *[Symbol.iterator](): IterableIterator<T> {
    for (const items of this.#chunks) yield* items;
  }

  /** Checks the order, chunk sizes and count; throws on the first fault. O(n). */
  checkInvariants(): void {
    let count = 0;
    let previous: StreamId | undefined;
    for (const items of this.#chunks) {
      if (items.length === 0 || items.length > CHUNK_MAX)
        throw new Error(`pending chunk of ${items.length} items`);
      for (const item of items) {
        if (previous !== undefined && compareIds(previous, item.id) >= 0)
          throw new Error(`pending items out of order at ${item.id.toString()}`);
        previous = item.id;
        count++;
      }
    }
    if (count !== this.#size) throw new Error(`pending size ${this.#size}, counted ${count}`);
  }

  /** The chunk that holds `id` or would: the first whose last ID is >= id; -1 past the end. */
  #chunkFor(id: StreamId): number {
    const chunks = this.#chunks;
    let low = 0;
    let high = chunks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const items = chunks[middle] ?? [];
      const last = items[items.length - 1];
      if (last !== undefined && compareIds(last.id, id) < 0) low = middle + 1;
      else high = middle;
    }
    return low < chunks.length ? low : -1;
  }
}

/** Index of the first item whose ID is >= `id`. */
function lowerBound<T extends { readonly id: StreamId }>(
  items: readonly T[],
  id: StreamId,
): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const item = items[middle];
    if (item !== undefined && compareIds(item.id, id) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
