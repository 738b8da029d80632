import { fstatSync, readSync } from 'node:fs';
import type { Value } from '../values.js';
import { Crc64 } from './crc64.js';
import { RdbChecksumError, RdbFormatError } from './errors.js';
import { RdbDecoder, type RdbRefill, type ValueLimits } from './rdb-decoder.js';
import { RDB_MAX_READ_VERSION, RdbOpcode } from './rdb-format.js';

/** Receives what {@link readRdb} finds, in file order. */
export interface RdbSink {
  /** an AUX field (redis-ver, ctime, used-mem, aof-base, repl-id...) */
  aux(name: string, value: string): void;
  /**
   * a key; `expireAt` is absolute ms or undefined; `idleSeconds` and `frequency` come from the
   * IDLE and FREQ opcodes before it (-1 when absent), for objectSetLRUOrLFU
   */
  key(
    db: number,
    key: string,
    value: Value,
    expireAt: number | undefined,
    idleSeconds: number,
    frequency: number,
  ): void;
  /** RESIZEDB hint before a database's keys */
  resize?(db: number, size: number, expires: number): void;
}

/** What {@link readRdb} reports. */
export interface RdbReadResult {
  /** the file's RDB version */
  readonly version: number;
  /** offset just past the CRC64 trailer (where an AOF continues after its RDB preamble) */
  readonly end: number;
  /** keys handed to the sink */
  readonly keys: number;
  /** empty collections skipped (redis-server skips them too) */
  readonly emptySkipped: number;
}

/** Options of {@link readRdb}. */
export interface RdbReadOptions {
  /** encoding thresholds for the loaded values (the server's config) */
  readonly limits: ValueLimits;
  /** verify the CRC64 trailer (`rdbchecksum`, default true); a stored 0 means "not computed" */
  readonly checksum?: boolean;
  /** the offset of "REDIS" in `bytes` (an AOF base file may hold an RDB at 0 only, but a reader may not) */
  readonly start?: number;
  /**
   * Reads the input in windows: `bytes` is its first part (may be empty) and this brings the
   * rest as the reader needs it (see {@link RdbRefill}; {@link fileRefill} reads a file).
   */
  readonly refill?: RdbRefill;
  /**
   * {@link rdbSteps} pauses after a key once this many more bytes were read since it last
   * paused (redis-server's loading-process-events-interval-bytes); 0: never.
   */
  readonly pauseEvery?: number;
}

/**
 * Parses an RDB file (rdbLoadRioWithLoadingCtx of redis-server 7): "REDIS" + version 1 to 12,
 * AUX fields, SELECTDB, RESIZEDB, EXPIRETIME(_MS), LRU/LFU hints, FUNCTION libraries (skipped
 * with a note to the caller: byor has no scripting), every value type, EOF and the CRC64.
 * Throws {@link RdbFormatError} (truncated or malformed, unknown type) or {@link RdbChecksumError}.
 * O(file size).
 *
 * @example
 * ```ts
 * readRdb(readFileSync('dump.rdb'), {
 *   aux: () => {},
 *   key: (db, key, value, expireAt) => server.db(db).add(key, value),
 * }, { limits: DEFAULT_VALUE_LIMITS });
 * ```
 */
export function readRdb(bytes: Uint8Array, sink: RdbSink, options: RdbReadOptions): RdbReadResult {
  return runToEnd(rdbSteps(bytes, sink, { ...options, pauseEvery: 0 }));
}

/** Runs a stepped read ({@link rdbSteps} or one built on it) without pausing; its result. */
export function runToEnd<T>(steps: Generator<unknown, T, void>): T {
  let step = steps.next();
  while (step.done !== true) step = steps.next();
  return step.value;
}

/**
 * {@link readRdb} in steps: the generator yields the input offset read so far after a key once
 * `options.pauseEvery` bytes were read since the last pause, so that a caller can let the event
 * loop run between them (a server answering LOADING while it loads), and returns the result.
 *
 * @example
 * ```ts
 * const steps = rdbSteps(Buffer.alloc(0), sink, { limits, refill, pauseEvery: 2 << 20 });
 * for (let step = steps.next(); !step.done; step = steps.next()) await setImmediatePromise();
 * ```
 */
