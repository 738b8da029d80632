import type { Int64 } from '../util/numbers.js';
import type { StreamId } from './stream-id.js';
import { PendingList } from './stream-pending.js';

/**
 * Consumer groups of a stream (t_stream.c of redis-server 7.0): a group remembers the last ID it
 * delivered and a pending entries list (PEL) of entries delivered but not acknowledged; each
 * consumer has its own PEL of the same {@link PendingEntry} objects, so an entry moves between
 * consumers (XCLAIM) by relinking one object.
 */

/** The group's `entries-read` when it is unknown (SCG_INVALID_ENTRIES_READ). */
export const ENTRIES_READ_UNKNOWN = -1;

/**
 * A delivered, not yet acknowledged entry (streamNACK): when it was last delivered, how many
 * times, and to which consumer. O(1) to create.
 *
 * @example
 * ```ts
 * const entry = new PendingEntry(StreamId.of(1, 0), Date.now(), consumer); // count 1
 * ```
 */
export class PendingEntry {
  readonly id: StreamId;
  /** ms timestamp of the last delivery */
  deliveryTime: number;
  /** number of deliveries (XCLAIM RETRYCOUNT may set any int64) */
  deliveryCount: Int64;
  /** the owner; undefined only while XCLAIM FORCE creates the entry */
  consumer: Consumer | undefined;

  constructor(id: StreamId, deliveryTime: number, consumer: Consumer | undefined) {
    this.id = id;
    this.deliveryTime = deliveryTime;
    this.deliveryCount = 1;
    this.consumer = consumer;
  }
}

/**
 * A consumer of a group: its name, when it was last seen, and its own pending entries. O(1) to
 * create.
 *
 * @example
 * ```ts
 * const alice = new Consumer('alice', Date.now());
 * alice.pending.size; // 0
 * ```
 */
export class Consumer {
  readonly name: string;
  /** ms timestamp of its last read or claim (XINFO CONSUMERS idle) */
  seenTime: number;
  readonly pending = new PendingList<PendingEntry>();

  constructor(name: string, seenTime: number) {
    this.name = name;
    this.seenTime = seenTime;
  }
}

/**
 * A consumer group: the last delivered ID, the logical read counter (`entries-read`, or
 * {@link ENTRIES_READ_UNKNOWN}), the group PEL and the consumers by name.
 *
 * @example
 * ```ts
 * const group = new ConsumerGroup('workers', StreamId.MIN, 0);
 * const alice = group.createConsumer('alice', Date.now());
 * group.deliver(StreamId.of(1, 0), alice, Date.now()); // pending for alice
 * group.acknowledge(StreamId.of(1, 0)); // true
 * ```
 */
export class ConsumerGroup {
  readonly name: string;
  lastId: StreamId;
  entriesRead: Int64;
  readonly pending = new PendingList<PendingEntry>();
  readonly consumers = new Map<string, Consumer>();

  constructor(name: string, lastId: StreamId, entriesRead: Int64) {
    this.name = name;
    this.lastId = lastId;
    this.entriesRead = entriesRead;
  }

  /** A new consumer, or undefined when the name exists (streamCreateConsumer). O(1). */
  createConsumer(name: string, now: number): Consumer | undefined {
    if (this.consumers.has(name)) return undefined;
    const consumer = new Consumer(name, now);
    this.consumers.set(name, consumer);
    return consumer;
  }

  /** Removes a consumer and its pending entries from the group PEL (streamDelConsumer). O(pending log n). */
  deleteConsumer(consumer: Consumer): void {
    for (const entry of consumer.pending) this.pending.delete(entry.id);
    this.consumers.delete(consumer.name);
  }

  /**
   * Records a delivery of `id` to `consumer` (streamReplyWithRange with a group): a new pending
   * entry, or, when the ID is already pending (after XGROUP SETID moved the group back), the entry
   * moves to this consumer with its count reset to 1. Returns the entry. O(log n).
   */
  deliver(id: StreamId, consumer: Consumer, now: number): PendingEntry {
    const fresh = new PendingEntry(id, now, consumer);
    if (this.pending.insert(fresh)) {
      consumer.pending.insert(fresh);
      return fresh;
    }
    const entry = this.pending.get(id) as PendingEntry;
    entry.consumer?.pending.delete(id);
    entry.consumer = consumer;
    entry.deliveryTime = now;
    entry.deliveryCount = 1;
    consumer.pending.insert(entry);
    return entry;
  }

  /** Drops a pending entry from the group and its consumer; false when not pending. O(log n). */
  acknowledge(id: StreamId): boolean {
    const entry = this.pending.delete(id);
    if (entry === undefined) return false;
    entry.consumer?.pending.delete(id);
    return true;
  }

  /** Moves a pending entry to `consumer` (XCLAIM, XAUTOCLAIM). O(log n). */
  transfer(entry: PendingEntry, consumer: Consumer): void {
    if (entry.consumer === consumer) return;
    entry.consumer?.pending.delete(entry.id);
    consumer.pending.insert(entry);
    entry.consumer = consumer;
  }

  /** Consumers in name order (byte order, as Redis's radix tree iterates them). O(c log c). */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  }

  /** A deep copy: consumers and pending entries are copied, links kept consistent. O(pending). */
  clone(): ConsumerGroup {
    const copy = new ConsumerGroup(this.name, this.lastId, this.entriesRead);
    const consumers = new Map<Consumer, Consumer>();
    for (const consumer of this.consumers.values()) {
      const twin = new Consumer(consumer.name, consumer.seenTime);
      consumers.set(consumer, twin);
      copy.consumers.set(twin.name, twin);
    }
    for (const entry of this.pending) {
      const owner = entry.consumer === undefined ? undefined : consumers.get(entry.consumer);
      const twin = new PendingEntry(entry.id, entry.deliveryTime, owner);
      twin.deliveryCount = entry.deliveryCount;
      copy.pending.insert(twin);
      owner?.pending.insert(twin);
    }
    return copy;
  }

  /**
   * Checks that the group PEL and the consumer PELs hold the same entries, each linked to the
   * consumer whose PEL holds it; throws on the first fault. O(pending).
   */
  checkInvariants(): void {
    this.pending.checkInvariants();
    let owned = 0;
    for (const [name, consumer] of this.consumers) {
      if (consumer.name !== name) throw new Error(`consumer ${consumer.name} filed as ${name}`);
      consumer.pending.checkInvariants();
      for (const entry of consumer.pending) {
        if (entry.consumer !== consumer)
          throw new Error(`${entry.id.toString()} in ${name}'s PEL belongs to another consumer`);
        if (this.pending.get(entry.id) !== entry)
          throw new Error(`${entry.id.toString()} of ${name} missing from the group PEL`);
        owned++;
      }
    }
    if (owned !== this.pending.size)
      throw new Error(`group PEL has ${this.pending.size} entries, consumers own ${owned}`);
  }
}
