import { HashTable } from '@byor/hashtable';
import { NumericHeap, type HeapHandle } from '@byor/heap';
import type { Value } from './values.js';

/** What a database needs from the server around it. */
export interface KeyspaceHost {
  /** the current time in ms (one snapshot per command, injectable for tests) */
  now(): number;
  /** a key was removed because its TTL passed */
  keyExpired(db: Database, key: string): void;
  /** a key was written (WATCH invalidation) */
  keyModified(db: Database, key: string): void;
  /** a read found no key (keyspace event "keymiss") */
  keyMissed(db: Database, key: string): void;
  /** a key was created (keyspace event "new") */
  keyAdded(db: Database, key: string): void;
  /** counters for INFO */
  readonly stats: { keyspaceHits: number; keyspaceMisses: number; expiredKeys: number };
}

/**
 * One of the numbered databases: a @byor/hashtable of key -> value, and for keys with a TTL a
 * second table key -> handle into a @byor/heap of deadlines (the book's chapter 13). Lookups expire
 * keys lazily; {@link Database.activeExpire} pops due deadlines with a per-call budget, so a million
 * keys expiring at once are reclaimed a slice at a time without a pause.
 *
 * A key is expired when now > deadline (redis-server's keyIsExpired).
 */
export class Database {
  readonly index: number;
  readonly #host: KeyspaceHost;
  #dict = new HashTable<Value>();
  #expires = new HashTable<HeapHandle>();
  #deadlines = new NumericHeap<string>();

  constructor(index: number, host: KeyspaceHost) {
    this.index = index;
    this.#host = host;
  }

  /** Number of keys, expired-but-not-yet-reclaimed ones included (as DBSIZE counts them). */
  get size(): number {
    return this.#dict.size;
  }

  /** Number of keys with a TTL. */
  get expiresCount(): number {
    return this.#expires.size;
  }

  /** Reads a key for a read command: expires it if due and counts a keyspace hit or miss. */
  lookupRead(key: string): Value | undefined {
    const value = this.lookup(key);
    if (value === undefined) {
      this.#host.stats.keyspaceMisses++;
      this.#host.keyMissed(this, key);
    } else {
      this.#host.stats.keyspaceHits++;
    }
    return value;
  }