export function* rdbSteps(
  bytes: Uint8Array,
  sink: RdbSink,
  options: RdbReadOptions,
): Generator<number, RdbReadResult, void> {
  const pauseEvery = options.pauseEvery ?? 0;
  let pausedAt = 0;
  const start = options.start ?? 0;
  const checksum = options.checksum !== false;
  // the CRC64 of the bytes read so far: a window's bytes are added before the refill drops them
  const crc = new Crc64();
  let crcFrom = start;
  const refill = options.refill;
  const decoder = new RdbDecoder(
    bytes,
    options.limits,
    start,
    bytes.length,
    refill &&
      ((window, pos, end, count) => {
        if (checksum) crc.update(window, crcFrom, pos);
        crcFrom = 0;
        return refill(window, pos, end, count);
      }),
  );
  if (!signed(decoder)) throw new RdbFormatError('Wrong signature trying to load DB from file');
  const versionText = decoder.bytes.toString('latin1', decoder.pos + 5, decoder.pos + 9);
  const version = /^\d{4}$/.test(versionText) ? Number(versionText) : NaN;
  if (!(version >= 1 && version <= RDB_MAX_READ_VERSION))
    throw new RdbFormatError(`Can't handle RDB format version ${versionText}`);
  decoder.pos += 9;
  let db = 0;
  let expireAt: number | undefined;
  let idleSeconds = -1;
  let frequency = -1;
  let keys = 0;
  let emptySkipped = 0;
  for (;;) {
    const type = decoder.byte();
    switch (type) {
      case RdbOpcode.EXPIRETIME:
        expireAt = decoder.seconds();
        continue;
      case RdbOpcode.EXPIRETIME_MS:
        expireAt = decoder.millis();
        continue;
      case RdbOpcode.FREQ:
        frequency = decoder.byte();
        continue;
      case RdbOpcode.IDLE:
        idleSeconds = decoder.len();
        continue;
      case RdbOpcode.SELECTDB:
        db = decoder.len();
        continue;
      case RdbOpcode.RESIZEDB: {
        const size = decoder.len();
        const expires = decoder.len();
        sink.resize?.(db, size, expires);
        continue;
      }
      case RdbOpcode.SLOT_INFO:
        decoder.len();
        decoder.len();
        decoder.len();
        continue;
      case RdbOpcode.AUX: {
        const name = decoder.string();
        const value = decoder.string();
        sink.aux(name, value);
        continue;
      }
      case RdbOpcode.MODULE_AUX:
        throw new RdbFormatError('module data in the RDB file is not supported');
      case RdbOpcode.FUNCTION_PRE_GA:
        throw new RdbFormatError('pre-release function format is not supported');
      case RdbOpcode.FUNCTION2:
        // a function library's source (FUNCTION LOAD), handed over as an AUX field "function"
        sink.aux('function', decoder.string());
        continue;
      case RdbOpcode.EOF: {
        if (version < 5) return { version, end: decoder.offset, keys, emptySkipped };
        // (a refill adds the bytes it drops to the CRC)
        decoder.ensure(8);
        const trailer = decoder.bytes;
        const at = decoder.pos;
        decoder.pos += 8;
        if (checksum && trailer.readBigUInt64LE(at) !== 0n) {
          crc.update(trailer, crcFrom, at);
          if (!crc.matches(trailer, at))
            throw new RdbChecksumError(
              `Wrong RDB checksum expected: (${crc.value().toString(16)}) but got (${trailer.readBigUInt64LE(at).toString(16)}). Aborting now.`,
            );
        }
        return { version, end: decoder.offset, keys, emptySkipped };
      }
      default: {
        const key = decoder.string();
        const value = decoder.value(type);
        if (value === undefined) emptySkipped++;
        else {
          sink.key(db, key, value, expireAt, idleSeconds, frequency);
          keys++;
        }
        expireAt = undefined;
        idleSeconds = -1;
        frequency = -1;
        if (pauseEvery > 0 && decoder.offset - pausedAt >= pauseEvery) {
          pausedAt = decoder.offset;
          yield pausedAt;
        }
      }
    }
  }
}

/** Whether the input starts (at the read position) with "REDIS" and room for a version. */
function signed(decoder: RdbDecoder): boolean {
  try {
    decoder.ensure(9);
  } catch {
    return false;
  }
  return decoder.bytes.toString('latin1', decoder.pos, decoder.pos + 5) === 'REDIS';
}

/** Bytes a {@link fileRefill} reads at a time by default. */
export const FILE_WINDOW = 1 << 20;

/**
 * A {@link RdbRefill} that reads the file open as `fd` from `position` on, `window` bytes (1 MB)
 * at a time (more when asked for more), so that a large file is never held whole: an RDB's
 * decoder, an AOF's commands (readAofFile). Never allocates past the file's end (a corrupt
 * length makes the reader fail, not allocate).
 */
export function fileRefill(fd: number, position = 0, window = FILE_WINDOW): RdbRefill {
  let offset = position;
  const size = fstatSync(fd).size;
  return (bytes, pos, end, count) => {
    const keep = end - pos;
    const left = Math.max(0, size - offset);
    const length = keep + Math.min(left, Math.max(count - keep, window));
    const next = Buffer.allocUnsafe(length);
    bytes.copy(next, 0, pos, end);
    let filled = keep;
    while (filled < length) {
      const read = readSync(fd, next, filled, length - filled, offset);
      if (read === 0) break;
      filled += read;
      offset += read;
    }
    return filled === length ? next : next.subarray(0, filled);
  };
}
