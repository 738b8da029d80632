import { performance } from 'node:perf_hooks';
import type { Database } from '../keyspace.js';
import type { Value } from '../values.js';
import type { ByteWriter } from './byte-writer.js';

/** How a snapshot is written: RDB (files, AOF preambles) or AOF commands. */
export interface SnapshotFormat {
  /** where the format writes; the snapshot hands full chunks of it to the sink */
  readonly out: ByteWriter;
  /** the file header (RDB: "REDIS0010" and AUX fields) */
  begin(): void;
  /**
   * whether keys already past their TTL are written: an RDB has them (rdbSaveRio writes every
   * key, a master's load counts them expired), an AOF's commands do not
   */
  readonly keepsExpired: boolean;
  /** switch to database `index`; `size`/`expires` are hints (RDB RESIZEDB), or undefined */
  selectDb(index: number, size: number | undefined, expires: number | undefined): void;
  /**
   * one key; `idleSeconds` / `frequency` (-1: none) are its access stamp as the RDB's IDLE and
   * FREQ opcodes carry it under an LRU / LFU maxmemory-policy
   */
  key(
    key: string,
    value: Value,
    expireAt: number | undefined,
    idleSeconds?: number,
    frequency?: number,
  ): void;
  /** the end (RDB: the EOF opcode; the sink adds the checksum) */
  end(): void;
  /**
   * The strings of what `out` holds that are left for the sink to compress, as [offset, length]
   * pairs (and forgets them), or undefined when compression is done inline.
   */
  takeDeferred?(): Int32Array | undefined;
}

/** Tuning of a {@link Snapshot}. */
export interface SnapshotOptions {
  /** hand a chunk to the sink once this many bytes are buffered (default 1 MiB) */
  readonly chunkBytes?: number;
}

const DEFAULT_CHUNK = 1 << 20;
/** keys serialized between two looks at the clock */
const KEYS_PER_CLOCK_CHECK = 32;

/**
 * A point-in-time serialization of every database that runs a slice at a time between event-loop
 * turns (what redis-server gets from fork()). The keyspace keeps changing while it runs; the
 * snapshot keeps the view of the moment it started (T0) this way:
 *
 * - it walks each database with the keyspace's own iterator, which visits every key present from
 *   start to end exactly once and keeps going across deletes;
 * - before a write command runs, the server calls {@link Snapshot.preserve} for the keys it may
 *   touch (copy-before-write): a key not written yet is serialized right then, still holding its
 *   T0 value, and remembered, so the walk skips it later; a key that does not exist is remembered
 *   as born after T0, so the walk skips it if the command creates it;
 * - a change the server did not announce beforehand (a safety net: every command path announces
 *   its writes today) still reaches {@link Snapshot.keyChanged}; the key is then written as it
 *   is now, so nothing is lost or duplicated, and `fuzzyKeys` counts it.
 *
 * Keys preserved out of order are written under their own SELECTDB (RDB allows any number of
 * them), so each database's keys may appear in more than one run.
 *
 * Memory: one Set entry per key written in the database being walked (the keys themselves are
 * shared with the keyspace), dropped when that database is done.
 *
 * @example
 * ```ts
 * const snapshot = new Snapshot(server.databases, format, (chunk) => sink.write(chunk));
 * snapshot.begin();
 * while (!snapshot.step(performance.now() + 2)) await new Promise(setImmediate);
 * ```
 */
export class Snapshot {
  readonly #databases: readonly Database[];
  readonly #format: SnapshotFormat;
  readonly #emit: (chunk: Buffer, deferred: Int32Array | undefined) => void;
  readonly #chunkBytes: number;
  /** the database being walked; databases.length once done */
  #dbIndex = 0;
  #iterator: Iterator<[string, Value]> | undefined = undefined;
  /** per database: keys already written or known to be born after T0 (walked databases: undefined) */
  readonly #handled: (Set<string> | undefined)[];
  /** the database the output is currently in (the last SELECTDB written) */
  #streamDb = -1;
  readonly #resized: boolean[] = [];
  #begun = false;
  #ended = false;
  /** keys when the snapshot started */
  readonly keysTotal: number;
  /** keys serialized so far */
  keysWritten = 0;
  /** keys written after they changed, without a warning beforehand (see class comment) */
  fuzzyKeys = 0;

  constructor(
    databases: readonly Database[],
    format: SnapshotFormat,
    emit: (chunk: Buffer, deferred: Int32Array | undefined) => void,
    options: SnapshotOptions = {},
  ) {
    this.#databases = databases;
    this.#format = format;
    this.#emit = emit;
    this.#chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK;
    this.#handled = databases.map(() => new Set<string>());
    let total = 0;
    for (const db of databases) total += db.size;
    this.keysTotal = total;
  }