  /** Reads a key, expiring it first if its TTL has passed. No statistics. */
  lookup(key: string): Value | undefined {
    const value = this.#dict.get(key);
    if (value === undefined) return undefined;
    if (this.#expires.size !== 0 && this.#expireIfDue(key)) return undefined;
    return value;
  }

  /** True when the key exists (and is not expired). */
  has(key: string): boolean {
    return this.lookup(key) !== undefined;
  }

  /**
   * Writes a key (SET semantics): replaces any value, drops the TTL unless `keepTtl`, and signals
   * the modification. Returns true when the key is new.
   */
  set(key: string, value: Value, keepTtl = false): boolean {
    const created = this.#dict.set(key, value); // one lookup: set() tells whether the key is new
    if (!created && !keepTtl) this.#removeExpire(key);
    if (created) this.#host.keyAdded(this, key);
    this.#host.keyModified(this, key);
    return created;
  }

  /** Replaces the value of an existing key in place, keeping its TTL (APPEND, INCR, SETRANGE). */
  update(key: string, value: Value): void {
    this.#dict.set(key, value);
    this.#host.keyModified(this, key);
  }

  /** Signals a change made in place (a TTL set, an element added to a collection). */
  signalModified(key: string): void {
    this.#host.keyModified(this, key);
  }

  /** Adds a key known not to exist (the caller has looked it up). */
  add(key: string, value: Value): void {
    this.#dict.set(key, value);
    this.#host.keyAdded(this, key);
    this.#host.keyModified(this, key);
  }

  /** Deletes a key; returns whether it existed. */
  delete(key: string): boolean {
    if (!this.#dict.delete(key)) return false;
    this.#removeExpire(key);
    this.#host.keyModified(this, key);
    return true;
  }

  /** The absolute expiry time in ms, or undefined when the key has no TTL. */
  getExpire(key: string): number | undefined {
    if (this.#expires.size === 0) return undefined;
    const handle = this.#expires.get(key);
    return handle === undefined ? undefined : this.#deadlines.keyOf(handle);
  }

  /** Sets an absolute expiry time in ms on an existing key. */
  setExpire(key: string, at: number): void {
    const handle = this.#expires.get(key);
    if (handle === undefined) this.#expires.set(key, this.#deadlines.push(at, key));
    else this.#deadlines.update(handle, at);
  }

  /** Removes the TTL; returns whether there was one. */
  persist(key: string): boolean {
    return this.#removeExpire(key);
  }

  /** Empties the database (FLUSHDB). */
  flush(): void {
    this.#dict = new HashTable<Value>();
    this.#expires = new HashTable<HeapHandle>();
    this.#deadlines = new NumericHeap<string>();
  }

  /** Exchanges the contents of two databases (SWAPDB). */
  swapWith(other: Database): void {
    [this.#dict, other.#dict] = [other.#dict, this.#dict];
    [this.#expires, other.#expires] = [other.#expires, this.#expires];
    [this.#deadlines, other.#deadlines] = [other.#deadlines, this.#deadlines];
  }

  /** A random key that is not expired, or undefined when the database is empty. */
  randomKey(): string | undefined {
    // Like redis-server: try a bounded number of times to skip keys that turn out to be expired.
    for (let tries = 0; tries < 100 && this.#dict.size > 0; tries++) {
      const key = this.#dict.randomKey();
      if (key === undefined) return undefined;
      if (this.#expires.size === 0 || !this.#expireIfDue(key)) return key;
    }
    return this.#dict.randomKey();
  }

  /**
   * One step of a SCAN: visits about `count` buckets' worth of keys from `cursor`, returns the next
   * cursor (0 when the scan is complete). Expired keys are not reported.
   */
  scan(cursor: number, count: number, visit: (key: string, value: Value) => void): number {
    const now = this.#host.now();
    return this.#dict.scan(cursor, count, (key, value) => {
      const at = this.getExpire(key);
      if (at !== undefined && now > at) return;
      visit(key, value);
    });
  }

  /** Every live key (KEYS, FLUSH, persistence); expired keys are skipped, not deleted. */
  *keys(): IterableIterator<string> {
    const now = this.#host.now();
    for (const key of this.#dict.keys()) {
      const at = this.getExpire(key);
      if (at !== undefined && now > at) continue;
      yield key;
    }
  }

  /** Every live key and value. */
  *entries(): IterableIterator<[string, Value]> {
    const now = this.#host.now();
    for (const [key, value] of this.#dict.entries()) {
      const at = this.getExpire(key);
      if (at !== undefined && now > at) continue;
      yield [key, value];
    }
  }

  /**
   * Active expiry: deletes keys whose deadline has passed, earliest first, at most `budget` of
   * them. Returns how many were deleted.
   */
  activeExpire(budget: number): number {
    const now = this.#host.now();
    let done = 0;
    while (done < budget) {
      const at = this.#deadlines.peekKey();
      if (at === undefined || !(now > at)) break;
      const key = this.#deadlines.peek();
      if (key === undefined) break;
      this.#expireNow(key);
      done++;
    }
    return done;
  }

  /** Progressive rehashing from the server's cron (activerehashing). */
  rehashStep(budget: number): boolean {
    const a = this.#dict.rehashStep(budget);
    const b = this.#expires.rehashStep(budget);
    return a || b;
  }

  #expireIfDue(key: string): boolean {
    const handle = this.#expires.get(key);
    if (handle === undefined) return false;
    const at = this.#deadlines.keyOf(handle);
    if (at === undefined || !(this.#host.now() > at)) return false;
    this.#expireNow(key);
    return true;
  }

  #expireNow(key: string): void {
    this.#dict.delete(key);
    this.#removeExpire(key);
    this.#host.stats.expiredKeys++;
    this.#host.keyModified(this, key);
    this.#host.keyExpired(this, key);
  }

  #removeExpire(key: string): boolean {
    if (this.#expires.size === 0) return false;
    const handle = this.#expires.get(key);
    if (handle === undefined) return false;
    this.#expires.delete(key);
    this.#deadlines.remove(handle);
    return true;
  }
}
