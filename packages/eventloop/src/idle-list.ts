/**
 * The idle list (book chapter 12): connections in order of last interaction, as an intrusive
 * doubly-linked list. Each connection owns one {@link IdleEntry} (allocated once, when it
 * connects); a touch unlinks it and appends it at the tail in O(1), so the head is always the
 * connection idle the longest and expiring is a walk from the head that stops at the first one
 * still fresh.
 *
 *     head (idle longest)                               tail (touched last)
 *      [entry] <-> [entry] <-> [entry] <-> ... <-> [entry]
 *
 * @internal
 */
import { InvariantError } from './errors.js';

/**
 * One node of an {@link IdleList}, embedded in its owner.
 *
 * @internal
 */
export class IdleEntry<T> {
  prev: IdleEntry<T> | null = null;
  next: IdleEntry<T> | null = null;
  /** Whether the entry is in a list now. */
  linked = false;
  /** The time of the last touch. */
  since = 0;
  readonly owner: T;

  constructor(owner: T) {
    this.owner = owner;
  }
}

/**
 * An intrusive doubly-linked list of {@link IdleEntry}s ordered by last touch.
 *
 * @internal
 * @example
 * ```ts
 * const list = new IdleList<Connection>();
 * list.touch(connection.idleEntry, clock.now());   // O(1)
 * for (let e = list.head; e && e.since + timeout <= now; e = list.head) close(e.owner);
 * ```
 */
export class IdleList<T> {
  #head: IdleEntry<T> | null = null;
  #tail: IdleEntry<T> | null = null;
  #size = 0;

  /** The entry touched the longest ago, or null. O(1). */
  get head(): IdleEntry<T> | null {
    return this.#head;
  }

  /** The number of linked entries. O(1). */
  get size(): number {
    return this.#size;
  }

  /** Records a touch at `now`: moves (or adds) the entry to the tail. O(1). */
  touch(entry: IdleEntry<T>, now: number): void {
    entry.since = now;
    if (entry.linked) {
      if (entry === this.#tail) return;
      this.#unlink(entry);
    }
    entry.prev = this.#tail;
    entry.next = null;
    if (this.#tail === null) this.#head = entry;
    else this.#tail.next = entry;
    this.#tail = entry;
    entry.linked = true;
    this.#size++;
  }

  /** Takes the entry out of the list (no-op when not linked). O(1). */
  remove(entry: IdleEntry<T>): void {
    if (entry.linked) this.#unlink(entry);
  }

  /** Verifies links, order of `since` and the size; throws {@link InvariantError}. O(n). */
  checkInvariants(): void {
    let count = 0;
    let previous: IdleEntry<T> | null = null;
    for (let entry = this.#head; entry !== null; entry = entry.next) {
      if (!entry.linked) throw new InvariantError('an unlinked entry is in the idle list');
      if (entry.prev !== previous) throw new InvariantError('broken prev link in the idle list');
      if (previous !== null && previous.since > entry.since) {
        throw new InvariantError('idle list out of touch order');
      }
      previous = entry;
      if (++count > this.#size) throw new InvariantError('idle list longer than its size');
    }
    if (previous !== this.#tail) throw new InvariantError('idle list tail is not the last entry');
    if (count !== this.#size) throw new InvariantError('idle list size differs from its length');
  }

  #unlink(entry: IdleEntry<T>): void {
    const { prev, next } = entry;
    if (prev === null) this.#head = next;
    else prev.next = next;
    if (next === null) this.#tail = prev;
    else next.prev = prev;
    entry.prev = null;
    entry.next = null;
    entry.linked = false;
    this.#size--;
  }
}
