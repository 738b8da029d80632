import type { Value } from '../values.js';
import type { ByteWriter } from './byte-writer.js';
import { RdbEncoder, type RdbEncoderOptions } from './rdb-encoder.js';
import { RdbOpcode } from './rdb-format.js';
import { writeCommand, writeValueCommands } from './resp-commands.js';
import type { SnapshotFormat } from './snapshot.js';

/** The AUX fields redis-server 7.0 writes at the top of an RDB file (rdbSaveInfoAuxFields). */
export interface RdbAuxInfo {
  /** "redis-ver": the release byor is compatible with */
  readonly redisVersion: string;
  /** "ctime": seconds */
  readonly createdAt: number;
  /** "used-mem": bytes */
  readonly usedMemory: number;
  /** "aof-base": true for the RDB preamble of an AOF base file */
  readonly aofBase: boolean;
  /** the source of each function library (FUNCTION LOAD), saved after the AUX fields */
  readonly functions: readonly string[];
  /**
   * "repl-stream-db", "repl-id", "repl-offset" (a replica's RDB: the database its stream is in,
   * the replication ID and offset the RDB stands for)
   */
  readonly replication?: { streamDb: number; replid: string; offset: number };
}

/**
 * Snapshots as RDB: what SAVE, BGSAVE, SHUTDOWN and an AOF rewrite with aof-use-rdb-preamble
 * write. The sink appends the CRC64 trailer.
 *
 * @example
 * ```ts
 * const format = new RdbSnapshotFormat({ compression: true }, aux);
 * ```
 */
export class RdbSnapshotFormat implements SnapshotFormat {
  readonly encoder: RdbEncoder;
  readonly keepsExpired = true;
  readonly #aux: RdbAuxInfo;

  /**
   * `deferCompression`: long strings are written raw and compressed by the sink's worker
   * ({@link SnapshotFormat.takeDeferred}), so LZF runs off the event loop.
   */
  constructor(options: RdbEncoderOptions, aux: RdbAuxInfo, deferCompression = false) {
    this.encoder = new RdbEncoder(options);
    if (deferCompression && options.compression) this.encoder.deferred = [];
    this.#aux = aux;
  }

  takeDeferred(): Int32Array | undefined {
    const deferred = this.encoder.deferred;
    if (deferred === undefined || deferred.length === 0) return undefined;
    const out = Int32Array.from(deferred);
    deferred.length = 0;
    return out;
  }

  get out(): ByteWriter {
    return this.encoder.out;
  }

  begin(): void {
    const aux = this.#aux;
    this.encoder.header([
      ['redis-ver', aux.redisVersion],
      ['redis-bits', '64'],
      ['ctime', String(aux.createdAt)],
      ['used-mem', String(aux.usedMemory)],
      ...(aux.replication === undefined
        ? []
        : ([
            ['repl-stream-db', String(aux.replication.streamDb)],
            ['repl-id', aux.replication.replid],
            ['repl-offset', String(aux.replication.offset)],
          ] as [string, string][])),
      ['aof-base', aux.aofBase ? '1' : '0'],
    ]);
    for (const code of aux.functions) this.encoder.functionLibrary(code);
  }

  selectDb(index: number, size: number | undefined, expires: number | undefined): void {
    const encoder = this.encoder;
    encoder.out.byte(RdbOpcode.SELECTDB);
    encoder.len(index);
    if (size !== undefined) {
      encoder.out.byte(RdbOpcode.RESIZEDB);
      encoder.len(size);
      encoder.len(expires ?? 0);
    }
  }

  key(
    key: string,
    value: Value,
    expireAt: number | undefined,
    idleSeconds = -1,
    frequency = -1,
  ): void {
    this.encoder.keyValue(key, value, expireAt, idleSeconds, frequency);
  }

  end(): void {
    this.encoder.out.byte(RdbOpcode.EOF);
  }
}

/**
 * Snapshots as AOF commands: an AOF rewrite's base file with aof-use-rdb-preamble off
 * (SELECT, then SET / RPUSH / SADD / ZADD / HMSET and PEXPIREAT per key). O(data).
 *
 * @example
 * ```ts
 * const snapshot = new Snapshot(server.databases, new AofSnapshotFormat(new ByteWriter()), write);
 * ```
 */
export class AofSnapshotFormat implements SnapshotFormat {
  readonly out: ByteWriter;
  readonly keepsExpired = false;
  readonly #functions: readonly string[];

  readonly #timestamp: number | undefined;

  /**
   * `functions`: the function libraries' sources, written first as FUNCTION LOAD commands;
   * `timestamp` (unix seconds, aof-timestamp-enabled): a "#TS:" annotation before them.
   */
  constructor(out: ByteWriter, functions: readonly string[] = [], timestamp?: number) {
    this.out = out;
    this.#functions = functions;
    this.#timestamp = timestamp;
  }

  begin(): void {
    if (this.#timestamp !== undefined) this.out.latin1(`#TS:${this.#timestamp}\r\n`);
    for (const code of this.#functions) writeCommand(this.out, ['FUNCTION', 'LOAD', code]);
  }

  selectDb(index: number): void {
    writeCommand(this.out, ['SELECT', String(index)]);
  }

  key(key: string, value: Value, expireAt: number | undefined): void {
    writeValueCommands(this.out, key, value, expireAt);
  }

  end(): void {}
}
