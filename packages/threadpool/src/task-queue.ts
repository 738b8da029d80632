/**
 * The pool's FIFO of tasks waiting for a worker: a growable ring buffer (undici's FixedQueue
 * and piscina's task queue are rings too) that also removes an item from the middle in O(1),
 * for a queued task whose AbortSignal fires.
 *
 * Each item remembers the slot it sits in (`queueIndex`). Removing it leaves an empty slot (a
 * tombstone) that `shift()` skips; tombstones at either end are trimmed at once, the ones in
 * the middle are dropped when the ring is full and gets compacted or regrown.
 *
 *     capacity 8, head 6, length 5 (two tombstones: "."), size 3
 *
 *       slot:   0    1    2    3    4    5    6    7
 *             [ .  | C  |    |    |    |    | A  | .  ]
 *                    ^tail-1                  ^head
 *       order: A, C (slot 7 and slot 0 before C: the queue wraps)
 *
 * Invariant kept after every operation: when `length > 0`, the slots at head and at tail-1
 * hold items (never tombstones), so `peek()` is one array read.
 */

/**
 * What the queue needs of an item: a field to remember its slot in, -1 when not queued.
 *
 * @example
 * ```ts
 * class Job implements Queued { queueIndex = -1; }
 * ```
 */
export interface Queued {
  queueIndex: number;
}

const INITIAL_CAPACITY = 16;

/**
 * A deque of items with O(1) `push`, `unshift`, `shift`, `peek` and `remove` (amortised:
 * growing copies). Used by the pool for its waiting tasks; exported for its tests.
 *
 * @example
 * ```ts
 * const queue = new TaskQueue<{ queueIndex: number; name: string }>();
 * const a = { queueIndex: -1, name: 'a' };
 * queue.push(a);
 * queue.remove(a); // true
 * queue.shift(); // undefined
 * ```
 */
export class TaskQueue<Item extends Queued> {
  #slots: (Item | undefined)[] = new Array<Item | undefined>(INITIAL_CAPACITY).fill(undefined);
  #mask = INITIAL_CAPACITY - 1;
  /** slot of the first item */
  #head = 0;
  /** slots in use from head on, tombstones included */
  #length = 0;
  /** items (tombstones excluded) */
  #size = 0;

  /** Number of items waiting. O(1). @example `queue.size` */
  get size(): number {
    return this.#size;
  }

  /** Appends `item` at the back. O(1) amortised. @example `queue.push(task)` */
  push(item: Item): void {
    if (this.#length === this.#slots.length) this.#grow();
    const index = (this.#head + this.#length) & this.#mask;
    this.#slots[index] = item;
    item.queueIndex = index;
    this.#length++;
    this.#size++;
  }

  /** Puts `item` at the front, to be shifted next. O(1) amortised. @example `queue.unshift(task)` */
  unshift(item: Item): void {
    if (this.#length === this.#slots.length) this.#grow();
    this.#head = (this.#head - 1) & this.#mask;
    this.#slots[this.#head] = item;
    item.queueIndex = this.#head;
    this.#length++;
    this.#size++;
  }

  /** Removes and returns the front item, or `undefined` when empty. O(1) amortised. @example `queue.shift()` */
  shift(): Item | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#slots[this.#head]!;
    this.#slots[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#length--;
    this.#size--;
    item.queueIndex = -1;
    this.#trimFront();
    return item;
  }

  /** The front item without removing it. O(1). @example `queue.peek()` */
  peek(): Item | undefined {
    return this.#length === 0 ? undefined : this.#slots[this.#head];
  }

  /**
   * Removes `item` wherever it is; false when it is not in this queue. O(1) amortised.
   *
   * @example
   * ```ts
   * if (queue.remove(task)) task.reject(new TaskAbortedError(reason));
   * ```
   */
  remove(item: Item): boolean {
    const index = item.queueIndex;
    if (index < 0 || index >= this.#slots.length || this.#slots[index] !== item) return false;
    this.#slots[index] = undefined;
    item.queueIndex = -1;
    this.#size--;
    this.#trimFront();
    this.#trimBack();
    return true;
  }

  /** Removes every item and returns them in order. O(n). @example `for (const task of queue.drain()) task.reject(error)` */
  drain(): Item[] {
    const items: Item[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) items.push(item);
    return items;
  }

  /** The items in order, without removing them. O(n). @example `queue.toArray()` */
  toArray(): Item[] {
    const items: Item[] = [];
    for (let offset = 0; offset < this.#length; offset++) {
      const item = this.#slots[(this.#head + offset) & this.#mask];
      if (item !== undefined) items.push(item);
    }
    return items;
  }

  /**
   * Throws when an internal invariant is broken: capacity a power of two, every item's
   * `queueIndex` its slot, no item twice, `size` the number of items, nothing outside the used
   * window, no tombstone at either end. O(capacity); for tests.
   *
   * @example
   * ```ts
   * queue.checkInvariants();
   * ```
   */
  checkInvariants(): void {
    const capacity = this.#slots.length;
    const fail = (what: string): never => {
      throw new Error(`TaskQueue invariant broken: ${what}`);
    };
    if (capacity < INITIAL_CAPACITY || (capacity & (capacity - 1)) !== 0) fail('capacity');
    if (this.#mask !== capacity - 1) fail('mask');
    if (this.#length < 0 || this.#length > capacity) fail('length');
    if (this.#head < 0 || this.#head >= capacity) fail('head');
    const seen = new Set<Item>();
    for (let offset = 0; offset < capacity; offset++) {
      const index = (this.#head + offset) & this.#mask;
      const item = this.#slots[index];
      if (offset >= this.#length) {
        if (item !== undefined) fail(`slot ${index} outside the window holds an item`);
        continue;
      }
      if (item === undefined) continue;
      if (item.queueIndex !== index)
        fail(`item in slot ${index} has queueIndex ${item.queueIndex}`);
      if (seen.has(item)) fail('an item is queued twice');
      seen.add(item);
    }
    if (seen.size !== this.#size) fail(`size ${this.#size} but ${seen.size} items`);
    if (this.#length > 0) {
      if (this.#slots[this.#head] === undefined) fail('tombstone at the head');
      if (this.#slots[(this.#head + this.#length - 1) & this.#mask] === undefined) {
        fail('tombstone at the tail');
      }
    }
  }

  #trimFront(): void {
    while (this.#length > 0 && this.#slots[this.#head] === undefined) {
      this.#head = (this.#head + 1) & this.#mask;
      this.#length--;
    }
  }

  #trimBack(): void {
    while (
      this.#length > 0 &&
      this.#slots[(this.#head + this.#length - 1) & this.#mask] === undefined
    ) {
      this.#length--;
    }
  }

  /** Full ring: compact in place when at least half of it is tombstones, else double it. */
  #grow(): void {
    const capacity =
      this.#size * 2 <= this.#slots.length ? this.#slots.length : this.#slots.length * 2;
    const slots = new Array<Item | undefined>(capacity).fill(undefined);
    let count = 0;
    for (let offset = 0; offset < this.#length; offset++) {
      const item = this.#slots[(this.#head + offset) & this.#mask];
      if (item === undefined) continue;
      slots[count] = item;
      item.queueIndex = count;
      count++;
    }
    this.#slots = slots;
    this.#mask = capacity - 1;
    this.#head = 0;
    this.#length = count;
  }
}
