import { performance } from 'node:perf_hooks';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { RespWriter } from '@byor/protocol';
import { Client, type BlockedState, type ClientConnection, type MasterLink } from './client.js';
import { helpHandler, protectedRefusal } from './commands/admin.js';
import { PubSub } from './pubsub.js';
import { clientType } from './commands/connection.js';
import type { Config } from './config/config.js';
import {
  arityRefuses,
  CAPTURED_REDIS_VERSION,
  CommandFlag,
  type CommandMeta,
} from './commands/spec.js';
import type { Command, Handler, HandlerTable } from './commands/types.js';
import { commandKeys } from './commands/keyspecs.js';
import { ReplyError, unknownCommand, unknownSubcommand, wrongArity } from './errors.js';
import { Database, type KeyspaceHost } from './keyspace.js';
import { freeEffort, LAZYFREE_THRESHOLD, type FreeCause } from './lazyfree.js';
import type { ObjectValue } from './values.js';
import { Eviction } from './eviction.js';
import type { Logger } from './logger.js';
import type { FunctionRegistry } from './scripting/functions.js';
import { commandMetaTable } from './commands/byor-meta.js';
import { recordCommandLatency } from './latency.js';
import { sdsRepr } from './util/repr.js';

/** A source of time in ms; injectable so tests can move it (TTL, blocking timeouts). */
export interface Clock {
  now(): number;
}

/** INFO stats counters. */
export interface ServerStats {
  keyspaceHits: number;
  keyspaceMisses: number;
  expiredKeys: number;
  evictedKeys: number;
  totalCommands: number;
  totalConnections: number;
  rejectedConnections: number;
  totalErrorReplies: number;
  /** writes since the last save, for `save` rules and INFO rdb_changes_since_last_save */
  dirty: number;
  errorCounts: Map<string, number>;
  /** what redis-server would have freed in the background (INFO lazyfreed_objects, lazyfree.ts) */
  lazyfreedObjects: number;
  /** errors to the master, a replica or the AOF's client (INFO unexpected_error_replies) */
  unexpectedErrorReplies: number;
}

/** A start-up load in progress (redis-server's loading_* fields of INFO persistence). */
export interface LoadingProgress {
  /** when it began, in seconds */
  readonly startTime: number;
  /** the file's size */
  readonly totalBytes: number;
  /** how far the reader got */
  loadedBytes: number;
  /** the file's used-mem AUX field */
  rdbUsedMem: number;
}

/** A load starting now (startLoading) of `totalBytes` (0: not known). */
export function startLoading(totalBytes: number): LoadingProgress {
  return { startTime: Math.floor(Date.now() / 1000), totalBytes, loadedBytes: 0, rdbUsedMem: 0 };
}

/** One entry of the slow log. */
export interface SlowlogEntry {
  id: number;
  time: number;
  microseconds: number;
  argv: string[];
  peer: string;
  name: string;
}

const QUEUED = '+QUEUED\r\n';
/** The ERR replies redis-server sends as shared objects (createSharedObjects), "-" included. */
const SHARED_ERR_REPLIES = new Set([
  'ERR index out of range',
  'ERR no such key',
  'ERR source and destination objects are the same',
  'ERR syntax error',
]);
/** Commands a client in a transaction runs at once instead of queueing them. */
const MULTI_IMMEDIATE = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);
/** Commands a RESP2 client may send while subscribed. */
const PUBSUB_ALLOWED = new Set([
  'ping',
  'subscribe',
  'ssubscribe',
  'unsubscribe',
  'sunsubscribe',
  'psubscribe',
  'punsubscribe',
  'quit',
  'reset',
]);

/**
 * The server's core: databases, clients, the command table and dispatch (redis-server's
 * processCommand/call), independent of the network. `network.ts` feeds it commands from
 * @byor/eventloop connections; scripts and MULTI feed it commands directly.
 */
export class Server implements KeyspaceHost {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  /** maxmemory, eviction and the per-key access clock settings (eviction.ts) */
  readonly eviction: Eviction;
  readonly databases: Database[];
  readonly clients = new Map<number, Client>();
  readonly stats: ServerStats = {
    keyspaceHits: 0,
    keyspaceMisses: 0,
    expiredKeys: 0,
    evictedKeys: 0,
    totalCommands: 0,
    totalConnections: 0,
    rejectedConnections: 0,
    totalErrorReplies: 0,
    dirty: 0,
    errorCounts: new Map(),
    lazyfreedObjects: 0,
    unexpectedErrorReplies: 0,
  };
  readonly startedAt: number;
  readonly runId: string;
  /** the writer network clients' replies go into during a batch (one connection at a time) */
  readonly writer = new RespWriter();
  readonly slowlog: SlowlogEntry[] = [];
  #slowlogNextId = 0;
  readonly #commands = new Map<string, Command>();
  readonly #allMeta: ReadonlyMap<string, CommandMeta>;
  #nextClientId = 1;
  #timeSnapshot = 0;
  /** per database: key -> clients watching it */
  readonly #watchers = new Map<string, Set<Client>>();
  /** hooks other modules register (pub/sub notifications, blocking, persistence) */
  readonly hooks: ServerHooks = {
    notify: undefined,
    keyModified: [],
    afterCommand: [],
    served: [],
    clientClosed: [],
    propagate: undefined,
    flushed: [],
    shutdown: [],
    beforeCommand: [],
    beforeWrite: [],
    beforeReply: [],
    clientInfo: undefined,
  };
  readonly monitors = new Set<Client>();
  /** where propagated writes go (the AOF, the replication backlog): see addPropagationTarget */
  readonly #propagationTargets: PropagationTarget[] = [];
  /** pub/sub registries and keyspace notifications */
  readonly pubsub: PubSub;
  /** the client whose command is running (pushes to it go into its reply stream, in order) */
  currentClient: Client | undefined = undefined;
  /** the command running (the innermost, inside EXEC or a script) */
  currentCommand: Command | undefined = undefined;
  /** the arguments of {@link currentCommand} */
  currentArgv: readonly string[] = [];
  /** set while SHUTDOWN or close() runs */
  shuttingDown = false;
  /** CLIENT PAUSE: until when, and whether only writes are paused */
  pause: { until: number; writesOnly: boolean } | undefined = undefined;
  lastSave: number;
  /** the RESP port actually bound (0 until listening) */
  port = 0;
  /** what INFO and HELLO report as redis_version: the redis-server release byor matches */
  readonly redisVersion = CAPTURED_REDIS_VERSION;
  /** DEBUG SET-ACTIVE-EXPIRE */
  activeExpireEnabled = true;
  /** DEBUG PAUSE-CRON: the cron (expiry, rehashing, statistics) skips its work */
  cronPaused = false;
  /**
   * The start-up load in progress (server.loading): commands not flagged `loading` get LOADING,
   * the crons skip their work, and INFO shows how far it got.
   */
  loading: LoadingProgress | undefined = undefined;
  /** DEBUG SET-DISABLE-DENY-SCRIPTS: scripts may call commands flagged noscript */
  scriptNoscriptAllowed = false;
  /** the master byor follows (REPLICAOF, replication/replica.ts); undefined while it is a master */
  replicaOf: { host: string; port: number } | undefined = undefined;
  /** a replica: its link to the master is up (replica-serve-stale-data no refuses data otherwise) */
  replicaLinkUp = false;
  /**
   * min-replicas-to-write / min-replicas-max-lag, and the replicas online whose last ACK is at
   * most that many seconds old (refreshed each second by replication/master.ts)
   */
  minReplicasToWrite = 0;
  minReplicasMaxLag = 10;
  goodReplicas = 0;
  /** the master's client while one of the master's commands runs (see runAsMaster) */
  #masterClient: Client | undefined = undefined;
  peakMemory = 0;
  /** the network side, once listening (kills and pauses connections) */
  network: NetworkControl | undefined = undefined;
  /** persistence, once attached (INFO persistence fields, SHUTDOWN SAVE) */
  persistence: PersistenceControl | undefined = undefined;
  /**
   * rdbPopulateSaveInfo: the replication history an RDB file saved now stands for (set by
   * replication/master.ts once replication is used), written as its repl-id, repl-offset and
   * repl-stream-db so that a restart continues it (see {@link Server.loadedReplication})
   */
  replicationSaveInfo: () => ReplicationSaveInfo | undefined = () => undefined;
  /** that history as the RDB file loaded at start-up held it (start.ts resumes it) */
  loadedReplication: ReplicationSaveInfo | undefined = undefined;
  /** keys that became ready for blocked clients during the current command */
  readonly #readyKeys = new Map<Database, Set<string>>();
  /** clients blocked on a key: "db\0key" -> clients in blocking order */
  readonly #blockedOn = new Map<string, Client[]>();
  /** cron samples: time, commands processed, bytes in, bytes out */
  #opsSamples: [number, number, number, number][] = [];

