import {
  close,
  closeSync,
  fsync,
  fsyncSync,
  openSync,
  rename,
  renameSync,
  unlinkSync,
  write,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { ThreadPool } from '@byor/threadpool';
import { Crc64 } from './crc64.js';
import { PersistenceIoError } from './errors.js';
import type { PersistenceWorkerTasks } from './worker-module.js';

/** What follows the last chunk: the RDB CRC-64 (`rdbchecksum yes`), 8 zero bytes (`no`), nothing (AOF). */
export const Trailer = {
  NONE: 0,
  CRC64: 1,
  ZERO: 2,
} as const;
export type Trailer = (typeof Trailer)[keyof typeof Trailer];

/**
 * Where a snapshot's chunks go: a temporary file, renamed over the target once complete and
 * synced, so a crash at any moment leaves the previous file intact.
 */
export interface SnapshotSink {
  /**
   * Takes ownership of `chunk` (its memory may be moved to a worker). `deferred`: strings of the
   * chunk to compress before writing ([offset, length] pairs, see RdbEncoder.deferred); only a
   * sink with a worker is given any.
   */
  write(chunk: Buffer, deferred?: Int32Array): void;
  /** bytes handed over and not yet written */
  readonly pendingBytes: number;
  /** resolves once the pending bytes are written */
  drained(): Promise<void>;
  /** writes the trailer, syncs, renames into place; resolves with the file size */
  complete(): Promise<number>;
  /** gives up: closes and deletes the temporary file */
  abort(): void;
}

/** Syncs a directory, so that a rename in it survives a power loss. @internal */
export function syncDirectory(path: string): void {
  try {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* some file systems refuse to sync a directory; the rename is still atomic */
  }
}

/** The 8 bytes after an RDB's end: its CRC-64, zeros, or none. */
export function trailerBytes(trailer: Trailer, crc: Crc64 | undefined): Buffer | undefined {
  if (trailer === Trailer.NONE) return undefined;
  const bytes = Buffer.alloc(8);
  if (trailer === Trailer.CRC64 && crc) crc.writeTo(bytes, 0);
  return bytes;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

function ioError(what: string, path: string, cause: unknown): PersistenceIoError {
  return new PersistenceIoError(`${what} ${path}: ${(cause as Error).message}`, { cause });
}

/**
 * Writes on the calling thread (SAVE, SHUTDOWN, DEBUG RELOAD: redis-server blocks for those too).
 *
 * @example
 * ```ts
 * const sink = new SyncFileSink('/data/temp-1.rdb', '/data/dump.rdb', Trailer.CRC64);
 * sink.write(chunk);
 * sink.completeSync();
 * ```
 */
export class SyncFileSink implements SnapshotSink {
  readonly #temporary: string;
  readonly #target: string;
  readonly #trailer: Trailer;
  readonly #crc: Crc64 | undefined;
  #fd: number;
  #size = 0;

  constructor(temporary: string, target: string, trailer: Trailer) {
    this.#temporary = temporary;
    this.#target = target;
    this.#trailer = trailer;
    this.#crc = trailer === Trailer.CRC64 ? new Crc64() : undefined;
    try {
      this.#fd = openSync(temporary, 'w');
    } catch (error) {
      throw ioError('Failed opening the temp RDB file', temporary, error);
    }
  }

  get pendingBytes(): number {
    return 0;
  }

  write(chunk: Buffer): void {
    this.#crc?.update(chunk);
    try {
      writeAll(this.#fd, chunk);
    } catch (error) {
      this.abort();
      throw ioError('Write error saving DB on disk', this.#temporary, error);
    }
    this.#size += chunk.length;
  }

  drained(): Promise<void> {
    return Promise.resolve();
  }

  /** The synchronous form of {@link SnapshotSink.complete}. */
  completeSync(): number {
    try {
      const trailer = trailerBytes(this.#trailer, this.#crc);
      if (trailer) {
        writeAll(this.#fd, trailer);
        this.#size += 8;
      }
      fsyncSync(this.#fd);
      closeSync(this.#fd);
      this.#fd = -1;
      renameSync(this.#temporary, this.#target);
    } catch (error) {
      this.abort();
      throw ioError('Error saving DB on disk', this.#target, error);
    }
    syncDirectory(dirname(this.#target));
    return this.#size;
  }

  complete(): Promise<number> {
    try {
      return Promise.resolve(this.completeSync());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  abort(): void {
    if (this.#fd >= 0) {
      try {
        closeSync(this.#fd);
      } catch {
        /* already closed */
      }
      this.#fd = -1;
    }
    try {
      unlinkSync(this.#temporary);
    } catch {
      /* never created, or renamed */
    }
  }
}

let nextJob = 1;

/**
 * Writes off the event loop (BGSAVE, BGREWRITEAOF): with a pool, each chunk moves (transferred,
 * not copied) to the persistence worker, which updates the CRC-64 and writes it; without one
 * (the worker could not start), the checksum is computed here and the writes go through libuv's
 * threads. Syncing and renaming are asynchronous file-system calls either way.
 *
 * @example
 * ```ts
 * const sink = new BackgroundFileSink(pool, '/data/temp-bg-1.rdb', '/data/dump.rdb', Trailer.CRC64);
 * sink.write(chunk); // O(1) here: the worker checksums and writes it
 * await sink.complete();
 * ```
 */
export class BackgroundFileSink implements SnapshotSink {
  readonly #pool: ThreadPool<PersistenceWorkerTasks> | undefined;
  readonly #temporary: string;
  readonly #target: string;
  readonly #trailer: Trailer;
  readonly #job = nextJob++;
  readonly #crc: Crc64 | undefined;
  #fd: number;
  #pending = 0;
  #size = 0;
  #tail: Promise<void> = Promise.resolve();
  #failure: Error | undefined = undefined;
  #waiters: (() => void)[] = [];

  constructor(
    pool: ThreadPool<PersistenceWorkerTasks> | undefined,
    temporary: string,
    target: string,
    trailer: Trailer,
  ) {
    this.#pool = pool;
    this.#temporary = temporary;
    this.#target = target;
    this.#trailer = trailer;
    this.#crc = pool === undefined && trailer === Trailer.CRC64 ? new Crc64() : undefined;
    try {
      this.#fd = openSync(temporary, 'w');
    } catch (error) {
      throw ioError('Failed opening the temp RDB file', temporary, error);
    }
  }

  get pendingBytes(): number {
    return this.#pending;
  }

  write(chunk: Buffer, deferred?: Int32Array): void {
    if (this.#failure) return;
    const length = chunk.length;
    this.#pending += length;
    const fd = this.#fd;
    const pool = this.#pool;
    let done: Promise<number>;
    if (pool) {
      // pool tasks of one job run in order on its single worker: no need to wait for the previous
      const transfer: ArrayBuffer[] = [chunk.buffer as ArrayBuffer];
      if (deferred) transfer.push(deferred.buffer as ArrayBuffer);
      done = pool.run(
        { job: this.#job, fd, chunk, deferred, checksum: this.#trailer === Trailer.CRC64 },
        { handler: 'write', transferList: transfer },
      );
    } else {
      if (deferred) throw new PersistenceIoError('deferred compression needs the worker');
      this.#crc?.update(chunk);
      done = this.#tail.then(() => writeAsync(fd, chunk)).then(() => length);
    }
    this.#tail = done.then(
      (written) => {
        this.#size += written;
        this.#pending -= length;
        if (this.#pending === 0) this.#wake();
      },
      (error: unknown) => {
        this.#failure ??= ioError('Write error saving DB on disk', this.#temporary, error);
        this.#pending = 0;
        this.#wake();
      },
    );
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  drained(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async complete(): Promise<number> {
    await this.#tail;
    if (this.#failure) {
      this.abort();
      throw this.#failure;
    }
    try {
      let crc = this.#crc;
      if (this.#pool && this.#trailer === Trailer.CRC64) {
        const [lo, hi] = await this.#pool.run({ job: this.#job }, { handler: 'finish' });
        crc = new Crc64();
        crc.state[0] = lo;
        crc.state[1] = hi;
      }
      const trailer = trailerBytes(this.#trailer, crc);
      if (trailer) {
        await writeAsync(this.#fd, trailer);
        this.#size += 8;
      }
      const fd = this.#fd;
      await new Promise<void>((resolve, reject) =>
        fsync(fd, (error) => (error ? reject(error) : resolve())),
      );
      this.#fd = -1;
      await new Promise<void>((resolve, reject) =>
        close(fd, (error) => (error ? reject(error) : resolve())),
      );
      await new Promise<void>((resolve, reject) =>
        rename(this.#temporary, this.#target, (error) => (error ? reject(error) : resolve())),
      );
    } catch (error) {
      this.abort();
      throw ioError('Error saving DB on disk', this.#target, error);
    }
    syncDirectory(dirname(this.#target));
    return this.#size;
  }

  abort(): void {
    this.#failure ??= new PersistenceIoError('aborted');
    // the worker forgets the job's checksum
    this.#pool?.run({ job: this.#job }, { handler: 'finish' }).catch(() => undefined);
    const fd = this.#fd;
    this.#fd = -1;
    try {
      unlinkSync(this.#temporary);
    } catch {
      /* never created, or renamed */
    }
    // writes still queued for the worker must not reach a reused descriptor: close after them
    if (fd >= 0)
      void this.#tail.finally(() => {
        try {
          closeSync(fd);
        } catch {
          /* already closed */
        }
      });
  }
}

function writeAsync(fd: number, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const next = (offset: number): void => {
      write(fd, bytes, offset, bytes.length - offset, null, (error, written) => {
        if (error) reject(error);
        else if (offset + written < bytes.length) next(offset + written);
        else resolve();
      });
    };
    next(0);
  });
}
