import {
  closeSync,
  existsSync,
  fdatasync,
  fdatasyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import { ByteWriter } from './byte-writer.js';
import { AofTruncatedError, PersistenceIoError } from './errors.js';
import { emptyManifest, formatManifest, parseManifest, type AofManifest } from './aof-manifest.js';
import { readAofFile, type AofCommandTarget } from './aof-reader.js';
import { syncDirectory } from './file-sink.js';
import { CommandStream } from './resp-commands.js';

/** aof_state: off, on, or turned on and waiting for its first rewrite (CONFIG SET appendonly yes). */
export const AofState = {
  OFF: 0,
  ON: 1,
  WAIT_REWRITE: 2,
} as const;
export type AofState = (typeof AofState)[keyof typeof AofState];

/** appendfsync */
export type FsyncPolicy = 'always' | 'everysec' | 'no';

/** Where the AOF lives and how it behaves (read from the config each time). */
export interface AofSettings {
  /** `dir` */
  directory(): string;
  /** `appenddirname` */
  readonly dirname: string;
  /** `appendfilename` */
  readonly filename: string;
  /** `appendfsync` */
  policy(): FsyncPolicy;
  /** `aof-load-truncated` */
  loadTruncated(): boolean;
  /** `aof-use-rdb-preamble` */
  rdbPreamble(): boolean;
  /** `aof-timestamp-enabled` */
  timestamps(): boolean;
}

/** What loading needs: the RDB reader for a base file, and the command runner. */
export interface AofLoadTarget extends AofCommandTarget {
  /**
   * loads the RDB at the start of the file at `path` (a base file or an old preamble), a window
   * at a time; returns where it ended
   */
  loadRdb(path: string, file: string): number;
}

/** Whether the file at `path` begins with an RDB's "REDIS". */
function startsWithRdb(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(5);
    return readSync(fd, head, 0, 5, 0) === 5 && head.toString('latin1') === 'REDIS';
  } finally {
    closeSync(fd);
  }
}

/** What a rewrite needs from the AOF when it starts. */
export interface RewritePlan {
  /** the temporary file the snapshot goes to */
  readonly temporary: string;
  /** the base file it becomes */
  readonly baseName: string;
  /** the sequence number of the base */
  readonly baseSeq: number;
  /** incremental files before this sequence number become history when the rewrite succeeds */
  readonly firstKeptIncr: number;
}

/**
 * The append-only file in redis-server 7's multi-part layout: a manifest, a base file and
 * incremental files in `appenddirname` (see aof-manifest.ts), so that redis-server loads byor's
 * AOF and the other way around.
 *
 * Every write command the server propagates is appended in RESP to a buffer, after a SELECT when
 * the database changes, and MULTI/EXEC around a transaction's writes. The owner calls
 * {@link AppendOnlyFile.flush} just before replies leave (once per batch of pipelined commands,
 * as redis-server's beforeSleep): `appendfsync always` writes and fsyncs there, so no reply to a
 * write leaves before the write is on disk; `everysec` writes there and fsyncs once a second off
 * the event loop; `no` writes there and leaves syncing to the OS.
 *
 * A rewrite (BGREWRITEAOF) needs no rewrite buffer: it opens a new incremental file, where writes
 * go from then on, while a point-in-time snapshot becomes the new base; the manifest then names
 * the new base and the new incremental file, and the older files are deleted.
 *
 * @example
 * ```ts
 * const aof = new AppendOnlyFile(settings, logger);
 * aof.load(target); // replays the files, if any
 * aof.openOnStart((path) => writeBaseSync(path));
 * aof.feed(0, ['SET', 'k', 'v']); // O(bytes)
 * ```
 */
