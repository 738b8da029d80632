import { performance } from 'node:perf_hooks';
import { closeSync, existsSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RespWriter } from '@byor/protocol';
import { ThreadPool, WorkerStartupError } from '@byor/threadpool';
import type { Client } from '../client.js';
import { CommandFlag } from '../commands/spec.js';
import type { Command } from '../commands/types.js';
import { Config } from '../config/config.js';
import type { Database } from '../keyspace.js';
import { ScriptEngine } from '../scripting/engine.js';
import type {
  PersistenceControl,
  PropagationTarget,
  RdbLoadTarget,
  ReplicaRdbOutput,
  Server,
} from '../server.js';
import { startLoading } from '../server.js';
import type { StartServerOptions } from '../start.js';
import { AofState, AppendOnlyFile, type AofLoadTarget, type RewritePlan } from './aof.js';
import { ByteWriter } from './byte-writer.js';
import {
  AofFormatError,
  AofManifestError,
  PersistenceIoError,
  PersistenceReply,
  RdbChecksumError,
  RdbFormatError,
  misconfAof,
} from './errors.js';
import { loggedErrors } from '../errors.js';
import {
  BackgroundFileSink,
  SyncFileSink,
  Trailer,
  trailerBytes,
  type SnapshotSink,
} from './file-sink.js';
import { Crc64 } from './crc64.js';
import type { RdbEncoderOptions } from './rdb-encoder.js';
import type { ValueLimits } from './rdb-decoder.js';
import {
  fileRefill,
  rdbSteps,
  runToEnd,
  type RdbReadOptions,
  type RdbReadResult,
} from './rdb-reader.js';
import { Snapshot } from './snapshot.js';
import { AofSnapshotFormat, RdbSnapshotFormat } from './snapshot-formats.js';
import { workerModulePath, type PersistenceWorkerTasks } from './worker-module.js';

/**
 * Scheduling of a background snapshot: between two event-loop turns it takes a slice of at most
 * MAX_SLICE_MS when the loop is idle (it came back within IDLE_GAP_MS), and otherwise a share of
 * BUSY_SHARE of the time, so that clients keep about three quarters of the throughput they had
 * (measured in bench/persistence.bench.ts) while the snapshot runs at a quarter speed.
 */
const MAX_SLICE_MS = 4;
const MIN_SLICE_MS = 0.25;
const IDLE_GAP_MS = 1;
const BUSY_SHARE = 0.25;
/** Chunks waiting for the disk beyond this make the snapshot wait (bytes). */
const MAX_PENDING_BYTES = 16 << 20;
/** CONFIG_BGSAVE_RETRY_DELAY: a failed BGSAVE is retried by the `save` rules after 5 s. */
const BGSAVE_RETRY_DELAY_MS = 5000;
/** How often the persistence cron runs (redis-server's serverCron at hz 10). */
const CRON_MS = 100;

type JobKind = 'rdb' | 'aof';

/** A background save or rewrite in progress (redis-server's child process). */
interface Job {
  readonly kind: JobKind;
  readonly snapshot: Snapshot;
  readonly sink: SnapshotSink;
  readonly startedAt: number;
  readonly dirtyBefore: number;
  readonly plan: RewritePlan | undefined;
  /** stopped on purpose (FLUSHALL, SHUTDOWN, CONFIG SET appendonly no): not an error */
  stopped: boolean;
}

const instances = new WeakMap<Server, Persistence>();

/**
 * The server's persistence (attached by startServer, or created on first use). O(1).
 *
 * @example
 * ```ts
 * persistenceOf(server).save(); // undefined: saved
 * ```
 */
export function persistenceOf(server: Server): Persistence {
  let persistence = instances.get(server);
  if (!persistence) {
    persistence = new Persistence(server, false);
    instances.set(server, persistence);
  }
  return persistence;
}

/**
 * True when a server started with these options reads and writes its data files on its own
 * (load at start-up, `save` rules, save on shutdown), as redis-server does: the byor-server
 * binary (a Config object or a config file), or an embedded server whose options name `dir`,
 * `dbfilename`, `save`, `appendonly`, `appendfilename` or `appenddirname`. Any other embedded
 * server (tests, scripts) touches the disk only when told to (SAVE, BGSAVE, BGREWRITEAOF), and
 * its `save` rules start empty. O(options).
 *
 * @example
 * ```ts
 * persistsByDefault({ port: 0 }); // false
 * persistsByDefault({ config: { dir: '/data' } }); // true
 * ```
 */
export function persistsByDefault(options: StartServerOptions): boolean {
  if (options.config instanceof Config || options.configFile !== undefined) return true;
  const names = Object.keys(options.config ?? {}).map((name) => name.toLowerCase());
  return names.some((name) =>
    ['dir', 'dbfilename', 'save', 'appendonly', 'appendfilename', 'appenddirname'].includes(name),
  );
}

/**
 * Attaches RDB and AOF persistence to a server before it listens: loads the data (the AOF when
 * `appendonly yes`, else the RDB file), opens the AOF, and installs the save rules, the hooks and
 * the SHUTDOWN save. `closed` settles when the server stops (persistence then syncs and closes).
 * Throws when the data files cannot be loaded (redis-server exits in that case).
 *
 * @example
 * ```ts
 * const server = new Server(config, logger, clock, allCommands);
 * const network = new Network(server);
 * await attachPersistence(server, options, network.closed);
 * await network.listen();
 * ```
 */
export async function attachPersistence(
  server: Server,
  options: StartServerOptions,
  closed: Promise<void>,
): Promise<Persistence> {
  const automatic = persistsByDefault(options);
  if (!automatic) server.config.setFromCode('save', '');
  const persistence = new Persistence(server, automatic);
  instances.set(server, persistence);
  try {
    await persistence.start();
  } catch (error) {
    persistence.close();
    throw error;
  }
  void closed.finally(() => persistence.close());
  return persistence;
}

/**
 * RDB snapshots and the AOF of one server: SAVE, BGSAVE and `save` rules, BGREWRITEAOF and
 * `appendonly`, loading at start-up, DUMP/RESTORE's encoder settings, INFO persistence and the
 * SHUTDOWN save. See src/persistence/README.md for how BGSAVE keeps a point-in-time view
 * without fork().
 *
 * @example
 * ```ts
 * const persistence = persistenceOf(server);
 * persistence.bgsave(false); // '+Background saving started'
 * await persistence.idle();
 * ```
 */