  constructor(config: Config, logger: Logger, clock: Clock, handlers: readonly HandlerTable[]) {
    this.config = config;
    this.logger = logger;
    this.clock = clock;
    this.eviction = new Eviction(this);
    this.startedAt = clock.now();
    this.lastSave = Math.floor(this.startedAt / 1000);
    this.runId = randomHex(40);
    this.databases = Array.from(
      { length: config.number('databases') },
      (_, i) => new Database(i, this),
    );
    this.#allMeta = commandMetaTable();
    this.#buildCommandTable(handlers);
    this.#slowlogThreshold = config.number('slowlog-log-slower-than');
    config.onChange('slowlog-log-slower-than', (value) => (this.#slowlogThreshold = Number(value)));
    this.minReplicasToWrite = config.number('min-replicas-to-write');
    this.minReplicasMaxLag = config.number('min-replicas-max-lag');
    config.onChange('min-replicas-to-write', (value) => (this.minReplicasToWrite = Number(value)));
    config.onChange('min-replicas-max-lag', (value) => (this.minReplicasMaxLag = Number(value)));
    for (const cause of ['expire', 'eviction', 'user-del', 'server-del'] as const) {
      const name = `lazyfree-lazy-${cause}`;
      this.#lazy[cause] = config.bool(name);
      config.onChange(name, (value) => (this.#lazy[cause] = value === 'yes'));
    }
    this.pubsub = new PubSub(this);
    this.hooks.notify = (type, event, key, dbIndex) =>
      this.pubsub.notify(type, event, key, dbIndex);
  }

  #buildCommandTable(tables: readonly HandlerTable[]): void {
    const handlers = new Map<string, Handler>();
    for (const table of tables)
      for (const [name, handler] of Object.entries(table)) handlers.set(name, handler);
    for (const [name, meta] of this.#allMeta) {
      const subcommands = new Map<string, Command>();
      for (const sub of meta.subcommands) {
        const handler = handlers.get(sub.name);
        if (handler)
          subcommands.set(sub.name.slice(name.length + 1), newCommand(sub, handler, undefined));
      }
      if (meta.help && subcommands.size && !subcommands.has('help')) {
        const helpMeta = meta.subcommands.find((sub) => sub.name === `${name}|help`);
        if (helpMeta)
          subcommands.set('help', newCommand(helpMeta, helpHandler(meta.help), undefined));
      }
      const handler = handlers.get(name);
      if (!handler && subcommands.size === 0) continue;
      const command = newCommand(meta, handler, subcommands.size ? subcommands : undefined);
      this.#commands.set(name, command);
      this.#commands.set(name.toUpperCase(), command);
    }
    for (const name of handlers.keys()) {
      const [parent, sub] = name.split('|');
      const known = sub
        ? this.#commands.get(parent ?? '')?.subcommands?.has(sub)
        : this.#commands.has(name);
      if (!known) throw new Error(`handler for '${name}' has no command metadata`);
    }
    // rename-command (checked by the config): the table answers to the new name alone
    for (const [from, to] of this.config.renamedCommands) {
      const command = this.#commands.get(from);
      this.#commands.delete(from);
      this.#commands.delete(from.toUpperCase());
      if (command === undefined || to === '') continue;
      this.#commands.set(to, command);
      this.#commands.set(to.toUpperCase(), command);
    }
  }

  /** The command table entry for a name (any case), or undefined. */
  command(name: string): Command | undefined {
    // the request parser hands a repeated name out as the same string: one comparison, no
    // hash table probe, for a pipeline or a client repeating a command
    if (name === this.#lastName) return this.#lastCommand;
    const command = this.#commands.get(name) ?? this.#commands.get(name.toLowerCase());
    if (command !== undefined) {
      this.#lastName = name;
      this.#lastCommand = command;
    }
    return command;
  }
  #lastName = '';
  #lastCommand: Command | undefined = undefined;

  /** Every command in the table, once each. */
  commands(): Command[] {
    return [...new Set(this.#commands.values())];
  }

  /** The database with this index (the caller has checked the range). */
  db(index: number): Database {
    const db = this.databases[index];
    if (!db) throw new RangeError(`no database ${index}`);
    return db;
  }

  /** Current time in ms: fixed while a command runs, as redis-server's command time snapshot. */
  now(): number {
    return this.#timeSnapshot || this.batchNow();
  }

  /**
   * The time, read once per synchronous run of work (a batch of pipelined commands) and reused
   * until it ends: reading the clock for every command cost about a fifth of a GET's CPU time.
   * Redis likewise caches the time per event-loop iteration (server.mstime).
   */
  batchNow(): number {
    let now = this.#batchTime;
    if (now === 0) {
      now = this.#batchTime = this.clock.now();
      // inside a network read the read's end clears it (releaseBatchTime); other work (timers,
      // scripts' callbacks) at the next microtask: a promise reaction, not queueMicrotask, which
      // makes an AsyncResource and a bound function per call (~180 bytes)
      if (this.#held === 0) void RESOLVED.then(this.#clearBatchTime);
    }
    return now;
  }
  #batchTime = 0;
  /** Network reads in progress (hold/release, normally 0 or 1). */
  #held = 0;

  /** The network starts handling a read: its commands share one clock reading. */
  holdBatchTime(): void {
    this.#held++;
  }

  /** The read's commands ran (their replies go out at the end of the turn): the next read reads the clock again. */
  releaseBatchTime(): void {
    if (--this.#held === 0) this.#clearBatchTime();
  }
  readonly #clearBatchTime = (): void => {
    this.#batchTime = 0;
    this.#lastStamp = 0;
  };
  /** performance.now() at the end of the previous command of this batch, 0 between batches */
  #lastStamp = 0;
  /** slowlog-log-slower-than, read on every command: kept as a number */
  #slowlogThreshold = 10000;

  /**
   * The clock in microseconds (TIME, MONITOR): its milliseconds, with the microseconds within
   * the millisecond read from the monotonic clock (the server's clock has milliseconds only).
   */
  nowMicros(): number {
    const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000) % 1000;
    return Math.floor(this.clock.now()) * 1000 + micros;
  }

  /** Forgets the cached time (a test clock moved). */
  invalidateTime(): void {
    this.#batchTime = 0;
  }

  requiresAuth(): boolean {
    return this.config.string('requirepass') !== '';
  }

  /** Registers a client for a connection (or an internal client when `conn` is undefined). */
  createClient(conn: ClientConnection | undefined, masterLink?: MasterLink): Client {
    const client = new Client(this.#nextClientId++, this, conn, this.writer, this.clock.now());
    if (conn) {
      this.clients.set(client.id, client);
      this.stats.totalConnections++;
    } else if (masterLink) {
      // a replica's master client is listed (CLIENT LIST, connected_clients), not counted as a
      // connection received
      client.masterLink = masterLink;
      this.clients.set(client.id, client);
    }
    return client;
  }

  /** Forgets a client whose connection closed. */
  removeClient(client: Client): void {
    // a client gone while blocked must not be handed the next element pushed to its keys
    if (client.blocked) this.#removeBlocked(client, client.blocked);
    this.clients.delete(client.id);
    this.unwatchAll(client);
    this.monitors.delete(client);
    for (const hook of this.hooks.clientClosed) hook(client);
  }

  /**
   * Runs one command from a client as redis-server's processCommand does: lookup, arity,
   * authentication, subscriber-mode and transaction rules, then the handler.
   */
  execute(client: Client, argv: string[]): void {
    if (this.hooks.beforeCommand.length !== 0 && client.conn) {
      // CLIENT LIST's cmd= names a command refused here too (processCommand sets lastcmd first)
      client.lastCommand = this.lookupCommand(argv)?.meta.name ?? 'NULL';
      for (const hook of this.hooks.beforeCommand) {
        const error = hook(client, argv);
        if (error !== undefined) {
          this.errorReply(client, error);
          return;
        }
      }
    }
    const name = argv[0] ?? '';
    let command = this.command(name);
    // a network client's time is its connection's last read or write; storing the batch's time
    // here cost every pipelined command a heap number (24 bytes)
    if (!client.connectionTracksInteraction) client.lastInteraction = this.batchNow();
    if (!command) {
      client.lastCommand = 'NULL';
      this.#reject(client, unknownCommand(argv));
      return;
    }
    if (command.subcommands && argv.length >= 2) {
      const sub = command.subcommands.get((argv[1] ?? '').toLowerCase());
      if (!sub) {
        client.lastCommand = 'NULL';
        this.#reject(client, unknownSubcommand(command.meta.name, argv[1] ?? ''));
        return;
      }
      command = sub;
    }
    // the command as CLIENT LIST's cmd= shows it, whether it runs, is refused or is queued (an
    // EXEC's commands and a script's leave it at exec or eval)
    client.lastCommand = command.meta.name;
    if (arityRefuses(command.meta.arity, argv.length) || (!command.handler && argv.length < 2)) {
      this.#reject(client, wrongArity(command.meta.name), command, argv);
      return;
    }
    const flags = command.meta.flags;
    // CMD_PROTECTED (DEBUG, MODULE LOAD...: admin commands, so nothing else pays for the check)
    if (flags & CommandFlag.ADMIN && client.conn !== undefined) {
      const refusal = protectedRefusal(client, command.meta.name);
      if (refusal !== undefined) {
        this.#reject(client, refusal, command, argv);
        return;
      }
    }
    if (!client.authenticated && !(flags & CommandFlag.NO_AUTH)) {
      this.#reject(client, ReplyError.NOAUTH, command, argv);
      return;
    }
    const lower = command.meta.name;
    if (client.multi && flags & CommandFlag.NO_MULTI) {
      this.#reject(client, 'ERR Command not allowed inside a transaction', command, argv);
      return;
    }
    if (this.eviction.maxmemory !== 0 && this.eviction.rejects(client, command, argv)) return;
    if (
      (this.replicaOf !== undefined || this.minReplicasToWrite !== 0) &&
      this.#writes(client, command, argv)
    ) {
      const refusal = this.writeRefusal();
      if (refusal !== undefined) {
        this.#reject(client, refusal, command, argv);
        return;
      }
    }
    if (client.inPubSubContext && !PUBSUB_ALLOWED.has(lower.split('|')[0] ?? '')) {
      this.#reject(
        client,
        `ERR Can't execute '${lower}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
        command,
        argv,
      );
      return;
    }
    if (
      this.replicaOf !== undefined &&
      // is_denystale_command: an EXEC is when a command it queued is
      (!(flags & CommandFlag.STALE) ||
        (lower === 'exec' &&
          client.multi?.commands.some(
            (queued) => !(queued.command.meta.flags & CommandFlag.STALE),
          ))) &&
      !this.replicaLinkUp &&
      this.#masterClient === undefined &&
      !this.config.bool('replica-serve-stale-data')
    ) {
      this.#reject(
        client,
        "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
        command,
        argv,
      );
      return;
    }
    if (
      this.loading !== undefined &&
      client.conn !== undefined &&
      (!(flags & CommandFlag.LOADING) ||
        (lower === 'exec' &&
          client.multi?.commands.some(
            (queued) => !(queued.command.meta.flags & CommandFlag.LOADING),
          )))
    ) {
      this.#reject(client, ReplyError.LOADING, command, argv);
      return;
    }
    if (client.multi && !MULTI_IMMEDIATE.has(lower)) {
      client.multi.commands.push({ command, argv });
      client.w.raw(QUEUED_BYTES);
      return;
    }
    this.call(client, command, argv);
  }

  /**
   * Feeds `target` every write propagated from now on (redis-server's feedAppendOnlyFile and
   * replicationFeedSlaves), in the order the targets were added. With no target
   * `hooks.propagate` is undefined, and commands skip what only propagation needs.
   */
  addPropagationTarget(target: PropagationTarget): void {
    if (this.#propagationTargets.includes(target)) return;
    this.#propagationTargets.push(target);
    this.#installPropagation();
  }

  /** Stops feeding `target`. */
  removePropagationTarget(target: PropagationTarget): void {
    const at = this.#propagationTargets.indexOf(target);
    if (at < 0) return;
    this.#propagationTargets.splice(at, 1);
    this.#installPropagation();
  }

  /**
   * Runs `load` propagating nothing, as redis-server propagates nothing while it loads (DEBUG
   * LOADAOF replaying the AOF must not append it to itself, nor send it to the replicas).
   */
  withoutPropagation<T>(load: () => T): T {
    const propagate = this.hooks.propagate;
    this.hooks.propagate = undefined;
    try {
      return load();
    } finally {
      this.hooks.propagate = propagate;
    }
  }

  #installPropagation(): void {
    this.hooks.propagate =
      this.#propagationTargets.length === 0
        ? undefined
        : (dbIndex, argv) => this.#alsoPropagate(dbIndex, argv, undefined);
  }

  /**
   * The writes of the execution unit that runs (a command from a client with all it ran, a
   * script, a blocked client served), propagated when it ends: redis-server 7.0's also_propagate.
   */
  #pendingWrites: PendingWrite[] = [];
  /** units open (a script that yields outlives the command that started it) */
  #unitDepth = 0;

  /** An execution unit starts: the writes propagated until it ends go out together. */
  beginPropagationUnit(): void {
    this.#unitDepth++;
  }

  /**
   * The unit begun last ends; the outermost one propagates its writes, as one transaction when
   * there are several (propagatePendingCommands), unless `noMulti`.
   */
  endPropagationUnit(noMulti = false): void {
    if (this.#unitDepth > 0 && --this.#unitDepth > 0) return;
    const writes = this.#pendingWrites;
    if (writes.length === 0) return;
    this.#pendingWrites = [];
    const targets = this.#propagationTargets;
    const wrap = writes.length > 1 && !noMulti;
    if (wrap) for (const target of targets) target.transaction(true);
    for (const { dbIndex, argv, only } of writes) this.#feed(dbIndex, argv, only);
    if (wrap) for (const target of targets) target.transaction(false);
  }

  /** alsoPropagate: a write to `only` (PUBLISH: the replicas), or to every target. */
  #alsoPropagate(dbIndex: number, argv: readonly string[], only: PropagationTarget | undefined) {
    if (this.#unitDepth !== 0) this.#pendingWrites.push({ dbIndex, argv, only });
    else this.#feed(dbIndex, argv, only);
  }

  #feed(dbIndex: number, argv: readonly string[], only: PropagationTarget | undefined): void {
    if (only !== undefined) only.feed(dbIndex, argv);
    else for (const target of this.#propagationTargets) target.feed(dbIndex, argv);
  }

  /** A write for `target` only (PUBLISH for the replicas: forceCommandPropagation(REPL)). */
  propagateTo(target: PropagationTarget, dbIndex: number, argv: readonly string[]): void {
    this.#alsoPropagate(dbIndex, argv, target);
  }

  /**
   * Whether a command counts as a write for processCommand's checks: flagged so, an EXEC of a
   * transaction with a write, or a script that declares it may write (getCommandFlags).
   */
  #writes(client: Client, command: Command, argv: string[]): boolean {
    if (command.meta.name === 'exec')
      return (
        client.multi?.commands.some((queued) => queued.command.meta.flags & CommandFlag.WRITE) ??
        false
      );
    return (this.commandFlags(command, argv) & CommandFlag.WRITE) !== 0;
  }

  /**
   * getCommandFlags: a command's flags; a script's from the flags it declares, when it declares
   * some (scriptFlagsToCmdFlags: WRITE unless no-writes, DENYOOM unless no-writes or allow-oom,
   * MAY_REPLICATE dropped).
   */
  commandFlags(command: Command, argv: string[]): number {
    const flags = command.meta.flags;
    const declared = this.hooks.scriptFlags?.(this, command.meta.name, argv);
    if (declared === undefined) return flags;
    return (
      (flags & ~(CommandFlag.WRITE | CommandFlag.DENYOOM | CommandFlag.MAY_REPLICATE)) |
      (declared.writes ? CommandFlag.WRITE : 0) |
      (declared.denyOom ? CommandFlag.DENYOOM : 0)
    );
  }

  /**
   * Why a write may not run now, as redis-server's processCommand (and a script's redis.call)
   * checks: not enough good replicas (min-replicas-to-write), or a read-only replica (unless the
   * write comes from its master). Undefined when it may.
   */
  writeRefusal(): string | undefined {
    if (this.replicaOf === undefined) {
      if (
        this.minReplicasToWrite !== 0 &&
        this.minReplicasMaxLag !== 0 &&
        this.goodReplicas < this.minReplicasToWrite
      )
        return 'NOREPLICAS Not enough good replicas to write.';
      return undefined;
    }
    if (this.#masterClient === undefined && this.config.bool('replica-read-only'))
      return "READONLY You can't write against a read only replica.";
    return undefined;
  }

  /** Whether a command of the master's replication stream runs (mustObeyClient: no OOM). */
  get runningMasterCommand(): boolean {
    return this.#masterClient !== undefined;
  }

  /**
   * Runs a command of the master's replication stream as `client` (the master's): writes are
   * allowed on a read-only replica, and keys past their TTL still exist for it (the master
   * expires them, with a DEL in the stream), as for redis-server's master client.
   */
  runAsMaster(client: Client, argv: string[]): void {
    const outer = this.#masterClient;
    this.#masterClient = client;
    try {
      this.execute(client, argv);
    } finally {
      this.#masterClient = outer;
    }
  }

  /**
   * KeyspaceHost: whether a key past its TTL is deleted when found ('delete', a master's way),
   * only hidden ('hide', a read-only replica's: the master's DEL removes it), or still there for
   * the master's own commands ('keep').
   */
  get expiry(): 'delete' | 'hide' | 'keep' | 'hide-reads' {
    // keyIsExpired: nothing expires while the data loads (an AOF's commands see their keys)
    if (this.loading !== undefined) return 'keep';
    // expireIfNeeded: while clients are paused a key past its TTL reads as missing, and is
    // deleted (and its DEL propagated) once the pause ends
    if (this.replicaOf === undefined) return this.clientsPaused ? 'hide' : 'delete';
    if (this.#masterClient !== undefined) return 'keep';
    // a writable replica deletes what a write finds expired (lookupKey's force_delete_expired)
    return this.config.bool('replica-read-only') ? 'hide' : 'hide-reads';
  }

  /**
   * KeyspaceHost: a TTL was set. On a replica, one a client of its own set (a writable
   * replica's) is remembered, for the cron to expire that key (rememberSlaveKeyWithExpire): the
   * master's DELs never cover it.
   */
  expireSet(db: Database, key: string): void {
    if (this.replicaOf === undefined || this.#masterClient !== undefined) return;
    let databases = this.#replicaKeysWithExpire.get(key);
    if (databases === undefined) this.#replicaKeysWithExpire.set(key, (databases = new Set()));
    databases.add(db.index);
  }
  readonly #replicaKeysWithExpire = new Map<string, Set<number>>();

  /** expireSlaveKeys: the replica's cron expires the keys {@link expireSet} remembered. */
  expireReplicaKeys(): void {
    if (this.#replicaKeysWithExpire.size === 0) return;
    for (const [key, databases] of this.#replicaKeysWithExpire) {
      for (const index of databases)
        if (!this.databases[index]?.expireOwnKey(key)) databases.delete(index);
      if (databases.size === 0) this.#replicaKeysWithExpire.delete(key);
    }
  }

  /** flushSlaveKeysWithExpireList: a new master's data replaces what they were in. */
  forgetReplicaKeysWithExpire(): void {
    this.#replicaKeysWithExpire.clear();
  }

  /**
   * lookupCommand: the command `argv` names (a subcommand when it has them and `argv` gives one),
   * or undefined when there is none (an unknown command or subcommand).
   */
  lookupCommand(argv: readonly string[]): Command | undefined {
    const command = this.command(argv[0] ?? '');
    if (command?.subcommands && argv.length >= 2) {
      return command.subcommands.get((argv[1] ?? '').toLowerCase());
    }
    return command;
  }

  /** Runs a command that passed every check (redis-server's call()). */
  call(client: Client, command: Command, argv: string[]): void {
    const handler = command.handler;
    if (!handler) return;
    const outer = this.#timeSnapshot === 0;
    if (outer) {
      this.#timeSnapshot = this.batchNow();
      this.beginPropagationUnit();
    }
    // one clock read per command: in a batch, a command starts when the previous one ended
    const start = this.#lastStamp || performance.now();
    const writer = client.w;
    // CLIENT REPLY OFF/SKIP: the reply is written, then dropped (CLIENT REPLY itself always
    // answers; the (un)subscribe confirmations are pushes, which go out whatever the mode)
    const quiet = client.replyMode !== 'on' && command.meta.name !== 'client|reply';
    const suppressed = quiet && !SUBSCRIPTION_COMMANDS.has(command.meta.name);
    if (suppressed) client.w = this.#discard;
    // incrCommandStatsOnError: a command failed when errors were counted after the last one
    // (a nested command's, counted for it, are not EXEC's or EVAL's)
    this.#errorsCounted = this.stats.totalErrorReplies;
    const dirtyBefore = this.stats.dirty;
    const outerPropagation = this.#propagation;
    this.#propagation = undefined;
    const previousClient = this.currentClient;
    const previousCommand = this.currentCommand;
    const previousArgv = this.currentArgv;
    this.currentClient = client;
    this.currentCommand = command;
    this.currentArgv = argv;
    if (this.hooks.beforeWrite.length !== 0 && command.meta.flags & CommandFlag.WRITE) {
      for (const hook of this.hooks.beforeWrite) hook(client, command, argv);
    }
    // a script runner shows before the commands its script runs (they show as "lua")
    if (this.monitors.size && SCRIPT_RUNNERS.has(command.meta.name))
      this.#feedMonitors(client, argv);
    handler(client, argv);
    // MONITOR sees a command once it ran, in the database it left the client in (EXEC after
    // the commands it ran, SELECT with the new index), as redis-server 7.0's call()
    if (
      this.monitors.size &&
      !(command.meta.flags & (CommandFlag.SKIP_MONITOR | CommandFlag.ADMIN))
    )
      this.#feedMonitors(client, argv);
    this.currentClient = previousClient;
    this.currentCommand = previousCommand;
    this.currentArgv = previousArgv;
    const end = performance.now();
    this.#lastStamp = end;
    const elapsed = Math.round((end - start) * 1000);
    command.calls++;
    command.microseconds += elapsed;
    // LATENCY HISTOGRAM's per-command counters and the latency monitor's samples (latency.ts)
    recordCommandLatency(this, command, elapsed);
    this.stats.totalCommands++;
    if (this.stats.totalErrorReplies > this.#errorsCounted) command.failedCalls++;
    this.#errorsCounted = this.stats.totalErrorReplies;
    const threshold = this.#slowlogThreshold;
    // a command that blocked is logged when its wait ends (updateStatsOnUnblock)
    if (threshold >= 0 && elapsed >= threshold && client.blocked === undefined)
      this.#slowlogPush(client, command, argv, elapsed);
    if (suppressed) {
      client.w = writer;
      this.#discard.reset();
    }
    if (quiet && client.replyMode === 'skip') client.replyMode = 'on';
    const propagate = this.hooks.propagate;
    if (propagate) {
      // (a cast: the handler may have set it, which narrowing cannot see)
      const rewritten = this.#propagation as { db: number; argv: string[] }[] | undefined;
      if (rewritten) for (const entry of rewritten) propagate(entry.db, entry.argv);
      else if (this.stats.dirty !== dirtyBefore && command.meta.flags & CommandFlag.WRITE)
        propagate(client.db.index, argv);
    }
    this.#propagation = outerPropagation;
    // what the command propagated goes out: several writes (SPOP with a count, EXEC, the expired
    // keys a write deleted first) as one transaction, except SCAN's and RANDOMKEY's
    if (outer)
      this.endPropagationUnit((command.meta.flags & CommandFlag.TOUCHES_ARBITRARY_KEYS) !== 0);
    for (const hook of this.hooks.afterCommand) hook(client, command, argv);
    if (outer) {
      if (this.#readyKeys.size !== 0) this.handleReadyKeys();
      this.#timeSnapshot = 0;
    }
  }

  /** total_error_replies when the last command began or ended (its failure is errors past it) */
  #errorsCounted = 0;

  /**
   * Counts and writes an error reply (redis-server's rejectCommand: also poisons a transaction,
   * and counts a rejected call of the command named, when there is one).
   */
  #reject(client: Client, text: string, command?: Command, argv?: string[]): void {
    if (command !== undefined) command.rejectedCalls++;
    if (command?.meta.name === 'exec') {
      // execCommandAbort: a refused EXEC ends the transaction, its reason in the error, and
      // MONITOR still sees the EXEC
      client.multi = undefined;
      this.unwatchAll(client);
      this.errorReply(
        client,
        `EXECABORT Transaction discarded because of: ${text.startsWith('ERR ') ? text.slice(4) : text}`,
      );
      if (this.monitors.size !== 0 && argv !== undefined) this.#feedMonitors(client, argv);
      return;
    }
    if (client.multi) client.multi.dirty = true;
    this.errorReply(client, text);
  }

  /** Writes an error reply and counts it for INFO errorstats. */
  errorReply(client: Client, text: string): void {
    this.countError(text);
    client.w.error(text);
    if (client.masterLink !== undefined || client.replica || client.aofLoader)
      this.#unexpectedError(client, text);
  }

  /**
   * afterErrorReply: an error to the master (from a replica), to a replica, or to the AOF's
   * client, where nobody reads it, is logged as critical and counted (INFO
   * unexpected_error_replies): a hint of data divergence.
   */
  #unexpectedError(client: Client, text: string): void {
    const [from, to] = client.aofLoader
      ? ['server', 'AOF-loading-client']
      : client.masterLink !== undefined
        ? ['replica', 'master']
        : ['master', 'replica'];
    const name = client.lastCommand === 'NULL' ? '<unknown>' : client.lastCommand;
    // the error as afterErrorReply sees it: addReplyError's text without its "ERR ", a shared
    // error object's with its "-"
    const shown =
      text.startsWith('ERR ') && !SHARED_ERR_REPLIES.has(text) ? text.slice(4) : `-${text}`;
    this.logger.warning(
      `== CRITICAL == This ${from} is sending an error to its ${to}: '${shown.slice(0, 4096)}' after processing the command '${name}'`,
    );
    this.stats.unexpectedErrorReplies++;
  }

  /**
   * An error reply already counted where it arose (a command a script called, whose error the
   * script raised or returned: redis-server's ERR_REPLY_FLAG_NO_STATS_UPDATE): written, and
   * `command` (the EVAL or FCALL) counted as failed.
   */
  errorReplyCounted(client: Client, text: string, command: Command | undefined): void {
    if (command !== undefined) command.failedCalls++;
    client.w.error(text);
  }

  /**
   * scriptCall's refusal of a command a script called (unknown, arity, not allowed from scripts,
   * ACL, a write it may not make): the error counted, and `command`'s rejected calls; the
   * script's own command is not failed by it. `text` as redis-server's: "-CODE msg", or a
   * message counted as ERR.
   */
  scriptCallRejected(text: string, command: Command | undefined): void {
    this.countError(text.startsWith('-') ? text.slice(1) : `ERR ${text}`);
    if (command !== undefined) command.rejectedCalls++;
    this.#errorsCounted = this.stats.totalErrorReplies;
  }

  /**
   * afterErrorReply: counts an error for INFO (total_error_replies, errorstats) under its code,
   * the text up to its first space, or ERR when there is none in its first 31 characters.
   */
  countError(text: string): void {
    this.stats.totalErrorReplies++;
    const space = text.indexOf(' ');
    const code = space >= 0 && space < 31 ? text.slice(0, space) : 'ERR';
    this.stats.errorCounts.set(code, (this.stats.errorCounts.get(code) ?? 0) + 1);
  }

  #slowlogPush(
    client: Client,
    command: Command,
    argv: readonly string[],
    microseconds: number,
  ): void {
    if (command.meta.flags & CommandFlag.SKIP_SLOWLOG) return;
    const maxLength = this.config.number('slowlog-max-len');
    // the command as the client sent it, its secrets redacted (slowlogPushCurrentCommand)
    const args = redactArguments(argv)
      .slice(0, 32)
      .map((arg) =>
        arg.length > 128 ? `${arg.slice(0, 128)}... (${arg.length - 128} more bytes)` : arg,
      );
    if (argv.length > 32) args[31] = `... (${argv.length - 31} more arguments)`;
    this.slowlog.unshift({
      id: this.#slowlogNextId++,
      time: Math.floor(this.clock.now() / 1000),
      microseconds,
      argv: args,
      peer: client.addr,
      name: client.name,
    });
    if (this.slowlog.length > maxLength) this.slowlog.length = maxLength;
  }

  /** SLOWLOG's entry for a blocked command whose wait ended, timed from `start` (its reply). */
  #slowlogUnblocked(
    client: Client,
    state: BlockedState,
    start: number,
    argv: readonly string[] = state.argv,
  ): void {
    const threshold = this.#slowlogThreshold;
    const elapsed = Math.round((performance.now() - start) * 1000);
    if (state.command && threshold >= 0 && elapsed >= threshold)
      this.#slowlogPush(client, state.command, argv, elapsed);
  }

  #feedMonitors(client: Client, argv: string[]): void {
    const micros = this.nowMicros();
    const time = `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
    const peer = client.endpoint;
    const origin = peer ? (peer.unix ? 'unix' : client.addr) : 'lua';
    const line = `+${time} [${client.db.index} ${origin}] ${redactArguments(argv).map(sdsRepr).join(' ')}\r\n`;
    const bytes = Buffer.from(line, 'latin1');
    for (const monitor of this.monitors) monitor.conn?.write(bytes);
  }

  /**
   * The command a deletion propagates as: UNLINK where lazyfree-lazy-expire (a key past its TTL,
   * or given a TTL already past), lazyfree-lazy-eviction or lazyfree-lazy-user-del (GETDEL) say
   * redis-server frees the value in the background, else DEL. (byor's values are freed by the
   * garbage collector either way.)
   */
  deletionCommand(cause: 'expire' | 'eviction' | 'user-del'): 'DEL' | 'UNLINK' {
    return this.#lazy[cause] ? 'UNLINK' : 'DEL';
  }
  /** the lazyfree-lazy-* directives */
  readonly #lazy: Record<'expire' | 'eviction' | 'user-del' | 'server-del', boolean> = {
    expire: false,
    eviction: false,
    'user-del': false,
    'server-del': false,
  };

  /**
   * checkAlreadyExpired: whether a TTL given as `at` (ms) deletes the key at once, rather than
   * being set: not while the data loads (an AOF replays its PEXPIREATs) nor on a replica (its
   * master sends the DEL).
   */
  alreadyExpired(at: number | bigint): boolean {
    return at <= this.now() && this.loading === undefined && this.replicaOf === undefined;
  }

  /**
   * KeyspaceHost: a collection left the keyspace. Counted in lazyfreed_objects where redis-server
   * would free it in the background (freeObjAsync: the directive for `cause` says so, or UNLINK,
   * and its free effort passes the threshold); a move frees nothing.
   */
  valueFreed(value: ObjectValue, cause: FreeCause): void {
    if (cause === 'move' || (cause !== 'unlink' && !this.#lazy[cause])) return;
    if (freeEffort(value) > LAZYFREE_THRESHOLD) this.stats.lazyfreedObjects++;
  }

  /** KeyspaceHost: a key expired (keyspace notification "expired"). */
  keyExpired(db: Database, key: string): void {
    // not a change to save (deleteExpiredKeyAndPropagate leaves server.dirty): the deletion's
    // keyModified counted one
    this.stats.dirty--;
    // an expiry is propagated as a DEL, before the command that found it (redis-server does the same)
    this.hooks.propagate?.(db.index, [this.deletionCommand('expire'), key]);
    this.hooks.notify?.('x', 'expired', key, db.index);
  }

  /**
   * server.dirty as redis-server counts it where that is not one change per key written (each
   * key a command writes counts one, through keyModified): `count` more, for the elements a
   * command changed beyond the first (HSET's fields, SADD's members...), or fewer (RENAME's two
   * keys are one change). rdb_changes_since_last_save and the `save` points follow it.
   */
  changes(count: number): void {
    this.stats.dirty += count;
  }

  /** KeyspaceHost: a key was written; WATCHers see their transaction fail. */
  keyModified(db: Database, key: string): void {
    this.stats.dirty++;
    if (this.#watchers.size !== 0) {
      const id = watchKey(db.index, key);
      const watchers = this.#watchers.get(id);
      if (watchers)
        for (const client of watchers) {
          // a key already expired when watched, now reclaimed: no logical change (touchWatchedKey)
          if (client.watchedExpired.has(id) && !db.contains(key)) {
            client.watchedExpired.delete(id);
            continue;
          }
          client.watchDirty = true;
        }
    }
    for (const hook of this.hooks.keyModified) hook(db, key);
  }

  /** KeyspaceHost: a read missed (keyspace event "keymiss", class m). */
  keyMissed(db: Database, key: string): void {
    if (this.pubsub.wantsKeyMiss) this.pubsub.notify('m', 'keymiss', key, db.index);
  }

  /** KeyspaceHost: a key was created (keyspace event "new", class n). */
  keyAdded(db: Database, key: string): void {
    // as dbAdd: a created key may serve clients blocked on it (RENAME, COPY, MOVE, RESTORE...)
    this.signalKeyAsReady(db, key);
    this.pubsub.notify('n', 'new', key, db.index);
  }

  /** Keyspace notification for an event (the pub/sub module installs the implementation). */
  notify(type: string, event: string, key: string, db: Database): void {
    this.hooks.notify?.(type, event, key, db.index);
  }

  /** WATCH a key for a client. */
  watch(client: Client, db: Database, key: string): void {
    const id = watchKey(db.index, key);
    if (client.watched.has(id)) return;
    client.watched.add(id);
    // watching a key that is expired but not reclaimed yet: its reclaiming is no change
    const at = db.getExpire(key);
    if (at !== undefined && this.now() > at) client.watchedExpired.add(id);
    let set = this.#watchers.get(id);
    if (!set) this.#watchers.set(id, (set = new Set()));
    set.add(client);
  }

  /** UNWATCH everything a client watches. */
  unwatchAll(client: Client): void {
    for (const id of client.watched) {
      const set = this.#watchers.get(id);
      set?.delete(client);
      if (set?.size === 0) this.#watchers.delete(id);
    }
    client.watched.clear();
    client.watchedExpired.clear();
    client.watchDirty = false;
  }

  /**
   * What the running command propagates to the AOF (and replicas), when it is not its own argv:
   * relative times become absolute (SET EX -> SET PXAT, EXPIRE -> PEXPIREAT), random or blocking
   * effects become their results (SPOP -> SREM, BLPOP -> LPOP, INCRBYFLOAT -> SET KEEPTTL), as
   * redis-server's rewriteClientCommandVector / alsoPropagate do. Each call adds one command; once
   * called, the original argv is not propagated. Call with no command to propagate nothing.
   */
  propagateAs(db: Database, ...commands: string[][]): void {
    this.#propagation ??= [];
    for (const argv of commands) this.#propagation.push({ db: db.index, argv });
  }
  #propagation: { db: number; argv: string[] }[] | undefined = undefined;

  /** RESET: back to a fresh connection's state (db 0, RESP2, no name, no transaction or subscriptions). */
  resetClient(client: Client): void {
    client.multi = undefined;
    this.unwatchAll(client);
    this.hooks.clientClosed.forEach((hook) => hook(client));
    client.channels.clear();
    client.patterns.clear();
    client.shardChannels.clear();
    client.db = this.db(0);
    client.resp = 2;
    client.w.protocol = 2;
    client.name = '';
    client.replyMode = 'on';
    // (CLIENT NO-EVICT stays on: redis-server 7.0's clearClientConnectionState keeps it)
    client.noTouch = false;
    if (client.monitor) {
      client.monitor = false;
      this.monitors.delete(client);
    }
    client.authenticated = !this.requiresAuth();
    client.conn?.setOutputClass('normal');
    client.conn?.setIdleExempt(false);
  }

  /** One line of CLIENT LIST / CLIENT INFO, in redis-server's field order. */
  describeClient(client: Client): string {
    const conn = client.conn;
    const now = this.clock.now();
    const info = this.hooks.clientInfo;
    const tracking = info?.tracking?.(client);
    // redis-server's order (getClientInfoString): O P x b t R B d c U e
    let flags = '';
    if (client.monitor) flags += 'O';
    if (client.replica) flags += 'S';
    if (client.masterLink) flags += 'M';
    if (client.subscriptionCount > 0) flags += 'P';
    if (client.multi) flags += 'x';
    if (client.isBlocked) flags += 'b';
    if (tracking) flags += tracking.flags;
    if (client.watchDirty) flags += 'd';
    if (client.closing) flags += 'c';
    if (conn?.unix) flags += 'U';
    if (client.noEvict) flags += 'e';
    if (flags === '') flags = 'N';
    // the master's client runs as no user at all (redis-server's NULL user)
    const user = client.masterLink ? '(superuser)' : (info?.user?.(client) ?? 'default');
    // the client running this command still holds it in its query buffer, and its arguments
    // (redis-server trims the buffer after the command): the command's bytes as RESP
    let qbuf = client.endpoint?.queryBufferBytes ?? 0;
    let argvMem = 0;
    let argvSlots = 0;
    if (client === this.currentClient && conn !== undefined) {
      for (const arg of this.currentArgv) {
        argvMem += arg.length;
        qbuf += 5 + String(arg.length).length + arg.length;
      }
      qbuf += 3 + String(this.currentArgv.length).length;
      argvSlots = this.currentArgv.length;
    }
    // getClientMemoryUsage as redis-server 7.0 counts an idle client with its default buffers
    // (37,632 bytes: the query buffer, the reply buffer, the client), plus the output queued,
    // the arguments held and a query buffer grown past its default size
    const totalMemory =
      CLIENT_BASE_MEMORY +
      (conn?.outputBufferBytes ?? 0) +
      argvMem +
      8 * argvSlots +
      Math.max(0, qbuf - QUERY_BUFFER_DEFAULT);
    const omem = conn?.outputBufferBytes ?? 0;
    return (
      `id=${client.id} addr=${client.addr} laddr=${client.laddr} fd=${client.id + 7} name=${client.name} ` +
      `age=${Math.floor((now - client.createdAt) / 1000)} idle=${Math.floor((now - (conn?.lastInteraction ?? client.lastInteraction)) / 1000)} ` +
      `flags=${flags} db=${client.db.index} sub=${client.channels.size} psub=${client.patterns.size} ssub=${client.shardChannels.size} ` +
      `multi=${client.multi ? client.multi.commands.length : -1} qbuf=${qbuf} qbuf-free=${Math.max(0, QUERY_BUFFER_DEFAULT - qbuf)} argv-mem=${argvMem} multi-mem=0 ` +
      `rbs=16384 rbp=16384 obl=0 oll=0 omem=${omem} tot-mem=${totalMemory} events=r cmd=${client.lastCommand} ` +
      `user=${user} redir=${tracking?.redirect ?? -1} resp=${client.resp}` +
      (client.libName || client.libVersion
        ? ` lib-name=${client.libName} lib-ver=${client.libVersion}`
        : '')
    );
  }

  /** CLIENT KILL: closes a client's connection (after this reply when it kills itself). */
  killClient(client: Client, self: boolean): void {
    if (self) client.closing = true;
    else if (client.conn) client.conn.close(false);
    else client.masterLink?.close();
  }

  /** CLIENT PAUSE */
  pauseClients(until: number, writesOnly: boolean): void {
    this.pause = { until, writesOnly };
    this.network?.schedulePauseEnd(until);
  }

  /** A CLIENT PAUSE is in force (checkClientPauseTimeoutAndReturnIfPaused): no key expires. */
  get clientsPaused(): boolean {
    return this.pause !== undefined && this.clock.now() < this.pause.until;
  }

  /** CLIENT UNPAUSE, or the pause deadline passing. */
  unpauseClients(): void {
    this.pause = undefined;
    this.network?.resumePaused();
  }

  /**
   * True when `client`'s command must wait for CLIENT PAUSE to end: any command under PAUSE ALL;
   * under PAUSE WRITE one that may replicate (is_may_replicate_command: a write, PUBLISH,
   * PFCOUNT, a script that may write, an EXEC of such commands).
   */
  isPausedFor(client: Client, argv: string[]): boolean {
    const pause = this.pause;
    if (!pause) return false;
    if (this.clock.now() >= pause.until) {
      this.unpauseClients();
      return false;
    }
    const command = this.lookupCommand(argv);
    if (command === undefined) return false;
    // processCommand refuses these before it looks at the pause: the error comes at once
    if (arityRefuses(command.meta.arity, argv.length)) return false;
    if (!client.authenticated && !(command.meta.flags & CommandFlag.NO_AUTH)) return false;
    if (!pause.writesOnly) return true;
    if (command.meta.name === 'exec' && client.multi)
      return client.multi.commands.some((queued) =>
        this.#mayReplicate(queued.command, queued.argv),
      );
    return this.#mayReplicate(command, argv);
  }

  /** is_may_replicate_command: CMD_WRITE or CMD_MAY_REPLICATE (getCommandFlags). */
  #mayReplicate(command: Command, argv: string[]): boolean {
    return (
      (this.commandFlags(command, argv) & (CommandFlag.WRITE | CommandFlag.MAY_REPLICATE)) !== 0
    );
  }

  /**
   * Blocks a client on keys (BLPOP and friends). `retry` re-runs the command when a key it waits
   * on was written; it returns true when it could serve the client. `onTimeout` replies when the
   * deadline (ms, 0 = forever) passes.
   */
  blockClient(
    client: Client,
    keys: readonly string[],
    deadline: number,
    retry: (readyKey: string) => boolean,
    onTimeout: () => void,
  ): void {
    const state: BlockedState = {
      keys,
      deadline,
      retry,
      timeout: onTimeout,
      timer: undefined,
      command: this.currentCommand,
      argv: this.currentArgv,
    };
    client.blocked = state;
    for (const key of keys) {
      const id = watchKey(client.db.index, key);
      let queue = this.#blockedOn.get(id);
      if (!queue) this.#blockedOn.set(id, (queue = []));
      queue.push(client);
    }
    client.conn?.pause();
    client.conn?.setIdleExempt(true);
    if (deadline > 0)
      state.timer = this.network?.scheduleTimer(deadline, () =>
        this.unblockClient(client, undefined),
      );
  }

  /**
   * Ends a client's wait. With `error`, replies with that error; otherwise (timeout) lets the
   * command's own timeout reply run. `failed`: the blocking command counts as failed either way
   * (CLIENT UNBLOCK: redis-server 7.0's updateStatsOnUnblock with had_errors set).
   */
  unblockClient(client: Client, error: string | undefined, failed = false): void {
    const state = client.blocked;
    if (!state) return;
    this.#removeBlocked(client, state);
    const start = performance.now();
    this.replyOutOfBand(client, () => {
      if (error !== undefined) this.errorReply(client, error);
      else state.timeout();
    });
    if (failed && state.command) state.command.failedCalls++;
    // CLIENT UNBLOCK logs the command (updateStatsOnUnblock), by then without its arguments; a
    // timeout does not log it (redis-server 7.0)
    if (failed) this.#slowlogUnblocked(client, state, start, []);
    this.#resumeClient(client);
  }

  #removeBlocked(client: Client, state: BlockedState): void {
    client.blocked = undefined;
    for (const key of state.keys) {
      const id = watchKey(client.db.index, key);
      const queue = this.#blockedOn.get(id);
      if (!queue) continue;
      const at = queue.indexOf(client);
      if (at >= 0) queue.splice(at, 1);
      if (queue.length === 0) this.#blockedOn.delete(id);
    }
    if (state.timer !== undefined) this.network?.cancelTimer(state.timer);
  }

  #resumeClient(client: Client): void {
    client.conn?.setIdleExempt(client.subscriptionCount > 0);
    client.conn?.resume();
  }

  /** A key may now satisfy blocked clients (a push to a list, an add to a sorted set...). */
  signalKeyAsReady(db: Database, key: string): void {
    if (this.#blockedOn.size === 0 || !this.#blockedOn.has(watchKey(db.index, key))) return;
    let keys = this.#readyKeys.get(db);
    if (!keys) this.#readyKeys.set(db, (keys = new Set()));
    keys.add(key);
    // outside any command (active expiry in the cron, the testing back door): serve them soon,
    // not after the next command someone sends
    if (this.#timeSnapshot === 0 && !this.#readyQueued) {
      this.#readyQueued = true;
      queueMicrotask(this.#handleReadyLater);
    }
  }
  #readyQueued = false;
  readonly #handleReadyLater = (): void => {
    this.#readyQueued = false;
    if (this.#readyKeys.size !== 0) this.handleReadyKeys();
  };

  /** After a command: serves blocked clients whose keys became ready, first blocked first served. */
  handleReadyKeys(): void {
    while (this.#readyKeys.size !== 0) {
      const ready = [...this.#readyKeys];
      this.#readyKeys.clear();
      for (const [db, keys] of ready) {
        for (const key of keys) {
          const queue = this.#blockedOn.get(watchKey(db.index, key));
          if (!queue) continue;
          // updateCachedTime: the clients are served at the time they are served, not at the
          // start of the command that woke them (a key may have expired since: MULTI ... DEBUG
          // SLEEP ... EXEC)
          if (this.#timeSnapshot !== 0) this.#timeSnapshot = this.clock.now();
          for (const client of [...queue]) {
            const state = client.blocked;
            if (!state) continue;
            let served = false;
            const outerPropagation = this.#propagation;
            this.#propagation = undefined;
            this.beginPropagationUnit();
            const errors = this.stats.totalErrorReplies;
            const start = performance.now();
            // the client served is the current client while its command runs (NOLOOP, and the
            // invalidations it causes itself follow its reply)
            const previousClient = this.currentClient;
            this.currentClient = client;
            try {
              this.replyOutOfBand(client, () => {
                served = state.retry(key);
              });
            } finally {
              this.currentClient = previousClient;
            }
            if (served) this.#slowlogUnblocked(client, state, start);
            // served with an error (BLMOVE to a key of another type): the command failed
            if (served && this.stats.totalErrorReplies !== errors && state.command)
              state.command.failedCalls++;
            // what the served command propagates (e.g. BLPOP as LPOP) goes out now, several
            // commands as one transaction, as afterCommand does for each client served
            const rewritten = this.#propagation as { db: number; argv: string[] }[] | undefined;
            const propagate = this.hooks.propagate;
            if (rewritten && propagate)
              for (const entry of rewritten) propagate(entry.db, entry.argv);
            this.endPropagationUnit();
            this.#propagation = outerPropagation;
            for (const hook of this.hooks.served) hook(client);
            if (served) {
              this.#removeBlocked(client, state);
              this.#resumeClient(client);
            }
            if (!db.has(key)) break;
          }
        }
      }
    }
  }

  /** Number of blocked clients: waiting on keys, or held back by CLIENT PAUSE. */
  get blockedClients(): number {
    let count = 0;
    for (const client of this.clients.values()) if (client.isBlocked) count++;
    return count;
  }

  /**
   * Runs `write` with `client.w` pointing at a private writer, then sends what it wrote to the
   * client's connection. For replies outside the client's own batch (unblocking, timers).
   */
  replyOutOfBand(client: Client, write: () => void): void {
    const saved = client.w;
    // nested out-of-band replies (rare) get a writer of their own
    const writer = this.#sideWriter.length === 0 ? this.#sideWriter : new RespWriter(256);
    writer.protocol = client.resp;
    client.w = writer;
    const outer = this.#timeSnapshot === 0;
    if (outer) this.#timeSnapshot = this.clock.now();
    try {
      write();
    } finally {
      client.w = saved;
      if (outer) this.#timeSnapshot = 0;
    }
    if (writer.length > 0 && client.replyMode === 'on') {
      for (const hook of this.hooks.beforeReply) hook();
      client.conn?.write(writer.view());
    }
    writer.reset();
  }
  readonly #sideWriter = new RespWriter();
  readonly #discard = new RespWriter(256);

  /**
   * FLUSHDB (one database) or FLUSHALL (undefined); `command` false: a replica emptying its data
   * for its master's RDB (redis-server's emptyData: no RDB saved, as FLUSHALL saves one).
   */
  flushDatabase(index: number | undefined, command = true, async = false): void {
    const targets = index === undefined ? this.databases : [this.db(index)];
    for (const db of targets) {
      this.touchWatchedReplaced(db, undefined);
      this.stats.dirty += db.size;
      // emptyDbAsync hands every key of the table to the background thread
      if (async) this.stats.lazyfreedObjects += db.size;
      db.flush();
    }
    // emptyData of every database (FLUSHALL, a new master's data) forgets the writable replica's
    // keys with a TTL
    if (index === undefined) this.forgetReplicaKeysWithExpire();
    this.hooks.flushed.forEach((hook) => hook(index, command));
  }

  /**
   * touchAllWatchedKeysInDb: the keys of `emptied` are about to be dropped (FLUSHDB, FLUSHALL, a
   * replica's new data: `replacedWith` undefined) or replaced by those of `replacedWith` (SWAPDB,
   * a replica's swapdb load). A client WATCHing a key of that index which is in either table
   * becomes dirty, unless the key was expired when WATCHed and is not in `replacedWith` (or is
   * expired there too), or is only in `replacedWith`, expired (then it counts as watched expired).
   * Call before the tables change. O(watched keys).
   */
  touchWatchedReplaced(emptied: Database, replacedWith: Database | undefined): void {
    if (this.#watchers.size === 0) return;
    const prefix = `${emptied.index}\0`;
    const now = this.now();
    const expiredIn = (db: Database, key: string) => {
      const at = db.getExpire(key);
      return at !== undefined && now > at;
    };
    for (const [id, clients] of this.#watchers) {
      if (!id.startsWith(prefix)) continue;
      const key = id.slice(prefix.length);
      const inEmptied = emptied.contains(key);
      // the table the key is in after the change, if any
      const replacement = replacedWith?.contains(key) === true ? replacedWith : undefined;
      if (!inEmptied && replacement === undefined) continue;
      for (const client of clients) {
        if (client.watchedExpired.has(id)) {
          if (replacement === undefined) {
            // expired, now deleted: no logical change
            client.watchedExpired.delete(id);
            continue;
          }
          if (expiredIn(replacement, key)) continue;
        } else if (!inEmptied && replacement !== undefined && expiredIn(replacement, key)) {
          client.watchedExpired.add(id);
          continue;
        }
        client.watchDirty = true;
      }
    }
  }

  /**
   * SWAPDB: clients blocked on keys of the databases swapped may now be served. A key is found as
   * scanDatabaseForReadyKeys finds it (dictFind): one past its TTL is deleted when a client it
   * would serve looks it up, after the SWAPDB propagated.
   */
  afterSwapDb(...indices: number[]): void {
    for (const index of indices) {
      const db = this.db(index);
      for (const id of this.#blockedOn.keys()) {
        const prefix = `${index}\0`;
        if (id.startsWith(prefix) && db.contains(id.slice(prefix.length)))
          this.signalKeyAsReady(db, id.slice(prefix.length));
      }
    }
  }

  /**
   * swapMainDbWithTempDb: each database takes the contents of its counterpart in `loaded` (a
   * replica's repl-diskless-load swapdb, once its master's RDB loaded there), which gets the old
   * ones for the caller to drop. WATCHers, blocked clients, XREADGROUP waiters and tracking
   * clients learn of it as they do of a SWAPDB and a flush.
   */
  replaceDatabases(loaded: readonly Database[]): void {
    for (const db of this.databases) this.touchWatchedReplaced(db, loaded[db.index]);
    for (const db of this.databases) {
      const other = loaded[db.index];
      if (other !== undefined) db.swapWith(other);
    }
    this.afterSwapDb(...this.databases.map((db) => db.index));
    this.forgetReplicaKeysWithExpire();
    this.hooks.flushed.forEach((hook) => hook(undefined, false));
  }

  /** CONFIG RESETSTAT */
  resetStats(): void {
    const stats = this.stats;
    stats.keyspaceHits = stats.keyspaceMisses = stats.expiredKeys = stats.evictedKeys = 0;
    stats.totalCommands =
      stats.totalConnections =
      stats.rejectedConnections =
      stats.totalErrorReplies =
        0;
    stats.errorCounts.clear();
    stats.lazyfreedObjects = stats.unexpectedErrorReplies = 0;
    for (const command of this.commands()) {
      for (const entry of [command, ...(command.subcommands?.values() ?? [])]) {
        entry.calls = entry.microseconds = entry.rejectedCalls = entry.failedCalls = 0;
      }
    }
    this.slowlog.length = 0;
    this.network?.resetStats();
  }

  /** CONFIG REWRITE; returns an error text or undefined. */
  rewriteConfig(): string | undefined {
    const file = this.config.configFile;
    if (!file) return 'ERR The server is running without a config file';
    try {
      rewriteConfigFile(file, this.config.changed());
      return undefined;
    } catch (error) {
      return `ERR Rewriting config file: ${(error as Error).message}`;
    }
  }

  /** SHUTDOWN from a client; returns an error text or undefined (the server is going down). */
  shutdownFromCommand(options: {
    save: boolean | undefined;
    now: boolean;
    force: boolean;
  }): string | undefined {
    const error = this.persistence?.beforeShutdown(options.save, options.force);
    if (error) return error;
    this.shuttingDown = true;
    this.logger.warning('User requested shutdown...');
    this.hooks.shutdown.forEach((hook) => hook());
    return undefined;
  }

  /** INFO persistence fields. */
  persistenceInfo(): [string, string | number][] {
    return (
      this.persistence?.info() ?? [
        ['loading', 0],
        ['async_loading', 0],
        ['rdb_changes_since_last_save', this.stats.dirty],
        ['rdb_bgsave_in_progress', 0],
        ['rdb_last_save_time', this.lastSave],
        ['rdb_last_bgsave_status', 'ok'],
        ['rdb_last_bgsave_time_sec', -1],
        ['rdb_current_bgsave_time_sec', -1],
        ['rdb_saves', 0],
        ['aof_enabled', 0],
        ['aof_rewrite_in_progress', 0],
        ['aof_rewrite_scheduled', 0],
        ['aof_last_rewrite_time_sec', -1],
        ['aof_current_rewrite_time_sec', -1],
        ['aof_last_bgrewrite_status', 'ok'],
        ['aof_rewrites', 0],
        ['aof_last_write_status', 'ok'],
      ]
    );
  }

  /** Operations per second over the last few cron samples (INFO instantaneous_ops_per_sec). */
  instantaneousOps(): number {
    return Math.round(this.#perSecond(1));
  }

  /** KB per second read and written over the last few cron samples (instantaneous_*_kbps). */
  instantaneousKbps(): { input: number; output: number } {
    return { input: this.#perSecond(2) / 1024, output: this.#perSecond(3) / 1024 };
  }

  /** The rate of sampled counter `field` over the samples kept. */
  #perSecond(field: 1 | 2 | 3): number {
    const samples = this.#opsSamples;
    if (samples.length < 2) return 0;
    const first = samples[0]!;
    const last = samples[samples.length - 1]!;
    return last[0] > first[0] ? ((last[field] - first[field]) * 1000) / (last[0] - first[0]) : 0;
  }

  /** Called by the cron: samples counters and memory. */
  sampleStats(): void {
    const net = this.netStats();
    this.#opsSamples.push([this.clock.now(), this.stats.totalCommands, net.input, net.output]);
    if (this.#opsSamples.length > 16) this.#opsSamples.shift();
    const memory = process.memoryUsage();
    this.peakMemory = Math.max(this.peakMemory, memory.heapUsed + memory.external);
  }

  /** Bytes in and out of all connections. */
  netStats(): { input: number; output: number } {
    return this.network?.netStats() ?? { input: 0, output: 0 };
  }

  /** Channels with at least one subscriber (INFO pubsub_channels). */
  pubsubChannelCount(): number {
    return this.pubsub.channels.size;
  }

  /** Patterns with at least one subscriber (INFO pubsub_patterns). */
  pubsubPatternCount(): number {
    return this.pubsub.patterns.size;
  }

  /** The argument positions holding keys, as redis-server finds them (see commands/keyspecs.ts). */
  keyPositions(command: Command, argv: readonly string[]): number[] {
    return commandKeys(command.meta, argv).map((key) => key.pos);
  }

  /** The connection type of a client for CLIENT LIST TYPE / KILL TYPE. */
  clientType(client: Client): string {
    return clientType(client);
  }

  /** Adds a MONITOR client. */
  addMonitor(client: Client): void {
    this.monitors.add(client);
  }
}

/** A consumer of the propagated writes: the AOF, the replication backlog. */
export interface PropagationTarget {
  /** a write, after rewriting (SET ... PX as SET ... PXAT), in database `dbIndex` */
  feed(dbIndex: number, argv: readonly string[]): void;
  /** the writes of one execution unit, when there are several, start (true) or end (false) */
  transaction(start: boolean): void;
}

/** A write held until its execution unit ends. */
interface PendingWrite {
  readonly dbIndex: number;
  readonly argv: readonly string[];
  readonly only: PropagationTarget | undefined;
}

/** Callbacks that feature modules attach to the core. */
export interface ServerHooks {
  notify: ((type: string, event: string, key: string, dbIndex: number) => void) | undefined;
  keyModified: ((db: Database, key: string) => void)[];
  afterCommand: ((client: Client, command: Command, argv: string[]) => void)[];
  /** a blocked client was served, its reply written (tracking then sends its invalidations) */
  served: ((client: Client) => void)[];
  clientClosed: ((client: Client) => void)[];
  /**
   * a write to make durable (AOF) or replicate: the database and the command, after rewriting
   * (set by {@link Server.addPropagationTarget}; the scripting engine unsets it for a while)
   */
  propagate: ((dbIndex: number, argv: string[]) => void) | undefined;
  flushed: ((index: number | undefined, command: boolean) => void)[];
  shutdown: (() => void)[];
  /**
   * Before a network client's command is dispatched (the testing back door: command log, fault
   * injection). A hook returning an error text makes the server reply with it instead.
   */
  beforeCommand: ((client: Client, argv: string[]) => string | undefined)[];
  /**
   * Before a command flagged `write` runs, from any source (a client, EXEC, a script, a blocked
   * client served later): BGSAVE saves the keys it is about to change (copy-before-write).
   */
  beforeWrite: ((client: Client, command: Command, argv: string[]) => void)[];
  /**
   * Just before replies go out (once per batch of pipelined commands, and before an out-of-band
   * reply): `appendfsync always` writes and fsyncs the AOF once here, as redis-server does in
   * beforeSleep, and acknowledged writes are durable.
   */
  beforeReply: (() => void)[];
  /** what other modules add to a CLIENT LIST / CLIENT INFO line (ACL users, tracking) */
  clientInfo: ClientInfoSource | undefined;
  /**
   * EVAL*, FCALL*: whether the script may write (its flags), for the write checks (set by
   * start.ts from the scripting commands)
   */
  scriptFlags?: (
    server: Server,
    name: string,
    argv: string[],
  ) => { readonly writes: boolean; readonly denyOom: boolean } | undefined;
}

/** Fields of a client's CLIENT LIST line that modules outside the core know. */
export interface ClientInfoSource {
  /** the user the client is logged in as (default: "default") */
  user?: (client: Client) => string;
  /** client tracking: "t", "tR", "tB"... (empty when off) and the redirect client id (-1) */
  tracking?: (client: Client) => { flags: string; redirect: number } | undefined;
}

/** What the server core asks of the network layer. */
export interface NetworkControl {
  scheduleTimer(at: number, callback: () => void): unknown;
  cancelTimer(timer: unknown): void;
  schedulePauseEnd(at: number): void;
  resumePaused(): void;
  netStats(): { input: number; output: number };
  resetStats(): void;
}

/** Where a replica's RDB goes as it is made (Persistence.replicaRdb). */
export interface ReplicaRdbOutput {
  /** the next bytes of the RDB, to keep */
  write(chunk: Buffer): void;
  /** bytes written and not sent on yet: making the RDB waits while there are over 16 MB */
  readonly pendingBytes: number;
  /** resolves once few enough are */
  drained(): Promise<void>;
  /** the RDB is whole (its last bytes written), or failed */
  end(error?: Error): void;
}

/** A replication history an RDB stands for: its stream's database, ID and offset. */
export interface ReplicationSaveInfo {
  readonly streamDb: number;
  readonly replid: string;
  readonly offset: number;
}

/**
 * Where {@link PersistenceControl.loadRdbPayload} puts what it loads instead of the server's own
 * databases and functions (a replica's repl-diskless-load swapdb: redis-server's tempDb and
 * temporary functions context, swapped in once the whole RDB loaded).
 */
export interface RdbLoadTarget {
  /** one per database of the server, in order */
  readonly databases: readonly Database[];
  /** the function registry libraries load into (made when the first one comes) */
  functions(): FunctionRegistry;
}

/** What the server core asks of persistence (RDB/AOF). */
export interface PersistenceControl {
  info(): [string, string | number][];
  /** before SHUTDOWN: save if configured; returns an error text to refuse */
  beforeShutdown(save: boolean | undefined, force: boolean): string | undefined;
  /**
   * the dataset as it is now as an RDB, made in the background and written to `output` as it
   * is (a replica's full synchronization): all, or some parts; returns a function that abandons
   * it
   */
  replicaRdb(
    parts: { data: boolean; functions: boolean },
    output: ReplicaRdbOutput,
    replication?: { streamDb: number; replid: string; offset: number },
  ): () => void;
  /**
   * loads a master's RDB (its bytes, or the file they were written to) into the (emptied)
   * databases, or `into`, keys past their TTL kept; returns the database its stream is in
   * (repl-stream-db), when it says; throws
   */
  loadRdbPayload(input: Buffer | string, into?: RdbLoadTarget): { streamDb: number | undefined };
  /** a replica is about to load its master's RDB: the AOF and a background save stop */
  beforeReplicaLoad(): void;
  /** the replica loaded it: the AOF (appendonly yes) starts again with a rewrite */
  afterReplicaLoad(): void;
  /** where the RDB file is (dir and dbfilename) */
  readonly rdbPath: string;
  /** false for an embedded server that stays off the disk (no `dir`, `save`... in its options) */
  readonly onDisk: boolean;
  /** the save points (`save`); none when the server saves no RDB by itself */
  saveParams(): [number, number][];
}

const QUEUED_BYTES = Buffer.from(QUEUED, 'latin1');
/** Settled once: batchNow() queues its end-of-batch reset as a reaction to it. */
const RESOLVED = Promise.resolve();

function rewriteConfigFile(file: string, changed: [string, string][]): void {
  const original = existsSync(file) ? readFileSync(file, 'latin1').split('\n') : [];
  const names = new Set(changed.map(([name]) => name));
  const kept = original.filter((line) => {
    const name = line.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
    return !names.has(name);
  });
  while (kept.length && kept[kept.length - 1]?.trim() === '') kept.pop();
  const quote = (value: string) =>
    /^[^\s"'\\]+$/.test(value) ? value : `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const lines = changed.flatMap(([name, value]) => {
    if (name === 'save') {
      const parts = value.split(' ').filter(Boolean);
      if (parts.length === 0) return ['save ""'];
      const out: string[] = [];
      for (let i = 0; i + 1 < parts.length; i += 2) out.push(`save ${parts[i]} ${parts[i + 1]}`);
      return out;
    }
    if (name === 'bind' || name === 'client-output-buffer-limit') return [`${name} ${value}`];
    return [`${name} ${quote(value)}`];
  });
  const text = [...kept, '# Generated by CONFIG REWRITE', ...lines].join('\n') + '\n';
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

function newCommand(
  meta: CommandMeta,
  handler: Handler | undefined,
  subcommands: Map<string, Command> | undefined,
): Command {
  return {
    meta,
    handler,
    subcommands,
    calls: 0,
    microseconds: 0,
    rejectedCalls: 0,
    failedCalls: 0,
  };
}

function watchKey(dbIndex: number, key: string): string {
  return `${dbIndex}\0${key}`;
}

function randomHex(length: number): string {
  let out = '';
  while (out.length < length)
    out += Math.floor(Math.random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return out.slice(0, length);
}

/** EVAL and FCALL (flagged skip-monitor): MONITOR shows them before their script's commands. */
const SCRIPT_RUNNERS = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']);

/**
 * The arguments MONITOR and SLOWLOG show: secrets replaced by "(redacted)" as redis-server's
 * redactClientCommandArgument does (AUTH, HELLO ... AUTH user pass, MIGRATE ... AUTH / AUTH2,
 * ACL SETUSER, CONFIG SET of a sensitive parameter).
 */
export function redactArguments(argv: readonly string[]): readonly string[] {
  const name = (argv[0] ?? '').toLowerCase();
  if (
    name !== 'auth' &&
    name !== 'hello' &&
    name !== 'migrate' &&
    name !== 'acl' &&
    name !== 'config'
  )
    return argv;
  const out = [...argv];
  if (name === 'auth') {
    // authCommand: more than three arguments is a syntax error, before anything is redacted
    if (out.length <= 3) for (let i = 1; i < out.length; i++) out[i] = '(redacted)';
    return out;
  }
  const sub = (out[1] ?? '').toLowerCase();
  if (name === 'acl') {
    // ACL SETUSER: the user name and every rule
    if (sub === 'setuser') for (let i = 2; i < out.length; i++) out[i] = '(redacted)';
    return out;
  }
  if (name === 'config') {
    // CONFIG SET: the values of the SENSITIVE_CONFIG parameters
    if (sub === 'set')
      for (let i = 2; i + 1 < out.length; i += 2)
        if (SENSITIVE_CONFIGS.has((out[i] ?? '').toLowerCase())) out[i + 1] = '(redacted)';
    return out;
  }
  for (let i = 1; i < out.length; i++) {
    const arg = (out[i] ?? '').toLowerCase();
    const count = arg === 'auth' ? (name === 'hello' ? 2 : 1) : arg === 'auth2' ? 2 : 0;
    if (count === 0 || (name === 'hello' && arg !== 'auth')) continue;
    for (let j = 1; j <= count && i + j < out.length; j++) out[i + j] = '(redacted)';
    i += count;
  }
  return out;
}

/**
 * The commands whose replies are pushes (CLIENT_PUSHING in redis-server): sent under CLIENT REPLY
 * OFF or SKIP too.
 */
const SUBSCRIPTION_COMMANDS = new Set([
  'subscribe',
  'unsubscribe',
  'psubscribe',
  'punsubscribe',
  'ssubscribe',
  'sunsubscribe',
]);

/** A client's query buffer as redis-server allocates it (CLIENT LIST qbuf + qbuf-free). */
const QUERY_BUFFER_DEFAULT = 20474;
/** CLIENT LIST tot-mem of an idle client in redis-server 7.0 with its default buffers. */
const CLIENT_BASE_MEMORY = 37632;

/** The parameters whose CONFIG SET values MONITOR and SLOWLOG redact (SENSITIVE_CONFIG). */
const SENSITIVE_CONFIGS = new Set(['masteruser', 'masterauth', 'requirepass']);