export class AppendOnlyFile {
  readonly #settings: AofSettings;
  readonly #logger: Logger;
  state: AofState = AofState.OFF;
  #manifest: AofManifest = emptyManifest();
  #fd = -1;
  readonly #buffer = new ByteWriter(64 * 1024);
  /** SELECT when the database changes, MULTI/EXEC around a transaction's writes */
  readonly #stream = new CommandStream();
  /** bytes of the base file and of the incremental files before the current one */
  #baseSize = 0;
  #olderIncrSize = 0;
  #currentSize = 0;
  /** bytes written since the last fsync; an fsync running in libuv */
  #unsynced = 0;
  #fsyncRunning = false;
  #lastFsync = 0;
  /** a rewrite is running: its new incremental file is open */
  #rewriting = false;
  lastWriteOk = true;
  lastWriteError = '';
  /** everysec fsyncs that found the previous one still running */
  delayedFsyncs = 0;
  /** fsyncs done (on the event loop and in libuv's threads) */
  fsyncs = 0;

  constructor(settings: AofSettings, logger: Logger) {
    this.#settings = settings;
    this.#logger = logger;
  }

  /** `<dir>/<appenddirname>` */
  get directory(): string {
    return join(this.#settings.directory(), this.#settings.dirname);
  }

  get #manifestName(): string {
    return `${this.#settings.filename}.manifest`;
  }

  /** `appendfsync` now */
  get policy(): FsyncPolicy {
    return this.#settings.policy();
  }

  /** aof_current_size */
  get currentSize(): number {
    return this.#baseSize + this.#olderIncrSize + this.#currentSize;
  }

  /** aof_base_size */
  get baseSize(): number {
    return this.#baseSize;
  }

  /** aof_buffer_length */
  get bufferLength(): number {
    return this.#buffer.length;
  }

  /** bytes written to the file and not fsynced yet */
  get unsyncedBytes(): number {
    return this.#unsynced;
  }

  /** aof_pending_bio_fsync */
  get fsyncPending(): boolean {
    return this.#fsyncRunning;
  }

  /**
   * aofUpgradePrepare: the old-style AOF in `dir` moves into the AOF directory as the base of a
   * new manifest (sequence 1), the manifest written first.
   */
  #upgrade(): void {
    const directory = this.directory;
    const name = this.#settings.filename;
    mkdirSync(directory, { recursive: true });
    const manifest = this.#manifest;
    manifest.base = { name, seq: 1, type: 'b' };
    manifest.baseSeq = 1;
    this.#persistManifest();
    renameSync(join(this.#settings.directory(), name), join(directory, name));
    this.#logger.notice(
      `Successfully migrated an old-style AOF file (${name}) into the AOF directory (${this.#settings.dirname}).`,
    );
  }