export class Persistence implements PersistenceControl {
  readonly server: Server;
  readonly aof: AppendOnlyFile;
  readonly #automatic: boolean;
  #pool: ThreadPool<PersistenceWorkerTasks> | undefined = undefined;
  #poolFailed = false;
  #job: Job | undefined = undefined;
  #idleWaiters: (() => void)[] = [];
  #cron: ReturnType<typeof setInterval> | undefined = undefined;
  #closed = false;
  /** clients blocked in BLMOVE/BRPOPLPUSH: the key their pop will push to */
  readonly #blockedDestination = new Map<Client, string>();
  /** a writer for the replies of AOF replay, thrown away */
  readonly #discard = new RespWriter(256);
  /** a flush of the AOF buffer is queued for the next microtask */
  #flushQueued = false;

  // RDB state (INFO persistence)
  lastBgsaveOk = true;
  lastBgsaveSeconds = -1;
  #lastBgsaveTry = 0;
  bgsaveScheduled = false;
  saves = 0;
  lastLoadKeysLoaded = 0;
  lastLoadKeysExpired = 0;
  /** the RDBs being made for replicas (replicaRdb), beside the job */
  readonly #replicaSnapshots = new Set<Snapshot>();
  /** keys of the last background snapshot written without notice of their change (see Snapshot) */
  lastFuzzyKeys = 0;
  // AOF rewrite state
  rewriteScheduled = false;
  lastRewriteSeconds = -1;
  lastRewriteOk = true;
  rewrites = 0;
  rewriteFailures = 0;

