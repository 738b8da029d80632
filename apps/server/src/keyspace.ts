import { HashTable, type Restamp } from '@byor/hashtable';
import { NumericHeap, type HeapHandle } from '@byor/heap';
import {
  lfuCounter,
  lfuInitial,
  lfuMinutes,
  lfuTouch,
  lruClock,
  LRU_CLOCK_MAX,
} from './eviction-clock.js';
import type { FreeCause } from './lazyfree.js';
import { estimateMemoryUsage } from './memory.js';
import { StringArena, handleLength } from './string-arena.js';
import { int64ToString, parseInt64, type Int64 } from './util/numbers.js';
import { stringEncoding, type ObjectValue, type StringForm, type Value } from './values.js';
import type { RespWriter } from '@byor/protocol';

/**
 * What the key table holds for a value: a collection, a string kept on the V8 heap (an empty
 * or long one), the handle of a short string kept in the database's {@link StringArena} (a
 * number >= 0), or an integer an INCR wrote, n as ~n (a number < 0; see
 * {@link INLINE_INTEGER_MAX}).
 */
export type StoredValue = ObjectValue | string | number;

/**
 * The largest integer the key table holds itself (as ~n, a negative V8 small integer), as
 * redis-server keeps an integer-encoded string in its object: INCR then reads its counter
 * without parsing text, and writes it back without making a string or an arena slot. Larger
 * and negative integers are stored as their text.
 */
export const INLINE_INTEGER_MAX = 0x3fff_ffff;

/** redis-server's shared integers are 0 to this (OBJ_SHARED_INTEGERS - 1). */
export const SHARED_INTEGERS_MAX = 9999;
/** The text of one of them, as string2l reads an integer (no sign, no leading zero). */
const SHARED_INTEGER = /^(?:0|[1-9]\d{0,3})$/;

/** What a database needs from the server around it. */
export interface KeyspaceHost {
  /** the current time in ms (one snapshot per command, injectable for tests) */
  now(): number;
  /** a key was removed because its TTL passed */
  keyExpired(db: Database, key: string): void;
  /**
   * what a key past its TTL is when found: deleted (a master), hidden but kept (a read-only
   * replica, until the master's DEL), or still alive (the master's commands on a replica)
   */
  readonly expiry: 'delete' | 'hide' | 'keep' | 'hide-reads';
  /** a key was written (WATCH invalidation) */
  keyModified(db: Database, key: string): void;
  /** a read found no key (keyspace event "keymiss") */
  keyMissed(db: Database, key: string): void;
  /** a key was created (keyspace event "new") */
  keyAdded(db: Database, key: string): void;
  /** a TTL was set on a key (a writable replica remembers the keys its own clients gave one) */
  expireSet?(db: Database, key: string): void;
  /** a collection left the keyspace (deleted, expired, evicted, overwritten, moved) */
  valueFreed(value: ObjectValue, cause: FreeCause): void;
  /** counters for INFO */
  readonly stats: { keyspaceHits: number; keyspaceMisses: number; expiredKeys: number };
  /** access-clock settings and the memory account (the server's eviction state) */
  readonly eviction: AccessTracking;
}

/**
 * A host for a database loaded apart from the server's own (a replica's repl-diskless-load
 * swapdb, as redis-server's tempDb and dbAddRDBLoad): the server's clock and memory account, but
 * no notifications, WATCH invalidation or blocked clients served, and keys past their TTL kept.
 */
export function detachedHost(host: KeyspaceHost): KeyspaceHost {
  const nothing = () => {};
  return {
    now: () => host.now(),
    keyExpired: nothing,
    expiry: 'keep',
    keyModified: nothing,
    keyMissed: nothing,
    keyAdded: nothing,
    valueFreed: nothing,
    stats: { keyspaceHits: 0, keyspaceMisses: 0, expiredKeys: 0 },
    eviction: host.eviction,
  };
}

/**
 * The settings a database stamps keys with, and the running memory account it keeps up to date
 * (implemented by the server's Eviction).
 */
export interface AccessTracking {
  /** an LFU maxmemory-policy is selected: stamps are LFU counters, else LRU clocks */
  readonly lfu: boolean;
  /**
   * maxmemory is set with an LRU or LFU policy (MAXMEMORY_FLAG_NO_SHARED_INTEGERS): an integer
   * value of 0 to 9999 written now is an object of its own, not one of redis-server's shared
   * integers, for as long as it lives (OBJECT REFCOUNT 1)
   */
  readonly ownIntegers: boolean;
  /** lfu-log-factor */
  readonly lfuLogFactor: number;
  /** lfu-decay-time (minutes) */
  readonly lfuDecayTime: number;
  /** an LRU policy is selected: RDB saves write each key's IDLE opcode */
  readonly savesIdle: boolean;
  /** an LFU policy is selected: RDB saves write each key's FREQ opcode */
  readonly savesFrequency: boolean;
  /** estimated bytes of every database's keys and values (kept by the databases) */
  dataset: number;
}