  /** Reads the manifest if there is one (sequence numbers continue from it). */
  readManifest(): void {
    const path = join(this.directory, this.#manifestName);
    if (!existsSync(path)) return;
    this.#manifest = parseManifest(readFileSync(path, 'latin1'));
  }

  /**
   * loadAppendOnlyFiles: replays the base and incremental files in order. Returns false when
   * there is no AOF at all (redis-server then starts empty, without reading the RDB file).
   * Throws for a bad format, an unknown command, or a truncated file that is not the last one
   * (or when aof-load-truncated is off).
   */
  load(target: AofLoadTarget): boolean {
    const directory = this.directory;
    const manifestPath = join(directory, this.#manifestName);
    this.#manifest = existsSync(manifestPath)
      ? parseManifest(readFileSync(manifestPath, 'latin1'))
      : emptyManifest();
    const manifest = this.#manifest;
    const name = this.#settings.filename;
    // an AOF from before Redis 7 (one file in `dir`), or an upgrade interrupted before the file
    // moved: it becomes the base of a new manifest (loadAppendOnlyFiles' three cases)
    if (
      existsSync(join(this.#settings.directory(), name)) &&
      (!existsSync(directory) ||
        (manifest.base === undefined && manifest.incrs.length === 0) ||
        (manifest.base?.name === name &&
          manifest.incrs.length === 0 &&
          !existsSync(join(directory, name))))
    )
      this.#upgrade();
    const files = [...(manifest.base ? [manifest.base] : []), ...manifest.incrs];
    if (files.length === 0) return false;
    // getBaseAndIncrAppendOnlyFilesSize: a file the manifest lists must be there
    for (const info of files) {
      if (!existsSync(join(directory, info.name))) {
        this.#logger.warning(
          `Unable to obtain the AOF file ${info.name} length. stat: No such file or directory`,
        );
        throw new PersistenceIoError(
          `The AOF file ${info.name} doesn't exist (listed in the manifest)`,
        );
      }
    }
    for (const [index, info] of files.entries()) {
      const path = join(directory, info.name);
      const last = index === files.length - 1;
      // an RDB (a base file, an old preamble) is read a window at a time, never whole; only the
      // commands after it are read into memory
      const start = startsWithRdb(path) ? target.loadRdb(path, info.name) : 0;
      const result = readAofFile(path, start, target);
      if (result.truncated) {
        if (!last) {
          throw new AofTruncatedError(
            `Fatal error: the truncated file is not the last file (${info.name})`,
          );
        }
        if (!this.#settings.loadTruncated()) {
          throw new AofTruncatedError(
            `Unexpected end of file reading the append only file ${info.name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`,
          );
        }
        this.#logger.warning(`!!! Warning: short read while loading the AOF file ${info.name}!!!`);
        this.#logger.warning(
          `!!! Truncating the AOF ${info.name} at offset ${result.validUpTo} !!!`,
        );
        truncateSync(path, result.validUpTo);
        this.#logger.warning(
          `AOF ${info.name} loaded anyway because aof-load-truncated is enabled`,
        );
      }
    }
    return true;
  }

  /**
   * aofOpenIfNeededOnServerStart: with no AOF files yet, writes a base file of the current data
   * (`writeBase`, synchronously); opens the last incremental file (or a new one) for appending
   * and saves the manifest.
   */
  openOnStart(writeBase: (path: string) => void): void {
    const directory = this.directory;
    mkdirSync(directory, { recursive: true });
    const manifest = this.#manifest;
    if (!manifest.base && manifest.incrs.length === 0) {
      const seq = manifest.baseSeq + 1;
      const name = this.#baseName(seq);
      writeBase(join(directory, name));
      manifest.base = { name, seq, type: 'b' };
      manifest.baseSeq = seq;
      this.#logger.notice(`Creating AOF base file ${name} on server start`);
    }
    let last = manifest.incrs[manifest.incrs.length - 1];
    if (!last) {
      const seq = manifest.incrSeq + 1;
      last = { name: this.#incrName(seq), seq, type: 'i' };
      manifest.incrs.push(last);
      manifest.incrSeq = seq;
      this.#logger.notice(`Creating AOF incr file ${last.name} on server start`);
    }
    this.#fd = this.#openAppend(join(directory, last.name));
    this.#persistManifest();
    this.#measure();
    this.#stream.selectedDb = -1;
    this.state = AofState.ON;
  }

  #baseName(seq: number): string {
    return `${this.#settings.filename}.${seq}.base.${this.#settings.rdbPreamble() ? 'rdb' : 'aof'}`;
  }

  #incrName(seq: number): string {
    return `${this.#settings.filename}.${seq}.incr.aof`;
  }