  constructor(server: Server, automatic: boolean) {
    this.server = server;
    this.#automatic = automatic;
    const config = server.config;
    this.aof = new AppendOnlyFile(
      {
        directory: () => config.string('dir'),
        dirname: config.string('appenddirname'),
        filename: config.string('appendfilename'),
        policy: () => config.string('appendfsync') as 'always' | 'everysec' | 'no',
        loadTruncated: () => config.bool('aof-load-truncated'),
        rdbPreamble: () => config.bool('aof-use-rdb-preamble'),
        timestamps: () => config.bool('aof-timestamp-enabled'),
      },
      server.logger,
    );
    server.persistence = this;
    const hooks = server.hooks;
    hooks.beforeCommand.push(this.#beforeCommand);
    hooks.beforeWrite.push(this.#beforeWrite);
    hooks.keyModified.push(this.#keyModified);
    hooks.afterCommand.push(this.#afterCommand);
    hooks.flushed.push(this.#flushed);
    hooks.clientClosed.push((client) => this.#blockedDestination.delete(client));
    hooks.shutdown.push(() => this.close());
    config.onChange('appendonly', (value) => this.#appendonlyChanged(value === 'yes'));
    this.#cron = setInterval(() => this.#cronTick(), CRON_MS);
    this.#cron.unref();
  }

  /** Loads the data files and opens the AOF (attach time). */
  async start(): Promise<void> {
    if (!this.#automatic) return;
    const server = this.server;
    const config = server.config;
    const started = performance.now();
    try {
      this.aof.readManifest();
      if (config.bool('appendonly')) {
        if (this.#loadingAof(() => this.aof.load(this.#aofTarget())))
          server.logger.notice(
            `DB loaded from append only file: ${((performance.now() - started) / 1000).toFixed(3)} seconds`,
          );
      }
    } catch (error) {
      // aofLoadManifestFromFile and loadAppendOnlyFiles log why, then the server exits
      if (error instanceof AofManifestError) {
        for (const line of error.logLines()) server.logger.warning(line);
        loggedErrors.add(error);
      } else if (error instanceof PersistenceIoError) loggedErrors.add(error);
      throw error;
    }
    if (config.bool('appendonly')) {
      this.aof.openOnStart((path) => this.#writeSnapshotSync(path, `${path}.tmp`, 'aof'));
      this.#installAofHooks();
    } else {
      const path = this.rdbPath;
      if (existsSync(path)) {
        const aux = new Map<string, string>();
        await this.#loadWhileServing(path, (field, value) => aux.set(field, value));
        // loadDataFromDisk: the history the file stands for, when it names one
        const replid = aux.get('repl-id') ?? '';
        const offset = Number(aux.get('repl-offset') ?? '-1');
        const streamDb = Number(aux.get('repl-stream-db') ?? '-1');
        if (/^[0-9a-f]{40}$/.test(replid) && offset >= 0 && streamDb >= 0)
          server.loadedReplication = { replid, offset, streamDb };
        server.logger.notice(
          `DB loaded from disk: ${((performance.now() - started) / 1000).toFixed(3)} seconds`,
        );
      }
    }
    server.stats.dirty = 0;
    await Promise.resolve();
  }

  /**
   * Replays the AOF as loading (startLoadingFile): its commands see keys past their TTL, and a
   * PEXPIREAT in the past sets the TTL, as they did when written. In one event-loop turn.
   */
  #loadingAof<T>(load: () => T): T {
    const server = this.server;
    const outer = server.loading;
    server.loading ??= startLoading(0);
    try {
      return load();
    } finally {
      server.loading = outer;
    }
  }

  /**
   * The start-up load of the RDB file, pausing every loading-process-events-interval-bytes so
   * that the event loop runs: clients connected meanwhile get LOADING (but INFO, CONFIG... the
   * commands flagged `loading`), and INFO shows the progress (startLoading, loadingAbsProgress).
   */
  async #loadWhileServing(path: string, onAux: (field: string, value: string) => void) {
    const server = this.server;
    const loading = startLoading(statSync(path).size);
    server.loading = loading;
    this.lastLoadKeysLoaded = this.lastLoadKeysExpired = 0;
    const interval = server.config.number('loading-process-events-interval-bytes');
    try {
      const steps = this.loadSteps(path, path, false, false, onAux, undefined, false, interval);
      for (let step = steps.next(); step.done !== true; step = steps.next()) {
        loading.loadedBytes = step.value;
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      if (!(error instanceof RdbFormatError || error instanceof RdbChecksumError)) throw error;
      // rdbReportError: the reason at the offset last reported
      const logger = server.logger;
      const at = `Internal error in RDB reading offset ${loading.loadedBytes}, function at rdb-reader ->`;
      if (error instanceof RdbChecksumError) {
        logger.warning(error.message);
        logger.warning(`${at} RDB CRC error`);
      } else if (error.message === 'unexpected end of RDB data') {
        logger.warning('Short read or OOM loading DB. Unrecoverable error, aborting now.');
        logger.warning(`${at} Unexpected EOF reading RDB file`);
      } else logger.warning(`${at} ${error.message}`);
      // (redis-server runs redis-check-rdb on the file and exits 1, logging nothing more)
      loggedErrors.add(error);
      throw error;
    } finally {
      server.loading = undefined;
    }
  }

  /**
   * DEBUG LOADAOF: writes what the AOF buffer holds, empties the data and the functions, and
   * loads the append-only files again, propagating nothing. Returns the error reply text, or
   * undefined. (redis-server exits when there is no AOF or it does not load; byor answers.)
   */
  debugLoadAof(): string | undefined {
    const server = this.server;
    if (this.aof.state !== AofState.OFF) this.aof.flush(true);
    for (const db of server.databases) {
      server.touchWatchedReplaced(db, undefined);
      db.flush();
    }
    ScriptEngine.existing(server)?.functions.flush();
    try {
      this.aof.readManifest();
      if (
        !server.withoutPropagation(() => this.#loadingAof(() => this.aof.load(this.#aofTarget())))
      )
        return 'ERR DEBUG LOADAOF: there is no append only file to load';
    } catch (error) {
      server.logger.warning(`DEBUG LOADAOF: ${(error as Error).message}`);
      return 'ERR Error trying to load the append only file';
    }
    server.stats.dirty = 0;
    server.logger.warning('Append Only File loaded by DEBUG LOADAOF');
    return undefined;
  }

  /** Whether this server uses its files (an embedded one without `dir`, `save`... does not). */
  get onDisk(): boolean {
    return this.#automatic;
  }

  /** `<dir>/<dbfilename>` */
  get rdbPath(): string {
    const config = this.server.config;
    return join(config.string('dir'), config.string('dbfilename'));
  }

  /** The encoder settings from the config (rdbcompression). */
  encoderOptions(): RdbEncoderOptions {
    const config = this.server.config;
    return {
      compression: config.bool('rdbcompression'),
    };
  }

  /** The encoding thresholds loaded values are checked against. */
  valueLimits(): ValueLimits {
    const config = this.server.config;
    return {
      hashMaxListpackEntries: config.number('hash-max-listpack-entries'),
      hashMaxListpackValue: config.number('hash-max-listpack-value'),
      setMaxIntsetEntries: config.number('set-max-intset-entries'),
      zset: {
        maxListpackEntries: config.number('zset-max-listpack-entries'),
        maxListpackValue: config.number('zset-max-listpack-value'),
      },
      list: {
        fill: config.number('list-max-listpack-size'),
        compress: config.number('list-compress-depth'),
      },
    };
  }

  /** `save` as [seconds, changes] pairs. */
  saveParams(): [number, number][] {
    const parts = this.server.config.string('save').split(' ').filter(Boolean).map(Number);
    const out: [number, number][] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) out.push([parts[i] ?? 0, parts[i + 1] ?? 0]);
    return out;
  }

  /** The kind of background job running, if any. */
  get running(): JobKind | undefined {
    return this.#job?.kind;
  }

  /** Resolves when no background save or rewrite is running. */
  idle(): Promise<void> {
    if (!this.#job) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  // ---- loading ------------------------------------------------------------------------------

  /**
   * Loads an RDB file into the (empty) databases: keys already expired are skipped (unless this is
   * an AOF preamble, as redis-server does), as are empty collections. Throws on a bad file.
   */
  loadRdbFile(path: string, merge = false): void {
    this.#loadRdb(path, path, false, false, undefined, undefined, merge);
  }

  /**
   * Loads the RDB a master sent into the (emptied) databases: the bytes received, or the file
   * they were written to. Keys past their TTL are kept, as a replica of redis-server keeps them:
   * the master's DEL for each follows in its stream.
   */
  loadRdbPayload(input: Buffer | string, into?: RdbLoadTarget): { streamDb: number | undefined } {
    let streamDb: number | undefined;
    this.#loadRdb(
      input,
      'the master',
      false,
      true,
      (field, value) => {
        if (field === 'repl-stream-db') streamDb = Number(value);
      },
      into,
    );
    return { streamDb };
  }

  /** Loads an RDB: bytes in memory, or a file's path (read a window at a time, never whole). */
  #loadRdb(...args: Parameters<Persistence['loadSteps']>): number {
    return runToEnd(this.loadSteps(...args));
  }

  /**
   * {@link #loadRdb} in steps: pauses with the offset read so far every `pauseEvery` bytes (0:
   * never), for a load that lets the event loop run. Returns where the RDB ended.
   * @internal
   */
  *loadSteps(
    input: Buffer | string,
    name: string,
    aofPreamble: boolean,
    keepExpired = false,
    onAux?: (field: string, value: string) => void,
    into?: RdbLoadTarget,
    /** RDBFLAGS_ALLOW_DUP (DEBUG RELOAD MERGE): a key or library already there is replaced */
    merge = false,
    pauseEvery = 0,
  ): Generator<number, number, void> {
    const server = this.server;
    const databases = into?.databases ?? server.databases;
    const now = server.clock.now();
    let expired = 0;
    let loaded = 0;
    const fd = typeof input === 'string' ? openSync(input, 'r') : -1;
    const options: RdbReadOptions = {
      limits: this.valueLimits(),
      checksum: server.config.bool('rdbchecksum'),
      ...(fd >= 0 && { refill: fileRefill(fd) }),
      pauseEvery,
    };
    const keyLoadDelay = server.config.number('key-load-delay');
    let result: RdbReadResult;
    try {
      result = yield* rdbSteps(
        typeof input === 'string' ? Buffer.alloc(0) : input,
        {
          aux: (field, value) => {
            if (field === 'function') {
              // rdbFunctionLoad: a library that does not load fails the whole load, as in Redis
              const functions = into?.functions() ?? ScriptEngine.of(server).functions;
              const loaded = functions.load(value, merge);
              if (typeof loaded === 'string')
                throw new RdbFormatError(`Failed loading library from ${name}: ${loaded}`);
            } else {
              onAux?.(field, value);
              logAux(server, field, value);
            }
          },
          key: (dbIndex, key, value, expireAt, idleSeconds, frequency) => {
            const db = databases[dbIndex];
            if (!db)
              throw new RdbFormatError(
                `FATAL: Data file was created with a Redis server configured to handle more than ${databases.length} databases. Exiting`,
              );
            if (expireAt !== undefined && expireAt < now && !aofPreamble && !keepExpired) {
              expired++;
              return;
            }
            if (merge) db.delete(key);
            const size = db.size;
            db.add(key, value);
            if (db.size === size)
              throw new RdbFormatError(`Duplicate key '${key}' in DB ${dbIndex}`);
            if (expireAt !== undefined) db.setExpire(key, expireAt);
            db.setAccess(key, frequency, idleSeconds);
            loaded++;
            if (keyLoadDelay !== 0) debugDelay(keyLoadDelay);
          },
        },
        options,
      );
    } finally {
      if (fd >= 0) closeSync(fd);
    }
    if (result.emptySkipped)
      server.logger.notice(
        `Done loading RDB, keys loaded: ${loaded}, keys expired: ${expired}, empty keys skipped: ${result.emptySkipped}.`,
      );
    else
      server.logger.notice(`Done loading RDB, keys loaded: ${loaded}, keys expired: ${expired}.`);
    this.lastLoadKeysLoaded = loaded;
    this.lastLoadKeysExpired = expired;
    return result.end;
  }

  #aofTarget(): AofLoadTarget {
    const server = this.server;
    const client = server.createClient(undefined);
    client.authenticated = true;
    client.denyBlocking = true;
    client.aofLoader = true;
    const discard = this.#discard;
    return {
      loadRdb: (path, file) => this.#loadRdb(path, file, true),
      execute: (argv) => {
        const command = server.command(argv[0] ?? '');
        if (!command)
          throw new AofFormatError(
            `Unknown command '${argv[0] ?? ''}' reading the append only file`,
          );
        client.w = discard;
        server.execute(client, argv);
        discard.reset();
      },
      inMulti: () => client.multi !== undefined,
      discardMulti: () => {
        server.logger.warning('Revert incomplete MULTI/EXEC transaction in AOF file');
        client.multi = undefined;
      },
    };
  }

  // ---- AOF ----------------------------------------------------------------------------------

  /**
   * The AOF's place in the command path (redis-server's feedAppendOnlyFile, and
   * flushAppendOnlyFile in beforeSleep): propagated writes go to the buffer, which is written
   * (and with appendfsync always, fsynced) once just before replies leave, through
   * `hooks.beforeReply` (once per batch of pipelined commands, and before an out-of-band reply).
   * Commands whose replies leave without a batch (the book's port, the testing back door: no
   * connection, not inside another command) are written at their end. Anything else is written
   * on the next microtask: active expiry, clients with CLIENT REPLY OFF, and a blocked client
   * served after the command that woke it, whose reply is handed to its connection before its
   * own write (BLPOP as LPOP) is propagated: the connection sends it on a microtask queued after
   * the one the waking command's propagation queued, which writes both first.
   */
  #installAofHooks(): void {
    const hooks = this.server.hooks;
    this.server.addPropagationTarget(this.#aofFeed);
    if (!hooks.beforeReply.includes(this.#beforeReply)) hooks.beforeReply.push(this.#beforeReply);
  }

  #removeAofHooks(): void {
    const hooks = this.server.hooks;
    this.server.removePropagationTarget(this.#aofFeed);
    const at = hooks.beforeReply.indexOf(this.#beforeReply);
    if (at >= 0) hooks.beforeReply.splice(at, 1);
  }

  /** The AOF as a propagation target: the buffer is written on a microtask or before replies. */
  readonly #aofFeed: PropagationTarget = {
    feed: (dbIndex, argv) => {
      this.aof.feed(dbIndex, argv);
      if (!this.#flushQueued) this.#queueFlush();
    },
    transaction: (start) => this.aof.transaction(start),
  };

  #queueFlush(): void {
    this.#flushQueued = true;
    queueMicrotask(this.#flushAof);
  }

  readonly #flushAof = (): void => {
    this.#flushQueued = false;
    if (this.aof.bufferLength !== 0) this.aof.flush();
  };

  /** Replies are about to leave: what they acknowledge goes to the file first. */
  readonly #beforeReply = (): void => {
    if (this.aof.bufferLength !== 0) this.aof.flush();
  };

  /**
   * A replica is about to empty its data and load its master's RDB (readSyncBulkPayload): the
   * AOF stops (stopAppendOnly: it will be rewritten from the new data) and a background save in
   * progress is stopped (killRDBChild: it would save the old data over the new file).
   */
  beforeReplicaLoad(): void {
    if (this.#job?.kind === 'rdb') {
      this.server.logger.notice(
        'Replica is about to load the RDB file received from the master, but there is a pending RDB child running. Killing it and removing its temp file to avoid any race',
      );
      this.#stopJob();
    }
    this.#appendonlyChanged(false);
  }

  /** The replica loaded its master's RDB: the AOF starts again with a rewrite (restartAOFAfterSYNC). */
  afterReplicaLoad(): void {
    if (this.server.config.bool('appendonly')) this.#appendonlyChanged(true);
  }

  #appendonlyChanged(on: boolean): void {
    if (this.#closed) return;
    const aof = this.aof;
    if (on && aof.state === AofState.OFF) {
      // startAppendOnly: logging starts with a rewrite (scheduled if a BGSAVE runs)
      aof.startWaitingForRewrite();
      this.#installAofHooks();
      if (this.#job?.kind === 'rdb') {
        this.rewriteScheduled = true;
        this.server.logger.notice(
          'AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.',
        );
      } else if (!this.#job) {
        this.#startJob('aof');
      }
    } else if (!on && aof.state !== AofState.OFF) {
      // stopAppendOnly
      if (this.#job?.kind === 'aof') this.#stopJob();
      aof.stop();
      this.#removeAofHooks();
      this.rewriteScheduled = false;
    }
  }

  // ---- hooks --------------------------------------------------------------------------------

  /** MISCONF: network clients' writes (and PING) are refused while a save or the AOF fails. */
  readonly #beforeCommand = (client: Client, argv: string[]): string | undefined => {
    const refusal = this.#writeRefusal();
    if (refusal === undefined) return undefined;
    const command = this.server.command(argv[0] ?? '');
    if (
      command &&
      (command.meta.flags & CommandFlag.WRITE || command.meta.name === 'ping') &&
      !(client.multi && command.meta.name === 'exec')
    )
      return refusal;
    return undefined;
  };

  /** writeCommandsDeniedByDiskError: the MISCONF text, or undefined when writes are allowed. */
  #writeRefusal(): string | undefined {
    const config = this.server.config;
    if (
      !this.lastBgsaveOk &&
      config.bool('stop-writes-on-bgsave-error') &&
      this.saveParams().length
    )
      return PersistenceReply.MISCONF_RDB;
    if (this.aof.state !== AofState.OFF && !this.aof.lastWriteOk)
      return misconfAof(this.aof.lastWriteError);
    return undefined;
  }

  /**
   * Copy-before-write for the running snapshot (`hooks.beforeWrite`, called by Server.call before
   * every command flagged `write`, whatever runs it: a client, EXEC, a script, the testing back
   * door): every key the command names is preserved before it runs (in the client's database; in
   * every database for MOVE and COPY); so is the destination of clients blocked in
   * BLMOVE/BRPOPLPUSH, which this command may serve (a served blocked client runs no call() of
   * its own). FLUSHDB and SWAPDB finish the snapshot first; FLUSHALL stops a BGSAVE (as
   * redis-server kills its child) and finishes an AOF rewrite.
   */
  readonly #beforeWrite = (client: Client, command: Command, argv: string[]): void => {
    const name = command.meta.name;
    if ((name === 'blmove' || name === 'brpoplpush') && !client.denyBlocking)
      this.#blockedDestination.set(client, argv[2] ?? '');
    else if (this.#blockedDestination.size !== 0) this.#blockedDestination.delete(client);
    const job = this.#job;
    const others = this.#replicaSnapshots;
    if (!job && others.size === 0) return;
    if (name === 'flushall') {
      if (job?.kind === 'rdb') this.#stopJob();
      else job?.snapshot.finish();
      for (const snapshot of others) snapshot.finish();
      return;
    }
    if (name === 'flushdb' || name === 'swapdb') {
      job?.snapshot.finish();
      for (const snapshot of others) snapshot.finish();
      return;
    }
    const meta = command.meta;
    // the key positions from the command table (SET k v: only k), else every argument
    const positions =
      meta.flags & CommandFlag.MOVABLEKEYS || meta.firstKey <= 0
        ? undefined
        : this.server.keyPositions(command, argv);
    const databases = name === 'move' || name === 'copy' ? this.server.databases : [client.db];
    const preserve = (db: Database, key: string) => {
      job?.snapshot.preserve(db, key);
      for (const snapshot of others) snapshot.preserve(db, key);
    };
    for (const db of databases) {
      if (positions) for (const at of positions) preserve(db, argv[at] ?? '');
      else for (let i = 1; i < argv.length; i++) preserve(db, argv[i] ?? '');
    }
    for (const [blocked, destination] of this.#blockedDestination) {
      if (blocked.blocked) preserve(blocked.db, destination);
      else if (blocked !== client) this.#blockedDestination.delete(blocked);
    }
  };

  readonly #keyModified = (db: Database, key: string): void => {
    const job = this.#job;
    if (job !== undefined) job.snapshot.keyChanged(db, key);
    for (const snapshot of this.#replicaSnapshots) snapshot.keyChanged(db, key);
  };

  /**
   * A command with no connection, not run by another one (the book's port, the testing back door,
   * AOF loading): its reply leaves without a batch flush, so its write goes to the file now.
   */
  readonly #afterCommand = (client: Client): void => {
    if (
      this.aof.bufferLength !== 0 &&
      client.conn === undefined &&
      this.server.currentClient === undefined
    )
      this.aof.flush();
  };

  /** FLUSHALL with save rules writes an empty RDB at once, so a restart does not bring data back. */
  readonly #flushed = (index: number | undefined, command: boolean): void => {
    if (!command || index !== undefined || this.saveParams().length === 0) return;
    const stats = this.server.stats;
    const dirty = stats.dirty;
    this.save();
    stats.dirty = dirty;
  };

  // ---- RDB ----------------------------------------------------------------------------------

  /**
   * Writes a snapshot synchronously to `temporary`, then renames it to `target`. `kind` 'rdb' is
   * an RDB file; 'aof' an AOF base (RDB with aof-base=1, or commands without the preamble).
   * Returns the file size; throws PersistenceIoError.
   */
  #writeSnapshotSync(target: string, temporary: string, kind: JobKind): number {
    const { format, trailer } = this.#format(kind);
    const sink = new SyncFileSink(temporary, target, trailer);
    const snapshot = new Snapshot(this.server.databases, format, (chunk) => sink.write(chunk));
    try {
      snapshot.finish();
    } catch (error) {
      sink.abort();
      throw error;
    }
    return sink.completeSync();
  }

  /**
   * The dataset as an RDB for a replica's full sync, made in the background as a BGSAVE is
   * (slices between event-loop turns, keys about to change written first), without a file and
   * beside any BGSAVE or rewrite: the RDB is the dataset as it is now. Its bytes go to `output`
   * as they are made (making it waits while `output` holds too many unsent), then `end` (or
   * `end(error)`). Returns a function that abandons it.
   */
  replicaRdb(
    parts: { data: boolean; functions: boolean },
    output: ReplicaRdbOutput,
    replication?: { streamDb: number; replid: string; offset: number },
  ): () => void {
    const { format, trailer } = this.#format('rdb', false, parts.functions, replication);
    const crc = trailer === Trailer.CRC64 ? new Crc64() : undefined;
    const databases = parts.data ? this.server.databases : [];
    const snapshot = new Snapshot(databases, format, (chunk) => {
      crc?.update(chunk);
      output.write(Buffer.from(chunk));
    });
    snapshot.begin();
    this.#replicaSnapshots.add(snapshot);
    let abandoned = false;
    void (async () => {
      try {
        await sliced(snapshot, () => abandoned || this.#closed, output);
        if (abandoned || this.#closed) return;
        const end = trailerBytes(trailer, crc);
        if (end !== undefined) output.write(end);
        output.end();
      } catch (error) {
        if (!abandoned) output.end(error as Error);
      } finally {
        this.#replicaSnapshots.delete(snapshot);
      }
    })();
    return () => {
      abandoned = true;
      snapshot.abort();
      this.#replicaSnapshots.delete(snapshot);
    };
  }

  /** `background`: a job whose sink has the worker, which then does the LZF compression. */
  #format(
    kind: JobKind,
    background = false,
    withFunctions = true,
    replication?: { streamDb: number; replid: string; offset: number },
  ): {
    format: RdbSnapshotFormat | AofSnapshotFormat;
    trailer: Trailer;
  } {
    const config = this.server.config;
    const checksum = config.bool('rdbchecksum') ? Trailer.CRC64 : Trailer.ZERO;
    const libraries = withFunctions
      ? (ScriptEngine.existing(this.server)?.functions.libraries.values() ?? [])
      : [];
    const functions = [...libraries].map((library) => library.code);
    if (kind === 'aof' && !config.bool('aof-use-rdb-preamble'))
      return {
        format: new AofSnapshotFormat(
          new ByteWriter(1 << 20),
          functions,
          config.bool('aof-timestamp-enabled') ? Math.floor(Date.now() / 1000) : undefined,
        ),
        trailer: Trailer.NONE,
      };
    const memory = process.memoryUsage();
    const saveInfo =
      replication ?? (kind === 'rdb' ? this.server.replicationSaveInfo() : undefined);
    return {
      format: new RdbSnapshotFormat(
        this.encoderOptions(),
        {
          redisVersion: this.server.redisVersion,
          createdAt: Math.floor(this.server.clock.now() / 1000),
          usedMemory: memory.heapUsed + memory.external,
          aofBase: kind === 'aof',
          functions,
          // rdbPopulateSaveInfo: an RDB file names the replication history it stands for
          ...(saveInfo === undefined ? {} : { replication: saveInfo }),
        },
        background,
      ),
      trailer: checksum,
    };
  }

  /** SAVE (rdbSave): a blocking save. Returns an error reply text, or undefined on success. */
  save(): string | undefined {
    if (this.#job?.kind === 'rdb') return PersistenceReply.BGSAVE_IN_PROGRESS;
    const server = this.server;
    try {
      this.#writeSnapshotSync(
        this.rdbPath,
        join(server.config.string('dir'), `temp-${process.pid}.rdb`),
        'rdb',
      );
    } catch (error) {
      server.logger.warning(`Failed saving the DB: ${(error as Error).message}`);
      return PersistenceReply.GENERIC;
    }
    server.logger.notice('DB saved on disk');
    server.stats.dirty = 0;
    server.lastSave = Math.floor(server.clock.now() / 1000);
    this.lastBgsaveOk = true;
    this.saves++;
    return undefined;
  }

  /**
   * BGSAVE [SCHEDULE]. Returns the reply: a status text (started, scheduled) or an error text
   * (starting with "ERR").
   */
  bgsave(schedule: boolean, inTransaction: boolean): string {
    if (this.#job?.kind === 'rdb') return PersistenceReply.BGSAVE_IN_PROGRESS;
    if (this.#job || inTransaction) {
      if (schedule || inTransaction) {
        this.bgsaveScheduled = true;
        return PersistenceReply.BGSAVE_SCHEDULED;
      }
      return PersistenceReply.BGSAVE_OTHER_CHILD;
    }
    return this.#startJob('rdb') ? PersistenceReply.BGSAVE_STARTED : PersistenceReply.GENERIC;
  }

  /** BGREWRITEAOF. Returns a status text or an error text. */
  bgrewriteaof(inTransaction: boolean): string {
    if (this.#job?.kind === 'aof') return PersistenceReply.REWRITE_IN_PROGRESS;
    if (this.#job || inTransaction) {
      this.rewriteScheduled = true;
      this.rewriteFailures = 0;
      return PersistenceReply.REWRITE_SCHEDULED;
    }
    return this.#startJob('aof')
      ? PersistenceReply.REWRITE_STARTED
      : PersistenceReply.REWRITE_FAILED;
  }

  // ---- background jobs ----------------------------------------------------------------------

  #workerPool(): ThreadPool<PersistenceWorkerTasks> | undefined {
    if (this.#pool || this.#poolFailed) return this.#pool;
    const filename = workerModulePath();
    if (filename === undefined) {
      this.#poolFailed = true;
      return undefined;
    }
    this.#pool = new ThreadPool<PersistenceWorkerTasks>({
      filename,
      size: 1,
      idleTimeout: 10_000,
      execArgv: [],
    });
    return this.#pool;
  }

  /** Starts a background save ('rdb') or AOF rewrite ('aof'); false when it cannot start. */
  #startJob(kind: JobKind): boolean {
    const server = this.server;
    const config = server.config;
    let plan: RewritePlan | undefined;
    const pool = this.#workerPool();
    const { format, trailer } = this.#format(kind, pool !== undefined);
    if (kind === 'rdb') {
      this.#lastBgsaveTry = server.clock.now();
    } else {
      // redis-server opens the new incremental file before forking: a failure there is a refusal
      try {
        plan = this.aof.beginRewrite(process.pid);
      } catch (error) {
        server.logger.warning(
          `Can't rewrite append only file in background: ${(error as Error).message}`,
        );
        this.lastRewriteOk = false;
        return false;
      }
    }
    let sink: SnapshotSink;
    try {
      sink = new BackgroundFileSink(
        pool,
        plan ? plan.temporary : join(config.string('dir'), `temp-bg-${process.pid}.rdb`),
        plan ? join(this.aof.directory, plan.baseName) : this.rdbPath,
        trailer,
      );
    } catch (error) {
      // the temporary file cannot be created: as redis-server's child, the job started and failed
      sink = failedSink(error as Error);
    }
    const snapshot = new Snapshot(server.databases, format, (chunk, deferred) =>
      sink.write(chunk, deferred),
    );
    snapshot.begin();
    const job: Job = {
      kind,
      snapshot,
      sink,
      startedAt: server.clock.now(),
      dirtyBefore: server.stats.dirty,
      plan,
      stopped: false,
    };
    this.#job = job;
    if (kind === 'rdb') {
      this.bgsaveScheduled = false;
      server.logger.notice('Background saving started');
    } else {
      this.rewriteScheduled = false;
      server.logger.notice('Background append only file rewriting started');
    }
    void this.#run(job);
    return true;
  }

  /** Runs a job a slice per event-loop turn, then completes the file. */
  async #run(job: Job): Promise<void> {
    const { snapshot, sink } = job;
    try {
      await sliced(snapshot, () => job.stopped, sink);
      if (job.stopped) {
        sink.abort();
        this.#jobDone(job, undefined, 0);
        return;
      }
      const size = await sink.complete();
      this.#jobDone(job, undefined, size);
    } catch (error) {
      sink.abort();
      this.#jobDone(job, error as Error, 0);
    }
  }

  /** Stops the running job on purpose (its temporary file is deleted; no error is recorded). */
  #stopJob(): void {
    const job = this.#job;
    if (!job) return;
    job.stopped = true;
    job.snapshot.abort();
    if (job.kind === 'rdb') this.server.logger.warning('Background saving terminated by signal 10');
    else this.server.logger.notice('Killing running AOF rewrite child');
    this.#jobFinished(job);
  }

  #jobDone(job: Job, error: Error | undefined, size: number): void {
    if (job.stopped) return;
    const server = this.server;
    if (error && WorkerStartupError.isInstance(error.cause ?? error)) {
      // the worker module did not load: do the same job again with everything on the event loop
      server.logger.warning(
        `The persistence worker could not start (${error.message}); retrying without it`,
      );
      this.#poolFailed = true;
      void this.#pool?.destroy();
      this.#pool = undefined;
      if (job.kind === 'aof') this.aof.abortRewrite();
      this.#jobFinished(job);
      this.#startJob(job.kind);
      return;
    }
    const seconds = Math.round((server.clock.now() - job.startedAt) / 1000);
    this.lastFuzzyKeys = job.snapshot.fuzzyKeys;
    if (job.snapshot.fuzzyKeys)
      server.logger.verbose(
        `${job.snapshot.fuzzyKeys} keys changed during the snapshot without notice were written as they were when reached`,
      );
    if (job.kind === 'rdb') {
      this.lastBgsaveSeconds = seconds;
      if (error) {
        this.lastBgsaveOk = false;
        server.logger.warning(`Background saving error: ${error.message}`);
      } else {
        this.lastBgsaveOk = true;
        this.saves++;
        server.stats.dirty = Math.max(0, server.stats.dirty - job.dirtyBefore);
        server.lastSave = Math.floor(server.clock.now() / 1000);
        server.logger.notice(`DB saved on disk (${size} bytes)`);
        server.logger.notice('Background saving terminated with success');
      }
    } else {
      this.lastRewriteSeconds = seconds;
      if (error) {
        this.aof.abortRewrite();
        this.lastRewriteOk = false;
        this.rewriteFailures++;
        server.logger.warning(`Background AOF rewrite error: ${error.message}`);
      } else {
        try {
          this.aof.completeRewrite(job.plan as RewritePlan, size);
          this.lastRewriteOk = true;
          this.rewriteFailures = 0;
          this.rewrites++;
          server.logger.notice('Background AOF rewrite terminated with success');
          server.logger.notice('Background AOF rewrite finished successfully');
        } catch (failure) {
          this.lastRewriteOk = false;
          this.rewriteFailures++;
          server.logger.warning(`Background AOF rewrite error: ${(failure as Error).message}`);
        }
      }
    }
    this.#jobFinished(job);
  }

  #jobFinished(job: Job): void {
    if (this.#job !== job) return;
    this.#job = undefined;
    if (job.kind === 'aof' && job.stopped) this.aof.abortRewrite();
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }

  // ---- cron ---------------------------------------------------------------------------------

  #cronTick(): void {
    if (this.server.loading !== undefined) return;
    if (this.#closed) return;
    const server = this.server;
    const now = server.clock.now();
    if (this.aof.state !== AofState.OFF) this.aof.tick(now);
    if (this.#job) return;
    const retryAllowed = this.lastBgsaveOk || now - this.#lastBgsaveTry > BGSAVE_RETRY_DELAY_MS;
    if (this.bgsaveScheduled && retryAllowed) {
      this.#startJob('rdb');
      return;
    }
    if (this.rewriteScheduled) {
      this.#startJob('aof');
      return;
    }
    const dirty = server.stats.dirty;
    const sinceSave = Math.floor(now / 1000) - server.lastSave;
    for (const [seconds, changes] of this.saveParams()) {
      if (dirty >= changes && sinceSave > seconds && retryAllowed) {
        server.logger.notice(`${changes} changes in ${seconds} seconds. Saving...`);
        this.#startJob('rdb');
        return;
      }
    }
    const config = server.config;
    const percentage = config.number('auto-aof-rewrite-percentage');
    const aof = this.aof;
    if (
      aof.state === AofState.ON &&
      percentage > 0 &&
      aof.currentSize > config.number('auto-aof-rewrite-min-size')
    ) {
      const base = aof.baseSize || 1;
      const growth = Math.floor((aof.currentSize * 100) / base) - 100;
      if (growth >= percentage) {
        server.logger.notice(`Starting automatic rewriting of AOF on ${growth}% growth`);
        this.#startJob('aof');
      }
    }
  }

  // ---- PersistenceControl -------------------------------------------------------------------

  /** INFO persistence, in redis-server 7.0's field order. */
  info(): [string, string | number][] {
    const server = this.server;
    const job = this.#job;
    const now = server.clock.now();
    const elapsed = job ? Math.round((now - job.startedAt) / 1000) : -1;
    const progress =
      job && job.snapshot.keysTotal > 0
        ? (
            (Math.min(job.snapshot.keysWritten, job.snapshot.keysTotal) * 100) /
            job.snapshot.keysTotal
          ).toFixed(2)
        : '0.00';
    const aof = this.aof;
    const loading = server.loading;
    const fields: [string, string | number][] = [
      ['loading', loading !== undefined ? 1 : 0],
      ['async_loading', 0],
      ['current_cow_peak', 0],
      ['current_cow_size', 0],
      ['current_cow_size_age', 0],
      ['current_fork_perc', progress],
      ['current_save_keys_processed', job ? job.snapshot.keysWritten : 0],
      ['current_save_keys_total', job ? job.snapshot.keysTotal : 0],
      ['rdb_changes_since_last_save', server.stats.dirty],
      ['rdb_bgsave_in_progress', job?.kind === 'rdb' ? 1 : 0],
      ['rdb_last_save_time', server.lastSave],
      ['rdb_last_bgsave_status', this.lastBgsaveOk ? 'ok' : 'err'],
      ['rdb_last_bgsave_time_sec', this.lastBgsaveSeconds],
      ['rdb_current_bgsave_time_sec', job?.kind === 'rdb' ? elapsed : -1],
      ['rdb_saves', this.saves],
      ['rdb_last_cow_size', 0],
      ['rdb_last_load_keys_expired', this.lastLoadKeysExpired],
      ['rdb_last_load_keys_loaded', this.lastLoadKeysLoaded],
      ['aof_enabled', aof.state !== AofState.OFF ? 1 : 0],
      ['aof_rewrite_in_progress', job?.kind === 'aof' ? 1 : 0],
      ['aof_rewrite_scheduled', this.rewriteScheduled ? 1 : 0],
      ['aof_last_rewrite_time_sec', this.lastRewriteSeconds],
      ['aof_current_rewrite_time_sec', job?.kind === 'aof' ? elapsed : -1],
      ['aof_last_bgrewrite_status', this.lastRewriteOk ? 'ok' : 'err'],
      ['aof_rewrites', this.rewrites],
      ['aof_rewrites_consecutive_failures', this.rewriteFailures],
      ['aof_last_write_status', aof.lastWriteOk ? 'ok' : 'err'],
      ['aof_last_cow_size', 0],
      ['module_fork_in_progress', 0],
      ['module_fork_last_cow_size', 0],
    ];
    if (aof.state !== AofState.OFF) {
      fields.push(
        ['aof_current_size', aof.currentSize],
        ['aof_base_size', aof.baseSize],
        ['aof_pending_rewrite', this.rewriteScheduled ? 1 : 0],
        ['aof_buffer_length', aof.bufferLength],
        ['aof_pending_bio_fsync', aof.fsyncPending ? 1 : 0],
        ['aof_delayed_fsync', aof.delayedFsyncs],
      );
    }
    if (loading !== undefined) {
      const { startTime, totalBytes, loadedBytes } = loading;
      const perc = totalBytes > 0 ? (loadedBytes / totalBytes) * 100 : 0;
      const remaining = totalBytes > 0 ? totalBytes - loadedBytes : 1;
      const elapsed = Math.floor(Date.now() / 1000) - startTime;
      const eta = elapsed === 0 ? 1 : Math.floor((elapsed * remaining) / (loadedBytes + 1));
      fields.push(
        ['loading_start_time', startTime],
        ['loading_total_bytes', totalBytes],
        ['loading_rdb_used_mem', loading.rdbUsedMem],
        ['loading_loaded_bytes', loadedBytes],
        ['loading_loaded_perc', perc.toFixed(2)],
        ['loading_eta_seconds', eta],
      );
    }
    return fields;
  }

  /**
   * prepareForShutdown: stops a BGSAVE, flushes and syncs the AOF (refusing while the first AOF is
   * still being written, unless forced), and saves the RDB when there are save rules (or SAVE was
   * asked) unless NOSAVE. Returns an error reply text to refuse the shutdown.
   */
  beforeShutdown(save: boolean | undefined, force: boolean): string | undefined {
    const server = this.server;
    const job = this.#job;
    if (job?.kind === 'rdb') this.#stopJob();
    if (this.aof.state !== AofState.OFF) {
      if (job?.kind === 'aof') {
        if (this.aof.state === AofState.WAIT_REWRITE) {
          if (force) {
            server.logger.warning('Writing initial AOF. Exit anyway.');
          } else {
            server.logger.warning("Writing initial AOF, can't exit.");
            return PersistenceReply.SHUTDOWN_SAVE_FAILED;
          }
        }
        this.#stopJob();
      }
      this.aof.flush(true);
    }
    // a server still loading its data never saves it over the file (prepareForShutdown)
    if (server.loading !== undefined) save = false;
    if ((this.saveParams().length > 0 && save !== false) || save === true) {
      server.logger.notice('Saving the final RDB snapshot before exiting.');
      const error = this.save();
      if (error !== undefined) {
        if (force) {
          server.logger.warning('Error trying to save the DB. Exit anyway.');
        } else {
          server.logger.warning("Error trying to save the DB, can't exit.");
          return PersistenceReply.SHUTDOWN_SAVE_FAILED;
        }
      }
    }
    return undefined;
  }

  /** Stops timers, the running job, the AOF and the worker pool (the server has stopped). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#cron !== undefined) clearInterval(this.#cron);
    this.#cron = undefined;
    if (this.#job) this.#stopJob();
    if (this.aof.state !== AofState.OFF) this.aof.stop();
    this.#removeAofHooks();
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool) void pool.close();
  }
}

/** A sink whose file could not be created: the job fails with that error when it completes. */
function failedSink(error: Error): SnapshotSink {
  return {
    pendingBytes: 0,
    write: () => {},
    drained: () => Promise.resolve(),
    complete: () => Promise.reject(error),
    abort: () => {},
  };
}

/**
 * Runs a snapshot a slice per event-loop turn until it is done or `stop()` (the slices as the
 * constants above say; a sink with too much pending output is waited for first).
 */
async function sliced(
  snapshot: Snapshot,
  stop: () => boolean,
  sink?: Pick<SnapshotSink, 'pendingBytes' | 'drained'>,
): Promise<void> {
  let sliceEnd = performance.now();
  while (!snapshot.done) {
    if (sink !== undefined && sink.pendingBytes > MAX_PENDING_BYTES) await sink.drained();
    if (stop()) return;
    const now = performance.now();
    const gap = now - sliceEnd;
    const slice =
      gap < IDLE_GAP_MS
        ? MAX_SLICE_MS
        : Math.min(MAX_SLICE_MS, Math.max(MIN_SLICE_MS, (gap * BUSY_SHARE) / (1 - BUSY_SHARE)));
    snapshot.step(now + slice);
    sliceEnd = performance.now();
    if (!snapshot.done) await nextTurn();
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * debugDelay (key-load-delay): sleeps `usec` microseconds; a negative value sleeps one
 * microsecond once in `-usec` calls.
 */
function debugDelay(usec: number): void {
  const sleep = usec < 0 ? (Math.floor(Math.random() * -usec) === 0 ? 1 : 0) : usec;
  if (sleep > 0) Atomics.wait(SLEEPER, 0, 0, sleep / 1000);
}
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

/** What rdbLoadRioWithLoadingCtx logs of an AUX field. */
function logAux(server: Server, field: string, value: string): void {
  const logger = server.logger;
  const number = () => Number.parseInt(value, 10) || 0;
  if (field.startsWith('%')) logger.notice(`RDB '${field}': ${value}`);
  else if (field === 'redis-ver') logger.notice(`Loading RDB produced by version ${value}`);
  else if (field === 'ctime')
    logger.notice(`RDB age ${Math.max(0, Math.floor(Date.now() / 1000) - number())} seconds`);
  else if (field === 'used-mem') {
    logger.notice(`RDB memory usage when created ${(number() / (1024 * 1024)).toFixed(2)} Mb`);
    if (server.loading !== undefined) server.loading.rdbUsedMem = number();
  } else if (field === 'aof-preamble') {
    if (number() !== 0) logger.notice('RDB has an AOF tail');
  } else if (field === 'aof-base') {
    if (number() !== 0) logger.notice('RDB is base AOF');
  } else if (!['repl-stream-db', 'repl-id', 'repl-offset', 'lua', 'redis-bits'].includes(field))
    logger.debug(`Unrecognized RDB AUX field: '${field}'`);
}