/** Past this many elements a collection's estimate is scaled by its count instead of recomputed. */
const SCALE_FROM = 128;

/** The element count of a collection (O(1) for every type). */
function sizeOf(value: ObjectValue): number {
  const sized = value as unknown as { size?: number; length?: number };
  return sized.size ?? sized.length ?? 0;
}

/** MEMORY USAGE's estimate of a key holding a string, inlined: one per write on the SET path. */
function stringEntryBytes(key: string, valueLength: number): number {
  // entry + key header + key chars + value header + value chars (memory.ts), plus the stamp
  return 16 + 12 + (((key.length + 3) >>> 2) << 2) + 12 + (((valueLength + 3) >>> 2) << 2) + 4;
}

/** The length of a stored string value (held, by handle, or an inline integer's digits). */
function storedLength(stored: string | number): number {
  if (typeof stored !== 'number') return stored.length;
  return stored >= 0 ? handleLength(stored) : digitCount(~stored);
}

/** Decimal digits of an integer in [0, {@link INLINE_INTEGER_MAX}]. */
function digitCount(n: number): number {
  let digits = 1;
  for (let limit = 10; n >= limit && digits < 10; limit *= 10) digits++;
  return digits;
}

/** Scratch room for prefetchKeys: the values found at the head of each key's chain. */
const prefetchHeads = new Array<unknown>(64).fill(undefined);

/** The key table's options: every entry carries its access stamp. */
const STAMPED = { stamps: true } as const;

/**
 * A key's stamp (a Uint32 beside its entry) holds two things:
 *
 *     bits 31-24  size tag: a string value's length in 4-byte words, plus 1 (see sizeTag)
 *     bits 23-0   access stamp: the LRU clock, or the LFU minutes and counter
 *
 * The tag lets an overwrite (SET, MSET, INCR) account for the bytes the old value frees without
 * reading the old value: one cache miss fewer per write (the stamp's line is written anyway).
 */
const TAG_BITS = 0xff00_0000;
const ACCESS_BITS = LRU_CLOCK_MAX;

/**
 * The size tag of a value, in the stamp's high byte: for a string of up to 1,016 bytes its
 * rounded length in words plus 1 (1-255), else 0 (a longer string or a collection: the account
 * reads the value).
 */
function sizeTag(value: Value): number {
  return typeof value === 'string' ? lengthTag(value.length) : 0;
}

/** The size tag of a string of `length` bytes. */
function lengthTag(length: number): number {
  const words = (length + 3) >>> 2;
  return words < 255 ? (words + 1) << 24 : 0;
}

/**
 * One of the numbered databases: a @byor/hashtable of key -> value whose entries carry the key's
 * access stamp (a Uint32 beside the entry), and for keys with a TTL a second table key -> handle into a
 * @byor/heap of deadlines (the book's chapter 13). Lookups expire keys lazily;
 * {@link Database.activeExpire} pops due deadlines with a per-call budget, so a million keys
 * expiring at once are reclaimed a slice at a time without a pause.
 *
 * A key is expired when now > deadline (redis-server's keyIsExpired).
 *
 * Every lookup that redis-server counts as an access (lookupKey without LOOKUP_NOTOUCH) stamps
 * the key: the LRU clock, or under an LFU policy the decayed and incremented LFU counter. The
 * database also keeps the memory account (`host.eviction.dataset`) that maxmemory is checked
 * against: strings exactly by MEMORY USAGE's formula, collections by their own estimate,
 * refreshed after in-place changes (see {@link Database.refreshCharges}).
 */
export class Database {
  readonly index: number;
  readonly #host: KeyspaceHost;
  readonly #access: AccessTracking;
  #dict = new HashTable<StoredValue>(STAMPED);
  /** the short string values (the key table holds their handles) */
  #arena = new StringArena();
  #expires = new HashTable<HeapHandle>();
  #deadlines = new NumericHeap<string>();
  /** the sum of every TTL'd key's deadline less #deadlineBase (INFO keyspace's avg_ttl) */
  #deadlineSum = 0;
  /** the first deadline set since the database last had none (keeps the sum's terms small) */
  #deadlineBase = 0;
  /** bytes of this database in the account */
  #bytes = 0;
  /**
   * The collections changed in place since they were charged (each collection's charge is in its
   * own fields, see Charged). Only this database's: a collection leaving it leaves this set.
   */
  #dirty = new Set<ObjectValue>();
  /**
   * String keys whose OBJECT ENCODING is not the one their value implies (see StringForm): what
   * redis-server's commands that change a string in place leave behind. Dropped when the key's
   * value is replaced or the key removed.
   */
  #forms = new Map<string, StringForm>();
  /** the last key looked up and its value: signalModified after a lookup needs no second lookup */
  #lastKey: string | undefined = undefined;
  #lastValue: StoredValue = '';
  /** an LFU access: the counter decayed and incremented (made once, not per lookup) */
  readonly #lfuHit: Restamp;