  #openAppend(path: string): number {
    try {
      return openSync(path, 'a');
    } catch (error) {
      throw new PersistenceIoError(
        `Can't open the append-only file ${path}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  #fileSize(name: string): number {
    try {
      return statSync(join(this.directory, name)).size;
    } catch {
      return 0;
    }
  }

  #measure(): void {
    const manifest = this.#manifest;
    this.#baseSize = manifest.base ? this.#fileSize(manifest.base.name) : 0;
    let older = 0;
    for (let i = 0; i < manifest.incrs.length - 1; i++)
      older += this.#fileSize((manifest.incrs[i] as { name: string }).name);
    this.#olderIncrSize = older;
    const last = manifest.incrs[manifest.incrs.length - 1];
    this.#currentSize = last ? this.#fileSize(last.name) : 0;
  }

  /** persistAofManifest: writes the manifest to a temporary file, syncs, renames. */
  #persistManifest(): void {
    const directory = this.directory;
    const temporary = join(directory, `temp-${this.#manifestName}`);
    const fd = openSync(temporary, 'w');
    try {
      writeSync(fd, formatManifest(this.#manifest));
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, join(directory, this.#manifestName));
    syncDirectory(directory);
  }

  /** True when writes are logged now (on, or waiting for a rewrite that is running). */
  get logging(): boolean {
    return this.state === AofState.ON || (this.state === AofState.WAIT_REWRITE && this.#rewriting);
  }

  /**
   * feedAppendOnlyFile: appends a propagated command to the buffer; {@link AppendOnlyFile.flush}
   * writes it (and, with appendfsync always, syncs it) before the reply leaves. O(bytes).
   */
  feed(dbIndex: number, argv: readonly string[]): void {
    if (!this.logging) return;
    if (this.#settings.timestamps()) {
      // genAofTimestampAnnotationIfNeeded: "#TS:<unix time>" before the first command of a second
      const now = Math.floor(Date.now() / 1000);
      if (this.#timestamp < now) {
        this.#timestamp = now;
        this.#buffer.latin1(`#TS:${now}\r\n`);
      }
    }
    this.#stream.feed(this.#buffer, dbIndex, argv);
  }
  /** the time of the last timestamp annotation (aof_cur_timestamp) */
  #timestamp = 0;

  /** EXEC starts (true) or ends (false). */
  transaction(start: boolean): void {
    this.#stream.transaction(this.logging ? this.#buffer : undefined, start);
  }

  /**
   * Writes the buffered commands to the file (one write), and syncs when `sync` is true or the
   * policy is `always`. A failed write keeps the bytes for the next attempt and sets
   * `lastWriteOk` false (writes are then refused with MISCONF, as redis-server does).
   */
  flush(sync = false): void {
    const buffer = this.#buffer;
    if (this.#fd < 0) {
      buffer.reset();
      return;
    }
    if (buffer.length !== 0) {
      let offset = 0;
      try {
        while (offset < buffer.length)
          offset += writeSync(this.#fd, buffer.buffer, offset, buffer.length - offset);
      } catch (error) {
        this.#writeFailed(error, offset);
        return;
      }
      this.#currentSize += buffer.length;
      this.#unsynced += buffer.length;
      buffer.reset();
      if (!this.lastWriteOk) {
        this.lastWriteOk = true;
        this.#logger.warning('AOF write error looks solved, Redis can write again.');
      }
    }
    if ((sync || this.#settings.policy() === 'always') && this.#unsynced !== 0) {
      try {
        fdatasyncSync(this.#fd);
        this.fsyncs++;
        this.#unsynced = 0;
        this.#lastFsync = Date.now();
      } catch (error) {
        this.#writeFailed(error, 0);
      }
    }
  }

  #writeFailed(error: unknown, written: number): void {
    // keep what was not written: the next flush retries it
    const buffer = this.#buffer;
    if (written > 0) {
      buffer.buffer.copy(buffer.buffer, 0, written, buffer.length);
      buffer.length -= written;
      this.#currentSize += written;
    }
    this.lastWriteError = (error as Error).message;
    if (this.lastWriteOk)
      this.#logger.warning(`Error writing to the AOF file: ${this.lastWriteError}`);
    this.lastWriteOk = false;
  }

  /** everysec: an fsync in libuv's threads at most once a second. Called by the cron. */
  tick(now: number): void {
    if (this.#fd < 0) return;
    if (this.#buffer.length !== 0) this.flush();
    if (this.#settings.policy() !== 'everysec' || this.#unsynced === 0) return;
    if (now - this.#lastFsync < 1000) return;
    if (this.#fsyncRunning) {
      this.delayedFsyncs++;
      return;
    }
    this.#fsyncRunning = true;
    const fd = this.#fd;
    const unsynced = this.#unsynced;
    this.#lastFsync = now;
    fdatasync(fd, () => {
      this.fsyncs++;
      this.#fsyncRunning = false;
      this.#unsynced = Math.max(0, this.#unsynced - unsynced);
    });
  }

  /**
   * A rewrite starts: pending writes are flushed, and a new incremental file is opened where
   * writes go from now on (recorded in the manifest when the AOF is on). Returns where the
   * snapshot goes.
   */
  beginRewrite(processId: number): RewritePlan {
    const directory = this.directory;
    mkdirSync(directory, { recursive: true });
    const manifest = this.#manifest;
    const logging = this.state !== AofState.OFF;
    if (logging) {
      this.flush(true);
      const seq = manifest.incrSeq + 1;
      const name = this.#incrName(seq);
      const fd = this.#openAppend(join(directory, name));
      if (this.#fd >= 0) closeSync(this.#fd);
      this.#fd = fd;
      this.#olderIncrSize += this.#currentSize;
      this.#currentSize = 0;
      this.#stream.selectedDb = -1;
      manifest.incrs.push({ name, seq, type: 'i' });
      manifest.incrSeq = seq;
      if (this.state === AofState.ON) this.#persistManifest();
    }
    this.#rewriting = true;
    const baseSeq = manifest.baseSeq + 1;
    return {
      temporary: join(directory, `temp-rewriteaof-bg-${processId}.aof`),
      baseName: this.#baseName(baseSeq),
      baseSeq,
      firstKeptIncr: logging ? manifest.incrSeq : manifest.incrSeq + 1,
    };
  }

  /**
   * The rewrite's base file is in place: the manifest names it and the incremental files opened
   * since; the files it replaces become history and are deleted.
   */
  completeRewrite(plan: RewritePlan, baseSize: number): void {
    this.#rewriting = false;
    const manifest = this.#manifest;
    const history = [...manifest.history];
    if (manifest.base) history.push({ ...manifest.base, type: 'h' });
    const kept = [];
    for (const info of manifest.incrs) {
      if (info.seq < plan.firstKeptIncr) history.push({ ...info, type: 'h' });
      else kept.push(info);
    }
    manifest.base = { name: plan.baseName, seq: plan.baseSeq, type: 'b' };
    manifest.baseSeq = plan.baseSeq;
    manifest.incrs = kept;
    manifest.history = history;
    if (this.state === AofState.WAIT_REWRITE) this.state = AofState.ON;
    this.#persistManifest();
    for (const info of history) {
      try {
        unlinkSync(join(this.directory, info.name));
      } catch {
        /* already gone */
      }
    }
    manifest.history = [];
    this.#persistManifest();
    this.#baseSize = baseSize;
    this.#olderIncrSize = 0;
    for (const info of kept.slice(0, -1)) this.#olderIncrSize += this.#fileSize(info.name);
  }

  /** The rewrite failed or was stopped: writes keep going to the incremental file it opened. */
  abortRewrite(): void {
    this.#rewriting = false;
  }

  /** CONFIG SET appendonly yes: logging starts with the rewrite that follows. */
  startWaitingForRewrite(): void {
    if (this.state !== AofState.OFF) return;
    this.state = AofState.WAIT_REWRITE;
  }

  /** stopAppendOnly / shutdown: flush, fsync and close. */
  stop(): void {
    this.flush(true);
    if (this.#fd >= 0) {
      try {
        closeSync(this.#fd);
      } catch {
        /* already closed */
      }
    }
    this.#fd = -1;
    this.#rewriting = false;
    this.state = AofState.OFF;
    this.#buffer.reset();
  }
}