  /** True once every key is written and the end handed to the sink. */
  get done(): boolean {
    return this.#ended;
  }

  /** Writes the header. Call once, before the first step. */
  begin(): void {
    if (this.#begun) return;
    this.#begun = true;
    this.#format.begin();
  }

  /**
   * Serializes keys until `deadline` (a performance.now() time) or the end. Returns true when the
   * snapshot is complete (the last chunk handed to the sink). O(keys written).
   */
  step(deadline: number): boolean {
    if (this.#ended) return true;
    this.begin();
    const databases = this.#databases;
    const out = this.#format.out;
    let sinceCheck = 0;
    while (this.#dbIndex < databases.length) {
      const index = this.#dbIndex;
      const db = databases[index] as Database;
      const handled = this.#handled[index] as Set<string>;
      this.#iterator ??= db.entries(this.#format.keepsExpired);
      const iterator = this.#iterator;
      for (;;) {
        const next = iterator.next();
        if (next.done === true) break;
        const [key, value] = next.value;
        if (handled.has(key)) continue;
        handled.add(key);
        this.#write(index, key, value, db.getExpire(key), true);
        if (out.length >= this.#chunkBytes) this.#flushChunk();
        if (++sinceCheck === KEYS_PER_CLOCK_CHECK) {
          sinceCheck = 0;
          if (performance.now() >= deadline) return false;
        }
      }
      this.#iterator = undefined;
      this.#handled[index] = undefined;
      this.#dbIndex++;
    }
    this.#format.end();
    this.#ended = true;
    this.#flushChunk();
    return true;
  }

  /** Runs the rest at once (FLUSHDB or SWAPDB during a snapshot, SHUTDOWN). */
  finish(): void {
    while (!this.step(Infinity)) {
      /* step(Infinity) only returns false on a deadline */
    }
  }

  /** Stops: closes the keyspace iterator (it holds back the keyspace's compaction). */
  abort(): void {
    this.#iterator?.return?.();
    this.#iterator = undefined;
    this.#dbIndex = this.#databases.length;
    this.#ended = true;
  }

  /**
   * Copy-before-write: `key` of `db` is about to change. Writes its T0 value now if the walk has
   * not reached it, or remembers that it did not exist at T0. O(size of the value).
   */
  preserve(db: Database, key: string): void {
    const index = db.index;
    const handled = this.#handled[index];
    if (handled === undefined || handled.has(key)) return;
    handled.add(key);
    if (this.#ended) return;
    // (a key whose TTL has passed is reclaimed here, as the command itself would do; not an access)
    const value = db.peek(key);
    if (value === undefined) return;
    this.#write(index, key, value, db.getExpire(key), false);
    if (this.#format.out.length >= this.#chunkBytes) this.#flushChunk();
  }

  /**
   * A key changed without {@link Snapshot.preserve} first: if the walk has not reached it, it is
   * written now as it is (or dropped if it is gone), and counted in `fuzzyKeys`. O(value).
   */
  keyChanged(db: Database, key: string): void {
    const handled = this.#handled[db.index];
    if (handled === undefined || handled.has(key)) return;
    handled.add(key);
    if (this.#ended) return;
    const value = db.peek(key);
    if (value === undefined) return;
    this.fuzzyKeys++;
    this.#write(db.index, key, value, db.getExpire(key), false);
    if (this.#format.out.length >= this.#chunkBytes) this.#flushChunk();
  }

  #write(
    index: number,
    key: string,
    value: Value,
    expireAt: number | undefined,
    walking: boolean,
  ): void {
    const format = this.#format;
    if (this.#streamDb !== index) {
      const db = this.#databases[index] as Database;
      // RESIZEDB hints once, when the walk enters a database
      if (walking && !this.#resized[index]) {
        this.#resized[index] = true;
        format.selectDb(index, db.size, db.expiresCount);
      } else {
        format.selectDb(index, undefined, undefined);
      }
      this.#streamDb = index;
    }
    const db = this.#databases[index] as Database;
    format.key(key, value, expireAt, db.savedIdleSeconds(key), db.savedFrequency(key));
    this.keysWritten++;
    // a preserved key written in another database's run: the walk's run resumes after it
    if (!walking && this.#dbIndex !== index) this.#streamDb = -1;
  }

  /** Hands the buffered bytes to the sink (which owns them from then on). */
  #flushChunk(): void {
    const out = this.#format.out;
    if (out.length === 0) return;
    const chunk = out.buffer.subarray(0, out.length);
    const deferred = this.#format.takeDeferred?.();
    out.buffer = Buffer.allocUnsafeSlow(Math.max(this.#chunkBytes * 2, 4096));
    out.length = 0;
    this.#emit(chunk, deferred);
  }
}