  constructor(index: number, host: KeyspaceHost) {
    this.index = index;
    this.#host = host;
    this.#access = host.eviction;
    this.#lfuHit = (stamp) => {
      const access = this.#access;
      const touched = lfuTouch(
        stamp & ACCESS_BITS,
        host.now(),
        access.lfuLogFactor,
        access.lfuDecayTime,
        Math.random(),
      );
      return (stamp & TAG_BITS) | touched;
    };
  }

  /** Number of keys, expired-but-not-yet-reclaimed ones included (as DBSIZE counts them). */
  get size(): number {
    return this.#dict.size;
  }

  /** Number of keys with a TTL. */
  get expiresCount(): number {
    return this.#expires.size;
  }

  /** Estimated bytes of this database's keys and values (its share of the memory account). */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Reads a key for a read command: expires it if due, counts a keyspace hit or miss, and (unless
   * `touch` is false: redis-server's LOOKUP_NOTOUCH, as TYPE, TTL, EXISTS and OBJECT use it)
   * stamps the access.
   */
  lookupRead(key: string, touch = true): Value | undefined {
    const stored = this.lookupReadStored(key, touch);
    return this.#resolve(stored);
  }

  /**
   * {@link lookupRead} that hands a short string over as its handle (GET, MGET: the reply is
   * written from where the string is kept, see {@link bulk}, and no JS string is made).
   */
  lookupReadStored(key: string, touch = true): StoredValue | undefined {
    const stored = touch ? this.lookupStored(key, false) : this.#peekStored(key);
    if (stored === undefined) {
      this.#host.stats.keyspaceMisses++;
      this.#host.keyMissed(this, key);
    } else {
      this.#host.stats.keyspaceHits++;
    }
    return stored;
  }

  /**
   * Writes a stored string (a string, a handle or an inline integer from
   * {@link lookupReadStored}) as a bulk reply.
   */
  bulk(writer: RespWriter, stored: string | number): void {
    if (typeof stored !== 'number') writer.bulk(stored);
    else if (stored >= 0) this.#arena.reply(writer, stored);
    else writer.bulk(String(~stored));
  }

  /**
   * A stored string (a string, a handle or an inline integer from {@link lookupStored}) as an
   * int64 by string2ll's rules (INCR, DECR), or undefined when it is not one.
   */
  integerOf(stored: string | number): Int64 | undefined {
    if (typeof stored === 'string') return parseInt64(stored);
    if (stored < 0) return ~stored;
    const small = this.#arena.integer(stored);
    return small === small ? small : parseInt64(this.#arena.read(stored));
  }

  /** Reads a key, expiring it first if its TTL has passed, and stamps the access. No statistics. */
  lookup(key: string): Value | undefined {
    const stored = this.lookupStored(key);
    return this.#resolve(stored);
  }

  /** Reads a key without stamping it (LOOKUP_NOTOUCH); expires it if due. No statistics. */
  peek(key: string): Value | undefined {
    const stored = this.#peekStored(key);
    return this.#resolve(stored);
  }

  /**
   * The value in the table, expired or not (dictFind: DEBUG OBJECT). Not an access, no expiry.
   */
  find(key: string): Value | undefined {
    return this.#resolve(this.#dict.get(key));
  }

  /** True when the key is in the table, expired or not (dictFind). Not an access, no expiry. */
  contains(key: string): boolean {
    return this.#dict.has(key);
  }

  /** True when the key exists (and is not expired). Not an access. */
  has(key: string): boolean {
    return this.peek(key) !== undefined;
  }

  /**
   * Writes a key (SET semantics): replaces any value, drops the TTL unless `keepTtl`, and signals
   * the modification. Returns true when the key is new. A new value is stamped as created now;
   * under an LFU policy an overwritten key keeps its counter (redis-server's dbSetValue).
   */
  set(key: string, value: Value, keepTtl = false): boolean {
    // one lookup: the table swaps the value in and hands the old one back; under LRU the stamp
    // is the clock, under LFU an overwrite keeps the counter (no stamp passed)
    const now = this.#host.now();
    const lfu = this.#access.lfu;
    const dict = this.#dict;
    const tag = sizeTag(value);
    const stored = this.#store(value);
    const old = lfu
      ? dict.swap(key, stored, tag, ACCESS_BITS)
      : dict.swap(key, stored, lruClock(now) | tag);
    if (old === undefined) {
      if (lfu) dict.setStamp(key, lfuInitial(now) | tag);
      this.#added(key, stored);
      if (this.#access.ownIntegers) this.#markOwnInteger(key, value);
      return true;
    }
    this.#replaced(key, old, stored, dict.replacedStamp >>> 24);
    if (this.#access.ownIntegers) this.#markOwnInteger(key, value);
    if (!keepTtl) this.#removeExpire(key);
    this.#host.keyModified(this, key);
    return false;
  }

  /**
   * Prepares lookups of the keys `argv[start]`, `argv[start + step]`, ... (MSET's, MGET's): what
   * finding them reads is loaded into the CPU cache together, so that the lookups that follow
   * do not each wait for their own cache misses. Changes nothing.
   */
  prefetch(argv: readonly string[], start: number, step: number): void {
    this.#dict.touch(argv, start, step);
  }

  /**
   * {@link prefetch} for the keys of a batch of pipelined commands (see pipeline-prefetch.ts),
   * in the order they will be looked up (`keys` is kept until the next prefetch: it must not
   * change), and the elements the commands name in the collections found under them (HSET's
   * fields...; `elements[i]` undefined for none), which those collections prefetch in turn.
   * Changes nothing.
   */
  prefetchKeys(keys: readonly string[], elements: readonly (string | undefined)[]): void {
    // the keys' entries, then the short strings they hold, from their handles
    const heads = prefetchHeads;
    const count = Math.min(keys.length, heads.length);
    this.#dict.touch(keys, 0, 1, heads);
    this.#arena.touch(heads, count);
    // then the elements the commands name in the collections found, one call per collection
    for (let i = 0; i < count; i++) {
      const value = heads[i] as StoredValue | undefined;
      if (elements[i] === undefined || typeof value !== 'object' || value.touch === undefined)
        continue;
      const group: string[] = [];
      for (let j = i; j < count; j++) {
        if (heads[j] !== value || elements[j] === undefined) continue;
        group.push(elements[j]!);
        if (j > i) heads[j] = undefined;
      }
      value.touch(group);
    }
    heads.fill(undefined, 0, count);
  }

  /** Replaces the value of an existing key in place, keeping its TTL (APPEND, INCR, SETRANGE). */
  update(key: string, value: Value): void {
    this.#put(key, this.#store(value), sizeTag(value));
    if (this.#access.ownIntegers) this.#markOwnInteger(key, value);
  }

  /**
   * Writes an integer as the string value of `key` (INCR, DECR, INCRBY), keeping its TTL;
   * `exists` says whether the caller's lookup found the key. One in [0,
   * {@link INLINE_INTEGER_MAX}] is kept in the key table itself (see StoredValue).
   */
  setInteger(key: string, value: Int64, exists: boolean): void {
    if (typeof value === 'number' && value >= 0 && value <= INLINE_INTEGER_MAX) {
      const tag = lengthTag(digitCount(value));
      if (exists) this.#put(key, ~value, tag);
      else this.#insert(key, ~value, tag);
      if (this.#access.ownIntegers) this.#markOwnInteger(key, value);
      return;
    }
    const text = int64ToString(value);
    if (exists) this.update(key, text);
    else this.add(key, text);
  }

  /** {@link update} of a value already in its stored form, with its size tag. */
  #put(key: string, stored: StoredValue, tag: number): void {
    const dict = this.#dict;
    const old = dict.swap(key, stored, tag, ACCESS_BITS);
    if (old === undefined) {
      dict.setStamp(key, this.#freshStamp() | tag);
      this.#added(key, stored);
      return;
    }
    this.#replaced(key, old, stored, dict.replacedStamp >>> 24);
    this.#host.keyModified(this, key);
  }

  /** Signals a change made in place (a TTL set, an element added to a collection). */
  signalModified(key: string): void {
    const value = key === this.#lastKey ? this.#lastValue : this.#dict.get(key);
    if (typeof value === 'object') this.#dirty.add(value);
    this.#host.keyModified(this, key);
  }

  /** Adds a key known not to exist (the caller has looked it up). */
  add(key: string, value: Value): void {
    this.#insert(key, this.#store(value), sizeTag(value));
    if (this.#access.ownIntegers) this.#markOwnInteger(key, value);
  }

  /** {@link add} of a value already in its stored form, with its size tag. */
  #insert(key: string, stored: StoredValue, tag: number): void {
    this.#dict.set(key, stored, this.#freshStamp() | tag);
    this.#added(key, stored);
  }

  /**
   * Deletes a key; returns whether it existed. `cause` says how redis-server would free the value
   * (the lazyfree-lazy-* directive that decides, UNLINK, or a move that frees nothing).
   */
  delete(key: string, cause: FreeCause = 'server-del'): boolean {
    if (!this.#remove(key, cause)) return false;
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
    if (handle === undefined) {
      if (this.#expires.size === 0) {
        this.#deadlineBase = at;
        this.#deadlineSum = 0;
      }
      this.#expires.set(key, this.#deadlines.push(at, key));
      this.#deadlineSum += at - this.#deadlineBase;
    } else {
      this.#deadlineSum += at - (this.#deadlines.keyOf(handle) ?? at);
      this.#deadlines.update(handle, at);
    }
    this.#host.expireSet?.(this, key);
  }

  /**
   * The mean time to live of the keys with one, in ms at `now` (INFO keyspace's avg_ttl; 0 when
   * none). redis-server estimates it from the keys its expiry cycle samples; this is the mean
   * over all of them. O(1).
   */
  averageTtl(now: number): number {
    const count = this.#expires.size;
    if (count === 0) return 0;
    return Math.max(0, Math.round(this.#deadlineSum / count + this.#deadlineBase - now));
  }

  /** Removes the TTL; returns whether there was one. */
  persist(key: string): boolean {
    return this.#removeExpire(key);
  }

  /**
   * The raw 24-bit access stamp of a key (DEBUG OBJECT's `lru`), or undefined when absent.
   * Not an access.
   */
  stampOf(key: string): number | undefined {
    const stamp = this.#dict.stampOf(key);
    return stamp === undefined ? undefined : stamp & ACCESS_BITS;
  }

  /** Sets the raw access stamp of an existing key (RENAME and MOVE carry it along). */
  setStamp(key: string, stamp: number): void {
    this.#dict.setStamp(key, stamp & ACCESS_BITS, TAG_BITS);
  }

  /** OBJECT IDLETIME: seconds since the key's last access (its stamp read as an LRU clock). */
  idleSeconds(key: string): number | undefined {
    const stamp = this.stampOf(key);
    if (stamp === undefined) return undefined;
    const clock = lruClock(this.#host.now());
    const idle = clock >= stamp ? clock - stamp : clock + (LRU_CLOCK_MAX - stamp);
    return idle;
  }

  /** OBJECT FREQ: the key's LFU counter after decay (its stamp read as an LFU stamp). */
  frequency(key: string): number | undefined {
    const stamp = this.stampOf(key);
    if (stamp === undefined) return undefined;
    return lfuCounter(stamp, this.#host.now(), this.#access.lfuDecayTime);
  }

  /**
   * objectSetLRUOrLFU (RESTORE IDLETIME/FREQ, the RDB's IDLE/FREQ opcodes): under an LFU policy
   * a `frequency` >= 0 sets the counter, otherwise an `idleSeconds` >= 0 sets the LRU clock that
   * far back. Returns whether the stamp was set.
   */
  setAccess(key: string, frequency: number, idleSeconds: number): boolean {
    if (!this.#dict.has(key)) return false;
    const now = this.#host.now();
    if (this.#access.lfu) {
      if (frequency < 0) return false;
      this.#dict.setStamp(key, (lfuMinutes(now) << 8) | (frequency & 0xff), TAG_BITS);
      return true;
    }
    if (idleSeconds < 0) return false;
    const clock = lruClock(now);
    let stamp = clock - idleSeconds;
    // a stamp before the clock's start: half-way round the wrapping clock, as redis-server does
    if (stamp < 0) stamp = (clock + (LRU_CLOCK_MAX >>> 1)) % LRU_CLOCK_MAX;
    this.#dict.setStamp(key, stamp, TAG_BITS);
    return true;
  }

  /** The IDLE opcode an RDB save writes for a key: seconds idle under an LRU policy, else -1. */
  savedIdleSeconds(key: string): number {
    return this.#access.savesIdle ? (this.idleSeconds(key) ?? -1) : -1;
  }

  /** The FREQ opcode an RDB save writes for a key: its counter under an LFU policy, else -1. */
  savedFrequency(key: string): number {
    return this.#access.savesFrequency ? (this.frequency(key) ?? -1) : -1;
  }

  /**
   * OBJECT ENCODING of `key`'s string value `value`: `int`, `embstr` or `raw` as redis-server
   * would have encoded it, given the commands that wrote it (see {@link setStringForm}). O(1).
   */
  stringEncoding(key: string, value: string): string {
    return stringEncoding(value, this.stringForm(key));
  }

  /** What {@link setStringForm} last recorded for `key`'s current value, if anything. O(1). */
  stringForm(key: string): StringForm | undefined {
    return this.#forms.size === 0 ? undefined : this.#forms.get(key);
  }

  /**
   * Records how a command left `key`'s string value, which it has just written: `raw` after
   * APPEND to an existing string, SETRANGE, SETBIT, BITFIELD, BITOP, PFADD...; `not-int` for
   * INCRBYFLOAT's result (an embstr even when it reads as an integer). Kept until the value is
   * replaced by another write or the key removed; RENAME, MOVE and COPY carry it. O(1).
   */
  setStringForm(key: string, form: StringForm | undefined): void {
    if (form === undefined) this.#forms.delete(key);
    else this.#forms.set(key, form);
  }

  /** Empties the database (FLUSHDB). */
  flush(): void {
    this.#forms = new Map();
    this.#access.dataset -= this.#bytes;
    this.#bytes = 0;
    this.#dict = new HashTable<StoredValue>(STAMPED);
    this.#arena = new StringArena();
    this.#expires = new HashTable<HeapHandle>();
    this.#deadlines = new NumericHeap<string>();
    this.#deadlineSum = 0;
    this.#dirty = new Set();
    this.#lastKey = undefined;
    this.#lastValue = '';
  }

  /** Exchanges the contents of two databases (SWAPDB). */
  swapWith(other: Database): void {
    [this.#dict, other.#dict] = [other.#dict, this.#dict];
    [this.#arena, other.#arena] = [other.#arena, this.#arena];
    [this.#expires, other.#expires] = [other.#expires, this.#expires];
    [this.#deadlines, other.#deadlines] = [other.#deadlines, this.#deadlines];
    [this.#deadlineSum, other.#deadlineSum] = [other.#deadlineSum, this.#deadlineSum];
    [this.#deadlineBase, other.#deadlineBase] = [other.#deadlineBase, this.#deadlineBase];
    [this.#bytes, other.#bytes] = [other.#bytes, this.#bytes];
    [this.#dirty, other.#dirty] = [other.#dirty, this.#dirty];
    [this.#forms, other.#forms] = [other.#forms, this.#forms];
    this.#lastKey = other.#lastKey = undefined;
    this.#lastValue = other.#lastValue = '';
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
   * cursor (0 when the scan is complete). Expired keys are not visited: `expired` is told about
   * them (nothing may change the table before the step returns).
   */
  scan(
    cursor: number,
    count: number,
    visit: (key: string, value: Value) => void,
    expired?: (key: string) => void,
  ): number {
    const now = this.#host.now();
    return this.#dict.scan(cursor, count, (key, stored) => {
      const at = this.getExpire(key);
      if (at !== undefined && now > at) expired?.(key);
      else visit(key, this.#resolve(stored));
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

  /** Every live key and value (and, `withExpired`, the keys past their TTL not deleted yet). */
  *entries(withExpired = false): IterableIterator<[string, Value]> {
    const now = this.#host.now();
    for (const [key, stored] of this.#dict.entries()) {
      const at = withExpired ? undefined : this.getExpire(key);
      if (at !== undefined && now > at) continue;
      yield [key, this.#resolve(stored)];
    }
  }

  /**
   * Eviction sampling (evictionPoolPopulate's dictGetSomeKeys): up to `count` random keys of the
   * whole database, or with `volatile` of the keys with a TTL, each reported with its raw stamp
   * and its deadline (0 without a TTL). Not an access. O(count).
   */
  sampleForEviction(
    count: number,
    volatile: boolean,
    visit: (key: string, stamp: number, expireAt: number) => void,
  ): void {
    if (volatile) {
      for (const [key, handle] of this.#expires.sample(count)) {
        const stamp = this.stampOf(key);
        if (stamp === undefined) continue;
        visit(key, stamp, this.#deadlines.keyOf(handle) ?? 0);
      }
      return;
    }
    this.#dict.sampleStamped(count, (key, _value, stamp) => visit(key, stamp & ACCESS_BITS, 0));
  }

  /** A uniformly random key of the database (or of its keys with a TTL), for random eviction. */
  randomKeyForEviction(volatile: boolean): string | undefined {
    return volatile ? this.#expires.randomKey() : this.#dict.randomKey();
  }

  /**
   * Deletes a key chosen for eviction; returns the bytes its removal takes off the account, or -1
   * when the key is gone. The caller counts, notifies and propagates.
   */
  evict(key: string): number {
    const before = this.#bytes;
    if (!this.#remove(key, 'eviction')) return -1;
    this.#removeExpire(key);
    this.#host.keyModified(this, key);
    return before - this.#bytes;
  }

  /**
   * Brings the memory account up to date for collections changed in place since they were last
   * charged: small ones are estimated again (memoryUsage()), big ones scaled by their element
   * count until it has halved or doubled since their last exact estimate, so that a write to a
   * big collection never costs a walk of it. O(changed collections).
   */
  refreshCharges(): void {
    const dirty = this.#dirty;
    if (dirty.size === 0) return;
    for (const value of dirty) {
      const count = sizeOf(value);
      let bytes: number;
      if (
        value.exactCount >= SCALE_FROM &&
        count >= value.exactCount >>> 1 &&
        count <= value.exactCount * 2
      ) {
        bytes = Math.round((value.exactBytes * count) / value.exactCount);
      } else {
        bytes = valueBytes(value);
        value.exactBytes = bytes;
        value.exactCount = count;
      }
      const delta = bytes - value.chargedBytes;
      value.chargedBytes = bytes;
      this.#bytes += delta;
      this.#access.dataset += delta;
    }
    dirty.clear();
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

  /**
   * expireSlaveKeys' step for one key a writable replica's client gave a TTL: deletes it when
   * that TTL has passed. Returns whether the key still waits for its TTL here.
   */
  expireOwnKey(key: string): boolean {
    const at = this.getExpire(key);
    if (at === undefined) return false;
    if (!(this.#host.now() > at)) return true;
    this.#expireNow(key);
    return false;
  }

  /** Progressive rehashing from the server's cron (activerehashing). */
  rehashStep(budget: number): boolean {
    const a = this.#dict.rehashStep(budget);
    const b = this.#expires.rehashStep(budget);
    return a || b;
  }

  /** Throws when the key table, the TTLs and the memory account disagree (model tests). O(n). */
  checkInvariants(): void {
    this.#dict.checkInvariants();
    if (this.#lastKey !== undefined && this.#dict.get(this.#lastKey) !== this.#lastValue)
      throw new Error(`the cached value of ${this.#lastKey} is stale`);
    let deadlines = 0;
    for (const [key, handle] of this.#expires) {
      if (!this.#dict.has(key)) throw new Error(`TTL of a missing key ${key}`);
      deadlines += (this.#deadlines.keyOf(handle) ?? 0) - this.#deadlineBase;
    }
    if (deadlines !== this.#deadlineSum)
      throw new Error(`deadline sum ${this.#deadlineSum}, the deadlines add up to ${deadlines}`);
    for (const key of this.#forms.keys())
      if (typeof this.#resolve(this.#dict.get(key)) !== 'string')
        throw new Error(`string form of ${key}, which holds no string`);
    let handles = 0;
    for (const [key, stored] of this.#dict) {
      if (typeof stored === 'number' && stored >= 0) handles++;
      const value = this.#resolve(stored);
      const tag = (this.#dict.stampOf(key) ?? 0) >>> 24;
      if (tag !== sizeTag(value) >>> 24)
        throw new Error(`size tag ${tag} of ${key} does not match its value`);
    }
    if (handles !== this.#arena.count)
      throw new Error(`${this.#arena.count} strings in the arena for ${handles} handles`);
    if (this.#bytes < 0) throw new Error(`negative memory account ${this.#bytes}`);
  }

  /**
   * {@link lookup} that hands a short string over as its handle: for {@link bulk} and
   * {@link integerOf}, which read it where it is kept.
   */
  lookupStored(key: string, write = true): StoredValue | undefined {
    // the access stamp is written by the lookup itself: one find, no second cache line to miss
    const stored = this.#access.lfu
      ? this.#dict.getRestamped(key, this.#lfuHit)
      : this.#dict.getStamped(key, lruClock(this.#host.now()), TAG_BITS);
    if (stored === undefined) return undefined;
    if (this.#expires.size !== 0 && this.#expireIfDue(key, write)) return undefined;
    this.#lastKey = key;
    this.#lastValue = stored;
    return stored;
  }

  /** {@link peek} without decoding. */
  #peekStored(key: string): StoredValue | undefined {
    const stored = this.#dict.get(key);
    if (stored === undefined) return undefined;
    if (this.#expires.size !== 0 && this.#expireIfDue(key)) return undefined;
    return stored;
  }

  /** A value as the table holds it, read out: the string behind a handle or an inline integer. */
  #resolve<T>(stored: T | number): T | string {
    if (typeof stored !== 'number') return stored;
    return stored >= 0 ? this.#arena.read(stored) : String(~stored);
  }

  /** What the table holds for a value: a short string's arena handle, else the value. */
  #store(value: Value): StoredValue {
    return typeof value === 'string' ? this.#arena.hold(value) : value;
  }

  #freshStamp(): number {
    const now = this.#host.now();
    return this.#access.lfu ? lfuInitial(now) : lruClock(now);
  }

  /** Accounts for a key just added to the table. */
  #added(key: string, value: StoredValue): void {
    if (key === this.#lastKey) this.#lastValue = value;
    this.#charge(key, value);
    this.#host.keyAdded(this, key);
    this.#host.keyModified(this, key);
  }

  /**
   * Accounts for the value of `key` replaced in the table; `oldTag` is the size tag the entry's
   * stamp had (0: not known from the stamp).
   */
  #replaced(key: string, old: StoredValue, value: StoredValue, oldTag: number): void {
    if (this.#forms.size !== 0) this.#forms.delete(key);
    // the old value's length in words: from its size tag when it has one, so that the old value
    // is not read (a cache miss); -1 for a collection
    const oldWords =
      oldTag !== 0 ? oldTag - 1 : typeof old === 'string' ? (old.length + 3) >>> 2 : -1;
    if (typeof old === 'number' && old >= 0) this.#arena.free(old);
    if (oldWords >= 0 && typeof value !== 'object') {
      // string for string (SET, INCR, APPEND): the key's share cancels out, only the value's
      // rounded length moves the account; inlined from stringEntryBytes for the hot path
      if (key === this.#lastKey) this.#lastValue = value;
      const delta = (((storedLength(value) + 3) >>> 2) - oldWords) << 2;
      if (delta !== 0) {
        this.#bytes += delta;
        this.#access.dataset += delta;
      }
      return;
    }
    // (strings are not compared: === on two equally long strings reads them both, and SETBIT
    // on a megabyte bitmap replaces one with another of the same length on every call)
    if (typeof old === 'object' && old === value) return;
    if (key === this.#lastKey) this.#lastValue = value;
    // dbSetValue: the old value is freed as lazyfree-lazy-server-del says
    if (typeof old === 'object') this.#host.valueFreed(old, 'server-del');
    this.#discharge(key, old);
    this.#charge(key, value);
  }

  /**
   * A string value just written that redis-server would make one of its shared integers, were
   * they shared (see AccessTracking.ownIntegers): marked as an object of its own.
   */
  #markOwnInteger(key: string, value: Value | Int64): void {
    const small =
      typeof value === 'string'
        ? value.length <= 4 && SHARED_INTEGER.test(value)
        : typeof value === 'number' && value >= 0 && value <= SHARED_INTEGERS_MAX;
    if (small) this.#forms.set(key, 'own-int');
  }

  #remove(key: string, cause: FreeCause): boolean {
    const value = this.#dict.get(key);
    if (value === undefined) return false;
    if (typeof value === 'object') this.#host.valueFreed(value, cause);
    this.#dict.delete(key);
    if (this.#forms.size !== 0) this.#forms.delete(key);
    this.#discharge(key, value);
    if (typeof value === 'number' && value >= 0) this.#arena.free(value);
    if (key === this.#lastKey) {
      this.#lastKey = undefined;
      this.#lastValue = '';
    }
    return true;
  }

  #charge(key: string, value: StoredValue): void {
    let bytes: number;
    if (typeof value !== 'object') bytes = stringEntryBytes(key, storedLength(value));
    else {
      const own = valueBytes(value);
      value.chargedBytes = own;
      value.exactBytes = own;
      value.exactCount = sizeOf(value);
      bytes = stringEntryBytes(key, 0) + own;
    }
    this.#bytes += bytes;
    this.#access.dataset += bytes;
  }

  #discharge(key: string, value: StoredValue): void {
    let bytes: number;
    if (typeof value !== 'object') bytes = stringEntryBytes(key, storedLength(value));
    else {
      bytes = stringEntryBytes(key, 0) + value.chargedBytes;
      // not refreshed into this account again: it may be charged to another database next (MOVE)
      this.#dirty.delete(value);
    }
    this.#bytes -= bytes;
    this.#access.dataset -= bytes;
  }

  /**
   * Whether `key` is past its TTL, for a lookup (a `write` one deletes it on a writable replica,
   * lookupKey's force_delete_expired); deletes it where the host says so.
   */
  #expireIfDue(key: string, write = false): boolean {
    const handle = this.#expires.get(key);
    if (handle === undefined) return false;
    const at = this.#deadlines.keyOf(handle);
    if (at === undefined || !(this.#host.now() > at)) return false;
    const expiry = this.#host.expiry;
    const deletes = expiry === 'delete' || (expiry === 'hide-reads' && write);
    // not deleted: hidden ('hide', a writable replica's read) or still there ('keep')
    if (!deletes) return expiry !== 'keep';
    this.#expireNow(key);
    return true;
  }

  #expireNow(key: string): void {
    this.#remove(key, 'expire');
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
    this.#deadlineSum -= (this.#deadlines.keyOf(handle) ?? this.#deadlineBase) - this.#deadlineBase;
    this.#deadlines.remove(handle);
    if (this.#expires.size === 0) this.#deadlineSum = 0;
    return true;
  }
}

/** A collection's own estimate (MEMORY USAGE without the key and entry). */
function valueBytes(value: ObjectValue): number {
  // memory.ts's estimate of the whole key, less its entry and empty key name
  return estimateMemoryUsage('', value) - EMPTY_KEY_BYTES;
}
const EMPTY_KEY_BYTES = estimateMemoryUsage('', '') - 12;
